"""Fake secrets in the formats providers issue, inside the files they are found in, and ordinary
code that must come through redaction untouched.

Every secret is generated here from a fixed seed: right prefix, length and alphabet, random body.
None is real, and no whole token is written in this file, so secret scanners have nothing to find.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

_RANDOM = random.Random(20_260_614)
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def fake(prefix: str, length: int, alphabet: str = ALNUM) -> str:
    return prefix + "".join(_RANDOM.choice(alphabet) for _ in range(length))


def pem_body(lines: int) -> list[str]:
    return [fake("", 64, B64) for _ in range(lines)]


@dataclass(frozen=True)
class Sample:
    """A file with secrets in it, and exactly what redaction must make of it."""

    name: str
    text: str
    secrets: tuple[str, ...]
    redacted: str


# --- the secrets ----------------------------------------------------------------------------------
OPENAI = fake("sk-" + "proj-", 48, URLSAFE)
ANTHROPIC = fake("sk-" + "ant-api03-", 93, URLSAFE) + "AA"
STRIPE_LIVE = fake("sk_" + "live_", 24)
STRIPE_TEST = fake("sk_" + "test_", 24)
STRIPE_RESTRICTED = fake("rk_" + "live_", 24)
STRIPE_WEBHOOK = fake("whsec_", 32)
AWS_ID = fake("AKIA", 16, UPPER)
AWS_SECRET = fake("", 40, B64)
AWS_SESSION = fake("IQoJb3JpZ2luX2Vj", 300, B64)
GITHUB_CLASSIC = fake("gh" + "p_", 36)
GITHUB_OAUTH = fake("gh" + "o_", 36)
GITHUB_FINE = fake("github" + "_pat_", 82, ALNUM + "_")
GITLAB = fake("gl" + "pat-", 20, URLSAFE)
GITLAB_DEPLOY = fake("gl" + "dt-", 20, URLSAFE)
SLACK_BOT = (
    "xo" + "xb-" + fake("", 12, string.digits) + "-" + fake("", 13, string.digits) + fake("-", 24)
)
SLACK_USER = "xo" + "xp-" + "-".join(fake("", 12, string.digits) for _ in range(3)) + fake("-", 32)
SLACK_APP = (
    "xa" + "pp-1-" + fake("A", 10, UPPER) + "-" + fake("", 13, string.digits) + fake("-", 64, HEX)
)
SLACK_HOOK_PATH = fake("T", 10, UPPER) + "/" + fake("B", 10, UPPER) + "/" + fake("", 24)
HUGGING_FACE = fake("hf" + "_", 34, string.ascii_letters)
NPM = fake("np" + "m_", 36)
PYPI = fake("py" + "pi-AgEIcHlwaS5vcmc", 150, URLSAFE)
SENDGRID = fake("S" + "G.", 22, URLSAFE) + fake(".", 43, URLSAFE)
TWILIO_KEY = fake("S" + "K", 32, HEX)
TWILIO_SID = fake("A" + "C", 32, HEX)
GOOGLE = fake("AI" + "za", 35, URLSAFE)
GOOGLE_OAUTH_SECRET = fake("GOC" + "SPX-", 28, URLSAFE)
JWT = "eyJ" + fake("", 33, URLSAFE) + fake(".eyJ", 120, URLSAFE) + fake(".", 43, URLSAFE)
DIGITALOCEAN = fake("do" + "p_v1_", 64, HEX)
SHOPIFY = fake("sh" + "pat_", 32, HEX)
DATABRICKS = fake("da" + "pi", 32, HEX)
MAILGUN = fake("ke" + "y-", 32, HEX)
VAULT = fake("hv" + "s.", 96, URLSAFE)
DOCKER_HUB = fake("dckr" + "_pat_", 27, URLSAFE)
GROQ = fake("gs" + "k_", 52)
SENTRY = fake("sntr" + "yu_", 64, HEX)
DOPPLER = fake("dp" + ".pt.", 43)
LINEAR = fake("lin" + "_api_", 40)
POSTMAN = fake("PM" + "AK-", 24, HEX) + fake("-", 34, HEX)
AGE = fake("AGE" + "-SECRET-KEY-1", 58, UPPER)
TELEGRAM_SECRET = fake("AA", 33, URLSAFE)
TELEGRAM = fake("", 10, string.digits) + ":" + TELEGRAM_SECRET
AZURE_AD = fake("", 3, ALNUM) + "8Q" + "~" + fake("", 31, ALNUM + "~._")
AZURE_STORAGE = fake("", 86, B64) + "=="
NOTION = fake("nt" + "n_", 11, string.digits) + fake("", 35)

# Secrets with no format of their own: found by the name they are given.
DB_PASSWORD = fake("", 20, ALNUM + "!#%^*")
SHELL_PASSWORD = fake("", 16, ALNUM)
YAML_PASSWORD = fake("", 18, ALNUM + "!%^*")
INI_PASSWORD = fake("", 14, ALNUM)
COMPOSE_PASSWORD = fake("", 16, ALNUM)
MYSQL_ROOT = fake("", 12, ALNUM)
DJANGO_KEY = fake("django-insecure-", 40, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)")
JSON_PASSWORD = fake("", 16, ALNUM + "!@#")
CLIENT_SECRET = fake("", 40, URLSAFE + "~.")
PROPERTIES_PASSWORD = fake("", 12, ALNUM)
DOCKER_AUTH = base64.b64encode(f"deploy:{fake('', 16)}".encode()).decode()
NPM_AUTH = base64.b64encode(f"ci:{fake('', 16)}".encode()).decode()
BASIC_AUTH = base64.b64encode(f"admin:{fake('', 12)}".encode()).decode()
CURL_PASSWORD = fake("", 14, ALNUM)
FLAG_PASSWORD = fake("", 15, ALNUM)
URL_PASSWORD = "p@ss/" + fake("", 8) + "@x"
REDIS_PASSWORD = fake("", 20)
GIT_CREDENTIAL = fake("gh" + "p_", 36)
INDEX_PASSWORD = fake("", 18)
XML_PASSWORD = fake("", 14, ALNUM + "!#")
NUGET_PASSWORD = fake("", 20)
PHP_PASSWORD = fake("", 13)
GO_PASSWORD = fake("", 17)
TERRAFORM_SECRET = fake("", 34, URLSAFE + "~.")
SHORT_PASSWORD = "abc"
ENVY_PASSWORD = "envy-Secr3t!"
COMPARED_PASSWORD = fake("", 11)
DOCKERFILE_TOKEN = fake("", 32, HEX)
BEARER = fake("", 40, URLSAFE + ".")

RSA_BODY = pem_body(6)
OPENSSH_BODY = pem_body(5)
EC_BODY = pem_body(3)
ENCRYPTED_BODY = pem_body(4)
PGP_BODY = [*pem_body(5), "=" + fake("", 4, B64)]
JSON_KEY_BODY = pem_body(3)


def pem(kind: str, body: list[str], indent: str = "") -> str:
    lines = [f"-----BEGIN {kind}-----", *body, f"-----END {kind}-----"]
    return "\n".join(indent + line for line in lines)


def redacted_pem(kind: str, body: list[str], indent: str = "") -> str:
    return pem(kind, ["[REDACTED]" for _ in body], indent)


# --- the files --------------------------------------------------------------------------------
SAMPLES: list[Sample] = [
    Sample(
        "dotenv",
        "# local settings\n"
        "DEBUG=true\n"
        "DB_HOST=db.internal\n"
        f"DB_PASSWORD={DB_PASSWORD}\n"
        f"OPENAI_API_KEY={OPENAI}\n"
        f'ANTHROPIC_API_KEY="{ANTHROPIC}"\n'
        f"STRIPE_SECRET_KEY={STRIPE_LIVE}\n"
        f"SECRET_KEY='{DJANGO_KEY}'\n"
        f"HF_TOKEN={HUGGING_FACE}\n"
        "DATABASE_POOL_SIZE=10\n",
        (DB_PASSWORD, OPENAI, ANTHROPIC, STRIPE_LIVE, DJANGO_KEY, HUGGING_FACE),
        "# local settings\n"
        "DEBUG=true\n"
        "DB_HOST=db.internal\n"
        "DB_PASSWORD=[REDACTED]\n"
        "OPENAI_API_KEY=[REDACTED]\n"
        'ANTHROPIC_API_KEY="[REDACTED]"\n'
        "STRIPE_SECRET_KEY=[REDACTED]\n"
        "SECRET_KEY='[REDACTED]'\n"
        "HF_TOKEN=[REDACTED]\n"
        "DATABASE_POOL_SIZE=10\n",
    ),
    Sample(
        "shell-script",
        "#!/bin/sh\n"
        "set -eu\n"
        f"export GITHUB_TOKEN={GITHUB_CLASSIC}\n"
        f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
        f"PGPASSWORD={SHELL_PASSWORD} psql -h db -U app -c 'select 1'\n"
        f"curl -u admin:{CURL_PASSWORD} https://ci.example.com/api/build\n"
        f'curl -H "Authorization: Bearer {BEARER}" https://api.example.com/v1/me\n'
        f"curl -H 'Authorization: Basic {BASIC_AUTH}' https://api.example.com/v1/me\n"
        f"docker login --username deploy --password {FLAG_PASSWORD} registry.example.com\n"
        'echo "token is $GITHUB_TOKEN"\n',
        (GITHUB_CLASSIC, AWS_SECRET, SHELL_PASSWORD, CURL_PASSWORD, BEARER, BASIC_AUTH),
        "#!/bin/sh\n"
        "set -eu\n"
        "export GITHUB_TOKEN=[REDACTED]\n"
        "export AWS_SECRET_ACCESS_KEY=[REDACTED]\n"
        "PGPASSWORD=[REDACTED] psql -h db -U app -c 'select 1'\n"
        "curl -u admin:[REDACTED] https://ci.example.com/api/build\n"
        'curl -H "Authorization: Bearer [REDACTED]" https://api.example.com/v1/me\n'
        "curl -H 'Authorization: Basic [REDACTED]' https://api.example.com/v1/me\n"
        "docker login --username deploy --password [REDACTED] registry.example.com\n"
        'echo "token is $GITHUB_TOKEN"\n',
    ),
    Sample(
        "docker-compose",
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        f"      - POSTGRES_PASSWORD={COMPOSE_PASSWORD}\n"
        "      - POSTGRES_USER=app\n"
        "  mysql:\n"
        "    environment:\n"
        f"      MYSQL_ROOT_PASSWORD: {MYSQL_ROOT}\n"
        "  app:\n"
        "    environment:\n"
        f"      SENDGRID_API_KEY: {SENDGRID}\n"
        f"      SLACK_WEBHOOK_URL: https://hooks.slack.com/services/{SLACK_HOOK_PATH}\n"
        "      REDIS_PASSWORD: ${REDIS_PASSWORD}\n",
        (COMPOSE_PASSWORD, MYSQL_ROOT, SENDGRID, SLACK_HOOK_PATH),
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        "      - POSTGRES_PASSWORD=[REDACTED]\n"
        "      - POSTGRES_USER=app\n"
        "  mysql:\n"
        "    environment:\n"
        "      MYSQL_ROOT_PASSWORD: [REDACTED]\n"
        "  app:\n"
        "    environment:\n"
        "      SENDGRID_API_KEY: [REDACTED]\n"
        "      SLACK_WEBHOOK_URL: https://hooks.slack.com/services/[REDACTED]\n"
        "      REDIS_PASSWORD: ${REDIS_PASSWORD}\n",
    ),
    Sample(
        "yaml-config",
        "database:\n"
        "  user: app\n"
        f"  password: {YAML_PASSWORD}  # rotated monthly\n"
        "gitlab:\n"
        f"  token: {GITLAB}\n"
        f"  deploy_token: '{GITLAB_DEPLOY}'\n"
        "github:\n"
        "  token: ${{ secrets.GITHUB_TOKEN }}\n"
        "ansible:\n"
        '  become_password: "{{ vault_become_password }}"\n',
        (YAML_PASSWORD, GITLAB, GITLAB_DEPLOY),
        "database:\n"
        "  user: app\n"
        "  password: [REDACTED]  # rotated monthly\n"
        "gitlab:\n"
        "  token: [REDACTED]\n"
        "  deploy_token: '[REDACTED]'\n"
        "github:\n"
        "  token: ${{ secrets.GITHUB_TOKEN }}\n"
        "ansible:\n"
        '  become_password: "{{ vault_become_password }}"\n',
    ),
    Sample(
        "kubernetes-secret",
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: app\n"
        "type: Opaque\n"
        "stringData:\n"
        f"  api_key: {STRIPE_RESTRICTED}\n"
        f"  webhook-secret: {STRIPE_WEBHOOK}\n",
        (STRIPE_RESTRICTED, STRIPE_WEBHOOK),
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: app\n"
        "type: Opaque\n"
        "stringData:\n"
        "  api_key: [REDACTED]\n"
        "  webhook-secret: [REDACTED]\n",
    ),
    Sample(
        "ini",
        "[database]\n"
        "host = db.internal\n"
        "user = app\n"
        f"password = {INI_PASSWORD}\n"
        "\n"
        "[pypi]\n"
        "username = __token__\n"
        f"password = {PYPI}\n",
        (INI_PASSWORD, PYPI),
        "[database]\n"
        "host = db.internal\n"
        "user = app\n"
        "password = [REDACTED]\n"
        "\n"
        "[pypi]\n"
        "username = __token__\n"
        "password = [REDACTED]\n",
    ),
    Sample(
        "aws-credentials",
        "[default]\n"
        f"aws_access_key_id = {AWS_ID}\n"
        f"aws_secret_access_key = {AWS_SECRET}\n"
        f"aws_session_token = {AWS_SESSION}\n"
        "region = eu-west-1\n",
        (AWS_ID, AWS_SECRET, AWS_SESSION),
        "[default]\n"
        "aws_access_key_id = [REDACTED]\n"
        "aws_secret_access_key = [REDACTED]\n"
        "aws_session_token = [REDACTED]\n"
        "region = eu-west-1\n",
    ),
    Sample(
        "npmrc",
        "registry=https://registry.npmjs.org/\n"
        f"//registry.npmjs.org/:_authToken={NPM}\n"
        f"//npm.pkg.github.com/:_authToken={GITHUB_OAUTH}\n"
        f"_auth={NPM_AUTH}\n"
        "always-auth=true\n",
        (NPM, GITHUB_OAUTH, NPM_AUTH),
        "registry=https://registry.npmjs.org/\n"
        "//registry.npmjs.org/:_authToken=[REDACTED]\n"
        "//npm.pkg.github.com/:_authToken=[REDACTED]\n"
        "_auth=[REDACTED]\n"
        "always-auth=true\n",
    ),
    Sample(
        "python-settings",
        "import os\n"
        "\n"
        "import openai\n"
        "\n"
        f'client = openai.OpenAI(api_key="{OPENAI}")\n'
        f'stripe.api_key = "{STRIPE_TEST}"\n'
        f'TWILIO_API_KEY = "{TWILIO_KEY}"\n'
        f'TWILIO_ACCOUNT_SID = "{TWILIO_SID}"\n'
        f'DATABASE_URL = "postgres://app:{URL_PASSWORD}@db.internal:5432/prod"\n'
        f'REDIS_URL = "redis://:{REDIS_PASSWORD}@cache:6379/0"\n'
        f'password = "{SHORT_PASSWORD}"\n'
        f'admin_password = "{ENVY_PASSWORD}"\n'
        f'headers = {{"Authorization": "Bearer {JWT}", "Accept": "application/json"}}\n'
        f'conn = psycopg.connect(host="db", password="{DB_PASSWORD}")\n'
        f'if password == "{COMPARED_PASSWORD}":\n'
        "    api_key = os.environ['OPENAI_API_KEY']\n",
        (
            OPENAI,
            STRIPE_TEST,
            TWILIO_KEY,
            TWILIO_SID,
            URL_PASSWORD,
            REDIS_PASSWORD,
            ENVY_PASSWORD,
            JWT,
            DB_PASSWORD,
            COMPARED_PASSWORD,
        ),
        "import os\n"
        "\n"
        "import openai\n"
        "\n"
        'client = openai.OpenAI(api_key="[REDACTED]")\n'
        'stripe.api_key = "[REDACTED]"\n'
        'TWILIO_API_KEY = "[REDACTED]"\n'
        'TWILIO_ACCOUNT_SID = "[REDACTED]"\n'
        'DATABASE_URL = "postgres://app:[REDACTED]@db.internal:5432/prod"\n'
        'REDIS_URL = "redis://:[REDACTED]@cache:6379/0"\n'
        'password = "[REDACTED]"\n'
        'admin_password = "[REDACTED]"\n'
        'headers = {"Authorization": "Bearer [REDACTED]", "Accept": "application/json"}\n'
        'conn = psycopg.connect(host="db", password="[REDACTED]")\n'
        'if password == "[REDACTED]":\n'
        "    api_key = os.environ['OPENAI_API_KEY']\n",
    ),
    Sample(
        "javascript",
        "const express = require('express');\n"
        f'const maps = new Maps({{ key: "{GOOGLE}" }});\n'
        f"const slack = new WebClient('{SLACK_BOT}');\n"
        f"const socket = new SocketModeClient({{ appToken: '{SLACK_APP}' }});\n"
        f"const userToken = `{SLACK_USER}`;\n"
        "const token = process.env.API_TOKEN;\n"
        "fetch(url, { headers: { Authorization: `Bearer ${token}` } });\n",
        (GOOGLE, SLACK_BOT, SLACK_APP, SLACK_USER),
        "const express = require('express');\n"
        'const maps = new Maps({ key: "[REDACTED]" });\n'
        "const slack = new WebClient('[REDACTED]');\n"
        "const socket = new SocketModeClient({ appToken: '[REDACTED]' });\n"
        "const userToken = `[REDACTED]`;\n"
        "const token = process.env.API_TOKEN;\n"
        "fetch(url, { headers: { Authorization: `Bearer ${token}` } });\n",
    ),
    Sample(
        "service-account-json",
        "{\n"
        '  "type": "service_account",\n'
        '  "project_id": "demo",\n'
        '  "private_key_id": "0123456789abcdef",\n'
        '  "private_key": "-----BEGIN PRIVATE KEY-----\\n'
        + "\\n".join(JSON_KEY_BODY)
        + '\\n-----END PRIVATE KEY-----\\n",\n'
        f'  "client_secret": "{GOOGLE_OAUTH_SECRET}",\n'
        f'  "password": "{JSON_PASSWORD}",\n'
        '  "token_uri": "https://oauth2.googleapis.com/token"\n'
        "}\n",
        (*JSON_KEY_BODY, GOOGLE_OAUTH_SECRET, JSON_PASSWORD),
        "{\n"
        '  "type": "service_account",\n'
        '  "project_id": "demo",\n'
        '  "private_key_id": "0123456789abcdef",\n'
        '  "private_key": "[REDACTED]",\n'
        '  "client_secret": "[REDACTED]",\n'
        '  "password": "[REDACTED]",\n'
        '  "token_uri": "https://oauth2.googleapis.com/token"\n'
        "}\n",
    ),
    Sample(
        "docker-config-json",
        '{\n  "auths": {\n    "registry.example.com": {\n'
        f'      "auth": "{DOCKER_AUTH}"\n'
        "    }\n  }\n}\n",
        (DOCKER_AUTH,),
        '{\n  "auths": {\n    "registry.example.com": {\n'
        '      "auth": "[REDACTED]"\n'
        "    }\n  }\n}\n",
    ),
    Sample(
        "azure-connection-string",
        'var storage = CloudStorageAccount.Parse("DefaultEndpointsProtocol=https;AccountName=acme;'
        f'AccountKey={AZURE_STORAGE};EndpointSuffix=core.windows.net");\n'
        f'var credential = new ClientSecretCredential(tenant, client, "{AZURE_AD}");\n',
        (AZURE_STORAGE, AZURE_AD),
        'var storage = CloudStorageAccount.Parse("DefaultEndpointsProtocol=https;AccountName=acme;'
        'AccountKey=[REDACTED];EndpointSuffix=core.windows.net");\n'
        'var credential = new ClientSecretCredential(tenant, client, "[REDACTED]");\n',
    ),
    Sample(
        "xml-configs",
        "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n"
        "      <username>deploy</username>\n"
        f"      <password>{XML_PASSWORD}</password>\n"
        "    </server>\n  </servers>\n</settings>\n"
        "<packageSourceCredentials>\n  <feed>\n"
        f'    <add key="ClearTextPassword" value="{NUGET_PASSWORD}" />\n'
        "  </feed>\n</packageSourceCredentials>\n",
        (XML_PASSWORD, NUGET_PASSWORD),
        "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n"
        "      <username>deploy</username>\n"
        "      <password>[REDACTED]</password>\n"
        "    </server>\n  </servers>\n</settings>\n"
        "<packageSourceCredentials>\n  <feed>\n"
        '    <add key="ClearTextPassword" value="[REDACTED]" />\n'
        "  </feed>\n</packageSourceCredentials>\n",
    ),
    Sample(
        "other-languages",
        f"$config = ['host' => 'db', 'password' => '{PHP_PASSWORD}'];\n"
        f'db := sql.Config{{User: "app", Password: "{GO_PASSWORD}"}}\n'
        f'client_secret = "{TERRAFORM_SECRET}"\n'
        f"db.password={PROPERTIES_PASSWORD}\n"
        f"ENV API_TOKEN={DOCKERFILE_TOKEN}\n"
        f'Rails.application.config.linear_key = "{LINEAR}"\n',
        (
            PHP_PASSWORD,
            GO_PASSWORD,
            TERRAFORM_SECRET,
            PROPERTIES_PASSWORD,
            DOCKERFILE_TOKEN,
            LINEAR,
        ),
        "$config = ['host' => 'db', 'password' => '[REDACTED]'];\n"
        'db := sql.Config{User: "app", Password: "[REDACTED]"}\n'
        'client_secret = "[REDACTED]"\n'
        "db.password=[REDACTED]\n"
        "ENV API_TOKEN=[REDACTED]\n"
        'Rails.application.config.linear_key = "[REDACTED]"\n',
    ),
    Sample(
        "urls-and-credentials",
        f"pip install --index-url https://ci:{INDEX_PASSWORD}@pypi.example.com/simple acme\n"
        f"https://deploy:{GIT_CREDENTIAL}@github.com\n"
        "https://example.com/docs?page=2#top\n",
        (INDEX_PASSWORD, GIT_CREDENTIAL),
        "pip install --index-url https://ci:[REDACTED]@pypi.example.com/simple acme\n"
        "https://deploy:[REDACTED]@github.com\n"
        "https://example.com/docs?page=2#top\n",
    ),
    Sample(
        "tokens-anywhere",
        "# pasted while debugging, all of these must go:\n"
        f"# {GITHUB_FINE}\n"
        f"deploy({DIGITALOCEAN}, {SHOPIFY}, {DATABRICKS})\n"
        f"mailgun = Mailgun({MAILGUN!r})\n"
        f"vault login {VAULT}\n"
        f"docker login -u acme -p {DOCKER_HUB}\n"
        f"GROQ = {GROQ!r}; SENTRY = {SENTRY!r}\n"
        f"doppler run --token {DOPPLER} -- make\n"
        f"postman({POSTMAN!r})\n"
        f"age: {AGE}\n"
        f"bot = Bot({TELEGRAM!r})\n"
        f"notion = Client(auth={NOTION!r})\n",
        (
            GITHUB_FINE,
            DIGITALOCEAN,
            SHOPIFY,
            DATABRICKS,
            MAILGUN,
            VAULT,
            DOCKER_HUB,
            GROQ,
            SENTRY,
            DOPPLER,
            POSTMAN,
            AGE,
            TELEGRAM_SECRET,
            NOTION,
        ),
        "# pasted while debugging, all of these must go:\n"
        "# [REDACTED]\n"
        "deploy([REDACTED], [REDACTED], [REDACTED])\n"
        "mailgun = Mailgun('[REDACTED]')\n"
        "vault login [REDACTED]\n"
        "docker login -u acme -p [REDACTED]\n"
        "GROQ = '[REDACTED]'; SENTRY = '[REDACTED]'\n"
        "doppler run --token [REDACTED] -- make\n"
        "postman('[REDACTED]')\n"
        "age: [REDACTED]\n"
        f"bot = Bot('{TELEGRAM.split(':')[0]}:[REDACTED]')\n"
        "notion = Client(auth='[REDACTED]')\n",
    ),
    Sample(
        "pem-keys",
        'DEPLOY_KEY = """\n'
        + pem("RSA PRIVATE KEY", RSA_BODY)
        + '\n"""\n'
        + "ssh:\n  key: |\n"
        + pem("OPENSSH PRIVATE KEY", OPENSSH_BODY, "    ")
        + "\n"
        + pem("EC PRIVATE KEY", EC_BODY)
        + "\n"
        + pem("ENCRYPTED PRIVATE KEY", ENCRYPTED_BODY)
        + "\nprint('done')\n",
        (*RSA_BODY, *OPENSSH_BODY, *EC_BODY, *ENCRYPTED_BODY),
        'DEPLOY_KEY = """\n'
        + redacted_pem("RSA PRIVATE KEY", RSA_BODY)
        + '\n"""\n'
        + "ssh:\n  key: |\n"
        + redacted_pem("OPENSSH PRIVATE KEY", OPENSSH_BODY, "    ")
        + "\n"
        + redacted_pem("EC PRIVATE KEY", EC_BODY)
        + "\n"
        + redacted_pem("ENCRYPTED PRIVATE KEY", ENCRYPTED_BODY)
        + "\nprint('done')\n",
    ),
    Sample(
        "pgp-key",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n"
        "Comment: backup of the release key\n"
        "\n" + "\n".join(PGP_BODY) + "\n-----END PGP PRIVATE KEY BLOCK-----\n",
        tuple(PGP_BODY),
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n"
        "[REDACTED]\n"
        "\n"
        + "\n".join("[REDACTED]" for _ in PGP_BODY)
        + "\n-----END PGP PRIVATE KEY BLOCK-----\n",
    ),
    Sample(
        "unterminated-key",
        "key = '''\n-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(RSA_BODY[:3]) + "\n",
        tuple(RSA_BODY[:3]),
        "key = '''\n-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n[REDACTED]\n[REDACTED]\n",
    ),
]

