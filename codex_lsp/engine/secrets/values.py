"""What a value looks like on its own: a placeholder (`<your-key>`, `changeme`), random, or a
credential whatever names it."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.names import _names_a_secret
from codex_lsp.engine.secrets.text import _trie, _words


def _credential(text: str, start: int, end: int) -> bool:
    """text[start:end] looks like a credential on its own, whatever names it: 16 to 256 token
    characters, letters and digits, random-looking and written as no name is (not
    `[a-z]+\\d*`, `utf-8`, `max_tokens_2024`, `/usr/lib64`, `1.2.3-beta4`)."""
    value = text[start:end] if 16 <= end - start <= 256 else ""
    return (
        _CREDENTIAL.fullmatch(value) is not None
        and _DIGIT.search(value) is not None
        and _LETTER.search(value) is not None
        and _looks_random(value)
        and not _NAME_SHAPE.fullmatch(value)
        and not _names_a_secret(value)
    )


_CREDENTIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9+/=_.~-]{15,255}")
# A placeholder standing for a secret, not one: it must be the whole value.
_PLACEHOLDER_SYMBOLS = r"""\$\{\{[^{}\r\n]{0,200}\}\}              # ${{ secrets.TOKEN }}
    |\$\{[A-Za-z_][\w.]{0,100}(?::?\?[^}\r\n]{0,200})?\}   # ${NAME}, ${NAME:?unset}
    |\$[A-Za-z_]\w{0,100}|\$\([^()\r\n]{0,200}\)        # $NAME, $(command)
    |\{\{[^{}\r\n]{0,200}\}\}|\{[A-Za-z_][\w.]{0,100}\}  # {{ template }}, {format_field}
    |<%=?[^%\r\n]{0,200}%>|<[^<>\r\n]{1,100}>           # <%= erb %>, <your-password>
    |%\([\w.]{1,100}\)[sdr]|%[sdr]|%[A-Za-z_]\w{0,100}%  # %(name)s, %s, %NAME%
    |\[REDACTED\]|\*{3,}|\.{3}|…|''(?!')|""(?!")|\[\]|\{\}|\(\)|~|-?[01]
    |[A-Z]{2,}(?:_[A-Z]+){0,8}                           # YOUR_API_KEY, TOKEN
    """
# `changeit` is the JDK's published default keystore password (`keytool -storepass changeit`):
# no more a secret than `changeme`.
_PLACEHOLDER_WORDS = _words(
    """changeme change_me change-me changeit example password passwd secret token redacted
    placeholder none null nil todo fixme bearer basic oauth oauth2 jwt digest true false
    undefined yes no on off default string number object boolean function"""
)
_PLACEHOLDER_WORD = rf"(?i:{_trie(_PLACEHOLDER_WORDS)}|x{{3,}})"
_PLACEHOLDER = re.compile(rf"(?:{_PLACEHOLDER_SYMBOLS}|{_PLACEHOLDER_WORD})", re.VERBOSE)


_DIGIT = re.compile(r"\d")
# snake_case, camelCase, SCREAMING_SNAKE_CASE, or lower case and a number.
_NAME_SHAPE = re.compile(
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+|[a-z]+[0-9]+"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
)


def _is_placeholder(content: str) -> bool:
    return _PLACEHOLDER.fullmatch(content) is not None


def _looks_random(token: str) -> bool:
    """A digit, a symbol or mixed case: `dXNlcjpwYXNz`, `abc.DEF.ghi`, not `authentication`,
    `in-memory`, `auth_uri=` or `Binding.`"""
    token = token.rstrip("=.,;:")
    return any(char.isdigit() or char in "+/~" for char in token) or (
        any(char.isupper() for char in token[1:]) and any(char.islower() for char in token)
    )


_LETTER = re.compile(r"[A-Za-z]")


def _random_word(value: str) -> bool:
    """A word that looks random enough to be a secret with no `=` nor quote to go by (a config
    line's `apikey ...`, a comment's `// token ...`, a salt): 12 to 256 characters, a digit
    among letters, random-looking, written as no name, path, version or code is (not
    `max_tokens_2024`, `oauth2.Token`, `1.2.3-beta4`, `VARCHAR(255)`). A random value may read
    as camel case (`d2dzfzoZyYgsC988`): digits in two places or more tell it from a name."""
    return (
        12 <= len(value) <= 256
        and _RANDOM_WORD.fullmatch(value) is not None
        and _DIGIT.search(value) is not None
        and _LETTER.search(value) is not None
        and _looks_random(value)
        and not (_NAME_SHAPE.fullmatch(value) and len(_DIGITS.findall(value)) < 2)
        and not _DOTTED_NAME.fullmatch(value)
        and not _is_placeholder(value)
        and not _names_a_secret(value)
    )


_DIGITS = re.compile(r"\d+")
_RANDOM_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+/_.~!@%^&*-]{11,255}+={0,3}")
# Names joined by dots or dashes (`oauth2.Token`, `api2.example.com`, `sha256-hmac-v2`) and
# versions (`1.2.3-beta4`).
_DOTTED_NAME = re.compile(
    r"[A-Za-z_]\w{0,63}+(?:[.-][A-Za-z_]\w{0,63}+){1,16}|\d{1,4}(?:\.\d{1,6}){1,4}(?:[-+][\w.]{0,32})?"
)
