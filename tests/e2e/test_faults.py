"""Upstream faults over real LSP: an editor that pulls diagnostics and one that takes them pushed
meet each fault of the fake OpenAI on fresh servers, are answered in time, told once, recover."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.e2e.conftest import TEST_KEY, Recorder, Start, apply_text_edits, change_doc, open_doc
from tests.fake_openai import Answer, FakeOpenAI, Fault

URI = "file:///work/project/shop.py"
SOURCE = "def is_even(n):\n    return n % 2 == 1\n\n\ndef add(a, b):\n    return \n"
CURSOR = types.Position(5, 11)
FINDING = {
    "line": 2,
    "snippet": "n % 2 == 1",
    "severity": "error",
    "code": "inverted-condition",
    "message": "is_even returns True for odd numbers.",
}
FOUND = [(types.Range(types.Position(1, 11), types.Position(1, 21)), "inverted-condition")]
LINT = types.Diagnostic(range=FOUND[0][0], message=str(FINDING["message"]), source="otherlinter")
# A fix rewrites the diagnostic's line with two lines around it (lines 0-3).
FIX = {"replacement": "def is_even(n):\n    return n % 2 == 0\n\n", "explanation": "Use == 0."}
GOOD: dict[str, Any] = {
    "completion": {"suggestions": [{"insert_text": "a + b"}]},
    "review": {"findings": [FINDING]},
    "rewrite": {"rewrites": [FIX]},
}
SCHEMAS = list(GOOD)
# Broken where a parser might take what came before for the whole answer.
INVALID_JSON = {
    "completion": '{"suggestions": [{"insert_text": "a + b"}, {"insert_text": oops',
    "review": '{"findings": [{"line": 2, "snippet": "n % 2 == 1", "severity": "error", oops',
    "rewrite": '{"rewrites": [{"replacement": "def is_even(n):\\n", oops',
}
WRONG_SCHEMA: dict[str, Any] = {
    "completion": {"suggestions": [{"insert_text": 7}, {"text": "a + b"}]},
    "review": {"findings": [{**FINDING, "line": "two", "severity": "fatal"}]},
    "rewrite": {"rewrites": [{"replacement": ["not", "text"], "explanation": 3}]},
}
HUGE = "x = 1\n" * 5_000  # 30,000 characters: far past any answer's output token limit
LONG: dict[str, Any] = {
    "completion": {"suggestions": [{"insert_text": HUGE}] * 5},
    "review": {"findings": [FINDING] * 1_000},
    "rewrite": {"rewrites": [{"replacement": HUGE, "explanation": "long"}] * 5},
}
MODELS = ["codex-mini-latest", "gpt-5.4-mini"]
STALL_TIMEOUT_S = 1.0  # requestTimeoutS where the backend stalls; completions get min(10, it)
SLACK_S = 3.0  # for a busy CI machine
RECOVERY_S = 12.0  # the breaker's cool-downs here: 1 s (a 429's retry-after), then 2 s, 4 s


class TooManyMessages(AssertionError):
    """More than one message for the one problem a case has."""


# --- the faults ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultCase:
    """A fault at the backend: how it answers each schema until the fault clears, and what
    the user changes to get going again when the fault clearing is not enough."""

    id: str
    answer: Callable[[str], Answer] | None = None
    missing_models: bool = False  # every configured model is unknown to the backend
    fix: dict[str, Any] = field(default_factory=dict)  # settings the message asks to change
    timeout_s: float | None = None  # requestTimeoutS (None: the default)
    marks: tuple[pytest.MarkDecorator, ...] = ()

    def inject(self, fake: FakeOpenAI) -> None:
        if self.missing_models:
            fake.unknown_models.update(MODELS)
        if self.answer is not None:
            fake.script(*(self.answer(schema) for schema in SCHEMAS))

    def clear(self, fake: FakeOpenAI, clients: list[LanguageClient]) -> None:
        fake.reset()
        fake.unknown_models.clear()
        fake.script(*(Answer(json=GOOD[schema], match=schema, times=-1) for schema in SCHEMAS))
        for client in clients if self.fix else []:
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"codexLsp": self.fix})
            )

    def deadline_s(self, completion: bool) -> float:
        """How long a request may take: its feature's deadline under this fault."""
        timeout = self.timeout_s or 60.0
        return (min(10.0, timeout) if completion else timeout + 5) + SLACK_S


