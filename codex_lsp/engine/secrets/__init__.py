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

The package, by concern: `formats` (token formats), `names` (the secret-name vocabulary), `values`
(placeholders, random-looking values), `assignments` (values after names), `calls`, `commands`
(URLs, headers, flags, config lines), `structures` (tables, lists, Terraform), `prose`, `keys`
(keys judged by their value alone), `rules` (every rule, in order), `rule` and `scan` (the rule
machinery and its linear-time budgets), `blocks` (values over several lines), `files` (files
never sent) and `text` (spans, segments, lines).
"""

from __future__ import annotations

from codex_lsp.engine.secrets.blocks import _NO_KEY, _go_on, _plain
from codex_lsp.engine.secrets.files import DEFAULT_EXCLUDE, git_ignored, is_excluded, uri_path
from codex_lsp.engine.secrets.text import REDACTED, _segment_end

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


__all__ = [
    "DEFAULT_EXCLUDE",
    "REDACTED",
    "Segments",
    "git_ignored",
    "is_excluded",
    "redact",
    "uri_path",
]
