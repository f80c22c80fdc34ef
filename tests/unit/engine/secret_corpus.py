"""Fake secrets in the formats providers issue, inside the files they are found in, and ordinary
code that must come through redaction untouched.

Every secret is generated here from a fixed seed: right prefix, length and alphabet, random body.
None is real, and no whole token is written in this file, so secret scanners have nothing to find.
"""

from __future__ import annotations

import base64
import random
import string
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
]