def _faulty(fault: Fault) -> Callable[[str], Answer]:
    return lambda schema: Answer(json=GOOD[schema], match=schema, fault=fault, times=-1)


def _text(texts: dict[str, str]) -> Callable[[str], Answer]:
    return lambda schema: Answer(text=texts[schema], match=schema, times=-1)


def _json(payloads: dict[str, Any], chunk_chars: int = 8) -> Callable[[str], Answer]:
    return lambda schema: Answer(
        json=payloads[schema], match=schema, chunk_chars=chunk_chars, times=-1
    )


FAULTS = [
    FaultCase(
        "stall-no-bytes",
        _faulty(Fault.silence(seconds=30)),
        timeout_s=STALL_TIMEOUT_S,
    ),
    # A rejected key stops calls until a backend setting changes (the server then builds a new
    # caller); the key itself cannot change here, so naming the backend stands in for that.
    FaultCase("401", _faulty(Fault.invalid_api_key()), fix={"backend": "openai"}),
    FaultCase("429-retry-after", _faulty(Fault.rate_limit(retry_after_s=1.0))),
    FaultCase("429-no-retry-after", _faulty(Fault.rate_limit(retry_after_s=None))),
    FaultCase("503", _faulty(Fault.server_error(503))),
    # The models come back; the caller would ask again after 30 s by itself, a change of the
    # models setting (as the message asks) makes it ask at once.
    FaultCase("no-model", missing_models=True, fix={"fallbackModels": ["gpt-5.5"]}),
    FaultCase("dropped-stream", _faulty(Fault.drop(after_deltas=3))),
    FaultCase("invalid-json", _text(INVALID_JSON)),
    FaultCase("wrong-schema", _json(WRONG_SCHEMA)),
    FaultCase("error-event", _faulty(Fault.error_event(after_deltas=2))),
    FaultCase("response-failed", _faulty(Fault.response_failed(after_deltas=2))),
    FaultCase("long-output", _json(LONG, chunk_chars=2048)),
]


# --- one editor session, and what it asks ------------------------------------------------------


@dataclass
class Session:
    """An editor on one document, with the text of every version it had."""

    client: LanguageClient
    recorder: Recorder
    fault: FaultCase
    texts: dict[int, str] = field(default_factory=lambda: {1: SOURCE})
    heard: dict[int, int] = field(default_factory=lambda: {1: 0})  # messages before each version

    @property
    def version(self) -> int:
        return max(self.texts)

    @property
    def text(self) -> str:
        return self.texts[self.version]

    def edit_and_save(self) -> None:
        """A new version of the same text (an edit, undone), saved: reviews run on save, and
        ask the model unless an earlier review of this text ran to the end."""
        version = self.version + 1
        self.texts[version] = SOURCE
        self.heard[version] = len(self.recorder.messages)
        change_doc(self.client, URI, version, self.text)
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(_doc()))


def _doc() -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=URI)


def _inside(text: str, rng: types.Range) -> bool:
    lines = text.split("\n")
    start, end = rng.start, rng.end
    return (
        (start.line, start.character) <= (end.line, end.character)
        and end.line < len(lines)
        and start.character <= len(lines[start.line])
        and end.character <= len(lines[end.line])
    )


Ask = Callable[[Session], Awaitable[bool]]  # True when the model's good answer came through


async def ask_inline(s: Session) -> bool:
    """Ghost text on a typing pause (automatic: a backend in trouble is skipped, not waited)."""
    context = types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic)
    params = types.InlineCompletionParams(context, _doc(), CURSOR)
    async with asyncio.timeout(s.fault.deadline_s(completion=True)):
        result = await s.client.text_document_inline_completion_async(params)
    items = result.items if isinstance(result, types.InlineCompletionList) else result or []
    assert all(item.range == types.Range(CURSOR, CURSOR) for item in items)
    return [item.insert_text for item in items] == ["a + b"]


async def ask_menu(s: Session) -> bool:
    """Completion items the user asked for (invoked: explicit)."""
    context = types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked)
    params = types.CompletionParams(_doc(), CURSOR, context=context)
    async with asyncio.timeout(s.fault.deadline_s(completion=True)):
        result = await s.client.text_document_completion_async(params)
    items = result.items if isinstance(result, types.CompletionList) else result or []
    for item in items:
        assert isinstance(item.text_edit, types.TextEdit)
        assert _inside(s.text, item.text_edit.range)
    return [item.label for item in items] == ["a + b"]


