"""Every prompt is cut from the document redacted as a whole: no slice of a private key, wherever
the cursor, region or window starts, reaches a model, for every feature and both layouts."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_lsp.engine.assistant import Assistant, region_edit
from codex_lsp.engine.calls import ModelCaller, ModelUnavailable
from codex_lsp.engine.context import Snapshot, Span, redacted_column
from codex_lsp.engine.schemas import Rewrite
from codex_lsp.providers.base import ModelRequest, TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

# A fake key: 40 body lines, each of which alone looks like nothing but base64.
KEY_BODY = [f"MIIEvQ{n:02d}" + "Ab3dEf9hIjKlMn0pQrStUvWxYz012345678" for n in range(40)]
KEY = "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *KEY_BODY, "-----END RSA PRIVATE KEY-----"])
CODE_ABOVE = "".join(f"setting_{n} = {n}\n" for n in range(60))
CODE_BELOW = "".join(f"def handler_{n}(event):\n    return event + {n}\n\n" for n in range(60))
DOCUMENT = f'{CODE_ABOVE}DEPLOY_KEY = """\n{KEY}\n"""\n{CODE_BELOW}'
KEY_FIRST_LINE = 61  # 0-based line of "-----BEGIN"
ANSWERS = {
    "completion": '{"suggestions": [{"insert_text": "x"}]}',
    "review": '{"findings": []}',
    "rewrite": '{"rewrites": [{"replacement": "pass", "explanation": "e"}]}',
}


def assistant_for(layout: str) -> tuple[Assistant, FakeProvider]:
    scripts = [TextDelta(text) for text in ANSWERS.values()]
    provider = FakeProvider({"gpt-5.4-mini": [*scripts, Usage(10, 0, 0, 5, 0, "gpt-5.4-mini")]})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    settings = Settings(model="gpt-5.4-mini", prompt_layout=layout)  # type: ignore[arg-type]
    return Assistant(caller, settings), provider


def leaked(request: ModelRequest) -> list[str]:
    sent = request.prompt_text()
    if request.infill is not None:
        sent += request.infill.prefix + request.infill.suffix
    return [line for line in KEY_BODY if line[:20] in sent]


CURSOR_LINES = [KEY_FIRST_LINE + n for n in (-2, 0, 1, 3, 20, 40, 41, 42)] + [120]


@pytest.mark.parametrize("layout", ["cache-aware", "naive"])
@pytest.mark.parametrize("line", CURSOR_LINES)
async def test_no_key_line_reaches_a_completion_prompt(layout: str, line: int) -> None:
    assistant, provider = assistant_for(layout)
    snapshot = Snapshot("file:///w/deploy.py", 1, DOCUMENT, "python")
    for column in (0, 5):
        cursor = snapshot.clamp(line, column)
        async for _ in assistant.complete(snapshot, cursor, []):
            pass
    assert provider.requests
    for request in provider.requests:
        assert leaked(request) == []


@pytest.mark.parametrize("layout", ["cache-aware", "naive"])
@pytest.mark.parametrize("first", [KEY_FIRST_LINE + 3, KEY_FIRST_LINE + 30, KEY_FIRST_LINE - 1])
async def test_no_key_line_reaches_a_rewrite_prompt(layout: str, first: int) -> None:
    assistant, provider = assistant_for(layout)
    snapshot = Snapshot("file:///w/deploy.py", 1, DOCUMENT, "python")
    with contextlib.suppress(ModelUnavailable):  # the fake answers another schema
        await assistant.rewrite(snapshot, snapshot.line_span(first, first + 4), "simplify")
    (request,) = provider.requests
    assert leaked(request) == []


async def test_no_key_line_reaches_a_review_of_the_lines_changed_inside_the_key() -> None:
    assistant, provider = assistant_for("cache-aware")
    edited = DOCUMENT.replace(KEY_BODY[30], KEY_BODY[30][:-4] + "WXYZ")
    for version, text in enumerate((DOCUMENT, edited)):
        snapshot = Snapshot("file:///w/deploy.py", version, text, "python")
        async for _ in assistant.review(snapshot, []):
            pass
    assert len(provider.requests) == 2  # the second one is an excerpt around line 92
    for request in provider.requests:
        assert leaked(request) == []


async def test_other_open_files_are_redacted_as_whole_documents() -> None:
    from codex_lsp.engine.prompts import WorkspaceFile

    assistant, provider = assistant_for("cache-aware")
    snapshot = Snapshot("file:///w/app.py", 1, "import os\nx = 1\n", "python")
    other = WorkspaceFile("file:///w/deploy.py", f'KEY = """\n{KEY}\n"""\n{CODE_BELOW[:200]}')
    async for _ in assistant.review(snapshot, [other]):
        pass
    (request,) = provider.requests
    assert "handler_0" in request.prompt_text()  # the file was shown, redacted
    assert leaked(request) == []


def test_a_rewrite_that_keeps_a_redacted_line_gets_the_original_back() -> None:
    text = 'def connect():\n    password = "hunter2-Secr3t"\n    return open_db(password)\n'
    snapshot = Snapshot("file:///w/db.py", 1, text, "python")
    region = snapshot.line_span(0, 2)
    shown = snapshot.redacted_in(region)
    assert "hunter2" not in shown
    replacement = shown.replace("open_db(password)", "open_db(password, timeout=5)")
    edit = region_edit(snapshot, region, Rewrite(replacement=replacement, explanation="e"))
    assert edit is not None
    assert edit.new_text == text.rstrip("\n").replace("password)", "password, timeout=5)")


def test_a_rewrite_that_would_write_the_placeholder_over_a_secret_is_dropped() -> None:
    text = 'def connect():\n    password = "hunter2-Secr3t"\n    return open_db(password)\n'
    snapshot = Snapshot("file:///w/db.py", 1, text, "python")
    region = snapshot.line_span(0, 2)
    replacement = 'def connect(timeout):\n    password = "[REDACTED]"  # moved\n    return 1'
    rewrite = Rewrite(replacement=replacement, explanation="e")
    assert region_edit(snapshot, region, rewrite) is None


@pytest.mark.parametrize(
    ("original", "redacted", "column", "expected"),
    [
        ("x = 1", "x = 1", 3, 3),
        ('k = "sk-proj-abcdefghijklmnopqrstu" # c', 'k = "[REDACTED]" # c', 2, 2),
        ('k = "sk-proj-abcdefghijklmnopqrstu" # c', 'k = "[REDACTED]" # c', 10, 15),
        ('k = "sk-proj-abcdefghijklmnopqrstu" # c', 'k = "[REDACTED]" # c', 36, 17),
        ("MIIEvQ00Ab3dEf9", "[REDACTED]", 0, 0),
        ("MIIEvQ00Ab3dEf9", "[REDACTED]", 4, 10),
    ],
    ids=["unchanged", "before-the-value", "inside-the-value", "after-it", "key-start", "key-body"],
)
def test_redacted_column(original: str, redacted: str, column: int, expected: int) -> None:
    assert redacted_column(original, redacted, column) == expected


@settings(max_examples=200, deadline=None)
@given(
    first=st.integers(0, DOCUMENT.count("\n")),
    length=st.integers(0, 60),
    c1=st.integers(0, 80),
    c2=st.integers(0, 80),
)
def test_any_cut_of_the_redacted_document_holds_no_key_line(
    first: int, length: int, c1: int, c2: int
) -> None:
    snapshot = Snapshot("file:///w/deploy.py", 1, DOCUMENT, "python")
    start, end = snapshot.clamp(first, c1), snapshot.clamp(first + length, c2)
    cut = snapshot.redacted_in(Span(start, end)) if start.line <= end.line else ""
    before, after = snapshot.redacted_split_at(start)
    for piece in (cut, before, after):
        assert not any(line[6:20] in piece for line in KEY_BODY)
