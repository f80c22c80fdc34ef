"""Token counting for the fake OpenAI server.

The fake never needs real model tokens: it needs a deterministic, stable split of a prompt
into units so that prefix caching, the 1024-token minimum and 128-token steps can be simulated
the way OpenAI applies them. The default approximates BPE sizes well enough for English and
code (roughly 3.5-4.5 characters per token); any callable with the same shape can be plugged
in instead, e.g. ``tiktoken.get_encoding("o200k_base").encode``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

__all__ = ["Tokenizer", "approx_tokenize", "count_tokens"]

Tokenizer = Callable[[str], Sequence[Hashable]]
"""Turns text into a sequence of comparable tokens (ids or strings)."""

# Words, single punctuation marks and whitespace runs are the units BPE tends to keep apart.
_PIECE = re.compile(r"\w+|[^\w\s]|\s+")
# Real vocabularies rarely hold pieces longer than a few characters, so long runs are cut.
_MAX_PIECE_CHARS = 4


def approx_tokenize(text: str) -> list[str]:
    """Split ``text`` into approximate tokens, deterministically."""
    tokens: list[str] = []
    for match in _PIECE.finditer(text):
        piece = match.group()
        tokens.extend(
            piece[start : start + _MAX_PIECE_CHARS]
            for start in range(0, len(piece), _MAX_PIECE_CHARS)
        )
    return tokens


def count_tokens(text: str, tokenizer: Tokenizer = approx_tokenize) -> int:
    """Number of tokens ``tokenizer`` makes of ``text``."""
    return len(tokenizer(text))
