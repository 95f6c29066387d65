"""SECRET, second round (issue 11): provider formats, the syntaxes of pasted files, and the
stand-ins of documentation that must stay unflagged.

Every value is generated here, at random, in the shape the provider documents (prefix, length,
alphabet); none is taken from another project's tests. Each text must come out holding exactly
the secret's span after overlap resolution, as the detector reports it.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from collections.abc import Callable

import pytest

from privacy_guard.detect.merge import resolve_overlaps
from privacy_guard.detect.recognizers.secrets import RECOGNIZERS

RNG = random.Random(1_104_2026)
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


@pytest.fixture(autouse=True)
def _seeded_per_test(request: pytest.FixtureRequest) -> None:
    """The same values for a test however the run is selected or ordered (`-k`, `-x`)."""
    RNG.seed(request.node.name)


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def a_uuid() -> str:
    return str(uuid.UUID(int=RNG.getrandbits(128), version=4))


def found(text: str) -> list[str]:
    spans = [s for r in RECOGNIZERS for s in r.find(text, "en")]
    return [text[s.start : s.end] for s in resolve_overlaps(spans)]


def assert_only(text: str, *secrets: str) -> None:
    assert found(text) == list(secrets), text


def assert_none(text: str) -> None:
    assert found(text) == [], text


# ------------------------------------------------------------------ documented token formats


def azure_client_secret() -> str:
    # Entra ID client secrets: 40 characters, `Q~` after three characters and a digit.
    return rand(3) + RNG.choice(string.digits) + "Q~" + rand(34, ALNUM + "_~.-")


def sourcegraph() -> str:
    body = rand(40, HEX)
    return RNG.choice(["sgp_", f"sgp_{rand(16, HEX)}_", "sgp_local_"]) + body


def onepassword_secret_key() -> str:
    # A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX, from the Emergency Kit.
    groups = [rand(6, UPPER_DIGITS) for _ in range(2)] + [rand(5, UPPER_DIGITS) for _ in range(4)]
    return "A3-" + "-".join(groups)


def onepassword_service_account() -> str:
    # `ops_` + base64 of a JSON document (sign-in address, user, keys).
    doc = {
        "signInAddress": "my.1password.eu",
        "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000,
                     "salt": rand(22)},
        "email": f"{rand(12).lower()}@1passwordserviceaccounts.eu",
        "srpX": rand(64, HEX),
        "muk": {"alg": "A256GCM", "ext": True, "k": rand(43), "key_ops": ["encrypt", "decrypt"],
                "kty": "oct", "kid": "mp"},
        "secretKey": onepassword_secret_key(),
        "throttleSecret": {"seed": rand(64, HEX), "uuid": rand(26, UPPER_DIGITS)},
        "deviceUuid": rand(26, string.ascii_lowercase + string.digits),
    }  # fmt: skip
    return "ops_" + base64.b64encode(json.dumps(doc).encode()).decode().rstrip("=")


def facebook_app_token() -> str:
    # Graph API app access token: `{app-id}|{app-secret}`.
    return str(RNG.randrange(10**14, 10**15) * 10 + 1) + "|" + rand(32, HEX)


def facebook_page_token() -> str:
    return RNG.choice(["EAAC", "EAAM"]) + rand(RNG.randint(150, 220))


def easypost() -> str:
    return RNG.choice(["EZAK", "EZTK"]) + rand(54, string.ascii_lowercase + string.digits)


def bedrock_long_term() -> str:
    # ABSK + base64 of "BedrockAPIKey-<id>-at-<account>:<secret>".
    raw = f"BedrockAPIKey-{rand(4).lower()}-at-{RNG.randrange(10**11, 10**12)}:{rand(60, B64)}"
    return "ABSK" + base64.b64encode(raw.encode()).decode()


def bedrock_short_term() -> str:
    # bedrock-api-key- + base64 of a presigned bedrock.amazonaws.com URL.
    url = (
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=ASIA{rand(16, UPPER_DIGITS)}%2F20261204%2Feu-central-2%2Fbedrock"
        f"%2Faws4_request&X-Amz-Date=20261204T091500Z&X-Amz-Expires=43200"
        f"&X-Amz-Security-Token={rand(300, B64)}&X-Amz-Signature={rand(64, HEX)}&Version=1"
    )
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


def slack_webhook_path() -> str:
    return f"hooks.slack.com/services/T{rand(8, UPPER_DIGITS)}/B{rand(10, UPPER_DIGITS)}/{rand(24)}"


def heroku_v2() -> str:
    return "HRKU-AA" + rand(58, ALNUM + "_-")


def plaid_access_token() -> str:
    return f"access-{RNG.choice(['sandbox', 'production'])}-{a_uuid()}"


FAMILIES: list[tuple[str, Callable[[], str]]] = [
    ("HEROKU_API_KEY={}", a_uuid),
    ("Heroku API key: {}", a_uuid),
    ("export HEROKU_API_KEY={}", heroku_v2),
    ("SNYK_TOKEN: {}", a_uuid),
    ("snyk_api_key = '{}'", a_uuid),
    ("HUBSPOT_API_KEY={}", a_uuid),
    ("plaid client -> {}", plaid_access_token),
    ("AZURE_CLIENT_SECRET={}", azure_client_secret),
    ('"clientSecret": "{}"', azure_client_secret),
    ("az ad sp credential reset gave me {} - is it safe to share?", azure_client_secret),
    ("SRC_ACCESS_TOKEN={}", sourcegraph),
    ("my sourcegraph token is {}", sourcegraph),
    ("1Password secret key: {}", onepassword_secret_key),
    ("OP_SERVICE_ACCOUNT_TOKEN={}", onepassword_service_account),
    ("fb = FacebookAdsApi.init(access_token='{}')", facebook_page_token),
    ("facebook app token {}", facebook_app_token),
    ("FACEBOOK_APP_SECRET={}", lambda: rand(32, HEX)),
    ("EasyPost::Client.new(api_key: '{}')", easypost),
    ("SONAR_TOKEN={}", lambda: RNG.choice(["squ_", "sqp_", "sqa_"]) + rand(40, HEX)),
    ("sonar.login={}", lambda: rand(40, HEX)),
    ("AWS_BEARER_TOKEN_BEDROCK={}", bedrock_long_term),
    ("AWS_BEARER_TOKEN_BEDROCK={}", bedrock_short_term),
    ("post alerts to {} from the cron job", slack_webhook_path),
    ("webhook_url: {}", slack_webhook_path),
]


@pytest.mark.parametrize(("template", "make"), FAMILIES)
def test_provider_families_named_in_issue_11(template: str, make: Callable[[], str]) -> None:
    for _ in range(5):
        secret = make()
        assert_only(template.format(secret), secret)


# ------------------------------------------------------------------ Kubernetes Secret manifests


def b64(n: int) -> str:
    return base64.b64encode(RNG.randbytes(n)).decode()


def test_kubernetes_secret_yaml_every_value_under_data_and_string_data() -> None:
    user, password, cert = b64(6), b64(18), b64(700)
    plain = rand(20)
    wrapped = "\n".join("    " + cert[i : i + 76] for i in range(0, len(cert), 76))
    text = (
        "kubectl get secret db -o yaml gives:\n"
        "apiVersion: v1\n"
        "data:\n"
        f"  username: {user}\n"
        f'  password: "{password}"\n'
        "  tls.crt: |\n"
        f"{wrapped}\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: db\n"
        "stringData:\n"
        f"  api-token: {plain}\n"
        "type: Opaque\n"
    )
    first_line = wrapped.strip().split("\n")[0]
    got = found(text)
    assert got[:2] == [user, password]
    assert got[2].startswith(first_line.strip()) and got[2].endswith(cert[-20:])
    assert got[3:] == [plain]


def test_kubernetes_secret_json_output() -> None:
    token, ca = b64(30), b64(40)
    text = json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sa"},
         "data": {"token": token, "ca.crt": ca}, "type": "Opaque"},
        indent=2,
    )  # fmt: skip
    assert_only(text, token, ca)


def test_kubernetes_config_maps_and_helm_templates_are_not_secrets() -> None:
    assert_none(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n  REPLICAS: dGhyZWU=\n"
    )
    assert_none(
        "apiVersion: v1\nkind: Secret\ndata:\n"
        '  password: {{ .Values.db.password | b64enc }}\n  token: ""\n'
    )
    # Only the Secret document of a multi-document file counts.
    value = b64(12)
    text = (
        f"kind: ConfigMap\ndata:\n  mode: Y2x1c3Rlcg==\n---\nkind: Secret\ndata:\n  key: {value}\n"
    )
    assert_only(text, value)


# ----------------------------------------------------------------------- pasted file syntaxes

SYNTAXES = [
    '<?php\n$pass .= "{}";',
    "<?php $config['db_password'] = '{}';",
    "<?php define('DB_PASSWORD', '{}');",
    "<password>\n    {}\n</password>",
    '<credentials>\n  <user>app</user>\n  <password type="plain">\n    {}\n  </password>\n'
    "</credentials>",
    '<add key="ClientSecret"\n     value="{}" />',
    '<property name="password">\n  <value>{}</value>\n</property>',
    '{{"config": "[db]\\nhost=db1\\npassword={}\\nport=5432"}}',
    '{{"env": "API_TOKEN={}\\nDEBUG=1"}}',
    '"{{\\"password\\": \\"{}\\"}}"',
    'log: "user=svc\\tpassword={}\\tstatus=ok"',
    'var apiKey string = "{}"',
    'const dbPassword = "{}"',
    "DB_PASSWORD ?= {}",
    "API_TOKEN := {}",
    "API_TOKEN := $(shell echo {})",
    "REGISTRY_PASSWORD != echo {}",
    "database:\n  host: db1\n  password: {}\n",
    "env:\n  - name: DB_PASSWORD\n    value: {}\n",
    "[database]\nuser = app\npassword = {}\n",
    "[client]\npassword={}\n",
    "DB_PASSWORD={}",
    "export API_TOKEN={}",
    "ENV DB_PASSWORD {}",
    "mysql -u root --password {} shop",
    "mysql -uroot -p{} shop",
    "psql --password={}",
    "docker login -u deploy -p {} registry.example.org",
    "redis-cli -h cache -a {} ping",
    "./deploy --api-key {} --region eu",
]


@pytest.mark.parametrize("template", SYNTAXES)
def test_secret_values_in_every_syntax_a_pasted_file_uses(template: str) -> None:
    for _ in range(3):
        secret = rand(6) + RNG.choice(string.digits) + rand(RNG.randint(8, 20))
        assert_only(template.format(secret), secret)


# ----------------------------------------------------------------- placeholders and examples

PLACEHOLDERS = [
    "password: xxx",
    "DB_PASSWORD=xxxxxxxx",
    "password = changeme",
    "POSTGRES_PASSWORD=changeme",
    "keystorePassword=changeit",
    "curl -u test:test https://api.example.org/v1/items",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    'OPENAI_API_KEY="sk-...your-key..."',
    "export OPENAI_API_KEY=sk-your-key-here",
    "Authorization: Bearer <your-token>",
    "api_key: <your-token>",
    "password=${DB_PASSWORD}",
    "SONAR_TOKEN=${{ secrets.SONAR_TOKEN }}",
    "HEROKU_API_KEY=$HEROKU_API_KEY",
    "AZURE_CLIENT_SECRET=<client-secret>",
    "token: '{{ vault_token }}'",
    "<password>${env.DB_PASSWORD}</password>",
    "mysql -u root -p$MYSQL_ROOT_PASSWORD",
    "docker login -u user -p $REGISTRY_TOKEN",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_and_documentation_examples_stay_unflagged(text: str) -> None:
    assert_none(text)


CLEAN_CODE = [
    "const keyboardLayout = 'qwertz-swiss-german';",
    'api_version = "2024-06-01"',
    'token_type = "bearer"',
    'cache_key = f"user:{user_id}:profile"',
    "access_token_url = 'https://oauth.example.org/token'",
    "In Sourcegraph, commit 3f9c2d5e8a7b6c4d3e2f1a0b9c8d7e6f5a4b3c2d broke the search.",
    'SNYK_ORG_ID = "acme-platform"',
    "facebook_page_id = 104857392011234",
    "The Heroku app heroku-demo-7f3a is on the eco dynos.",
    "ChangeToken: 6f1c0b55-3c1d-4e6f-9a8e-2b7d1c4e5f60",
    "sha256 of the secret file: " + "9" * 8 + "c0ffee" * 9 + "ab",
]


@pytest.mark.parametrize("text", CLEAN_CODE)
def test_code_and_prose_that_only_mention_providers_stay_unflagged(text: str) -> None:
    assert_none(text)


def test_random_looking_values_next_to_stand_ins_are_still_flagged() -> None:
    secret = rand(24)
    assert_only(f"# DB_PASSWORD=changeme in the docs, but prod uses\nDB_PASSWORD={secret}", secret)


def test_the_detector_reports_rule_set_findings_at_original_offsets() -> None:
    from privacy_guard.detect import Detector
    from privacy_guard.detect.config import DetectorConfig

    token = sourcegraph()
    hook = slack_webhook_path()
    # A zero-width space and full-width letters before the values: the detector scans a
    # normalised copy and must map both findings back onto this exact text.
    text = f"Ｚoé\u200b a collé SRC_ACCESS_TOKEN={token} et le webhook {hook} dans le ticket."
    findings = Detector(DetectorConfig(ner=False, cache_size=0)).scan(text)
    secrets = [text[f.start : f.end] for f in findings if f.entity_type == "SECRET"]
    assert secrets == [token, hook]
