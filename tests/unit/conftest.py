"""Unit tests count tokens with the character estimate, whatever other tests loaded before."""

from __future__ import annotations

import pytest

from codex_lsp.engine import tokens


@pytest.fixture(autouse=True)
def character_token_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    # The exact o200k tokenizer loads in a background thread in the server; budgets and
    # estimated usage in these tests are spelled out for the documented fallback estimate.
    monkeypatch.setattr(tokens, "_encoding", None, raising=False)
