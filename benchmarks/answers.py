"""Plausible model answers, made from the prompt itself, for benchmarks that time the server.

The fake's built-in responder returns the schema's minimal instance (no suggestion, no finding,
no rewrite), which would let the server skip the work it does with a real answer. These answers
exercise it: a completion suggests a line of code; a review reports two findings on lines the
prompt numbered (so the server locates them in the file); a rewrite returns the region it was
asked to rewrite with a comment added (so the server builds a real edit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from benchmarks.responder import shaped
from tests.fake_openai import Answer, RequestRecord, default_responder

SUGGESTION = "result = self.get_params(ctx)"
_NUMBERED = re.compile(r"^(\d+)\| (.*)$", re.MULTILINE)
_REGION = re.compile(r"Region to rewrite, lines (\d+)-(\d+):\n(.*?)\n\nRequest:", re.DOTALL)


def completion_body(
    texts: Sequence[str] = (SUGGESTION,), field: str = "suggestions"
) -> dict[str, Any]:
    """`field`: `answer` for the shared schema's union (the cache-aware layout's prompts)."""
    return {field: [{"insert_text": text} for text in texts]}


def finding(line: int, code: str, index: int = 0) -> dict[str, Any]:
    """A finding on 1-based `line` whose snippet is that line's code."""
    return {
        "line": line,
        "snippet": code.strip()[:40],
        "severity": "warning",
        "code": f"bench-{index}",
        "message": f"Benchmark finding {index}: this line is worth a second look.",
    }


def review_body(prompt: str, count: int = 2) -> dict[str, Any]:
    """`count` findings spread over the lines the prompt numbered (the file, or excerpts)."""
    lines = [(int(n), code) for n, code in _NUMBERED.findall(prompt) if len(code.strip()) > 8]
    if not lines:
        return {"findings": []}
    step = max(1, len(lines) // count)
    chosen = lines[step // 2 :: step][:count]
    return {"findings": [finding(n, code, i) for i, (n, code) in enumerate(chosen)]}


def rewrite_body(prompt: str) -> dict[str, Any]:
    found = _REGION.search(prompt)
    if found is None:
        return {"rewrites": []}
    region = [_NUMBERED.sub(r"\2", line) for line in found.group(3).split("\n")]
    region[0] = region[0] + "  # rewritten"
    return {"rewrites": [{"replacement": "\n".join(region), "explanation": "Marked the region."}]}


def body_for(record: RequestRecord) -> dict[str, Any] | None:
    """The answer, written as the request's schema has it (`responder.shaped`)."""
    if record.task == "completion":
        body = completion_body()
    elif record.task == "review":
        body = review_body(record.prompt_text)
    elif record.task == "rewrite":
        body = rewrite_body(record.prompt_text)
    else:
        return None
    ((name, items),) = body.items()
    return shaped(name, items, record.schema)


def respond(record: RequestRecord) -> Answer:
    """A `default_responder` for the fake: no latency, 16-character deltas."""
    body = body_for(record)
    if body is None:
        return default_responder(record)
    return Answer(json=body, chunk_chars=16)


def closing_offsets(text: str, array: str) -> list[int]:
    """Offsets in a JSON answer of the closing brace of each element of its `array` (what the
    server's incremental parser waits for before it can use an element)."""
    document = json.loads(text)
    offsets: list[int] = []
    start = text.index(f'"{array}"')
    for item in document[array]:
        encoded = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
        at = text.index(encoded, start)
        offsets.append(at + len(encoded) - 1)
        start = at + len(encoded)
    return offsets
