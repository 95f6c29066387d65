"""The enforcement pipeline, shared by the ASGI middleware and `privacy_guard.completion()`.

    segments → detect → decide → audit (durable) → redact → egress → restore → audit outcome

`Gateway.prepare` runs everything up to the point where a request may leave, and raises a
`GatewayError` wherever it must not: a block, a detection or policy failure, an audit failure.
`complete` and `stream` then call the model target and restore placeholders; `finish` records
the outcome, the metrics and the log line. Nothing here knows about HTTP.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import anyio.to_thread

from privacy_guard import egress
from privacy_guard.audit.events import AuditSink, DecisionEvent, OutcomeEvent
from privacy_guard.catalog import ModelTarget
from privacy_guard.config import DeploymentConfig, ServerSettings, find_config, load_config
from privacy_guard.detect import Finding
from privacy_guard.errors import (
    PayloadError,
    PrivacyGuardError,
    UnknownModelError,
    UnknownTeamError,
    UpstreamError,
)
from privacy_guard.gateway.audit_sink import open_audit_sink
from privacy_guard.gateway.auth import Caller, TeamKeys
from privacy_guard.gateway.errors import (
    BadRequest,
    FailedClosed,
    GatewayError,
    NotFound,
    PolicyViolation,
    UpstreamFailed,
)
from privacy_guard.gateway.logs import describe
from privacy_guard.gateway.metrics import GatewayMetrics
from privacy_guard.gateway.wire import EgressCall, WireAdapter, adapter_for
from privacy_guard.payloads import Path, RequestSegments, Route, Segment, SegmentKind
from privacy_guard.policy import Action, Decision, FindingAction, Mode, OnError, Policy
from privacy_guard.policy.model import NON_TEXT_ENTITIES
from privacy_guard.policy.store import PolicyStore, Snapshot
from privacy_guard.redact import Redactor

log = logging.getLogger("privacy_guard.gateway")

@dataclass(frozen=True)
class GatewaySettings:
    max_body_bytes: int = 4 * 1024 * 1024
    upstream_timeout: float = 120.0
    upstream_retries: int = 2
    upstream_backoff: float = 0.25
    detection_timeout: float = 10.0
    body_timeout: float = 30.0
    # Load litellm and the teams' spaCy pipelines at start-up rather than on first request.
    warm_up: bool = True

    @classmethod
    def from_server(cls, server: ServerSettings, **overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "max_body_bytes": server.max_body_bytes,
            "upstream_timeout": server.upstream_timeout,
            "upstream_retries": server.upstream_retries,
            "upstream_backoff": server.upstream_backoff,
            "detection_timeout": server.detection_timeout,
            "body_timeout": server.body_timeout,
        }
        return cls(**{**values, **overrides})


@dataclass(eq=False)
class Exchange:
    """One request on its way through the pipeline: what was decided, and how long it took.

    Holds the request body and the per-request Redactor; dies with the request.
    """

    request_id: str
    route: Route
    caller: Caller | None = None
    started: float = field(default_factory=time.perf_counter)
    stream: bool = False
    decision: Decision | None = None
    target: ModelTarget | None = None
    redactor: Redactor | None = None
    outbound: dict[str, Any] | None = None
    error_code: str | None = None
    status: int | None = None
    detect_seconds: float | None = None
    upstream_seconds: float | None = None
    findings: Mapping[str, int] = field(default_factory=dict)
    # Client headers the wire adapter forwards to a native upstream (`anthropic-version`, ...).
    forward_headers: Mapping[str, str] = field(default_factory=dict)
    # Whatever the wire adapter keeps for this request between its hooks (a Responses chain's
    # id, the response id seen in a stream, ...). Dies with the request.
    session: Any = None
    # The request's query string (`GET /v1/responses/{id}/input_items?limit=20`), for
    # `resource()` routes; the adapter decides what of it may be passed on.
    query: str = ""

    def __repr__(self) -> str:
        return f"<Exchange {self.request_id} {self.route.value}>"

    @property
    def adapter(self) -> WireAdapter:
        """The wire API of this request: its format, errors and way out."""
        return adapter_for(self.route)

    @property
    def team(self) -> str | None:
        return self.caller.team if self.caller else None

    @property
    def decision_header(self) -> str:
        """`x-privacy-guard-decision`: what the gateway did, e.g. `reroute;model=ollama-llama3`."""
        decision = self.decision
        if decision is None:
            if self.error_code and self.target is not None:
                return "allow;monitor=error"  # monitor mode, `on_error: forward`
            return "error" if self.error_code else "none"
        action = decision.effective_action
        if action is Action.REROUTE:
            return f"reroute;model={decision.target_model}"
        if decision.mode is Mode.MONITOR and decision.action is not Action.ALLOW:
            return f"{action.value};monitor={decision.action.value}"
        return action.value

    @property
    def served_by(self) -> str | None:
        return self.target.name if self.target else None


def new_request_id() -> str:
    return "pg-" + uuid.uuid4().hex


class Gateway:
    """Policies, team keys, audit log and metrics of one gateway process."""

    def __init__(
        self,
        store: PolicyStore,
        *,
        keys: TeamKeys,
        audit: AuditSink,
        settings: GatewaySettings | None = None,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.store = store
        self.keys = keys
        self.audit = audit
        self.settings = settings or GatewaySettings()
        self.metrics = metrics or GatewayMetrics()
        self.owns_audit = False  # True when opened by from_config: closed at shutdown
        # The deployment it was built from (from_config): the app reads its audit settings
        # for the officer's `/audit` report.
        self.deployment: DeploymentConfig | None = None
        self._started = False
        # A thread lock, not an event-loop one: the synchronous `completion()` drives the same
        # gateway from a loop of its own.
        self._start_lock = threading.Lock()
        self._watcher: Any = None

    @classmethod
    def from_config(
        cls,
        config: DeploymentConfig | str | None = None,
        *,
        audit: AuditSink | None = None,
        settings: GatewaySettings | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Gateway:
        """A gateway for a deployment config (a loaded one, a path, or None: find it as the CLI
        does, else the shipped defaults). Raises ConfigError when anything is invalid."""
        if not isinstance(config, DeploymentConfig):
            config = load_config(find_config(config))
        store = PolicyStore.from_config(config)
        keys = TeamKeys(config.teams, environ)
        if keys.local_only:
            log.warning(
                "no teams configured: serving loopback clients only, as team 'default'; list "
                "teams and their keys under `teams:` in the config before exposing the gateway"
            )
        gateway = cls(
            store,
            keys=keys,
            audit=audit if audit is not None else open_audit_sink(config),
            settings=settings or GatewaySettings.from_server(config.server),
        )
        gateway.owns_audit = audit is None
        gateway.deployment = config
        return gateway

    # -- lifecycle -------------------------------------------------------------------------------

    async def startup(self, *, watch: bool = True) -> None:
        """Load litellm and the spaCy pipelines, start watching policy files. Idempotent."""
        if self._started:
            return
        if self.settings.warm_up:
            await anyio.to_thread.run_sync(self._warm_up)  # idempotent and thread-safe
        with self._start_lock:
            if self._started:
                return
            self._started = True
            if watch:
                self._watcher = self.store.watch()

    def _warm_up(self) -> None:
        egress.load()
        snapshot = self.store.snapshot
        teams = list(self.store.sources.teams) or ["default"]
        for team in teams:
            self.store.detector(team, snapshot).warm_up()
        # The spaCy pipelines and litellm are millions of long-lived objects; left to the cyclic
        # garbage collector, every full collection walks them all (~150 ms, several times a
        # minute under load). Freezing what start-up made keeps collections to request garbage.
        gc.collect()
        gc.freeze()

    async def shutdown(self) -> None:
        if self._watcher is not None:
            self._watcher.stop(timeout=1)
            self._watcher = None
        try:
            await egress.close()
        except Exception as error:  # best effort; never a reason to fail a shutdown
            log.warning("closing upstream clients failed", extra={"error": describe(error)})
        close = getattr(self.audit, "close", None)
        if self.owns_audit and close is not None:
            # Commits what is pending and signs a last checkpoint.
            await anyio.to_thread.run_sync(close)
        self._started = False

    # -- the pipeline ----------------------------------------------------------------------------

    async def prepare(self, exchange: Exchange, body: Any) -> None:
        """Inspect, decide, record and redact; afterwards `exchange.outbound` may leave.

        Raises GatewayError: 400/404 for a bad request, 403 for a block, 5xx (fail closed) when
        detection, policy or audit fail. After the decision is recorded, also for a block.
        """
        caller = exchange.caller
        assert caller is not None
        adapter = exchange.adapter
        segments = _segments(adapter, exchange.route, body)
        exchange.stream = segments.stream
        if segments.stream and exchange.route in adapter.unstreamable:
            raise BadRequest(
                f"{exchange.route.value.removeprefix('/v1/')} cannot be streamed",
                code="invalid_body",
                param="$.stream",
            )
        texts = list(segments.segments)

        snapshot = self.store.snapshot  # one version of every policy for the whole request
        policy, requested = self._resolve(snapshot, caller.team, segments.model)
        detector_hash = ""
        prompt = "\n".join(segment.text for segment in texts)
        try:
            detector = self.store.detector(caller.team, snapshot)
            detector_hash = detector.fingerprint
            findings, exchange.detect_seconds = await self._detect(
                detector, [s.text for s in texts]
            )
        except FailedClosed as error:
            if policy.on_error is OnError.FORWARD and policy.mode is Mode.MONITOR:
                # The policy asked for this: monitor mode, forward unchanged, on record.
                await self._record_error(exchange, policy, requested, error.code, prompt)
                exchange.target = requested
                exchange.outbound = body
                exchange.error_code = error.code
                return
            await self._record_error(exchange, policy, requested, error.code, prompt)
            raise

        flat: list[tuple[Path, Finding]] = [
            (segment.path, finding)
            for segment, found in zip(texts, findings, strict=True)
            for finding in [*found, *_credential(segment, found)]
        ]
        opaque = {
            part.path: NON_TEXT_ENTITIES.get(part.type, "IMAGE") for part in segments.non_text_parts
        }
        flat += [(path, Finding(entity, 0, 0, 1.0, "")) for path, entity in opaque.items()]
        exchange.findings = dict(Counter(f.entity_type for _, f in flat))
        try:
            decision = snapshot.decide([f for _, f in flat], caller.team, requested.name)
            by_path = _redactions_by_path(flat, decision.redactions)
        except Exception as error:
            log.error("policy evaluation failed", extra={"error": describe(error)})
            await self._record_error(exchange, policy, requested, "policy_error", prompt)
            raise FailedClosed(
                "the policy could not be evaluated; nothing was sent",
                code="policy_error",
                status=500,
            ) from None
        if any(path in opaque for path in by_path):
            decision = _cannot_redact(decision, [opaque[p] for p in by_path if p in opaque])
            by_path = {}
        exchange.decision = decision
        if decision.effective_action is Action.ALLOW:
            exchange.target = requested  # monitor mode forwards unchanged to what was asked
        elif decision.target_model is not None:
            exchange.target = snapshot.model(decision.target_model)

        await self._append_decision(
            exchange, _decision_event(exchange, caller, prompt, decision, detector_hash)
        )
        if decision.effective_action is Action.BLOCK:
            code = "model_not_allowed" if _model_refused(decision) else "blocked_by_policy"
            raise PolicyViolation(decision.message, code=code)

        exchange.outbound = body
        # A provider-stateful conversation brings the placeholders of its earlier turns.
        redactor = await adapter.open_session(self, exchange, body)
        if decision.effective_action in (Action.REDACT, Action.REROUTE) and by_path:
            try:
                redactor = redactor or Redactor()
                replacements = redactor.redact_segments(texts, by_path)
                exchange.outbound = adapter.apply(exchange.route, body, replacements)
            except (PrivacyGuardError, ValueError, KeyError) as error:
                log.error("redaction failed", extra={"error": describe(error)})
                raise FailedClosed(
                    "the request could not be redacted; nothing was sent",
                    code="redaction_failed",
                    status=500,
                ) from None
        exchange.redactor = redactor if redactor is not None and len(redactor) else None

    def _resolve(self, snapshot: Snapshot, team: str, model: str | None) -> tuple[Policy, Any]:
        try:
            policy = snapshot.policy(team)
        except UnknownTeamError:
            # Authenticated, yet no policy: a config problem, never a reason to send.
            raise FailedClosed(
                f"team {team!r} has no policy; nothing was sent", code="policy_error", status=500
            ) from None
        try:
            requested = snapshot.model(model or "")
        except UnknownModelError as error:
            raise NotFound(str(error), code="model_not_found", param="$.model") from None
        return policy, requested

    async def _detect(self, detector: Any, texts: list[str]) -> tuple[list[list[Finding]], float]:
        """The findings of each text, and the seconds it took."""
        if not texts:
            return [], 0.0
        started = time.perf_counter()
        try:
            with anyio.fail_after(self.settings.detection_timeout):
                # A thread, so the event loop keeps serving other requests (and streams) while
                # spaCy runs; abandoned on timeout, since a thread cannot be interrupted.
                found: list[list[Finding]] = await anyio.to_thread.run_sync(
                    detector.scan_many, texts, abandon_on_cancel=True
                )
        except TimeoutError:
            raise FailedClosed(
                f"detection did not finish within {self.settings.detection_timeout:g} s; "
                "nothing was sent",
                code="detection_timeout",
            ) from None
        except Exception as error:
            # DetectionError messages carry no text; anything else is described by type only.
            log.error("detection failed", extra={"error": describe(error)})
            raise FailedClosed(
                "personal-data detection failed; nothing was sent", code="detection_failed"
            ) from None
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.detection_seconds.observe(elapsed)
        return found, elapsed

    async def _audit(self, method: str, event: DecisionEvent | OutcomeEvent) -> None:
        """Append to the audit log without blocking the event loop; returns once durable."""
        sink = self.audit
        native = getattr(sink, f"{method}_async", None)
        if native is not None:
            await native(event)
        elif getattr(sink, "nonblocking", False):
            getattr(sink, method)(event)
        else:
            await anyio.to_thread.run_sync(getattr(sink, method), event)

    async def _append_decision(self, exchange: Exchange, event: DecisionEvent) -> None:
        try:
            await self._audit("append_decision", event)
        except Exception as error:
            log.error("audit log append failed", extra={"error": describe(error)})
            exchange.error_code = "audit_unavailable"
            raise FailedClosed(
                "the audit log could not record the decision; nothing was sent",
                code="audit_unavailable",
            ) from None

    async def _record_error(
        self, exchange: Exchange, policy: Policy, requested: ModelTarget, code: str, prompt: str
    ) -> None:
        """A fail-closed (or, in monitor mode with `on_error: forward`, forwarded) request."""
        caller = exchange.caller
        assert caller is not None
        exchange.error_code = code
        forward = policy.on_error is OnError.FORWARD and policy.mode is Mode.MONITOR
        event = DecisionEvent(
            request_id=exchange.request_id,
            team=caller.team,
            caller_key=caller.credential,
            prompt_text=prompt,
            policy_id=policy.team,
            policy_hash=policy.hash,
            mode=policy.mode.value,
            requested_model=requested.name,
            routed_model=requested.name if forward else None,
            routed_access=requested.access.value if forward else None,
            routed_jurisdiction=requested.jurisdiction if forward else None,
            action="error",
            effective_action="allow" if forward else "block",
            error_code=code,
            api=exchange.adapter.api,
        )
        await self._append_decision(exchange, event)

    # -- calling the model -----------------------------------------------------------------------

    def _call(self, exchange: Exchange) -> EgressCall:
        if exchange.target is None or exchange.outbound is None:
            raise RuntimeError("prepare() did not clear this request to leave")
        return EgressCall(
            route=exchange.route,
            target=exchange.target,
            body=exchange.outbound,
            timeout=self.settings.upstream_timeout,
            retries=self.settings.upstream_retries,
            backoff=self.settings.upstream_backoff,
            headers=exchange.forward_headers,
        )

    async def complete(self, exchange: Exchange) -> dict[str, Any]:
        """The full reply of the model target, placeholders restored, `model` its catalog name."""
        call = self._call(exchange)
        adapter = exchange.adapter
        started = time.perf_counter()
        try:
            reply = await adapter.reply(call)
        except UpstreamError as error:
            raise UpstreamFailed.from_upstream(error) from None
        finally:
            exchange.upstream_seconds = time.perf_counter() - started
        restored = adapter.restore_reply(exchange, reply, call.target.name)
        await adapter.close_session(self, exchange, restored)
        return restored

    async def stream(self, exchange: Exchange) -> AsyncIterator[dict[str, Any]]:
        """Open the upstream stream (UpstreamFailed here if it cannot be) and return the restored
        chunks. A placeholder split across chunks is held back only until it is complete or
        proven not to be one; failures mid-stream raise UpstreamFailed from the iterator."""
        call = self._call(exchange)
        started = time.perf_counter()
        try:
            chunks = await exchange.adapter.open_stream(call)
        except UpstreamError as error:
            exchange.upstream_seconds = time.perf_counter() - started
            raise UpstreamFailed.from_upstream(error) from None
        return _Stream(self._restored(exchange, call.target, chunks, started), chunks)

    async def _restored(
        self,
        exchange: Exchange,
        target: ModelTarget,
        chunks: AsyncIterator[dict[str, Any]],
        started: float,
    ) -> AsyncIterator[dict[str, Any]]:
        adapter = exchange.adapter
        restorer = adapter.stream_restorer(exchange, target.name)
        try:
            async for chunk in chunks:
                for out in restorer.restore(chunk):
                    yield out
            for out in restorer.finish():
                yield out
            await adapter.close_session(self, exchange, None)
        except UpstreamError as error:
            raise UpstreamFailed.from_upstream(error) from None
        finally:
            exchange.upstream_seconds = time.perf_counter() - started
            await chunks.aclose()  # type: ignore[attr-defined]

    # -- after -----------------------------------------------------------------------------------

    async def finish(self, exchange: Exchange, status: int) -> None:
        """Record the outcome (if a decision was recorded), metrics and the log line."""
        exchange.status = status
        elapsed = time.perf_counter() - exchange.started
        if exchange.decision is not None or exchange.target is not None:
            upstream = exchange.upstream_seconds
            event = OutcomeEvent(
                exchange.request_id,
                status if upstream is not None else None,
                round(elapsed * 1000, 3),
            )
            try:
                await self._audit("append_outcome", event)
            except Exception as error:
                # The reply is already on its way; the decision itself was recorded before.
                log.error("audit outcome append failed", extra={"error": describe(error)})
        self._observe(exchange, status, elapsed)

    def _observe(self, exchange: Exchange, status: int, elapsed: float) -> None:
        team = exchange.team or "-"
        action = exchange.decision.effective_action.value if exchange.decision else "none"
        if exchange.error_code and exchange.decision is None:
            action = "error"
        target = exchange.served_by or "-"
        metrics = self.metrics
        metrics.requests.inc(team, exchange.route.value, action, target, str(status))
        metrics.request_seconds.observe(elapsed, exchange.route.value)
        if exchange.upstream_seconds is not None and exchange.target is not None:
            metrics.upstream_seconds.observe(exchange.upstream_seconds, exchange.target.name)
        for entity, count in exchange.findings.items():
            metrics.findings.inc(entity, amount=count)
        if exchange.error_code:
            metrics.errors.inc(exchange.error_code)
        log.info(
            "request",
            extra={
                "request_id": exchange.request_id,
                "team": exchange.team,
                "route": exchange.route.value,
                "stream": exchange.stream,
                "decision": exchange.decision_header,
                "target": exchange.served_by,
                "status": status,
                "error_code": exchange.error_code,
                "findings": dict(exchange.findings),
                "latency_ms": round(elapsed * 1000, 2),
                "upstream_ms": _ms(exchange.upstream_seconds),
            },
        )

    # -- /v1/models ------------------------------------------------------------------------------

    def models(self, caller: Caller) -> dict[str, Any]:
        """The catalog models the caller's team may use, OpenAI-shaped."""
        snapshot = self.store.snapshot
        try:
            policy = snapshot.policy(caller.team)
        except UnknownTeamError:
            raise FailedClosed(
                f"team {caller.team!r} has no policy", code="policy_error", status=500
            ) from None
        return {
            "object": "list",
            "data": [_model_object(t) for t in snapshot.catalog if policy.allows(t.name)],
        }

    def model(self, caller: Caller, name: str) -> dict[str, Any]:
        for entry in self.models(caller)["data"]:
            if entry["id"] == name:
                return entry
        raise NotFound(f"model {name!r} is not available to this team", code="model_not_found")


