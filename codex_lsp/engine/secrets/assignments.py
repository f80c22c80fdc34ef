"""The value after a secret-like name (`password = "..."`, `API_KEY: str = "..."`, `token:`
alone on its line): where it starts and ends, and whether it is a literal or code."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.names import (
    _ASSIGNMENT_SOURCE,
    _ENV_NAME,
    _WORDS,
    _WORDY,
    _holds_a_secret,
    _name_kind,
    _names_a_secret,
)
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import _MAX_VALUE, Span, _line_end, _words
from codex_lsp.engine.secrets.values import (
    _DIGIT,
    _LETTER,
    _NAME_SHAPE,
    _PLACEHOLDER_SYMBOLS,
    _PLACEHOLDER_WORD,
    _PLACEHOLDER_WORDS,
    _is_placeholder,
    _looks_random,
    _random_word,
)

# --- values after secret-like names -------------------------------------------------------------
_ASSIGNMENT_ANY_CASE = re.compile(_ASSIGNMENT_SOURCE, re.VERBOSE | re.IGNORECASE)
_ASSIGNMENT_STEMS = _words(
    "pass pw secret token key auth cred bearer jwt hmac otp signing pin_code pin-code pin.code"
)
_COMPARISONS = frozenset({"==", "===", "!=", "!=="})
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
    kind = _name_kind(text[head:kw_start], text[kw_end:name_end], text[kw_start:kw_end].lower())
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
    if value and kind == "maybe" and (_WORDY.fullmatch(value) or _ALGORITHM.fullmatch(value)):
        return None  # `PASSWORD_BANNED = "passwordBanned"`, `hmac: sha256`
    env_name = _ENV_NAME.fullmatch(text, head, name_end) is not None
    if op == "," and not _a_pair(text, span, kind, value, env_name):
        return None  # `log("token", "refreshed")`; `define('DB_PASSWORD', 'wordpress')` is one
    return span


# A hash or signing algorithm's name (`sha256`, `SHA-512`, `HS256`, `md5`, `blake2b`): what
# `hmac:` or `jwt:` alone often says in configuration. Short: a secret is 16 characters or more.
_ALGORITHM = re.compile(r"(?i:(?:hmac-?)?(?:sha|md|hs|rs|es|ps|blake|ripemd)[\w-]{0,8})")


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
    keyword = text[kw_start:kw_end].lower()
    if _name_kind(text[head:kw_start], text[kw_end:name_end], keyword) != "secret":
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
    # Make's `PASSWORD := ...` and `?=` set a variable as `=` does; Go's `:=` declares one in
    # code, with a name that is not all upper case.
    config_op = op in ("=", ":") or (op in (":=", "?=") and not any(c.islower() for c in name))
    if shape.lastgroup == "word":
        if op == ":" and not at_line_start and _flow_mapping_value(text, line_start, head, shape):
            return shape.span()
        return _word_span(text, shape, op, at_line_start and config_op, quoted_name)
    return _literal_span(text, start, at_line_start and config_op)


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


def _looks_inline(text: str, head: int, name_end: int) -> bool:
    """`NAME=value` inside a line: a query string, connection string or command (also
    `--from-literal=password=...`), not a kwarg (keyword arguments are lower case); or after
    another `name=value` and a blank (libpq's `host=db user=app password=...`, `env a=b c=d`)."""
    if (head > 0 and text[head - 1] in "?&;:=") or not text[head:name_end].islower():
        return True
    return _after_a_pair(text, head)


# A `name=value` pair with no quote, bracket or comma in it: a key/value string's, not code's.
_BARE_PAIR = re.compile(r"""[A-Za-z_][\w.-]{0,40}=[^\s,;()\[\]{}'"`]{1,200}""")


def _after_a_pair(text: str, head: int) -> bool:
    """Whether a bare `name=value` pair and blanks come right before `head` on its line."""
    end = head
    while end > 0 and text[end - 1] in " \t" and head - end < 8:
        end -= 1
    if end == head or end == 0:
        return False
    limit = max(0, end - 256)
    start = max(text.rfind(blank, limit, end) for blank in " \t\n") + 1
    if start == 0 and limit > 0:
        return False  # no pair is that long
    return _BARE_PAIR.fullmatch(text, start, end) is not None


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


# A default written into a placeholder: `${MAIL_PASSWORD:fallback}` (Spring), `${DB_PASS:-...}`
# (shell, Compose): the fallback is a literal, a secret when the name holds one.
_FALLBACK = re.compile(r"""\$\{(?P<name>[A-Za-z_][\w.-]{0,100}):-?(?P<secret>[^}\s"'`]{1,256})\}""")


def _fallback_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    if not _holds_a_secret(match["name"]) or _is_placeholder(match["secret"]):
        return None
    return match.span("secret")


# --- salts and peppers ---------------------------------------------------------------------------
# A hard-coded salt or pepper: `salt = "..."`, `SALT = b'...'`, `hashSalt`, `"salt": "..."`, a
# name ending in `salt` or `pepper` (a word of its own: not `basalt`), when the value looks random
# (_random_word): a salt is often a word or a prefix, and a generated one is a call.
_SALT = re.compile(
    r"""(?:(?<![A-Za-z])(?:salt|pepper|SALT|PEPPER|Salt|Pepper)|(?<=[a-z])(?:Salt|Pepper))
    ["'\]]{0,2}+[ \t]{0,16}+(?::=|=>|=(?!=)|:(?![:\\/]))[ \t]{0,16}+[rRbBuU]?
    (?:(?P<quote>["'`])(?P<quoted>[^"'`\\\r\n]{12,256}+)(?P=quote)
    |(?P<plain>[^\s"'`,;)}\]\#]{12,256}+)(?![^\s,;)}\]\#]))""",
    re.VERBOSE,
)
_SALT_NEEDLES = _words("salt SALT Salt pepper PEPPER Pepper")


def _salt_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    group = "quoted" if match["quoted"] is not None else "plain"
    return match.span(group) if _random_word(match[group]) else None
