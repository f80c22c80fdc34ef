from __future__ import annotations
from collections.abc import Sequence
from .token import Token
from .utils import EnvType, OptionsDict


class RendererHTML(RendererProtocol):
    def render(
        self, tokens: Sequence[Token], options: OptionsDict, env: EnvType
    ) -> str:
        """Takes token stream and generates HTML.

        :param tokens: list on block tokens to render
        :param options: params of parser instance
        :param env: additional data from parsed input

        """
        # Collect the fragments and join them once: repeated ``str +=`` is only
        # linear on interpreters that can extend a string in place (the default
        # CPython build), and quadratic in the output size elsewhere (e.g. PyPy,
        # GraalPy and free-threaded CPython 3.13).
        out: list[str] = []

        for i, token in enumerate(tokens):
            if token.type == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
            elif token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, out))

        return "".join(out)

    def renderInline(
        self, tokens: Sequence[Token], options: OptionsDict, env: EnvType
    ) -> str:
        """The same as ``render``, but for single token of `inline` type.

        :param tokens: list on block tokens to render
        :param options: params of parser instance
        :param env: additional data from parsed input (references, for example)
        """
        out: list[str] = []

        for i, token in enumerate(tokens):
            if token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))

        return "".join(out)