SECRETS: list[str] = [secret for sample in SAMPLES for secret in sample.secrets]

# Ordinary code: nothing in it is a secret, and redaction must leave every line as it is.
ORDINARY_CODE: list[str] = [
    "password = get_password()",
    "token_count = 3",
    "secret_name = args.secret_name",
    'api_key = os.environ["OPENAI_API_KEY"]',
    "password: str",
    "def check_password(password):",
    "if token is None:",
    'key = "name"',
    "if password == confirm_password:",
    "self.token = token",
    "access_token: str | None = None",
    "password_min_length = 8",
    "max_tokens = 256",
    "tokens = tokenize(text)",
    "TOKENIZER_NAME = 'o200k_base'",
    "api_key = settings.OPENAI_API_KEY",
    'SECRET_KEY = env("SECRET_KEY")',
    "secret = secrets.token_hex(16)",
    "return self._token",
    'token_url = "https://oauth2.googleapis.com/token"',
    '__author__ = "Guido van Rossum"',
    'AUTHORITY = "login.example.com"',
    "total = sum(values)  # tokens: 12",
    'print(f"token={token}")',
    'print("password: " + masked)',
    "const token = await getToken();",
    "let apiKey = config.apiKey;",
    'password := os.Getenv("DB_PASSWORD")',
    "    token: The API token used for requests.",
    'headers["Authorization"] = f"Bearer {token}"',
    "if (password.length < 8) { return false; }",
    'api_key_env = "OPENAI_API_KEY"',
    'password = ""',
    "auth = None",
    "kwargs = {'token': token, 'timeout': 30}",
    "assert tokens[0].kind == 'name'",
    "task-runner-1234567890abcdef",
    "class TokenError(Exception):",
    "for secret in secrets:",
    "password_hash = hash_password(password)",
    'parser.add_argument("--token", help="API token")',
    "x = {password: hidden}",
    "  password:",
    "the password is required",
    "# token: str",
    "# passcode: 6-digit",
    "Your token is ready: copy it now.",
    # Names of a scheme, an algorithm or a session's slot (session 16).
    "hmac: sha256",
    "jwt: enabled",
    "bearer: true",
    "otp_release: 26",
    "totp_period = 30",
    'jwt_audience = "api-v2"',
    'hmac_digest = "ab12cd34"',
    'SESSION_KEY = "_auth_user_id"',
    'SESSION_KEY = "cart"',
    'pincode = "560001"',
    # India's postal code under camelCase names too (session 16: left as it is).
    'pinCode: "560001"',
    'deliveryPinCode = "110001"',
    "    - bearerAuth: []",
]


# --- the probe: more files as they are written, each secret in it, and lines that must stay -----
def fragments_of(secret: str) -> set[str]:
    """Pieces of a secret long enough that finding one means part of it got out."""
    size = min(len(secret), 12)
    return {secret[n : n + size] for n in range(len(secret) - size + 1)}


@dataclass(frozen=True)
class Probe:
    name: str
    text: str
    secrets: tuple[str, ...]
    kept: tuple[str, ...] = ()  # lines (or parts) that must come through unchanged


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


P_BLOCK_PASSWORD = fake("", 24, ALNUM + "!%^*")
P_BLOCK_KEY = pem_body(4)
P_BLOCK_FOLDED = [fake("", 40, B64), fake("", 40, B64)]
P_QUOTED_LINES = [fake("", 30, ALNUM), fake("", 30, ALNUM)]
P_MYSQL = fake("", 14, ALNUM)
P_MYSQLDUMP = fake("", 15, ALNUM)
P_SSHPASS = fake("", 13, ALNUM)
P_REDIS = fake("", 22, ALNUM)
P_PGPASS = fake("", 16, ALNUM)
P_K8S_PASSWORD = _b64(fake("", 18))
P_K8S_TLS_KEY = _b64(pem("RSA PRIVATE KEY", pem_body(3)))
P_K8S_DOCKER = _b64(
    '{"auths":{"registry.example.com":{"auth":"' + _b64("ci:" + fake("", 18)) + '"}}}'
)
P_K8S_URL = _b64("postgres://app:" + fake("", 16) + "@db:5432/app")
P_COMPOSE = fake("", 20)
P_ACTIONS = fake("gh" + "p_", 36)
P_PROPERTIES = fake("", 16)
P_JDBC = fake("", 14)
P_ORACLE = fake("", 12, string.ascii_lowercase + string.digits)
P_ADO = fake("", 15, ALNUM + "@!")
P_INI = fake("", 19)
P_TOML = fake("", 21)
P_JSON = fake("", 17, ALNUM + "#")
P_JAVA_CONN = fake("", 13)
P_GO_DSN = fake("", 14)
P_JS_SEQUELIZE = fake("", 16)
P_PHP_PDO = fake("", 15)
P_PHP_MYSQLI = fake("", 12)
P_WP_DB = fake("", 18)
P_WP_SALT = fake("", 64, ALNUM + "!@#$%^&*()-_[]{}<>~+=,.;:/?|")
P_CSHARP_CRED = fake("", 14)
P_PY_SMTP = fake("", 16, string.ascii_lowercase)
P_RUBY = fake("", 18)
P_TF_DB = fake("", 20)
P_EXPORT = fake("", 24)
P_DOCKER_ENV = fake("", 22)
P_DOCKER_ARG = fake("", 22)
P_JWT = "eyJ" + fake("", 30, URLSAFE) + fake(".eyJ", 60, URLSAFE) + fake(".", 43, URLSAFE)
P_SLACK = (
    "xo" + "xb-" + fake("", 12, string.digits) + "-" + fake("", 12, string.digits) + fake("-", 24)
)
P_STRIPE = fake("sk_" + "live_", 99)
P_SENDGRID = fake("S" + "G.", 22, URLSAFE) + fake(".", 43, URLSAFE)
P_TWILIO_TOKEN = fake("", 32, HEX)
P_GITLAB = fake("gl" + "pat-", 20, URLSAFE)
P_AWS_ID = fake("AK" + "IA", 16, UPPER)
P_AWS_SECRET = fake("", 40, B64)
P_GCP_KEY = pem_body(5)
P_AZURE_SAS = fake("", 43, ALNUM) + "%3D"
P_AZURE_SB = fake("", 43, B64) + "="
P_NETRC = fake("", 20)
P_DOCKER_LOGIN = fake("", 16)
P_KEYTOOL = fake("", 12)
P_OPENSSL = fake("", 14)
P_PY_TRIPLE = fake("", 20)
P_SETENV = fake("", 19)
P_PROPERTY = fake("", 11)
P_MONGO = fake("", 15)
P_LDAP = fake("", 12)
P_ZIP = fake("", 12)

P_GITLAB_CI = fake("gl" + "pat-", 20, URLSAFE)
P_HELM = fake("", 20)
P_ANSIBLE = fake("", 14)
P_GRADLE_STORE = fake("", 12)
P_GRADLE_KEY = fake("", 12)
P_RUST = fake("sk_" + "live_", 24)
P_APPSETTINGS = fake("", 16, ALNUM + "!")
P_LARAVEL = fake("", 15)
P_HEADER_KEY = fake("", 32, HEX)
P_K8S_ENV = fake("", 17)
P_MAPS = fake("AI" + "za", 35, URLSAFE)
P_SLACK_HOOK = fake("T", 10, UPPER) + "/" + fake("B", 10, UPPER) + "/" + fake("", 24)
P_OPENAI_NB = fake("sk-" + "proj-", 48, URLSAFE)

# Session 10: formats the last pass left, and more files in formats not covered before.
P_TF_VAR = fake("", 20, ALNUM + "!#%")
P_TF_INLINE = fake("", 18)
P_TF_SENSITIVE = fake("", 22)
P_TF_HEREDOC = pem_body(3)
P_TF_LOCAL = fake("", 26)
P_HTPASSWD_B = fake("", 12)
P_HTPASSWD_BC = fake("", 14)
P_HTPASSWD_NB = fake("", 13)
P_PGPASS_ECHO = fake("", 16)
P_PGPASS_STAR = fake("", 15)
P_PGPASS_FILE = fake("", 18)
P_PGPASS_PORT = fake("", 17, ALNUM + "!#")
P_CALL_JAVA = fake("", 15)
P_CALL_PYMYSQL = fake("hunter2-", 12)
P_CALL_PDO = fake("", 14)
P_CALL_KWARG = fake("", 16)
P_CALL_CRED = fake("", 13)
P_ENV_SESSION = fake("", 48, HEX)
P_ENV_MAIL = fake("", 16, ALNUM + " !")
P_ENV_REDIS = fake("", 20)
P_ENV_LARAVEL = base64.b64encode(fake("", 32).encode()).decode()
P_ENV_JWT = fake("", 40, URLSAFE)
P_PROP_DB = fake("", 14)
P_PROP_MAIL = fake("", 15)
P_PROP_CLIENT = fake("", 32, URLSAFE)
P_PROP_LDAP = fake("", 12)
P_YML_DB = fake("", 18)
P_YML_JWT = fake("", 64, HEX)
P_YML_OAUTH = fake("", 40, HEX)
P_YML_FALLBACK = fake("", 16)
P_NPM_TOKEN = fake("np" + "m_", 36)
P_NPM_GH = fake("gh" + "p_", 36)
P_NPM_PASSWORD = base64.b64encode(fake("", 16).encode()).decode()
P_NPM_NEXUS = "NpmToken." + fake("", 8, HEX) + "-" + fake("", 4, HEX) + "-" + fake("", 12, HEX)
P_PIP_INDEX = fake("", 18)
P_PIP_TOKEN = fake("py" + "pi-AgEIcHlwaS5vcmc", 120, URLSAFE)
P_PIP_ENV = fake("", 22)
P_POETRY = fake("", 17)
P_COMPOSE_ROOT = fake("", 18)
P_COMPOSE_REQUIREPASS = fake("", 20)
P_COMPOSE_HEALTH = fake("", 14)
P_COMPOSE_RABBIT = fake("", 16)
P_ACTIONS_AWS = fake("", 40, B64)
P_ACTIONS_PASSWORD = fake("", 18)
P_AWS_FILE_ID = fake("AK" + "IA", 16, UPPER)
P_AWS_FILE_SECRET = fake("", 40, B64)
P_AWS_FILE_SESSION = fake("IQoJb3JpZ2luX2Vj", 200, B64)
P_AWS_S3CFG = fake("", 40, B64)
P_CODE_SLACK = "xo" + "xb-" + fake("", 12, string.digits) + "-" + fake("", 13, string.digits)
P_CODE_SLACK += fake("-", 24)
P_CODE_STRIPE = fake("sk_" + "live_", 99)
P_CODE_WEBHOOK = fake("whsec_", 32)
P_CODE_GITHUB = fake("github" + "_pat_", 82, ALNUM + "_")
P_CODE_SIGNING = fake("", 32, HEX)
P_PEM_OPENSSH = pem_body(4)
P_PEM_JSON = pem_body(3)
P_PEM_PPK = [fake("", 64, B64) for _ in range(3)]
P_PEM_OVPN = [fake("", 32, HEX) for _ in range(4)]
P_GCP_JSON_KEY = pem_body(4)
P_RUST_OPENAI = fake("sk-" + "proj-", 48, URLSAFE)
P_GO_JWT = fake("", 24)
P_JS_JWT = fake("", 26)
P_JS_SESSION = fake("", 20)
P_WG_PRIVATE = fake("", 43, B64) + "="
P_WG_PSK = fake("", 43, B64) + "="
P_REDIS_CONF = fake("", 24)
P_REDIS_MASTER = fake("", 24)
P_KUBECONFIG = fake("", 40, B64)
P_KUBECTL = fake("", 16)
P_COMPOSER = fake("", 18)
P_COMPOSER_BEARER = fake("", 40, URLSAFE)
P_SASL = fake("", 16)
P_KAFKA = fake("", 18)
P_ECS_JSON = fake("", 18)
P_ECS_ONE_LINE = fake("", 16)
P_POSTMAN_KEY = fake("", 32, HEX)
P_POSTMAN_PASSWORD = fake("", 14)
P_SQLPLUS = fake("", 12)
P_EXPDP = fake("", 13)
P_SMB = fake("", 14)
P_AZ_LOGIN = fake("", 34, URLSAFE + "~.")
P_AWS_CONFIGURE = fake("", 40, B64)
P_GH_SECRET = fake("", 24)
P_STDIN_LOGIN = fake("", 18)
P_HELM_SET = fake("", 16)
P_NODE_OR = fake("", 17)
P_NODE_NULLISH = fake("", 15)
P_RUBY_FETCH = fake("", 16)
P_RUBY_BLOCK = fake("", 14)
P_PY_OR = fake("", 18)
P_MAVEN = fake("", 16)
P_MAVEN_PASSPHRASE = fake("", 20)
P_GIT_CONFIG = fake("gh" + "p_", 36)
P_NPM_CONFIG = fake("", 36, HEX)
P_YARN_CONFIG = fake("", 28)
P_YAML_ANCHOR = fake("", 18)
P_POWERSHELL = fake("", 14, ALNUM + "!@#")
P_PS_CRED = fake("", 16, ALNUM + "!@#")
P_JAVA_BUILDER = fake("", 15)
P_OKHTTP = fake("", 17)
P_XML_ENTRY = fake("", 13)
P_VAULT_PUT = fake("", 20)
P_FIREBASE = fake("sk_" + "test_", 24)
P_FIREBASE_SECRET = fake("", 19)

