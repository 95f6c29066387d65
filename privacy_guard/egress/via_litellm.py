"""Egress through litellm: how a request leaves for a target whose API is not OpenAI's own.

This is the only module that imports litellm. litellm does several things on its own that a
privacy gateway must not (seen in litellm 1.110's source and checked by tests/test_egress.py):

- at import it fetches its model cost map from GitHub, retrying in a background thread, unless
  `LITELLM_LOCAL_MODEL_COST_MAP` is set before the import;
- at import, in its default "DEV" mode, it loads a `.env` file from the working directory (or a
  parent) into `os.environ`, which can silently add provider keys or base URLs;
- counting tokens for a model whose name says llama-2/llama-3/command-r, it downloads a tokenizer
  from the Hugging Face hub; with an image URL in a prompt it downloads the image (Anthropic and
  others), and it may probe a URL for a PDF;
- the Anthropic beta-header table and a blog feed are fetched unless offline mode is on;
- its error messages append the prompt (`Messages: ...`) unless told to redact, and its DEBUG logs
  print prompts whenever the host application turns DEBUG on for the root logger;
- with no `api_key` it falls back to the provider's usual environment variable
  (`OPENAI_API_KEY`, ...), which would hand the OpenAI key to a local server that happens to
  speak the OpenAI protocol.

`_load()` turns all of that off before and right after the import. Anything litellm accepts as a
keyword is never taken from a request body unchecked: a body saying `api_base`, `api_key` or
`mock_response` must not redirect or fake a call. Known OpenAI parameters are passed as such;
any other body field goes to the upstream as a JSON field (`extra_body`), never to litellm.
Retries and error classification are in `common.py`, shared with the OpenAI-compatible relay.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from privacy_guard.egress import sdk_chunks
from privacy_guard.egress.common import (
    GRACE,
    EgressTarget,
    Endpoint,
    api_key,
    classify,
    upstream_error,
    with_retries,
)

__all__ = ["close", "litellm_object", "load", "open_stream", "reply"]


# -- keeping litellm offline ---------------------------------------------------------------------

# Set before litellm is imported: most of these are read once, at import.
_OFFLINE_ENVIRONMENT: Mapping[str, str] = {
    # The bundled cost map instead of a fetch from GitHub (at import, plus a retry thread).
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    # litellm's own switch for "a catalog, check or tokenizer fetched on its own": cost map,
    # Anthropic beta headers, blog posts, Hugging Face tokenizers, Bedrock's Kimi ranks file.
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_LOCAL_BLOG_POSTS": "True",
    # Not "DEV": no python-dotenv `.env` loading into os.environ at import.
    "LITELLM_MODE": "PRODUCTION",
    # Keep every call on litellm's Python code paths (chat and embeddings are Python-only in
    # 1.110 anyway): native code would open sockets the tests' socket guards cannot see.
    "LITELLM_RUST": "false",
    # No image (or PDF probe) downloads for URLs found in prompts.
    "MAX_IMAGE_URL_DOWNLOAD_SIZE_MB": "0",
}

# litellm-namespace loggers: they have their own handler and do not propagate, and at DEBUG
# (inherited from the root logger) they print prompts; at ERROR they print provider error text,
# which may quote the prompt. Our own errors say what failed.
_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")

_load_lock = threading.Lock()


@functools.cache
def _load() -> Any:
    """Import and configure litellm once; returns the module."""
    with _load_lock:
        os.environ.update(_OFFLINE_ENVIRONMENT)
        # Process-wide, but in line with the project's rule: nothing is downloaded at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        litellm = importlib.import_module("litellm")
        _configure(litellm)
        return litellm


def _configure(litellm: Any) -> None:
    settings: dict[str, Any] = {
        "suppress_debug_info": True,  # no "Give Feedback / Get Help" prints on errors
        "disable_hf_tokenizer_download": True,
        # Token counting is for cost tracking we do not use; off, it never selects a tokenizer
        # (tiktoken or a Hugging Face download) nor fetches an image to count its tokens.
        "disable_token_counter": True,
        "turn_off_message_logging": True,
        "redact_messages_in_exceptions": True,
        "disable_streaming_logging": True,
        "log_raw_request_response": False,
        "drop_params": False,  # an unsupported parameter is an error, not silently dropped
        "modify_params": False,
        "num_retries": None,
        "cache": None,
        "api_key": None,
        "api_base": None,
    }
    for name, value in settings.items():
        if hasattr(litellm, name):
            setattr(litellm, name, value)
    # No logging or telemetry callbacks, whatever the environment configured.
    for name in (
        "callbacks",
        "input_callback",
        "success_callback",
        "failure_callback",
        "service_callback",
        "_async_input_callback",
        "_async_success_callback",
        "_async_failure_callback",
    ):
        registered = getattr(litellm, name, None)
        if isinstance(registered, list):
            registered.clear()
    for name in _LITELLM_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # For every `huggingface/...` model, each call looks the model up and fetches
    # huggingface.co/<model>/raw/main/config.json for its context length, even when `api_base`
    # points at a self-hosted server, and no switch turns that off. We never need the number.
    utils = importlib.import_module("litellm.utils")
    if hasattr(utils, "_get_max_position_embeddings"):
        utils._get_max_position_embeddings = _no_context_length
    # Speed: after every call litellm prices the reply and builds a logging payload for its
    # success callbacks, even with none registered — about 3 ms of CPU per call in 1.110, more
    # than the rest of the call. We register no callbacks and track no cost.
    if hasattr(utils, "dispatch_success_logging"):
        utils.dispatch_success_logging = _no_success_logging
    logging_module = importlib.import_module("litellm.litellm_core_utils.litellm_logging")
    logging_class = getattr(logging_module, "Logging", None)
    if logging_class is not None and hasattr(logging_class, "response_cost_calculator"):
        logging_class.response_cost_calculator = _no_cost
    # Likewise at the end of every stream: litellm rebuilds the whole reply from its chunks (in
    # a worker thread), deep-copies it and schedules its success callbacks — about 13 ms of CPU
    # for a 1 KB reply in 1.110, which holds up the stream's end and competes with the next
    # request. The rebuilt reply only matters for the usage chunk a client asks for with
    # `stream_options.include_usage`, so it is still built then.
    if logging_class is not None and hasattr(logging_class, "dispatch_success_handlers"):
        logging_class.dispatch_success_handlers = _no_success_handlers
    streaming = importlib.import_module("litellm.litellm_core_utils.streaming_handler")
    wrapper = getattr(streaming, "CustomStreamWrapper", None)
    build = getattr(wrapper, "_async_build_complete_streaming_response", None)
    if build is not None:
        wrapper._async_build_complete_streaming_response = _built_for_usage_only(build)  # type: ignore[union-attr]
    # Speed: for every chunk the wrapper asks whether its delta rules out a mid-stream
    # continuation (the Router's fallback to another deployment, which resumes a text-only
    # stream): eight attribute look-ups on the pydantic delta, most of them misses that raise
    # inside pydantic — ~7% of a `hosted_vllm/` stream's CPU. The answer only goes into the
    # Router's MidStreamFallbackError; we use no Router, and classify errors ourselves.
    if wrapper is not None and hasattr(wrapper, "_delta_disqualifies_continuation"):
        wrapper._delta_disqualifies_continuation = classmethod(_no_continuation_check)
    # Speed, `openai/` models: the OpenAI SDK turns each streamed chunk into its pydantic model
    # with `construct_type`, a recursive walk over type hints — about 100 us per chunk, 40% of
    # the stream's CPU in 1.110 — where pydantic's own validator takes 5 us. litellm's OpenAI
    # handlers (chat; text completions through `workload_identity`) create their clients from
    # the `AsyncOpenAI` name of their modules: clients of the subclass put there build the same
    # objects faster (`sdk_chunks.py`); SDK clients created anywhere else are untouched.
    for name in ("litellm.llms.openai.openai", "litellm.llms.openai.workload_identity"):
        handler = importlib.import_module(name)
        sdk_client = getattr(handler, "AsyncOpenAI", None)
        if isinstance(sdk_client, type) and not issubclass(sdk_client, sdk_chunks.FastChunks):
            handler.AsyncOpenAI = sdk_chunks.fast_chunks_client(sdk_client)


def _no_success_logging(*args: Any, **kwargs: Any) -> None:
    return None


async def _no_success_handlers(self: Any, *args: Any, **kwargs: Any) -> None:
    return None


def _built_for_usage_only(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(build)
    async def built(self: Any) -> Any:
        # None is one of the method's own outcomes (its builder failed): handled by the caller.
        if not getattr(self, "send_stream_usage", True):
            return None
        return await build(self)

    return built


def _no_cost(self: Any, *args: Any, **kwargs: Any) -> None:
    return None


def _no_continuation_check(cls: Any, delta: Any) -> bool:
    return False


def _no_context_length(model_name: str) -> None:
    return None


def load() -> None:
    """Import litellm now (a few seconds), e.g. at gateway start-up rather than on first call."""
    _load()


async def close() -> None:
    """Close the HTTP sessions litellm keeps open (call at shutdown, on the serving loop)."""
    if _load.cache_info().currsize == 0:
        return  # never loaded: nothing open, and no reason to import it now
    litellm = _load()
    closer = getattr(litellm, "close_litellm_async_clients", None)
    if closer is not None:
        await closer()


# -- requests ------------------------------------------------------------------------------------

# OpenAI parameters passed to litellm as keywords, per endpoint. Everything else in a body goes
# to the upstream as a JSON field (extra_body) and never becomes a litellm keyword: litellm reads
# `api_base`, `api_key`, `base_url`, `mock_response`, `metadata`, `callbacks`, ... from its
# keywords, and those must not be under the client's control.
_CHAT_PARAMS = frozenset(
    {
        "messages",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
_COMPLETION_PARAMS = frozenset(
    {
        "prompt",
        "best_of",
        "echo",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "max_tokens",
        "n",
        "presence_penalty",
        "seed",
        "stop",
        "stream_options",
        "suffix",
        "temperature",
        "top_p",
        "user",
    }
)
_EMBEDDING_PARAMS = frozenset({"input", "dimensions", "encoding_format", "user"})
# Never forwarded: the catalog decides the model, the function called decides streaming.
_OURS = frozenset({"model", "stream"})

# Sent as the key to targets that declare no `api_key_env`, so that litellm does not fall back to
# OPENAI_API_KEY & co. and hand a provider's key to a local server. Local servers ignore it.
_NO_KEY = "privacy-guard-no-key"


def _split_body(body: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in body.items():
        if key in _OURS:
            continue
        if key in known:
            kwargs[key] = value
        else:
            extra[key] = value
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _credentials(target: EgressTarget) -> dict[str, Any]:
    found: dict[str, Any] = {"model": target.litellm_model, "api_key": api_key(target) or _NO_KEY}
    if target.api_base:
        found["api_base"] = target.api_base
    return found


def _call_kwargs(
    target: EgressTarget, body: Mapping[str, Any], known: frozenset[str], timeout: float
) -> dict[str, Any]:
    return {
        **_split_body(body, known),
        **_credentials(target),
        "timeout": timeout,
        # Our retry loop is the only one (the OpenAI SDK alone would retry twice).
        "max_retries": 0,
        "num_retries": 0,
    }


async def _stream(target: EgressTarget, source: Any, timeout: float) -> AsyncIterator[Any]:
    """Chunks of an opened litellm stream; failures become UpstreamError (never retried: part
    of the answer may already be on its way to the client)."""
    iterator = source.__aiter__()
    try:
        while True:
            try:
                async with asyncio.timeout(timeout + GRACE):
                    chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except Exception as error:
                raise upstream_error(target, classify(error), 1) from None
            yield chunk
    finally:
        await _close_stream(source)


async def _close_stream(source: Any) -> None:
    closer = getattr(source, "aclose", None)
    inner = getattr(source, "completion_stream", None)
    try:
        if closer is not None:
            await closer()
        elif inner is not None and hasattr(inner, "aclose"):
            await inner.aclose()
    except Exception:  # best effort: the connection is dropped either way
        return


_LITELLM_ONLY_KEYS = frozenset({"provider_specific_fields", "_hidden_params", "_response_headers"})


def _plain(value: Any) -> Any:
    """Drop None values and litellm's own keys, recursively."""
    if isinstance(value, dict):
        return {
            key: _plain(item)
            for key, item in value.items()
            if item is not None and key not in _LITELLM_ONLY_KEYS
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _openai_dict(response: Any, *, text: bool = False) -> dict[str, Any]:
    """An OpenAI-shaped dict of a litellm response or chunk."""
    raw = response.model_dump() if hasattr(response, "model_dump") else dict(response)
    shaped: dict[str, Any] = _plain(raw)
    for choice in shaped.get("choices") or []:
        if not isinstance(choice, dict):
            continue
        # Keys OpenAI sends as null, which clients (and restore) may rely on.
        choice.setdefault("finish_reason", None)
        if isinstance(choice.get("message"), dict):
            choice["message"].setdefault("content", None)
        if text:
            choice.setdefault("text", "")
    return shaped


# The litellm function and the body fields it takes as keywords, per endpoint.
_CALLS: Mapping[Endpoint, tuple[str, frozenset[str]]] = {
    Endpoint.CHAT: ("acompletion", _CHAT_PARAMS),
    Endpoint.COMPLETIONS: ("atext_completion", _COMPLETION_PARAMS),
    Endpoint.EMBEDDINGS: ("aembedding", _EMBEDDING_PARAMS),
}


async def _call(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    stream: bool,
    timeout: float,
    retries: int,
    backoff: float,
) -> Any:
    """One litellm call, retried as configured."""
    litellm = _load()
    function, params = _CALLS[endpoint]
    kwargs = _call_kwargs(target, body, params, timeout)
    if stream:
        kwargs["stream"] = True
    call = getattr(litellm, function)
    return await with_retries(
        target, lambda: call(**kwargs), timeout=timeout, retries=retries, backoff=backoff
    )


async def reply(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """The whole reply, as an OpenAI-shaped dict."""
    response = await _call(target, body, endpoint, False, timeout, retries, backoff)
    return _openai_dict(response, text=endpoint is Endpoint.COMPLETIONS)


async def open_stream(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> AsyncIterator[dict[str, Any]]:
    """The chunks of a stream opened (and retried) before this returns, as OpenAI-shaped dicts."""
    source = await _call(target, body, endpoint, True, timeout, retries, backoff)
    _keep_only_what_is_read(source)
    return _dicts(_stream(target, source, timeout), text=endpoint is Endpoint.COMPLETIONS)


def _keep_only_what_is_read(source: Any) -> None:
    """litellm's stream wrapper keeps every chunk it returns (`chunks`), to rebuild the reply at
    the end for its success callbacks and the usage chunk. Without a usage chunk to send
    (`_built_for_usage_only`), it reads only a few of them: kept, a 1,000-chunk stream's 7,000
    objects survived into the older GC generations, whose collections then took 1-2 ms (the
    middle one) and 10-30 ms (the oldest) with the gateway's heap, on the event loop."""
    kept = getattr(source, "chunks", None)
    if type(kept) is list and getattr(source, "send_stream_usage", True) is False:
        source.chunks = _ReadChunks(kept)


class _ReadChunks(list[Any]):
    """The chunks litellm 1.110's `CustomStreamWrapper` reads when it sends no usage chunk:
    the last two (`raise_on_model_repetition` compares their contents), every one that carries
    usage (`_reported_total_usage` adds them up) and the latest with a `service_tier` (which
    `finish_reason_handler` copies into the last chunk). Every other chunk is dropped once it
    is no longer one of the last two; the wrapper only ever appends."""

    def append(self, chunk: Any) -> None:
        if len(self) >= 2 and not self._read(self[-2], later=(self[-1], chunk)):
            del self[-2]
        super().append(chunk)

    @staticmethod
    def _read(chunk: Any, later: tuple[Any, Any]) -> bool:
        if getattr(chunk, "usage", None) is not None:
            return True
        return _tier(chunk) and not any(_tier(newer) for newer in later)


def _tier(chunk: Any) -> bool:
    tier = getattr(chunk, "service_tier", None)
    return isinstance(tier, str) and bool(tier)


async def _dicts(chunks: AsyncIterator[Any], *, text: bool) -> AsyncIterator[dict[str, Any]]:
    try:
        async for chunk in chunks:
            yield _openai_dict(chunk, text=text)
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


_LITELLM_TYPES = {
    "chat": "ModelResponse",
    "chunk": "ModelResponseStream",
    "text": "TextCompletionResponse",
    "embedding": "EmbeddingResponse",
}


def litellm_object(reply: Mapping[str, Any], kind: str) -> Any:
    """An OpenAI-shaped dict as the object litellm itself would return (`ModelResponse`, ...),
    for `privacy_guard.completion()`: code written against litellm keeps working unchanged."""
    litellm = _load()
    return getattr(litellm, _LITELLM_TYPES[kind])(**reply)
