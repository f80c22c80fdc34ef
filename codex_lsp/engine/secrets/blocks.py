"""Values over several lines: the line state machine carried across segments (private key
blocks, YAML block scalars, heredocs, maps, lists, tables and sections of secrets)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from codex_lsp.engine.secrets.assignments import _KEPT, _config_value_end, _skip_blanks, _string_end
from codex_lsp.engine.secrets.names import _holds_a_secret
from codex_lsp.engine.secrets.scan import _apply, _scan
from codex_lsp.engine.secrets.structures import (
    _TABLE_OPENER,
    _in_secret_variable,
    _list_line,
    _table_value,
)
from codex_lsp.engine.secrets.text import (
    _BLOCK,
    _INDENT,
    _OVERLAP,
    REDACTED,
    Span,
    _at_line_start,
    _line_bounds,
    _line_end,
    _matched_end,
    _skip_blanks_back,
    _trie,
    _words,
)
from codex_lsp.engine.secrets.values import _credential, _is_placeholder, _looks_random

# --- private key blocks: a line state machine --------------------------------------------------
# After a BEGIN marker every line is redacted, up to the END marker or the end of the text. A
# marker that closes its string on the same line (`"-----BEGIN RSA PRIVATE KEY-----")`) is most
# often a constant in code that handles keys: that block goes on only while lines look like a
# key's (base64, PEM headers, quoted lines of an array), so the code after it stays.
_NO_KEY, _KEY, _KEY_IF_LINES_LOOK_LIKE_ONE = 0, 1, 2
_KEY_BEGIN = re.compile(
    r"-----BEGIN (?:(?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1)-----"
)
_CONSTANT_END = re.compile(r"""["'`][ \t]*[,;)\]}]*[ \t]*\r?$""")
# Lines a key's body may be written as: base64 or a PEM header, maybe quoted, listed or escaped.
_KEY_LINES = re.compile(
    r"""(?:[ \t]*(?:[-*][ \t]+)?[bru]?["'`]?
        (?:[A-Za-z0-9+/=]{1,100}|[A-Za-z-]{1,20}:[^\r\n]{0,200})?
        (?:\\n)?["'`]?[ \t]*[,+;]?[ \t]*\r?(?:\n|$))*""",
    re.VERBOSE,
)
_KEY_END = "-----END"
# From the first non-blank character of each line to its end: indentation stays.
_BODY_LINE = re.compile(r"\S[^\r\n]*")


def _plain(text: str, a: int, b: int) -> tuple[str, int, int]:
    """Redacts lines a..b up to the end of a line that opens a private key block or a value
    written over several lines (see _opener), if any."""
    spans: list[Span] = []
    keys: list[tuple[int, int, int]] = []  # keys on one line: BEGIN, its end, END marker
    opener = _opener(text, a, b)
    end, opens = b, _NO_KEY
    for marker in _key_markers(text, a, opener[0] if opener else b):
        line_end = _line_end(text, marker.end(), b)
        close = text.find(_KEY_END, marker.end(), line_end)
        if close == -1:  # the key's body starts on the next line
            constant = _CONSTANT_END.match(text, marker.end(), min(line_end + 1, b))
            if not constant:
                spans.append((marker.end(), line_end))
            newline = text.find("\n", line_end, b)
            end = b if newline == -1 else newline + 1
            opens = _KEY_IF_LINES_LOOK_LIKE_ONE if constant else _KEY
            break
        if _has_alnum(text, marker.end(), close):  # a key on one line, `\n` escaped in JSON
            keys.append((marker.start(), marker.end(), close))
    if opener and opens == _NO_KEY:
        end, opens = opener
    limit = _scan(text, a, end, spans, [(body, close) for _, body, close in keys])
    if keys:
        spans = _one_line_keys(spans, keys)
    return _apply(text, a, limit, spans) + _redact_lines(text, limit, end), end, opens


def _key_markers(text: str, a: int, b: int) -> Iterator[re.Match[str]]:
    """BEGIN markers in text[a:b], searched _BLOCK characters at a time."""
    for pos in range(a, b, _BLOCK):
        for marker in _KEY_BEGIN.finditer(text, pos, min(b, pos + _BLOCK + 128)):
            if marker.start() >= pos + _BLOCK:
                break
            yield marker


def _one_line_keys(spans: list[Span], keys: list[tuple[int, int, int]]) -> list[Span]:
    """Adds the bodies of keys written on one line, keeping their END markers: a redaction
    that ran into one would leave a line opening a key block where the original closed it. A
    key whose BEGIN marker is itself redacted (inside a secret's value) is left to that."""
    for begin, body, close in keys:
        if any(start <= begin < stop for start, stop in spans):
            continue
        spans = [_stop_before(span, begin, close) for span in spans]
        spans.append((body, close))
    return spans


def _stop_before(span: Span, begin: int, close: int) -> Span:
    start, stop = span
    if begin < start < close + len(_KEY_END) and stop > close:
        return start, max(start, close)
    return span