PROBES: list[Probe] = [
    Probe(
        "yaml-block-literal",
        f"database:\n  user: app\n  password: |\n    {P_BLOCK_PASSWORD}\n  host: db.internal\n",
        (P_BLOCK_PASSWORD,),
        ("  host: db.internal", "  password: |"),
    ),
    Probe(
        "yaml-block-private-key",
        "tls:\n"
        "  private_key: |-\n"
        + pem("RSA PRIVATE KEY", P_BLOCK_KEY, "    ")
        + "\n  certificate_file: /etc/tls/cert.pem\n",
        tuple(P_BLOCK_KEY),
        ("  certificate_file: /etc/tls/cert.pem",),
    ),
    Probe(
        "yaml-block-folded",
        "- name: signer\n"
        "  signing_key: >-\n"
        f"    {P_BLOCK_FOLDED[0]}\n"
        "\n"
        f"    {P_BLOCK_FOLDED[1]}\n"
        "- name: other\n",
        tuple(P_BLOCK_FOLDED),
        ("- name: other",),
    ),
    Probe(
        "yaml-quoted-over-lines",
        f'app:\n  secret: "{P_QUOTED_LINES[0]}\n    {P_QUOTED_LINES[1]}"\n  port: 8080\n',
        tuple(P_QUOTED_LINES),
        ("  port: 8080",),
    ),
    Probe(
        "mysql-command-lines",
        "#!/bin/bash\n"
        f"mysql -u root -p{P_MYSQL} -h db.internal app < schema.sql\n"
        f"mysqldump -uroot -p{P_MYSQLDUMP} --all-databases > backup.sql\n"
        "mysql -u root -p app\n",
        (P_MYSQL, P_MYSQLDUMP),
        ("mysql -u root -p app",),
    ),
    Probe(
        "ssh-redis-postgres-commands",
        f"sshpass -p {P_SSHPASS} ssh deploy@web1 'sudo systemctl restart app'\n"
        f"redis-cli -h cache.internal -p 6379 -a {P_REDIS} FLUSHALL\n"
        f'PGPASSWORD="{P_PGPASS}" psql -h db -U app -d app -f migrate.sql\n'
        "redis-cli -h cache.internal -p 6379 ping\n",
        (P_SSHPASS, P_REDIS, P_PGPASS),
        ("redis-cli -h cache.internal -p 6379 ping",),
    ),
    Probe(
        "kubernetes-secret-data",
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: app-secrets\n"
        "type: Opaque\n"
        "data:\n"
        "  username: YXBw\n"
        f"  password: {P_K8S_PASSWORD}\n"
        f"  DATABASE_URL: {P_K8S_URL}\n",
        (P_K8S_PASSWORD, P_K8S_URL),
        ("  username: YXBw", "  name: app-secrets"),
    ),
    Probe(
        "kubernetes-tls-and-registry",
        "apiVersion: v1\n"
        "kind: Secret\n"
        "type: kubernetes.io/tls\n"
        "data:\n"
        f"  tls.key: {P_K8S_TLS_KEY}\n"
        "---\n"
        "kind: Secret\n"
        "type: kubernetes.io/dockerconfigjson\n"
        "data:\n"
        f"  .dockerconfigjson: {P_K8S_DOCKER}\n",
        (P_K8S_TLS_KEY, P_K8S_DOCKER),
        ("type: kubernetes.io/tls",),
    ),
    Probe(
        "docker-compose-env",
        "services:\n"
        "  web:\n"
        "    environment:\n"
        f"      - DATABASE_PASSWORD={P_COMPOSE}\n"
        "      - RAILS_ENV=production\n"
        f'      SLACK_BOT_TOKEN: "{P_SLACK}"\n',
        (P_COMPOSE, P_SLACK),
        ("      - RAILS_ENV=production",),
    ),
    Probe(
        "github-actions",
        "jobs:\n"
        "  build:\n"
        "    steps:\n"
        "      - run: |\n"
        f"          git clone https://x-access-token:{P_ACTIONS}@github.com/acme/app.git\n"
        f"          curl -H 'Authorization: token {P_GITLAB}' https://gitlab.example.com\n"
        "        env:\n"
        "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
        (P_ACTIONS, P_GITLAB),
        ("          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}", "      - run: |"),
    ),
    Probe(
        "spring-properties",
        "spring.datasource.url=jdbc:mysql://db:3306/app?useSSL=false\n"
        "spring.datasource.username=app\n"
        f"spring.datasource.password={P_PROPERTIES}\n"
        f"app.jdbc=jdbc:postgresql://db:5432/app?user=app&password={P_JDBC}&ssl=true\n"
        f"legacy.url=jdbc:oracle:thin:scott/{P_ORACLE}@db.internal:1521:ORCL\n",
        (P_PROPERTIES, P_JDBC, P_ORACLE),
        ("spring.datasource.username=app",),
    ),
    Probe(
        "ini-toml-json",
        f"[client]\nuser = backup\npassword = {P_INI}\n\n"
        f'[tool.poetry.http-basic.private]\nusername = "ci"\npassword = "{P_TOML}"\n\n'
        f'{{"db": {{"user": "app", "pass": "{P_JSON}", "port": 5432}}}}\n',
        (P_INI, P_TOML, P_JSON),
        ("user = backup",),
    ),
    Probe(
        "csharp-ado-net",
        'var cs = "Server=tcp:db.example.com,1433;Initial Catalog=app;User ID=sa;'
        f'Password={P_ADO};Encrypt=True;";\n'
        f'var cred = new NetworkCredential("svc-backup", "{P_CSHARP_CRED}", "CORP");\n',
        (P_ADO, P_CSHARP_CRED),
    ),
    Probe(
        "java-jdbc",
        f'Connection conn = DriverManager.getConnection(DB_URL, "root", "{P_JAVA_CONN}");\n'
        f'System.setProperty("javax.net.ssl.keyStorePassword", "{P_PROPERTY}");\n',
        (P_JAVA_CONN, P_PROPERTY),
    ),
    Probe(
        "go-mysql-dsn",
        f'db, err := sql.Open("mysql", "app:{P_GO_DSN}@tcp(127.0.0.1:3306)/app?parseTime=true")\n'
        f'os.Setenv("API_TOKEN", "{P_SETENV}")\n',
        (P_GO_DSN, P_SETENV),
    ),
    Probe(
        "node-sequelize",
        f"const sequelize = new Sequelize('app', 'root', '{P_JS_SEQUELIZE}', {{\n"
        "  host: 'localhost',\n"
        "  dialect: 'mysql',\n"
        "});\n",
        (P_JS_SEQUELIZE,),
        ("  host: 'localhost',",),
    ),
    Probe(
        "php-database",
        "<?php\n"
        f'$pdo = new PDO("mysql:host=localhost;dbname=app", "root", "{P_PHP_PDO}");\n'
        f'$db = mysqli_connect("localhost", "app", "{P_PHP_MYSQLI}", "app");\n',
        (P_PHP_PDO, P_PHP_MYSQLI),
    ),
    Probe(
        "wordpress-config",
        "<?php\n"
        "define( 'DB_NAME', 'wordpress' );\n"
        "define( 'DB_USER', 'wp' );\n"
        f"define( 'DB_PASSWORD', '{P_WP_DB}' );\n"
        f"define( 'AUTH_KEY',         '{P_WP_SALT}' );\n",
        (P_WP_DB, P_WP_SALT),
        ("define( 'DB_NAME', 'wordpress' );",),
    ),
    Probe(
        "python-smtp-and-triple-quotes",
        "server = smtplib.SMTP_SSL('smtp.gmail.com', 465)\n"
        f"server.login('alerts@example.com', '{P_PY_SMTP}')\n"
        f'DB_PASSWORD = """{P_PY_TRIPLE}"""\n',
        (P_PY_SMTP, P_PY_TRIPLE),
    ),
    Probe(
        "ruby-rails",
        "Rails.application.configure do\n"
        f"  config.action_mailer.smtp_settings = {{ user_name: 'apikey', password: '{P_RUBY}' }}\n"
        f"  Stripe.api_key = '{P_STRIPE}'\n"
        "end\n",
        (P_RUBY, P_STRIPE),
    ),
    Probe(
        "terraform",
        'resource "aws_db_instance" "main" {\n'
        '  engine   = "postgres"\n'
        '  username = "app"\n'
        f'  password = "{P_TF_DB}"\n'
        "}\n"
        'provider "aws" {\n'
        f'  access_key = "{P_AWS_ID}"\n'
        f'  secret_key = "{P_AWS_SECRET}"\n'
        "}\n",
        (P_TF_DB, P_AWS_ID, P_AWS_SECRET),
        ('  engine   = "postgres"',),
    ),
    Probe(
        "shell-exports",
        f"export SENDGRID_API_KEY='{P_SENDGRID}'\n"
        f"export TWILIO_AUTH_TOKEN={P_TWILIO_TOKEN}\n"
        f'export DB_PASS="{P_EXPORT}"\n',
        (P_SENDGRID, P_TWILIO_TOKEN, P_EXPORT),
    ),
    Probe(
        "dockerfile",
        "FROM python:3.12-slim\n"
        f"ENV DB_PASSWORD {P_DOCKER_ENV}\n"
        f"ARG NPM_TOKEN={P_DOCKER_ARG}\n"
        "ENV PATH /usr/local/bin:$PATH\n",
        (P_DOCKER_ENV, P_DOCKER_ARG),
        ("ENV PATH /usr/local/bin:$PATH",),
    ),
    Probe(
        "pem-certificate-and-key",
        pem("CERTIFICATE", ["MIIB" + "A" * 60, "B" * 64])
        + "\n"
        + pem("PRIVATE KEY", P_GCP_KEY)
        + "\n",
        tuple(P_GCP_KEY),
        ("MIIB" + "A" * 60,),
    ),
    Probe(
        "tokens-in-code",
        f'const jwt = "{P_JWT}";\n'
        f"client = WebClient(token=os.environ.get('SLACK_TOKEN', '{P_SLACK}'))\n",
        (P_JWT, P_SLACK),
    ),
    Probe(
        "azure-sas-and-service-bus",
        "blob = 'https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r"
        f"&se=2030-01-01T00:00:00Z&sig={P_AZURE_SAS}'\n"
        "bus = 'Endpoint=sb://acme.servicebus.windows.net/;"
        f"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={P_AZURE_SB}'\n",
        (P_AZURE_SAS, P_AZURE_SB),
    ),
    Probe(
        "netrc-in-a-script",
        "cat > ~/.netrc <<EOF\n"
        f"machine api.heroku.com login me@example.com password {P_NETRC}\n"
        "EOF\n",
        (P_NETRC,),
    ),
    Probe(
        "more-command-lines",
        f"docker login -u deploy -p {P_DOCKER_LOGIN} registry.example.com\n"
        f"keytool -importkeystore -srckeystore a.p12 -srcstorepass {P_KEYTOOL} -destkeystore b\n"
        f"openssl pkcs12 -export -in c.pem -out c.p12 -passout pass:{P_OPENSSL}\n"
        f"mongosh mongodb://db:27017/app -u admin -p {P_MONGO}\n"
        f"ldapsearch -x -D cn=admin,dc=example,dc=com -w {P_LDAP} -b dc=example,dc=com\n"
        f"zip -P {P_ZIP} backup.zip data.sql\n",
        (P_DOCKER_LOGIN, P_KEYTOOL, P_OPENSSL, P_MONGO, P_LDAP, P_ZIP),
    ),
    Probe(
        "gitlab-ci",
        "variables:\n"
        f"  DEPLOY_TOKEN: {P_GITLAB_CI}\n"
        "deploy:\n"
        "  script:\n"
        "    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY\n",
        (P_GITLAB_CI,),
        ("    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY",),
    ),
    Probe(
        "helm-values",
        "postgresql:\n"
        "  auth:\n"
        "    username: app\n"
        f'    postgresPassword: "{P_HELM}"\n'
        '    existingSecret: ""\n',
        (P_HELM,),
        ('    existingSecret: ""',),
    ),
    Probe(
        "ansible-inventory",
        f"[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy ansible_ssh_pass={P_ANSIBLE}\n",
        (P_ANSIBLE,),
    ),
    Probe(
        "gradle-signing",
        "android {\n"
        "    signingConfigs {\n"
        "        release {\n"
        '            storeFile file("release.keystore")\n'
        f'            storePassword "{P_GRADLE_STORE}"\n'
        '            keyAlias "release"\n'
        f'            keyPassword "{P_GRADLE_KEY}"\n'
        "        }\n"
        "    }\n"
        "}\n",
        (P_GRADLE_STORE, P_GRADLE_KEY),
        ('            keyAlias "release"',),
    ),
    Probe(
        "rust-and-typescript",
        f'const STRIPE_KEY: &str = "{P_RUST}";\n'
        f"const OPENAI_API_KEY: string = '{P_OPENAI_NB}';\n"
        "fn key() -> &'static str { STRIPE_KEY }\n",
        (P_RUST, P_OPENAI_NB),
        ("fn key() -> &'static str { STRIPE_KEY }",),
    ),
    Probe(
        "appsettings-json",
        '{\n  "ConnectionStrings": {\n'
        '    "Default": "Server=db;Database=app;User Id=app;'
        f'Password={P_APPSETTINGS};TrustServerCertificate=True"\n'
        "  },\n"
        '  "Logging": { "LogLevel": { "Default": "Information" } }\n}\n',
        (P_APPSETTINGS,),
    ),
    Probe(
        "laravel-config",
        "'mysql' => [\n"
        "    'host' => env('DB_HOST', '127.0.0.1'),\n"
        f"    'password' => env('DB_PASSWORD', '{P_LARAVEL}'),\n"
        "],\n",
        (P_LARAVEL,),
        ("    'host' => env('DB_HOST', '127.0.0.1'),",),
    ),
    Probe(
        "http-headers-in-code",
        f'resp = requests.get(url, headers={{"X-API-Key": "{P_HEADER_KEY}"}})\n'
        f'<script src="https://maps.googleapis.com/maps/api/js?key={P_MAPS}"></script>\n'
        f"SLACK_WEBHOOK = 'https://hooks.slack.com/services/{P_SLACK_HOOK}'\n",
        (P_HEADER_KEY, P_MAPS, P_SLACK_HOOK),
    ),
    Probe(
        "kubernetes-env-name-value",
        "containers:\n"
        "  - name: app\n"
        "    env:\n"
        "      - name: LOG_LEVEL\n"
        "        value: info\n"
        "      - name: DB_PASSWORD\n"
        f"        value: {P_K8S_ENV}\n",
        (P_K8S_ENV,),
        ("        value: info",),
    ),
]

