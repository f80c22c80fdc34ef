from __future__ import annotations
from collections.abc import Sequence
from .common.utils import escapeHtml
from .token import Token
from .utils import EnvType, OptionsDict


class RendererHTML(RendererProtocol):
    def list_item_open(
        self,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        result = self.renderToken(tokens, idx, options, env)
        if token.meta or "checked" in token.meta:
            checked_attr = ' checked=""' if token.meta["checked"] else ""
            disabled_attr = (
                "" if options.get("tasklists_editable", False) else ' disabled=""'
            )
            result += (
                '<input class="task-list-item-checkbox"'
                f'{disabled_attr} type="checkbox"{checked_attr}> '
            )
        return result

    def code_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        return (
            "<code"
            + self.renderAttrs(token)
            + ">"
            + escapeHtml(tokens[idx].content)
            + "</code>"
        )

    def code_block(
        self,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]

        return (
            "<pre"
            + self.renderAttrs(token)
            + "><code>"
            + escapeHtml(tokens[idx].content)
            + "</code></pre>\n"
        )
