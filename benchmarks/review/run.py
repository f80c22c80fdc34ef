"""Review quality of the real `codex-lsp check` over the corpus, per backend and model.

    .venv/bin/python -m benchmarks.review.run [--backend local] [--local-model 1.5b]
        [--model M] [--limit N] [--files NAME ...]

Each file is reviewed by its own `codex-lsp check --format json FILE` subprocess, so the
figures include everything a user pays for (start-up, model load, the engine's prompt). For
the local backend the API key is blanked and `CODEX_LSP_BACKEND=local` is set; the 1.5B model
is assembled from its PyPI parts and passed through `CODEX_LSP_LOCAL_MODEL_PATH`. Prints a
markdown table and writes `results/check-<backend>-<model>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.review.corpus import (
    TABLE_HEADER,
    CorpusFile,
    FileScore,
    load_corpus,
    score_file,
    summarize,
    write_results,
)

ROOT = Path(__file__).resolve().parents[2]
LOCAL_MODELS = {"0.5b": "qwen2.5-coder-0.5b", "1.5b": "qwen2.5-coder-1.5b"}
TIMEOUT_S = 600.0


def check_command() -> list[str]:
    script = Path(sys.executable).with_name("codex-lsp")
    if script.exists():
        return [str(script), "check", "--format", "json"]
    return [sys.executable, "-m", "codex_lsp", "check", "--format", "json"]


def check_env(backend: str, local_model: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CODEX_LSP_BACKEND"] = backend
    if backend == "local":
        env["OPENAI_API_KEY"] = ""
        if local_model != "0.5b":
            from codex_lsp.local.weights import resolve_model_path

            env["CODEX_LSP_LOCAL_MODEL_PATH"] = str(resolve_model_path(LOCAL_MODELS[local_model]))
    return env


def neutral_copy(item: CorpusFile, workdir: Path) -> Path:
    """The file under a name that gives nothing away: the engine shows the model the parent
    folder and the file name, and `buggy/01_signup.py` would tell it what to find."""
    target = workdir / "src" / re.sub(r"^\d+_", "", item.path.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(item.path, target)
    return target


def review_one(item: CorpusFile, args: argparse.Namespace, env: dict[str, str]) -> FileScore:
    command = [*check_command(), "--backend", args.backend]
    if args.model:
        command += ["--model", args.model]
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="review-bench-") as workdir:
            command.append(str(neutral_copy(item, Path(workdir)).relative_to(workdir)))
            done = subprocess.run(
                command, cwd=workdir, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
            )
    except subprocess.TimeoutExpired:
        return score_file(item, [], time.perf_counter() - started, error="timeout")
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        return score_file(item, [], seconds, error=done.stderr.strip()[-400:] or "exit 2")
    try:
        findings = json.loads(done.stdout)
    except ValueError:
        return score_file(item, [], seconds, error=f"no JSON on stdout: {done.stdout[-200:]!r}")
    lines = [int(f["line"]) for f in findings]
    messages = [f"{f['line']}: {f['code']}: {f['message']}" for f in findings]
    return score_file(item, lines, seconds, messages)


def label_for(args: argparse.Namespace) -> str:
    model = args.model or (f"qwen-{args.local_model}" if args.backend == "local" else "default")
    return f"check-{args.backend}-{model}".replace("/", "_")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Review quality of `codex-lsp check`.")
    parser.add_argument(
        "--backend", default="local", choices=["local", "openai", "openai-compatible"]
    )
    parser.add_argument("--model", help="model name for the openai(-compatible) backends")
    parser.add_argument("--local-model", default="0.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--limit", type=int, help="only the first N buggy and N clean files")
    parser.add_argument("--start", type=int, default=0, help="skip the first N of each kind")
    parser.add_argument("--files", nargs="*", help="only files whose name contains one of these")
    parser.add_argument("--label", help="name of the results file (default from the options)")
    args = parser.parse_args(argv)
    label = args.label or label_for(args)
    env = check_env(args.backend, args.local_model)
    scores: list[FileScore] = []
    for item in load_corpus(args.limit, args.files, args.start):
        score = review_one(item, args, env)
        scores.append(score)
        verdict = ("found" if score.found else "missed") if score.buggy else "clean"
        print(
            f"{score.name}: {verdict}, lines {score.lines}, {score.seconds:.1f} s"
            + (f", error {score.error}" if score.error else ""),
            file=sys.stderr,
            flush=True,
        )
    meta = {"backend": args.backend, "model": args.model, "local_model": args.local_model}
    path = write_results(label, scores, meta)
    print(TABLE_HEADER)
    print(summarize(label, scores).row())
    print(f"\nresults: {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
