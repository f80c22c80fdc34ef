"""Token estimates for budgets. A fast approximation (about 3.6 characters per token on code)."""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    return (len(text) * 10 + 35) // 36
