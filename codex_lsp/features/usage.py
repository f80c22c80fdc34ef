"""Usage on request: `workspace/executeCommand codexLsp.usage` returns the session's totals
(`Ledger.totals`: tokens, dollars, the cached share of input tokens, and the same per feature
under `features`) and the model in use.

After each model call the server also sends the `codexLsp/usage` notification
(see `CodexServer._send_usage`) with the call and the same totals, so status bars can update
without polling. Today's spend across every codex-lsp process is `codex-lsp doctor --usage`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

USAGE_COMMAND = "codexLsp.usage"


def register(server: CodexServer) -> None:
    # `ls` is typed Any: pygls resolves command annotations at run time.
    @server.command(USAGE_COMMAND)
    def usage(ls: Any, *args: Any) -> dict[str, Any]:
        totals: dict[str, Any] = ls.ledger.totals()
        assistant = ls.current_assistant()
        totals["model"] = assistant.caller.model if assistant else None
        return totals
