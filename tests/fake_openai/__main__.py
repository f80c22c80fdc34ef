"""Run the fake OpenAI server by hand: ``python -m tests.fake_openai --port 8765``.

Requests are logged to stderr; script answers from another process through the control API
(``POST /_fake/script``, ``GET /_fake/requests``, ``POST /_fake/reset``).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from .server import FakeOpenAI


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_openai", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--unknown-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="answer 404 model_not_found for MODEL (repeatable)",
    )
    parser.add_argument(
        "--explicit-cache-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="simulate explicit-breakpoint caching for MODEL too (repeatable)",
    )
    parser.add_argument("--api-key", help="require 'Authorization: Bearer KEY'")
    parser.add_argument("--per-prefix-rpm", type=int, default=15, help="0 disables overflow")
    parser.add_argument("--cache-ttl", type=float, default=600.0, help="implicit cache TTL, s")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every HTTP line")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    fake = FakeOpenAI(
        args.port,
        host=args.host,
        unknown_models=args.unknown_model,
        explicit_cache_models=args.explicit_cache_model,
        api_key=args.api_key,
        per_prefix_rpm=args.per_prefix_rpm or None,
        cache_ttl_s=args.cache_ttl,
    )
    stopped = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with fake:
        # The one stdout line: scripts read the URL from it.
        print(f"fake OpenAI listening on {fake.base_url}", flush=True)
        stopped.wait()


if __name__ == "__main__":
    main()