def _key_body(text: str, a: int, b: int, key: int) -> tuple[str, int, int]:
    """Inside a key block every line is redacted, up to the END marker or the end of the text."""
    close = text.find(_KEY_END, a, b)
    if key == _KEY_IF_LINES_LOOK_LIKE_ONE:
        stop = b if close == -1 else text.rfind("\n", a, close) + 1 or a
        lines = _KEY_LINES.match(text, a, stop) if stop - a <= _BLOCK else None
        looks_end = lines.end() if lines else a
        if looks_end < stop:  # a line that is no part of a key: the block ends before it
            return _redact_lines(text, a, looks_end), looks_end, _NO_KEY
    if close == -1:
        return _redact_lines(text, a, b), b, key
    line_start = text.rfind("\n", a, close) + 1 or a
    # A quote or `+` before the END marker is code around the key; base64 there is the key.
    if _has_alnum(text, line_start, close):
        head = _redact_lines(text, line_start, close)
    else:
        head = text[line_start:close]
    return _redact_lines(text, a, line_start) + head, close, _NO_KEY


def _go_on(text: str, a: int, b: int, state: int) -> tuple[str, int, int]:
    """Lines a..b inside a block opened before a: a key, a YAML block scalar, a string or a
    heredoc."""
    if state >= _HEREDOC:
        return _heredoc_body(text, a, b, _heredoc_delimiter(state))
    if state >= _TOKEN_SEQUENCE:
        return _token_sequence_body(text, a, b, state - _TOKEN_SEQUENCE)
    if state >= _SECRET_TABLE:
        return _table_body(text, a, b, state - _SECRET_TABLE)
    if state == _SECRET_DATA:
        return _mapping_body(text, a, b, 0, secret_data=True)
    if state >= _SECRET_MAPPING:
        return _mapping_body(text, a, b, state - _SECRET_MAPPING)
    if state >= _NAMED_VALUE:
        return _named_value(text, a, b, state - _NAMED_VALUE)
    if state >= _SECRET_LIST:
        return _list_body(text, a, b, state - _SECRET_LIST)
    if state >= _NAMED_MAP:
        return _map_body(text, a, b, state - _NAMED_MAP, _NAMED_MAP)
    if state >= _SECRET_MAP:
        return _map_body(text, a, b, state - _SECRET_MAP, _SECRET_MAP)
    if state == _SECRET_SECTION:
        return _section_body(text, a, b)
    if state == _COMPLEX_VALUE:
        return _complex_value(text, a, b)
    if state >= _YAML_BLOCK:
        return _block_body(text, a, b, state - _YAML_BLOCK)
    if state in _CLOSING:
        return _string_body(text, a, b, state)
    return _key_body(text, a, b, state)