PROBES += [
    Probe(
        "terraform-variables",
        'variable "db_password" {\n'
        '  description = "Password of the app database"\n'
        "  type        = string\n"
        f'  default     = "{P_TF_VAR}"\n'
        "  sensitive   = true\n"
        "}\n"
        "\n"
        f'variable "api_token" {{ default = "{P_TF_INLINE}" }}\n'
        "\n"
        'variable "datadog" {\n'
        "  type      = string\n"
        f'  default   = "{P_TF_SENSITIVE}"\n'
        "  sensitive = true\n"
        "}\n"
        "\n"
        'variable "region" {\n'
        '  default = "eu-west-1"\n'
        "}\n"
        "\n"
        'variable "tls_private_key" {\n'
        "  type    = string\n"
        "  default = <<EOT\n" + pem("RSA PRIVATE KEY", P_TF_HEREDOC) + "\nEOT\n"
        "}\n"
        "\n"
        "locals {\n"
        "  admin_password = <<-EOF\n"
        f"    {P_TF_LOCAL}\n"
        "  EOF\n"
        "  user_data = <<-EOF\n"
        "    #!/bin/bash\n"
        "  EOF\n"
        "}\n",
        (P_TF_VAR, P_TF_INLINE, P_TF_SENSITIVE, *P_TF_HEREDOC, P_TF_LOCAL),
        (
            '  default = "eu-west-1"',
            "    #!/bin/bash",
            '  description = "Password of the app database"',
        ),
    ),
    Probe(
        "htpasswd-commands",
        "#!/bin/sh\n"
        f"htpasswd -b /etc/nginx/.htpasswd admin {P_HTPASSWD_B}\n"
        f"htpasswd -bcB /etc/apache2/.htpasswd deploy '{P_HTPASSWD_BC}'\n"
        f"htpasswd -nb monitor {P_HTPASSWD_NB} >> /etc/traefik/users\n"
        "htpasswd -c /etc/nginx/.htpasswd admin\n"
        'htpasswd -b /etc/nginx/.htpasswd ci "$CI_PASSWORD"\n',
        (P_HTPASSWD_B, P_HTPASSWD_BC, P_HTPASSWD_NB),
        (
            "htpasswd -c /etc/nginx/.htpasswd admin",
            'htpasswd -b /etc/nginx/.htpasswd ci "$CI_PASSWORD"',
        ),
    ),
    Probe(
        "pgpass-lines",
        "#!/bin/bash\n"
        f'echo "db.internal:5432:app:app_user:{P_PGPASS_ECHO}" >> ~/.pgpass\n'
        f"echo 'localhost:*:*:postgres:{P_PGPASS_STAR}' > ~/.pgpass\n"
        "cat > ~/.pgpass <<'EOF'\n"
        f"*:*:*:replicator:{P_PGPASS_FILE}\n"
        f"analytics.example.com:6432:analytics:reporter:{P_PGPASS_PORT}\n"
        "EOF\n"
        "chmod 600 ~/.pgpass\n"
        'echo "db:5432:*:app:${DB_PASSWORD}" > /root/.pgpass\n',
        (P_PGPASS_ECHO, P_PGPASS_STAR, P_PGPASS_FILE, P_PGPASS_PORT),
        ('echo "db:5432:*:app:${DB_PASSWORD}" > /root/.pgpass', "chmod 600 ~/.pgpass"),
    ),
    Probe(
        "call-arguments-over-lines",
        "Connection conn = DriverManager.getConnection(\n"
        "    DB_URL,\n"
        '    "reporting",\n'
        f'    "{P_CALL_JAVA}");\n'
        "db = pymysql.connect(\n"
        "    host, user,\n"
        f'    "{P_CALL_PYMYSQL}")\n'
        "$pdo = new PDO(\n"
        "    $dsn,\n"
        "    'root',\n"
        f"    '{P_CALL_PDO}'\n"
        ");\n"
        'conn = psycopg2.connect(host="db", user="app", password=\n'
        f'    "{P_CALL_KWARG}")\n'
        'var cred = new NetworkCredential("svc-backup",\n'
        f'    "{P_CALL_CRED}");\n',
        (P_CALL_JAVA, P_CALL_PYMYSQL, P_CALL_PDO, P_CALL_KWARG, P_CALL_CRED),
        ("    host, user,", '    "reporting",'),
    ),
    Probe(
        "dotenv-variants",
        "# .env.production\n"
        "APP_ENV=production\n"
        f"APP_KEY=base64:{P_ENV_LARAVEL}\n"
        f"SESSION_SECRET = {P_ENV_SESSION}\n"
        f'MAIL_PASSWORD="{P_ENV_MAIL}"\n'
        f"REDIS_URL=redis://:{P_ENV_REDIS}@cache.internal:6379/0\n"
        f"export JWT_SECRET='{P_ENV_JWT}'\n"
        "MAIL_PORT=587\n",
        (P_ENV_LARAVEL, P_ENV_SESSION, P_ENV_MAIL, P_ENV_REDIS, P_ENV_JWT),
        ("APP_ENV=production", "MAIL_PORT=587"),
    ),
    Probe(
        "java-properties",
        "# application.properties\n"
        "db.user=app\n"
        f"db.password={P_PROP_DB}\n"
        f"mail.smtp.password : {P_PROP_MAIL}\n"
        f"security.oauth2.client.client-secret={P_PROP_CLIENT}\n"
        f"ldap.bind.credentials {P_PROP_LDAP}\n"
        "server.port=8080\n",
        (P_PROP_DB, P_PROP_MAIL, P_PROP_CLIENT, P_PROP_LDAP),
        ("server.port=8080", "db.user=app"),
    ),
    Probe(
        "spring-application-yml",
        "spring:\n"
        "  datasource:\n"
        "    url: jdbc:postgresql://db:5432/app\n"
        "    username: app\n"
        f"    password: {P_YML_DB}\n"
        "  mail:\n"
        f"    password: ${{MAIL_PASSWORD:{P_YML_FALLBACK}}}\n"
        "  security:\n"
        "    oauth2:\n"
        "      client:\n"
        "        registration:\n"
        "          github:\n"
        "            client-id: Iv1.0123456789abcdef\n"
        f"            client-secret: {P_YML_OAUTH}\n"
        "jwt:\n"
        f"  secret: {P_YML_JWT}\n"
        "  expiration: 86400\n",
        (P_YML_DB, P_YML_FALLBACK, P_YML_OAUTH, P_YML_JWT),
        ("  expiration: 86400", "    username: app"),
    ),
    Probe(
        "npmrc-lines",
        "registry=https://registry.npmjs.org/\n"
        f"//registry.npmjs.org/:_authToken={P_NPM_TOKEN}\n"
        "@acme:registry=https://npm.pkg.github.com\n"
        f"//npm.pkg.github.com/:_authToken={P_NPM_GH}\n"
        f"//nexus.example.com/repository/npm/:_password={P_NPM_PASSWORD}\n"
        f"//nexus.example.com/repository/npm-private/:_authToken={P_NPM_NEXUS}\n"
        "always-auth=true\n",
        (P_NPM_TOKEN, P_NPM_GH, P_NPM_PASSWORD, P_NPM_NEXUS),
        ("always-auth=true", "@acme:registry=https://npm.pkg.github.com"),
    ),
    Probe(
        "pip-and-poetry-indexes",
        "[global]\n"
        f"index-url = https://ci:{P_PIP_INDEX}@pypi.example.com/simple\n"
        f"extra-index-url = https://__token__:{P_PIP_TOKEN}@upload.example.org/simple\n"
        "timeout = 60\n"
        "# in CI\n"
        f"export PIP_EXTRA_INDEX_URL=https://aws:{P_PIP_ENV}@acme.d.codeartifact.aws/pypi/simple/\n"
        f"poetry config http-basic.private ci {P_POETRY}\n",
        (P_PIP_INDEX, P_PIP_TOKEN, P_PIP_ENV, P_POETRY),
        ("timeout = 60",),
    ),
    Probe(
        "compose-services",
        "services:\n"
        "  db:\n"
        "    image: mysql:8\n"
        "    environment:\n"
        f"      MYSQL_ROOT_PASSWORD: {P_COMPOSE_ROOT}\n"
        "    healthcheck:\n"
        f'      test: ["CMD", "mysqladmin", "ping", "-h", "localhost", "-p{P_COMPOSE_HEALTH}"]\n'
        "  cache:\n"
        "    image: redis:7\n"
        f"    command: redis-server --requirepass {P_COMPOSE_REQUIREPASS}\n"
        "  queue:\n"
        "    image: rabbitmq:3\n"
        "    environment:\n"
        f'      - "RABBITMQ_DEFAULT_PASS={P_COMPOSE_RABBIT}"\n'
        '      - "RABBITMQ_DEFAULT_USER=app"\n',
        (P_COMPOSE_ROOT, P_COMPOSE_HEALTH, P_COMPOSE_REQUIREPASS, P_COMPOSE_RABBIT),
        ('      - "RABBITMQ_DEFAULT_USER=app"', "    image: redis:7"),
    ),
    Probe(
        "github-actions-env",
        "name: deploy\n"
        "on: push\n"
        "env:\n"
        "  AWS_REGION: eu-west-1\n"
        f"  AWS_SECRET_ACCESS_KEY: {P_ACTIONS_AWS}\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: docker/login-action@v3\n"
        "        with:\n"
        "          username: deploy\n"
        f"          password: {P_ACTIONS_PASSWORD}\n"
        "      - run: ./deploy.sh\n"
        "        env:\n"
        "          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n",
        (P_ACTIONS_AWS, P_ACTIONS_PASSWORD),
        ("          TOKEN: ${{ secrets.DEPLOY_TOKEN }}", "  AWS_REGION: eu-west-1"),
    ),
    Probe(
        "aws-credentials-and-s3cfg",
        "[default]\n"
        f"aws_access_key_id = {P_AWS_FILE_ID}\n"
        f"aws_secret_access_key = {P_AWS_FILE_SECRET}\n"
        f"aws_session_token = {P_AWS_FILE_SESSION}\n"
        "region = us-east-1\n"
        "\n"
        "[s3cfg]\n"
        "access_key = AKIAIOSFODNN7EXAMPLE\n"
        f"secret_key = {P_AWS_S3CFG}\n"
        "host_base = s3.amazonaws.com\n",
        (P_AWS_FILE_ID, P_AWS_FILE_SECRET, P_AWS_FILE_SESSION, P_AWS_S3CFG),
        ("region = us-east-1", "host_base = s3.amazonaws.com"),
    ),
    Probe(
        "provider-tokens-in-code",
        "import { WebClient } from '@slack/web-api';\n"
        f"const slack = new WebClient('{P_CODE_SLACK}');\n"
        f'const stripe = require("stripe")("{P_CODE_STRIPE}");\n'
        f"const endpointSecret = '{P_CODE_WEBHOOK}';\n"
        f'const octokit = new Octokit({{ auth: "{P_CODE_GITHUB}" }});\n'
        f"const SLACK_SIGNING_SECRET = '{P_CODE_SIGNING}';\n"
        "const port = process.env.PORT || 3000;\n",
        (P_CODE_SLACK, P_CODE_STRIPE, P_CODE_WEBHOOK, P_CODE_GITHUB, P_CODE_SIGNING),
        ("const port = process.env.PORT || 3000;",),
    ),
    Probe(
        "private-key-formats",
        "deploy:\n"
        "  ssh_key: |\n"
        + pem("OPENSSH PRIVATE KEY", P_PEM_OPENSSH, "    ")
        + "\n  known_hosts: github.com ssh-ed25519 "
        "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
        "---\n"
        "PuTTY-User-Key-File-3: ssh-rsa\n"
        "Encryption: none\n"
        "Comment: deploy@ci\n"
        "Public-Lines: 1\n"
        "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n"
        "Private-Lines: 3\n"
        + "\n".join(P_PEM_PPK)
        + "\nPrivate-MAC: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
        "---\n"
        "<tls-auth>\n"
        "-----BEGIN OpenVPN Static key V1-----\n"
        + "\n".join(P_PEM_OVPN)
        + "\n-----END OpenVPN Static key V1-----\n"
        "</tls-auth>\n",
        (*P_PEM_OPENSSH, *P_PEM_PPK, *P_PEM_OVPN),
        ("Comment: deploy@ci", "</tls-auth>"),
    ),
    Probe(
        "gcp-service-account-json",
        "{\n"
        '  "type": "service_account",\n'
        '  "project_id": "acme-prod",\n'
        '  "private_key_id": "0123456789abcdef0123456789abcdef01234567",\n'
        '  "private_key": "-----BEGIN PRIVATE KEY-----\\n'
        + "\\n".join(P_GCP_JSON_KEY)
        + '\\n-----END PRIVATE KEY-----\\n",\n'
        '  "client_email": "deployer@acme-prod.iam.gserviceaccount.com",\n'
        '  "client_id": "102030405060708090100",\n'
        '  "token_uri": "https://oauth2.googleapis.com/token"\n'
        "}\n",
        tuple(P_GCP_JSON_KEY),
        ('  "token_uri": "https://oauth2.googleapis.com/token"', '  "project_id": "acme-prod",'),
    ),
    Probe(
        "rust-go-js-sources",
        "// main.rs\n"
        f'let client = Client::new().with_api_key("{P_RUST_OPENAI}");\n'
        "// auth.go\n"
        f'var jwtKey = []byte("{P_GO_JWT}")\n'
        "// server.js\n"
        f"const token = jwt.sign({{ sub: user.id }}, '{P_JS_JWT}', {{ expiresIn: '1h' }});\n"
        f"app.use(session({{ secret: '{P_JS_SESSION}', resave: false }}));\n",
        (P_RUST_OPENAI, P_GO_JWT, P_JS_JWT, P_JS_SESSION),
        ("// auth.go",),
    ),
    Probe(
        "wireguard-and-redis-conf",
        "[Interface]\n"
        "Address = 10.0.0.2/32\n"
        f"PrivateKey = {P_WG_PRIVATE}\n"
        "[Peer]\n"
        "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
        f"PresharedKey = {P_WG_PSK}\n"
        "Endpoint = vpn.example.com:51820\n"
        "# redis.conf\n"
        "bind 127.0.0.1\n"
        f"requirepass {P_REDIS_CONF}\n"
        f"masterauth {P_REDIS_MASTER}\n",
        (P_WG_PRIVATE, P_WG_PSK, P_REDIS_CONF, P_REDIS_MASTER),
        ("PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "bind 127.0.0.1"),
    ),
    Probe(
        "kubeconfig-and-kubectl",
        "users:\n"
        "- name: ci\n"
        "  user:\n"
        f"    client-key-data: {P_KUBECONFIG}\n"
        "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
        "---\n"
        "kubectl create secret generic db --from-literal=username=app "
        f"--from-literal=password={P_KUBECTL}\n",
        (P_KUBECONFIG, P_KUBECTL),
        ("    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",),
    ),
    Probe(
        "composer-sasl-kafka",
        '{\n  "http-basic": {\n'
        f'    "repo.example.com": {{"username": "ci", "password": "{P_COMPOSER}"}}\n'
        "  },\n"
        f'  "bearer": {{"packages.example.org": "{P_COMPOSER_BEARER}"}}\n'
        "}\n"
        "# /etc/postfix/sasl_passwd\n"
        f"[smtp.gmail.com]:587 alerts@example.com:{P_SASL}\n"
        "# client.properties\n"
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="alice" password="{P_KAFKA}";\n',
        (P_COMPOSER, P_COMPOSER_BEARER, P_SASL, P_KAFKA),
    ),
]

PROBES += [
    Probe(
        "ecs-task-definition-json",
        '{\n  "containerDefinitions": [{\n    "name": "app",\n    "environment": [\n'
        "      {\n"
        '        "name": "DB_PASSWORD",\n'
        f'        "value": "{P_ECS_JSON}"\n'
        "      },\n"
        f'      {{"name": "API_TOKEN", "value": "{P_ECS_ONE_LINE}"}},\n'
        '      {"name": "LOG_LEVEL", "value": "info"}\n'
        "    ]\n  }]\n}\n",
        (P_ECS_JSON, P_ECS_ONE_LINE),
        ('      {"name": "LOG_LEVEL", "value": "info"}',),
    ),
    Probe(
        "postman-environment",
        '{\n  "name": "staging",\n  "values": [\n'
        "    {\n"
        '      "key": "apiKey",\n'
        f'      "value": "{P_POSTMAN_KEY}",\n'
        '      "type": "secret",\n'
        '      "enabled": true\n'
        "    },\n"
        f'    {{"key": "password", "value": "{P_POSTMAN_PASSWORD}", "enabled": true}},\n'
        '    {"key": "baseUrl", "value": "https://staging.example.com", "enabled": true}\n'
        "  ]\n}\n",
        (P_POSTMAN_KEY, P_POSTMAN_PASSWORD),
        ('    {"key": "baseUrl", "value": "https://staging.example.com", "enabled": true}',),
    ),
    Probe(
        "oracle-and-samba-commands",
        "#!/bin/sh\n"
        f"sqlplus -s scott/{P_SQLPLUS}@//db.internal:1521/ORCL @report.sql\n"
        f"expdp system/{P_EXPDP}@ORCL schemas=app directory=DUMP dumpfile=app.dmp\n"
        f"smbclient //fileserver/share -U backup%{P_SMB} -c 'put backup.tar'\n"
        "sqlplus /nolog @setup.sql\n",
        (P_SQLPLUS, P_EXPDP, P_SMB),
        ("sqlplus /nolog @setup.sql",),
    ),
    Probe(
        "cloud-cli-logins",
        "#!/bin/bash\n"
        "az login --service-principal -u 0f1e2d3c-aaaa-bbbb-cccc-0123456789ab "
        f"-p {P_AZ_LOGIN} --tenant acme.onmicrosoft.com\n"
        f"aws configure set aws_secret_access_key {P_AWS_CONFIGURE}\n"
        f'gh secret set DEPLOY_KEY --body "{P_GH_SECRET}"\n'
        f"echo '{P_STDIN_LOGIN}' | docker login -u deploy --password-stdin registry.example.com\n"
        f"helm upgrade --install db bitnami/postgresql --set auth.postgresPassword={P_HELM_SET}\n"
        'echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin r.example.com\n',
        (P_AZ_LOGIN, P_AWS_CONFIGURE, P_GH_SECRET, P_STDIN_LOGIN, P_HELM_SET),
        ('echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin r.example.com',),
    ),
    Probe(
        "fallbacks-in-code",
        f'const dbPassword = process.env.DB_PASSWORD || "{P_NODE_OR}";\n'
        f"const apiToken = process.env.API_TOKEN ?? '{P_NODE_NULLISH}';\n"
        f'password = ENV.fetch("DB_PASSWORD", "{P_RUBY_FETCH}")\n'
        f'secret = ENV.fetch("APP_SECRET") {{ "{P_RUBY_BLOCK}" }}\n'
        f'DB_PASSWORD = os.environ.get("DB_PASSWORD") or "{P_PY_OR}"\n'
        'PORT = os.environ.get("PORT") or "8000"\n',
        (P_NODE_OR, P_NODE_NULLISH, P_RUBY_FETCH, P_RUBY_BLOCK, P_PY_OR),
        ('PORT = os.environ.get("PORT") or "8000"',),
    ),
    Probe(
        "maven-settings-xml",
        "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n"
        "      <username>deployment</username>\n"
        f"      <password>{P_MAVEN}</password>\n"
        "    </server>\n    <server>\n      <id>ssh</id>\n"
        "      <privateKey>${user.home}/.ssh/id_rsa</privateKey>\n"
        f"      <passphrase>{P_MAVEN_PASSPHRASE}</passphrase>\n"
        "    </server>\n  </servers>\n</settings>\n",
        (P_MAVEN, P_MAVEN_PASSPHRASE),
        ("      <username>deployment</username>",),
    ),
    Probe(
        "git-npm-yarn-config",
        f"git config --global github.token {P_GIT_CONFIG}\n"
        f"npm config set //registry.npmjs.org/:_authToken {P_NPM_CONFIG}\n"
        f"yarn config set npmAuthToken {P_YARN_CONFIG}\n"
        "git config --global user.name 'CI Bot'\n",
        (P_GIT_CONFIG, P_NPM_CONFIG, P_YARN_CONFIG),
        ("git config --global user.name 'CI Bot'",),
    ),
]

PROBES += [
    Probe(
        "yaml-anchors-and-tags",
        "x-db: &db\n"
        "  user: app\n"
        f"  password: &db_password {P_YAML_ANCHOR}\n"
        "services:\n"
        "  api:\n"
        "    environment:\n"
        "      DB_PASSWORD: *db_password\n"
        "wifi:\n"
        "  password: !secret wifi_password\n",
        (P_YAML_ANCHOR,),
        ("      DB_PASSWORD: *db_password", "  password: !secret wifi_password"),
    ),
    Probe(
        "powershell-credentials",
        f'$secure = ConvertTo-SecureString "{P_POWERSHELL}" -AsPlainText -Force\n'
        '$cred = New-Object System.Management.Automation.PSCredential("CORP\\svc", '
        f"(ConvertTo-SecureString -String '{P_PS_CRED}' -AsPlainText -Force))\n"
        "Connect-AzAccount -Credential $cred\n",
        (P_POWERSHELL, P_PS_CRED),
        ("Connect-AzAccount -Credential $cred",),
    ),
    Probe(
        "java-builders-and-xml-properties",
        "DataSource ds = DataSourceBuilder.create()\n"
        '    .url("jdbc:postgresql://db/app")\n'
        '    .username("app")\n'
        f'    .password("{P_JAVA_BUILDER}")\n'
        "    .build();\n"
        f'String basic = Credentials.basic("ci", "{P_OKHTTP}");\n'
        '<entry key="db.url">jdbc:postgresql://db/app</entry>\n'
        f'<entry key="db.password">{P_XML_ENTRY}</entry>\n',
        (P_JAVA_BUILDER, P_OKHTTP, P_XML_ENTRY),
        ('<entry key="db.url">jdbc:postgresql://db/app</entry>', '    .username("app")'),
    ),
    Probe(
        "settings-stored-by-clis",
        f"vault kv put secret/app db_user=app db_password={P_VAULT_PUT}\n"
        f"firebase functions:config:set stripe.key={P_FIREBASE} stripe.webhook_secret="
        f"{P_FIREBASE_SECRET}\n"
        "vault kv get secret/app\n",
        (P_VAULT_PUT, P_FIREBASE, P_FIREBASE_SECRET),
        ("vault kv get secret/app",),
    ),
]

# Session 12: Composer's auth.json as Composer writes it (a host's token on a line of its own),
# passwords handed to Python's protocol clients by position, and YAML's anchors, tags and flow
# mappings around a secret.
P_AUTH_BEARER = fake("", 40, URLSAFE)
P_AUTH_HTTP_BASIC = fake("", 18)
P_AUTH_GITHUB = fake("gh" + "o_", 36)
P_AUTH_GITLAB_TOKEN = fake("", 20, URLSAFE)
P_AUTH_GITLAB_OAUTH = fake("", 64, HEX)
P_AUTH_BITBUCKET_KEY = fake("", 18)
P_AUTH_BITBUCKET_SECRET = fake("", 32)
P_PY_FTP = fake("", 14)
P_PY_FTP_TLS = fake("", 15)
P_PY_FTP_LOGIN = fake("", 13)
P_PY_SMTP_CHAIN = fake("", 16)
P_PY_IMAP = fake("", 14)
P_PY_POP = fake("", 12)
P_PY_SSH_KEYWORD = fake("", 17)
P_PY_SSH_POSITIONAL = fake("", 16)
P_PY_REQUESTS = fake("", 15)
P_PY_BASIC_AUTH = fake("", 14)
P_PY_PSYCOPG = fake("", 18)
P_PY_PYMYSQL = fake("", 13)
P_YAML_ANCHOR_BARE = fake("", 16)
P_YAML_ANCHOR_BLOCK = pem_body(3)
P_YAML_TAG_BLOCK = [fake("", 40, B64), fake("", 40, B64)]
P_YAML_TAGGED = fake("", 18)
P_YAML_FOLDED = [fake("", 36, ALNUM), fake("", 36, ALNUM)]
P_YAML_FLOW = fake("", 15)
P_YAML_FLOW_LIST = fake("", 14)
P_YAML_QUOTED_KEY = fake("", 17)
P_YAML_NEXT_LINE = fake("", 19)

PROBES += [
    Probe(
        "composer-auth-json",
        "{\n"
        '    "bearer": {\n'
        f'        "repo.example.org": "{P_AUTH_BEARER}"\n'
        "    },\n"
        '    "http-basic": {\n'
        '        "repo.example.org": {\n'
        '            "username": "ci",\n'
        f'            "password": "{P_AUTH_HTTP_BASIC}"\n'
        "        }\n"
        "    },\n"
        '    "github-oauth": {\n'
        f'        "github.com": "{P_AUTH_GITHUB}"\n'
        "    },\n"
        '    "gitlab-token": {\n'
        f'        "gitlab.example.com": "{P_AUTH_GITLAB_TOKEN}"\n'
        "    },\n"
        '    "gitlab-oauth": {\n'
        f'        "gitlab.com": "{P_AUTH_GITLAB_OAUTH}"\n'
        "    },\n"
        '    "bitbucket-oauth": {\n'
        '        "bitbucket.org": {\n'
        f'            "consumer-key": "{P_AUTH_BITBUCKET_KEY}",\n'
        f'            "consumer-secret": "{P_AUTH_BITBUCKET_SECRET}"\n'
        "        }\n"
        "    },\n"
        '    "gitlab-domains": ["gitlab.example.com"]\n'
        "}\n",
        (
            P_AUTH_BEARER,
            P_AUTH_HTTP_BASIC,
            P_AUTH_GITHUB,
            P_AUTH_GITLAB_TOKEN,
            P_AUTH_GITLAB_OAUTH,
            P_AUTH_BITBUCKET_KEY,
            P_AUTH_BITBUCKET_SECRET,
        ),
        ('    "gitlab-domains": ["gitlab.example.com"]', '            "username": "ci",'),
    ),
    Probe(
        "python-protocol-clients",
        "import ftplib, imaplib, poplib, smtplib\n"
        "import paramiko, psycopg2, pymysql, requests\n"
        "from requests.auth import HTTPBasicAuth\n"
        f'ftp = ftplib.FTP("ftp.example.com", "deploy", "{P_PY_FTP}")\n'
        f'ftps = ftplib.FTP_TLS("ftp.example.com", "deploy", "{P_PY_FTP_TLS}")\n'
        f'ftp.login("deploy", "{P_PY_FTP_LOGIN}")\n'
        f'smtplib.SMTP("smtp.example.com", 587).login("alerts", "{P_PY_SMTP_CHAIN}")\n'
        f'imaplib.IMAP4_SSL("imap.example.com").login("me","{P_PY_IMAP}")\n'
        'pop = poplib.POP3_SSL("pop.example.com")\n'
        'pop.user("me@example.com")\n'
        f'pop.pass_("{P_PY_POP}")\n'
        "ssh = paramiko.SSHClient()\n"
        f'ssh.connect("bastion.example.com", username="ops", password="{P_PY_SSH_KEYWORD}")\n'
        f'ssh.connect("bastion.example.com", 22, "ops", "{P_PY_SSH_POSITIONAL}")\n'
        f'r = requests.get(url, auth=("admin", "{P_PY_REQUESTS}"))\n'
        f'r = requests.post(url, auth=HTTPBasicAuth("admin", "{P_PY_BASIC_AUTH}"))\n'
        f'conn = psycopg2.connect("host=db dbname=app user=app password={P_PY_PSYCOPG}")\n'
        f'conn = pymysql.connect(host="db", user="app", passwd="{P_PY_PYMYSQL}", db="app")\n'
        'sock.connect(("example.com", 443))\n',
        (
            P_PY_FTP,
            P_PY_FTP_TLS,
            P_PY_FTP_LOGIN,
            P_PY_SMTP_CHAIN,
            P_PY_IMAP,
            P_PY_POP,
            P_PY_SSH_KEYWORD,
            P_PY_SSH_POSITIONAL,
            P_PY_REQUESTS,
            P_PY_BASIC_AUTH,
            P_PY_PSYCOPG,
            P_PY_PYMYSQL,
        ),
        (
            'ftp = ftplib.FTP("ftp.example.com", "deploy", "[REDACTED]")',
            'ssh.connect("bastion.example.com", 22, "ops", "[REDACTED]")',
            'pop.pass_("[REDACTED]")',
            'pop.user("me@example.com")',
            'sock.connect(("example.com", 443))',
        ),
    ),
    Probe(
        "yaml-anchors-tags-blocks-and-flow",
        "defaults: &defaults\n"
        "  adapter: postgresql\n"
        f"  password: &pw {P_YAML_ANCHOR_BARE}\n"
        "production:\n"
        "  <<: *defaults\n"
        "  password: *pw\n"
        "tls:\n"
        "  private_key: &key |\n" + pem("RSA PRIVATE KEY", P_YAML_ANCHOR_BLOCK, "    ") + "\n"
        "  signing_key: !!binary |\n"
        f"    {P_YAML_TAG_BLOCK[0]}\n"
        f"    {P_YAML_TAG_BLOCK[1]}\n"
        f"  secret: !!str {P_YAML_TAGGED}\n"
        "  token: &tok >-\n"
        f"    {P_YAML_FOLDED[0]}\n"
        f"    {P_YAML_FOLDED[1]}\n"
        "staging:\n"
        f"  <<: {{adapter: postgresql, password: {P_YAML_FLOW}}}\n"
        "  replicas:\n"
        f"    - {{host: replica1, password: {P_YAML_FLOW_LIST}, port: 5432}}\n"
        f'"db_password": {P_YAML_QUOTED_KEY}\n'
        "cache:\n"
        "  password:\n"
        f"    {P_YAML_NEXT_LINE}\n"
        "  port: 6379\n"
        "wifi:\n"
        "  password: !secret wifi_password\n",
        (
            P_YAML_ANCHOR_BARE,
            *P_YAML_ANCHOR_BLOCK,
            *P_YAML_TAG_BLOCK,
            P_YAML_TAGGED,
            *P_YAML_FOLDED,
            P_YAML_FLOW,
            P_YAML_FLOW_LIST,
            P_YAML_QUOTED_KEY,
            P_YAML_NEXT_LINE,
        ),
        ("  password: *pw", "  port: 6379", "  password: !secret wifi_password", "  <<: *defaults"),
    ),
]

# Formats with no `=` or `:` to go by: SQL's password clauses, cookies, a .netrc entry over
# several lines, csh's and fish's variables, a flag and its value as items of a list, a DSN.
P_SQL_CREATE = fake("", 16)
P_SQL_ALTER = fake("", 15, ALNUM + "!#")
P_SQL_IDENTIFIED = fake("", 14)
P_SQL_SET = fake("", 13)
P_COOKIE_SESSION = fake("", 32, HEX)
P_COOKIE_CSRF = fake("", 32)
P_COOKIE_CODE = fake("", 40, URLSAFE)
P_NETRC_LINES = fake("", 18)
P_NETRC_DEFAULT = fake("", 16)
P_CSH_SETENV = fake("", 20)
P_FISH_SET = fake("gh" + "p_", 36)
P_EXEC_REQUIREPASS = fake("", 22)
P_EXEC_PASSWORD = fake("", 17)
P_SENTRY_KEY = fake("", 32, HEX)

PROBES += [
    Probe(
        "sql-password-clauses",
        f"CREATE USER app WITH LOGIN PASSWORD '{P_SQL_CREATE}';\n"
        f"alter user postgres password '{P_SQL_ALTER}';\n"
        f"CREATE USER 'app'@'%' IDENTIFIED BY '{P_SQL_IDENTIFIED}';\n"
        f"SET PASSWORD FOR 'root'@'localhost' = PASSWORD('{P_SQL_SET}');\n"
        "GRANT ALL PRIVILEGES ON app.* TO 'app'@'%';\n",
        (P_SQL_CREATE, P_SQL_ALTER, P_SQL_IDENTIFIED, P_SQL_SET),
        ("GRANT ALL PRIVILEGES ON app.* TO 'app'@'%';",),
    ),
    Probe(
        "cookies-in-requests",
        "GET https://app.example.com/api/me\n"
        f"Cookie: sessionid={P_COOKIE_SESSION}; csrftoken={P_COOKIE_CSRF}\n"
        "Accept: application/json\n"
        f'requests.get(url, headers={{"Cookie": "session={P_COOKIE_CODE}"}})\n',
        (P_COOKIE_SESSION, P_COOKIE_CSRF, P_COOKIE_CODE),
        ("Accept: application/json",),
    ),
    Probe(
        "netrc-entries-over-lines",
        "machine api.example.com\n"
        "  login deploy\n"
        f"  password {P_NETRC_LINES}\n"
        f"default login anonymous password {P_NETRC_DEFAULT}\n",
        (P_NETRC_LINES, P_NETRC_DEFAULT),
        ("  login deploy",),
    ),
    Probe(
        "csh-and-fish-variables",
        f"setenv DB_PASSWORD {P_CSH_SETENV}\n"
        f"set -gx GITHUB_TOKEN {P_FISH_SET}\n"
        "setenv PATH /usr/local/bin:$PATH\n"
        "set -x EDITOR vim\n",
        (P_CSH_SETENV, P_FISH_SET),
        ("setenv PATH /usr/local/bin:$PATH", "set -x EDITOR vim"),
    ),
    Probe(
        "exec-form-flags-and-dsn",
        "services:\n"
        "  cache:\n"
        f'    command: ["redis-server", "--requirepass", "{P_EXEC_REQUIREPASS}"]\n'
        "  worker:\n"
        f"    args: ['--db-password', '{P_EXEC_PASSWORD}', '--workers', '4']\n"
        "    environment:\n"
        f"      SENTRY_DSN: https://{P_SENTRY_KEY}@o450.ingest.sentry.io/5501\n",
        (P_EXEC_REQUIREPASS, P_EXEC_PASSWORD, P_SENTRY_KEY),
        ("  worker:",),
    ),
]

# Names `key` alone would not make a secret's, in a .env file.
P_ENV_MAPBOX = fake("pk.", 60, URLSAFE)
P_ENV_RECAPTCHA = fake("6L", 38, URLSAFE)
P_ENV_ADMIN_PW = fake("", 14, ALNUM + "!#")

PROBES += [
    Probe(
        "dotenv-keys",
        "APP_ENV=production\n"
        f"MAPBOX_KEY={P_ENV_MAPBOX}\n"
        f'RECAPTCHA_SITE_KEY="{P_ENV_RECAPTCHA}"\n'
        f"ADMIN_PW={P_ENV_ADMIN_PW}\n"
        "SORT_KEY=created_at\n",
        (P_ENV_MAPBOX, P_ENV_RECAPTCHA, P_ENV_ADMIN_PW),
        ("APP_ENV=production", "SORT_KEY=created_at"),
    ),
]

# Maps, mappings and sections named for the secrets they hold, whatever each one's name.
P_MAP_TFVARS = fake("", 24)
P_MAP_TFVARS_NESTED = fake("", 20)
P_MAP_JSON = fake("", 32, HEX)
P_MAP_YAML = fake("", 22)
P_MAP_YAML_QUOTED = fake("", 18, ALNUM + "!#")
P_MAP_YAML_BLOCK = fake("", 40, B64)
P_MAP_TOML = fake("", 26)
P_MAP_INI = fake("", 16)

PROBES += [
    Probe(
        "maps-named-for-secrets",
        "# terraform.tfvars\n"
        'region = "eu-west-1"\n'
        "secrets = {\n"
        f'  stripe   = "{P_MAP_TFVARS}"\n'
        "  mail = {\n"
        f'    relay = "{P_MAP_TFVARS_NESTED}"\n'
        "  }\n"
        "}\n"
        'instance_type = "t3.micro"\n'
        "---\n"
        "{\n"
        '  "credentials": {\n'
        f'    "analytics": "{P_MAP_JSON}"\n'
        "  },\n"
        '  "timeout": 30\n'
        "}\n",
        (P_MAP_TFVARS, P_MAP_TFVARS_NESTED, P_MAP_JSON),
        ('instance_type = "t3.micro"', '  "timeout": 30'),
    ),
    Probe(
        "yaml-mapping-and-sections-named-for-secrets",
        "app:\n"
        "  secrets:\n"
        f"    analytics: {P_MAP_YAML}\n"
        f'    mail: "{P_MAP_YAML_QUOTED}"\n'
        "    signing: |\n"
        f"      {P_MAP_YAML_BLOCK}\n"
        "  port: 8080\n"
        "services:\n"
        "  api:\n"
        "    secrets:\n"
        "      - db_password\n"
        "secrets:\n"
        "  db_password:\n"
        "    file: ./db_password.txt\n"
        "---\n"
        "[secrets]\n"
        f'analytics = "{P_MAP_TOML}"\n'
        "[server]\n"
        "port = 8000\n"
        "[credentials.prod]\n"
        f"relay = {P_MAP_INI}\n",
        (P_MAP_YAML, P_MAP_YAML_QUOTED, P_MAP_YAML_BLOCK, P_MAP_TOML, P_MAP_INI),
        (
            "  port: 8080",
            "      - db_password",
            "    file: ./db_password.txt",
            "port = 8000",
        ),
    ),
]

# Lists of secrets under a plural name (the name rule leaves `passwords = get_passwords()` to
# code): each string item of a list, tuple or set written as the name's value, on one line or
# several.
P_LIST_JSON = (fake("sk-" + "proj-", 48, URLSAFE), fake("", 32, HEX))
P_LIST_PY = (fake("", 24), fake("", 24))
P_LIST_TUPLE = fake("gh" + "p_", 36)
P_LIST_TOML = fake("", 18, ALNUM + "!#")
P_LIST_LINES = (fake("", 40, B64), fake("", 28))
P_LIST_JS = fake("", 26)

PROBES += [
    Probe(
        "lists-under-plural-names",
        "{\n"
        f'  "api_keys": ["{P_LIST_JSON[0]}", "{P_LIST_JSON[1]}"],\n'
        '  "regions": ["eu-west-1", "us-east-1"]\n'
        "}\n"
        "---\n"
        f'API_KEYS = ["{P_LIST_PY[0]}", "{P_LIST_PY[1]}"]\n'
        f'tokens = ("{P_LIST_TUPLE}",)\n'
        "passwords = get_passwords()\n"
        "max_tokens = [256, 512]\n"
        'ENV_KEYS = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]\n'
        "SECRET_KEYS = [\n"
        f'    "{P_LIST_LINES[0]}",  # prod\n'
        f"    '{P_LIST_LINES[1]}',\n"
        "]\n"
        'HOSTS = ["db.internal"]\n'
        "---\n"
        "[admin]\n"
        f'passwords = ["{P_LIST_TOML}"]\n'
        "---\n"
        "const config = {\n"
        "  accessTokens: [\n"
        f"    '{P_LIST_JS}',\n"
        "  ],\n"
        "  retries: ['3'],\n"
        "};\n",
        (*P_LIST_JSON, *P_LIST_PY, P_LIST_TUPLE, P_LIST_TOML, *P_LIST_LINES, P_LIST_JS),
        (
            '  "regions": ["eu-west-1", "us-east-1"]',
            "passwords = get_passwords()",
            "max_tokens = [256, 512]",
            'ENV_KEYS = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]',
            'HOSTS = ["db.internal"]',
            "  retries: ['3'],",
        ),
    ),
]

# C++'s brace initialisation, Tcl's `set`, and a short token as a URL's user.
P_CPP_BRACE = fake("", 28)
P_CPP_EQUALS_BRACE = fake("", 16, ALNUM + "!#")
P_CPP_AUTO = fake("", 32, HEX)
P_CPP_STRING_CALL = fake("", 20)
P_TCL_QUOTED = fake("", 15)
P_TCL_WORD = fake("", 24)
P_TCL_BRACED = fake("", 14)
P_URL_SHORT_PASSWORD = fake("", 7)
P_URL_SHORT_TOKEN = fake("", 14, string.ascii_lowercase + string.digits)

PROBES += [
    Probe(
        "cpp-brace-initialisation",
        "#include <string>\n"
        f'static const std::string api_key{{"{P_CPP_BRACE}"}};\n'
        f'const char* password = {{"{P_CPP_EQUALS_BRACE}"}};\n'
        f'auto token = std::string{{"{P_CPP_AUTO}"}};\n'
        f'std::string client_secret("{P_CPP_STRING_CALL}");\n'
        "std::vector<int> sizes{1, 2, 3};\n"
        "Token token{Kind::Ident};\n",
        (P_CPP_BRACE, P_CPP_EQUALS_BRACE, P_CPP_AUTO, P_CPP_STRING_CALL),
        ("std::vector<int> sizes{1, 2, 3};", "Token token{Kind::Ident};"),
    ),
    Probe(
        "tcl-set",
        "#!/usr/bin/env tclsh\n"
        "set host db.internal\n"
        f'set password "{P_TCL_QUOTED}"\n'
        f"set api_key {P_TCL_WORD}\n"
        f"  set db_password {{{P_TCL_BRACED}}}\n"
        "set token [exec cat /run/secrets/token]\n"
        "set secret $env(APP_SECRET)\n",
        (P_TCL_QUOTED, P_TCL_WORD, P_TCL_BRACED),
        (
            "set host db.internal",
            "set token [exec cat /run/secrets/token]",
            "set secret $env(APP_SECRET)",
        ),
    ),
    Probe(
        "url-short-user-info",
        f"remote = https://ci:{P_URL_SHORT_PASSWORD}@git.example.com/acme/app.git\n"
        f"git clone https://{P_URL_SHORT_TOKEN}@github.com/acme/app.git\n"
        "git clone git@github.com:acme/app.git\n"
        "git clone https://deploy@git.example.com/acme/app.git\n"
        "pip install git+https://build2024@git.example.com/acme/lib.git\n",
        (P_URL_SHORT_PASSWORD, P_URL_SHORT_TOKEN),
        (
            "git clone git@github.com:acme/app.git",
            "git clone https://deploy@git.example.com/acme/app.git",
            "pip install git+https://build2024@git.example.com/acme/lib.git",
        ),
    ),
]

# YAML's complex keys, and Markdown's tables: a row naming a secret, or a column named for one.
P_YAML_COMPLEX = fake("", 22)
P_YAML_COMPLEX_QUOTED = fake("", 18, ALNUM + "!#%")
P_YAML_COMPLEX_BLOCK = fake("", 40, B64)
P_TABLE_ROW = fake("", 16, ALNUM + "!#")
P_TABLE_ROW_CODE = fake("", 32, HEX)
P_TABLE_COLUMN = (fake("", 12), fake("", 14, ALNUM + "@!"))
P_TABLE_TOKEN_COLUMN = fake("", 30)

PROBES += [
    Probe(
        "yaml-complex-keys",
        "database:\n"
        "  ? user\n"
        "  : app\n"
        "  ? password\n"
        f"  : {P_YAML_COMPLEX}\n"
        '  ? "api_key"\n'
        f'  : "{P_YAML_COMPLEX_QUOTED}"\n'
        "  ? signing_key\n"
        "  : |\n"
        f"    {P_YAML_COMPLEX_BLOCK}\n"
        "  ? port\n"
        "  : 5432\n",
        (P_YAML_COMPLEX, P_YAML_COMPLEX_QUOTED, P_YAML_COMPLEX_BLOCK),
        ("  : app", "  : 5432"),
    ),
    Probe(
        "markdown-tables",
        "## Staging\n\n"
        "| Setting | Value |\n"
        "|---------|-------|\n"
        "| Host | staging.example.com |\n"
        f"| Password | {P_TABLE_ROW} |\n"
        f"| **API key** | `{P_TABLE_ROW_CODE}` |\n"
        "| Token TTL | 3600 |\n"
        "\n"
        "| User | Password | Role |\n"
        "| :--- | :------: | ---- |\n"
        f"| admin | {P_TABLE_COLUMN[0]} | owner |\n"
        f"| ci | `{P_TABLE_COLUMN[1]}` | deploy |\n"
        "| guest | *(none)* | read |\n"
        "\n"
        "| Service | Token | Notes |\n"
        "|---|---|---|\n"
        f"| search | {P_TABLE_TOKEN_COLUMN} | rotated monthly |\n"
        "\n"
        "| Parameter | Type | Description |\n"
        "|---|---|---|\n"
        "| password | `string` | The user's password. |\n"
        "| api_key | string | Required |\n",
        (P_TABLE_ROW, P_TABLE_ROW_CODE, *P_TABLE_COLUMN, P_TABLE_TOKEN_COLUMN),
        (
            "| Setting | Value |",
            "| Host | staging.example.com |",
            "| Token TTL | 3600 |",
            "| User | Password | Role |",
            "| guest | *(none)* | read |",
            "| password | `string` | The user's password. |",
            "| api_key | string | Required |",
        ),
    ),
]

# Code inside a JSON string, as a Jupyter notebook keeps its cells: quotes escaped (`\"`).
P_NOTEBOOK_PASSWORD = fake("", 18, ALNUM + "!#")
P_NOTEBOOK_KEY = fake("", 32, HEX)
P_NOTEBOOK_SINGLE = fake("", 24)
P_NOTEBOOK_HEADER = fake("", 40, URLSAFE)
P_NOTEBOOK_DICT = fake("", 20, ALNUM + "@")

PROBES += [
    Probe(
        "jupyter-notebook-cells",
        "{\n"
        ' "cells": [\n'
        "  {\n"
        '   "cell_type": "code",\n'
        '   "source": [\n'
        '    "import requests\\n",\n'
        f'    "DB_PASSWORD = \\"{P_NOTEBOOK_PASSWORD}\\"\\n",\n'
        f'    "weather_api_key = \\"{P_NOTEBOOK_KEY}\\"  # free tier\\n",\n'
        f"    \"client = Client(token='{P_NOTEBOOK_SINGLE}')\\n\",\n"
        f'    "headers = {{\\"Authorization\\": \\"Bearer {P_NOTEBOOK_HEADER}\\"}}\\n",\n'
        f'    "config = {{\\"password\\": \\"{P_NOTEBOOK_DICT}\\"}}\\n",\n'
        '    "print(\\"done\\")"\n'
        "   ]\n"
        "  }\n"
        " ]\n"
        "}\n",
        (
            P_NOTEBOOK_PASSWORD,
            P_NOTEBOOK_KEY,
            P_NOTEBOOK_SINGLE,
            P_NOTEBOOK_HEADER,
            P_NOTEBOOK_DICT,
        ),
        ('    "import requests\\n",', '    "print(\\"done\\")"'),
    ),
]

# Azure's credential classes, which take the key by position; Key Vault's and Windows' setters.
P_AZURE_KEY = fake("", 32, HEX)
P_AZURE_NAMED = fake("", 86, B64) + "=="
P_AZURE_CLIENT = fake("", 34, URLSAFE + "~.")
P_AZURE_CS_KEY = fake("", 32, HEX)
P_KEYVAULT = fake("", 20)
P_SETX = fake("", 24)

PROBES += [
    Probe(
        "azure-credentials",
        "from azure.core.credentials import AzureKeyCredential\n"
        f'client = TextAnalyticsClient(endpoint, AzureKeyCredential("{P_AZURE_KEY}"))\n'
        f'shared = AzureNamedKeyCredential("acmestore", "{P_AZURE_NAMED}")\n'
        f'var cred = new ClientSecretCredential(tenantId, "app-id", "{P_AZURE_CLIENT}");\n'
        f'var search = new SearchClient(uri, "docs", new AzureKeyCredential("{P_AZURE_CS_KEY}"));\n'
        'key = AzureKeyCredential(os.environ["AZURE_KEY"])\n'
        f"az keyvault secret set --vault-name acme --name db-password --value {P_KEYVAULT}\n"
        f'setx API_TOKEN "{P_SETX}"\n'
        "setx PATH %PATH%;C:\\tools\n",
        (P_AZURE_KEY, P_AZURE_NAMED, P_AZURE_CLIENT, P_AZURE_CS_KEY, P_KEYVAULT, P_SETX),
        ('key = AzureKeyCredential(os.environ["AZURE_KEY"])', "setx PATH %PATH%;C:\\tools"),
    ),
]

# SQL's INSERT, the secret's column named in its list and its value in the same place of each row.
P_SQL_INSERT = fake("", 16, ALNUM + "!#")
P_SQL_ROWS = (fake("", 32, HEX), fake("", 24), fake("", 32, HEX), fake("", 24))
P_SQL_LINES = fake("", 20)

PROBES += [
    Probe(
        "sql-inserts",
        "INSERT INTO users (id, email, password, created_at)\n"
        f"VALUES (1, 'admin@example.com', '{P_SQL_INSERT}', NOW());\n"
        "INSERT INTO api_clients (name, api_key, `secret`) VALUES "
        f"('ci', '{P_SQL_ROWS[0]}', '{P_SQL_ROWS[1]}'), "
        f"('bot', '{P_SQL_ROWS[2]}', '{P_SQL_ROWS[3]}');\n"
        "INSERT INTO settings (name, value) VALUES ('theme', 'dark');\n"
        "insert into accounts(username,token) values\n"
        f"  ('deploy','{P_SQL_LINES}');\n"
        "INSERT INTO tokens (id, token_count) VALUES (7, '12');\n",
        (P_SQL_INSERT, *P_SQL_ROWS, P_SQL_LINES),
        (
            "INSERT INTO settings (name, value) VALUES ('theme', 'dark');",
            "INSERT INTO tokens (id, token_count) VALUES (7, '12');",
        ),
    ),
]

# Session 14. Headers named for a key alone (Azure Functions' `x-functions-key`, RapidAPI's,
# Datadog's application key) and keys whose words are joined by dots (`datadog.api.key=`).
P_HEADER_FUNCTIONS = (fake("", 54, URLSAFE) + "==", fake("", 54, URLSAFE) + "==")
P_HEADER_RAPIDAPI = fake("", 50, ALNUM)
P_HEADER_DATADOG = fake("", 40, HEX)
P_HEADER_HTTP_FILE = fake("", 54, URLSAFE) + "=="
P_DOTTED_API_KEY = fake("", 32, HEX)
P_DOTTED_SIGNING_KEY = fake("", 32, HEX) + "-" + fake("", 8, HEX) + "-" + fake("", 8, HEX)

PROBES += [
    Probe(
        "key-headers",
        'headers = {"Content-Type": "application/json", '
        f'"x-functions-key": "{P_HEADER_FUNCTIONS[0]}"}}\n'
        f"fetch(url, {{ headers: {{ 'X-RapidAPI-Key': '{P_HEADER_RAPIDAPI}' }} }})\n"
        f'curl -H "x-functions-key: {P_HEADER_FUNCTIONS[1]}" https://acme.azurewebsites.net/api/run\n'
        f'curl -H "DD-APPLICATION-KEY: {P_HEADER_DATADOG}" https://api.datadoghq.com/api/v1/validate\n'
        "---\n"
        "POST https://acme.azurewebsites.net/api/run HTTP/1.1\n"
        "Content-Type: application/json\n"
        f"x-functions-key: {P_HEADER_HTTP_FILE}\n"
        "---\n"
        'headers["x-functions-key"] = function_key\n'
        'if "x-functions-key" not in headers:\n',
        (*P_HEADER_FUNCTIONS, P_HEADER_RAPIDAPI, P_HEADER_DATADOG, P_HEADER_HTTP_FILE),
        (
            "Content-Type: application/json",
            'headers["x-functions-key"] = function_key',
            'if "x-functions-key" not in headers:',
        ),
    ),
    Probe(
        "dotted-key-names",
        "datadog.site=datadoghq.eu\n"
        f"datadog.api.key={P_DOTTED_API_KEY}\n"
        f"mailgun.webhook.signing.key={P_DOTTED_SIGNING_KEY}\n"
        "ssl.key.store=/etc/ssl/keystore.p12\n",
        (P_DOTTED_API_KEY, P_DOTTED_SIGNING_KEY),
        ("datadog.site=datadoghq.eu", "ssl.key.store=/etc/ssl/keystore.p12"),
    ),
]

# --- one token per provider family, in every kind of file -------------------------------------
# As an outsider would probe: each token in its provider's format (gitleaks' rules, MIT, give the
# prefixes, lengths and alphabets), under the name it is usually given in a dozen kinds of file,
# and, when its format is distinctive, under no name at all (a bare line, `value = "..."`, a URL's
# query). The bodies are random from their own seed, so the tokens are the same on every run.
_PROVIDER_RANDOM = random.Random(20_261_207)


def _token(prefix: str, length: int, alphabet: str = ALNUM, suffix: str = "") -> str:
    return prefix + "".join(_PROVIDER_RANDOM.choice(alphabet) for _ in range(length)) + suffix


def _uuid() -> str:
    digits = _token("", 32, HEX)
    return "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))


_BASE32 = string.ascii_uppercase + "234567"
_DIGITS = string.digits


@dataclass(frozen=True)
class ProviderToken:
    family: str
    name: str  # the name it usually goes by (an environment variable's)
    value: str
    secret: str  # what must not come through (a webhook URL's path)
    distinctive: bool  # found by its format alone, under any name or none


def _provider(family: str, name: str, value: str, distinctive: bool = True) -> ProviderToken:
    secret = value.rsplit("/", 1)[-1] if "://" in value else value
    return ProviderToken(family, name, value, secret, distinctive)


PROVIDER_TOKENS: list[ProviderToken] = [
    _provider("aws-access-key-id", "AWS_ACCESS_KEY_ID", _token("AK" + "IA", 16, _BASE32)),
    _provider("aws-secret-key", "AWS_SECRET_ACCESS_KEY", _token("", 40, B64), False),
    _provider("github-classic", "GITHUB_TOKEN", _token("gh" + "p_", 36)),
    _provider("github-fine-grained", "GH_PAT", _token("github" + "_pat_", 22) + _token("_", 59)),
    _provider("github-app", "GITHUB_APP_TOKEN", _token("gh" + "s_", 36)),
    _provider("github-oauth", "GITHUB_OAUTH_TOKEN", _token("gh" + "o_", 36)),
    _provider("github-refresh", "GITHUB_REFRESH_TOKEN", _token("gh" + "r_", 36)),
    _provider("gitlab", "GITLAB_TOKEN", _token("gl" + "pat-", 20, URLSAFE)),
    _provider("gitlab-runner", "RUNNER_TOKEN", _token("gl" + "rt-", 20, URLSAFE)),
    _provider("gitlab-trigger", "CI_TRIGGER_TOKEN", _token("gl" + "ptt-", 40, HEX)),
    _provider(
        "slack-bot",
        "SLACK_BOT_TOKEN",
        "xo" + "xb-" + _token("", 12, _DIGITS) + _token("-", 13, _DIGITS) + _token("-", 24),
    ),
    _provider(
        "slack-user",
        "SLACK_USER_TOKEN",
        "xo" + "xp-" + "-".join(_token("", 12, _DIGITS) for _ in range(3)) + _token("-", 32, HEX),
    ),
    _provider(
        "slack-webhook",
        "SLACK_WEBHOOK_URL",
        "https://hooks.slack.com/services/"
        + _token("T", 10, UPPER)
        + _token("/B", 10, UPPER)
        + _token("/", 24),
    ),
    _provider(
        "slack-app",
        "SLACK_APP_TOKEN",
        "xa" + "pp-1-" + _token("A", 10, UPPER) + _token("-", 13, _DIGITS) + _token("-", 64, HEX),
    ),
    _provider("stripe-live", "STRIPE_SECRET_KEY", _token("sk_" + "live_", 24)),
    _provider("stripe-restricted", "STRIPE_RESTRICTED_KEY", _token("rk_" + "live_", 24)),
    _provider("stripe-webhook", "STRIPE_WEBHOOK_SECRET", _token("wh" + "sec_", 32)),
    _provider("twilio-api-key", "TWILIO_API_KEY", _token("S" + "K", 32, HEX)),
    _provider("twilio-account-sid", "TWILIO_ACCOUNT_SID", _token("A" + "C", 32, HEX)),
    _provider("twilio-auth-token", "TWILIO_AUTH_TOKEN", _token("", 32, HEX), False),
    _provider("sendgrid", "SENDGRID_API_KEY", _token("S" + "G.", 22, URLSAFE) + _token(".", 43)),
    _provider("mailgun", "MAILGUN_API_KEY", _token("ke" + "y-", 32, HEX)),
    _provider(
        "mailgun-signing",
        "MAILGUN_WEBHOOK_SIGNING_KEY",
        _token("", 32, HEX) + _token("-", 8, HEX) + _token("-", 8, HEX),
        False,
    ),
    _provider(
        "openai-project",
        "OPENAI_API_KEY",
        _token("sk-" + "proj-", 74, URLSAFE) + "T3Blbk" + "FJ" + _token("", 74, URLSAFE),
    ),
    _provider("openai-legacy", "OPENAI_KEY", _token("sk-", 20) + "T3Blbk" + "FJ" + _token("", 20)),
    _provider("anthropic", "ANTHROPIC_API_KEY", _token("sk-" + "ant-api03-", 93, URLSAFE, "AA")),
    _provider(
        "anthropic-admin", "ANTHROPIC_ADMIN_KEY", _token("sk-" + "ant-admin01-", 93, URLSAFE, "AA")
    ),
    _provider("google-api-key", "GOOGLE_API_KEY", _token("AI" + "za", 35, URLSAFE)),
    _provider("google-oauth-secret", "GOOGLE_CLIENT_SECRET", _token("GOC" + "SPX-", 28, URLSAFE)),
    _provider("npm", "NPM_TOKEN", _token("np" + "m_", 36)),
    _provider("pypi", "PYPI_TOKEN", _token("py" + "pi-AgEIcHlwaS5vcmc", 70, URLSAFE)),
    _provider("docker-hub", "DOCKER_TOKEN", _token("dckr" + "_pat_", 27, URLSAFE)),
    _provider("hugging-face", "HF_TOKEN", _token("hf" + "_", 34)),
    _provider(
        "jwt",
        "AUTH_JWT",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + _token(".eyJ", 60, URLSAFE) + _token(".", 43),
    ),
    _provider("shopify-access", "SHOPIFY_ACCESS_TOKEN", _token("sh" + "pat_", 32, HEX)),
    _provider("shopify-secret", "SHOPIFY_SHARED_SECRET", _token("sh" + "pss_", 32, HEX)),
    _provider("square-access", "SQUARE_ACCESS_TOKEN", _token("EA" + "AA", 60, URLSAFE)),
    _provider("square-secret", "SQUARE_APP_SECRET", _token("sq0" + "csp-", 43, URLSAFE)),
    # Discord's bot token has no prefix (its first part is base64 of the bot's id): by name only.
    _provider(
        "discord-bot",
        "DISCORD_BOT_TOKEN",
        _token("M", 23) + _token(".", 6, URLSAFE) + _token(".", 27, URLSAFE),
        False,
    ),
    _provider(
        "discord-webhook",
        "DISCORD_WEBHOOK_URL",
        "https://discord.com/api/webhooks/" + _token("", 18, _DIGITS) + _token("/", 68, URLSAFE),
    ),
    _provider(
        "telegram-bot", "TELEGRAM_BOT_TOKEN", _token("", 10, _DIGITS) + _token(":AA", 33, URLSAFE)
    ),
    _provider("datadog-api-key", "DD_API_KEY", _token("", 32, HEX), False),
    _provider("datadog-app-key", "DD_APP_KEY", _token("", 40, HEX), False),
    _provider("new-relic", "NEW_RELIC_API_KEY", _token("NR" + "AK-", 27, UPPER)),
    _provider("heroku", "HEROKU_API_KEY", _token("HR" + "KU-AA", 58, URLSAFE)),
    _provider("heroku-legacy", "HEROKU_API_KEY", _uuid(), False),
    _provider("digitalocean", "DIGITALOCEAN_TOKEN", _token("do" + "p_v1_", 64, HEX)),
    _provider("databricks", "DATABRICKS_TOKEN", _token("da" + "pi", 32, HEX)),
    _provider("postman", "POSTMAN_API_KEY", _token("PM" + "AK-", 24, HEX) + _token("-", 34, HEX)),
    _provider("linear", "LINEAR_API_KEY", _token("lin" + "_api_", 40)),
    _provider("notion", "NOTION_TOKEN", _token("nt" + "n_", 11, _DIGITS) + _token("", 35)),
    _provider("notion-legacy", "NOTION_SECRET", _token("sec" + "ret_", 43)),
    _provider("doppler", "DOPPLER_TOKEN", _token("dp" + ".pt.", 43)),
    _provider("vault-service", "VAULT_TOKEN", _token("hv" + "s.", 90, URLSAFE)),
    _provider("vault-batch", "VAULT_BATCH_TOKEN", _token("hv" + "b.", 138, URLSAFE)),
    _provider(
        "azure-ad-secret",
        "AZURE_CLIENT_SECRET",
        _token("", 3) + "8Q~" + _token("", 31, ALNUM + "~._-"),
    ),
    _provider("sonarqube", "SONAR_TOKEN", _token("sq" + "u_", 40, HEX)),
    _provider("sourcegraph", "SRC_ACCESS_TOKEN", _token("sg" + "p_", 40, HEX)),
    _provider("typeform", "TYPEFORM_TOKEN", _token("tf" + "p_", 59, URLSAFE)),
    _provider("airtable", "AIRTABLE_TOKEN", _token("pa" + "t", 14) + _token(".", 64, HEX)),
    _provider(
        "dynatrace", "DT_API_TOKEN", _token("dt0" + "c01.", 24, UPPER) + _token(".", 64, UPPER)
    ),
    _provider("easypost", "EASYPOST_API_KEY", _token("EZ" + "AK", 54)),
    _provider("alibaba", "ALIBABA_ACCESS_KEY_ID", _token("LT" + "AI", 20)),
    _provider("artifactory", "ARTIFACTORY_API_KEY", _token("AK" + "Cp", 69)),
    _provider("openshift", "OC_TOKEN", _token("sha" + "256~", 43, URLSAFE)),
    _provider("fly", "FLY_API_TOKEN", _token("fo" + "1_", 43, URLSAFE)),
    _provider("grafana", "GRAFANA_TOKEN", _token("gl" + "sa_", 32) + _token("_", 8, HEX)),
    _provider("groq", "GROQ_API_KEY", _token("gs" + "k_", 52)),
    _provider(
        "dropbox",
        "DROPBOX_TOKEN",
        _token("s" + "l.", 135, string.ascii_lowercase + string.digits + "-_"),
    ),
    _provider(
        "clojars", "CLOJARS_TOKEN", _token("CLO" + "JARS_", 60, string.ascii_lowercase + _DIGITS)
    ),
    _provider("hubspot", "HUBSPOT_TOKEN", "pa" + "t-na1-" + _uuid()),
    _provider("planetscale", "PLANETSCALE_TOKEN", _token("psc" + "ale_tkn_", 43, URLSAFE)),
    _provider("replicate", "REPLICATE_API_TOKEN", _token("r" + "8_", 37)),
    _provider("cloudflare", "CLOUDFLARE_API_TOKEN", _token("", 40, URLSAFE), False),
]


def _lower(name: str) -> str:
    return name.lower()


def _camel(name: str) -> str:
    first, *rest = name.lower().split("_")
    return first + "".join(part.title() for part in rest)


# A line giving the token its usual name, in each kind of file.
NAMED_LINES: dict[str, Callable[[str, str], str]] = {
    "dotenv": lambda n, v: f"{n}={v}",
    "dotenv-quoted": lambda n, v: f'{n}="{v}"',
    "yaml": lambda n, v: f"  {_lower(n)}: {v}",
    "yaml-quoted": lambda n, v: f'  {n}: "{v}"',
    "json": lambda n, v: f'  "{_camel(n)}": "{v}",',
    "python": lambda n, v: f'{n} = "{v}"',
    "python-dict": lambda n, v: f'    "{_lower(n)}": "{v}",',
    "python-keyword": lambda n, v: f'client = Client({_lower(n)}="{v}")',
    "javascript": lambda n, v: f"const {_camel(n)} = '{v}';",
    "typescript-object": lambda n, v: f"  {_camel(n)}: '{v}',",
    "shell": lambda n, v: f'export {n}="{v}"',
    "dockerfile": lambda n, v: f"ENV {n}={v}",
    "dockerfile-blank": lambda n, v: f"ENV {n} {v}",
    "terraform": lambda n, v: f'  {_lower(n)} = "{v}"',
    "ini": lambda n, v: f"{_lower(n)} = {v}",
    "properties": lambda n, v: f"app.{_lower(n).replace('_', '.')}={v}",
    "xml": lambda n, v: f"  <{_camel(n)}>{v}</{_camel(n)}>",
    "xml-attributes": lambda n, v: f'  <add key="{n}" value="{v}" />',
    "markdown": lambda n, v: f"Set `{n}={v}` in your shell.",
    "go": lambda n, v: f'\t{_camel(n)} := "{v}"',
    "toml": lambda n, v: f'{_lower(n)} = "{v}"',
}
# A line holding a distinctive token under no name, or a neutral one.
UNNAMED_LINES: dict[str, Callable[[str], str]] = {
    "value": lambda v: f'value = "{v}"',
    "bare": lambda v: v,
    "bare-indented": lambda v: f"    {v}",
    "url-query": lambda v: f"https://api.example.com/v1/items?id=42&q={v}&page=2",
    "call": lambda v: f'client = make_client("{v}")',
    "list": lambda v: f'ITEMS = ["{v}", "other"]',
    "yaml": lambda v: f"  setting: {v}",
    "json": lambda v: f'  "data": "{v}",',
    "comment": lambda v: f"# {v}",
    "markdown-code": lambda v: f"Use `{v}` here.",
    "curl-header": lambda v: f'curl -H "X-Custom: {v}" https://api.example.com',
    "dotenv": lambda v: f"SETTING={v}",
    "xml": lambda v: f"  <item>{v}</item>",
}

# Lists nested in a list of secrets: pairs of a label and a key, objects holding a key. Deeper
# than the list's own items, a string counts when it looks like a credential on its own.
P_NESTED_PAIRS = (fake("", 32, ALNUM), fake("sk_" + "test_", 24))
P_NESTED_OBJECT = fake("", 40, URLSAFE)
P_NESTED_LINES = (fake("", 36, HEX), fake("", 28, B64))
P_NESTED_YAML = fake("", 40, ALNUM)

PROBES += [
    Probe(
        "nested-lists-of-secrets",
        f'API_KEYS = [["prod", "{P_NESTED_PAIRS[0]}"], ["test", "{P_NESTED_PAIRS[1]}"]]\n'
        f'api_keys = [{{"name": "ci", "key": "{P_NESTED_OBJECT}", "created": "2024-05-01"}}]\n'
        "ACCESS_TOKENS = [\n"
        f'    ("deploy", "{P_NESTED_LINES[0]}"),\n'
        f"    ['backup', '{P_NESTED_LINES[1]}'],\n"
        "]\n"
        'tokens = [("NAME", r"[a-zA-Z_][a-zA-Z0-9_]*"), ("NUMBER", r"\\d+")]\n'
        "---\n"
        "API_KEYS:\n"
        "  - name: partner\n"
        f"    key: {P_NESTED_YAML}\n"
        "  - name: internal\n"
        "    key: internal-api-key\n",
        (*P_NESTED_PAIRS, P_NESTED_OBJECT, *P_NESTED_LINES, P_NESTED_YAML),
        (
            "    key: internal-api-key",
            '    ("deploy", "[REDACTED]"),',
            'tokens = [("NAME", r"[a-zA-Z_][a-zA-Z0-9_]*"), ("NUMBER", r"\\d+")]',
        ),
    ),
]

# Secrets in prose and comments: a secret's word, `is` (or `:`, `=`) and one word that looks
# like a token; sentences about secrets stay.
P_PROSE_SPOKEN = fake("", 8, ALNUM) + "!"
P_PROSE_COMMENT = fake("", 40, HEX)
P_PROSE_VAULT = fake("", 14, ALNUM + "!#%")
P_PROSE_MARKDOWN = fake("", 32, URLSAFE)
P_PROSE_TRAILING = fake("", 24, ALNUM)
P_PROSE_API_KEY = fake("", 36, ALNUM)

PROBES += [
    Probe(
        "secrets-in-prose",
        "# Staging\n\n"
        f"The admin password is {P_PROSE_SPOKEN}\n"
        "The password is required, and the token is valid for 3600 seconds.\n"
        f"**API key:** `{P_PROSE_MARKDOWN}`\n"
        f"- deploy token: {P_PROSE_TRAILING}\n"
        f"API key: {P_PROSE_API_KEY}\n"
        "---\n"
        f"# token: {P_PROSE_COMMENT}\n"
        f"# password = {P_PROSE_VAULT} (see vault)\n"
        "if token is None:\n"
        "    token = load_token()  # token: see docs/auth.md\n"
        "# The token is a JWT signed with HS256.\n"
        "# password: must be 8+ chars, e.g. Passw0rd\n",
        (
            P_PROSE_SPOKEN,
            P_PROSE_COMMENT,
            P_PROSE_VAULT,
            P_PROSE_MARKDOWN,
            P_PROSE_TRAILING,
            P_PROSE_API_KEY,
        ),
        (
            "The password is required, and the token is valid for 3600 seconds.",
            "if token is None:",
            "    token = load_token()  # token: see docs/auth.md",
            "# The token is a JWT signed with HS256.",
            "# password = [REDACTED] (see vault)",
        ),
    ),
]

# Table cells with blanks in them: padding inside a code span, a note after the value, a value
# in two random-looking words; a sentence or a passphrase of words stays.
P_CELL_CODE_SPAN = fake("", 28, ALNUM)
P_CELL_NOTE = fake("", 14, ALNUM + "!#")
P_CELL_WORDS = (fake("", 5, ALNUM) + "7", fake("", 7, ALNUM) + "!")
P_CELL_COLUMN = fake("", 6, ALNUM) + "3 " + fake("", 8, ALNUM) + "9"

PROBES += [
    Probe(
        "table-cells-with-blanks",
        "| Setting  | Value |\n"
        "|----------|-------|\n"
        f"| Token    | ` {P_CELL_CODE_SPAN} ` |\n"
        f"| Password | {P_CELL_NOTE} (rotated monthly) |\n"
        f"| Password | {P_CELL_WORDS[0]} {P_CELL_WORDS[1]} |\n"
        "| Password | min 8 chars, 1 digit |\n"
        "| API key  | Set in Vault v2 |\n"
        "\n"
        "| User | Password | Role |\n"
        "|---|---|---|\n"
        f"| ci | `{P_CELL_COLUMN}` | deploy |\n"
        "| bob | See 1Password | read |\n",
        (P_CELL_CODE_SPAN, P_CELL_NOTE, *P_CELL_WORDS, *P_CELL_COLUMN.split()),
        (
            "| Password | [REDACTED] (rotated monthly) |",
            "| Password | min 8 chars, 1 digit |",
            "| API key  | Set in Vault v2 |",
            "| bob | See 1Password | read |",
        ),
    ),
]

# A key given to a class's constructor by position, with no name to go by: only a string that
# looks like a credential on its own (32 characters or more, random); hashes, ids and paths stay.
P_CTOR_HEX = fake("", 40, HEX)
P_CTOR_ALNUM = fake("", 32, ALNUM)
P_CTOR_NEW = fake("", 36, URLSAFE)
P_CTOR_FERNET = fake("", 43, URLSAFE) + "="
P_CTOR_AWS_LIKE = fake("", 12, ALNUM) + "/" + fake("", 8, ALNUM) + "/" + fake("", 20, ALNUM)

PROBES += [
    Probe(
        "keys-given-to-constructors",
        f'client = Client("{P_CTOR_HEX}")\n'
        f'stripe = Stripe("{P_CTOR_ALNUM}")\n'
        f"const mail = new MailClient('{P_CTOR_NEW}');\n"
        f'fernet = Fernet(b"{P_CTOR_FERNET}")\n'
        f'signer = sdk.Signer("{P_CTOR_AWS_LIKE}", region="eu-west-1")\n'
        f'head = Commit("{fake("", 40, HEX)}")\n'
        'run = UUID("123e4567-e89b-12d3-a456-426614174000")\n'
        'doc = ObjectId("507f1f77bcf86cd799439011")\n'
        'out = Path("data/2024/01/01/part_0001_abcdefgh.parquet")\n',
        (P_CTOR_HEX, P_CTOR_ALNUM, P_CTOR_NEW, P_CTOR_FERNET, P_CTOR_AWS_LIKE),
        (
            'run = UUID("123e4567-e89b-12d3-a456-426614174000")',
            'doc = ObjectId("507f1f77bcf86cd799439011")',
            'out = Path("data/2024/01/01/part_0001_abcdefgh.parquet")',
        ),
    ),
]

# Short passwords that are words, given to a password's name in the common forms (by name alone:
# a word like these looks like no token).
P_WORDS = ["hunter2", "letmein", "dragon", "monkey", "qwerty", "sunshine", "trustno"]

PROBES += [
    Probe(
        "short-word-passwords",
        f'password = "{P_WORDS[0]}"\n'
        f"DB_PASSWORD={P_WORDS[1]}\n"
        f"export PGPASSWORD={P_WORDS[1]}\n"
        f'  "password": "{P_WORDS[2]}",\n'
        f"  password: {P_WORDS[3]}\n"
        f"spring.datasource.password={P_WORDS[4]}\n"
        f"$config['db_password'] = '{P_WORDS[5]}';\n"
        f"<password>{P_WORDS[6]}</password>\n"
        f"set password {P_WORDS[1]}\n"
        "set password for the user\n"
        "password: changeme\n",
        tuple(P_WORDS),
        ("set password for the user", "password: changeme"),
    ),
]

# `key` alone: a URL's `?key=`, `?code=`, `?appid=`, a dict's `"key": "..."`, when the value alone
# looks like a credential; and a password ending in `!` (read as a Rust macro's name before).
P_QUERY_GOOGLE = fake("", 32, URLSAFE)
P_QUERY_AZURE = fake("", 54, URLSAFE) + "=="
P_QUERY_AZURE_ESCAPED = fake("", 54, URLSAFE) + "%3D%3D"
P_QUERY_APPID = fake("", 32, HEX)
P_DICT_KEY = fake("", 40, ALNUM)
P_BANG_PASSWORD = fake("", 10, ALNUM) + "7!"

PROBES += [
    Probe(
        "key-alone-in-urls-and-dicts",
        f"GEOCODE = 'https://maps.googleapis.com/maps/api/geocode/json?address=x&key={P_QUERY_GOOGLE}'\n"
        f"curl 'https://acme.azurewebsites.net/api/Run?code={P_QUERY_AZURE}'\n"
        f"fetch('https://acme.azurewebsites.net/api/Run?code={P_QUERY_AZURE_ESCAPED}&name=x')\n"
        f"fetch(`https://api.openweathermap.org/data/2.5/weather?q=Oslo&appid={P_QUERY_APPID}`)\n"
        f'requests.get(url, params={{"key": "{P_DICT_KEY}", "q": "Oslo"}})\n'
        f'<add name="Db" connectionString="Server=db;User Id=sa;Password={P_BANG_PASSWORD};" />\n'
        "https://github.com/login/oauth/callback?code=abc123\n"
        'cache = {"key": "user_profile_cache_v2"}\n'
        'upload = {"key": "uploads/2024/05/abcdef123456.png"}\n'
        "let sizes = vec![1, 2];\n",
        (
            P_QUERY_GOOGLE,
            P_QUERY_AZURE,
            P_QUERY_AZURE_ESCAPED,
            P_QUERY_APPID,
            P_DICT_KEY,
            P_BANG_PASSWORD,
        ),
        (
            "https://github.com/login/oauth/callback?code=abc123",
            'cache = {"key": "user_profile_cache_v2"}',
            'upload = {"key": "uploads/2024/05/abcdef123456.png"}',
        ),
    ),
]

# .NET's application settings, as Visual Studio writes them into app.config.
P_DOTNET_SETTING = (fake("", 32, ALNUM), fake("", 16, ALNUM + "!#"))

PROBES += [
    Probe(
        "dotnet-settings",
        "<applicationSettings>\n"
        "  <Acme.Properties.Settings>\n"
        '    <setting name="ApiKey" serializeAs="String">\n'
        f"      <value>{P_DOTNET_SETTING[0]}</value>\n"
        "    </setting>\n"
        '    <setting name="SmtpPassword" serializeAs="String">'
        f"<value>{P_DOTNET_SETTING[1]}</value></setting>\n"
        '    <setting name="Timeout" serializeAs="String">\n'
        "      <value>30</value>\n"
        "    </setting>\n",
        P_DOTNET_SETTING,
        ("      <value>30</value>",),
    ),
]

# A vendor's key in code under a name ending in `key` alone (`STRIPE_KEY`, `mapboxKey`), when the
# string looks like a credential on its own; public, cache and sort keys stay.
P_VENDOR_KEYS = (fake("", 32, ALNUM), fake("", 40, URLSAFE), fake("", 32, HEX))

PROBES += [
    Probe(
        "vendor-keys-in-code",
        f'STRIPE_KEY = "{P_VENDOR_KEYS[0]}"\n'
        f"const mapboxKey = '{P_VENDOR_KEYS[1]}';\n"
        f'  "algoliaKey": "{P_VENDOR_KEYS[2]}",\n'
        f'public_key = "{fake("", 32, ALNUM)}"\n'
        'CACHE_KEY = "user_profile_cache_v2_abcdefghijkl"\n',
        P_VENDOR_KEYS,
        ('CACHE_KEY = "user_profile_cache_v2_abcdefghijkl"',),
    ),
]

# A Kubernetes Secret's data under keys named for no secret: every value of `data:` and
# `stringData:` in a document of `kind: Secret`; a ConfigMap's data stays.
P_K8S_DATA = (_b64(fake("sk_" + "live_", 24)), _b64('{"apiKey": "' + fake("", 32) + '"}'))
P_K8S_STRING_DATA = fake("", 32, URLSAFE)

PROBES += [
    Probe(
        "kubernetes-secret-any-key",
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: payments\n"
        "type: Opaque\n"
        "data:\n"
        f"  STRIPE_KEY: {P_K8S_DATA[0]}\n"
        f"  config.json: {P_K8S_DATA[1]}\n"
        "stringData:\n"
        f"  webhook: {P_K8S_STRING_DATA}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "data:\n"
        "  LOG_LEVEL: debug\n",
        (*P_K8S_DATA, P_K8S_STRING_DATA),
        ("  LOG_LEVEL: debug", "stringData:"),
    ),
]

# `is:` in prose (session 14 found `The password is: hunter2` leaking); a sentence stays.
P_PROSE_IS_COLON = fake("", 7, ALNUM) + "2"
P_PROSE_WAS_COLON = fake("", 20, ALNUM)

PROBES += [
    Probe(
        "secrets-in-prose-after-is-colon",
        f"The password is: {P_PROSE_IS_COLON}\n"
        f"- Your new API token was: `{P_PROSE_WAS_COLON}`\n"
        "The password is: required for every login.\n",
        (P_PROSE_IS_COLON, P_PROSE_WAS_COLON),
        ("The password is: required for every login.",),
    ),
]

# `pw` as a name of its own or a name's last word (session 15: `pw = "..."` leaked, `DB_PW=` not).
P_PW = fake("", 10, ALNUM) + "7"
P_DB_PW = fake("", 12, ALNUM + "!#")
P_PW_DEFAULT = fake("", 9, ALNUM) + "x"

PROBES += [
    Probe(
        "short-password-names",
        f'pw = "{P_PW}"\n'
        f"db_pw = '{P_DB_PW}'\n"
        f'def login(self, user, pw="{P_PW_DEFAULT}"):\n'
        "    pw_len = len(pw)\n"
        "    entry = pwd.getpwnam(user)\n"
        '    pwr = "abc123xyz"\n',
        (P_PW, P_DB_PW, P_PW_DEFAULT),
        ("    pw_len = len(pw)", "    entry = pwd.getpwnam(user)", '    pwr = "abc123xyz"'),
    ),
]

# Make's `:=` and `?=`, and a password among bare `name=value` pairs (libpq's key/value
# connection string, `env` before a command); Go's `:=` and keyword arguments stay code.
P_MAKE_COLON = fake("", 18, ALNUM)
P_MAKE_QUESTION = fake("", 16, ALNUM) + "9"
P_LIBPQ = fake("", 20, ALNUM)
P_ENV_PAIRS = fake("", 14, ALNUM) + "4"

PROBES += [
    Probe(
        "make-variables-and-bare-pairs",
        f"DB_PASSWORD := {P_MAKE_COLON}\n"
        f"API_TOKEN ?= {P_MAKE_QUESTION}\n"
        f"dsn: host=db user=app password={P_LIBPQ} dbname=shop\n"
        f"env USER=deploy PASSWORD={P_ENV_PAIRS} ./release.sh\n"
        "password := readPassword(prompt)\n"
        "token := tok\n"
        "client = connect(user=name, password=secret_from_vault)\n",
        (P_MAKE_COLON, P_MAKE_QUESTION, P_LIBPQ, P_ENV_PAIRS),
        (
            "password := readPassword(prompt)",
            "token := tok",
            "client = connect(user=name, password=secret_from_vault)",
        ),
    ),
]

# Names the vocabulary lacked (session 16: each leaked a random value): `bearer`, a session's,
# a licence's and a webhook's signing key, `jwt` and `hmac` alone, one-time-password seeds and a
# PIN code; names about them (a prefix, an algorithm, a length, a URL, a format) and a hardware
# `pin` stay.
P_BEARER = fake("", 17, ALNUM) + "5"
P_SESSION_KEY = fake("", 16, ALNUM) + "2"
P_JWT_PLAIN = fake("", 17, ALNUM) + "8"
P_HMAC = fake("", 16, ALNUM) + "6"
P_OTP = fake("", 15, ALNUM) + "3"
P_TOTP_SEED = fake("", 16, UPPER)
P_OTP_SEED = fake("", 17, ALNUM) + "1"
P_LICENSE_KEY = fake("", 17, ALNUM) + "4"
P_WEBHOOK_SIGNING = fake("", 16, ALNUM) + "7"
P_PIN_CODE = fake("", 6, string.digits)

PROBES += [
    Probe(
        "names-the-vocabulary-lacked",
        f'bearer = "{P_BEARER}"\n'
        f"session_key = '{P_SESSION_KEY}'\n"
        f'jwt = "{P_JWT_PLAIN}"\n'
        f'hmac = "{P_HMAC}"\n'
        f'otp = "{P_OTP}"\n'
        f"TOTP_SEED={P_TOTP_SEED}\n"
        f'otpSeed: "{P_OTP_SEED}"\n'
        f'license_key = "{P_LICENSE_KEY}"\n'
        f'webhook_signing = "{P_WEBHOOK_SIGNING}"\n'
        f'pin_code = "{P_PIN_CODE}"\n'
        'session_key_prefix = "sess"\n'
        'jwt_algorithm = "HS256"\n'
        "digest = hmac.new(key, msg, hashlib.sha256)\n"
        "otp_length = 6\n"
        "pin = 13\n"
        'license_key_url = "https://example.com/licenses"\n'
        'bearer_format = "JWT"\n',
        (
            P_BEARER,
            P_SESSION_KEY,
            P_JWT_PLAIN,
            P_HMAC,
            P_OTP,
            P_TOTP_SEED,
            P_OTP_SEED,
            P_LICENSE_KEY,
            P_WEBHOOK_SIGNING,
            P_PIN_CODE,
        ),
        (
            'session_key_prefix = "sess"',
            'jwt_algorithm = "HS256"',
            "digest = hmac.new(key, msg, hashlib.sha256)",
            "otp_length = 6",
            "pin = 13",
            'license_key_url = "https://example.com/licenses"',
            'bearer_format = "JWT"',
        ),
    ),
]

# CMake's `set(NAME value)` (session 16: the value, its second argument, leaked), also `SET(`,
# `ENV{...}` and a cache entry; settings whose names are about a secret, and values that are
# references or lists of sources, stay.
P_CMAKE_PASSWORD = fake("", 17, ALNUM) + "3"
P_CMAKE_DB_PASSWORD = fake("", 16, ALNUM) + "8"
P_CMAKE_API_TOKEN = fake("", 18, ALNUM) + "2"
P_CMAKE_ENV_TOKEN = fake("", 16, ALNUM) + "5"

PROBES += [
    Probe(
        "cmake-set",
        f'set(PASSWORD "{P_CMAKE_PASSWORD}")\n'
        f'set(DB_PASSWORD "{P_CMAKE_DB_PASSWORD}" CACHE STRING "database password")\n'
        f"  SET(API_TOKEN {P_CMAKE_API_TOKEN})\n"
        f'set(ENV{{DEPLOY_TOKEN}} "{P_CMAKE_ENV_TOKEN}")\n'
        "set(CMAKE_CXX_STANDARD 17)\n"
        "set(PASSWORD_MIN_LENGTH 8)\n"
        "set(API_TOKEN $ENV{API_TOKEN})\n"
        "set(TOKEN_SOURCES src/token.cpp src/lexer.cpp)\n"
        'set(SECRET_HEADER "${CMAKE_BINARY_DIR}/secret.h")\n',
        (P_CMAKE_PASSWORD, P_CMAKE_DB_PASSWORD, P_CMAKE_API_TOKEN, P_CMAKE_ENV_TOKEN),
        (
            "set(CMAKE_CXX_STANDARD 17)",
            "set(PASSWORD_MIN_LENGTH 8)",
            "set(API_TOKEN $ENV{API_TOKEN})",
            "set(TOKEN_SOURCES src/token.cpp src/lexer.cpp)",
            'set(SECRET_HEADER "${CMAKE_BINARY_DIR}/secret.h")',
        ),
    ),
]

# An HMAC's literal key (session 16: the key given by position leaked): Python's `hmac.new(` and
# `hmac.HMAC(`, pycryptodome's `HMAC.new(`, Node's `crypto.createHmac(alg, key)`, Go's
# `hmac.New(sha256.New, []byte(key))`; a variable, an empty or a short test key stays.
P_HMAC_NEW = fake("", 16, ALNUM) + "4"
P_HMAC_CLASS = fake("", 16, ALNUM) + "9"
P_HMAC_ENCODED = fake("", 17, ALNUM) + "2"
P_HMAC_CRYPTODOME = fake("", 16, ALNUM) + "6"
P_CREATE_HMAC = fake("", 18, ALNUM) + "1"
P_GO_HMAC = fake("", 16, ALNUM) + "7"

PROBES += [
    Probe(
        "hmac-literal-key",
        f'digest = hmac.new(b"{P_HMAC_NEW}", msg, hashlib.sha256).hexdigest()\n'
        f"mac = hmac.HMAC(b'{P_HMAC_CLASS}', msg, hashlib.sha1)\n"
        f'sig = hmac.new("{P_HMAC_ENCODED}".encode(), body, hashlib.sha256)\n'
        f'h = HMAC.new(b"{P_HMAC_CRYPTODOME}", digestmod=SHA256)\n'
        f"const sig = crypto.createHmac('sha256', '{P_CREATE_HMAC}').update(body).digest('hex');\n"
        f'mac := hmac.New(sha256.New, []byte("{P_GO_HMAC}"))\n'
        "digest = hmac.new(key, msg, hashlib.sha256)\n"
        'empty = hmac.new(b"", msg, hashlib.sha256)\n'
        'short = hmac.new(b"key", b"The quick brown fox", hashlib.md5)\n'
        "const h = crypto.createHmac('sha256', secret);\n"
        "mac := hmac.New(sha256.New, []byte(key))\n",
        (P_HMAC_NEW, P_HMAC_CLASS, P_HMAC_ENCODED, P_HMAC_CRYPTODOME, P_CREATE_HMAC, P_GO_HMAC),
        (
            "digest = hmac.new(key, msg, hashlib.sha256)",
            'empty = hmac.new(b"", msg, hashlib.sha256)',
            'short = hmac.new(b"key", b"The quick brown fox", hashlib.md5)',
            "const h = crypto.createHmac('sha256', secret);",
            "mac := hmac.New(sha256.New, []byte(key))",
        ),
    ),
]

# A signature's key or secret (session 16: `signature_key` leaked); a signature itself, its
# header and its version stay.
P_SIGNATURE_KEY = fake("", 17, ALNUM) + "5"
P_SIGNATURE_KEY_CAMEL = fake("", 16, ALNUM) + "3"
P_SIGNATURE_SECRET = fake("", 16, ALNUM) + "8"

PROBES += [
    Probe(
        "signature-key",
        f'signature_key = "{P_SIGNATURE_KEY}"\n'
        f'webhookSignatureKey: "{P_SIGNATURE_KEY_CAMEL}"\n'
        f"SIGNATURE_SECRET={P_SIGNATURE_SECRET}\n"
        'signature = "abc"\n'
        'signature_header = "X-Hub-Signature-256"\n'
        'signature_version = "v4"\n'
        'signature_key_id = "key-2024"\n',
        (P_SIGNATURE_KEY, P_SIGNATURE_KEY_CAMEL, P_SIGNATURE_SECRET),
        (
            'signature = "abc"',
            'signature_header = "X-Hub-Signature-256"',
            'signature_version = "v4"',
            'signature_key_id = "key-2024"',
        ),
    ),
]

# YAML's block sequence under `tokens:` (session 16: its items leaked; `passwords:` and
# `api_keys:` were redacted): an item that looks random, at the name's column too; design tokens,
# a model's special tokens, mappings and words stay.
P_TOKENS_ITEM = fake("", 17, ALNUM) + "6"
P_TOKENS_QUOTED = fake("", 16, ALNUM) + "2"
P_TOKENS_FLUSH = fake("", 16, ALNUM) + "9"

PROBES += [
    Probe(
        "yaml-tokens-sequence",
        f'tokens:\n  - {P_TOKENS_ITEM}\n  - "{P_TOKENS_QUOTED}"\n'
        f"auth:\n  tokens:\n  - {P_TOKENS_FLUSH}  # rotated\n  user: bob\n"
        "tokens:\n  - name: foo\n    type: bar\n"
        'stop_tokens:\n  - "</s>"\n'
        'special_tokens:\n  - "<pad>"\n'
        "keywords:\n  - python\n"
        'tokens:\n  - color-primary\n  - spacing_lg\n  - "<|endoftext|>"\n'
        "tokens:\n- color.primary.500\n- Font-Size-2XL\n",
        (P_TOKENS_ITEM, P_TOKENS_QUOTED, P_TOKENS_FLUSH),
        (
            "  user: bob",
            "  - name: foo\n    type: bar",
            '  - "</s>"',
            '  - "<pad>"',
            "  - python",
            '  - color-primary\n  - spacing_lg\n  - "<|endoftext|>"',
            "- color.primary.500\n- Font-Size-2XL",
        ),
    ),
]

# A YAML block sequence written at its name's column (session 16: `passwords:\n- ...` leaked,
# the indented form was redacted); a Compose file's list of secrets' names stays.
P_FLUSH_PASSWORD = fake("", 16, ALNUM) + "4"
P_FLUSH_SECRET = fake("", 17, ALNUM) + "1"
P_FLUSH_API_KEY = fake("", 16, ALNUM) + "7"

PROBES += [
    Probe(
        "yaml-sequence-at-the-names-column",
        f"passwords:\n- {P_FLUSH_PASSWORD}\n"
        f'secrets:\n- "{P_FLUSH_SECRET}"\n'
        f"api_keys:\n- {P_FLUSH_API_KEY}\n"
        "services:\n  web:\n    secrets:\n    - db_password\n    image: nginx:1.25\n",
        (P_FLUSH_PASSWORD, P_FLUSH_SECRET, P_FLUSH_API_KEY),
        ("    - db_password\n    image: nginx:1.25",),
    ),
]

# A cipher's literal key (session 16: the key given to the constructor leaked): pycryptodome's
# `AES.new(b"...", mode)` and its other ciphers (`key=` too), `cryptography`'s
# `algorithms.AES(b"...")` and AEAD classes, Node's `createCipheriv(alg, "...", iv)` (not the IV),
# Go's `aes.NewCipher([]byte("..."))`; a variable, an IV or a nonce stays.
P_AES_NEW = fake("", 16, ALNUM) + "3"
P_DES3_NEW = fake("", 23, ALNUM) + "5"
P_CHACHA_KEYWORD = fake("", 31, ALNUM) + "8"
P_ARC4_NEW = fake("", 16, ALNUM) + "2"
P_ALGORITHMS_AES = fake("", 16, ALNUM) + "0"
P_AESGCM = fake("", 16, ALNUM) + "6"
P_CHACHA_POLY = fake("", 31, ALNUM) + "4"
P_CREATE_CIPHER = fake("", 31, ALNUM) + "7"
P_CREATE_DECIPHER = fake("", 31, ALNUM) + "1"
P_GO_CIPHER = fake("", 16, ALNUM) + "9"

PROBES += [
    Probe(
        "cipher-literal-key",
        f'cipher = AES.new(b"{P_AES_NEW}", AES.MODE_GCM)\n'
        f"cipher = DES3.new(b'{P_DES3_NEW}', DES3.MODE_CBC, iv=iv)\n"
        f'cipher = ChaCha20.new(key=b"{P_CHACHA_KEYWORD}", nonce=nonce)\n'
        f'cipher = ARC4.new("{P_ARC4_NEW}".encode())\n'
        f'cipher = Cipher(algorithms.AES(b"{P_ALGORITHMS_AES}"), modes.GCM(iv))\n'
        f'aead = AESGCM(b"{P_AESGCM}")\n'
        f'aead = ChaCha20Poly1305(b"{P_CHACHA_POLY}")\n'
        f"const c = crypto.createCipheriv('aes-256-gcm', '{P_CREATE_CIPHER}', iv);\n"
        f'const d = crypto.createDecipheriv("aes-256-cbc", "{P_CREATE_DECIPHER}", iv);\n'
        f'block, err := aes.NewCipher([]byte("{P_GO_CIPHER}"))\n'
        "cipher = AES.new(key, AES.MODE_GCM)\n"
        'cipher = AES.new(key, AES.MODE_CBC, iv=b"0123456789abcdef")\n'
        'cipher = ChaCha20.new(key=key, nonce=b"0123456789ab")\n'
        'const e = crypto.createCipheriv(alg, key, "0123456789abcdef");\n'
        "block, err := aes.NewCipher(key)\n"
        'aead = AESGCM(b"")\n',
        (
            P_AES_NEW,
            P_DES3_NEW,
            P_CHACHA_KEYWORD,
            P_ARC4_NEW,
            P_ALGORITHMS_AES,
            P_AESGCM,
            P_CHACHA_POLY,
            P_CREATE_CIPHER,
            P_CREATE_DECIPHER,
            P_GO_CIPHER,
        ),
        (
            "cipher = AES.new(key, AES.MODE_GCM)",
            'cipher = AES.new(key, AES.MODE_CBC, iv=b"0123456789abcdef")',
            'cipher = ChaCha20.new(key=key, nonce=b"0123456789ab")',
            'const e = crypto.createCipheriv(alg, key, "0123456789abcdef");',
            "block, err := aes.NewCipher(key)",
            'aead = AESGCM(b"")',
        ),
    ),
]

# A password given to a check or a hash (session 16: leaked): Django's `check_password("...", h)`
# and `make_password("...")`, `verify_password(`, Werkzeug's `check_password_hash(h, "...")`,
# `bcrypt.checkpw(b"...", h)` and `hashpw(`, Node's `bcrypt.compare(`, passlib's
# `pwd_context.verify("...", h)` and `.hash(`; any length, as `set_password("...")`: a variable,
# the stored hash and a generic `context.hash(data)` stay.
P_CHECK_PASSWORD = fake("", 11, ALNUM) + "3"
P_VERIFY_PASSWORD = fake("", 9, ALNUM) + "!"
P_MAKE_PASSWORD = fake("", 12, ALNUM) + "5"
P_PASSWORD_HASH = fake("", 10, ALNUM) + "8"
P_CHECKPW = fake("", 13, ALNUM) + "0"
P_HASHPW = fake("", 14, ALNUM) + "2"
P_BCRYPT_COMPARE = fake("", 10, ALNUM) + "6"
P_PWD_VERIFY = fake("", 12, ALNUM) + "9"
P_PWD_HASH = fake("", 11, ALNUM) + "4"
P_SHORT_CHECK = "hunter2"

PROBES += [
    Probe(
        "password-check-literal",
        f'self.assertTrue(user.check_password("{P_CHECK_PASSWORD}"))\n'
        f"assert verify_password('{P_VERIFY_PASSWORD}', user.hashed_password)\n"
        f'user = User(name="ann", password=make_password("{P_MAKE_PASSWORD}"))\n'
        f'ok = check_password_hash(user.pw_hash, "{P_PASSWORD_HASH}")\n'
        f'assert bcrypt.checkpw(b"{P_CHECKPW}", hashed)\n'
        f'hashed = bcrypt.hashpw(b"{P_HASHPW}", bcrypt.gensalt())\n'
        f"const ok = await bcrypt.compare('{P_BCRYPT_COMPARE}', user.hash);\n"
        f'assert pwd_context.verify("{P_PWD_VERIFY}", stored)\n'
        f'stored = pwd_context.hash("{P_PWD_HASH}")\n'
        f'assert user.check_password("{P_SHORT_CHECK}")\n'
        "ok = check_password(password, user.password)\n"
        'ok = check_password(password, "pbkdf2_sha256$260000$abc$def")\n'
        "digest = context.hash(data)\n"
        'digest = hasher.hash("some-data-to-hash")\n'
        "assert bcrypt.checkpw(password.encode(), hashed)\n",
        (
            P_CHECK_PASSWORD,
            P_VERIFY_PASSWORD,
            P_MAKE_PASSWORD,
            P_PASSWORD_HASH,
            P_CHECKPW,
            P_HASHPW,
            P_BCRYPT_COMPARE,
            P_PWD_VERIFY,
            P_PWD_HASH,
            P_SHORT_CHECK,
        ),
        (
            "ok = check_password(password, user.password)",
            'ok = check_password(password, "pbkdf2_sha256$260000$abc$def")',
            "digest = context.hash(data)",
            'digest = hasher.hash("some-data-to-hash")',
            "assert bcrypt.checkpw(password.encode(), hashed)",
        ),
    ),
]

# MySQL's `IDENTIFIED WITH <plugin> BY '...'` (session 16: leaked; `IDENTIFIED BY` was caught), in
# CREATE USER and ALTER USER, the plugin's name quoted or not: a plugin alone (`auth_socket`)
# stays.
P_SQL_WITH_PLUGIN = fake("", 15, ALNUM) + "1"
P_SQL_ALTER_PLUGIN = fake("", 13, ALNUM) + "7"
P_SQL_QUOTED_PLUGIN = fake("", 12, ALNUM) + "3"

PROBES += [
    Probe(
        "sql-identified-with-plugin",
        "CREATE USER 'app'@'%' IDENTIFIED WITH mysql_native_password "
        f"BY '{P_SQL_WITH_PLUGIN}';\n"
        "ALTER USER 'root'@'localhost' IDENTIFIED WITH caching_sha2_password "
        f'BY "{P_SQL_ALTER_PLUGIN}";\n'
        "create user 'ro'@'%' identified with 'sha256_password' "
        f"by '{P_SQL_QUOTED_PLUGIN}';\n"
        "CREATE USER 'sock'@'localhost' IDENTIFIED WITH auth_socket;\n"
        "ALTER USER 'u'@'%' IDENTIFIED WITH caching_sha2_password BY RANDOM PASSWORD;\n",
        (P_SQL_WITH_PLUGIN, P_SQL_ALTER_PLUGIN, P_SQL_QUOTED_PLUGIN),
        (
            "CREATE USER 'sock'@'localhost' IDENTIFIED WITH auth_socket;",
            "ALTER USER 'u'@'%' IDENTIFIED WITH caching_sha2_password BY RANDOM PASSWORD;",
        ),
    ),
]

# An LDAP bind's password (session 16: leaked): python-ldap's `simple_bind_s(dn, "...")`,
# `simple_bind(`, `bind_s(dn, "...", method)`, PHP's `ldap_bind($conn, $dn, "...")`; a socket's
# `.bind((host, port))`, a variable and an anonymous bind stay.
P_LDAP_SIMPLE_BIND_S = fake("", 15, ALNUM) + "2"
P_LDAP_SIMPLE_BIND = fake("", 11, ALNUM) + "6"
P_LDAP_BIND_S = fake("", 13, ALNUM) + "9"
P_LDAP_PHP = fake("", 12, ALNUM) + "4"

PROBES += [
    Probe(
        "ldap-bind-literal",
        f'conn.simple_bind_s("cn=admin,dc=example,dc=org", "{P_LDAP_SIMPLE_BIND_S}")\n'
        f"msgid = l.simple_bind('cn=reader,ou=svc,dc=x', '{P_LDAP_SIMPLE_BIND}')\n"
        f'ldap_conn.bind_s(dn, "{P_LDAP_BIND_S}", ldap.AUTH_SIMPLE)\n'
        f'$ok = ldap_bind($ds, "cn=root,dc=example,dc=com", "{P_LDAP_PHP}");\n'
        'sock.bind(("0.0.0.0", 80))\n'
        "sock.bind((host, port))\n"
        "conn.simple_bind_s(dn, password)\n"
        'conn.simple_bind_s("", "")\n'
        "$ok = ldap_bind($ds, $dn, $password);\n",
        (P_LDAP_SIMPLE_BIND_S, P_LDAP_SIMPLE_BIND, P_LDAP_BIND_S, P_LDAP_PHP),
        (
            'sock.bind(("0.0.0.0", 80))',
            "sock.bind((host, port))",
            "conn.simple_bind_s(dn, password)",
            'conn.simple_bind_s("", "")',
            "$ok = ldap_bind($ds, $dn, $password);",
        ),
    ),
]

# A key's passphrase on ssh-keygen's command line (session 16: leaked): `-N` (the new one) and
# `-P` (the old one), only after ssh-keygen; a token given to `gh auth login --with-token` or to
# `docker login --password-stdin` by a here-string (`<<< ...`). An empty passphrase (`-N ""`), a
# variable and a file redirected in stay.
P_SSH_NEW = fake("", 13, ALNUM) + "5"
P_SSH_OLD = fake("", 11, ALNUM) + "8"
P_SSH_NEW_QUOTED = fake("", 12, ALNUM) + "0"
P_GH_HERE = fake("", 38, ALNUM)
P_GH_HERE_QUOTED = fake("", 36, ALNUM)
P_DOCKER_HERE = fake("", 20, ALNUM) + "3"
P_SSH_ITEM = fake("", 14, ALNUM) + "6"

PROBES += [
    Probe(
        "ssh-keygen-passphrase-and-here-strings",
        f'ssh-keygen -t ed25519 -C "deploy@ci" -N {P_SSH_NEW} -f ~/.ssh/id_deploy\n'
        f"ssh-keygen -p -f ~/.ssh/id_rsa -P '{P_SSH_OLD}' -N \"{P_SSH_NEW_QUOTED}\"\n"
        f"gh auth login --with-token <<< {P_GH_HERE}\n"
        f'gh auth login --hostname ghe.example.com --with-token <<< "{P_GH_HERE_QUOTED}"\n'
        f"docker login -u ci --password-stdin <<< '{P_DOCKER_HERE}'\n"
        'ssh-keygen -t ed25519 -N "" -f key\n'
        "ssh-keygen -t rsa -b 4096 -N '' -f /tmp/k -q\n"
        'ssh-keygen -t ed25519 -N "$KEY_PASSPHRASE" -f key\n'
        "gh auth login --with-token < token.txt\n"
        'gh auth login --with-token <<< "$GH_TOKEN"\n'
        "gh auth login --with-token <<< $(cat ~/.gh_token)\n"
        "iptables -N LOGGING\n"
        "wget -N https://example.com/file.tar.gz\n"
        f'subprocess.run(["ssh-keygen", "-N", "{P_SSH_ITEM}", "-f", path], check=True)\n'
        'subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-f", path])\n'
        'subprocess.run(["ssh-keygen", "-N", passphrase, "-f", path])\n'
        'subprocess.run(["sshpass", "-p", pw, "ssh", host])\n'
        "`gh auth login --with-token <<< ...`, `docker login --password-stdin <<< ...`\n",
        (
            P_SSH_NEW,
            P_SSH_OLD,
            P_SSH_NEW_QUOTED,
            P_GH_HERE,
            P_GH_HERE_QUOTED,
            P_DOCKER_HERE,
            P_SSH_ITEM,
        ),
        (
            'ssh-keygen -t ed25519 -N "" -f key',
            "ssh-keygen -t rsa -b 4096 -N '' -f /tmp/k -q",
            'ssh-keygen -t ed25519 -N "$KEY_PASSPHRASE" -f key',
            "gh auth login --with-token < token.txt",
            'gh auth login --with-token <<< "$GH_TOKEN"',
            "gh auth login --with-token <<< $(cat ~/.gh_token)",
            "iptables -N LOGGING",
            "wget -N https://example.com/file.tar.gz",
            'subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-f", path])',
            'subprocess.run(["ssh-keygen", "-N", passphrase, "-f", path])',
            'subprocess.run(["sshpass", "-p", pw, "ssh", host])',
            "`gh auth login --with-token <<< ...`, `docker login --password-stdin <<< ...`",
        ),
    ),
]

# Redis' `AUTH password` and the ACL form `AUTH user password` as a command (session 16: leaked):
# at a line's start (a .redis script), after redis-cli's prompt or after `redis-cli` on its
# line; the password the last word, looking like one. Prose (`AUTH is required`, `AUTH failed`)
# and a variable stay.
P_REDIS_AUTH = fake("", 15, ALNUM) + "4"
P_REDIS_ACL = fake("", 17, ALNUM) + "1"
P_REDIS_CLI = fake("", 14, ALNUM) + "7"
P_REDIS_PROMPT = fake("", 10, ALNUM) + "2"

PROBES += [
    Probe(
        "redis-auth-command",
        f"AUTH {P_REDIS_AUTH}\n"
        "SELECT 2\n"
        f"AUTH default {P_REDIS_ACL}\n"
        f"redis-cli -h cache.internal AUTH {P_REDIS_CLI}\n"
        f"127.0.0.1:6379> auth {P_REDIS_PROMPT}\n"
        "AUTH is required before any other command.\n"
        "AUTH failed\n"
        "AUTH $REDIS_PASSWORD\n"
        "AUTH <password>\n"
        "(error) NOAUTH Authentication required.\n"
        "auth required pam_unix.so\n",
        (P_REDIS_AUTH, P_REDIS_ACL, P_REDIS_CLI, P_REDIS_PROMPT),
        (
            "AUTH is required before any other command.",
            "AUTH failed",
            "AUTH $REDIS_PASSWORD",
            "AUTH <password>",
            "auth required pam_unix.so",
        ),
    ),
]

# A hard-coded salt or pepper (session 17: leaked): `salt = "..."`, `SALT = "..."`, `pepper`,
# `PASSWORD_PEPPER`, `hashSalt`, `"salt": "..."`, when the value looks random. A word, a
# variable, a call and a short or generated salt stay.
P_SALT = fake("", 15, ALNUM) + "3"
P_SALT_UPPER = fake("", 19, ALNUM) + "8"
P_PEPPER = fake("", 13, ALNUM) + "1"
P_PEPPER_NAMED = fake("", 21, ALNUM) + "6"
P_SALT_CAMEL = fake("", 14, ALNUM) + "0"
P_SALT_JSON = fake("", 17, ALNUM) + "5"

PROBES += [
    Probe(
        "salt-and-pepper",
        f'salt = "{P_SALT}"\n'
        f"SALT = b'{P_SALT_UPPER}'\n"
        f'pepper = "{P_PEPPER}"\n'
        f'PASSWORD_PEPPER = "{P_PEPPER_NAMED}"\n'
        f'private static final String hashSalt = "{P_SALT_CAMEL}";\n'
        f'{{"salt": "{P_SALT_JSON}", "rounds": 12}}\n'
        "salt = os.urandom(16)\n"
        'salt = "sea"\n'
        "SALT = bcrypt.gensalt(rounds=12)\n"
        'basalt = "volcanic_rock_2024x"\n'
        'salt = "user_salt_prefix"\n',
        (P_SALT, P_SALT_UPPER, P_PEPPER, P_PEPPER_NAMED, P_SALT_CAMEL, P_SALT_JSON),
        (
            "salt = os.urandom(16)",
            'salt = "sea"',
            "SALT = bcrypt.gensalt(rounds=12)",
            'basalt = "volcanic_rock_2024x"',
            'salt = "user_salt_prefix"',
        ),
    ),
]

# A secret concatenated after a string that ends with its name and `=` or `: ` (session 17:
# leaked): `"token=" + "..."`, a URL's `?api_key=" + "..."`, PHP's `'password=' . '...'`. A
# variable, an empty string, the query's next name and a placeholder stay.
P_CONCAT_TOKEN = fake("", 15, ALNUM) + "2"
P_CONCAT_URL = fake("", 24, ALNUM) + "7"
P_CONCAT_SINGLE = fake("", 11, ALNUM) + "4"
P_CONCAT_COLON = fake("", 13, ALNUM) + "9"
P_CONCAT_PHP = fake("", 12, ALNUM) + "1"

PROBES += [
    Probe(
        "secret-concatenated-after-its-name",
        f'print("token=" + "{P_CONCAT_TOKEN}")\n'
        f'url = "https://x.example.com/api?api_key=" + "{P_CONCAT_URL}"\n'
        f"body = \"user=admin&password=\" + '{P_CONCAT_SINGLE}'\n"
        f'header = "X-Api-Key: " + "{P_CONCAT_COLON}"\n'
        f"$q = 'secret=' . '{P_CONCAT_PHP}';\n"
        'url = "https://x/api?token=" + token + "&page=" + "2"\n'
        'print("password=" + password)\n'
        'query = "api_key=" + "" + key\n'
        'q = "token=" + "&next=1"\n'
        'q = "token=" + "<your-token>"\n',
        (P_CONCAT_TOKEN, P_CONCAT_URL, P_CONCAT_SINGLE, P_CONCAT_COLON, P_CONCAT_PHP),
        (
            'url = "https://x/api?token=" + token + "&page=" + "2"',
            'print("password=" + password)',
            'query = "api_key=" + "" + key',
            'q = "token=" + "&next=1"',
            'q = "token=" + "<your-token>"',
        ),
    ),
]

# A config line of two or three words, a secret's name and a random-looking value (session 17:
# leaked): `apikey ...`, `api_key ...`, `secret ...`, collectd's and Apache's `Password "..."`,
# nginx's `auth_token ...;`. Prose, a word-like value, a type and a column stay.
P_SPACED_APIKEY = fake("", 31, ALNUM) + "5"
P_SPACED_API_KEY = fake("", 23, ALNUM) + "0"
P_SPACED_SECRET = fake("", 15, ALNUM) + "8"
P_SPACED_QUOTED = fake("", 13, ALNUM) + "2"
P_SPACED_NGINX = fake("", 19, ALNUM) + "6"
P_SPACED_TWO_WORDS = fake("", 27, ALNUM) + "3"

PROBES += [
    Probe(
        "spaced-config-secret",
        f"apikey {P_SPACED_APIKEY}\n"
        f"api_key\t{P_SPACED_API_KEY}\n"
        f"secret {P_SPACED_SECRET}\n"
        "<Plugin write_http>\n"
        f'  Password "{P_SPACED_QUOTED}"\n'
        "</Plugin>\n"
        f"    auth_token {P_SPACED_NGINX};\n"
        f"api key {P_SPACED_TWO_WORDS}\n"
        "password reset flow\n"
        "token expired\n"
        "secret sauce2024\n"
        "Token     oauth2.TokenSource\n"
        "password VARCHAR(255) NOT NULL,\n"
        "api_key max_tokens_2024\n",
        (
            P_SPACED_APIKEY,
            P_SPACED_API_KEY,
            P_SPACED_SECRET,
            P_SPACED_QUOTED,
            P_SPACED_NGINX,
            P_SPACED_TWO_WORDS,
        ),
        (
            "password reset flow",
            "token expired",
            "secret sauce2024",
            "Token     oauth2.TokenSource",
            "password VARCHAR(255) NOT NULL,",
            "api_key max_tokens_2024",
        ),
    ),
]

# A secret after a comment naming it (session 17: leaked): `// token ...`, `# api key ...`,
# `-- password ...`, `; secret ...`, when the value looks random. A comment's prose stays.
P_COMMENT_SLASHES = fake("", 17, ALNUM) + "9"
P_COMMENT_HASH = fake("", 21, ALNUM) + "1"
P_COMMENT_SQL = fake("", 14, ALNUM) + "4"
P_COMMENT_INI = fake("", 16, ALNUM) + "7"

PROBES += [
    Probe(
        "comment-names-a-secret",
        f"// token {P_COMMENT_SLASHES}\n"
        f"# api key {P_COMMENT_HASH}\n"
        f"-- password {P_COMMENT_SQL}\n"
        f"; secret {P_COMMENT_INI}\n"
        "// token expired\n"
        "# api key rotation\n"
        "-- password hashing uses bcrypt\n"
        "// token refreshTokenCache2\n",
        (P_COMMENT_SLASHES, P_COMMENT_HASH, P_COMMENT_SQL, P_COMMENT_INI),
        (
            "// token expired",
            "# api key rotation",
            "-- password hashing uses bcrypt",
            "// token refreshTokenCache2",
        ),
    ),
]
