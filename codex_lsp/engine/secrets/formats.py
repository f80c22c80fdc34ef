"""Token formats with a distinctive prefix (derived from gitleaks' rule set) and the needles the
scan looks for first: the formats' own and other rules'."""

from __future__ import annotations

import re
from collections.abc import Iterable

from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import Span, _trie
from codex_lsp.engine.secrets.values import _is_placeholder

# --- token formats ------------------------------------------------------------------------------
# Needles of formats that are no tokens (rules below), found by the same search as the tokens'
# (str.find or a search per rule would read every window once more for each): a word of each
# format, from a character some token needle starts with too, so the search costs little more.
# A rule is tried in a window holding a hit that holds one of its needles (_hint_keys).
_HTPASSWD_HINTS = frozenset({"htpasswd"})
_REDIS_HINTS = frozenset({"requirepass", "asterauth"})  # `masterauth` from its second letter
_REDIS_AUTH_HINTS = frozenset({"AUTH ", "AUTH\t", "auth ", "auth\t"})  # Redis' AUTH command
_SASL_HINTS = frozenset(f":{port}{blank}" for port in (25, 465, 587, 2525) for blank in " \t")
_PROPERTY_HINTS = frozenset(
    f".{word}" for word in ("password", "passwd", "pass", "pwd", "secret", "credentials", "token")
)
_CONNECT_HINTS = frozenset({".connect"})
_JWT_HINTS = frozenset({"wt."})  # `jwt.` from its second letter
# A key given to an HMAC or a cipher: `hmac.new(`, `createHmac(` from its `H`, pycryptodome's
# `AES.new(` (`.new`: `ARC4` would add a first character), `algorithms.AES(`, `AESGCM(` and
# `ChaCha20Poly1305(` from their second letter, `createCipheriv(` and Go's `aes.NewCipher(` too.
_KEY_CALL_HINTS = frozenset(
    {"hmac.", "HMAC.", "Hmac", ".new", "algorithms.", "haCha20Poly1305", "hacha20poly1305."}
    | {"ESGCM", "ESCCM", "ESOCB3", "ESSIV", "heriv", "ewCipher", "ewTripleDESCipher"}
)
# A password given to a check or a hash, each from a letter other needles start with:
# `check_password(`, `verifyPassword(`, `make_password(`, Werkzeug's `..._password_hash(`,
# `bcrypt.`, passlib's `pwd_context.` (`pwdContext.`, `pwd_ctx.`).
_PASSWORD_CALL_HINTS = frozenset(
    {"heck_password", "heckPassword", "erify_password", "erifyPassword", "ake_password"}
    | {"akePassword", "ssword_hash", "rypt.", "d_context.", "dContext.", "d_ctx.", "dCtx."}
)
# An LDAP bind: python-ldap's `.simple_bind(`, `.simple_bind_s(`, `.bind_s(`, PHP's `ldap_bind(`
# from its second letter.
_LDAP_BIND_HINTS = frozenset({".simple_bind", ".bind_s", "dap_bind"})
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
_HERE_STRING_HINTS = frozenset({"-stdin", "with-token"})
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
    _REDIS_AUTH_HINTS,
    _SASL_HINTS,
    _PROPERTY_HINTS,
    _CONNECT_HINTS,
    _JWT_HINTS,
    _KEY_CALL_HINTS,
    _PASSWORD_CALL_HINTS,
    _LDAP_BIND_HINTS,
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
    _HERE_STRING_HINTS,
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