# --- values over several lines: the same line state machine -----------------------------------
# A secret-like name whose value starts on its line and goes on over the next ones: a YAML block
# scalar (`password: |`, `private_key: >-`), whose lines are those indented deeper than the name
# (blank ones too), or a string left open at the line's end (`secret: "abc` in YAML,
# `PASSWORD = """`), whose lines run to its closing quote. The state after the opening line says
# which, and a block's indentation: _YAML_BLOCK + the name's column.
_STRING, _SINGLE_STRING, _TRIPLE_STRING, _TRIPLE_SINGLE_STRING = 3, 4, 5, 6
_CLOSING = {
    _STRING: '"',
    _SINGLE_STRING: "'",
    _TRIPLE_STRING: '"' * 3,
    _TRIPLE_SINGLE_STRING: "'" * 3,
}
_STATE_OF_QUOTE = {quote: state for state, quote in _CLOSING.items()}
_YAML_BLOCK = 16
_MAX_INDENT = 256
# A name and its value on two lines, as Kubernetes' `env:` and ECS task definitions write them:
# `- name: DB_PASSWORD` then `  value: ...` (in JSON too: `"name": "DB_PASSWORD",`; Postman's
# environments say `"key":`). _NAMED_VALUE + the name's column.
_NAMED_VALUE = 512
_NAME_OPENER, _KEY_OPENER = (
    re.compile(
        rf"""{word}["']?(?P<colon>:) {{1,16}}["']?(?P<env>[A-Za-z_][\w.-]{{0,100}})["']?,?"""
        r"[ \t]*\r?$",
        re.MULTILINE,
    )
    for word in ("name", "key")  # two patterns, each starting with its literal
)
_VALUE_LINE = re.compile(r"""(?P<indent>[ \t]{0,256})["']?value["']?: {1,16}""")
# The end of a line that opens one: after `name:` (and YAML's anchor or tag) a block indicator
# (and a comment), or a quote not closed on the line; after `name =` a triple quote (closed on
# the line or not: checked).
# Each starts with a literal (`: `, `=`), which the regex engine finds fast.
_OPENER = re.compile(
    r": {1,16}(?:(?:&[\w-]{1,100}|![\w!/:.-]{0,100})[ \t]{1,16}){0,2}"  # `&anchor`, `!!binary`
    r"(?:(?P<block>[|>][-+1-9]{0,2}[ \t]{0,16}(?:#[^\r\n]{0,256})?)"
    r"""|(?P<quote>["'])(?:(?<=")[^"\r\n]{0,1024}|(?<=')(?:[^'\r\n]|''){0,1024}))\r?$""",
    re.MULTILINE,
)
_TRIPLE_OPENER = re.compile(r"""= {0,16}[rRbBuUfF]{0,2}(?P<quotes>"{3}|'{3})""")
# A heredoc as the value (HCL `private_key = <<EOT`, `<<-EOT`; Ruby `<<~KEY`; PHP `<<<EOT`),
# up to the line holding only its delimiter. The state carries the delimiter itself:
# _HEREDOC + its bytes read as a number.
# The pattern starts with its literal `<<` (found fast); the `=` or `:` before it is checked after.
_HEREDOC_OPENER = re.compile(
    r"""<<<?[-~]?(?P<hq>["']?)(?P<delim>[A-Za-z_][A-Za-z0-9_]{0,31})(?P=hq)[ \t]*\r?$""",
    re.MULTILINE,
)
_HEREDOC = 1 << 12  # above every other state
# A PuTTY key file's private part: the base64 lines after `Private-Lines: N` (and its MAC), read
# as a key block's lines are.
_PPK_OPENER = re.compile(r"Private-Lines: {0,4}\d{1,4}\r?$", re.MULTILINE)  # at a line's start
# What may stand before the name on its line: indentation, a list item's dash, `export`, a quote.
_OPENER_NAME = re.compile(
    r"""(?P<indent>[ \t]{0,256}(?:-[ \t]{1,8})?)(?:export[ \t]+)?["']?
    (?P<name>[A-Za-z_$][\w.$-]{0,100})["']?[ \t]{0,16}""",
    re.VERBOSE,
)
# Composer's auth.json as Composer writes it: `"bearer": {` ends its line, and a host and its
# token stand on each line up to the closing brace (`"bitbucket-oauth"` and `"gitlab-token"` may
# nest an object per host). _SECRET_MAP + the depth of braces the line ends inside.
# A map named for what it holds (`secrets = {` in HCL, `"credentials": {`, `"Jwt": {` in JSON)
# likewise, its names any: _NAMED_MAP + the depth. A YAML mapping so named (`secrets:` ending
# its line): its lines indented deeper, _SECRET_MAPPING + the name's column. An INI or TOML
# section so named (`[secrets]`, `[credentials.prod]`): its lines up to the next section,
# _SECRET_SECTION.
_SECRET_SECTION = 290
_SECRET_MAP, _NAMED_MAP, _MAX_MAP_DEPTH = 300, 380, 64
_SECRET_MAPPING, _MAX_MAPPING_INDENT = 800, 200
_SECRET_DATA = _SECRET_MAPPING + _MAX_MAPPING_INDENT + 1  # a Kubernetes Secret's `data:`
# A list under a plural name of secrets whose bracket ends the name's line (`API_KEYS = [`,
# `"tokens": (`): _SECRET_LIST + the depth of brackets a line of it ends inside.
_SECRET_LIST = 446  # to 510, below _NAMED_VALUE
# YAML's complex key (`? password` alone on its line): its value is on the next line, after `:`.
_COMPLEX_VALUE = 7
_COMPLEX_KEY_OPENER = re.compile(
    r"""\?[ \t]{1,16}["']?(?P<name>[A-Za-z_][\w.-]{0,100})["']?[ \t]{0,16}\r?$""", re.MULTILINE
)
_COMPLEX_VALUE_LINE = re.compile(r"(?P<indent>[ \t]{0,256}):(?:[ \t]{1,16}|(?=\r?$))")
# A Markdown table whose header names a secret in some columns (`| User | Password |`): its
# rows up to the first line that is none, those columns' cells redacted. Found by its
# delimiter row (`|---|:---:|`); _SECRET_TABLE + the columns' bits (the first ten columns).
_SECRET_TABLE, _TABLE_COLUMNS = 1 << 10, 10
# YAML's bare `tokens:` ending its line: design tokens and a tokenizer's words share the name, so
# only its sequence's items that look like credentials are redacted, the lines indented deeper
# than the name; _TOKEN_SEQUENCE + the name's column (up to _MAX_MAPPING_INDENT, below _HEREDOC).
_TOKEN_SEQUENCE = 2 * _SECRET_TABLE
_TABLE_DELIMITER = re.compile(r"[ \t]{0,16}:?-{1,256}:?[ \t]{0,16}")
_MAP_OPENER = re.compile(
    r'"(?:bearer|github-oauth|gitlab-oauth|gitlab-token|bitbucket-oauth)"[ \t]{0,16}:'
    r"[ \t]{0,16}\{[ \t]{0,16}\r?$",
    re.MULTILINE,
)
# Each pattern starts with a literal, or the word's second letter: a class of first letters
# would be tried at most characters of any text.
_SECRETS_WORD = r"(?:[sS]ecrets|[cC]redentials|[pP]asswords|[aA]pi[_-]?[kK]eys)"
_SECRETS_WORDS = frozenset(
    {"secrets", "credentials", "passwords", "apikeys", "api_keys", "api-keys", "jwt", "tokens"}
)
# A list's bracket instead (`API_KEYS = [`, `"tokens": ("...",` left open at the line's end): a
# list of secrets under a plural name (`keys` and `creds` count there only), its items on the
# lines after (_SECRET_LIST).
# `tokens` and `keys` are found from their third letter (`o` and `e` start most words).
# The words, `api_keys` spelt each way, in capitals too, laid out as one trie (see _trie; an
# alternation holding a group would lose the regex engine's fast scan for its first letters).
_MAP_WORDS = ["ecrets", "redentials", "asswords", "wt", "kens", "ys", "reds", "asswds"]
_MAP_WORDS += [word.upper() for word in _MAP_WORDS] + ["PI_KEYS"]
_MAP_WORDS += [f"pi{sep}{k}eys" for sep in ("", "_", "-") for k in "kK"]
_NAMED_MAP_OPENER = re.compile(
    rf"""(?P<word>{_trie(_MAP_WORDS)})"""
    r"""["']?[ \t]{0,16}(?P<op>[:=])[ \t]{0,16}(?:(?P<bracket>[\[(])[^\r\n]{0,256}"""
    r"|(?:(?P<brace>\{)[ \t]{0,16})?(?:(?:#|//)[^\r\n]{0,256})?)\r?$",
    re.MULTILINE,
)
# What may stand before a list's name on its line: a declaration's keywords too.
_LIST_NAME = re.compile(
    r"""[ \t]{0,256}(?:(?:export|const|let|var|val|static|final|private|public|protected
    |readonly)[ \t]{1,8}){0,4}["']?(?P<name>[A-Za-z_$][\w.$-]{0,100})["']?[ \t]{0,16}""",
    re.VERBOSE,
)
_SECTION_OPENER = re.compile(
    rf"(?m)\[{{1,2}}{_SECRETS_WORD}(?:\.[\w-]{{1,64}}){{0,4}}\]{{1,2}}[ \t]{{0,16}}\r?$"
)
_MAP_GAP = re.compile(r'[^"{}:=]*+')
# A Kubernetes Secret's `data:` or `stringData:` (found from `ata:`, a literal): every value
# under it is a secret, whatever its key's name (`STRIPE_KEY`, `config.json`), when the
# document's `kind: Secret` comes before it in the segment.
_SECRET_DATA_OPENER = re.compile(r"(?m)ata:[ \t]{0,16}\r?$")
_SECRET_KIND = re.compile(r"(?m)^kind:[ \t]{0,16}Secret[ \t]{0,16}\r?$")
_STRING_CLOSE = {
    _STRING: re.compile(r'(?:[^"\\]++|\\.)*+', re.DOTALL),  # YAML escapes with a backslash
    _SINGLE_STRING: re.compile(r"(?:[^']++|'')*+"),  # YAML writes a quote in it as ''
}


