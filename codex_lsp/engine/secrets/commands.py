"""Secrets in URLs, headers, command lines and config lines: URL passwords, `Authorization`
schemes, cookies, tools' password flags, SQL's password clauses, .netrc and .pgpass lines."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import (
    _BLANKS,
    _COMMON_NAMES,
    _KEPT,
    _PROSE_WORDS,
    _QUOTE_START,
    _SHELL_VALUE,
    _quoted_span,
    _run_end,
    _shell_span,
    _skip_blanks,
    _string_end,
    _word_before,
)
from codex_lsp.engine.secrets.calls import _CALL_ARGUMENT_PARTS, _CALL_REACH
from codex_lsp.engine.secrets.formats import _WORD_CHAR, _extend
from codex_lsp.engine.secrets.names import _holds_a_secret, _name_kind, _names_a_secret
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import (
    _MAX_VALUE,
    Span,
    _at_line_start,
    _line_end,
    _matched_end,
    _skip_blanks_back,
    _words,
)
from codex_lsp.engine.secrets.values import (
    _DIGIT,
    _LETTER,
    _credential,
    _is_placeholder,
    _looks_random,
    _random_word,
)

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
# `redis-cli -a SECRET`, `keytool -storepass SECRET`, `openssl ... -passout pass:SECRET`, a key's
# passphrase to `ssh-keygen -N SECRET` (the new one) or `-P SECRET` (the old one). Which
# flag carries it depends on the tool (`-p` is a port to redis-cli and docker run), so the tool
# is the last command word before the flag on its line. The pattern starts with a literal `-`.
_COMMAND_FLAG = re.compile(
    r"-(?<![\w-]-)(?P<flag>(?:src|dest)?(?:store|key)pass|pass(?:in|out)?|[pawPkN])"
)
_COMMAND = re.compile(
    r"""(?<![\w.-])(?P<tool>mysql[\w-]{0,20}|mariadb[\w-]{0,20}|sshpass|redis-cli
    |mongo(?:sh|dump|restore|import|export|stat|top)?|ldap[a-z]{2,12}|zip|unzip|7z[az]?
    |docker|podman|nerdctl|az|sqlcmd|bcp|keytool|openssl|ssh-keygen)(?=[ \t]|["'][ \t]{0,8},)""",
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
    "ssh-keygen": {"N": "both", "P": "both"},  # `-N ""`: no passphrase, kept
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


_NEXT_ITEM = re.compile(r"""[ \t]{0,8},[ \t]{0,8}["']""")  # a list's next item, quoted


def _command_flag_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    assert ctx.tool is not None  # _after_a_tool said so
    text = ctx.text
    mode = _TOOL_FLAGS[_tool_kind(ctx.tool["tool"])][match["flag"]]
    pos = match.end()
    opening = text[match.start() - 1] if match.start() else ""
    if opening in ("'", '"') and text.startswith(opening, pos):  # an item: `["-N", "..."]`
        item = _NEXT_ITEM.match(text, pos + 1)
        if item is None or mode == "attached":
            return None  # a variable (`"-N", passphrase`), or mysql's `"-p"` alone: it asks
        pos = item.end() - 1  # the next item's quote
    elif pos < len(text) and text[pos] not in " \t\r\n":
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


# Redis' AUTH command, `AUTH password` or the ACL form `AUTH user password`: the password is the
# line's last word, on a line of its own (a .redis script), after redis-cli's prompt
# (`127.0.0.1:6379> auth ...`) or after `redis-cli` and its options. Prose starts lines with
# `AUTH` too (`AUTH is required`, `AUTH failed`): the value must look like a password.
_REDIS_AUTH = re.compile(
    r"(?m)(?:AUTH|auth)[ \t]{1,8}(?:(?P<user>[\w.@-]{1,64}+)[ \t]{1,8})?"
    r"""(?P<secret>"[^"\r\n]{1,256}+"|'[^'\r\n]{1,256}+'|[^\s"'=:;|&<>]{1,256}+)"""
    r"[ \t]{0,64}+(?=\r?$)"
)
# What may stand before AUTH on its line: redis-cli's prompt, or `redis-cli` and its options.
_REDIS_CLI_BEFORE = re.compile(
    r"[ \t]{0,64}(?:[\w.:\[\]-]{1,253}+>"
    r"|(?:\$[ \t]{1,8})?redis-cli(?:[ \t]{1,8}[^\s;|&<>]{1,256}+){0,16})"
    r"[ \t]{1,8}"
)


def _redis_auth_command_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start()
    line_start = ctx.start_of_line(at)
    alone = _at_line_start(text, line_start, at)
    if not alone and (
        at - line_start > 1024 or not _REDIS_CLI_BEFORE.fullmatch(text, line_start, at)
    ):
        return None
    start, end = match.span("secret")
    if text[start] in "'\"":
        start, end = start + 1, end - 1
    # PAM's lines start with a lower-case `auth` too (`auth required pam_u2f.so`): alone on its
    # line, `auth` takes a credential's value only (16 characters or more, random-looking).
    if alone and text.startswith("auth", at):
        return (start, end) if _credential(text, start, end) else None
    return (start, end) if _password_like(text[start:end]) else None


def _password_like(value: str) -> bool:
    """A password rather than a word of prose (`AUTH failed`): 8 characters or more, a digit, a
    symbol or mixed case (a random one may read as camelCase: no name's shape is ruled out), not
    a placeholder nor a secret's name."""
    return (
        8 <= len(value) <= 256
        and _looks_random(value)
        and not _is_placeholder(value)
        and not _names_a_secret(value)
    )


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


# A token or password given by a here-string to a login that reads it from stdin: `gh auth login
# --with-token <<< ...`, `docker login --password-stdin <<< ...`; a variable or a command's output
# (`<<< "$GH_TOKEN"`, `<<< $(cat file)`) is no secret here.
_HERE_STRING_LOGIN = re.compile(
    r"""--(?:with-token|password-stdin)[ \t]{1,8}<<<[ \t]{0,8}(?=["']?[^\s"'$])"""
)


_HERE_STRING_WORD = re.compile(rf"[^\s;|&<>`()]{{1,{_MAX_VALUE}}}+")  # prose's `<<< ...` ends


def _here_string_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, start = ctx.text, match.end()
    if text[start] in "'\"":
        return _word_value(text, start)
    end = _run_end(text, start, _HERE_STRING_WORD)
    return None if _is_placeholder(text[start:end]) else (start, end)


# PowerShell's `ConvertTo-SecureString "..." -AsPlainText`: the literal is the password.
_SECURE_STRING = re.compile(
    r"""ConvertTo-SecureString[ \t]{1,16}(?:-String[ \t]{1,16})?(?P<q>["'])"""
    r"""(?P<secret>[^"'\r\n]{1,256})(?P=q)"""
)


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
# MySQL's `IDENTIFIED BY '...'`, `IDENTIFIED WITH <plugin> BY '...'` (the plugin's name quoted or
# not; `IDENTIFIED WITH auth_socket` alone sets none, `AS '...'` gives a hash) and `SET PASSWORD =
# PASSWORD('...')`. Matched on lower-case text.
_SQL_PASSWORD_SOURCE = r"""(?<![\w.-])(?:password(?:[ \t]{1,8}|[ \t]{0,8}\([ \t]{0,8})'
    |identified[ \t]{1,8}(?:with[ \t]{1,8}(?P<plugin>['"`]?)[\w-]{1,64}+(?P=plugin)[ \t]{1,8})?
    by[ \t]{1,8}['"])(?P<secret>[^'"\s][^'"\r\n]{0,255})['"]"""
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


# CMake's `set(NAME value)` and `set(ENV{NAME} value)`: the value is the second argument, set off
# by a blank (`set(DB_PASSWORD "..." CACHE STRING "doc")`). CMake's commands ignore case; lower
# and upper case are how they are written.
_CMAKE_SET = re.compile(
    r"(?:set|SET)\([ \t]{0,16}(?:ENV\{(?P<env>[A-Za-z_]\w{0,100})\}|(?P<name>[A-Za-z_]\w{0,100}))"
    r"[ \t]{1,16}(?=[^\s)])"
)
_CMAKE_WORD = re.compile(rf"""[^\s()"#;]{{1,{_MAX_VALUE}}}+""")


def _cmake_set_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """Only a name that holds a secret spends the rule's budget: a CMakeLists.txt sets hundreds
    of variables (past the budget its lines would be redacted whole)."""
    return _holds_a_secret(match["name"] or match["env"])


def _cmake_set_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at, start = ctx.text, match.start(), match.end()
    if not _at_line_start(text, ctx.start_of_line(at), at):
        return None
    if text[start] == '"':
        span = _quoted_span(text, start + 1, '"')
    else:
        end = _run_end(text, start, _CMAKE_WORD)
        span = (start, end) if end > start and not _is_placeholder(text[start:end]) else None
    if span is None or text.startswith("$", span[0]):
        return None  # `${VAR}`, `$ENV{API_TOKEN}`: a reference
    return span


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


# --- a secret concatenated after its name ------------------------------------------------------
# `"token=" + "..."`, `"...?api_key=" + "..."`, `"X-Api-Key: " + "..."`, PHP's `'password=' .
# '...'`: a string ending with a secret's name and `=` or `: `, joined to a literal. The name is
# read back from the `=` (at most _CONCAT_NAME_REACH characters of a name's).
_CONCAT = re.compile(
    r"""(?:=|:[ \t]?)["'][ \t]{0,16}+[+.][ \t]{0,16}+[rRbBuU]?(?P<quote>["'`])"""
    r"""(?P<value>[^"'`\\\s]{1,256}+)(?P=quote)"""
)
_CONCAT_NEEDLES = frozenset({'" +', "' +", '"+', "'+", '" .', "' ."})
_CONCAT_NAME_REACH = 48


def _concat_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """The whole test, in bounded time: strings joined after a name are common in code
    (`"id=" + "1"`), and must not spend the rule's budget."""
    text, op = ctx.text, match.start()
    head = op
    while (
        head > 0
        and op - head < _CONCAT_NAME_REACH
        and (text[head - 1].isalnum() or text[head - 1] in "_.-")
    ):
        head -= 1
    value = match["value"]
    return (
        head < op
        and _holds_a_secret(text[head:op])
        and value[0] not in "&?;/#"
        and not _is_placeholder(value)
        and not _names_a_secret(value)
    )


def _concat_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return match.span("value")


# --- a config line or a comment: a secret's name, then its value -------------------------------
# Two or three words on a line of their own, a secret's name (one word or two: `api key`) and a
# value that looks random (_random_word), quoted or not: collectd's, Apache's and squid's
# `Password "..."`, `apikey ...`, nginx's `auth_token ...;`; after a comment's marker too
# (`// token ...`, `# api key: ...`, `-- password ...`). A value with no `=` to go by must look
# random, so that prose (`password reset flow`, `token expired`) and code stay.
_SPACED_SETTING = re.compile(
    r"""(?m)^[ \t]{0,64}+(?:(?P<marker>\#{1,6}|//{1,2}|--|;{1,2}|/?\*{1,2}|%)[ \t]{0,16}+)?
    (?P<name>[A-Za-z][\w.-]{0,63}+(?:[ \t][A-Za-z][\w.-]{0,31}+)?):?[ \t]{1,16}+
    (?P<quote>["']?)(?P<value>[^\s"'`;\#,()\[\]{}<>]{12,256}+)(?P=quote)
    [ \t]{0,16}+;?[ \t]{0,16}+\r?$""",
    re.VERBOSE,
)
_SPACED_SETTING_NEEDLES = frozenset(
    {"ass", "Ass", "ASS", "ecret", "ECRET", "oken", "OKEN", "key", "Key", "KEY", "uth", "UTH"}
    | {"pw", "Pw", "PW", "red", "RED"}
)


def _spaced_setting_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """The whole test, in bounded time (a name of 96 characters, a value of 256): lines of two
    or three words are everywhere in code (`from x import (`, `Name as Name,`), and must not
    spend the rule's budget."""
    text, end = ctx.text, match.end() + offset
    if end < len(text) and text[end] != "\n":
        return False  # the window ended inside the line
    return _holds_a_secret(match["name"]) and _random_word(match["value"])


def _spaced_setting_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return match.start("value") + offset, match.end("value") + offset