class _Stream:
    """The restored chunks; `aclose()` also releases the upstream stream when no chunk was ever
    read (an async generator that never started does not run its `finally`)."""

    def __init__(self, chunks: AsyncIterator[dict[str, Any]], upstream: Any) -> None:
        self._chunks = chunks
        self._upstream = upstream

    def __aiter__(self) -> _Stream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._chunks.__anext__()

    async def aclose(self) -> None:
        await self._chunks.aclose()  # type: ignore[attr-defined]
        await self._upstream.aclose()


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def _model_object(target: ModelTarget) -> dict[str, Any]:
    return {
        "id": target.name,
        "object": "model",
        "created": 0,
        "owned_by": "privacy-guard",
        "access": target.access.value,
        "jurisdiction": target.jurisdiction,
    }


def _segments(adapter: WireAdapter, route: Route, body: Any) -> RequestSegments:
    try:
        return adapter.segments(route, body)
    except PayloadError as error:
        raise BadRequest.from_payload(error) from None


def _credential(segment: Segment, found: Sequence[Finding]) -> tuple[Finding, ...]:
    """A credential field (an MCP server's token) is a SECRET whatever the detectors found."""
    if segment.kind is not SegmentKind.CREDENTIAL:
        return ()
    whole = len(segment.text)
    if any(f.entity_type == "SECRET" and f.start == 0 and f.end == whole for f in found):
        return ()
    return (Finding("SECRET", 0, whole, 1.0, ""),)