async def ask_pull(s: Session) -> bool:
    """The document's diagnostics, pulled (a review runs for a document opened or saved)."""
    params = types.DocumentDiagnosticParams(text_document=_doc())
    async with asyncio.timeout(s.fault.deadline_s(completion=False)):
        report = await s.client.text_document_diagnostic_async(params)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert all(_inside(s.text, d.range) for d in report.items)
    return [(d.range, d.code) for d in report.items] == FOUND


async def ask_pull_after_a_save(s: Session) -> bool:
    s.edit_and_save()
    return await ask_pull(s)


async def ask_resolve(s: Session) -> bool:
    """A quick fix chosen from the list: its edit, computed by a model call on resolve."""
    context = types.CodeActionContext(diagnostics=[LINT])
    async with asyncio.timeout(s.fault.deadline_s(completion=False)):
        actions = await s.client.text_document_code_action_async(
            types.CodeActionParams(_doc(), LINT.range, context)
        )
        assert actions and isinstance(actions[0], types.CodeAction)
        resolved = await s.client.code_action_resolve_async(actions[0])
    if resolved.edit is None:
        return False
    changes = resolved.edit.document_changes or []
    assert [change.text_document for change in changes] == [  # type: ignore[union-attr]
        types.OptionalVersionedTextDocumentIdentifier(uri=URI, version=s.version)
    ]
    edits = [edit for change in changes for edit in change.edits]  # type: ignore[union-attr]
    fixed = apply_text_edits(s.text, edits)  # type: ignore[arg-type]
    return fixed == s.text.replace("== 1", "== 0")


async def review_heard_of(s: Session, within_s: float) -> bool:
    """Whether the review of the latest version ended within `within_s`: in a publish, or in a
    message when it could not run (a review the breaker holds back ends in silence)."""
    version = s.version

    def heard_of() -> bool:
        published = any(p.version == version for p in s.recorder.publishes)
        return published or len(s.recorder.messages) > s.heard[version]

    try:
        await s.recorder.wait_for(heard_of, within_s)
    except TimeoutError:
        return False
    return True


def review_found(s: Session) -> bool:
    """The latest version's publish has the finding."""
    publishes = [p for p in s.recorder.publishes if p.version == s.version]
    return any([(d.range, d.code) for d in p.diagnostics] == FOUND for p in publishes)


async def ask_push_after_a_save(s: Session) -> bool:
    s.edit_and_save()
    return await review_heard_of(s, within_s=SLACK_S) and review_found(s)


async def recovered(ask: Ask, s: Session) -> None:
    """The request works again: at once, or once the breaker's cool-down is over."""
    async with asyncio.timeout(RECOVERY_S):
        while True:
            if await ask(s):
                return
            # Held back, it was answered at once: ask again shortly. The cool-down ends on the
            # server's clock, so there is no event to wait for.
            await asyncio.sleep(0.25)


# --- what must hold after any fault -------------------------------------------------------------


def check_publishes(s: Session) -> None:
    """Every publish names a version the document had and fits that version's text."""
    for publish in s.recorder.publishes:
        assert publish.uri == URI and publish.version in s.texts, publish
        assert all(_inside(s.texts[publish.version], d.range) for d in publish.diagnostics)


def check_messages(s: Session) -> None:
    """No key anywhere; and one message at most, for the one problem the case has."""
    texts = [m.message for m in s.recorder.messages]
    shown = texts + [d.message for p in s.recorder.publishes for d in p.diagnostics]
    assert not any(TEST_KEY in text for text in shown)
    if len(texts) > 1:
        raise TooManyMessages(texts)


def _pulling_editor() -> types.ClientCapabilities:
    """VS Code's capabilities (versioned edits, resolve), with pull diagnostics and refresh
    as VS Code announces them since 1.74."""
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document is not None and caps.workspace is not None
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities()
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


async def session(start_server: Start, fault: FaultCase, caps: types.ClientCapabilities) -> Session:
    init: dict[str, Any] = {"model": MODELS[0], "fallbackModels": MODELS[1:]}
    if fault.timeout_s is not None:
        init["requestTimeoutS"] = fault.timeout_s
    client, recorder = await start_server(capabilities=caps, init_options=init)
    open_doc(client, URI, SOURCE)
    return Session(client, recorder, fault)