_OPENERS = (
    _OPENER,
    _TRIPLE_OPENER,
    _NAME_OPENER,
    _KEY_OPENER,
    _HEREDOC_OPENER,
    _PPK_OPENER,
    _MAP_OPENER,
    _NAMED_MAP_OPENER,
    _SECTION_OPENER,
    _SECRET_DATA_OPENER,
    _COMPLEX_KEY_OPENER,
    _TABLE_OPENER,
)


def _opener(text: str, a: int, b: int) -> tuple[int, int] | None:
    """Where the first line in text[a:b] that opens a value over several lines ends (after its
    line break), and the state it opens; None when no line does."""
    for pos in range(a, b, _BLOCK):
        window = min(b, pos + _BLOCK + 1280)
        # Each pattern's next match, taken in order: the search stops at the first line that
        # opens a value, so a segment of such lines, each judged by a call of its own (the
        # value ended or never began), is read once, not once per line.
        ahead = [m for m in (p.search(text, pos, window) for p in _OPENERS) if m is not None]
        while ahead:
            found = min(ahead, key=re.Match.start)
            if found.start() >= pos + _BLOCK:
                break
            state = _opened(text, a, b, found)
            if state is not None:
                newline = text.find("\n", found.end(), b)
                return (b if newline == -1 else newline + 1), state
            ahead.remove(found)
            following = found.re.search(text, found.end(), window)
            if following is not None:
                ahead.append(following)
    return None


def _opened(text: str, a: int, b: int, found: re.Match[str]) -> int | None:
    """The state the line of `found` opens, if the name before it holds a secret (or it is
    the `default` of a Terraform variable that does)."""
    groups = found.groupdict()
    if found.re is _PPK_OPENER:
        at_start = found.start() == a or text[found.start() - 1] == "\n"
        return _KEY_IF_LINES_LOOK_LIKE_ONE if at_start else None
    if found.re is _MAP_OPENER:
        return _SECRET_MAP + 1
    if found.re is _SECTION_OPENER:
        at_start = found.start() == a or text[found.start() - 1] == "\n"
        return _SECRET_SECTION if at_start else None
    if found.re is _SECRET_DATA_OPENER:
        return _secret_data_state(text, a, found.start())
    if found.re is _NAMED_MAP_OPENER:
        return _named_map_state(text, a, found)
    if found.re is _COMPLEX_KEY_OPENER:
        at_start = _at_line_start(text, text.rfind("\n", a, found.start()) + 1 or a, found.start())
        return _COMPLEX_VALUE if at_start and _holds_a_secret(found["name"]) else None
    if found.re is _TABLE_OPENER:
        return _table_state(text, a, b, found.start())
    op = found.start("colon") if groups.get("env") else found.start()
    if groups.get("delim"):  # `= <<EOT`: the operator before the blanks
        op = _skip_blanks_back(text, max(a, op - 16), op) - 1
        if op < a or text[op] not in "=:":
            return None
    line_start = max(a, text.rfind("\n", max(a, op - 512), op) + 1)
    lead = _OPENER_NAME.fullmatch(text, line_start, op)
    if groups.get("env"):  # `- name: DB_PASSWORD`: the secret is on the next line
        if lead is None or lead["name"] not in ("name", "key"):
            return None
        if not _holds_a_secret(found["env"]):
            return None
        return _NAMED_VALUE + min(len(lead["indent"]), _MAX_INDENT)
    if groups.get("delim"):
        if lead is None:
            return None
        name = lead["name"]
        secret = _holds_a_secret(name) or (
            name == "default" and _in_secret_variable(text, a, b, line_start)
        )
        return _heredoc_state(found["delim"]) if secret else None
    if lead is None or not _holds_a_secret(lead["name"]):
        return None
    if groups.get("block"):
        return _YAML_BLOCK + min(len(lead["indent"]), _MAX_INDENT)
    if groups.get("quote"):
        return _STATE_OF_QUOTE[found["quote"]]
    quotes = found["quotes"]
    if text.find(quotes, found.end(), _line_end(text, found.end(), len(text))) != -1:
        return None  # closed on its line: redacted there
    return _STATE_OF_QUOTE[quotes]


