"""Measure the local model: time to first token and tokens/s, cold vs. warm prompt prefix.

Not collected by pytest (slow, ~1 min). Run: ``.venv/bin/python -m tests.local.bench_local``
(options: ``--model qwen2.5-coder-1.5b``, ``--parallel 1``, ``--threads 1``).
Prints one JSON line per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from typing import Any

import openai

from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.local.weights import resolve_model_path


def _source(tag: str, functions: int) -> str:
    """A plausible Python module whose size in tokens grows with ``functions``."""
    parts = [f'"""Inventory helpers ({tag})."""\n\nimport math\n\n']
    for n in range(functions):
        parts.append(
            f"def restock_{tag}_{n}(stock: dict[str, int], item: str, amount: int) -> int:\n"
            f'    """Add {n} extra units of ``item`` and return the new level."""\n'
            f"    level = stock.get(item, 0) + amount + {n}\n"
            f"    stock[item] = max(level, math.floor({n} / 2))\n"
            f"    return stock[item]\n\n"
        )
    return "".join(parts)


async def _request(client: openai.AsyncOpenAI, label: str, code: str, question: str) -> None:
    messages: Any = [
        {"role": "system", "content": "You are a careful code reviewer."},
        {"role": "user", "content": f"```python\n{code}```\n\n{question}"},
    ]
    started = time.perf_counter()
    first = last = None
    usage = timings = None
    stream = await client.chat.completions.create(
        model="local", messages=messages, stream=True, max_tokens=128, temperature=0,
        stream_options={"include_usage": True},
    )  # fmt: skip
    async for chunk in stream:
        now = time.perf_counter()
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or now
            last = now
        usage = chunk.usage or usage
        timings = (chunk.model_extra or {}).get("timings") or timings
    assert usage is not None and first is not None and last is not None
    cached = usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else None
    report = {
        "request": label,
        "prompt_tokens": usage.prompt_tokens,
        "cached_tokens": cached,
        "ttft_s": round(first - started, 2),
        "completion_tokens": usage.completion_tokens,
        "decode_tok_per_s": round((usage.completion_tokens - 1) / (last - first), 1),
        "server_prompt_tok_per_s": round((timings or {}).get("prompt_per_second", 0), 1),
        "server_decode_tok_per_s": round((timings or {}).get("predicted_per_second", 0), 1),
    }
    sys.stdout.write(json.dumps(report) + "\n")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--threads-batch", type=int, default=None)
    parser.add_argument("--verbose", action="store_true", help="log to stderr")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s: %(message)s")
        for noisy in ("asyncio", "httpcore2", "openai"):
            logging.getLogger(noisy).setLevel(logging.INFO)
    path = await asyncio.to_thread(resolve_model_path, args.model)
    server = LocalModelServer(
        path, parallel=args.parallel, threads=args.threads, threads_batch=args.threads_batch
    )
    started = time.perf_counter()
    url = await server.ensure_started()
    sys.stdout.write(json.dumps({"start_s": round(time.perf_counter() - started, 2)}) + "\n")
    completion_file, other_file = _source("a", 18), _source("b", 18)  # ~1,500 tokens each
    try:
        async with openai.AsyncOpenAI(
            base_url=url, api_key=server.api_key, max_retries=0, http_client=local_http_client()
        ) as client:
            await _request(client, "cold", completion_file, "Summarise what this module does.")
            await _request(
                client, "warm same prefix", completion_file, "Which function is longest?"
            )
            await _request(client, "other prefix (diagnostics)", other_file, "List any bugs.")
            await _request(client, "first prefix again", completion_file, "Name two functions.")
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
