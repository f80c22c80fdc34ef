"""The exact o200k count: the same as tiktoken's own Encoding, on text of every kind."""

from __future__ import annotations

from pathlib import Path

import pytest
import quicktok
import tiktoken

from codex_lsp.engine import tokens

TEXTS = [
    "",
    "def add(a: int, b: int) -> int:\n    return a + b\n",
    "    \t\r\n\r\n  x = 1  # comment with trailing spaces   \n",
    "naïve café — 東京 🚀 ĳ ß Ω\u0301",
    "<|endoftext|> is text here, as is <|endofprompt|>",
    "half a pair: \ud83d then more",
    "1234567890 3.14159 0xDEADBEEF",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def reference() -> tiktoken.Encoding:
    ranks = tokens.read_quicktok_ranks(Path(quicktok.__file__).parent / "data" / "o200k.vocab")
    return tiktoken.Encoding(
        "o200k_base",
        pat_str=tokens.O200K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=tokens.O200K_SPECIAL,
    )


@pytest.fixture
def exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_encoding", None)
    assert tokens.load_now()


@pytest.mark.usefixtures("exact")
@pytest.mark.parametrize("text", TEXTS)
def test_the_count_is_tiktokens(text: str, reference: tiktoken.Encoding) -> None:
    assert tokens.estimate_tokens(text) == len(reference.encode(text, disallowed_special=()))


@pytest.mark.usefixtures("exact")
@pytest.mark.parametrize("text", TEXTS)
def test_the_ids_are_tiktokens(text: str, reference: tiktoken.Encoding) -> None:
    """What the replay benchmark's fake bills with: the ids themselves, not only their count."""
    assert tokens.encode(text) == reference.encode(text, disallowed_special=())


@pytest.mark.usefixtures("exact")
def test_this_repository_counts_as_tiktoken_counts_it(reference: tiktoken.Encoding) -> None:
    for path in sorted(Path(tokens.__file__).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8")[: tokens.EXACT_LIMIT]
        assert tokens.estimate_tokens(text) == len(reference.encode(text, disallowed_special=()))


def test_without_the_tokenizer_counts_are_the_character_estimate() -> None:
    assert tokens._encoding is None  # tests/unit/conftest.py
    assert tokens.estimate_tokens("x" * 36) == 10
    assert tokens.estimate_tokens("") == 0


@pytest.mark.usefixtures("exact")
def test_past_the_exact_limit_the_estimate_is_used() -> None:
    text = "word " * (tokens.EXACT_LIMIT // 5 + 1)
    assert tokens.estimate_tokens(text) == (len(text) * 10 + 35) // 36


@pytest.mark.usefixtures("exact")
def test_a_repeated_text_is_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = tokens._encoding
    assert counter is not None
    calls: list[int] = []
    original = counter.count
    monkeypatch.setattr(counter, "count", lambda text: calls.append(len(text)) or original(text))
    text = "def f(x):\n    return x * 2\n" * 40
    first = tokens.estimate_tokens(text)
    assert tokens.estimate_tokens(text) == first
    tokens.estimate_tokens(text + "y")  # another text: counted
    assert calls == [len(text), len(text) + 1]


def test_quicktok_ranks_are_read_entry_by_entry(tmp_path: Path) -> None:
    entries = [(b"a", 0), (b"", 7), (b"\x00\xff longer token", 2), (b"\n", 65_536)]
    body = b"".join(
        len(token).to_bytes(2, "little") + token + rank.to_bytes(4, "little")
        for token, rank in entries
    )
    path = tmp_path / "small.vocab"
    path.write_bytes(len(entries).to_bytes(4, "little") + body)
    assert tokens.read_quicktok_ranks(path) == dict(entries)