def _secret_data_state(text: str, a: int, at: int) -> int | None:
    """`data:` or `stringData:` at a line's start, after `kind: Secret` in the same YAML
    document (no `---` between them) within the segment: a mapping of secrets."""
    for word in ("d", "stringD"):
        line_start = at - len(word)
        if line_start >= a and text.startswith(word, line_start):
            break
    else:
        return None
    if line_start > a and text[line_start - 1] != "\n":
        return None
    low = max(a, line_start - 4096)
    document = text.rfind("\n---", low, line_start)
    kind = _SECRET_KIND.search(text, max(low, document + 1), line_start)
    return _SECRET_DATA if kind is not None else None


def _named_map_state(text: str, a: int, found: re.Match[str]) -> int | None:
    """`secrets = {`, `"credentials": {`, `secrets:` ending a YAML line: the state of a map of
    secrets, when the word is the name's last (`app_secrets`, not `secretsManager`) and the
    name stands alone before it (not `if secrets:` in Python, which has no brace)."""
    word_start = found.start() - (2 if found["word"].lower() in ("kens", "ys") else 1)
    line_start = max(a, text.rfind("\n", max(a, word_start - 512), word_start) + 1)
    if word_start < line_start:
        return None
    word = text[word_start : found.end("word")]
    if found["bracket"]:
        return _list_state(text, line_start, found, word)
    lead = _OPENER_NAME.fullmatch(text, line_start, found.start("op"))
    if lead is None or word.lower() not in _SECRETS_WORDS or not lead["name"].endswith(word):
        return None
    head = word_start - 1
    if head >= line_start and text[head] not in "_-\"' \t":
        return None  # `clientSecrets`, `xsecrets`
    if word == lead["name"] and word.lower() == "tokens" and not found["brace"]:
        return _token_sequence_state(found, lead)
    if word.lower() == "tokens" and (
        found["brace"] or word == lead["name"] or not _holds_a_secret(lead["name"][:-1])
    ):
        return None  # design tokens' `tokens = {`, `special_tokens:`; `access_tokens:` counts
    if found["brace"]:
        return _NAMED_MAP + 1  # ASP.NET's `"Jwt": {` too: its `"Key"` is the signing key
    if word.lower() == "jwt":
        return None  # `jwt:` in YAML holds settings too (`expiration: 86400`)
    if found["op"] != ":" or lead["indent"].strip():
        return None  # `secrets =` with nothing after it; a list item
    return _SECRET_MAPPING + min(len(lead["indent"]), _MAX_MAPPING_INDENT)


def _token_sequence_state(found: re.Match[str], lead: re.Match[str]) -> int | None:
    """`tokens:` alone ending a YAML line (not a list's item, nor `tokens =`)."""
    if found["op"] != ":" or lead["indent"].strip():
        return None
    return _TOKEN_SEQUENCE + min(len(lead["indent"]), _MAX_MAPPING_INDENT)


def _list_state(text: str, line_start: int, found: re.Match[str], word: str) -> int | None:
    """`API_KEYS = [` (or `"tokens": ("...",`, `const accessTokens = [`) left open at its line's
    end, under a plural name of secrets: the state of a list whose items are redacted line by
    line. A map (`{`) is _NAMED_MAP's, and only for the words it knows (`"auths": {` holds
    hosts)."""
    lead = _LIST_NAME.fullmatch(text, line_start, found.start("op"))
    if lead is None or not lead["name"].endswith(word):
        return None
    name = lead["name"]
    if not (_holds_a_secret(name[:-1]) or _holds_a_secret(name)):
        return None
    depth = _list_line(text, found.start("bracket"), found.end(), 0, [])
    return _SECRET_LIST + min(depth, _MAX_MAP_DEPTH) if depth > 0 else None


def _heredoc_state(delimiter: str) -> int:
    return _HEREDOC + int.from_bytes(delimiter.encode("ascii"), "big")


