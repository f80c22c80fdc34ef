"""Keys with no secret's name to go by, judged by the value alone: a vendor's key under a name
ending in `key`, a key given to a constructor by position, `?key=` and `"key": "..."`."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import _name_head
from codex_lsp.engine.secrets.formats import _WORD_CHAR
from codex_lsp.engine.secrets.names import _NOT_SECRET_BEFORE, _WORDS
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import Span, _skip_blanks_back, _words
from codex_lsp.engine.secrets.values import _credential, _looks_random

# --- a vendor's key in code ---------------------------------------------------------------------
# `STRIPE_KEY = "..."`, `const mapboxKey = '...'`, `"algoliaKey": "..."`: `key` alone ends the name
# (the name rule leaves it: `cache_key`, `sort_key` are everywhere), so the string must look like
# a credential on its own (32 characters or more: see _credential_alone), and the name must not
# be one of a key that is no secret (`public_key`, `idempotency_key`, `cache_key`).
# Found from the string (32 token characters in quotes are rare in code), the name read back.
_KEY_NAME_STRING = re.compile(
    r"""(?P<quote>["'`])(?P<value>[A-Za-z0-9+/=_.~-]{32,256}+)(?P=quote)"""
)
_KEY_NAME_BEFORE = re.compile(
    r"""(?:_KEY|_key|Key)["']?[ \t]{0,16}(?::=|=>|[:=])[ \t]{0,16}[bB]?$"""
)
_NOT_SECRET_KEYS = _words(
    """public pub cache sort primary foreign partition idempotency lookup dict map hash row
    column index unique composite natural surrogate group order meta redis storage s3 object
    file path name id"""
)


def _key_name_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """A string after no `..._KEY =` (most 32-character strings: data tables, hashes) is turned
    down before it spends the rule's budget; read a bounded way back."""
    text, quote = ctx.text, match.start() + offset
    before = _KEY_NAME_BEFORE.search(text, max(0, quote - 48), quote)
    return before is not None and _credential_alone(match["value"])


def _key_name_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """The string, when the name before it is no key of a kind that is no secret (the string
    itself passed `_key_name_worth`, which `_Rule.collect` asks first)."""
    text, quote = ctx.text, match.start() + offset
    line_start = ctx.start_of_line(quote)
    before = _KEY_NAME_BEFORE.search(text, max(line_start, quote - 48), quote)
    if before is None:
        return None
    at = before.start()
    head = _name_head(text, at, line_start)
    words = [word.lower() for word in _WORDS.findall(text[head:at])]
    if not words or words[-1] in _NOT_SECRET_KEYS or words[-1] in _NOT_SECRET_BEFORE:
        return None  # `public_key`, `cache_key`, `_key` alone
    return match.start("value") + offset, match.end("value") + offset


# --- a key given to a constructor by position -----------------------------------------------------
# `Client("3f9a...")`, `new Stripe('...')`, `stripe.Client("...")`, `Fernet(b"...")`: the first
# argument of a class's constructor (a name in capitals, or after `new`), when the string alone
# looks like a credential: 32 to 256 token characters, letters and digits, random, many distinct
# characters; not a UUID, nor a path, nor a hash given to a class named for one (`Commit`,
# `Sha256`, `ObjectId`).
_POSITIONAL_KEY = re.compile(
    r"""\([ \t]{0,16}[bB]?(?P<quote>["'])(?P<value>[A-Za-z0-9+/=_.~-]{32,256}+)(?P=quote)"""
    r"[ \t]{0,16}[,)]"
)
_NOT_KEY_CLASSES = re.compile(
    r"hash|sha|md5|digest|commit|rev|oid|uuid|guid|id$|ids$|checksum|color|colour|version|hex"
    r"|path|url|uri|regex|pattern|decimal|fraction|int|bytes|string|str$|text|name|label",
    re.IGNORECASE,
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _positional_key_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """A string that is no credential, or after no name in capitals nor `new`, is turned down
    before it spends the rule's budget (a file of such calls would spend it)."""
    text, paren = ctx.text, match.start() + offset
    head = _skip_blanks_back(text, max(0, paren - 16), paren)
    start = head
    while start > max(0, head - 64) and (text[start - 1].isalnum() or text[start - 1] in "_$"):
        start -= 1
    if start == head or not (text[start].isupper() or text.endswith("new", 0, start - 1)):
        return False
    return _credential_alone(match["value"])


def _positional_key_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """The string, when the call is a class's constructor that takes no hash, id or path (the
    string itself passed `_positional_key_worth`, which `_Rule.collect` asks first)."""
    text = ctx.text
    paren = match.start() + offset
    line_start = ctx.start_of_line(paren)
    head = _skip_blanks_back(text, max(line_start, paren - 16), paren)
    low = max(line_start, head - 260)
    name_start = head
    while name_start > low and (text[name_start - 1].isalnum() or text[name_start - 1] in "_.$"):
        name_start -= 1
    before = _skip_blanks_back(text, low, name_start)
    new = before < name_start and text.endswith("new", line_start, before)
    new = new and (before - 3 == line_start or not _WORD_CHAR.match(text, before - 4))
    name = text[name_start:head].rsplit(".", 1)[-1]
    if not name or not (new or name[0].isupper()) or _NOT_KEY_CLASSES.search(name):
        return None  # a function's call, or a class that takes hashes, ids or paths
    return match.start("value") + offset, match.end("value") + offset


_WORD_PART = re.compile(r"[A-Za-z][a-z]*\d*|\d+|[A-Z]+\d*")
_PART_SEPARATORS = re.compile(r"[._/~+=-]")


def _credential_alone(value: str) -> bool:
    """A string that is a credential without a name to say so (see _POSITIONAL_KEY)."""
    if not _credential(value, 0, len(value)) or _UUID.fullmatch(value):
        return False
    if len(set(value)) < 12 or ".." in value:
        return False
    if all(_WORD_PART.fullmatch(part) for part in _PART_SEPARATORS.split(value) if part):
        return False  # words and numbers: `nav.menu.item_2.title`, `data/2024/01/file_0001.csv`
    segments = value.split("/")
    return len(segments) == 1 or all(
        segment and not segment.isdigit() and _looks_random(segment) for segment in segments
    )


# --- `key` alone ---------------------------------------------------------------------------------
# `key` names a cache's, a sort's or a dict's key far more often than a secret, so the name rule
# leaves it; a URL's `?key=` (Google's APIs), `?code=` (Azure Functions'), `?appid=` and a dict's
# `"key": "..."` are redacted when the value alone looks like a credential (see _credential_alone).
# From the `=` (a literal: a class of first characters would be tried at every character), the
# parameter's name looked for behind it.
_KEY_QUERY = re.compile(
    r"=(?:(?<=[?&]key=)|(?<=[?&]code=)|(?<=[?&]appid=)|(?<=[?&]app_key=))"
    r"(?P<value>[A-Za-z0-9+/=_.~%-]{16,512}+)"
)
# From the word (a pattern starting with a literal is searched for fast), its quote read back.
_KEY_ITEM = re.compile(
    r"""key(?P<q>["'])[ \t]{0,8}(?::|=>)[ \t]{0,8}(?P<vq>["'])"""
    r"""(?P<value>[A-Za-z0-9+/=_.~-]{16,256}+)(?P=vq)"""
)


def _key_alone_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """Keys that are no credentials (`"key": "nav.menu.settings_title"`, a file of them) are
    turned down before they spend the rule's budget."""
    value = match["value"]
    while value.endswith("%3D"):  # `=` escaped in a URL
        value = value[:-3]
    return "%" not in value and _credential_alone(value)


def _key_alone_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """The value, unless `key` ends a longer name (the value itself passed `_key_alone_worth`,
    which `_Rule.collect` asks first)."""
    if match.re is _KEY_ITEM:
        at = match.start() + offset
        if at == 0 or ctx.text[at - 1] != match["q"]:
            return None  # `"api_key": ...` is the name rule's; `"monkey"` no key
    return match.start("value") + offset, match.end("value") + offset
