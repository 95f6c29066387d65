"""The gateway under uvicorn in front of an Anthropic-native stub ("claude") and the two
OpenAI-compatible stubs of `tests/support/gateway.py`, for the Messages API tests.

Catalog additions: `claude-stub` (saas-api, speaks `anthropic-messages`, at the claude stub)
and `claude-via-chat` (saas-api at the OpenAI-compatible remote stub: Messages requests are
translated). The team `plain` gets its own policy: credit cards blocked for remote models, the
code name Bluebird rerouted to `local-llama`, everything else (secrets included) redacted, and
a deny-list customer code whose spelling holds a quote, a backslash and non-ASCII.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.anthropic_upstream import running_anthropic_upstream
from tests.support.gateway import KEYS, Stack, running_stack
from tests.support.upstream import Upstream

CUSTOMER_CODE = 'Zoë "Q" \\ Quux-Ø7'

PLAIN_POLICY = """
team: plain
reroute_to: local-llama
deny_list:
  - entity_type: PROJECT_CODENAME
    terms: [Bluebird]
  - entity_type: CUSTOMER_CODE
    terms: ['{code}']
rules:
  - id: internal-stays-home
    entities: [PROJECT_CODENAME]
    destinations: [remote]
    action: reroute
  - id: no-cards
    entities: [CREDIT_CARD]
    destinations: [remote]
    action: block
  - id: redact-the-rest
    entities: ["*"]
    destinations: [remote]
    action: redact
"""


def _catalog(claude: Upstream, remote_base: str) -> str:
    return f"""
models:
  - name: claude-stub
    litellm_model: anthropic/claude-stub-1
    api_base: {claude.base_url}
    api_key_env: PG_TEST_CLAUDE_KEY
    access: saas-api
    jurisdiction: US
    apis: [anthropic-messages]
  - name: claude-via-chat
    litellm_model: openai/stub-model
    api_base: {remote_base}
    access: saas-api
    jurisdiction: US
    egress: openai-compatible
"""


@dataclass
class MessagesStack:
    stack: Stack
    claude: Upstream

    @property
    def url(self) -> str:
        return self.stack.served.url

    @property
    def remote(self) -> Upstream:
        return self.stack.remote

    @property
    def local(self) -> Upstream:
        return self.stack.local

    def reset(self) -> MessagesStack:
        self.stack.reset()
        self.claude.reset()
        return self

    def client(self, team: str = "plain", **options: Any) -> Any:
        import anthropic

        return anthropic.Anthropic(
            base_url=self.url, api_key=KEYS[team], max_retries=0, timeout=60, **options
        )

    def async_client(self, team: str = "plain", **options: Any) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(
            base_url=self.url, api_key=KEYS[team], max_retries=0, timeout=60, **options
        )

    def all_remote_bytes(self) -> bytes:
        """Everything both remote stubs received (the local one is on-premises)."""
        return self.claude.all_bytes() + self.stack.remote.all_bytes()


@contextmanager
def running_messages_stack(
    folder: Path, monkeypatch: Any = None, **options: Any
) -> Iterator[MessagesStack]:
    import os

    os.environ.setdefault("PG_TEST_CLAUDE_KEY", "sk-ant-stub-upstream-key")
    with running_anthropic_upstream("claude") as claude:

        def before(config: Path) -> None:
            base = config.parent
            remote_base = _remote_base(base)
            (base / "models" / "claude.yaml").write_text(_catalog(claude, remote_base))
            code = CUSTOMER_CODE.replace("'", "''")
            (base / "policies" / "plain.yaml").write_text(
                PLAIN_POLICY.replace("{code}", code).lstrip(), encoding="utf-8"
            )

        with running_stack(folder, before=before, **options) as stack:
            yield MessagesStack(stack, claude)


def _remote_base(folder: Path) -> str:
    """The remote stub's base URL, read back from the catalog the stack wrote."""
    text = (folder / "models" / "stubs.yaml").read_text()
    for line in text.splitlines():
        if line.strip().startswith("api_base:"):
            return line.split("api_base:", 1)[1].strip()
    raise AssertionError("no api_base in the stub catalog")