async def meet_pulling(s: Session) -> None:
    """VS Code: ghost text, the menu, a pull, a quick fix; each answered in time and valid for
    the text, whatever it holds."""
    for ask in (ask_inline, ask_menu, ask_pull, ask_resolve):
        await ask(s)


async def recover_pulling(s: Session) -> None:
    for ask in (ask_inline, ask_menu, ask_resolve, ask_pull_after_a_save):
        await recovered(ask, s)
    assert s.recorder.publishes == []  # an editor that pulls is never pushed to


async def meet_pushed(s: Session) -> None:
    """eglot: the review on open is heard of in time."""
    assert await review_heard_of(s, s.fault.deadline_s(completion=False))


async def recover_pushed(s: Session) -> None:
    await recovered(ask_push_after_a_save, s)
    check_publishes(s)


@pytest.mark.parametrize("fault", [pytest.param(f, id=f.id, marks=f.marks) for f in FAULTS])
async def test_editors_meet_the_fault_and_recover(
    start_server: Start, fake: FakeOpenAI, fault: FaultCase
) -> None:
    # Two fresh servers side by side, one per editor, on one faulty backend.
    fault.inject(fake)
    pulls, pushes = await asyncio.gather(
        session(start_server, fault, _pulling_editor()),
        session(start_server, fault, client_capabilities("emacs")),
    )
    await asyncio.gather(meet_pulling(pulls), meet_pushed(pushes))

    fault.clear(fake, [pulls.client, pushes.client])
    await asyncio.gather(recover_pulling(pulls), recover_pushed(pushes))

    check_messages(pushes)
    check_messages(pulls)


# --- known bugs, each where one fault shows it ---------------------------------------------------


class ReviewNotAskedAgain(AssertionError):
    """A pull after the backend recovered got the failed review's empty result."""


async def test_a_pull_after_the_backend_recovers_asks_again(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fault = FaultCase("503-once", _faulty(Fault.server_error(503)))
    fault.inject(fake)
    s = await session(start_server, fault, _pulling_editor())
    assert not await ask_pull(s)  # the review met the fault: nothing found, one message
    fault.clear(fake, [])

    if not await ask_pull(s):  # the same version, pulled again once the backend works
        raise ReviewNotAskedAgain([r.task for r in fake.requests])


class MisleadingMessage(AssertionError):
    """A second message, and a wrong one, for a fault already told."""


async def test_a_failed_fix_by_command_is_one_message(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fault = FaultCase("503", _faulty(Fault.server_error(503)))
    fault.inject(fake)
    s = await session(start_server, fault, client_capabilities("emacs"))
    context = types.CodeActionContext(diagnostics=[LINT])
    actions = await s.client.text_document_code_action_async(
        types.CodeActionParams(_doc(), LINT.range, context)
    )
    assert actions and isinstance(actions[0], types.CodeAction) and actions[0].command
    command = actions[0].command

    async with asyncio.timeout(fault.deadline_s(completion=False)):
        applied = await s.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command.command, arguments=command.arguments)
        )

    assert applied is False and s.recorder.applied_edits == []
    texts = [m.message for m in s.recorder.messages]
    assert texts and "503" in texts[0]
    if len(texts) > 1:
        raise MisleadingMessage(texts)


class KeyShown(AssertionError):
    """A message showed the API key a backend quoted back."""


@pytest.mark.parametrize(
    "fault",
    [
        Fault.error_event(message=f"Incorrect API key provided: {TEST_KEY}"),
        Fault.response_failed(code="invalid_request", message=f"key {TEST_KEY} is not allowed"),
    ],
    ids=["error-event", "response-failed"],
)
async def test_a_backend_quoting_the_key_back_does_not_show_it(
    start_server: Start, fake: FakeOpenAI, fault: Fault
) -> None:
    case = FaultCase("key-echo", _faulty(fault))
    case.inject(fake)
    s = await session(start_server, case, _pulling_editor())
    await ask_pull(s)
    await s.recorder.wait_for(lambda: bool(s.recorder.messages))
    texts = [m.message for m in s.recorder.messages]
    if any(TEST_KEY in text for text in texts):
        raise KeyShown(texts)
    assert any("The model stream failed" in text for text in texts)
