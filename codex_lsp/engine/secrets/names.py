"""The secret-name vocabulary: which names hold a secret (`DB_PASSWORD`, `signing_key`), and
which strings only name one or say where it is (`"OPENAI_API_KEY"`, a path)."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.text import _words


# --- secret-like names ---------------------------------------------------------------------------
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
        kind = _name_kind(name[:kw_start], name[kw_end:], lowered[kw_start:kw_end])
        if kind == "about" and lowered[kw_start:kw_end] in _SCHEME_KEYWORDS:
            continue  # `jwt_private_key`: the later keyword decides
        return kind == "secret"
    return False


# The keyword, then the rest of the name, its closing quote or bracket, and the operator. It runs
# on lower-case text, its keywords laid out as a trie (a flat alternation is three times slower);
# `pass`, `pw`, `pwd`, `auth` and `creds` must start a word (`bypass`, `oauth`, `upw`), and the
# handler checks on the real text that no keyword goes on in lower case (`tokenizer`, `passwords`,
# `pwr`; `tokenUrl` is a name about a token). `key` alone counts after `preshared`, `client`,
# `jwt`, `hmac`, `functions` (Azure Functions' `x-functions-key` header), `rapidapi`,
# `application` (Datadog's `DD-APPLICATION-KEY`), `session` or `license` only, and `signing` alone
# after `webhook`, looked for behind it: a keyword starting with a letter no other starts with
# would be tried at each one (`bearer`, `jwt`, `hmac`, `hotp` and `otp` are, as nothing longer
# ends with them: about a fifth slower). `.` joins a key's words too (`datadog.api.key=`).
# `signature` counts before `key` only: a signature alone is computed, not kept
# (`signature = hmac...`), and `signature_secret` has `secret`.
# `pin_code` must start a word and keep its separator: `shipping_code`, and `pincode`, India's
# postal code.
_ASSIGNMENT_SOURCE = r"""(?P<kw>pass(?:w(?:or)?d|phrase)|pass(?<![a-z]pass)
    |pwd?(?<![a-z]pwd)(?<![a-z]pw)|pin(?<![a-z]pin)[_.-]code
    |secret|to(?:ken|tp)|private[_-]?key|master[_.-]?key|encryption[_.-]?key
    |sign(?:ing(?:[_.-]?key|(?<=webhook_signing)|(?<=webhooksigning)|(?<=webhook-signing))
    |ature[_.-]?key)
    |key(?:(?<=presharedkey)|(?<=preshared_key)|(?<=preshared-key)|(?<=clientkey)|(?<=client_key)
    |(?<=client-key)|(?<=jwtkey)|(?<=jwt_key)|(?<=jwt-key)|(?<=hmackey)|(?<=hmac_key)|(?<=hmac-key)
    |(?<=functions-key)|(?<=functions_key)|(?<=rapidapi-key)|(?<=rapidapi_key)
    |(?<=application-key)|(?<=application_key)|(?<=application.key)|(?<=sessionkey)
    |(?<=session_key)|(?<=session-key)|(?<=licensekey)|(?<=license_key)|(?<=license-key)
    |(?<=licencekey)|(?<=licence_key)|(?<=licence-key))
    |a(?:pi[ _.-]?key|ccess[_.-]?key|ccount[_.-]?key|pp[_.-]?key
    |uth(?<![a-z]auth)(?:orization|[_-]?key)?)
    |subscription[_.-]?key|cred(?:entials?|s(?<![a-z]creds))|bearer|jwt|h(?:mac|otp)|otp)
    (?P<rest>[\w.-]{0,40}+)(?P<close>\\?["'`\]]{0,2}+)[ \t]{0,16}+
    (?P<op>:=|=>|===?|!==?|\?=|=|:(?![:\\/])|>|(?<=[ \t])value[ \t]{0,4}=
    |(?<=[ \t])string[ \t]{0,4}=(?!=)|<-(?=[ \t]{0,16}["'])|,(?=[ \t]{0,16}[@$]?["'])
    |[{(](?=[ \t]{0,16}["']))"""
_ASSIGNMENT = re.compile(_ASSIGNMENT_SOURCE, re.VERBOSE)
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
    parser encoder count len algorithm algorithms alg algo"""
)
# Keywords that are also the names of a scheme or an algorithm: alone they hold a secret only
# if it looks like one (`jwt: enabled`, `bearer: true` in configuration), and a name going on
# past them only when its last word says so (`jwt_secret`, `totp_seed`; not `jwt_audience`,
# `hmac_digest`, nor Erlang's `otp_release`).
_SCHEME_KEYWORDS = frozenset({"bearer", "jwt", "hmac", "otp", "totp", "hotp"})
# Keys judged likewise: Django's `SESSION_KEY = "_auth_user_id"` names where a session keeps a
# value, as `SESSION_KEY = "cart"` does; a session's or a licence's key is random.
_KEYS_NAMED = frozenset({"session", "license", "licence"})
# Last words of names that hold a secret: the secret words, and what tells versions apart.
_SECRET_LAST = _words(
    """password passwd pwd pass passphrase secret token key apikey credential credentials creds
    auth authorization value val b64 base64 hex raw plain plaintext enc encoded encrypted prod
    production dev development test testing staging stage live local old new current primary
    secondary backup base hash hashed salt seed default admin root master"""
)
_NOT_SECRET_BEFORE = _words(
    """max min num n count total is has use show hide enable enabled disable disabled require
    required allow should can skip no len need needs with without invalid missing special stop
    bos eos pad unk sep cls"""
)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# A value that reads as a word or a name, not as a secret (no digits, no symbols but these).
_WORDY = re.compile(r"(?:[A-Za-z_ ./:-]|\$?\{[\w.]{0,100}\})+")


def _name_kind(before: str, rest: str, keyword: str = "") -> str:
    """ "about" a secret (`token_count`, `secret_name`, `max_tokens`), "secret" when its last
    word says it holds one (`DB_PASSWORD`, `SECRET_KEY_BASE`, `token_2`), else "maybe"
    (`PASSWORD_BANNED`, `TokenCredentialName`): a maybe holds a secret only if it looks like one.
    `keyword`, lower case: one of _SCHEME_KEYWORDS (or a key of _KEYS_NAMED) is judged as that
    says."""
    words = _WORDS.findall(rest)
    if words and words[0].lower() in _NOT_SECRET_AFTER:
        return "about"
    last_before = ""
    if before:
        words_before = _WORDS.findall(before)
        last_before = words_before[-1].lower() if words_before else ""
        if last_before in _NOT_SECRET_BEFORE:
            return "about"
    if keyword in _SCHEME_KEYWORDS or (keyword == "key" and last_before in _KEYS_NAMED):
        if not words:
            return "maybe"
        return "secret" if words[-1].lower() in _SECRET_LAST else "about"
    if not words or words[-1].lower() in _SECRET_LAST or words[-1].isdigit():
        return "secret"
    return "maybe"


_ASSIGNMENT_WORD = re.compile(r"passw|secret|token|key|auth|cred|pass|pwd", re.IGNORECASE)


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
