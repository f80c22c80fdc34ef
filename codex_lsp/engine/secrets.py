"""Keeps secrets out of prompts: files matching an exclude glob are never sent, and text that looks
like a secret is redacted (in linear time, keeping every line and the code around each value).

Redaction replaces only the secret itself (`DB_PASSWORD=[REDACTED]`, `password = "[REDACTED]"`,
`Authorization: Bearer [REDACTED]`), so the model still sees the shape of the code, and keeps
every line, so the line numbers the model reports still match the document. The rules:
- token formats with a distinctive prefix, derived from gitleaks' rule set (config/gitleaks.toml,
  MIT, Copyright (c) 2019 Zachary Rice), redacted wherever they appear;
- the value after a secret-like name (`password`, `api_key`, `token`, `AccountKey`...), when it
  is a literal and not code (`get_password()`, `args.token`, `password: str` are code), also
  after YAML's anchor or core tag (`&pw`, `!!str`), in a flow mapping (`{password: ...}`,
  when the value looks random: in JavaScript it would be a variable), after a type
  (`apiKey: string = "..."`, `API_KEY: &str = "..."`, Go's `var secret string = "..."`), R's
  `password <- "..."` and C's `#define API_KEY "..."`;
- private key blocks (every line between BEGIN and END, or to the end of an unterminated one),
  URL passwords, `Authorization` schemes, cookie headers, `curl -u user:password`, `--password
  value` (and `"--password", "value"` as items of a list), SQL's `PASSWORD '...'` and
  `IDENTIFIED BY '...'`, csh's `setenv NAME value` and fish's `set -x NAME value`, and a random
  value of `..._KEY=` or `..._PW=` in a .env file or script;
- values written over several lines after a secret-like name: a YAML block scalar
  (`password: |`, `private_key: &key >-`, `token: !!binary |`: every line indented deeper than
  the name), a plain YAML scalar alone on the next line, a quoted YAML
  value whose quote closes on a later line, a triple-quoted string, a heredoc (`<<EOT`, `<<-EOF`,
  `<<~`, `<<<`: the lines up to its delimiter's), a string alone on the line after `password=`,
  the `value:` line after `- name: DB_PASSWORD` (or `"key": "apiKey",` in JSON), and every
  value of a map, mapping or section named for secrets (`secrets = {`, `"credentials": {`,
  `secrets:` in YAML, `[secrets]` in INI or TOML), whatever each one's own name;
- a Terraform variable's `default` (quoted or a heredoc) when the variable's name holds a secret
  or its block says `sensitive = true`, a literal fallback in a placeholder
  (`${MAIL_PASSWORD:...}`, `${DB_PASS:-...}`) or after a secret's environment variable
  (`process.env.DB_PASSWORD || "..."`), and a JSON name/value pair (`{"name": "API_TOKEN",
  "value": "..."}`);
- a tool's password flag (`mysql -pSECRET`, `sshpass -p`, `redis-cli -a`, `htpasswd -b`,
  `--requirepass`, `az login -p`, `gh secret set --body`, `echo ... | docker login
  --password-stdin`, `npm config set _authToken`, `vault kv put password=...`), Oracle's
  `user/password@db` and Samba's `-U user%password`, the password argument of calls that take
  one (`getConnection(url, user, "...")`, `smtp.login(user, "...")`, `pymysql.connect(host, user,
  "...")`, `ftplib.FTP(host, user, "...")`, `ssh.connect(host, 22, user, "...")`,
  `jwt.sign(payload, "...")`, `.password("...")`, `.pass_("...")`, `Credentials.basic(user, "...")`,
  `ConvertTo-SecureString "..."`, `define('DB_PASSWORD', '...')`, also with the arguments over
  several lines), each string item of a list under a plural name of secrets (`API_KEYS = ["...",
  "..."]`, on one line or several), YAML's complex keys (`? password` / `: ...`), Markdown tables
  (a row naming a secret, a column named for one), C++'s `std::string api_key{"..."}`, Tcl's `set
  password ...`, code in a JSON string with its quotes escaped (a notebook's `\\"...\\"`), and
  formats with no name to go by (base64 keys and connection URLs in Kubernetes Secrets, signed
  URLs, a token as a URL's user (`https://TOKEN@github.com`), DSNs (Sentry's key too), `.netrc`
  entries (on one line or several) and `.pgpass` lines, Postfix `sasl_passwd` lines, `poetry
  config http-basic`, Composer tokens (on the line of `"bearer": {` or each on a line of its own),
  PuTTY and OpenVPN keys);
- since session 14: headers named for a key alone (`x-functions-key`, `X-RapidAPI-Key`), key
  names joined by dots (`datadog.api.key=`), items of lists nested in a list of secrets and a YAML
  `key:` under one when the value looks like a credential on its own, secrets in prose and
  comments (`The password is ...`, `# token: ...`: one token-like word), table cells with blanks
  in them, a key given by position to a class's constructor (`Client("...")`, 32 characters or
  more, random), `?key=`, `?code=`, `"key": "..."` with such a value, .NET's `<setting
  name="ApiKey">`, dotted config values with a random part, Tcl's `set password WORD`, a
  vendor's key under a name ending in `key` alone (`STRIPE_KEY = "..."`, same test), and every
  value of a Kubernetes Secret's `data:` and `stringData:`.
detect-secrets was measured as the alternative: 8.6 s per MB of Python on this machine, and its
keyword plugin leaves unquoted values alone in most files, so the rules are written here.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import cast
from urllib.parse import unquote, urlparse

REDACTED = "[REDACTED]"
Span = tuple[int, int]  # [start, end) of text to redact

# Files never sent to a model, matched case-insensitively against the file's name and path.
# `.aws/config` is left out: it holds profiles and regions, and a key pasted there is redacted.
DEFAULT_EXCLUDE: list[str] = [
    ".env*",
    "*.pem",
    "*.key",
    "*.p8",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.ppk",
    "*.gpg",
    "*.kdbx",
    "*.ovpn",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".npmrc",
    ".netrc",
    "_netrc",
    ".pypirc",
    ".pgpass",
    ".my.cnf",
    ".git-credentials",
    ".htpasswd",
    ".vault-token",
    ".terraformrc",
    "terraform.rc",
    ".s3cfg",
    ".boto",
    ".dockercfg",
    ".docker/config.json",
    ".aws/credentials",
    ".kube/config",
    "kubeconfig",
    "*.kubeconfig",
    "*.tfvars",
    "*.tfvars.json",
    "*.tfstate",
    "*.tfstate.backup",
    "secrets.*",
    "credentials.json",
    "application_default_credentials.json",
    "client_secret*.json",
]


# A segment's redaction (see below), where it stopped (from the segment's start) and the key
# block state after it, by the segment's text.
Segments = dict[str, tuple[str, int, int]]


def redact(text: str, seen: Segments | None = None, found: Segments | None = None) -> str:
    """The text with every secret-looking value replaced by REDACTED, line for line.

    `found`: filled with the redaction of each segment that starts a line outside a key block;
    such a segment is judged on its own text alone (every rule stops at its line's end, and
    the segment ends with a line). `seen`: what an earlier call found, for a text that shares
    segments with this one (the document before an edit): those are taken, not redacted again.
    """
    pieces: list[str] = []
    pos, key = 0, _NO_KEY
    while pos < len(text):
        end = _segment_end(text, pos)
        if key != _NO_KEY:
            piece, pos, key = _go_on(text, pos, end, key)
        elif found is None or (pos and text[pos - 1] != "\n"):
            piece, pos, key = _plain(text, pos, end)
        else:
            segment = text[pos:end]
            done = seen.get(segment) if seen else None
            if done is None:
                piece, stop, key = _plain(text, pos, end)
                # The segment itself when nothing in it changed: one string kept, not two.
                done = (segment if piece == segment else piece, stop - pos, key)
            found[segment] = done
            piece, pos, key = done[0], pos + done[1], done[2]
        pieces.append(piece)
    return "".join(pieces)


# --- segments ---------------------------------------------------------------------------------
# Text is cut into segments of whole lines of at most _BLOCK characters; a longer line is scanned
# in windows of _BLOCK + _OVERLAP characters, so no regex call sees more than that, and a match
# starting in one window's first _BLOCK characters is whole in it (no pattern matches more than
# _OVERLAP characters; a longer value is followed by further bounded calls). Python code runs
# between calls, so a worker thread doing this gives the event loop the GIL often.
_BLOCK = 4096
_MIN_SEGMENT = 1024  # a segment ends at a blank line past this many characters, if one comes
_OVERLAP = 1024
_MAX_VALUE = 1024
# Matches of a rule judged one by one per _BLOCK characters; past that (a credentials dump, or
# text made to be slow) the rest of the segment is redacted line by line, so the time stays
# linear.
_BUDGET = 48


def _segment_end(text: str, pos: int) -> int:
    """A segment ends before the first blank line past _MIN_SEGMENT characters, where there is
    one within _BLOCK: where a cut falls depends on the text near it, not on where the text
    starts, so the segments after an edit's are the same as before it and are not redacted
    again (cut at _BLOCK, a line inserted at the top would move every later cut). Else at the
    last line break within _BLOCK."""
    if len(text) - pos <= _BLOCK:
        return len(text)
    blank = _first_blank_line(text, pos + _MIN_SEGMENT, pos + _BLOCK)
    if blank != -1:
        return blank + 1
    cut = text.rfind("\n", pos, pos + _BLOCK)
    if cut != -1:
        return cut + 1
    newline = text.find("\n", pos + _BLOCK)
    return len(text) if newline == -1 else newline + 1


def _first_blank_line(text: str, start: int, end: int) -> int:
    """Where the line break before the first empty line in text[start:end] is, or -1."""
    lf, crlf = text.find("\n\n", start, end), text.find("\n\r\n", start, end)
    return lf if crlf == -1 or (lf != -1 and lf < crlf) else crlf


def _line_end(text: str, pos: int, limit: int) -> int:
    """Where the line holding pos ends, before its newline (and a carriage return)."""
    newline = text.find("\n", pos, limit)
    end = limit if newline == -1 else newline
    return end - 1 if end > pos and text[end - 1] == "\r" else end


def _line_bounds(text: str, pos: int, limit: int) -> tuple[int, int]:
    """Where the line holding pos ends (`_line_end`) and where the next one starts (`limit`
    when there is none)."""
    line_end = _line_end(text, pos, limit)
    newline = text.find("\n", line_end, limit)
    return line_end, limit if newline == -1 else newline + 1


_Trie = dict[str, "_Trie"]


def _trie(words: Iterable[str]) -> str:
    """One regex for many literal needles, shaped as a trie: Python's regex engine tries the
    branches of an alternation one by one, so sharing prefixes makes the scan several times
    faster than a flat `a|b|c`."""
    tree: _Trie = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return emit(tree)


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
_INDENT = re.compile(r"[ \t]{0,256}")


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
_TABLE_OPENER = re.compile(r"\|[ \t]{0,16}:?-")
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
# A plural name's last letter, its closing quote, the operator and a list, tuple or set (maybe
# wrapped: `frozenset({`, Kotlin's `listOf(`); the name is read back from the `s` (see
# _plural_name); on lower-case text.
_PLURAL_LIST_SOURCE = r"""s(?P<close>["'`\]]{0,2}+)[ \t]{0,16}(?P<op>:=|=>|=(?!=)|:(?![:=]))
    [ \t]{0,16}(?:(?i:frozenset|set|tuple|list)[ \t]{0,4}\()?(?P<open>[\[({]
    |(?i:listof|setof|arrayof|list\.of|set\.of|arrays\.aslist)[ \t]{0,4}\()"""
_PLURAL_LIST = re.compile(_PLURAL_LIST_SOURCE, re.VERBOSE)
_PLURAL_LIST_ANY_CASE = re.compile(_PLURAL_LIST_SOURCE, re.VERBOSE | re.IGNORECASE)
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
    if word.lower() == "tokens" and (
        found["brace"] or word == lead["name"] or not _holds_a_secret(lead["name"][:-1])
    ):
        return None  # design tokens' `tokens:`, `special_tokens:`; `access_tokens:` counts
    if found["brace"]:
        return _NAMED_MAP + 1  # ASP.NET's `"Jwt": {` too: its `"Key"` is the signing key
    if word.lower() == "jwt":
        return None  # `jwt:` in YAML holds settings too (`expiration: 86400`)
    if found["op"] != ":" or lead["indent"].strip():
        return None  # `secrets =` with nothing after it; a list item
    return _SECRET_MAPPING + min(len(lead["indent"]), _MAX_MAPPING_INDENT)


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


def _plural_name(text: str, line_start: int, found: re.Match[str], offset: int = 0) -> int | None:
    """Where the name ending at the `s` of `found` starts (its opening quote, if quoted), when
    it names secrets in the plural (`API_KEYS`, `accessTokens`, `passwords`, `creds`; not
    `max_tokens`, `keys`); the caller checks that no string is open before it. Design tokens'
    maps (`tokens = {`) are colours, not secrets."""
    name_end = found.start() + offset + 1
    head = _name_head(text, name_end, line_start)
    name = text[head:name_end]
    if head == name_end or (found["open"] == "{" and name.lower().endswith("tokens")):
        return None
    if not (_holds_a_secret(name[:-1]) or _holds_a_secret(name)):
        return None
    quoted = head > line_start and text[head - 1] in "\"'`" and found["close"][:1] == text[head - 1]
    return head - 1 if quoted else head


def _skip_blanks_back(text: str, low: int, pos: int) -> int:
    while pos > low and text[pos - 1] in " \t":
        pos -= 1
    return pos


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


# --- Terraform variables ------------------------------------------------------------------------
# `variable "db_password" { default = "..." }`: the value's name is `default`, the secret's is
# the block's. A block holds a secret when its name does or it says `sensitive = true`. Its
# opening line is looked for _VARIABLE_REACH characters back at most, its end as far ahead.
_VARIABLE_REACH = 1024
_TF_VARIABLE = re.compile(r'variable[ \t]{1,16}"(?P<name>[\w-]{1,100})"[ \t]{0,16}\{[ \t]{0,16}')
_TF_SENSITIVE = re.compile(r"(?<![\w.])sensitive[ \t]{0,16}=[ \t]{0,16}true\b")
# `terraform fmt` sets `=` apart by blanks: Python's `default="..."` keyword is left alone fast.
_TF_DEFAULT = re.compile(r'default[ \t]{1,16}=[ \t]{1,16}"')


def _in_secret_variable(text: str, low: int, high: int, line_start: int) -> bool:
    """Whether the line at line_start lies in a secret-holding `variable` block whose opening
    line (at column 0, as Terraform writes it) is within text[low:line_start]."""
    header_line = text.rfind('\nvariable "', max(low, line_start - _VARIABLE_REACH), line_start)
    if header_line == -1:
        if not text.startswith('variable "', low) or line_start - low > _VARIABLE_REACH:
            return False
        header_line = low - 1
    header = _TF_VARIABLE.match(text, header_line + 1)
    if header is None:
        return False
    header_end = _line_end(text, header.end(), high)
    if text.find("}", header.end(), header_end) != -1:
        return False  # a block on one line, and line_start is after it
    block_end = text.find("\n}", header_end, min(high, line_start + _VARIABLE_REACH))
    if block_end != -1 and block_end < line_start:
        return False  # the block closed before the line
    if _holds_a_secret(header["name"]):
        return True
    stop = block_end if block_end != -1 else min(high, line_start + _VARIABLE_REACH)
    return _TF_SENSITIVE.search(text, header_end, stop) is not None


def _at_line_start(text: str, line_start: int, pos: int) -> bool:
    """Whether only indentation stands before pos on its line (read in bounded time)."""
    indent = _INDENT.match(text, line_start)
    return indent is not None and indent.end() == pos


def _tf_default_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """A quoted `default` of a secret-holding variable, the block on one line or several."""
    text, at = ctx.text, match.start()
    line_start = ctx.start_of_line(at)
    if not _at_line_start(text, line_start, at):  # read no more than a header's length back
        header = _TF_VARIABLE.fullmatch(text, max(line_start, at - 160), at)
        secret = header is not None and _holds_a_secret(header["name"])
    else:
        secret = _in_secret_variable(text, ctx.start, ctx.end, line_start)
    return _quoted_span(text, match.end(), '"') if secret else None


def _holds_a_secret(name: str) -> bool:
    """A name whose value is a secret, whatever it looks like: a keyword in it that does not go
    on in lower case (`tokenizer`), and a last word that holds one (`DB_PASSWORD`, `signing_key`;
    not `token_count`, nor `TOKEN_QUERY`, whose lines are code)."""
    lowered = name.lower() + ":"
    pos = 0
    while (kw := _ASSIGNMENT.search(lowered, pos)) is not None:
        pos = kw.start() + 1
        kw_start, kw_end = kw.span("kw")
        if kw.end("rest") != len(name):
            continue
        after = name[kw_end : kw_end + 1]
        if after.islower() or (after.isupper() and name[kw_end - 1].isupper()):
            continue
        return _name_kind(name[:kw_start], name[kw_end:]) == "secret"
    return False


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


def _list_line(text: str, pos: int, end: int, depth: int, spans: list[Span]) -> int:
    """Adds the spans of a list's items in text[pos:end] (strings right inside it, and those
    deeper in that look like credentials: `[["prod", "..."]]`, `[{"key": "..."}]`; not a key
    before `:`); returns the depth of brackets after them, or 0 where the list closes. A
    comment (`#`, `//` after a blank) ends the line: its apostrophes open no string."""
    while (pos := _matched_end(_LIST_GAP, text, pos, end)) < end:
        char = text[pos]
        if char in "\"'`":
            close = _string_end(text, pos + 1, char, end)
            item = not _LIST_KEY.match(text, close + 1) and (
                _list_item(text, pos, close) if depth == 1 else _credential(text, pos + 1, close)
            )
            if item:
                spans.append((pos + 1, close))
            pos = close + 1
        elif char in "#/":
            if text[pos - 1 : pos] in ("", " ", "\t", "\n") and text.startswith(("#", "//"), pos):
                return depth
            pos += 1
        else:
            depth += 1 if char in "([{" else -1
            if depth <= 0:
                return 0
            pos += 1
    return depth


_LIST_GAP = re.compile(r"""[^"'`()\[\]{}#/]*+""")
_LIST_KEY = re.compile(r"[ \t]{0,16}:(?!:)")


def _list_item(text: str, quote: int, close: int) -> bool:
    """A list's string item that may be a secret: not a placeholder, nor a name
    (`"OPENAI_API_KEY"`), nor shorter than any secret (`"("`, `" "`)."""
    content = text[quote + 1 : close] if close - quote <= 257 else "-" * 4
    if len(content.strip()) < 4 or _is_placeholder(content) or _names_a_secret(content):
        return False
    return text[quote - 1 : quote] not in ("f", "F") or "{" not in content  # not an f-string


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


def _table_value(text: str, start: int, end: int) -> Span | None:
    """A table cell's secret: one word (in backticks or quotes, or not) with a letter that looks
    random and is neither a placeholder nor a name (`string`, `Required`, `*(none)*`, lines
    `335-353`), maybe followed by a note (`... (rotated monthly)`); or words with blanks
    between them that each look random (`` `Zq8 1mW0pLx7` ``, `Xk29 pqLm7!`), not a sentence."""
    start, end = _trimmed(text, start, end)
    if end - start > 256:
        return None
    first = text[start]
    close = text.find(first, start + 1, end) if first in "`'\"" else -1
    if close != -1:  # a quoted value, its note after it
        value_start, value_end, rest = start + 1, close, close + 1
    else:
        blank = _BLANK.search(text, start, end)
        value_start, value_end = start, blank.start() if blank else end
        rest = value_end
    value_start, value_end = _trimmed(text, value_start, value_end)
    note = text[rest:end].strip(" \t")
    if note and not note.startswith(("(", "-", "—", "#", "//")):
        value_start, value_end, note = start, end, ""  # the whole cell, its words judged
    value = text[value_start:value_end]
    if len(value) < 6 or _is_placeholder(value) or _names_a_secret(value):
        return None
    words = value.split()
    if all(_looks_random(word) and _LETTER.search(word) for word in words):
        return value_start, value_end
    return None


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


_BLANK = re.compile(r"[ \t]")


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
        if own_end < line_end and own_end - pos <= indent:
            return "".join(pieces), pos, _NO_KEY
        span = _mapping_value(text, own_end, line_end, secret_data)
        pieces.append(_apply(text, pos, next_line, [span] if span else []))
        pos = next_line
    return "".join(pieces), b, _SECRET_DATA if secret_data else _SECRET_MAPPING + indent


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


# --- rules ------------------------------------------------------------------------------------


class _Context:
    """Per rule and segment: the current line and the quotes opened on it, kept incrementally
    (positions only grow) so that many matches on one long line cost linear time. Quotes in
    `skips` (text redacted by other rules, sorted) or in this rule's own redactions do not
    count: after redaction they are gone, and text redacted again must be judged the same."""

    # The last command word on the current line, read up to `tool_read` (see _after_a_tool).
    tool: re.Match[str] | None = None
    tool_read = -1

    def __init__(self, text: str, start: int, skips: list[Span], end: int) -> None:
        self.text = text
        # The segment's bounds: a rule reading past its match's line stays within them, so a
        # segment is still judged on its own text alone.
        self.start, self.end = start, end
        self.line_start = self.counted_to = text.rfind("\n", 0, start) + 1
        self.double = self.single = self.backtick = 0
        self.skips, self.next_skip = skips, 0

    def add_skips(self, pos: int, spans: list[Span]) -> None:
        """Adds the redactions found in the window starting at pos (none reaches before it)."""
        if spans:
            self.start_of_line(pos)
            self._count_to(pos)  # so that skips already passed can be dropped
            kept = [span for span in self.skips[self.next_skip :] if span[1] > self.counted_to]
            self.skips, self.next_skip = sorted(kept + spans), 0

    def start_of_line(self, pos: int) -> int:
        newline = self.text.rfind("\n", self.counted_to, pos)
        if newline != -1:
            self.line_start = self.counted_to = newline + 1
            self.double = self.single = self.backtick = 0
        return self.line_start

    def _count_to(self, pos: int) -> None:
        start, skips = self.counted_to, self.skips
        if start >= pos:
            return
        while self.next_skip < len(skips) and skips[self.next_skip][1] <= start:
            self.next_skip += 1
        index = self.next_skip
        while start < pos:
            gap_end = pos
            if index < len(skips) and skips[index][0] < pos:
                gap_end = max(start, skips[index][0])
            text = self.text
            self.double += text.count('"', start, gap_end)
            self.single += text.count("'", start, gap_end)
            self.backtick += text.count("`", start, gap_end)
            start = gap_end
            if gap_end < pos:
                start = max(start, skips[index][1])
                index += 1
        self.counted_to = max(self.counted_to, start)

    def open_quotes(self, pos: int) -> str:
        """The quote characters of which an odd number precede pos on its line: the kinds of
        string pos is inside (roughly: escaped quotes count too). Call start_of_line first."""
        self._count_to(pos)
        return (
            ('"' if self.double % 2 else "")
            + ("'" if self.single % 2 else "")
            + ("`" if self.backtick % 2 else "")
        )

    def skip(self, span: Span) -> None:
        """Quotes inside a value this rule redacted do not count either."""
        start, end = span
        if end > self.counted_to:
            self.start_of_line(start)
            self._count_to(start)
            self.counted_to = max(self.counted_to, end)


class _Window:
    """text[pos:end], of which matches starting before `own` are this window's; what the
    rules' prefilters need is computed once per window, on first use."""

    def __init__(self, text: str, pos: int, own: int, end: int) -> None:
        self.text, self.pos, self.own, self.end = text, pos, own, end
        self._hints: set[str] | None = None
        self._lowered: str | None = None

    def hints(self) -> set[str]:
        if self._hints is None:
            self._hints = set()
            hint = _TOKEN_HINT if _TOKEN_RUN.search(self.text, self.pos, self.end) else _WORD_HINT
            self._hints.update(hint.findall(self.text, self.pos, self.end))
        return self._hints

    def lowered(self) -> str:
        """The window in lower case, or "" when lowering changes its length (`İ`)."""
        if self._lowered is None:
            lowered = self.text[self.pos : self.end].lower()
            self._lowered = lowered if len(lowered) == self.end - self.pos else ""
        return self._lowered


class _Budget:
    """How many more matches of a rule may be judged one by one in a segment (see _BUDGET)."""

    def __init__(self, size: int) -> None:
        self.left = _BUDGET * (1 + size // _BLOCK)
        self.exhausted_at = -1


# A rule's spans for a match: one, or several (the items of a list), or None.
SpanFinder = Callable[[_Context, re.Match[str], int], "Span | list[Span] | None"]


@dataclass(frozen=True)
class _Rule:
    """A pattern and what to redact of each match. `needles`: a window holding none of them is
    skipped; `hinted` needles come from the hint search (_TOKEN_HINT, _WORD_HINT), others are
    found with str.find; a rule with none is searched for first (_SEARCHES). A rule with a
    `fallback` runs its pattern on the lowered window (far faster than re.IGNORECASE), and the
    fallback, case-insensitive, where lowering changes the window's length."""

    pattern: re.Pattern[str]
    span: SpanFinder
    needles: frozenset[str] = frozenset()
    hinted: bool = False
    fallback: re.Pattern[str] | None = None
    operators: str = ""  # and one of these characters must be in the window
    # Matches at a match's end when its value is already redacted: skipped without cost, so
    # text redacted once is redacted again the same way, however dense.
    redacted: re.Pattern[str] | None = None
    # A test of a match, costing no more than linear time over the segment, that turns it down
    # without spending the budget: for a pattern that matches often in text it has no say about.
    worth: Callable[[_Context, re.Match[str], int], bool] | None = None

    def wanted(self, window: _Window) -> bool:
        if self.hinted:
            return not window.hints().isdisjoint(self.needles)
        if self.fallback is not None:
            lowered = window.lowered()
            if lowered and not any(needle in lowered for needle in self.needles):
                return False
            return any(char in lowered for char in self.operators) if lowered else True
        text, pos, end = window.text, window.pos, window.end
        return not self.needles or any(text.find(n, pos, end) != -1 for n in self.needles)

    def collect(
        self, ctx: _Context, window: _Window, start: int, spans: list[Span], budget: _Budget
    ) -> int:
        """Spans of matches starting in [start, window.own); returns how far this rule has
        redacted (a later match starting before that is inside a value already redacted)."""
        subject, offset, pattern = window.text, 0, self.pattern
        if self.fallback is not None:
            subject, offset = window.lowered(), window.pos
            if not subject:
                subject, offset, pattern = window.text, 0, self.fallback
        covered, pos, stop = start, start - offset, window.end - offset
        while (match := pattern.search(subject, pos, stop)) is not None:
            found = match.start() + offset
            if found >= window.own:
                break
            pos = match.end()
            if found < covered:
                pos = max(pos, covered - offset)
                continue
            if self.redacted is not None and self.redacted.match(ctx.text, match.end() + offset):
                continue
            if self.worth is not None and not self.worth(ctx, match, offset):
                continue
            budget.left -= 1
            if budget.left < 0:
                budget.exhausted_at = found
                break
            found_spans = self.span(ctx, match, offset)
            if not found_spans:
                pos = match.start() + 1  # a match turned down may hide one starting inside it
                continue
            for span in [found_spans] if isinstance(found_spans, tuple) else found_spans:
                spans.append(span)
                ctx.skip(span)
                covered = max(covered, span[1])
        return covered


def _scan(text: str, a: int, b: int, spans: list[Span], skips: list[Span]) -> int:
    """Collects the spans to redact in text[a:b]; returns where precise redaction stops.
    `skips`: text already known to be redacted (sorted), where quotes do not count."""
    skips = sorted(skips)  # shared: a context replaces its list, never changes it
    # A rule's context is made when a window first wants the rule (most never do).
    contexts: list[_Context | None] = [None] * len(_RULES)
    last = len(_RULES) - 1
    contexts[last] = _Context(text, a, skips, b)
    covered = [a] * len(_RULES)
    # A budget per rule: one rule spending it stops where it got to, and every other rule still
    # reads the window, so the text before that point is judged by all of them (a budget shared
    # by all, spent by the rules run first, left the later ones' secrets in that text).
    budgets: list[_Budget | None] = [None] * len(_RULES)
    limit = b
    pos = a
    while pos < limit:
        own = min(b, pos + _BLOCK)
        window = _Window(text, pos, own, min(b, own + _OVERLAP))
        found = len(spans)
        for index in _rules_for(window):
            rule = _RULES[index]
            if index == last:
                cast(_Context, contexts[last]).add_skips(pos, spans[found:])
            if covered[index] >= own or (index not in _SEARCHED and not rule.wanted(window)):
                continue
            budget = budgets[index] or _Budget(b - a)
            budgets[index] = budget
            if budget.exhausted_at >= 0:
                continue
            ctx = contexts[index] or _Context(text, a, skips, b)
            contexts[index] = ctx
            start = max(pos, covered[index])
            covered[index] = rule.collect(ctx, window, start, spans, budget)
            if budget.exhausted_at >= 0:
                limit = min(limit, _coarse_start(text, a, b, budget.exhausted_at))
        pos = own
    return limit


def _rules_for(window: _Window) -> list[int]:
    """The indices of the rules a window may want, in order: the token formats whose needles
    are in it (most windows have none), the rules without needles whose pattern matches in it,
    and every other rule (each decides by its `wanted`)."""
    text, pos, end = window.text, window.pos, window.end
    # A pattern starting with a literal is found as fast as a needle would be; searching them
    # here, in one loop, spares each rule a pass through _scan's (most windows match none).
    searched = [index for index, search in _SEARCHES if search(text, pos, end) is not None]
    hints = window.hints()
    if not hints and not searched:
        return _UNHINTED
    hinted = {index for hint in hints for index in _BY_HINT.get(hint, ())}
    return sorted(hinted.union(_UNHINTED, searched))


def _coarse_start(text: str, a: int, b: int, found: int) -> int:
    """Where whole-line redaction takes over: the start of the match's line in a segment of
    lines, the match itself in one long line."""
    if b - a > _BLOCK:
        return found
    return text.rfind("\n", a, found) + 1 or a


def _apply(text: str, a: int, b: int, spans: list[Span]) -> str:
    if not spans:
        return text[a:b]
    pieces: list[str] = []
    pos = last_end = a
    for start, end in sorted(spans):
        start, end = max(start, a), min(end, b)
        if start >= end:
            continue
        if start <= last_end and pieces:  # overlaps or touches the previous redaction
            pos = last_end = max(last_end, end)
            continue
        pieces += (text[pos:start], REDACTED)
        pos = last_end = end
    pieces.append(text[pos:b])
    return "".join(pieces)


# --- token formats ------------------------------------------------------------------------------
# Needles of formats that are no tokens (rules below), found by the same search as the tokens'
# (str.find or a search per rule would read every window once more for each): a word of each
# format, from a character some token needle starts with too, so the search costs little more.
# A rule is tried in a window holding a hit that holds one of its needles (_hint_keys).
_HTPASSWD_HINTS = frozenset({"htpasswd"})
_REDIS_HINTS = frozenset({"requirepass", "asterauth"})  # `masterauth` from its second letter
_SASL_HINTS = frozenset(f":{port}{blank}" for port in (25, 465, 587, 2525) for blank in " \t")
_PROPERTY_HINTS = frozenset(
    f".{word}" for word in ("password", "passwd", "pass", "pwd", "secret", "credentials", "token")
)
_CONNECT_HINTS = frozenset({".connect"})
_JWT_HINTS = frozenset({"wt."})  # `jwt.` from its second letter
_POETRY_HINTS = frozenset({"http-basic."})
_COMPOSER_HINTS = frozenset({'earer"', '-oauth"', '-token"'})  # `"bearer"` from its second
_JSON_VALUE_HINTS = frozenset({'value"'})
_ENV_HINTS = frozenset({"env.", "env[", "env(", "environ"})
_RUBY_ENV_HINTS = frozenset({"ENV.", "ENV["})
_ORACLE_HINTS = frozenset({"sqlplus", "sqlldr", "pdp", "rman"})  # `expdp`, `impdp` from `pdp`
_SMB_HINTS = frozenset({"-U"})
_CONFIG_SET_HINTS = frozenset({"onfig set", "onfigure set"})  # from `config`'s second letter
_GH_SECRET_HINTS = frozenset({"secret set"})
_STDIN_HINTS = frozenset({"-stdin"})
_SECURE_STRING_HINTS = frozenset({"SecureString"})
_BUILDER_HINTS = frozenset(
    {".password(", ".secret(", ".token(", ".apiKey(", ".pass_(", "redentials.basic("}
)
_XML_ENTRY_HINTS = frozenset({"entry key=", "setting name="})
_CLI_SET_HINTS = frozenset({"vault ", "onfig:set", "--set "})
# Needles of older rules (str.find looked for them one by one in every window).
_NETRC_HINTS = frozenset({"achine"})  # `machine` from its second letter
_GRADLE_HINTS = frozenset({"Password "})
_URL_HINTS = frozenset({"://"})
_SCHEME_HINTS = frozenset({"earer", "asic"})  # `Bearer`, `Basic`, either case
_CURL_HINTS = frozenset({"-u", "--user"})
_FLAG_HINTS = frozenset({"--"})
_DOCKER_ENV_HINTS = frozenset({"ENV"})
_COOKIE_HINTS = frozenset({"ookie"})  # `Cookie`, `cookie` from their second letter
_NETRC_LINE_HINTS = frozenset({"assword ", "assword\t"})
_SETENV_HINTS = frozenset({"setenv", "setx", "set -", "set ", "set\t"})
_DEFINE_HINTS = frozenset({"define"})
_WORD_NEEDLES = frozenset().union(
    _HTPASSWD_HINTS,
    _REDIS_HINTS,
    _SASL_HINTS,
    _PROPERTY_HINTS,
    _CONNECT_HINTS,
    _JWT_HINTS,
    _POETRY_HINTS,
    _COMPOSER_HINTS,
    _JSON_VALUE_HINTS,
    _ENV_HINTS,
    _RUBY_ENV_HINTS,
    _ORACLE_HINTS,
    _SMB_HINTS,
    _CONFIG_SET_HINTS,
    _GH_SECRET_HINTS,
    _STDIN_HINTS,
    _SECURE_STRING_HINTS,
    _BUILDER_HINTS,
    _XML_ENTRY_HINTS,
    _CLI_SET_HINTS,
    _NETRC_HINTS,
    _GRADLE_HINTS,
    _URL_HINTS,
    _SCHEME_HINTS,
    _CURL_HINTS,
    _FLAG_HINTS,
    _DOCKER_ENV_HINTS,
    _COOKIE_HINTS,
    _NETRC_LINE_HINTS,
    _SETENV_HINTS,
    _DEFINE_HINTS,
)

# (needles, pattern); a pattern may name the secret part `secret`, else the whole match is it.
# Derived from gitleaks' config/gitleaks.toml (MIT), with every quantifier bounded; a token
# longer than its bound is redacted to the end of its run of token characters.
_TOKEN_FORMATS: list[tuple[tuple[str, ...], str]] = [
    (("sk-",), r"sk-(?:proj-|svcacct-|admin-|ant-\w{5,8}-|or-v1-)?[A-Za-z0-9_-]{16,256}"),
    (("sk_", "rk_"), r"[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,256}"),
    (("whsec_",), r"whsec_[A-Za-z0-9+/=]{20,256}"),
    (("AKIA", "ASIA", "ABIA", "ACCA", "A3T"), r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"gh[pousr]_[A-Za-z0-9]{30,255}"),
    (("github_pat_",), r"github_pat_[A-Za-z0-9_]{22,255}"),
    (
        (
            "glpat-",
            "gldt-",
            "glft-",
            "glrt-",
            "glcbt-",
            "glimt-",
            "glagent-",
            "gloas-",
            "glptt-",
            "glsoat-",
            "glffct-",
        ),
        r"gl(?:pat|dt|ft|rt|cbt|imt|agent|oas|ptt|soat|ffct)-[A-Za-z0-9_.-]{20,300}",
    ),
    (("GR1348941",), r"GR1348941[A-Za-z0-9_-]{20,64}"),
    (("xox",), r"xox[abposer]-[A-Za-z0-9-]{10,256}"),
    (("xapp-",), r"xapp-\d-[A-Za-z0-9-]{10,256}"),
    (
        ("hooks.slack.com/",),
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9+/_-]{20,256})",
    ),
    (("/api/webhooks/",), r"/api/webhooks/\d{5,30}/(?P<secret>[A-Za-z0-9_-]{20,256})"),
    # A Sentry DSN's key, the user of its URL (`https://KEY@o1.ingest.sentry.io/2`).
    (("sentry.io",), r"//(?P<secret>[0-9a-f]{32})(?::[0-9a-f]{32})?@[\w.-]{0,100}sentry\.io"),
    (("AIza",), r"AIza[0-9A-Za-z_-]{35}"),
    (("GOCSPX-",), r"GOCSPX-[A-Za-z0-9_-]{24,64}"),
    (("ya29.",), r"ya29\.[A-Za-z0-9_-]{20,512}"),
    (("hf_",), r"hf_[A-Za-z0-9]{30,64}"),
    (("api_org_",), r"api_org_[A-Za-z0-9]{30,64}"),
    (("npm_",), r"npm_[A-Za-z0-9]{36,64}"),
    (("pypi-",), r"pypi-[A-Za-z0-9_-]{50,512}"),
    (("SG.",), r"SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}"),
    (("SK",), r"SK[0-9a-fA-F]{32}"),  # Twilio API key
    (("AC",), r"AC[0-9a-f]{32}"),  # Twilio account SID
    (("eyJ",), r"eyJ[A-Za-z0-9_-]{10,256}\.[A-Za-z0-9_-]{10,256}"),  # JWT; the rest by extension
    (("dop_v1_", "doo_v1_", "dor_v1_"), r"do[opr]_v1_[a-f0-9]{64}"),
    (("shpat_", "shpca_", "shppa_", "shpss_"), r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    (("dapi",), r"dapi[a-f0-9]{32}"),
    (("dp.",), r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,64}"),
    (("lin_api_",), r"lin_api_[A-Za-z0-9]{40}"),
    (("NRAK-", "NRII-", "NRJS-"), r"NR(?:AK|II|JS)-[A-Za-z0-9-]{19,40}"),
    (("PMAK-",), r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    (("pul-",), r"pul-[a-f0-9]{40}"),
    (("rubygems_",), r"rubygems_[a-f0-9]{48}"),
    (("hvs.", "hvb."), r"hv[sb]\.[A-Za-z0-9_-]{90,512}"),
    (("AGE-SECRET-KEY-1",), r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    (("ops_eyJ",), r"ops_eyJ[A-Za-z0-9+/=]{100,512}"),
    (("pplx-",), r"pplx-[A-Za-z0-9]{48}"),
    (("glc_", "glsa_"), r"gl(?:c_[A-Za-z0-9+/]{32,400}|sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})"),
    (("sntrys_", "sntryu_"), r"sntry[su]_[A-Za-z0-9+/=_]{40,512}"),
    (("pscale_",), r"pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}"),
    (("xkeysib-",), r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    (("sq0atp-", "sq0csp-"), r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,64}"),
    # Facebook's tokens; Square's (`EAAA`) hold `-` and `_` too.
    (("EAAC", "EAAM", "EAAA"), r"EAA(?:[CM][A-Za-z0-9]{60,512}|A[\w-]{22,512})"),
    (("HRKU-AA",), r"HRKU-AA[A-Za-z0-9_-]{58}"),
    (("ATATT3",), r"ATATT3[A-Za-z0-9_=-]{180,512}"),
    (("v1.0-",), r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    (("dckr_pat_",), r"dckr_pat_[A-Za-z0-9_-]{27,64}"),
    (("r8_",), r"r8_[A-Za-z0-9]{37}"),
    (("gsk_",), r"gsk_[A-Za-z0-9]{52}"),
    (("xai-",), r"xai-[A-Za-z0-9]{80}"),
    (("sbp_",), r"sbp_[a-f0-9]{40}"),
    (("rdme_",), r"rdme_[a-z0-9]{70}"),
    (("pnu_",), r"pnu_[A-Za-z0-9]{36}"),
    (("shippo_",), r"shippo_(?:live|test)_[a-fA-F0-9]{40}"),
    (("key-",), r"key-[0-9a-f]{32}"),  # Mailgun
    # Session 14: formats of gitleaks' rules not covered before (Airtable, HubSpot, Alibaba,
    # Artifactory, Clojars, Dropbox, Dynatrace, EasyPost, Fly.io, OpenShift, SonarQube,
    # Sourcegraph, Typeform). A needle starts at a letter some other needle starts with (a new
    # first letter, `L`, `C`, `f`, `t`, would be tried at each one: see _TOKEN_HINT): Alibaba's
    # at its third, Clojars' at its fourth, Fly's newer tokens at the scheme before them
    # (`FlyV1 fm2_...`) from its second, Typeform's at its third.
    (("pat",), r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}"),
    (("pat-na1-", "pat-eu1-"), r"pat-(?:na|eu)\d-[a-f0-9]{8}(?:-[a-f0-9]{4}){3}-[a-f0-9]{12}"),
    (("AI",), r"LTAI[A-Za-z0-9]{20}"),
    (("AKCp",), r"AKCp[A-Za-z0-9]{69}"),
    (("ARS_",), r"CLOJARS_[a-z0-9]{60}"),
    (("sl.",), r"sl\.[A-Za-z0-9_=-]{130,512}"),
    (("dt0c01.",), r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}"),
    (("EZAK", "EZTK"), r"EZ[AT]K[A-Za-z0-9]{54}"),
    (("o1_", "lyV1 "), r"(?:fo1_[\w-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,1024})"),
    (("sha256~",), r"sha256~[\w-]{43}"),
    (("squ_", "sqp_", "sqa_"), r"sq[upa]_[a-f0-9]{40}"),
    (("sgp_",), r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}"),
    (("p_",), r"tfp_[A-Za-z0-9_.=-]{59}"),
    (("-us",), r"(?<![0-9a-f])[0-9a-f]{32}-us\d{1,2}"),  # Mailchimp
    (("ntn_",), r"ntn_[0-9]{11}[A-Za-z0-9]{35}"),
    (("secret_",), r"secret_[A-Za-z0-9]{43}"),  # Notion
    (("access_token$",), r"access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}"),
    ((".atlasv1.",), r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
    (("Q~",), r"(?<![\w~.])[\w~.]{3}\dQ~[\w~.-]{31,34}"),  # Azure AD client secret
    ((":AA",), r"(?<=\d):(?P<secret>AA[A-Za-z0-9_-]{33})"),  # Telegram bot token
    # Base64 of what a Kubernetes Secret's `data:` holds: a private key (`tls.key`), a registry's
    # credentials (`.dockerconfigjson`); a certificate stays. Connection URLs: _URL_BASE64.
    (
        ("S0tLS1CRUdJTi",),  # needles start with a letter others start with: see _TOKEN_HINT
        r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{0,40}?(?:UFJJVkFURSBLRV|QUklWQVRFIEtFW|SSVZBVEUgS0VZ)",
    ),
    (
        _DOCKER_CONFIG_BASE64 := (
            "eyJhdXRocyI6",
            "eyAiYXV0aHMiO",
            "ewogICJhdXRocyI6",
            "ewoJImF1dGhzIjo",
        ),
        "(?:" + "|".join(_DOCKER_CONFIG_BASE64) + ")[A-Za-z0-9+/=]{4,256}",
    ),
    # Signed URLs: an Azure SAS token's signature, an S3 presigned URL's.
    (("sig=",), r"[?&;]sig=(?P<secret>[A-Za-z0-9%+/=]{16,256})"),
    (("-Amz-Signature=",), r"X-Amz-Signature=(?P<secret>[0-9a-fA-F]{32,128})"),
    # A password in Oracle's JDBC URL, an Ansible inventory's (more are in _SHORT_FORMATS).
    (
        ("ansible_",),
        r"""ansible_(?:ssh_|become_|sudo_)?pass(?:word)?=(?P<secret>(?![{"'$])\S{1,256})""",
    ),
    (
        ("dbc:oracle:",),
        r"""jdbc:oracle:[a-z]{2,8}:[^\s/@:"']{1,128}/(?P<secret>[^\s@"']{1,256})@""",
    ),
]
_TOKEN_TAIL = re.compile(r"(?:[A-Za-z0-9_+/=.~]|-(?!----)){0,1024}")  # not into `-----END`
_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")


# Every token format is a run of at least 15 of these characters (`$` and `:` for Braintree's
# and Telegram's): a window without one (prose, short words) skips the needle search.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_+/=.~$:-]{15}")
_NEEDLES = {needle for needles, _ in _TOKEN_FORMATS for needle in needles} | _WORD_NEEDLES
# The search tries the trie at every character a needle starts with: a needle that would add a
# first character (`L`, `X`, `j`) is written from its second one (a hit inside a token counts).
_TOKEN_HINT = re.compile(_trie(_NEEDLES))
# A window without a token's run of characters holds no token: only the other needles there.
_WORD_HINT = re.compile(_trie(_WORD_NEEDLES))


def _hint_keys(needles: Iterable[str]) -> frozenset[str]:
    # A hit holding a rule's needle counts too: "ACCA" holds "AC", "ops_eyJ" holds "eyJ".
    return frozenset(hit for hit in _NEEDLES if any(needle in hit for needle in needles))


# Formats whose whole match may be shorter than _TOKEN_RUN (`storePassword "abc"`): their
# needles are looked for in windows without such a run too (_WORD_HINT).
_SHORT_FORMATS = [
    # A .netrc line written out by a script: `machine host login user password SECRET`.
    (
        _NETRC_HINTS,
        r"machine[ \t]{1,16}\S{1,256}[ \t]{1,16}(?:login[ \t]{1,16}\S{1,256}[ \t]{1,16})?"
        r"password[ \t]{1,16}(?P<secret>(?![$\[])\S{1,512})",
    ),
    # Android's signing config in Groovy: `storePassword "..."`, `keyPassword '...'`.
    (
        _GRADLE_HINTS,
        r"""Password(?:(?<=storePassword)|(?<=keyPassword))[ \t]{1,16}["']"""
        r"""(?P<secret>[^"'\s$]{1,256})["']""",
    ),
]
# Short formats found by their hints (see _WORD_NEEDLES).
_HINTED_SHORT_FORMATS = [
    # `poetry config http-basic.REPO USER PASSWORD`.
    (
        _POETRY_HINTS,
        r"poetry[ \t]{1,16}config[ \t]{1,16}(?:--[\w-]{1,20}[ \t]{1,16}){0,3}"
        r"http-basic\.\S{1,100}[ \t]{1,16}\S{1,256}[ \t]{1,16}"
        r"""["']?(?P<secret>(?![$\[])[^\s"']{1,256})""",
    ),
    # Composer's auth.json, the host and its token on one line: `"bearer": {"host": "..."}` (a
    # host: OpenAPI's `"bearer": {"type": "http"}` is no token).
    (
        _COMPOSER_HINTS,
        r""""(?:bearer|github-oauth|gitlab-oauth|gitlab-token|bitbucket-oauth)"[ \t]{0,16}:"""
        r"""[ \t]{0,16}\{[ \t]{0,16}"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"[ \t]{0,16}:[ \t]{0,16}"""
        r""""(?P<secret>[^"\s]{1,512})""",
    ),
]
# Base64 of a connection URL (a Kubernetes Secret's DATABASE_URL). Not a hinted format: its
# prefixes would start the needle search at every `b` and `c`; each holds base64 of `://` at
# one of its three alignments, which str.find looks for.
_URL_BASE64 = re.compile(
    "(?:"
    + "|".join(
        (
            "cG9zdGdyZXM6Ly",  # postgres://
            "cG9zdGdyZXNxbDovL",  # postgresql://
            "bXlzcWw6Ly",  # mysql://
            "bW9uZ29kYjovL",  # mongodb://
            "bW9uZ29kYitzcnY6Ly",  # mongodb+srv://
            "cmVkaXM6Ly",  # redis://
            "cmVkaXNzOi8v",  # rediss://
            "YW1xcDovL",  # amqp://
            "YW1xcHM6Ly",  # amqps://
        )
    )
    + ")[A-Za-z0-9+/=]{4,256}"
)
_COLON_SLASHES_BASE64 = frozenset({"6Ly", "ovL", "Oi8v"})
# A DSN with no scheme, as Go's MySQL driver takes it: `user:password@tcp(host:3306)/db`.
_DSN_HOST = re.compile(r"@(?:tcp|unix)\(")


def _dsn_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    start, low = at, max(0, at - 322)
    while start > low and text[start - 1] not in " \t\r\n\"'`=":
        start -= 1
    colon = text.find(":", start, at)
    if colon <= start or colon + 1 == at or _is_placeholder(text[colon + 1 : at]):
        return None
    return colon + 1, at


def _token_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    named = match.re.groupindex.get("secret")
    start, end = match.span(named) if named else match.span()
    if not named and start > 0 and _WORD_CHAR.match(text, start - 1):
        return None  # `task-runner-...` holds "sk-" but is no key
    return start, _extend(text, end)


def _extend(text: str, end: int) -> int:
    """The end of the run of token characters from end (a token longer than its pattern)."""
    while True:
        tail = _TOKEN_TAIL.match(text, end)
        assert tail is not None
        if tail.end() - end < 1024:
            return tail.end()
        end = tail.end()


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Keys of a Kubernetes Secret's data that hold no secret (see _mapping_value).
_PLAIN_DATA_NAMES = _words(
    "user username login host hostname port database dbname db region namespace email"
)


# --- values after secret-like names -------------------------------------------------------------
# The keyword, then the rest of the name, its closing quote or bracket, and the operator. It runs
# on lower-case text, its keywords laid out as a trie (a flat alternation is three times slower);
# `pass`, `pwd`, `auth` and `creds` must start a word (`bypass`, `oauth`), and the handler checks
# on the real text that no keyword goes on in lower case (`tokenizer`, `passwords`; `tokenUrl` is a
# name about a token). `key` alone counts after `preshared`, `client`, `jwt`, `hmac`, `functions`
# (Azure Functions' `x-functions-key` header), `rapidapi` or `application` (Datadog's
# `DD-APPLICATION-KEY`) only, looked for behind it: a keyword starting with a letter no other
# starts with would be tried at each one. `.` joins a key's words too (`datadog.api.key=`).
_ASSIGNMENT_SOURCE = r"""(?P<kw>pass(?:w(?:or)?d|phrase)|pass(?<![a-z]pass)|pwd(?<![a-z]pwd)
    |secret|token|private[_-]?key|master[_.-]?key|encryption[_.-]?key|signing[_.-]?key
    |key(?:(?<=presharedkey)|(?<=preshared_key)|(?<=preshared-key)|(?<=clientkey)|(?<=client_key)
    |(?<=client-key)|(?<=jwtkey)|(?<=jwt_key)|(?<=jwt-key)|(?<=hmackey)|(?<=hmac_key)|(?<=hmac-key)
    |(?<=functions-key)|(?<=functions_key)|(?<=rapidapi-key)|(?<=rapidapi_key)
    |(?<=application-key)|(?<=application_key)|(?<=application.key))
    |a(?:pi[ _.-]?key|ccess[_.-]?key|ccount[_.-]?key|pp[_.-]?key
    |uth(?<![a-z]auth)(?:orization|[_-]?key)?)
    |subscription[_.-]?key|cred(?:entials?|s(?<![a-z]creds)))
    (?P<rest>[\w.-]{0,40}+)(?P<close>\\?["'`\]]{0,2}+)[ \t]{0,16}+
    (?P<op>:=|=>|===?|!==?|\?=|=|:(?![:\\/])|>|(?<=[ \t])value[ \t]{0,4}=
    |(?<=[ \t])string[ \t]{0,4}=(?!=)|<-(?=[ \t]{0,16}["'])|,(?=[ \t]{0,16}[@$]?["'])
    |[{(](?=[ \t]{0,16}["']))"""
_ASSIGNMENT = re.compile(_ASSIGNMENT_SOURCE, re.VERBOSE)
_ASSIGNMENT_ANY_CASE = re.compile(_ASSIGNMENT_SOURCE, re.VERBOSE | re.IGNORECASE)
_ASSIGNMENT_STEMS = frozenset({"pass", "pwd", "secret", "token", "key", "auth", "cred"})
_COMPARISONS = frozenset({"==", "===", "!=", "!=="})
# Words right after the keyword, or right before it, that make a name about a secret, not one.
_NOT_SECRET_AFTER = _words(
    """name names id ids count counts type types kind url urls uri endpoint host path file files
    filename dir len length size env var vars variable field fields header param params prompt
    label title placeholder hint help message msg error errors description desc format fmt
    pattern regex regexp policy ttl expiry expires expiration lifetime timeout limit max min
    budget usage version index mode method scope scopes provider source manager service handler
    validator validation input form reset required enabled disabled visible location ref arn
    rotation strength generator counter estimate list cache class callback getter setter at date
    time timestamp changed updated created store storage option options flag prefix suffix mask
    char chars dialog button widget view page text stdin schema spec template tmpl example
    parser encoder count len"""
)
# Last words of names that hold a secret: the secret words, and what tells versions apart.
_SECRET_LAST = _words(
    """password passwd pwd pass passphrase secret token key apikey credential credentials creds
    auth authorization value val b64 base64 hex raw plain plaintext enc encoded encrypted prod
    production dev development test testing staging stage live local old new current primary
    secondary backup base hash hashed salt default admin root master"""
)
_NOT_SECRET_BEFORE = _words(
    """max min num n count total is has use show hide enable enabled disable disabled require
    required allow should can skip no len need needs with without invalid missing special stop
    bos eos pad unk sep cls"""
)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# What may stand before a name at the start of a line: `export NAME=`, `- NAME=`, `"name":`.
_LEAD = re.compile(
    r"""[ \t]*(?:(?:export|set|setx|ENV|ARG|declare|local|readonly|-)[ \t]+)?["']?"""
)
_BLANKS = re.compile(r"[ \t]{0,64}")
_QUOTE_START = re.compile(r"""(?:[rRbBuUfF]{1,2}|[@$])?(["'`])""")
_STRING_CONTENT = {
    quote: re.compile(rf"(?:[^{quote}\\\r\n]|\\.){{0,{_MAX_VALUE}}}+") for quote in "\"'`"
}
_SHELL_VALUE = re.compile(rf"\S{{1,{_MAX_VALUE}}}+")
_INLINE_VALUE = re.compile(rf"""[^\s,;&)\]}}"'`<>]{{1,{_MAX_VALUE}}}+""")
# `password: str = "..."`: the annotation before a default value.
_TYPE = r"[\w.]{1,100}(?:\[[\w., |\[\]]{0,100}\])?"
_ANNOTATION = re.compile(rf"{_TYPE}(?:[ \t]*\|[ \t]*{_TYPE}){{0,4}}[ \t]*=(?!=)")
_MORE_TYPE = re.compile(r"[ \t]{0,64}[\[|=]")  # an annotation goes on: `str = `, `Optional[`
# After an identifier: a separator, or an operator or keyword set off by blanks (`a or b`,
# `pw + salt`); `my-secret` in a config file is one value, not a subtraction.
_CODE_AFTER = re.compile(
    r"[ \t]{0,64}[,;)\]}]"
    r"|[ \t]{1,64}(?:[+*/%|&^?<>=!-]{1,3}[ \t]|(?:or|and|if|else|in|is|not|for)\b)",
    re.ASCII,
)
_COMMENT = re.compile(r"[ \t]+(?:#|;|//)")
_SCHEME = re.compile(r"(?:Bearer|Basic|Token|Bot|Digest|bearer|basic|token)[ ]+")
_PROSE = re.compile(
    r"(?:[A-Za-z][A-Za-z'()-]{0,40}[,.;:]?[ \t]+){1,40}[A-Za-z][A-Za-z'()-]{0,40}[.!?]?"
)
_PROSE_WORDS = _words(
    "the a an to for of used use is in on with from that which your this if when or and be"
)
_TYPE_NAMES = _words(
    "str string bytes int bool boolean float number any unknown object none char text"
)
_COMMON_NAMES = _words(
    """value val data result res resp response default defaults config cfg conf settings
    options opts args kwargs params env environ os self this key keys tok pw raw text line item
    obj user new old current cur prev payload body header headers cookie session input prompt
    parsed decoded encoded hashed getpass stdin none"""
)
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
# A whole unquoted value that is no secret: a placeholder or a constant, then a separator.
_KEPT_END = r"""(?![^\s,;)\]}"'`\#&<>\[])"""  # `[` for `[REDACTED]`: judged alike when redacted
_KEPT = re.compile(
    rf"\[REDACTED\]|(?:{_PLACEHOLDER_SYMBOLS}|{_PLACEHOLDER_WORD}){_KEPT_END}", re.VERBOSE
)
_IDENTIFIER = r"[A-Za-z_$][\w$]{0,100}(?:(?:\.|::|->|\?\.)[A-Za-z_$][\w$]{0,100}){0,16}"
_IDENTIFIER_ONLY = re.compile(_IDENTIFIER)
# What a value starts as, decided by one match before anything else is computed; a word that
# is a placeholder (`changeme`, `none`) is told apart from other words afterwards.
_VALUE = re.compile(
    rf"""(?P<kept>\[REDACTED\]|(?:{_PLACEHOLDER_SYMBOLS}){_KEPT_END})
    |(?P<quote>(?:[rRbBuUfF]{{1,2}}|[@$])?["'`])
    |(?P<scheme>(?:Bearer|Basic|Token|Bot|Digest|bearer|basic|token)[ ]+(?=[\w.~+/=$-]{{4}}))
    |{_IDENTIFIER}(?:(?P<call>(?=[(\[{{<?]|![(\[{{]))|(?P<word>{_KEPT_END}))?
    |(?P<escaped>\\["'])
    |(?P<other>[^\s])""",
    re.VERBOSE,
)
_MASK = re.compile(r"[xX]{3,}")


def _assignment_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    kw_start, kw_end = match.start("kw") + offset, match.end("kw") + offset
    if kw_end < len(text):
        after = text[kw_end]
        if after.islower() or (after.isupper() and text[kw_end - 1].isupper()):
            return None  # `tokenizer`, `PASSPORT`: the keyword goes on
    start = _skip_blanks(text, match.end() + offset)
    wrapped = _WRAPPED.match(text, start)
    if wrapped:  # `[]byte("...")`: the string is the value
        start = wrapped.end()
    shape = _VALUE.match(text, start)
    if shape is None and match["op"] in ("=", ":"):
        return _next_line_span(ctx, match, offset, start)
    if shape is None or shape.lastgroup == "kept":
        return None  # nothing (`secrets:` opening a mapping), a placeholder or a constant
    typed = match["op"] == ":" and _ANNOTATION.match(text, shape.start()) is not None
    if (
        shape.lastgroup == "word"
        and not typed
        and (
            shape.group().lower() in _PLACEHOLDER_WORDS
            or shape.group() in _CODE_WORDS
            or _MASK.fullmatch(shape.group())
        )
    ):
        return None  # `changeme`, `None`, `await fetch()`; not `apiKey: string = "..."`
    op = match["op"]
    fallback = _FALLBACK.match(text, start) if shape.lastgroup == "call" else None
    if shape.lastgroup == "call" and op != ">" and fallback is None:
        return None  # `get_password()`, `os.environ["KEY"]`
    line_start = ctx.start_of_line(kw_start)
    head = _name_head(text, kw_start, line_start)
    name_end = match.end("rest") + offset
    kind = _name_kind(text[head:kw_start], text[kw_end:name_end])
    if kind == "about" or text.endswith("type ", line_start, head):
        return None  # `type RequestCredentials = "omit" | "include"` declares a type
    if fallback is not None:  # `spring.redis.password=${REDIS_PASS:...}`: the fallback
        return None if _is_placeholder(fallback["secret"]) else fallback.span("secret")
    if op == ":" and head >= 2 and text.startswith("${", head - 2):
        return None  # `${DB_PASSWORD:-default}`: the default is _fallback_span's
    if op == ">" and not (head > 0 and text[head - 1] == "<" and not _word_before(text, head - 1)):
        return None  # only `<password>value</password>`: not `password > 3`, `Promise<Token>`
    if op == "," and not _first_argument(text, match["close"], head, line_start):
        return None  # only `define('DB_PASSWORD', '...')`, `setenv("TOKEN", "...")`
    span = _value_span(ctx, match, offset, shape, head)
    if span is None or not _closes_as_opened(text, span, op, wrapped):
        return None
    value = text[span[0] : span[1]] if span[1] - span[0] <= 256 else ""
    if value and _same_name(value, text[head:name_end]):
        return None  # `CONTINUATION_TOKEN = "continuation_token"`, `api_key=api_key`
    if value and kind == "maybe" and _WORDY.fullmatch(value):
        return None  # `PASSWORD_BANNED = "passwordBanned"`
    env_name = _ENV_NAME.fullmatch(text, head, name_end) is not None
    if op == "," and not _a_pair(text, span, kind, value, env_name):
        return None  # `log("token", "refreshed")`; `define('DB_PASSWORD', 'wordpress')` is one
    return span


# A string turned into bytes or an owned string, as Go, Node, Rust and C# write a literal key, and
# C++'s `std::string{"..."}` and `= {"..."}` (a brace holding the one string: see
# _closes_as_opened).
_WRAPPED = re.compile(
    r"""(?:(?:\[\]byte|Buffer\.from|String::from|new[ \t]String|bytes|Encoding\.UTF8\.GetBytes)"""
    r"""\(|std::(?:string|wstring|string_view)[ \t]{0,4}[({]|\{)[ \t]{0,16}"""
    r"""(?=(?:[rRbBuUfF]{1,2}|[@$])?["'`])"""
)
# C++'s declarations that initialise with a brace or a parenthesis, `std::string api_key{"..."}`,
# `const char* token("...")`: a type (words, maybe templated) and a blank, `*` or `&` before the
# name; the last word no keyword (`return password("...")` is a call).
_DECLARATION = re.compile(r"[ \t]{0,64}(?:[A-Za-z_][\w:<>,]{0,100}[ \t*&]{1,8}){1,6}")
_NOT_TYPES = _words(
    "return else case new delete throw yield await print echo puts not and or in is if while "
    "assert raise typeof sizeof goto co_return co_yield"
)


def _assignment_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """`name{"..."}` and `name("...")` count only as C++ declarations: a call such as
    `check_password("...")` is everywhere in code and must not spend the rule's budget. The
    line is read a bounded way back (ctx.start_of_line would search a long line from its
    start at each call)."""
    if match["op"] not in ("{", "("):
        return True
    text, kw_start = ctx.text, match.start("kw") + offset
    line_start = text.rfind("\n", max(0, kw_start - 264), kw_start) + 1  # bounded: see above
    head = _name_head(text, kw_start, line_start)
    before = text[max(line_start, head - 200) : head]
    if _DECLARATION.fullmatch(before) is None:
        return False
    return before.split()[-1].strip("*&") not in _NOT_TYPES


def _closes_as_opened(text: str, span: Span, op: str, wrapped: re.Match[str] | None) -> bool:
    """A string opened by a brace or parenthesis (`api_key{"..."}`, `= {"..."}`) is the value
    only when that closes right after it: `= {"a": 1}` is an object, not a password."""
    opener = op if op in ("{", "(") else ""
    if wrapped is not None and wrapped.group().rstrip(" \t").endswith("{"):
        opener = "{"
    if not opener:
        return True
    after = _skip_blanks(text, span[1] + 1)
    return text.startswith("}" if opener == "{" else ")", after)


def _next_line_span(ctx: _Context, match: re.Match[str], offset: int, pos: int) -> Span | None:
    """`password=` ending its line and a string alone on the next (a keyword argument or a
    field written over two lines): the string, when the name holds a secret and is no part
    of a string itself, and the string is a whole value (not a key: `password:\n "min": 8`)."""
    text = ctx.text
    line = _NEXT_LINE_STRING.match(text, pos, ctx.end)
    plain = (
        _NEXT_LINE_PLAIN.match(text, pos, ctx.end) if line is None and match["op"] == ":" else None
    )
    if line is None and plain is None:
        return None
    kw_start, kw_end = match.start("kw") + offset, match.end("kw") + offset
    line_start = ctx.start_of_line(kw_start)
    head = _name_head(text, kw_start, line_start)
    name_end = match.end("rest") + offset
    if _name_kind(text[head:kw_start], text[kw_end:name_end]) != "secret":
        return None
    if ctx.open_quotes(head) or match["close"]:
        return None
    if plain is not None:
        return _next_line_plain_span(text, line_start, head, plain)
    assert line is not None
    quote = line["quote"]
    span = _quoted_span(text, line.end(), quote)
    if span is None or not text.startswith(quote, span[1]):
        return None
    return span if _VALUE_END.match(text, span[1] + 1) else None


def _next_line_plain_span(
    text: str, line_start: int, head: int, line: re.Match[str]
) -> Span | None:
    """`password:` ending a YAML line and a plain scalar alone on the next, indented deeper: the
    scalar, unless it is code (`password:\n    pw,` in an object literal) or a placeholder."""
    value = line["value"]
    if len(line["indent"]) <= head - line_start or not _LEAD.fullmatch(text, line_start, head):
        return None
    if value[-1] in ",;:" or _is_placeholder(value):
        return None
    if _IDENTIFIER_ONLY.fullmatch(value) and ("." in value or _reference_like(value)):
        return None  # `settings.PASSWORD`, `db_password`
    return line.span("value")


# A plain scalar alone on the next line: one word, no flow collection, alias, tag or block.
_NEXT_LINE_PLAIN = re.compile(
    r"""\r?\n(?P<indent>[ \t]{1,256})(?P<value>[^\s#'"`{}\[\],&*!|>@%-][^\s(\[]{0,1023}+)"""
    r"[ \t]{0,64}(?:\r?\n|$)"
)
# The next line, and the quote a string on it starts with.
_NEXT_LINE_STRING = re.compile(r"""\r?\n[ \t]{0,256}(?:[rRbBuUfF]{1,2}|[@$])?(?P<quote>["'`])""")
_VALUE_END = re.compile(r"[ \t]{0,64}(?:[,;)}\]]|\r?\n|$)")


def _value_span(
    ctx: _Context, match: re.Match[str], offset: int, shape: re.Match[str], head: int
) -> Span | None:
    """The span of the value after a secret-like name, by the kind of line it is on."""
    text, start = ctx.text, shape.start()
    op, close = match["op"], match["close"]
    # Only the name's own closing quote lies between it and the value.
    open_quotes = ctx.open_quotes(start)
    quoted_name = "'" in close or '"' in close or "`" in close
    if shape.lastgroup == "quote":
        quote = text[shape.end() - 1]
        if quote in open_quotes:
            return None  # the quote closes the string the name is in: `"password: " + pw`
        if text.startswith(quote * 2, shape.end()):
            return _triple_quoted_span(text, shape.end() + 2, quote * 3)
        return _quoted_span(text, shape.end(), quote)
    if shape.lastgroup == "escaped":  # `\"...\"`: code in a JSON string (a notebook's cell)
        return _escaped_span(text, shape.end(), "\\" + text[shape.end() - 1])
    if op in _COMPARISONS:
        return None
    in_string = bool(open_quotes) and not quoted_name
    if shape.lastgroup == "scheme" or op == ">" or text[head] == "-":
        return _inline_span(text, start)  # `Bearer abc`, `<password>abc<`, `--password=abc`
    if in_string:
        span = _inline_span(text, start)  # `"token=abc"`
        if span and op == ":" and start > match.end() + offset:
            value = text[span[0] : span[1]]
            return span if _looks_random(value) else None  # `"getToken: called"`: a log line
        return span
    adjacent = match.start("op") == match.end("close") and start == match.end() + offset
    line_start = ctx.line_start
    at_line_start = head - line_start <= 40 and _LEAD.fullmatch(text, line_start, head) is not None
    name = text[head : match.end("rest") + offset]
    if op == "=" and adjacent and not quoted_name and at_line_start:
        if not (shape.lastgroup == "word" and name.islower()):
            return _shell_span(text, start)  # `DB_PASSWORD=x`; `api_key=api_key,` is a kwarg
    elif op == "=" and adjacent and _looks_inline(text, head, match.end("rest") + offset):
        return _inline_span(text, start)
    if op == ":" and text[start] == "&" and not quoted_name:
        typed = _annotated_span(text, start)  # else a YAML anchor: `password: &pw ...`
        if typed is not None:
            return typed
    if shape.lastgroup == "word":
        if op == ":" and not at_line_start and _flow_mapping_value(text, line_start, head, shape):
            return shape.span()
        return _word_span(text, shape, op, at_line_start and op in ("=", ":"), quoted_name)
    return _literal_span(text, start, at_line_start and op in ("=", ":"))


def _escaped_span(text: str, start: int, close: str) -> Span | None:
    """A string whose quotes are escaped (`\"`), up to the escaped quote closing it on its line."""
    end = text.find(close, start, _line_end(text, start, min(len(text), start + _MAX_VALUE)))
    scheme = _SCHEME.match(text, start, end) if end > start else None
    start = scheme.end() if scheme else start  # `\"Bearer ...\"`: the token
    content = text[start:end]
    if end <= start or _is_placeholder(content) or _names_a_secret(content):
        return None
    return start, end


def _flow_mapping_value(text: str, line_start: int, head: int, word: re.Match[str]) -> bool:
    """`{user: app, password: s3cr3tValue9}`: a plain value in a YAML flow mapping, when it
    looks random (letters and digits, and no name: `{password: pw}` in JavaScript is code)."""
    value = word.group()
    if len(value) < 8 or not value.isalnum() or value.isalpha() or value.isdigit():
        return False
    if _reference_like(value) or not _FLOW_ITEM_END.match(text, word.end()):
        return False
    before = text[max(line_start, head - 256) : head]
    brace = before.rfind("{")
    return brace != -1 and "}" not in before[brace:]


_FLOW_ITEM_END = re.compile(r"[ \t]{0,16}[,}]")


def _a_pair(text: str, span: Span, kind: str, value: str, env_name: bool) -> bool:
    """`("NAME", "value")` is a name and its secret when the call has just these two arguments
    (not `("authorization", "x-amz-date", ...)`), the name holds a secret (not
    `"HTTPPasswordMgr"`), and the value looks like one or the name is an environment's."""
    after = _skip_blanks(text, span[1] + 1)
    if text[after : after + 1] != ")" or kind != "secret":
        return False
    return not value or _looks_random(value) or env_name


def _first_argument(text: str, close: str, head: int, line_start: int) -> bool:
    """Whether a quoted name is a call's first argument (its value the second): not an item
    of a list (`["password", "email"]`), nor a flag (`add_argument("--token", "-t")`)."""
    if not close or close[0] not in "\"'`" or head < 1 or text[head - 1] != close[0]:
        return False
    before = text[max(line_start, head - 65) : head - 1].rstrip()
    return before.endswith("(") and text[head] != "-"


def _word_before(text: str, pos: int) -> bool:
    return pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] == "_")


def _same_name(value: str, name: str) -> bool:
    return _NAME_NOISE.sub("", value).lower() == _NAME_NOISE.sub("", name).lower()


_NAME_NOISE = re.compile(r"[\W_]")
# A value that reads as a word or a name, not as a secret (no digits, no symbols but these).
_WORDY = re.compile(r"(?:[A-Za-z_ ./:-]|\$?\{[\w.]{0,100}\})+")
_CODE_WORDS = _words("await new yield lambda function async typeof not require import this")


_NAME_CHARS = "".join(map(chr, range(48, 58))) + "".join(map(chr, range(65, 91)))
_NAME_CHARS += _NAME_CHARS.lower() + "_.-"


def _skip_blanks(text: str, pos: int) -> int:
    blanks = _BLANKS.match(text, pos)
    return blanks.end() if blanks else pos


def _name_head(text: str, kw_start: int, line_start: int) -> int:
    """Where the name holding the keyword starts (`DB_` in `DB_PASSWORD`)."""
    before = text[max(line_start, kw_start - 64) : kw_start]
    return kw_start - (len(before) - len(before.rstrip(_NAME_CHARS)))


def _name_kind(before: str, rest: str) -> str:
    """ "about" a secret (`token_count`, `secret_name`, `max_tokens`), "secret" when its last
    word says it holds one (`DB_PASSWORD`, `SECRET_KEY_BASE`, `token_2`), else "maybe"
    (`PASSWORD_BANNED`, `TokenCredentialName`): a maybe holds a secret only if it looks like one."""
    words = _WORDS.findall(rest)
    if words and words[0].lower() in _NOT_SECRET_AFTER:
        return "about"
    if before:
        words_before = _WORDS.findall(before)
        if words_before and words_before[-1].lower() in _NOT_SECRET_BEFORE:
            return "about"
    if not words or words[-1].lower() in _SECRET_LAST or words[-1].isdigit():
        return "secret"
    return "maybe"


def _looks_inline(text: str, head: int, name_end: int) -> bool:
    """`NAME=value` inside a line: a query string, connection string or command (also
    `--from-literal=password=...`), not a kwarg (keyword arguments are lower case)."""
    return (head > 0 and text[head - 1] in "?&;:=") or not text[head:name_end].islower()


def _quoted_span(text: str, start: int, quote: str) -> Span | None:
    end = _string_end(text, start, quote)
    # YAML and SQL write a quote in a single-quoted string as '' (Python joins 'a''b'): the
    # string goes on.
    while quote == "'" and end > start and text.startswith("''", end) and end - start < 4096:
        end = _string_end(text, end + 2, quote)
    if end == start:
        return None
    if end - start <= 256:
        content = text[start:end]
        scheme = _SCHEME.match(content)
        if scheme:
            start += scheme.end()
            content = content[scheme.end() :]
        if not content or _is_placeholder(content) or _names_a_secret(content):
            return None
    return start, end


def _triple_quoted_span(text: str, start: int, quotes: str) -> Span | None:
    """A triple-quoted string's content on its first line (the lines after it, if it goes on,
    are redacted by _string_body)."""
    line_end = _line_end(text, start, min(len(text), start + _MAX_VALUE))
    close = text.find(quotes, start, line_end)
    end = line_end if close == -1 else close
    content = text[start:end]
    if not content.strip() or _is_placeholder(content) or _names_a_secret(content):
        return None
    return start, end


def _string_end(text: str, start: int, quote: str, end: int | None = None) -> int:
    """Where the string whose content starts at `start` ends: its closing quote, the line's
    end, or `end`."""
    pattern, limit = _STRING_CONTENT[quote], len(text) if end is None else end
    pos = start
    while True:
        content = pattern.match(text, pos, limit)
        assert content is not None
        pos = content.end()
        if pos >= limit or text[pos] in (quote, "\r", "\n") or content.end() == content.start():
            return pos


def _shell_span(text: str, start: int) -> Span | None:
    """NAME=value at the start of a line (shell, .env, properties): the value up to a blank."""
    if _KEPT.match(text, start):
        return None
    return _scheme_split(text, start, _run_end(text, start, _SHELL_VALUE))


def _inline_span(text: str, start: int) -> Span | None:
    """A value written into a string, URL, XML element or flag: up to a separator."""
    scheme = _SCHEME.match(text, start)
    if scheme:
        start = scheme.end()
    if _KEPT.match(text, start):
        return None
    end = _run_end(text, start, _INLINE_VALUE)
    return (start, end) if end > start else None


def _run_end(text: str, start: int, pattern: re.Pattern[str]) -> int:
    """The end of a run of `pattern` characters, read in bounded steps."""
    pos = start
    while True:
        run = pattern.match(text, pos)
        if run is None:
            return pos
        pos = run.end()
        if pos - run.start() < _MAX_VALUE:
            return pos


def _word_span(
    text: str, word: re.Match[str], op: str, at_line_start: bool, quoted_name: bool
) -> Span | None:
    """An unquoted identifier-like value: code (`password = pw`, `password: str`), unless it
    stands alone on a config line (`password = hunter2`, `password: letmein`)."""
    start, end = word.span()
    value = word.group()
    if op == ":" and not quoted_name:
        if _MORE_TYPE.match(text, end) and _ANNOTATION.match(text, start):
            return _annotated_span(text, start)  # `password: str = "hunter2"`
        if _type_like(value):
            return None  # `password: str`
    if not at_line_start or _CODE_AFTER.match(text, end):
        return None  # code: an argument, an expression, `x if password else y`
    dotted = "." in value or "::" in value or "->" in value
    if (dotted and not _random_part(value)) or (not dotted and _reference_like(value)):
        return None  # `settings.API_KEY`, `default_password`; not `MTIz...Njc4.GaBcDe.abc...`
    if _is_prose(text, start):
        return None
    return start, _config_value_end(text, start)


def _random_part(value: str) -> bool:
    """A dotted value with a part no name is (16 characters or more, a digit among letters,
    not snake or camel case): a token in parts (Discord's, Dynatrace's), not `settings.token`,
    `config.v2.api_key` or `np.float64`."""
    return any(
        len(part) >= 16
        and _DIGIT.search(part) is not None
        and _LETTER.search(part) is not None
        and not _NAME_SHAPE.fullmatch(part)
        for part in _PARTS.split(value)
    )


_PARTS = re.compile(r"\.|::|->")


def _annotated_span(text: str, start: int) -> Span | None:
    """The string after a type annotation and `=`: `password: str = "..."`, `apiKey: string =
    '...'`, Rust's `API_KEY: &'static str = "..."`; None without one."""
    reference = _REFERENCE_TYPE.match(text, start)
    annotation = _ANNOTATION.match(text, reference.end() if reference else start)
    if annotation is None:
        return None
    quote = _QUOTE_START.match(text, _skip_blanks(text, annotation.end()))
    return _quoted_span(text, quote.end(), quote[1]) if quote else None


_REFERENCE_TYPE = re.compile(r"&(?:'\w{1,20}[ \t]{1,4})?(?:mut[ \t]{1,4})?")


def _literal_span(text: str, start: int, at_line_start: bool) -> Span | None:
    """An unquoted value that is no identifier: a number, a blob, a container."""
    first = text[start]
    anchor = _YAML_PROPERTIES.match(text, start) if first in "&!" and at_line_start else None
    if anchor:  # `password: &pw value`, `secret: !!str value`: the value after YAML's anchor, tag
        return _anchored_span(text, anchor.end())
    if first in "([{!&*|>" or (first == "/" and not at_line_start):
        return None  # a container, a negation, a pointer, a YAML tag or block, a regex
    if text.startswith("<<", start):
        return None  # a heredoc: its lines are redacted after its line (_heredoc_body)
    end = _run_end(text, start, _INLINE_VALUE)
    number = _NUMBER.fullmatch(text, start, end) is not None
    if number and (end - start < 4 or not at_line_start or _CODE_AFTER.match(text, end)):
        return None  # a number in code is a count, a code or an id (`ACCESS_TOKEN: 2001,`)
    if at_line_start:
        return start, _config_value_end(text, start)
    return (start, end) if end > start else None


_NUMBER = re.compile(r"[+-]?(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?)")
# An anchor and a core tag (`!!str`, `!!binary`; a tag of one `!` names where the value is:
# `!secret wifi_password`, `!Ref DbPassword`, `!vault`).
_YAML_PROPERTIES = re.compile(r"(?:(?:&[\w-]{1,100}|!![a-z]{1,16})[ \t]{1,16}){1,2}(?=[^\s#|>])")


def _anchored_span(text: str, start: int) -> Span | None:
    quote = _QUOTE_START.match(text, start)
    if quote:
        return _quoted_span(text, quote.end(), quote[1])
    if _KEPT.match(text, start) or text[start] in "[{*!":
        return None  # a placeholder, a flow collection, an alias, a tag
    end = _config_value_end(text, start)
    return (start, end) if end > start else None


def _type_like(word: str) -> bool:
    return word.lower() in _TYPE_NAMES or (word[0].isupper() and word.isalpha())


_ASSIGNMENT_WORD = re.compile(r"passw|secret|token|key|auth|cred|pass|pwd", re.IGNORECASE)


def _reference_like(word: str) -> bool:
    """A variable, not a password: `default_password`, `authToken`, `pw`, `value`."""
    if _DIGIT.search(word):
        return _numbered_name(word)
    if word.lower() in _WORDS_HOLDING_KEY:
        return False  # `monkey`, a common password, holds `key` as no name does
    return len(word) <= 2 or word.lower() in _COMMON_NAMES or _REFERENCE.search(word) is not None


_WORDS_HOLDING_KEY = _words("monkey donkey turkey whiskey hockey jockey")


def _numbered_name(word: str) -> bool:
    """A name with digits, written as names are and holding a secret's word or a common name
    (`token2`, `base64_password`, `authToken1`, `value1`), not a password with digits in it
    (`monkey123`, `Passw0rd`, `Secret123`, `hunter2`), which holds such a word only inside
    another one (`monkey`) or is not written as a name is."""
    if len(word) <= 3 or "$" in word:
        return True
    if not _NAME_SHAPE.fullmatch(word):
        return False
    parts = [part.lower() for part in _WORDS.findall(word)]
    return word.rstrip("0123456789_").lower() in _COMMON_NAMES or any(
        part in _SECRET_PARTS for part in parts
    )


_DIGIT = re.compile(r"\d")
# snake_case, camelCase, SCREAMING_SNAKE_CASE, or lower case and a number.
_NAME_SHAPE = re.compile(
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+|[a-z]+[0-9]+"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
)
_SECRET_PARTS = _words(
    """password passwd pass pwd pw passphrase secret token key apikey auth cred creds credential
    credentials"""
)
# snake_case or camelCase, a `$`, or a secret word: `default_password`, `authToken`, `$pw`.
_REFERENCE = re.compile(r"[^\W_]_[^\W_]|[a-z][A-Z]|\$|(?i:passw|secret|token|key|auth|cred|pwd)")


def _is_prose(text: str, start: int) -> bool:
    """`token: The API token to use.` in a docstring is a description, not a value."""
    value = text[start : _line_end(text, start, min(len(text), start + 257))].rstrip()
    if " " not in value or len(value) > 256 or not _PROSE.fullmatch(value):
        return False
    words = set(value.lower().split())
    return value[0].isupper() or value.endswith(".") or bool(_PROSE_WORDS & words)


def _config_value_end(text: str, start: int) -> int:
    """A config value runs to the end of its line, before a comment and a trailing comma."""
    line_end = _line_end(text, start, len(text))
    comment = _COMMENT.search(text, start, min(line_end, start + _MAX_VALUE))
    end = comment.start() if comment else line_end
    while end > start and text[end - 1] in " \t,;":
        end -= 1
    return end


def _scheme_split(text: str, start: int, end: int) -> Span | None:
    scheme = _SCHEME.match(text, start, end)
    if scheme:
        start = scheme.end()
    return (start, end) if start < end else None


def _is_placeholder(content: str) -> bool:
    return _PLACEHOLDER.fullmatch(content) is not None


def _names_a_secret(content: str) -> bool:
    """A string that names a secret or says where it is, not the secret: `"OPENAI_API_KEY"`,
    `"access-token"`, `f"{prefix}{token}"`, `"/oauth2/v2.0/token"`."""
    if _WHERE.fullmatch(content) or _SMALL_NUMBER.fullmatch(content):
        return True
    named = _ENV_NAME.fullmatch(content) or (
        _WORDY.fullmatch(content)
        and (any(sep in content for sep in "-_. ") or _CAMEL_HUMP.search(content))
    )
    return bool(named) and _ASSIGNMENT_WORD.search(content) is not None


_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){1,10}")
_SMALL_NUMBER = re.compile(r"-?\d{1,3}")
_CAMEL_HUMP = re.compile(r"[a-z][A-Z]")
# Only template fields, or a path or URL with no password in it.
_WHERE = re.compile(r"(?:\$?\{[^{}\r\n]{0,200}\}|[./:_-])+|(?:https?://[^\s:@/]+)?/[\w./%-]*")


# --- URLs, headers, flags -----------------------------------------------------------------------
_URL_USERINFO = re.compile(
    r"""://(?P<user>[^\s:/@"'`<>\[\]{}]{0,128}+):(?P<rest>[^\s"'`<>]{1,512}+)"""
)
_PORT = re.compile(r"\d{1,5}(?:/.*)?", re.DOTALL)


def _url_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    rest = match["rest"]
    for stop in ("?", "#"):
        cut = rest.find(stop)
        if cut != -1:
            rest = rest[:cut]
    at = rest.rfind("@")  # the last `@` before the host: a password may hold `@` and `/`
    if at <= 0 or at == len(rest) - 1:
        return None
    password = rest[:at]
    if _PORT.fullmatch(password) or _is_placeholder(password):
        return None  # `https://host:8080/@scope/pkg` has a port, not a password
    start = match.start("rest")
    return start, start + at


_STANDALONE_SCHEME = re.compile(r"(?:Bearer|Basic)[ ]+(?P<secret>[A-Za-z0-9._~+/=-]{12,512}+)")


def _scheme_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, start = ctx.text, match.start()
    if start > 0 and _WORD_CHAR.match(text, start - 1):
        return None
    token = match["secret"]
    if not _looks_random(token) or _is_placeholder(token):
        return None  # "Basic authentication is..."
    return match.start("secret"), _extend(text, match.end("secret"))


def _looks_random(token: str) -> bool:
    """A digit, a symbol or mixed case: `dXNlcjpwYXNz`, `abc.DEF.ghi`, not `authentication`,
    `in-memory`, `auth_uri=` or `Binding.`"""
    token = token.rstrip("=.,;:")
    return any(char.isdigit() or char in "+/~" for char in token) or (
        any(char.isupper() for char in token[1:]) and any(char.islower() for char in token)
    )


_CURL_USER = re.compile(
    r"""(?<![\w-])(?:-u|--user)(?:[ \t]{1,8}|=)["']?[^\s:"']{1,128}+:(?P<secret>[^\s"']{1,512}+)"""
)


def _curl_user_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    secret = match["secret"]
    if secret.isdigit() or _is_placeholder(secret):
        return None  # `-u 1000:1000` is a user and group id
    return match.span("secret")


_FLAG = re.compile(r"--(?<![\w-]--)(?P<name>[A-Za-z][\w-]{0,60}+)[ \t]{1,8}+(?=[^\s-])")
_FLAG_WORD = re.compile(
    r"passw(?:or)?d|passphrase|secret|token|api-?key|access-?key|private-?key|credentials?|auth",
    re.IGNORECASE,
)


def _flag_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """`--password hunter2`, `--api-key sk-...` on a command line."""
    name = match["name"]
    word = _FLAG_WORD.search(name)
    if word is None or _name_kind(name[: word.start()], name[word.end() :]) == "about":
        return None
    text, start = ctx.text, match.end()
    quote = _QUOTE_START.match(text, start)
    if quote:
        return _quoted_span(text, quote.end(), quote[1])
    span = _shell_span(text, start)
    if span and span[1] - span[0] <= 256 and _names_a_secret(text[span[0] : span[1]]):
        return None  # `--client-secret clientSecret` in a usage line
    return span


# A password given to a command line tool by a short flag: `mysql -pSECRET`, `sshpass -p SECRET`,
# `redis-cli -a SECRET`, `keytool -storepass SECRET`, `openssl ... -passout pass:SECRET`. Which
# flag carries it depends on the tool (`-p` is a port to redis-cli and docker run), so the tool
# is the last command word before the flag on its line. The pattern starts with a literal `-`.
_COMMAND_FLAG = re.compile(
    r"-(?<![\w-]-)(?P<flag>(?:src|dest)?(?:store|key)pass|pass(?:in|out)?|[pawPk])"
)
_COMMAND = re.compile(
    r"""(?<![\w.-])(?P<tool>mysql[\w-]{0,20}|mariadb[\w-]{0,20}|sshpass|redis-cli
    |mongo(?:sh|dump|restore|import|export|stat|top)?|ldap[a-z]{2,12}|zip|unzip|7z[az]?
    |docker|podman|nerdctl|az|sqlcmd|bcp|keytool|openssl)(?=[ \t]|["'][ \t]{0,8},)""",
    re.VERBOSE,
)
_COMMAND_VALUE = re.compile(rf"[^\s;|&<>]{{1,{_MAX_VALUE}}}+")  # a shell operator ends it
_KEYTOOL_FLAGS = ("storepass", "keypass", "srcstorepass", "deststorepass", "srckeypass")
# By tool: its password flags, and how the value follows (`attached`: `-pSECRET` only, as a
# blank after mysql's `-p` makes it ask; `spaced`: `-P SECRET` only; `pass:` as openssl writes it).
_TOOL_FLAGS: dict[str, dict[str, str]] = {
    "mysql": {"p": "attached"},
    "7z": {"p": "attached"},
    "sshpass": {"p": "both"},
    "mongo": {"p": "both"},
    "redis-cli": {"a": "both"},
    "ldap": {"w": "both"},
    "sqlcmd": {"P": "both"},
    "zip": {"P": "spaced"},
    "login": {"p": "spaced"},  # docker, podman, nerdctl login
    "keytool": dict.fromkeys((*_KEYTOOL_FLAGS, "destkeypass"), "spaced"),
    "openssl": {"passin": "pass:", "passout": "pass:", "pass": "pass:", "k": "spaced"},
}
_TOOL_KIND = {
    "mariadb": "mysql",
    "7za": "7z",
    "7zz": "7z",
    "unzip": "zip",
    "bcp": "sqlcmd",
    "docker": "login",
    "podman": "login",
    "nerdctl": "login",
    "az": "login",  # az login --service-principal -u ID -p SECRET
}


def _tool_kind(tool: str) -> str:
    for prefix in ("mysql", "mariadb", "mongo", "ldap"):
        if tool.startswith(prefix):
            return _TOOL_KIND.get(prefix, prefix)
    return _TOOL_KIND.get(tool, tool)


def _after_a_tool(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """Whether the flag follows a tool that takes a password by it (ctx.tool, then). The line
    is read for command words once, up to each flag in turn: `mkdir -p` costs little."""
    text, flag_start = ctx.text, match.start()
    if ctx.tool_read < 0:
        ctx.tool_read = ctx.line_start
    newline = text.rfind("\n", ctx.tool_read, flag_start)
    if newline != -1:  # a new line: no command word on it yet
        ctx.tool, ctx.tool_read = None, newline + 1
    for word in _COMMAND.finditer(text, ctx.tool_read, flag_start):
        ctx.tool = word
    ctx.tool_read = max(ctx.tool_read, flag_start)
    tool = ctx.tool
    if tool is None:
        return False
    kind = _tool_kind(tool["tool"])
    if kind == "login" and " login " not in text[tool.end() - 1 : flag_start]:
        return False  # `docker run -p 8080:80`
    return match["flag"] in _TOOL_FLAGS[kind]


def _command_flag_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    assert ctx.tool is not None  # _after_a_tool said so
    text = ctx.text
    mode = _TOOL_FLAGS[_tool_kind(ctx.tool["tool"])][match["flag"]]
    pos = match.end()
    if pos < len(text) and text[pos] not in " \t\r\n":
        if mode in ("spaced", "pass:"):
            return None  # another flag: `-password`, `-print`
    elif mode == "attached":
        return None  # `mysql -p db` asks for the password
    else:
        pos = _skip_blanks(text, pos)
    quote = text[pos : pos + 1]
    if quote in ("'", '"'):
        start, end = pos + 1, _string_end(text, pos + 1, quote)
    else:
        start, end = pos, _run_end(text, pos, _COMMAND_VALUE)
        # An item of an argument list (`["mysqladmin", "ping", "-pSECRET"]`) ends at its quote.
        opening = text[match.start() - 1] if match.start() else ""
        close = text.find(opening, start, end) if opening in ("'", '"') else -1
        end = end if close == -1 else close
    if mode == "pass:":
        if not text.startswith("pass:", start, end):
            return None  # `env:NAME`, `file:path`, `stdin`
        start += len("pass:")
    content = text[start:end] if end - start <= 256 else "-"
    if start >= end or content.startswith("-") or _is_placeholder(content):
        return None
    return start, end


# A Dockerfile's `ENV NAME value` (the form without `=`): the rest of the line is the value.
_DOCKER_ENV = re.compile(
    r"ENV[ \t]{1,16}(?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})[ \t]{1,16}(?=[^\s=])"
)


def _docker_env_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, pos = ctx.text, match.start()
    while pos > 0 and text[pos - 1] in " \t" and match.start() - pos < 64:
        pos -= 1
    if (pos > 0 and text[pos - 1] != "\n") or not _holds_a_secret(match["name"]):
        return None  # not an instruction, or no secret's name
    start = match.end()
    if _KEPT.match(text, start):
        return None  # `ENV DB_PASSWORD $FROM_ARG`
    end = _line_end(text, start, min(len(text), start + _MAX_VALUE))
    while end > start and text[end - 1] in " \t":
        end -= 1
    return (start, end) if end > start else None


# `htpasswd -b FILE USER PASSWORD`, `htpasswd -nb USER PASSWORD`: batch mode (-b) takes the
# password as the last argument. -C and -r take a number.
_HTPASSWD = re.compile(r"htpasswd(?<![\w-]htpasswd)(?=[ \t])")
# A word of a command line: quoted, or up to a blank or an operator (a backtick too: Markdown's
# `htpasswd -b`, quoted in prose, ends there).
_SHELL_WORD = re.compile(
    rf"""'[^'\r\n]{{0,{_MAX_VALUE}}}'|"(?:[^"\\\r\n]|\\.){{0,{_MAX_VALUE}}}"|[^\s;|&<>'"`]{{1,{_MAX_VALUE}}}"""
)
_OPTIONS = re.compile(r"-[A-Za-z]{1,10}")


def _htpasswd_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, pos = ctx.text, match.end()
    end = _line_end(text, pos, min(ctx.end, pos + _CALL_REACH))
    flags, words = "", list[Span]()
    while len(words) < 3 and (word := _SHELL_WORD.match(text, _skip_blanks(text, pos), end)):
        pos = word.end()
        if word[0].startswith("-") and not words:  # options come before the arguments
            if not _OPTIONS.fullmatch(word[0]):
                return None
            flags += word[0][1:]
            if word[0][-1] in "Cr":  # its number follows
                number = _SHELL_WORD.match(text, _skip_blanks(text, pos), end)
                pos = number.end() if number else pos
        else:
            words.append(word.span())
    wanted = 1 if "n" in flags else 2  # -n prints the line: no file argument
    if "b" not in flags or len(words) <= wanted:
        return None
    start, stop = words[wanted]
    if text[start] in "'\"":
        start, stop = start + 1, stop - 1
    return None if start >= stop or _is_placeholder(text[start:stop]) else (start, stop)


# A .pgpass line, `host:port:database:user:password`, in the file or written by a script
# (`echo "db:5432:app:app:..." >> ~/.pgpass`). Found by its `:port:` (a number or `*`), then
# read back to the host: a name, `*`, or an address, at a line's start, after a blank or quote.
_PGPASS = re.compile(r""":(?:\d{1,5}|\*):[^\s:'"]{1,128}:[^\s:'"]{1,128}:""")
_PGPASS_HOST = re.compile(r"\*|[\w.-]{0,252}[A-Za-z][\w.-]{0,252}|\d{1,3}(?:\.\d{1,3}){3}")


def _pgpass_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    start, low = at, max(ctx.start, at - 253)
    while start > low and text[start - 1] not in " \t\r\n\"'":
        start -= 1
    if not _PGPASS_HOST.fullmatch(text, start, at):
        return None
    line_start = ctx.start_of_line(at)
    before = text[start - 1] if start > line_start else ""
    if before in ("'", '"'):
        end = _string_end(text, match.end(), before)
    elif _at_line_start(text, line_start, start):  # the line is the entry: the rest is the password
        end = _line_end(text, match.end(), ctx.end)
        while end > match.end() and text[end - 1] in " \t":
            end -= 1
    else:
        end = _run_end(text, match.end(), _SHELL_VALUE)
    value = text[match.end() : end] if end - match.end() <= 256 else "-"
    if not value or _is_placeholder(value):
        return None
    return match.end(), end


# Redis' password settings, in redis.conf (`requirepass ...` at a line's start, not in the
# `# requirepass foobared` comment) or on redis-server's command line (`--requirepass ...`).
# Two patterns, each starting with its literal: an alternation of the two would be tried at
# every character.
_REQUIREPASS = re.compile(r"requirepass(?<!\wrequirepass)")
_MASTERAUTH = re.compile(r"masterauth(?<!\wmasterauth)")
_REDIS_FLAG = re.compile(r"(?<![\w-])--")


def _redis_auth_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    blanks = _BLANKS.match(text, match.end())
    start = blanks.end() if blanks else match.end()
    if start == match.end() or start - match.end() > 16:
        return None  # `requirepass-file`, or no value
    if text[at - 1 : at] == "-":
        if at < 2 or not _REDIS_FLAG.match(text, at - 2, at):
            return None  # `-requirepass`, `x--requirepass`
    elif not _at_line_start(text, ctx.start_of_line(at), at):
        return None
    return _word_value(text, start)


# Postfix's sasl_passwd: `[smtp.example.com]:587 user:password`, a line of its own.
_SASL_PASSWD = re.compile(r"\[[\w.-]{1,253}\]:\d{1,5}[ \t]{1,16}[^\s:]{1,256}:(?=[^$\[\s])")


def _sasl_passwd_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    if not _at_line_start(text, ctx.start_of_line(at), at):
        return None
    return match.end(), _run_end(text, match.end(), _SHELL_VALUE)


def _word_value(text: str, start: int) -> Span | None:
    """A command word's content (a quoted one's, within its quotes), unless a placeholder."""
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        start, end = start + 1, _string_end(text, start + 1, quote)
    else:
        end = _run_end(text, start, _COMMAND_VALUE)
    content = text[start:end] if end - start <= 256 else "-"
    return None if start >= end or _is_placeholder(content) else (start, end)


# A default written into a placeholder: `${MAIL_PASSWORD:fallback}` (Spring), `${DB_PASS:-...}`
# (shell, Compose): the fallback is a literal, a secret when the name holds one.
_FALLBACK = re.compile(r"""\$\{(?P<name>[A-Za-z_][\w.-]{0,100}):-?(?P<secret>[^}\s"'`]{1,256})\}""")


def _fallback_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    if not _holds_a_secret(match["name"]) or _is_placeholder(match["secret"]):
        return None
    return match.span("secret")


# A Java properties line whose name and value are set apart by a blank (`ldap.bind.credentials
# value`): a dotted name alone on its line with one word after it.
# The pattern starts at the last word's dot (found fast); the name before it is checked after.
_SPACED_PROPERTY = re.compile(
    r"(?m)\.(?:password|passwd|pass|pwd|secret|credentials|token)[ \t]{1,16}"
    r"(?P<value>[^\s=:#!][^\s]{0,1023})[ \t]*\r?$"
)
_PROPERTY_NAME = re.compile(r"[ \t]{0,64}(?P<name>[A-Za-z][\w-]{0,40}(?:\.[\w-]{1,40}){0,7})")


def _spaced_property_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, dot = ctx.text, match.start()
    line_start = ctx.start_of_line(dot)
    lead = _PROPERTY_NAME.fullmatch(text, line_start, dot) if dot - line_start <= 400 else None
    if lead is None or _KEPT.fullmatch(match["value"]):
        return None
    name = lead["name"] + text[dot : _skip_blanks_back(text, dot, match.start("value"))]
    return match.span("value") if _holds_a_secret(name) else None


# A name and its value as one JSON object's members: ECS' `{"name": "API_TOKEN", "value": "..."}`,
# Postman's `{"key": "password", "value": "..."}`.
_JSON_NAMED_VALUE = re.compile(
    r""""(?:name|key)"[ \t]{0,16}:[ \t]{0,16}"(?P<name>[^"\s]{1,100})"[ \t]{0,16},[ \t]{0,16}"""
    r'"value"[ \t]{0,16}:[ \t]{0,16}"'
)


def _json_named_value_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return _quoted_span(ctx.text, match.end(), '"') if _holds_a_secret(match["name"]) else None


# A literal after an environment variable holding a secret, as the value when it is unset:
# `process.env.DB_PASSWORD || "..."`, `?? '...'`, `os.environ.get("DB_PASSWORD") or "..."`,
# `ENV.fetch("APP_SECRET") { "..." }`.
_ENV_FALLBACK, _RUBY_ENV_FALLBACK = (
    re.compile(
        env + r"""(?:iron)?(?:\.(?P<attr>[A-Za-z_]\w{0,100})|\[["'](?P<item>[^"'\s]{1,100})["']\]"""
        r"""|(?:\.get|\.fetch)?\(["'](?P<call>[^"'\s]{1,100})["']\))"""
        r"""[ \t]{0,8}(?:\|\||\?\?|or(?![\w$])|\{)[ \t]{0,8}(?=["'`])"""
    )
    for env in ("env", "ENV")  # two patterns, each starting with its literal
)


def _env_fallback_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    name = match["attr"] or match["item"] or match["call"]
    if not _holds_a_secret(name):
        return None
    quote = ctx.text[match.end()]
    span = _quoted_span(ctx.text, match.end() + 1, quote)
    return span if span and ctx.text.startswith(quote, span[1]) else None


# Oracle's tools take `user/password@database` (`sqlplus scott/...@orcl`, `expdp system/...`,
# `sqlldr userid=scott/...`, `rman target sys/...@db`).
_ORACLE_TOOL = re.compile(r"(?<![\w-])(?:sqlplus|expdp|impdp|sqlldr|rman)(?=[ \t])")
_ORACLE_LOGIN = re.compile(
    r"""(?<![^\s=])[\w$#]{1,128}/(?P<secret>[^\s@/"']{1,256})(?=[@\s"']|$)"""
)


def _oracle_login_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    end = _line_end(text, match.end(), min(ctx.end, match.end() + _MAX_VALUE))
    login = _ORACLE_LOGIN.search(text, match.end(), end)
    if login is None or _is_placeholder(login["secret"]):
        return None
    return login.span("secret")


# Samba's `-U user%password` (smbclient, rpcclient, net).
_SMB_USER = re.compile(r"""-U[ \t]{0,8}["']?[^\s%"'/\\]{1,128}%(?P<secret>[^\s"'`]{1,256})""")


def _secret_group_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """The `secret` group, unless a placeholder."""
    return None if _is_placeholder(match["secret"]) else match.span("secret")


# `npm config set //registry/:_authToken ...`, `yarn config set npmAuthToken ...`, `aws configure
# set aws_secret_access_key ...`: the setting's last word names a secret.
_CONFIG_SET = re.compile(
    r"config(?:ure)?[ \t]{1,16}set[ \t]{1,16}(?P<name>[^\s=]{1,200})[ \t]{1,16}(?=[^\s-])"
)
_SETTING_WORD = re.compile(r"[^/:.]{1,100}$")


def _config_set_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    word = _SETTING_WORD.search(match["name"])
    if word is None or not _holds_a_secret(word.group()):
        return None
    return _word_value(ctx.text, match.end())


# `gh secret set NAME --body ...` (or `-b`), `az keyvault secret set ... --value ...`: the secret
# is the option's value.
_GH_SECRET = re.compile(r"(?:gh|keyvault)[ \t]{1,8}secret[ \t]{1,8}set[ \t]")
_BODY_OPTION = re.compile(r"(?<![\w-])(?:--body|-b|--value)(?:[ \t]{1,8}|=)")  # az's --value


def _gh_secret_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    end = _line_end(text, match.end(), min(ctx.end, match.end() + _MAX_VALUE))
    option = _BODY_OPTION.search(text, match.end(), end)
    return _word_value(text, option.end()) if option else None


# A password echoed into a login that reads it from stdin: `echo '...' | docker login -u x
# --password-stdin`, `printf '%s' '...' | ...` (a variable's value is no secret here: `echo
# "$PASSWORD" | ...`).
_STDIN_LOGIN = re.compile(
    r"""(?:echo(?:[ \t]{1,8}-[neE]{1,3})?|printf[ \t]{1,8}(?:'%s(?:\\n)?'|"%s(?:\\n)?"))"""
    r"""[ \t]{1,8}(?P<q>["']?)(?P<secret>[^"'\s|;&]{1,256})(?P=q)"""
    r"""[ \t]{0,8}\|[^|\r\n]{0,256}?--password-stdin"""
)


# PowerShell's `ConvertTo-SecureString "..." -AsPlainText`: the literal is the password.
_SECURE_STRING = re.compile(
    r"""ConvertTo-SecureString[ \t]{1,16}(?:-String[ \t]{1,16})?(?P<q>["'])"""
    r"""(?P<secret>[^"'\r\n]{1,256})(?P=q)"""
)
# A builder's setter named for the secret (`.password("...")`, `.apiKey("...")`, poplib's
# `.pass_("...")`), OkHttp's
# `Credentials.basic(user, "...")`.
_BUILDER_CALL = re.compile(r"""\.(?:password|secret|token|apiKey|pass_)\([ \t]{0,8}(?=["'])""")
_BASIC_CREDENTIALS = re.compile(r"Credentials\.basic\(")


def _builder_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return _call_argument_span(ctx, match.end(), 1)


def _basic_credentials_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return _call_argument_span(ctx, match.end(), 2)


# Java's XML properties: `<entry key="db.password">...</entry>`.
_XML_ENTRY = re.compile(
    r"""<entry[ \t]{1,16}key=["'](?P<name>[^"'\s]{1,100})["'][ \t]{0,16}>"""
    r"(?P<secret>[^<\r\n]{1,512})<"
    # .NET's settings: `<setting name="ApiKey" serializeAs="String">`, `<value>...</value>` on
    # the same line or the next.
    r"""|<setting[ \t]{1,16}name=["'](?P<setting>[^"'\s]{1,100})["'][^<>\r\n]{0,100}>"""
    r"[ \t]{0,16}(?:\r?\n[ \t]{0,64})?<value>(?P<value>[^<\r\n]{1,512})<"
)


def _xml_entry_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    group = "secret" if match["name"] else "value"
    name = match["name"] or match["setting"]
    if not _holds_a_secret(name) or _is_placeholder(match[group]):
        return None
    return match.span(group)


# `name=value` words of commands that store settings (`vault kv put secret/app password=...`,
# `firebase functions:config:set stripe.secret=...`, `heroku config:set STRIPE_KEY=...`),
# lower-case names a keyword argument would have too: only after such a command on the line.
_CLI_SETTING = re.compile(r"(?<=[ \t])(?P<name>[\w.-]{1,100})=(?=[^\s=])")
_SETTING_COMMAND = re.compile(
    r"(?<![\w-])(?:vault[ \t]+(?:kv[ \t]+)?(?:put|write|patch)"
    r"|[\w-]{1,40}(?::[\w-]{1,40})?:set|--set(?:-string)?)[ \t]"  # and helm's --set
)


def _cli_setting_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at, name = ctx.text, match.start(), match["name"]
    line_start = ctx.start_of_line(at)
    low = max(line_start, at - 400)
    keyed = _KEY_NAME.fullmatch(name) and name.split("_", 1)[0].lower() not in _NOT_A_KEY
    if not (_holds_a_secret(name) or keyed) or not _SETTING_COMMAND.search(text, low, at):
        return None
    span = _word_value(text, match.end())
    if span and not _holds_a_secret(name) and span[1] - span[0] <= 256:
        return span if _looks_random(text[span[0] : span[1]]) else None  # `STRIPE_KEY=...`
    return span


# An environment variable's name for a key (`STRIPE_KEY`, `ADMIN_PW`): a secret's when its value
# looks random (`SORT_KEY=created_at` is none).
_KEY_NAME = re.compile(r"[A-Z][A-Z0-9]{0,40}(?:_[A-Z0-9]{1,40}){0,8}_(?:KEY|PW)")


# SQL's password clauses: `CREATE USER app WITH PASSWORD '...'`, `ALTER USER x PASSWORD '...'`,
# MySQL's `IDENTIFIED BY '...'` and `SET PASSWORD = PASSWORD('...')`. Matched on lower-case text.
_SQL_PASSWORD_SOURCE = r"""(?<![\w.-])(?:password(?:[ \t]{1,8}|[ \t]{0,8}\([ \t]{0,8})'
    |identified[ \t]{1,8}by[ \t]{1,8}['"])(?P<secret>[^'"\s][^'"\r\n]{0,255})['"]"""
_SQL_PASSWORD = re.compile(_SQL_PASSWORD_SOURCE, re.VERBOSE)
_SQL_PASSWORD_ANY_CASE = re.compile(_SQL_PASSWORD_SOURCE, re.VERBOSE | re.IGNORECASE)


def _sql_password_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    start, end = match.start("secret") + offset, match.end("secret") + offset
    return None if _is_placeholder(ctx.text[start:end]) else (start, end)


# SQL's `INSERT INTO users (email, password) VALUES ('...', '...'), (...)`: the values in the
# places of the columns whose names hold a secret, in each row up to _CALL_REACH characters on
# (the rows may go on over the next lines). Matched on lower-case text.
_SQL_INSERT_SOURCE = r"""(?<![\w.])insert[ \t]{1,8}into[ \t]{1,8}[\w."`\[\]]{1,128}[ \t]{0,8}
    \((?P<columns>[^()\r\n]{1,1024})\)\s{0,64}values\s{0,64}(?=\()"""
_SQL_INSERT = re.compile(_SQL_INSERT_SOURCE, re.VERBOSE)
_SQL_INSERT_ANY_CASE = re.compile(_SQL_INSERT_SOURCE, re.VERBOSE | re.IGNORECASE)


def _sql_insert_span(ctx: _Context, match: re.Match[str], offset: int) -> list[Span] | None:
    listed = ctx.text[match.start("columns") + offset : match.end("columns") + offset]
    columns = [name.strip(' \t`"[]') for name in listed.split(",")]  # as written: `apiKey`
    wanted = {index for index, name in enumerate(columns) if name and _holds_a_secret(name)}
    if not wanted:
        return None
    spans: list[Span] = []
    start = match.end() + offset
    _sql_rows(ctx.text, start, min(ctx.end, start + _CALL_REACH), wanted, spans)
    return spans or None


def _sql_rows(text: str, pos: int, end: int, wanted: set[int], spans: list[Span]) -> None:
    """Adds the spans of the strings in the `wanted` places of each row `(...), (...)` from
    pos, up to the first thing after a row that is no comma (`;`, the next statement)."""
    depth = place = 0
    while (found := _matched_end(_CALL_ARGUMENT_PARTS, text, pos, end)) < end:
        if depth == 0 and text[pos:found].strip(" \t\r\n,"):
            return  # the rows ended
        char, pos = text[found], found + 1
        if char in "'\"":
            close = _string_end(text, pos, char, end)
            while char == "'" and text.startswith("''", close):  # SQL's quote in a string
                close = _string_end(text, close + 2, char, end)
            content = text[pos:close] if close - pos <= 256 else "-"
            if depth == 1 and place in wanted and content and not _is_placeholder(content):
                spans.append((pos, close))
            pos = close + 1
        elif char == ",":
            place += 1 if depth == 1 else 0
        elif char in "([{":
            place = place if depth else 0  # a row starts
            depth += 1
        elif depth == 0:
            return
        else:
            depth -= 1


# A cookie header's value (`Cookie: sessionid=...; csrftoken=...`, `"Cookie": "..."`): a session
# is a credential. The pattern starts at its second letter (see _COOKIE_HINTS).
_COOKIE = re.compile(
    r"""ookie["']?[ \t]{0,8}:[ \t]{0,8}["'`]?(?P<secret>[\w.%-]{1,128}=[^\r\n"'`]{1,1024})"""
)
_COOKIE_PAIR = re.compile(r"[\w.%-]{1,128}=(?P<value>[^;,\s]{1,1024})")


def _cookie_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    if at < 1 or text[at - 1] not in "Cc" or _word_before(text, at - 1):
        return None  # not `Cookie` nor `Set-Cookie`: `fortune_cookie:`
    start, end = match.span("secret")
    while end > start and text[end - 1] in " \t;":
        end -= 1
    values = [pair["value"] for pair in _COOKIE_PAIR.finditer(text, start, end)]
    if not any(_looks_random(value) and not _is_placeholder(value) for value in values):
        return None  # `Cookie: name=value` in documentation
    return start, end


# A .netrc entry written over several lines: `password ...` alone on its line (after `login ...`
# or not), and the `default` entry. A lower-case word is left: `password hashing` in prose.
_NETRC_LINE = re.compile(
    r"(?m)^[ \t]{0,64}(?:(?:default[ \t]{1,16})?login[ \t]{1,16}\S{1,256}[ \t]{1,16})?"
    r"password[ \t]{1,16}(?P<secret>[^\s$\[#]\S{0,511})[ \t]*\r?$"
)


def _netrc_line_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    secret = match["secret"]
    if (secret.isalpha() and secret.islower()) or _is_placeholder(secret):
        return None
    return match.span("secret")


# A variable set by csh's `setenv NAME value`, Windows' `setx NAME value` or fish's `set -x NAME
# value` (no `=` to go by).
# Tcl's `set name value` likewise (`set` alone: its value must be quoted, braced, look random or
# be one plain word ending the line, as prose starts lines with `set` too).
_SETENV = re.compile(
    r"(?:setenv|setx|set(?P<flag>[ \t]{1,8}-[gxUul]{1,4})?)[ \t]{1,16}(?P<name>[A-Za-z_]\w{0,100})"
    r"[ \t]{1,16}(?=[^\s=])"
)


def _setenv_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at, start = ctx.text, match.start(), match.end()
    line_start = ctx.start_of_line(at)
    if not _at_line_start(text, line_start, at) or not _holds_a_secret(match["name"]):
        return None
    if match["flag"] or text.startswith(("setenv", "setx"), at):  # Windows' `setx NAME value`
        return _word_value(text, start)
    if text[start] in "[$":
        return None  # `set token [exec cat ...]`, `set secret $env(APP_SECRET)`: code
    if text[start] == "{":  # Tcl's braces quote a word
        close = text.find("}", start, _line_end(text, start, min(ctx.end, start + _MAX_VALUE)))
        inner = (start + 1, close)
        return inner if close > start + 1 and not _is_placeholder(text[start + 1 : close]) else None
    span = _word_value(text, start)
    quoted = text[start] in "\"'"
    if span is None or quoted or span[1] - span[0] > 256:
        return span
    word = text[span[0] : span[1]]
    return span if _looks_random(word) or _last_plain_word(text, span, word) else None


def _last_plain_word(text: str, span: Span, word: str) -> bool:
    """Tcl's `set password hunter`: a plain word, alone after the name to the line's end, is
    the literal it reads as; not a word of prose (`set password for`, `set token value`)."""
    rest = _TCL_REST.match(text, span[1])
    lowered = word.lower()
    return (
        rest is not None
        and len(word) >= 4
        and word.isalpha()
        and lowered not in _PROSE_WORDS
        and lowered not in _COMMON_NAMES
        and lowered not in _PLAIN_NOT_SECRETS
    )


_TCL_REST = re.compile(r"[ \t]{0,64}(?:;|#|\r?\n|$)")
_PLAIN_NOT_SECRETS = _words(
    """from into here there then also again only none null empty unset reset expiry expires
    policy prompt length required optional default hidden masked changed blank"""
)


# A secret's flag and its value as two items of a list, as Compose's and Kubernetes' exec form
# write a command: `["redis-server", "--requirepass", "..."]`, `args: ["--token", "..."]`.
_FLAG_ITEM = re.compile(
    r"""--(?<![\w-]--)(?P<name>[A-Za-z][\w-]{0,60}+)(?P<q>["'])[ \t]{0,8},[ \t]{0,8}(?P=q)"""
)


def _flag_item_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    name = match["name"]
    word = _FLAG_WORD.search(name)
    if name not in ("requirepass", "masterauth") and (
        word is None or _name_kind(name[: word.start()], name[word.end() :]) == "about"
    ):
        return None
    text = ctx.text
    span = _quoted_span(text, match.end(), match["q"])
    if span is None or text.startswith("-", span[0]):
        return None  # `add_argument("--token", "-t")`: another flag
    if span[1] - span[0] <= 256 and _names_a_secret(text[span[0] : span[1]]):
        return None
    return span


# A Markdown table's row naming a secret in its first cell and holding it in the second:
# `| Password | ... |`, `| **API key** | `...` |` (not the header: a delimiter row follows it).
_TABLE_ROW = re.compile(r"\|(?P<name>[^|\r\n]{1,100})\|(?P<value>[^|\r\n]{1,1024})(?=\|)")


def _table_row_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """A row starts its line: `a | b | c` in code and shell pipes spend no budget (read back
    over a few blanks only: a long line of pipes costs no more per pipe)."""
    text, at = ctx.text, match.start()
    pos = _skip_blanks_back(text, max(0, at - 16), at)
    return pos == 0 or text[pos - 1] == "\n"


def _table_row_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    name = "_".join(match["name"].strip(" \t*`_").split())
    if not name or not _holds_a_secret(name):
        return None
    following = _skip_blanks(text, _line_bounds(text, match.end(), ctx.end)[1])
    if _TABLE_OPENER.match(text, following):
        return None  # a header
    return _table_value(text, *match.span("value"))


# Each string item of a list, tuple or set written as the value of a plural name of secrets, on
# the name's line (`API_KEYS = ["...", "..."]`, `"tokens": [...]`, `passwords = ("...",)`); the
# lines after it, if the list goes on, are _list_body's. The name is judged before the match is
# counted against the rule's budget: `items = [` is everywhere in code.
def _plural_list_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    text, at = ctx.text, match.start() + offset
    name_at = _plural_name(text, text.rfind("\n", max(0, at - 128), at) + 1, match, offset)
    if name_at is None:
        return False  # decided without ctx.start_of_line, which reads a long line from its start
    ctx.start_of_line(at)
    return not ctx.open_quotes(name_at)


def _plural_list_span(ctx: _Context, match: re.Match[str], offset: int) -> list[Span] | None:
    text, spans = ctx.text, list[Span]()
    start = match.start("open") + offset
    end = _line_end(text, start, min(ctx.end, start + _CALL_REACH))
    _list_line(text, start, end, 0, spans)
    if _COMPREHENSION.search(text, start, end):
        return None  # `[t.text for t in doc if t.text != "..."]` is code
    name_end = match.start() + offset + 1
    name = text[_name_head(text, name_end, ctx.start_of_line(name_end)) : name_end]
    # A lazy import's table: `"Credentials": (".credentials", "Credentials")` names itself.
    return [span for span in spans if not _same_name(text[span[0] : span[1]], name)] or None


_COMPREHENSION = re.compile(r"[ \t]for[ \t]")


# An environment variable named `..._KEY` or `..._PW` set in a .env file or a shell script
# (`MAPBOX_KEY=...`, `ADMIN_PW=...`): `key` alone is no keyword of names (`sort_key`,
# `cache_key` in code), so only this form counts, and only a value that looks random.
_ENV_KEY = re.compile(
    r"(?m)^[ \t]{0,64}(?:export[ \t]{1,8})?"
    r"(?P<name>[A-Z][A-Z0-9]{0,40}(?:_[A-Z0-9]{1,40}){0,8}_(?:KEY|PW))=(?P<q>[\"']?)"
)
_NOT_A_KEY = _words("sort cache primary foreign partition routing lookup hash map index entry")


def _env_key_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, start, quote = ctx.text, match.end(), match["q"]
    if match["name"].split("_", 1)[0].lower() in _NOT_A_KEY:
        return None
    end = _string_end(text, start, quote) if quote else _run_end(text, start, _SHELL_VALUE)
    value = text[start:end] if end - start <= 256 else "-"
    if not value or value[0] in "/~.$" or _is_placeholder(value) or not _looks_random(value):
        return None  # a path, a reference, a placeholder, a word
    return start, end


# C's `#define API_KEY "..."`: a macro whose name holds a secret, defined as a string.
_DEFINE = re.compile(r'define[ \t]{1,16}(?P<name>[A-Za-z_]\w{0,100})[ \t]{1,16}(?:L|u8?|U)?"')


def _define_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    sharp = _skip_blanks_back(text, max(0, at - 16), at) - 1
    if sharp < 0 or text[sharp] != "#" or not _holds_a_secret(match["name"]):
        return None
    return _quoted_span(text, match.end(), '"')


# A token as a URL's user, with no password (`https://TOKEN@github.com/acme/app.git`): a long
# run with letters and digits, not a name (`https://deploy@host`); a shorter one (12 to 19
# characters) when its digits are strewn through it, not a name and a number (`build2024`).
_URL_TOKEN_USER = re.compile(r"://(?P<secret>[A-Za-z0-9_-]{12,256})@(?=[\w-])")


def _url_token_user_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    token = match["secret"]
    if not (_DIGIT.search(token) and _LETTER.search(token)) or _is_placeholder(token):
        return None
    if len(token) < 20 and not _strewn_digits(token):
        return None
    return match.span("secret")


def _strewn_digits(token: str) -> bool:
    """Three digits or more, not all at the end: `5k8k5vcugdlwx8`, not `build2024`."""
    digits = sum(char.isdigit() for char in token)
    return token.isalnum() and digits >= 3 and _DIGIT.search(token.rstrip("0123456789")) is not None


_LETTER = re.compile(r"[A-Za-z]")


# Calls that hand a secret over: `set_password("...")`, `setApiKey('...')`, `withToken("...")`,
# `HTTPBasicAuth("user", "...")`, `auth=("user", "...")`. Matched on lower-case text.
_SECRET_CALL_SOURCE = r"""(?:(?<![a-z])(?:set|with|use|put|update|store|save)_?
    (?:pass(?:w(?:or)?d|phrase)|secret|token|api_?key|access_?key|private_?key|credentials?
    |auth_?token|client_?secret)
    |(?<![a-z])(?:http)?(?:basic|digest|proxy)_?auth|(?<!\w)auth[ \t]{0,8}=[ \t]{0,8}
    |(?<![\w$])(?P<positional>getconnection|new[ ]{1,8}(?:pdo|mysqli|sequelize)|mysqli?_connect
    |(?:network|basicaws|awsbasic|usernamepassword)credentials?(?:\.create)?
    |newstaticcredentials|passwordauthentication|ftp(?:_tls)?
    |azure(?:named)?keycredential|azuresascredential|apikeycredential|clientsecretcredential)
    |(?<=\.)(?P<login>login))
    [ \t]{0,8}\("""
_SECRET_CALL = re.compile(_SECRET_CALL_SOURCE, re.VERBOSE)
_SECRET_CALL_ANY_CASE = re.compile(_SECRET_CALL_SOURCE, re.VERBOSE | re.IGNORECASE)
_SECRET_CALL_WORDS = frozenset(
    {"pass", "secret", "token", "key", "credential", "auth", "conn", "login", "new ", "ftp"}
)
# Database drivers' connect and JWT libraries' sign/verify, which take the password or key by
# position too: rules of their own, each pattern starting with a literal (more names in the
# pattern above would be tried at every character); the module is read before the match.
_CONNECT_CALL = re.compile(r"\.connect[ \t]{0,8}\(")
_JWT_CALL = re.compile(r"jwt\.(?:sign|verify|encode|decode)[ \t]{0,8}\(")
# A host, a port number and a string: an SSH client's connect, the password next.
_SSH_CONNECT = re.compile(
    r"""[ \t]{0,8}[^,()\r\n]{1,256}+,[ \t]{0,8}\d{1,5}[ \t]{0,8},[ \t]{0,8}[rbu]?["']"""
)
_DRIVERS = {"pymysql": 3, "mysqldb": 3, "mariadb": 3, "pymssql": 3, "cx_oracle": 2, "oracledb": 2}
# Calls that take the password as their n-th argument: `DriverManager.getConnection(url, user,
# "...")`, `new PDO(dsn, user, "...")`, `mysqli_connect(host, user, "...", db)`, `smtp.login(user,
# "...")`, `new NetworkCredential(user, "...")`, `new BasicAWSCredentials(id, "...")`,
# `pymysql.connect(host, user, "...")`, `jwt.sign(payload, "...")` (others: the second).
_PASSWORD_ARGUMENT = {"getconnection": 3, "login": 2, "newstaticcredentials": 2}
# Python's `ftplib.FTP(host, user, "...")`, `FTP_TLS(...)`: upper case only (a function of
# one's own named `ftp` says nothing of its arguments).
_PASSWORD_ARGUMENT |= {"ftp": 3, "ftp_tls": 3}
_PASSWORD_ARGUMENT |= dict.fromkeys(("pdo", "mysqli", "sequelize", "mysql_connect"), 3)
_PASSWORD_ARGUMENT |= dict.fromkeys(
    ("pymysql.connect", "mysqldb.connect", "mariadb.connect", "pymssql.connect"), 3
)
_PASSWORD_ARGUMENT["mysqli_connect"] = 3
# Azure's credentials: `AzureKeyCredential("...")`, `AzureNamedKeyCredential(name, "...")`,
# `ClientSecretCredential(tenant, client, "...")` (the key has no format of its own).
_PASSWORD_ARGUMENT |= dict.fromkeys(("azurekeycredential", "azuresascredential"), 1)
_PASSWORD_ARGUMENT |= {"apikeycredential": 1, "azurenamedkeycredential": 2}
_PASSWORD_ARGUMENT["clientsecretcredential"] = 3
_ARGUMENT_PREFIXES = frozenset({"", "@", "$", "r", "b", "u", "f"})


def _secret_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    call = match["positional"]
    at = match.start("positional") + offset
    if call and call.startswith("ftp") and not ctx.text.startswith("FTP", at):
        return None
    return _call_argument_span(ctx, match.end() + offset, _password_argument(match))


def _driver_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """`pymysql.connect(host, user, "...")`: the driver is the word before `.connect`."""
    text, dot = ctx.text, match.start()
    low = max(ctx.start, dot - 21)
    start = dot
    while start > low and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    if start > 0 and text[start - 1] in "$.":
        return None  # `self.pymysql.connect`: not the module
    wanted = _DRIVERS.get(text[start:dot].lower())
    if wanted is None and _SSH_CONNECT.match(text, match.end()):
        wanted = 4  # paramiko's `ssh.connect(host, 22, "user", "...")`
    return None if wanted is None else _call_argument_span(ctx, match.end(), wanted)


def _jwt_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    at = match.start()
    if at > 0 and (ctx.text[at - 1].isalnum() or ctx.text[at - 1] in "_$"):
        return None  # `myjwt.sign(`
    return _call_argument_span(ctx, match.end(), 2)


def _call_argument_span(ctx: _Context, pos: int, wanted: int | None) -> Span | None:
    """The call's `wanted`-th argument, a string, or without one its last string argument,
    within _CALL_REACH characters from pos (`set_password(user, "...")`: the user's name
    stays), unless it is a placeholder or names a secret (`set_token(os.environ[...])` has
    none, `with_token("GITHUB_TOKEN")` names one). The arguments may go on over the next lines
    of the segment (`getConnection(\n url,\n ...`); each string must close on its line."""
    text = ctx.text
    end = min(ctx.end, pos + _CALL_REACH)
    last: Span | None = None
    depth, argument, argument_start = 0, 1, pos
    arguments = _CALL_ARGUMENTS if wanted is None else _CALL_ARGUMENT_PARTS
    while (pos := _matched_end(arguments, text, pos, end)) < end:
        char = text[pos]
        if char in "\"'`":
            close = _string_end(text, pos + 1, char, end)
            if close >= end or text[close] != char:
                break  # not closed within reach
            if depth == 0 and (
                wanted is None
                or (argument == wanted and text[argument_start:pos].strip() in _ARGUMENT_PREFIXES)
            ):
                last = (pos + 1, close)
                if wanted is not None:
                    break
            pos = close + 1
        elif char == ",":
            if depth == 0:
                argument, argument_start = argument + 1, pos + 1
                if wanted is not None and argument > wanted:
                    break
            pos += 1
        elif char in "([{":  # a nested call, list or object: `jwt.sign({a, b}, "...")`
            depth, pos = depth + 1, pos + 1
        elif depth == 0:
            break  # the call's closing parenthesis
        else:
            depth, pos = depth - 1, pos + 1
    if last is None or last[0] == last[1]:
        return None
    content = text[last[0] : last[1]]
    if _is_placeholder(content) or _names_a_secret(content):
        return None
    return last


_CALL_REACH = 2 * _MAX_VALUE  # characters of a call's arguments searched for its secret
_CALL_ARGUMENTS = re.compile(r"""[^"'`()\[\]{}]*+""")
_CALL_ARGUMENT_PARTS = re.compile(r"""[^"'`(),\[\]{}]*+""")  # commas told apart: the n-th one


def _password_argument(match: re.Match[str]) -> int | None:
    """Which argument of the call holds the password, or None for the last string."""
    if match["login"]:
        return 2
    call = match["positional"]
    if not call:
        return None
    return _PASSWORD_ARGUMENT.get(call.rsplit(" ", 1)[-1].lower(), 2)


def _matched_end(pattern: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """Where `pattern` (which matches the empty string too) stops, from pos."""
    found = pattern.match(text, pos, end)
    return pos if found is None else found.end()


# The rule for names runs last on each window: it judges quotes, and those inside a value the
# other rules redacted must not count (after redaction they are gone).
# --- secrets in prose and comments ---------------------------------------------------------------
# `The password is hunter2!`, `# token: 3f9a...`, `**API key:** ...`, `password = x9... (see
# vault)` in a comment: a secret's word, `is`, `was`, `:` or `=`, and one word that looks like a
# token, where the line before the name is prose or a comment (a comment's marker, a bullet,
# words). `:` and `=` come from the assignment rule's matches that it turns down (its search
# reads every window anyway); `is` and `was` are a rule of their own, the word read back.
_PROSE_IS = re.compile(r"(?:is|was)[ \t]{1,8}(?=[`'\"]?[^\s`'\"<>]{6})")
_PROSE_NAME = re.compile(
    r"""(?:pass(?:word|phrase|wd|code)|pwd|token|secret|(?:api|access|secret|private|auth)[ _-]?key)
    [*_`]{0,2}[ \t]{1,8}$""",
    re.VERBOSE | re.IGNORECASE,
)
_PROSE_VALUE = re.compile(r"""[*_`]{0,2}[ \t]{0,8}(?P<quote>[`'"]?)(?P<value>[^\s`'"<>]{6,256}+)""")
# What may stand before the name on its line: a comment's marker, a bullet, then words.
_PROSE_LEAD = re.compile(
    r"""[ \t]{0,64}(?P<marker>(?:\#{1,6}|//{1,2}|/?\*{1,2}|--|;{1,2}|<!--|%|>|(?i:rem))[ \t]{0,16})?
    (?P<bullet>(?:[-*+]|\d{1,3}[.)])[ \t]{1,8})?
    (?P<words>(?:[A-Za-z'()]{1,40}[,:]?[ \t]{1,8}){0,12})[*_`]{0,2}""",
    re.VERBOSE,
)
_TRAILING_PROSE = ".,;:)?"
_MEASURE = re.compile(r"\d{1,6}[ -]?[A-Za-z]{1,12}\+?")


def _prose_is_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """`The admin password is ...`: the name read back from `is`, then as _prose_span."""
    text, at = ctx.text, match.start() + offset
    if at == 0 or text[at - 1] not in " \t":
        return None  # `this`, `was` inside a word
    line_start = ctx.start_of_line(at)
    name = _PROSE_NAME.search(text, max(line_start, at - 48), at)
    if name is None:
        return None
    return _prose_span(ctx, name.start(), match.end() + offset, True)


def _prose_span(ctx: _Context, head: int, after: int, spoken: bool) -> Span | None:
    """The token-like word after a secret's name at `head` and its `is`, `:` or `=` (ending
    at `after`), when the line before the name is prose or a comment."""
    text = ctx.text
    if head > 0 and (_WORD_CHAR.match(text, head - 1) or text[head - 1] in ".$/-"):
        return None  # the name goes on before (`self.token`, `x-api-key`)
    lead = _prose_lead(text, ctx.start_of_line(head), head)
    if lead is None or not (spoken or lead["marker"] or lead["bullet"] or lead["words"]):
        return None  # `password = ...` alone on its line is code, or a setting
    found = _PROSE_VALUE.match(text, after)
    if found is None:
        return None
    start, end = found.span("value")
    while end > start and text[end - 1] in _TRAILING_PROSE:
        end -= 1
    value = text[start:end]
    if len(value) < 6 or not _looks_random(value) or _is_placeholder(value):
        return None  # `is required`, `is None`, `: <your token>`
    if value.endswith(("...", "…")) or _MEASURE.fullmatch(value):
        return None  # `api_key: sk-...`, `passcode: 6-digit`, `secret: 32bytes`
    if any(char in value for char in "([{=") or "://" in value or _names_a_secret(value):
        return None  # code (`is getToken()`), a URL (its own rules), a name (`API_TOKEN`)
    if _IDENTIFIER_ONLY.fullmatch(value) and (
        _random_part(value) is False if "." in value else _reference_like(value)
    ):
        return None  # `is self.token`, `token: token2`
    return start, end


def _prose_lead(text: str, line_start: int, head: int) -> re.Match[str] | None:
    """The lead of a secret's name in prose: its whole line before it, or the comment after
    code (`x = connect()  # password: ...`)."""
    if head - line_start > 256:
        return None
    lead = _PROSE_LEAD.fullmatch(text, line_start, head)
    if lead is None:
        for marker in (" #", "\t#", " //"):
            at = text.rfind(marker, line_start, head)
            if at != -1:
                lead = _PROSE_LEAD.fullmatch(text, at, head)
                break
    return lead


def _assignment_or_prose_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    span = _assignment_span(ctx, match, offset)
    if span is not None or match["op"] not in (":", "="):
        return span
    kw_start = match.start("kw") + offset
    head = _name_head(ctx.text, kw_start, ctx.start_of_line(kw_start))
    return _prose_span(ctx, head, match.end() + offset, " " in match["kw"])


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


_RULES: list[_Rule] = [
    *(
        _Rule(re.compile(pattern), _token_span, _hint_keys(needles), hinted=True)
        for needles, pattern in _TOKEN_FORMATS
    ),
    *(
        _Rule(re.compile(pattern), _token_span, _hint_keys(needles), hinted=True)
        for needles, pattern in _SHORT_FORMATS + _HINTED_SHORT_FORMATS
    ),
    _Rule(_DSN_HOST, _dsn_span, frozenset({"@tcp(", "@unix("})),
    _Rule(_URL_BASE64, _token_span, _COLON_SLASHES_BASE64),
    _Rule(_URL_USERINFO, _url_span, _hint_keys(_URL_HINTS), hinted=True),
    _Rule(_STANDALONE_SCHEME, _scheme_span, _hint_keys(_SCHEME_HINTS), hinted=True),
    _Rule(_CURL_USER, _curl_user_span, _hint_keys(_CURL_HINTS), hinted=True),
    _Rule(_FLAG, _flag_span, _hint_keys(_FLAG_HINTS), hinted=True),
    _Rule(_COMMAND_FLAG, _command_flag_span, worth=_after_a_tool),
    _Rule(_DOCKER_ENV, _docker_env_span, _hint_keys(_DOCKER_ENV_HINTS), hinted=True),
    _Rule(_HTPASSWD, _htpasswd_span, _hint_keys(_HTPASSWD_HINTS), hinted=True),
    # Searched for in _rules_for: `:1` and `default` are everywhere in code, and a hint of
    # them would start these rules in most windows.
    _Rule(_PGPASS, _pgpass_span),
    _Rule(_TF_DEFAULT, _tf_default_span),
    _Rule(_REQUIREPASS, _redis_auth_span, _hint_keys(_REDIS_HINTS), hinted=True),
    _Rule(_MASTERAUTH, _redis_auth_span, _hint_keys(_REDIS_HINTS), hinted=True),
    _Rule(_SASL_PASSWD, _sasl_passwd_span, _hint_keys(_SASL_HINTS), hinted=True),
    _Rule(_SPACED_PROPERTY, _spaced_property_span, _hint_keys(_PROPERTY_HINTS), hinted=True),
    _Rule(_FALLBACK, _fallback_span),  # its pattern starts with a literal: see _SEARCHES
    _Rule(_JSON_NAMED_VALUE, _json_named_value_span, _hint_keys(_JSON_VALUE_HINTS), hinted=True),
    _Rule(_ENV_FALLBACK, _env_fallback_span, _hint_keys(_ENV_HINTS), hinted=True),
    _Rule(_RUBY_ENV_FALLBACK, _env_fallback_span, _hint_keys(_RUBY_ENV_HINTS), hinted=True),
    _Rule(_ORACLE_TOOL, _oracle_login_span, _hint_keys(_ORACLE_HINTS), hinted=True),
    _Rule(_SMB_USER, _secret_group_span, _hint_keys(_SMB_HINTS), hinted=True),
    _Rule(_CONFIG_SET, _config_set_span, _hint_keys(_CONFIG_SET_HINTS), hinted=True),
    _Rule(_GH_SECRET, _gh_secret_span, _hint_keys(_GH_SECRET_HINTS), hinted=True),
    _Rule(_STDIN_LOGIN, _secret_group_span, _hint_keys(_STDIN_HINTS), hinted=True),
    _Rule(_SECURE_STRING, _secret_group_span, _hint_keys(_SECURE_STRING_HINTS), hinted=True),
    _Rule(_BUILDER_CALL, _builder_call_span, _hint_keys(_BUILDER_HINTS), hinted=True),
    _Rule(_BASIC_CREDENTIALS, _basic_credentials_span, _hint_keys(_BUILDER_HINTS), hinted=True),
    _Rule(_XML_ENTRY, _xml_entry_span, _hint_keys(_XML_ENTRY_HINTS), hinted=True),
    _Rule(_CLI_SETTING, _cli_setting_span, _hint_keys(_CLI_SET_HINTS), hinted=True),
    _Rule(
        _SQL_PASSWORD,
        _sql_password_span,
        frozenset({"password", "identified"}),
        fallback=_SQL_PASSWORD_ANY_CASE,
        operators="'\"",
    ),
    _Rule(_COOKIE, _cookie_span, _hint_keys(_COOKIE_HINTS), hinted=True),
    _Rule(
        _SQL_INSERT,
        _sql_insert_span,
        frozenset({"insert"}),
        fallback=_SQL_INSERT_ANY_CASE,
        operators="(",
    ),
    _Rule(_ENV_KEY, _env_key_span, frozenset({"_KEY=", "_PW="})),
    _Rule(_NETRC_LINE, _netrc_line_span, _hint_keys(_NETRC_LINE_HINTS), hinted=True),
    _Rule(_SETENV, _setenv_span, _hint_keys(_SETENV_HINTS), hinted=True),
    _Rule(_DEFINE, _define_span, _hint_keys(_DEFINE_HINTS), hinted=True),
    _Rule(_URL_TOKEN_USER, _url_token_user_span, _hint_keys(_URL_HINTS), hinted=True),
    _Rule(_TABLE_ROW, _table_row_span, worth=_table_row_worth),  # searched: see _SEARCHES
    _Rule(_FLAG_ITEM, _flag_item_span, _hint_keys(_FLAG_HINTS), hinted=True),
    _Rule(
        _PLURAL_LIST,
        _plural_list_span,
        _words("passwords secrets tokens keys cred"),  # `cred`: `creds`, `credentials`
        fallback=_PLURAL_LIST_ANY_CASE,
        operators="[({",
        worth=_plural_list_worth,
    ),
    _Rule(
        _SECRET_CALL,
        _secret_call_span,
        _SECRET_CALL_WORDS,
        fallback=_SECRET_CALL_ANY_CASE,
        operators="(",
    ),
    _Rule(_PROSE_IS, _prose_is_span, frozenset({" is ", " was "})),
    # Searched for in _rules_for (each pattern starts with a literal or `[?&]`): the value a
    # match needs (16 or 32 token characters) is rare, so the search fails fast.
    _Rule(_KEY_QUERY, _key_alone_span, worth=_key_alone_worth),
    _Rule(_KEY_ITEM, _key_alone_span, worth=_key_alone_worth),
    _Rule(_POSITIONAL_KEY, _positional_key_span, worth=_positional_key_worth),
    _Rule(_KEY_NAME_STRING, _key_name_span, worth=_key_name_worth),
    _Rule(_CONNECT_CALL, _driver_call_span, _hint_keys(_CONNECT_HINTS), hinted=True),
    _Rule(_JWT_CALL, _jwt_call_span, _hint_keys(_JWT_HINTS), hinted=True),
    _Rule(
        _ASSIGNMENT,
        _assignment_or_prose_span,
        _ASSIGNMENT_STEMS,
        fallback=_ASSIGNMENT_ANY_CASE,
        operators="=:>,<{(",
        worth=_assignment_worth,
        redacted=re.compile(r"[ \t]{0,64}[\"'`]?\[REDACTED\]"),
    ),
]


# Rules without needles (each pattern starts with a literal): searched for in _rules_for.
_SEARCHES = [
    (index, rule.pattern.search)
    for index, rule in enumerate(_RULES)
    if not rule.hinted and not rule.needles and rule.fallback is None
]
_SEARCHED = frozenset(index for index, _ in _SEARCHES)
_UNHINTED = [
    index for index, rule in enumerate(_RULES) if not rule.hinted and index not in _SEARCHED
]
_BY_HINT: dict[str, list[int]] = {}
for _index, _rule in enumerate(_RULES):
    for _needle in _rule.needles if _rule.hinted else ():
        _BY_HINT.setdefault(_needle, []).append(_index)


# --- files never sent -----------------------------------------------------------------------------
def uri_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme else uri


def is_excluded(uri: str, globs: Iterable[str]) -> bool:
    """True when the file's name or path matches any glob (`*.pem`, `config/secrets.*`),
    ignoring case; a symlink is judged by its target too."""
    lowered = [glob.lower() for glob in globs]
    return any(_matches(path, lowered) for path in _paths_of(uri))


def _paths_of(uri: str) -> list[str]:
    path = uri_path(uri)
    paths = [path]
    if urlparse(uri).scheme in ("", "file"):
        try:
            real = os.path.realpath(path)
            if real != path and os.path.lexists(path):
                paths.append(real)
        except (OSError, ValueError):  # an unreadable path or one with a NUL in it
            pass
    return [p.replace(os.sep, "/").lower() for p in paths]


def _matches(path: str, globs: list[str]) -> bool:
    pure = PurePosixPath(path)
    for glob in globs:
        if fnmatch.fnmatchcase(pure.name, glob) or fnmatch.fnmatchcase(path, glob):
            return True
        if "/" in glob and fnmatch.fnmatchcase(path, f"*/{glob.lstrip('/')}"):
            return True
    return False


def git_ignored(path: str, timeout_s: float = 2.0) -> bool:
    """Whether git ignores the file (`git check-ignore`); False when git is missing, the file is
    not in a repository, or anything fails. Blocking: call it off the event loop."""
    file = Path(uri_path(path))
    try:
        result = subprocess.run(
            ["git", "check-ignore", "-q", "--", file.name],
            cwd=file.parent,
            stdin=subprocess.DEVNULL,  # stdin carries the LSP conversation
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return result.returncode == 0
