"""The one path every document request takes (ruff's `run_with_snapshot`): find the document,
freeze a snapshot, honour the feature's switch, run the handler within the feature's deadline,
answer any failure (one message, never silence), and answer a result computed for an older
version the feature's way. Handlers only compute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pygls.exceptions import JsonRpcException, JsonRpcInternalError

from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Snapshot
from codex_lsp.settings import Settings
from codex_lsp.trust import shorten

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

P = TypeVar("P")
R = TypeVar("R")
Handler = Callable[["CodexServer", P, Snapshot], Awaitable[R]]

RECENT_PROBLEM_S = 60.0  # a message shown this recently already explains a late answer
COMPLETION_DEADLINE_S = 10.0  # ghost text later than this is no help: the user moved on


def completion_deadline(settings: Settings) -> float:
    return min(COMPLETION_DEADLINE_S, settings.request_timeout_s)


def model_deadline(settings: Settings) -> float:
    """Reviews and rewrites: as long as a model stream may stay silent, and a little more."""
    return settings.request_timeout_s + 5


# The embedded models review at about 3-5 minutes per 100 lines on a busy 2-core machine (the
# 1.5B's review, then the line scan; benchmarks/review/README.md): a background review of theirs
# gets this much per line, or it would stop before its findings on any file of real size.
EMBEDDED_REVIEW_S_PER_LINE = 4.0
EMBEDDED_REVIEW_MAX_S = 1800.0


def review_deadline(settings: Settings, lines: int, embedded: bool) -> float:
    """A background review's: a hosted model's like any request's, the embedded models' by the
    file's length (a stall is still caught sooner, by the provider's silence timeout)."""
    if not embedded:
        return model_deadline(settings)
    by_length = EMBEDDED_REVIEW_S_PER_LINE * lines
    return min(EMBEDDED_REVIEW_MAX_S, max(model_deadline(settings), by_length))


def tell_late(ls: CodexServer, text: str) -> None:
    """Say once that work ran past its deadline, unless a message shown lately already told
    the problem behind it (a stalled backend is one problem, whatever the feature)."""
    if not ls.notices.shown_within(RECENT_PROBLEM_S):
        ls.notices.notify("deadline", "warning", text)


def text_document_uri(params: Any) -> str | None:
    document = getattr(params, "text_document", None)
    uri = getattr(document, "uri", None)
    return uri if isinstance(uri, str) else None


class DocumentRoute:
    """How one method's requests travel: which document, when on, how long, and what to answer
    (given the params) when it is off, late or failed (`empty`) or computed for an older
    version (`stale`)."""

    def __init__(
        self,
        name: str,
        *,
        enabled: Callable[[Settings], bool],
        empty: Callable[[Any], Any],
        deadline_s: Callable[[Settings], float] = model_deadline,
        stale: Callable[[Any], Any] | None = None,
        uri: Callable[[Any], str | None] = text_document_uri,
    ) -> None:
        self.name = name
        self.enabled = enabled
        self.empty = empty
        self.deadline_s = deadline_s
        self.stale = stale
        self.uri = uri

    async def run(self, ls: CodexServer, params: Any, handler: Handler[Any, Any]) -> Any:
        uri = self.uri(params)
        snapshot = ls.snapshot(uri) if uri is not None else None
        if snapshot is None or not self.enabled(ls.settings):
            return self.empty(params)
        deadline = self.deadline_s(ls.settings)
        try:
            async with asyncio.timeout(deadline) as timer:
                result = await handler(ls, params, snapshot)
        except TimeoutError:
            if not timer.expired():
                raise
            tell_late(
                ls,
                f"codex-lsp: no {self.name} within {deadline:.0f} s; the model or the network "
                "is slow. Requests are answered without it meanwhile.",
            )
            return self.empty(params)
        except ModelUnavailable:  # the user has been told why
            return self.empty(params)
        except (asyncio.CancelledError, JsonRpcException):
            raise
        except Exception as error:
            log.exception("%s failed", self.name)
            ls.notices.notify(
                f"failed:{self.name}",
                "error",
                f"codex-lsp: {self.name} failed ({shorten(str(error))}); details in the log.",
            )
            raise JsonRpcInternalError(f"codex-lsp: {self.name} failed") from error
        if self.stale is not None and ls.current_version(snapshot.uri) != snapshot.version:
            return self.stale(params)
        return result