def _redactions_by_path(
    flat: Sequence[tuple[Path, Finding]], redactions: Sequence[FindingAction]
) -> dict[Path, list[FindingAction]]:
    """Which segment each redaction belongs to.

    `decide` sees one flat list of findings (the decision is over the whole request) and
    returns the redactions as a subsequence of it, in order. Findings equal in type, offsets and
    score are judged alike, so matching greedily in order is exact.
    """
    out: dict[Path, list[FindingAction]] = {}
    pending = list(redactions)
    position = 0
    for path, finding in flat:
        if position == len(pending):
            break
        wanted = pending[position]
        if (wanted.entity_type, wanted.start, wanted.end, wanted.score) == (
            finding.entity_type,
            finding.start,
            finding.end,
            finding.score,
        ):
            out.setdefault(path, []).append(wanted)
            position += 1
    if position != len(pending):
        raise RuntimeError("redactions do not match the request's findings")
    return out


def _cannot_redact(decision: Decision, entities: Sequence[str]) -> Decision:
    """A redaction of content nobody can read (an image…) cannot be done: block instead."""
    kinds = ", ".join(sorted(set(entities)))
    rules = tuple(
        dict.fromkeys(r.rule for r in decision.redactions if r.entity_type in entities and r.rule)
    )
    where = decision.target_model or decision.requested_model
    message = (
        f"Blocked: {kinds} cannot be inspected or redacted, and the policy does not allow it "
        f"to reach {where} ({', '.join(rules) or 'no rule allows it'}); add a rule with "
        f"`entities: [{sorted(set(entities))[0]}]` and `action: allow` (or `reroute`) to let it."
    )
    monitor = decision.mode is Mode.MONITOR
    return replace(
        decision,
        action=Action.BLOCK,
        effective_action=Action.ALLOW if monitor else Action.BLOCK,
        target_model=None,
        redactions=(),
        rules=rules,
        reasons=dict(Counter(entities)),
        message=f"Monitor mode, forwarded unchanged. In enforce mode: {message}"
        if monitor
        else message,
    )


def _model_refused(decision: Decision) -> bool:
    return any(rule.endswith(".allowed_models") for rule in decision.rules)


def _decision_event(
    exchange: Exchange,
    caller: Caller,
    prompt: str,
    decision: Decision,
    detector_hash: str,
) -> DecisionEvent:
    target = exchange.target
    return DecisionEvent(
        request_id=exchange.request_id,
        team=caller.team,
        caller_key=caller.credential,
        prompt_text=prompt,
        policy_id=decision.policy_id,
        policy_hash=decision.policy_hash,
        mode=decision.mode.value,
        requested_model=decision.requested_model,
        routed_model=target.name if target else None,
        routed_access=target.access.value if target else None,
        routed_jurisdiction=target.jurisdiction if target else None,
        action=decision.action.value,
        effective_action=decision.effective_action.value,
        entity_counts=dict(exchange.findings),
        rules=decision.rules,
        detector_hash=detector_hash,
        api=exchange.adapter.api,
    )


__all__ = ["Exchange", "Gateway", "GatewayError", "GatewaySettings", "new_request_id"]