def _heredoc_delimiter(state: int) -> str:
    number = state - _HEREDOC
    return number.to_bytes((number.bit_length() + 7) // 8, "big").decode("ascii")


def _heredoc_body(text: str, a: int, b: int, delimiter: str) -> tuple[str, int, int]:
    """The lines of a heredoc in text[a:b] redacted, up to the line holding only its
    delimiter (indented or not), which is read as any other."""
    pos = a
    while (found := text.find(delimiter, pos, b)) != -1:
        line_start = text.rfind("\n", a, found) + 1 or a
        line_end = _line_end(text, found, b)
        rest = text[found + len(delimiter) : line_end]
        if not text[line_start:found].strip(" \t") and not rest.strip(" \t;,)"):  # PHP: `EOT;`
            return _redact_lines(text, a, line_start), line_start, _NO_KEY
        newline = text.find("\n", found, b)  # one look per line: linear however many hits
        if newline == -1:
            break
        pos = newline + 1
    return _redact_lines(text, a, b), b, _heredoc_state(delimiter)


@functools.cache
def _block_lines(indent: int) -> re.Pattern[str]:
    """Lines of a YAML block scalar whose name stands at column `indent`: blank, or deeper."""
    return re.compile(rf"(?:[ \t]*\r?(?:\n|$)|[ \t]{{{indent + 1}}}[^\n]*(?:\n|$))*")


def _block_body(text: str, a: int, b: int, indent: int) -> tuple[str, int, int]:
    """The lines of a block scalar in text[a:b] redacted, up to the first one not deeper than
    its name (where the block ends)."""
    if b - a <= _BLOCK + _OVERLAP:
        lines = _block_lines(indent).match(text, a, b)
        stop = lines.end() if lines else a
    else:  # one long line
        own = _INDENT.match(text, a)
        own_end = own.end() if own else a
        stop = b if own_end - a > indent or _line_end(text, a, b) == own_end else a
    if stop < b:
        return _redact_lines(text, a, stop), stop, _NO_KEY
    return _redact_lines(text, a, b), b, _YAML_BLOCK + indent


def _named_value(text: str, a: int, b: int, indent: int) -> tuple[str, int, int]:
    """The line after `- name: DB_PASSWORD` with its value redacted, if it is `value: ...` (not
    `valueFrom:`, nor a placeholder); else nothing, and the line is read as any other."""
    line = _VALUE_LINE.match(text, a, b)
    if line is None or len(line["indent"]) < indent or _KEPT.match(text, line.end()):
        return "", a, _NO_KEY
    return _line_value(text, a, b, line.end())


def _complex_value(text: str, a: int, b: int) -> tuple[str, int, int]:
    """The line after YAML's `? password`, `: value`, with its value redacted (a block scalar's
    lines after it, `: |`); else nothing, and the line is read as any other."""
    line = _COMPLEX_VALUE_LINE.match(text, a, b)
    if line is None or _KEPT.match(text, line.end()):
        return "", a, _NO_KEY
    if text[line.end() : line.end() + 1] in ("|", ">"):
        next_line = _line_bounds(text, a, b)[1]
        return text[a:next_line], next_line, _YAML_BLOCK + min(len(line["indent"]), _MAX_INDENT)
    return _line_value(text, a, b, line.end())


def _line_value(text: str, a: int, b: int, start: int) -> tuple[str, int, int]:
    """The line at a with its value, from start to the line's end or a comment, redacted."""
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        start, end = start + 1, _string_end(text, start + 1, quote, b)
    else:
        end = _config_value_end(text, start)
    if end <= start or text[start] in "|>" or _is_placeholder(text[start:end]):
        return "", a, _NO_KEY
    newline = text.find("\n", end, b)
    stop = b if newline == -1 else newline + 1
    return text[a:start] + REDACTED + text[end:stop], stop, _NO_KEY


def _map_body(text: str, a: int, b: int, depth: int, kind: int) -> tuple[str, int, int]:
    """The lines of a map of credentials in text[a:b] with every string value redacted, up to
    the line where the map's braces close. `kind`: _SECRET_MAP (of hosts) or _NAMED_MAP."""
    spans: list[Span] = []
    pos = a
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        depth = _map_line(text, pos, line_end, depth, spans, kind == _SECRET_MAP)
        if depth <= 0:
            return _apply(text, a, next_line, spans), next_line, _NO_KEY
        pos = next_line
    return _apply(text, a, b, spans), b, kind + min(depth, _MAX_MAP_DEPTH)


def _map_line(
    text: str, pos: int, end: int, depth: int, spans: list[Span], hosts: bool = True
) -> int:
    """Adds the spans of the secrets on one line of a map (of `hosts`: a value right under a
    host, whose name has a dot: OpenAPI's `"bearer": {"type": "http"}` is no map of hosts;
    every value deeper); returns the depth of braces after the line, or 0 where the map
    closes. `=` counts as `:` (HCL)."""
    key, value_at = "", -1  # where a value would start: after `:` and blanks
    while (pos := _matched_end(_MAP_GAP, text, pos, end)) < end:
        char = text[pos]
        if char == '"':
            close = _string_end(text, pos + 1, '"', end)
            content = text[pos + 1 : close] if close - pos <= 257 else "-"
            if pos != value_at:  # a name, or a string in code: `os.environ["X"]`
                key = content
            elif (depth > 1 or "." in key or not hosts) and close > pos + 1:
                spans += [] if _is_placeholder(content) else [(pos + 1, close)]
            value_at, pos = -1, close + 1
            continue
        value_at = _skip_blanks(text, pos + 1) if char in ":=" else -1
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth <= 0:
            return 0
        pos += 1
    return depth


def _list_body(text: str, a: int, b: int, depth: int) -> tuple[str, int, int]:
    """The lines of a list of secrets in text[a:b] with its items redacted, up to the line
    where its brackets close; the rules read those lines too (`{"password": "..."}` in it)."""
    spans: list[Span] = []
    pos, stop, state = a, b, _NO_KEY
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        depth = _list_line(text, pos, line_end, depth, spans)
        if depth <= 0:
            stop = next_line
            break
        pos = next_line
    else:
        state = _SECRET_LIST + min(depth, _MAX_MAP_DEPTH)
    return _read_by_the_rules(text, a, stop, spans), stop, state


def _read_by_the_rules(text: str, a: int, b: int, spans: list[Span]) -> str:
    """text[a:b] with `spans` (a body's own secrets) and every rule's redacted, the lines
    past where the rules could read precisely redacted whole."""
    limit = _scan(text, a, b, spans, [])
    return _apply(text, a, limit, spans) + _redact_lines(text, limit, b)


def _table_state(text: str, a: int, b: int, at: int) -> int | None:
    """The state of a Markdown table whose delimiter row starts at `at`, if its header (the line
    before) names a secret in one of its first columns (`| User | Password |`)."""
    line_start = text.rfind("\n", max(a, at - 256), at) + 1
    line_end = _line_end(text, at, min(b, at + 2048))
    if line_start <= a or not _at_line_start(text, line_start, at):
        return None  # no header before it in the segment, or not a delimiter row
    delimiters = _table_cells(text, at, line_end)
    if not all(_TABLE_DELIMITER.fullmatch(text, start, end) for start, end in delimiters):
        return None
    header_start = text.rfind("\n", max(a, line_start - 2049), line_start - 1) + 1 or a
    header_end = _line_end(text, header_start, line_start)
    first = _skip_blanks(text, header_start)
    if first >= header_end or text[first] != "|":
        return None
    mask = 0
    for index, (start, end) in enumerate(_table_cells(text, first, header_end)):
        name = "_".join(text[start:end].strip(" \t*`_").split())
        if index < _TABLE_COLUMNS and name and _holds_a_secret(name):
            mask |= 1 << index
    return _SECRET_TABLE + mask if mask else None


def _table_cells(text: str, at: int, end: int) -> list[Span]:
    """The cells of a table's row whose leading `|` is at `at`, each between its pipes."""
    cells: list[Span] = []
    start = at + 1
    while (pipe := text.find("|", start, end)) != -1:
        cells.append((start, pipe))
        start = pipe + 1
    if text[start:end].strip():
        cells.append((start, end))  # a row without its closing pipe
    return cells


def _table_body(text: str, a: int, b: int, mask: int) -> tuple[str, int, int]:
    """The rows of a table with secrets in the columns of `mask` in text[a:b], those cells
    redacted, up to the first line that is no row; the rules read the rows too."""
    spans: list[Span] = []
    pos, stop, state = a, b, _NO_KEY
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        first = _skip_blanks(text, pos)
        if first >= line_end or text[first] != "|":
            stop = pos
            break
        for index, (start, end) in enumerate(_table_cells(text, first, line_end)):
            span = _table_value(text, start, end) if mask >> index & 1 else None
            spans += [span] if span else []
        pos = next_line
    else:
        state = _SECRET_TABLE + mask
    return _read_by_the_rules(text, a, stop, spans), stop, state


def _section_body(text: str, a: int, b: int) -> tuple[str, int, int]:
    """The lines of an INI or TOML section of secrets in text[a:b], each value redacted
    (blank lines and comments kept), up to the next section's header or a line that is no
    `name = value` (the section was the last, and a file of another kind goes on)."""
    pieces: list[str] = []
    pos = a
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        first = _skip_blanks(text, pos)
        if first < line_end and text[first] not in "#;":
            entry = _SECTION_ENTRY.match(text, pos, line_end)
            if entry is None or entry.end() >= line_end:
                return "".join(pieces), pos, _NO_KEY  # a header, or no entry
            span = _section_value(text, entry.end(), line_end)
            pieces.append(_apply(text, pos, next_line, [span] if span else []))
        else:
            pieces.append(text[pos:next_line])
        pos = next_line
    return "".join(pieces), b, _SECRET_SECTION


_SECTION_ENTRY = re.compile(r"""[ \t]{0,64}["']?[\w.-]{1,100}["']?[ \t]{0,16}[=:][ \t]{0,16}""")


def _section_value(text: str, start: int, end: int) -> Span | None:
    """A section's value: a string's content, or the rest of the line before a comment."""
    quote = text[start : start + 1]
    if quote in ('"', "'"):
        close = _string_end(text, start + 1, quote, end)
        span = (start + 1, close)
    else:
        span = (start, min(end, _config_value_end(text, start)))
    content = text[span[0] : span[1]] if span[1] - span[0] <= 256 else "-"
    return None if not content or _is_placeholder(content) else span


def _mapping_body(
    text: str, a: int, b: int, indent: int, secret_data: bool = False
) -> tuple[str, int, int]:
    """The lines of a YAML mapping of secrets in text[a:b] (those indented deeper than its
    name, and blank ones) with each value redacted, up to the first line that is not (a
    Kubernetes Secret's `stringData:` after its `data:`, or the other way, goes on)."""
    pieces: list[str] = []
    pos = a
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        own = _INDENT.match(text, pos)
        own_end = own.end() if own else pos
        if secret_data and _SECRET_DATA_LINE.fullmatch(text, pos, line_end):
            pieces.append(text[pos:next_line])
            pos = next_line
            continue
        column = own_end - pos
        # YAML may write a sequence's `- ` at its name's column (`passwords:` / `- ...`).
        item = not secret_data and text.startswith(("- ", "-\t"), own_end)
        if own_end < line_end and (column < indent or (column == indent and not item)):
            return "".join(pieces), pos, _NO_KEY
        span = _mapping_value(text, own_end, line_end, secret_data)
        pieces.append(_apply(text, pos, next_line, [span] if span else []))
        pos = next_line
    return "".join(pieces), b, _SECRET_DATA if secret_data else _SECRET_MAPPING + indent


def _token_sequence_body(text: str, a: int, b: int, indent: int) -> tuple[str, int, int]:
    """The lines under a bare `tokens:` in text[a:b] (indented deeper than it, and blank ones),
    each sequence item that looks like a credential redacted (`- ghx7...`; not `- "<pad>"`,
    `- color-primary`, nor a mapping's `- name: foo`), up to the first line that is not."""
    pieces: list[str] = []
    pos = a
    while pos < b:
        line_end, next_line = _line_bounds(text, pos, b)
        own = _INDENT.match(text, pos)
        own_end = own.end() if own else pos
        item = _SEQUENCE_ITEM.match(text, own_end, line_end)
        column = own_end - pos
        if own_end < line_end and (column < indent or (column == indent and item is None)):
            return "".join(pieces), pos, _NO_KEY  # YAML may write `- ` at the name's column
        span = _section_value(text, item.end(), line_end) if item else None
        if span is None or not _credential(text, *span) or _token_name(text, *span):
            pieces.append(text[pos:next_line])
        else:
            pieces.append(_apply(text, pos, next_line, [span]))
        pos = next_line
    return "".join(pieces), b, _TOKEN_SEQUENCE + indent


def _token_name(text: str, start: int, end: int) -> bool:
    """A design token's path of words and numbers: `color.primary.500`, `Space-2-XL`."""
    return _TOKEN_NAME.fullmatch(text, start, end) is not None


_TOKEN_NAME = re.compile(r"(?:[A-Za-z][a-z]*|[A-Z]+|\d+)(?:[._/-](?:[A-Za-z][a-z]*|[A-Z]+|\d+))*")
_SEQUENCE_ITEM = re.compile(r"-[ \t]{1,8}(?![^\r\n:]{0,256}:(?:[ \t]|\r?$))")


_SECRET_DATA_LINE = re.compile(r"(?:stringD|d)ata:[ \t]{0,16}")


# A line of a mapping of secrets: `name: value`, `- name: value`, or a value alone (a list's
# item, a block scalar's line).
_MAPPING_ENTRY = re.compile(
    r"""(?:-[ \t]{1,8})?(?:(?P<name>["']?[\w.-]{1,100}["']?):(?:[ \t]{1,16}|$))?"""
)
# Names under `secrets:` that say where a secret is, not what: Compose's `file:`, Kubernetes'
# `- name:` and `key:` (a `key:` that looks like a credential is one).
_WHERE_NAMES = frozenset(
    {"name", "file", "external", "environment", "driver", "key", "path", "type"}
)


def _mapping_value(text: str, start: int, end: int, secret_data: bool = False) -> Span | None:
    entry = _MAPPING_ENTRY.match(text, start, end)
    value_start = entry.end() if entry else start
    name = (entry["name"] or "").strip("\"'") if entry else ""
    if secret_data and name.lower() in _PLAIN_DATA_NAMES:
        return None  # a Secret's `username: YXBw`, `host:`: the rest of its data is secret
    if value_start >= end or text[value_start] in "#|>&*!{[":
        return None  # a nested mapping, a block's header, an anchor, an alias, a collection
    span = _section_value(text, value_start, end)
    if span and name.lower() in _WHERE_NAMES:
        # `key:` names a Kubernetes Secret's key, or is one (`- name: prod` / `key: ...`).
        return span if name.lower() == "key" and _credential(text, *span) else None
    if span and text.startswith(("./", "/", "~/"), span[0]):
        return None  # a file holding the secret
    item = span and not name and value_start > start and span[1] - span[0] <= 256
    if span and item and not _looks_random(text[span[0] : span[1]]):
        return None  # Compose's `secrets:` list of names: `- db_password`
    return span


def _string_body(text: str, a: int, b: int, state: int) -> tuple[str, int, int]:
    """The lines of a string left open in text[a:b] redacted, up to its closing quote."""
    quote = _CLOSING[state]
    if len(quote) == 3 or b - a > _BLOCK + _OVERLAP:
        close = text.find(quote, a, b)
    else:
        body = _STRING_CLOSE[state].match(text, a, b)
        close = body.end() if body and body.end() < b else -1
    if close == -1:
        return _redact_lines(text, a, b), b, state
    line_start = text.rfind("\n", a, close) + 1 or a
    head = text[line_start:close]
    if head.strip():
        head = _redact_lines(text, line_start, close)
    return _redact_lines(text, a, line_start) + head, close, _NO_KEY


def _redact_lines(text: str, a: int, b: int) -> str:
    if b - a <= _BLOCK + _OVERLAP:
        return _BODY_LINE.sub(REDACTED, text[a:b])
    # One long line (segments hold whole lines up to _BLOCK characters).
    indent = _INDENT.match(text, a)
    assert indent is not None
    content_end = _line_end(text, a, b)
    blank = content_end == indent.end()
    return text[a : indent.end()] + ("" if blank else REDACTED) + text[content_end:b]


def _has_alnum(text: str, a: int, b: int) -> bool:
    return any(_ALNUM.search(text, pos, min(b, pos + _BLOCK)) for pos in range(a, b, _BLOCK))


_ALNUM = re.compile(r"[^\W_]")


# Keys of a Kubernetes Secret's data that hold no secret (see _mapping_value).
_PLAIN_DATA_NAMES = _words(
    "user username login host hostname port database dbname db region namespace email"
)
