"""Retries for calls to the flaky payment API."""

import time
from collections.abc import Callable


def retry(call: Callable[[], str], attempts: int = 3, delay: float = 0.5) -> str:
    """Call until it succeeds; re-raise the last ConnectionError."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ConnectionError:
            if attempt == attempts:
                raise
            time.sleep(delay * 2 ** (attempt - 1))
    raise ValueError("attempts must be at least 1")
