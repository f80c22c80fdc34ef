"""Calls that hand a secret over: setters and builders (`set_password("...")`, `.apiKey("...")`),
drivers' connect, JWT signing and other calls taking the password or key by position."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import _string_end
from codex_lsp.engine.secrets.names import _names_a_secret
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import _MAX_VALUE, Span, _matched_end
from codex_lsp.engine.secrets.values import _is_placeholder

# A builder's setter named for the secret (`.password("...")`, `.apiKey("...")`, poplib's
# `.pass_("...")`), OkHttp's
# `Credentials.basic(user, "...")`.
_BUILDER_CALL = re.compile(r"""\.(?:password|secret|token|apiKey|pass_)\([ \t]{0,8}(?=["'])""")
_BASIC_CREDENTIALS = re.compile(r"Credentials\.basic\(")


def _builder_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return _call_argument_span(ctx, match.end(), 1)


def _basic_credentials_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    return _call_argument_span(ctx, match.end(), 2)


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
    |(?<![\w$])(?P<login>login))
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


# A key given as a literal to the call that uses it, which says what it is (the key has no format
# of its own). An HMAC's: Python's `hmac.new(key, ...)` and `hmac.HMAC(`, pycryptodome's
# `HMAC.new(key, ...)`, Node's `crypto.createHmac(algorithm, key)`, Go's
# `hmac.New(sha256.New, []byte(key))`. A cipher's: pycryptodome's `AES.new(key, mode)` (or
# `key=`), `cryptography`'s `algorithms.AES(key)` and AEAD classes (`AESGCM(key)`), Node's
# `createCipheriv(algorithm, key, iv)` (the IV is no secret), Go's `aes.NewCipher([]byte(key))`.
_KEY_CALL = re.compile(
    r"(?:hmac\.(?:new|HMAC)|HMAC\.new"
    r"|(?:AES|DES3?|ARC[24]|Blowfish|CAST|Salsa20|X?ChaCha20(?:_Poly1305)?)\.new"
    r"|algorithms\.(?:AES(?:128|256)?|TripleDES|Camellia|ChaCha20|SM4|Blowfish|CAST5)"
    r"|ChaCha20Poly1305|AES(?:GCM(?:SIV)?|CCM|OCB3|SIV))[ \t]{0,8}\("
    r"|(?P<node>createHmac|create(?:Cipher|Decipher)iv)[ \t]{0,8}\("
    r"|(?P<go_hmac>hmac\.New)\("
    r"|(?P<go>(?:aes|des|blowfish|rc4)\.New(?:TripleDES)?Cipher|chacha20poly1305\.NewX?)\("
)
# Go's hash constructor (before an HMAC's key), then the key wrapped in `[]byte(`.
_GO_HASH = re.compile(r"[^,()\r\n]{1,64}+,")
_GO_KEY = re.compile(r"""[ \t]{0,8}\[\]byte\([ \t]{0,8}(?=["'`])""")
_KEY_KEYWORD = re.compile(r"[ \t]{0,8}key[ \t]{0,8}=(?!=)")  # `ChaCha20.new(key=b"...")`
# Shorter literals are test vectors and examples (RFC 2104's `"Jefe"`, `b"key"`): a key worth
# keeping from the model is longer.
_MIN_KEY = 8


def _key_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text, at = ctx.text, match.start() + offset
    if at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_$"):
        return None  # `myhmac.new(`, `xcreateHmac(`, `MyAESGCM(`
    pos, end = match.end() + offset, min(ctx.end, match.end() + offset + _CALL_REACH)
    if match["go_hmac"] or match["go"]:
        hashed = _GO_HASH.match(text, pos, end) if match["go_hmac"] else None
        wrapped = _GO_KEY.match(text, pos if hashed is None else hashed.end(), end)
        if wrapped is None or (match["go_hmac"] and hashed is None):
            return None
        span = _call_argument_span(ctx, wrapped.end(), 1)
    elif match["node"]:
        span = _call_argument_span(ctx, pos, 2)
    else:
        keyword = _KEY_KEYWORD.match(text, pos, end)
        span = _call_argument_span(ctx, pos if keyword is None else keyword.end(), 1)
    return span if span is not None and span[1] - span[0] >= _MIN_KEY else None


# A password given to the call that checks or hashes it: Django's `check_password("...", hash)`
# and `make_password("...")`, `verify_password(`, Werkzeug's `generate_password_hash("...")` and
# `check_password_hash(hash, "...")`, bcrypt's `checkpw(b"...", hash)`, `hashpw(`, Node's
# `bcrypt.compare(`, passlib's `pwd_context.verify("...", hash)` and `.hash(`: `.hash(` and
# `.verify(` only on a receiver named for passwords (`hasher.hash(data)` hashes anything).
_PASSWORD_CALL = re.compile(
    r"(?:check|verify|make)_?[Pp]assword[ \t]{0,8}\(|generate_password_hash[ \t]{0,8}\("
    r"|(?P<second>check_password_hash)[ \t]{0,8}\("
    r"|bcrypt\.(?:checkpw|hashpw|compare|hash)(?:Sync)?[ \t]{0,8}\("
    r"|(?:pwd|passw(?:or)?d)_?(?:[Cc]ontext|[Cc]tx)\.(?:hash|verify|encrypt)[ \t]{0,8}\("
)


def _password_call_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """Any length, as `set_password("...")`: a test's `check_password("hunter2")` is a
    password too (placeholders and names such as `"new_password"` stay)."""
    text, at = ctx.text, match.start() + offset
    if at > 0 and (text[at - 1].isalnum() or text[at - 1] == "$"):
        return None  # `recheck_password(`, `mybcrypt.hash(` (`_check_password(` is one)
    return _call_argument_span(ctx, match.end() + offset, 2 if match["second"] else 1)


# An LDAP bind's password, given by position: python-ldap's `simple_bind_s(dn, "...")`,
# `simple_bind(` and `bind_s(dn, "...", method)` (the second argument), PHP's `ldap_bind($conn,
# $dn, "...")` (the third). A bare `.bind(` is left: a socket's (`sock.bind((host, port))`),
# a function's `this`, as often as ldapjs' or ldap3's bind.
_LDAP_BIND = re.compile(r"(?:\.simple_bind(?:_s)?|\.bind_s|(?P<php>ldap_bind))[ \t]{0,8}\(")


def _ldap_bind_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """Any length, as `set_password("...")`: the call says the argument is a password."""
    text, at = ctx.text, match.start() + offset
    if match["php"] and at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_$"):
        return None  # `my_ldap_bind(`: a function of one's own
    return _call_argument_span(ctx, match.end() + offset, 3 if match["php"] else 2)


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
