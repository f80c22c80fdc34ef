from __future__ import annotations
from typing import Match, Optional
from .core import InlineState


class InlineParser(Parser[InlineState]):
    def parse_softbreak(self, m: Match[str], state: InlineState) -> int:
        state.append_token({"type": "softbreak"})
        return m.end()

    def parse_inline_html(self, m: Match[str], state: InlineState) -> Optional[int]:
        start = m.start()
        src = state.src
        if src.startswith("<!-->", start):
            end_pos = start + 5
        elif src.startswith("<!--->", start):
            end_pos = start + 6
        else:
            marker = None
            offset = 0
            if src.startswith("<!--", start):
                marker, offset = "-->", 4
            elif src.startswith("<?", start):
                marker, offset = "?>", 2
            elif src.startswith("<![CDATA[", start):
                marker, offset = "]]>", 9
            elif src.startswith("<!", start):
                declaration = _HTML_DECLARATION_START.match(src, start)
                if declaration is None:
                    return None
                marker, offset = ">", declaration.end() - start
            if marker is not None:
                close = state.delimiters.find(marker, start + offset)
                if close is None:
                    return None
                end_pos = close + len(marker)
            else:
                tag = _INLINE_HTML_TAG.match(src, start)
                if tag is None:
                    return None
                end_pos = tag.end()
        html = src[start:end_pos]
        state.append_token({"type": "inline_html", "raw": html})
        if html.startswith(("<a ", "<a>", "<A ", "<A>")):
            state.in_link = True
        elif html.startswith(("</a ", "</a>", "</A ", "</A>")):
            state.in_link = False
        return end_pos
