"""Completion-menu items show the model's text in a code block it cannot break out of."""

from __future__ import annotations

import pytest

from codex_lsp.features.completion import code_block


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("x = 1", "python", "```python\nx = 1\n```"),
        ("a\n```\n[click](http://evil)", "md", "````md\na\n```\n[click](http://evil)\n````"),
        ("``` `````", "", "``````\n``` `````\n``````"),
        ("x", "py\n# heading", "```py#heading\nx\n```"),
    ],
    ids=["plain", "fence-in-text", "longest-run-wins", "language-is-a-word"],
)
def test_code_block(code: str, language: str, expected: str) -> None:
    assert code_block(code, language) == expected
