"""The gateway under uvicorn on loopback, in front of two recording stub upstreams.

    with running_stack(tmp_path) as stack:
        client = stack.openai("eng")                  # the real OpenAI SDK, team eng's key
        client.chat.completions.create(model="remote-gpt", messages=[...])
        stack.remote.all_bytes()                      # what left for the "SaaS" model

The deployment: a catalog with `remote-gpt` (saas-api, at the "remote" stub, through litellm),
`remote-relay` (the same, relayed without litellm: `egress: openai-compatible`),
`remote-responses` (the same, also taking OpenAI's Responses API natively: `apis:`),
`local-llama` (local, at the "local" stub) and `dead-gpt` (nothing listening), and test
policies: `default` (secrets blocked, everything else redacted for remote models, reroutes go
to local-llama); `eng` (extends default; the code name Bluebird must stay local); `watch`
(monitor mode); `pics` (stand-alone: images may go to remote models).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privacy_guard.gateway.background import Running, serve_in_thread
from tests.support.upstream import Upstream, closed_port, running_upstream

KEYS = {
    "eng": "sk-test-eng-0123456789",
    "watch": "sk-test-watch-0123456789",
    "pics": "sk-test-pics-0123456789",
    "plain": "sk-test-plain-0123456789",
}

POLICIES = {
    "default.yaml": """
team: default
mode: enforce
on_error: block
reroute_to: local-llama
rules:
  - id: secrets-never-leave
    entities: [SECRET]
    destinations: [remote]
    action: block
  - id: personal-data-redacted
    entities: ["*"]
    destinations: [remote]
    action: redact
""",
    "eng.yaml": """
team: eng
extends: default
allowed_models: [remote-gpt, remote-relay, remote-responses, local-llama]
deny_list:
  - entity_type: PROJECT_CODENAME
    terms: [Bluebird]
rules:
  - id: internal-stays-home
    entities: [PROJECT_CODENAME]
    destinations: [remote]
    action: reroute
""",
    "watch.yaml": """
team: watch
extends: default
mode: monitor
""",
    # Not extending default: its `*` catch-all would cover IMAGE (redact, which for content that
    # cannot be read means block), and a team cannot lift its parent's restrictions.
    "pics.yaml": """
team: pics
reroute_to: local-llama
rules:
  - id: images-allowed
    entities: [IMAGE]
    destinations: [remote]
    action: allow
  - id: personal-data-redacted
    entities: ["*"]
    destinations: [remote]
    action: redact
""",
}


def write_deployment(
    folder: Path, remote: Upstream, local: Upstream, *, extra_config: str = ""
) -> Path:
    """A deployment config in `folder` whose catalog points at the two stubs."""
    (folder / "policies").mkdir(parents=True, exist_ok=True)
    (folder / "models").mkdir(exist_ok=True)
    for name, text in POLICIES.items():
        (folder / "policies" / name).write_text(text.lstrip(), encoding="utf-8")
    (folder / "models" / "stubs.yaml").write_text(
        f"""
models:
  - name: remote-gpt
    litellm_model: openai/stub-model
    api_base: {remote.base_url}
    access: saas-api
    jurisdiction: US
  - name: remote-relay
    litellm_model: openai/stub-model
    api_base: {remote.base_url}
    access: saas-api
    jurisdiction: US
    egress: openai-compatible
  - name: remote-responses
    litellm_model: openai/stub-model
    api_base: {remote.base_url}
    access: saas-api
    jurisdiction: US
    egress: openai-compatible
    apis: [openai-chat, openai-responses]
  - name: local-llama
    litellm_model: hosted_vllm/stub-model
    api_base: {local.base_url}
    access: local
    jurisdiction: self-hosted
  - name: dead-gpt
    litellm_model: openai/stub-model
    api_base: http://127.0.0.1:{closed_port()}/v1
    access: saas-api
    jurisdiction: US
""".lstrip(),
        encoding="utf-8",
    )
    teams = "\n".join(
        f"  - {{name: {team}, key_sha256: {hashlib.sha256(key.encode()).hexdigest()}}}"
        for team, key in KEYS.items()
    )
    config = folder / "privacy-guard.yaml"
    config.write_text(
        f"policies: policies/\nmodels: models/\nteams:\n{teams}\n{extra_config}", encoding="utf-8"
    )
    return config


Served = Running


@contextmanager
def serving(app: Any, *, lifespan: str = "on") -> Iterator[Running]:
    """Run an ASGI app under uvicorn on 127.0.0.1 (ephemeral port) for the block."""
    with serve_in_thread(app, lifespan=lifespan) as running:
        yield running


@dataclass
class Stack:
    remote: Upstream
    local: Upstream
    gateway: Any  # privacy_guard.gateway.Gateway
    served: Served
    config: Path

    @property
    def base_url(self) -> str:
        return f"{self.served.url}/v1"

    def reset(self) -> Stack:
        self.remote.reset()
        self.local.reset()
        return self

    def openai(self, team: str = "eng", **options: Any) -> Any:
        import openai

        return openai.OpenAI(
            base_url=self.base_url, api_key=KEYS[team], max_retries=0, timeout=60, **options
        )

    def async_openai(self, team: str = "eng", **options: Any) -> Any:
        import openai

        return openai.AsyncOpenAI(
            base_url=self.base_url, api_key=KEYS[team], max_retries=0, timeout=60, **options
        )

    def headers(self, team: str = "eng") -> dict[str, str]:
        return {"authorization": f"Bearer {KEYS[team]}"}


@contextmanager
def running_stack(
    folder: Path,
    *,
    audit: Any = None,
    settings: dict[str, Any] | None = None,
    app: Callable[[Any], Any] | None = None,
    extra_config: str = "",
    before: Callable[[Path], None] | None = None,
) -> Iterator[Stack]:
    """Two stubs, a deployment pointing at them, and under uvicorn `app(gateway)` — by default
    the standalone gateway app. `extra_config` is appended to the config file; `before(path)`
    runs once it is written (to create audit keys, say). Without `audit`, the gateway opens
    what the config says (an in-memory sink when it has no `audit:` section)."""
    from privacy_guard.app import create_app
    from privacy_guard.config import load_config
    from privacy_guard.gateway import Gateway, GatewaySettings
    from privacy_guard.gateway.audit_sink import UnpersistedAuditSink

    with running_upstream("remote") as remote, running_upstream("local") as local:
        config_path = write_deployment(folder, remote, local, extra_config=extra_config)
        if before is not None:
            before(config_path)
        config = load_config(config_path)
        gateway_settings = GatewaySettings.from_server(
            config.server, **{"upstream_retries": 0, "warm_up": False, **(settings or {})}
        )
        if audit is None and "audit:" not in extra_config:
            audit = UnpersistedAuditSink()
        gateway = Gateway.from_config(config, audit=audit, settings=gateway_settings)
        built = app(gateway) if app is not None else create_app(gateway=gateway)
        with serving(built) as served:
            yield Stack(remote, local, gateway, served, config_path)
