"""Every rule in the order they run (redaction depends on it), and the lookups by which the scan
picks the rules a window may want."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import (
    _ASSIGNMENT_ANY_CASE,
    _ASSIGNMENT_STEMS,
    _FALLBACK,
    _SALT,
    _SALT_NEEDLES,
    _assignment_worth,
    _fallback_span,
    _salt_span,
)
from codex_lsp.engine.secrets.calls import (
    _BASIC_CREDENTIALS,
    _BUILDER_CALL,
    _CONNECT_CALL,
    _JWT_CALL,
    _KEY_CALL,
    _LDAP_BIND,
    _PASSWORD_CALL,
    _SECRET_CALL,
    _SECRET_CALL_ANY_CASE,
    _SECRET_CALL_WORDS,
    _basic_credentials_span,
    _builder_call_span,
    _driver_call_span,
    _jwt_call_span,
    _key_call_span,
    _ldap_bind_span,
    _password_call_span,
    _secret_call_span,
)
from codex_lsp.engine.secrets.commands import (
    _CLI_SETTING,
    _CMAKE_SET,
    _COMMAND_FLAG,
    _CONCAT,
    _CONCAT_NEEDLES,
    _CONFIG_SET,
    _COOKIE,
    _CURL_USER,
    _DEFINE,
    _DOCKER_ENV,
    _ENV_FALLBACK,
    _ENV_KEY,
    _FLAG,
    _FLAG_ITEM,
    _GH_SECRET,
    _HERE_STRING_LOGIN,
    _HTPASSWD,
    _JSON_NAMED_VALUE,
    _MASTERAUTH,
    _NETRC_LINE,
    _ORACLE_TOOL,
    _PGPASS,
    _REDIS_AUTH,
    _REQUIREPASS,
    _RUBY_ENV_FALLBACK,
    _SASL_PASSWD,
    _SECURE_STRING,
    _SETENV,
    _SMB_USER,
    _SPACED_PROPERTY,
    _SPACED_SETTING,
    _SPACED_SETTING_NEEDLES,
    _SQL_INSERT,
    _SQL_INSERT_ANY_CASE,
    _SQL_PASSWORD,
    _SQL_PASSWORD_ANY_CASE,
    _STANDALONE_SCHEME,
    _STDIN_LOGIN,
    _URL_TOKEN_USER,
    _URL_USERINFO,
    _XML_ENTRY,
    _after_a_tool,
    _cli_setting_span,
    _cmake_set_span,
    _cmake_set_worth,
    _command_flag_span,
    _concat_span,
    _concat_worth,
    _config_set_span,
    _cookie_span,
    _curl_user_span,
    _define_span,
    _docker_env_span,
    _env_fallback_span,
    _env_key_span,
    _flag_item_span,
    _flag_span,
    _gh_secret_span,
    _here_string_span,
    _htpasswd_span,
    _json_named_value_span,
    _netrc_line_span,
    _oracle_login_span,
    _pgpass_span,
    _redis_auth_command_span,
    _redis_auth_span,
    _sasl_passwd_span,
    _scheme_span,
    _secret_group_span,
    _setenv_span,
    _spaced_property_span,
    _spaced_setting_span,
    _spaced_setting_worth,
    _sql_insert_span,
    _sql_password_span,
    _url_span,
    _url_token_user_span,
    _xml_entry_span,
)
from codex_lsp.engine.secrets.formats import (
    _BUILDER_HINTS,
    _CLI_SET_HINTS,
    _COLON_SLASHES_BASE64,
    _CONFIG_SET_HINTS,
    _CONNECT_HINTS,
    _COOKIE_HINTS,
    _CURL_HINTS,
    _DEFINE_HINTS,
    _DOCKER_ENV_HINTS,
    _DSN_HOST,
    _ENV_HINTS,
    _FLAG_HINTS,
    _GH_SECRET_HINTS,
    _HERE_STRING_HINTS,
    _HINTED_SHORT_FORMATS,
    _HTPASSWD_HINTS,
    _JSON_VALUE_HINTS,
    _JWT_HINTS,
    _KEY_CALL_HINTS,
    _LDAP_BIND_HINTS,
    _NETRC_LINE_HINTS,
    _ORACLE_HINTS,
    _PASSWORD_CALL_HINTS,
    _PROPERTY_HINTS,
    _REDIS_AUTH_HINTS,
    _REDIS_HINTS,
    _RUBY_ENV_HINTS,
    _SASL_HINTS,
    _SCHEME_HINTS,
    _SECURE_STRING_HINTS,
    _SETENV_HINTS,
    _SHORT_FORMATS,
    _SMB_HINTS,
    _STDIN_HINTS,
    _TOKEN_FORMATS,
    _URL_BASE64,
    _URL_HINTS,
    _XML_ENTRY_HINTS,
    _dsn_span,
    _hint_keys,
    _token_span,
)
from codex_lsp.engine.secrets.keys import (
    _KEY_ITEM,
    _KEY_NAME_STRING,
    _KEY_QUERY,
    _POSITIONAL_KEY,
    _key_alone_span,
    _key_alone_worth,
    _key_name_span,
    _key_name_worth,
    _positional_key_span,
    _positional_key_worth,
)
from codex_lsp.engine.secrets.names import _ASSIGNMENT
from codex_lsp.engine.secrets.prose import _PROSE_IS, _assignment_or_prose_span, _prose_is_span
from codex_lsp.engine.secrets.rule import _Rule
from codex_lsp.engine.secrets.structures import (
    _PLURAL_LIST,
    _PLURAL_LIST_ANY_CASE,
    _TABLE_ROW,
    _TF_DEFAULT,
    _plural_list_span,
    _plural_list_worth,
    _table_row_span,
    _table_row_worth,
    _tf_default_span,
)
from codex_lsp.engine.secrets.text import _words

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
    _Rule(_REDIS_AUTH, _redis_auth_command_span, _hint_keys(_REDIS_AUTH_HINTS), hinted=True),
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
    _Rule(_HERE_STRING_LOGIN, _here_string_span, _hint_keys(_HERE_STRING_HINTS), hinted=True),
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
    _Rule(_CMAKE_SET, _cmake_set_span, frozenset({"set(", "SET("}), worth=_cmake_set_worth),
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
    _Rule(_PROSE_IS, _prose_is_span, frozenset({" is ", " was ", " is:", " was:"})),
    # Searched for in _rules_for (each pattern starts with a literal or `[?&]`): the value a
    # match needs (16 or 32 token characters) is rare, so the search fails fast.
    _Rule(_KEY_QUERY, _key_alone_span, worth=_key_alone_worth),
    _Rule(_KEY_ITEM, _key_alone_span, worth=_key_alone_worth),
    _Rule(_POSITIONAL_KEY, _positional_key_span, worth=_positional_key_worth),
    _Rule(_KEY_NAME_STRING, _key_name_span, worth=_key_name_worth),
    _Rule(_CONNECT_CALL, _driver_call_span, _hint_keys(_CONNECT_HINTS), hinted=True),
    _Rule(_JWT_CALL, _jwt_call_span, _hint_keys(_JWT_HINTS), hinted=True),
    _Rule(_KEY_CALL, _key_call_span, _hint_keys(_KEY_CALL_HINTS), hinted=True),
    _Rule(_PASSWORD_CALL, _password_call_span, _hint_keys(_PASSWORD_CALL_HINTS), hinted=True),
    _Rule(_LDAP_BIND, _ldap_bind_span, _hint_keys(_LDAP_BIND_HINTS), hinted=True),
    _Rule(_SALT, _salt_span, _SALT_NEEDLES),
    _Rule(_CONCAT, _concat_span, _CONCAT_NEEDLES, worth=_concat_worth),
    _Rule(
        _SPACED_SETTING,
        _spaced_setting_span,
        _SPACED_SETTING_NEEDLES,
        worth=_spaced_setting_worth,
    ),
    # The rule for names runs last on each window: it judges quotes, and those inside a value the
    # other rules redacted must not count (after redaction they are gone).
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
