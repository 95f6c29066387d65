"""The text segments of a Responses API request (`POST /v1/responses`), validated strictly.

Every string the model will read is a segment, with its JSON path, in body order (so placeholder
numbers follow the conversation): `instructions`; `input` as a string or as items — messages
(`input_text`, `output_text`, `refusal` parts), `function_call.arguments` (a JSON document held in
a string: restored JSON-escaped), `function_call_output`, custom tool calls and their outputs,
MCP items (`mcp_call`, `mcp_list_tools`, approval requests and responses), shell, patch,
computer, search and code-interpreter items replayed from earlier turns, reasoning summaries;
`tools` (descriptions, parameter schemas; an MCP server's `authorization` and `headers` are
credentials, always a SECRET for the policy, and its `server_url` is read like any text);
`text.format` schemas; `prompt` variables; `metadata`, `user`, `safety_identifier` and
`prompt_cache_key`.

What is not read:
- identifiers the provider matches (`id`, `call_id`, `name`, `type`, `status`, `server_label`,
  file and vector-store ids, ...) — they must be identifier-like (letters, digits, `_.:/+=-`),
  else the request is refused, so no prose hides in them;
- `encrypted_content` of `reasoning` and `compaction` items: the provider's own encryption of
  what it produced from the (already redacted) conversation, passed back unchanged because it
  must decrypt and verify upstream; nobody here can read it, and it holds nothing the provider
  was not sent;
- images, files and audio (`input_image`, `input_file`, `input_audio`, computer screenshots,
  generated images): listed as non-text parts (as chat's `image_url`, `file`, `input_audio`) for
  the policy to judge; a file's `filename` is text.

Strictness: every top-level field, item, tool and content part is checked against the fields the
official `openai` SDK's type definitions name (tests/test_responses_request.py compares the
tables below with the installed SDK); anything else is a 400 naming its path. Inside those,
strings the tables do not single out are read as text, so a nested field added later is
inspected rather than forwarded unread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from privacy_guard.errors import PayloadError
from privacy_guard.payloads import (
    MAX_DEPTH,
    MAX_SEGMENTS,
    NonTextPart,
    Path,
    Segment,
    SegmentKind,
    _check_depth,
    _check_unicode,
    _Collector,
    _require,
    _schema_texts,
    _type,
)

ROUTE = "/v1/responses"

# Identifiers the provider matches or validates: never prose, never rewritten.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/+=-]{0,512}", re.ASCII)


@dataclass(frozen=True, slots=True)
class ResponsesRequest:
    """What the gateway needs of a Responses request, besides the body itself."""

    model: str
    stream: bool
    segments: tuple[Segment, ...]
    non_text_parts: tuple[NonTextPart, ...]
    previous_response_id: str | None  # a chain the provider keeps: see `privacy_guard.vault`
    conversation: str | None
    store: bool  # the provider keeps the response (the API's default: true)

    @property
    def chained(self) -> bool:
        """The provider holds earlier (redacted) turns this request builds on."""
        return self.previous_response_id is not None or self.conversation is not None


# --------------------------------------------------------------------------- field tables

# Item type -> its fields, from `openai.types.responses.response_input_param` (3.x). A message
# may omit `type` (EasyInputMessageParam); an item reference may too.
ITEM_FIELDS: Mapping[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "message": "type role content status id phase",
        "file_search_call": "type id queries results status",
        "computer_call": "type id call_id action actions pending_safety_checks status",
        "computer_call_output": "type id call_id output acknowledged_safety_checks status",
        "web_search_call": "type id action status",
        "function_call": "type id call_id name namespace arguments caller status async",
        "function_call_output": "type id call_id name namespace output caller status",
        "tool_search_call": "type id call_id arguments execution status",
        "tool_search_output": "type id call_id execution status tools",
        "additional_tools": "type id role tools",
        "configuration_update": "type id reasoning text",
        "reasoning": "type id summary content encrypted_content status",
        "compaction": "type id encrypted_content",
        "image_generation_call": (
            "type id action background error output_format quality result revised_prompt size "
            "status svg_usage"
        ),
        "code_interpreter_call": "type id code container_id outputs status",
        "local_shell_call": "type id call_id action status",
        "local_shell_call_output": "type id output status",
        "shell_call": "type id call_id action caller environment status",
        "shell_call_output": "type id call_id caller max_output_length output status",
        "apply_patch_call": "type id call_id caller operation status",
        "apply_patch_call_output": "type id call_id caller output status",
        "mcp_list_tools": "type id server_label tools error",
        "mcp_approval_request": "type id arguments name server_label",
        "mcp_approval_response": "type id approval_request_id approve reason",
        "mcp_call": ("type id approval_request_id arguments error name output server_label status"),
        "custom_tool_call": "type id call_id name namespace input caller async",
        "custom_tool_call_output": "type id call_id output caller",
        "compaction_trigger": "type id",
        "item_reference": "type id",
        "program": "type id call_id code fingerprint",
        "program_output": "type id call_id result status",
    }.items()
}

# Tool type -> its fields, from `openai.types.responses.tool_param`.
TOOL_FIELDS: Mapping[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "function": (
            "type name description parameters strict output_schema allowed_callers async "
            "defer_loading"
        ),
        "file_search": "type vector_store_ids filters max_num_results ranking_options",
        "computer": "type",
        "computer_use_preview": "type display_height display_width environment",
        "web_search": "type filters search_context_size user_location external_web_access",
        "web_search_2025_08_26": (
            "type filters search_context_size user_location external_web_access"
        ),
        "web_search_preview": "type search_context_size user_location search_content_types",
        "web_search_preview_2025_03_11": (
            "type search_context_size user_location search_content_types"
        ),
        "mcp": (
            "type server_label server_url server_description headers authorization "
            "connector_id allowed_tools require_approval allowed_callers defer_loading tunnel_id"
        ),
        "code_interpreter": "type container allowed_callers",
        "programmatic_tool_calling": "type",
        "image_generation": (
            "type action background complexity frame_count frame_duration_ms input_fidelity "
            "input_image_mask model moderation output_compression output_format partial_images "
            "quality size svg"
        ),
        "local_shell": "type",
        "shell": "type environment allowed_callers",
        "custom": "type name description format allowed_callers async defer_loading",
        "namespace": "type name description tools",
        "tool_search": "type description execution parameters",
        "apply_patch": "type allowed_callers",
    }.items()
}

# Content part type -> its fields (message content, tool outputs, prompt variables).
PART_FIELDS: Mapping[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "input_text": "type text prompt_cache_breakpoint",
        "input_image": "type image_url file_id detail prompt_cache_breakpoint",
        "input_file": "type file_data file_id file_url filename detail prompt_cache_breakpoint",
        "input_audio": "type input_audio",
        "output_text": "type text annotations logprobs",
        "refusal": "type refusal",
        "summary_text": "type text",
        "reasoning_text": "type text",
    }.items()
}

# Parts nobody can read here, named as chat's (so `NON_TEXT_ENTITIES` judges them alike).
_NON_TEXT = {
    "input_image": "image_url",
    "input_file": "file",
    "input_audio": "input_audio",
    "computer_screenshot": "image_url",
}

# Keys whose string values are identifiers, anywhere inside an item or a tool.
_ID_KEYS = frozenset(
    "id call_id type role status approval_request_id caller_id name namespace server_label "
    "file_id container_id connector_id tunnel_id fingerprint phase detail execution "
    "vector_store_ids".split()
)
_SCHEMA_KEYS = frozenset({"parameters", "output_schema", "input_schema", "schema"})
_OPAQUE_KEYS = frozenset({"encrypted_content"})

_ROLE_KIND = {
    "user": SegmentKind.USER,
    "assistant": SegmentKind.ASSISTANT,
    "system": SegmentKind.SYSTEM,
    "developer": SegmentKind.SYSTEM,
}
_ITEM_KIND: Mapping[str, SegmentKind] = {
    "mcp_list_tools": SegmentKind.TOOL_DEFINITION,
    "additional_tools": SegmentKind.TOOL_DEFINITION,
    "tool_search_output": SegmentKind.TOOL_DEFINITION,
    "configuration_update": SegmentKind.TOOL_DEFINITION,
    "mcp_approval_response": SegmentKind.USER,
    "file_search_call": SegmentKind.TOOL,
    "compaction": SegmentKind.OTHER,
    "compaction_trigger": SegmentKind.OTHER,
    "item_reference": SegmentKind.OTHER,
}
# Keys whose text is a tool's answer, whatever the item.
_TOOL_KEYS = frozenset({"output", "outputs", "error", "results", "result"})


# --------------------------------------------------------------------------- extraction


def extract_responses_segments(
    body: Any,
    *,
    endpoint: str = "create",
    max_segments: int = MAX_SEGMENTS,
    max_depth: int = MAX_DEPTH,
) -> ResponsesRequest:
    """Validate a `POST /v1/responses` body (or, by `endpoint`, a `compact` or `input_tokens`
    one: see `ENDPOINT_FIELDS`) and list its text segments, in body order.

    Raises PayloadError (400) naming the path and what was expected, never the value.
    """
    _require(body, dict, (), "an object")
    _check_depth(body, max_depth)
    out = _Collector(max_segments)
    known = ENDPOINT_FIELDS[endpoint]
    for key in body:
        if key not in known:
            raise PayloadError(
                (key,),
                "unsupported parameter: the gateway forwards only the Responses API parameters "
                "it knows, so that no text leaves uninspected",
            )
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise PayloadError(("model",), f"required; expected a non-empty string, got {_type(model)}")
    _check_unicode(("model",), model)
    for key, value in body.items():
        if value is not None and key != "model":
            TOP_LEVEL[key]((key,), value, out)
    previous = body.get("previous_response_id")
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    if previous is not None and conversation is not None:
        raise PayloadError(("conversation",), "cannot be used together with previous_response_id")
    store = body.get("store")
    return ResponsesRequest(
        model=model,
        stream=bool(body.get("stream")),
        segments=tuple(out.segments),
        non_text_parts=tuple(out.non_text),
        previous_response_id=previous or None,
        conversation=conversation or None,
        store=store is not False,
    )


Check = Callable[[Path, Any, _Collector], None]


def _input(path: Path, value: Any, out: _Collector) -> None:
    if isinstance(value, str):
        out.text(path, value, SegmentKind.USER)
        return
    _require(value, list, path, "a string or an array of input items")
    for i, item in enumerate(value):
        _item((*path, i), item, out)


def _item(path: Path, item: Any, out: _Collector) -> None:
    _require(item, dict, path, "an input item object")
    kind_name = item.get("type")
    if kind_name is None:
        kind_name = "message" if "role" in item else "item_reference"
    if not isinstance(kind_name, str) or kind_name not in ITEM_FIELDS:
        raise PayloadError(
            (*path, "type"), f"expected a known input item type, got {_type(kind_name)}"
        )
    _known_fields(path, item, ITEM_FIELDS[kind_name])
    if kind_name == "message":
        _message(path, item, out)
        return
    kind = _ITEM_KIND.get(kind_name, SegmentKind.ASSISTANT)
    for key, value in item.items():
        here = (*path, key)
        if key == "tools" and kind_name in ("additional_tools", "tool_search_output"):
            _tools(here, value, out)  # tool definitions, as in the request's own `tools`
            continue
        if kind_name == "image_generation_call" and key == "result":
            if value is not None:
                _require(value, str, here, "a string (base64 image)")
                out.opaque(here, "image_url")  # a generated image: judged as an image
            continue
        if kind_name == "custom_tool_call" and key == "input":
            _require(value, str, here, "a string")
            out.text(here, value, SegmentKind.TOOL_CALL_ARGUMENTS if _is_json(value) else kind)
            continue
        _walk(here, key, value, SegmentKind.TOOL if key in _TOOL_KEYS else kind, out)


def _is_json(text: str) -> bool:
    # A custom tool's input is free text, but some tools take JSON: restore it JSON-escaped
    # when it parses as an object, so the call stays valid.
    if not text.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _message(path: Path, item: Mapping[str, Any], out: _Collector) -> None:
    role = item.get("role")
    if not isinstance(role, str) or role not in _ROLE_KIND:
        raise PayloadError(
            (*path, "role"), f"expected one of {', '.join(_ROLE_KIND)}, got {_type(role)}"
        )
    kind = _ROLE_KIND[role]
    for key, value in item.items():
        here = (*path, key)
        if key == "content":
            if isinstance(value, str):
                out.text(here, value, kind)
            else:
                _parts(here, value, kind, out)
        elif value is not None:
            _identifier(here, value)


def _parts(path: Path, value: Any, kind: SegmentKind, out: _Collector) -> None:
    _require(value, list, path, "a string or an array of content parts")
    for k, part in enumerate(value):
        _part((*path, k), part, kind, out)


def _part(path: Path, part: Any, kind: SegmentKind, out: _Collector) -> None:
    _require(part, dict, path, "a content part object")
    part_type = part.get("type")
    if not isinstance(part_type, str) or part_type not in PART_FIELDS:
        raise PayloadError(
            (*path, "type"), f"expected one of {', '.join(PART_FIELDS)}, got {_type(part_type)}"
        )
    _known_fields(path, part, PART_FIELDS[part_type])
    _walk(path, None, part, kind, out)


def _tools(path: Path, value: Any, out: _Collector) -> None:
    _require(value, list, path, "an array of tools")
    for i, tool in enumerate(value):
        here = (*path, i)
        _require(tool, dict, here, "a tool object")
        tool_type = tool.get("type")
        if not isinstance(tool_type, str) or tool_type not in TOOL_FIELDS:
            raise PayloadError(
                (*here, "type"), f"expected a known tool type, got {_type(tool_type)}"
            )
        _known_fields(here, tool, TOOL_FIELDS[tool_type])
        for key, child in tool.items():
            if key == "tools":
                _tools((*here, key), child, out)  # a namespace's tools
            else:
                _walk((*here, key), key, child, _tool_kind(key), out)


def _tool_kind(key: str) -> SegmentKind:
    # An MCP server's token and headers are credentials by definition: a SECRET for the policy
    # whatever the detectors say (`SegmentKind.CREDENTIAL`). Its address is not prose but may
    # carry one (a token in the query): read like any text.
    if key in ("headers", "authorization"):
        return SegmentKind.CREDENTIAL
    if key == "server_url":
        return SegmentKind.OTHER
    return SegmentKind.TOOL_DEFINITION


def _walk(
    path: Path, key: str | int | None, value: Any, kind: SegmentKind, out: _Collector
) -> None:
    """Every string under `value` the model reads, by the key rules above; in body order."""
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(key, str):
        if key in _OPAQUE_KEYS:
            _require(value, str, path, "a string")
            return
        if key in _ID_KEYS:
            _identifier(path, value)
            return
        if key in _SCHEMA_KEYS and isinstance(value, dict):
            _schema_texts(path, value, out)
            return
        if key == "arguments" and isinstance(value, str):
            out.text(path, value, SegmentKind.TOOL_CALL_ARGUMENTS)
            return
    if isinstance(value, str):
        out.text(path, value, kind)
        return
    if isinstance(value, list):
        for k, child in enumerate(value):
            _walk((*path, k), k, child, kind, out)
        return
    _require(value, dict, path, "a JSON value")
    part_type = value.get("type")
    if isinstance(part_type, str) and part_type in _NON_TEXT:
        out.opaque(path, _NON_TEXT[part_type])
        filename = value.get("filename")
        if filename is not None:
            # The file itself is opaque, but its name is text that leaves with it.
            _require(filename, str, (*path, "filename"), "a string")
            out.text((*path, "filename"), filename, kind)
        return
    for child_key, child in value.items():
        _walk((*path, child_key), child_key, child, kind, out)


def _identifier(path: Path, value: Any) -> None:
    if isinstance(value, list):
        for k, child in enumerate(value):
            _identifier((*path, k), child)
        return
    if value is None or isinstance(value, bool | int | float):
        return
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise PayloadError(path, "expected an identifier (letters, digits, _.:/+=-)")


def _known_fields(path: Path, value: Mapping[str, Any], known: frozenset[str]) -> None:
    for key in value:
        if key not in known:
            raise PayloadError((*path, key), "unsupported field")


# --- top-level fields


def _text_of(kind: SegmentKind) -> Check:
    def check(path: Path, value: Any, out: _Collector) -> None:
        _require(value, str, path, "a string")
        out.text(path, value, kind)

    return check


def _text_config(path: Path, value: Any, out: _Collector) -> None:
    _require(value, dict, path, "an object")
    _known_fields(path, value, frozenset({"format", "verbosity"}))
    _walk(path, None, value, SegmentKind.TOOL_DEFINITION, out)


def _prompt(path: Path, value: Any, out: _Collector) -> None:
    _require(value, dict, path, "an object")
    _known_fields(path, value, frozenset({"id", "version", "variables"}))
    for key, child in value.items():
        if key == "variables":
            if child is None:
                continue
            _require(child, dict, (*path, key), "an object")
            for name, variable in child.items():
                here = (*path, key, name)
                if isinstance(variable, dict):
                    _part(here, variable, SegmentKind.PROMPT, out)
                else:
                    _require(variable, str, here, "a string or an input part")
                    out.text(here, variable, SegmentKind.PROMPT)
        else:
            _identifier((*path, key), child)


def _metadata(path: Path, value: Any, out: _Collector) -> None:
    _require(value, dict, path, "an object")
    for key, child in value.items():
        _require(child, str, (*path, key), "a string")
        out.text((*path, key), child, SegmentKind.OTHER)


def _conversation(path: Path, value: Any, out: _Collector) -> None:
    if isinstance(value, dict):
        _known_fields(path, value, frozenset({"id"}))
        _require(value.get("id"), str, (*path, "id"), "a string")
        _identifier((*path, "id"), value["id"])
    else:
        _require(value, str, path, "a string or an object with `id`")
        _identifier(path, value)


def _id(path: Path, value: Any, out: _Collector) -> None:
    _require(value, str, path, "a string")
    _identifier(path, value)


def _settings(path: Path, value: Any, out: _Collector) -> None:
    """Any JSON whose strings are all identifier-like (`"auto"`, `{"type": "function", ...}`)."""
    if isinstance(value, dict):
        for key, child in value.items():
            _settings((*path, key), child, out)
    elif isinstance(value, list):
        for k, child in enumerate(value):
            _settings((*path, k), child, out)
    elif isinstance(value, str):
        _identifier(path, value)


def _boolean(path: Path, value: Any, out: _Collector) -> None:
    _require(value, bool, path, "a boolean")


def _number(path: Path, value: Any, out: _Collector) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(path, f"expected a number, got {_type(value)}")


def _integer(path: Path, value: Any, out: _Collector) -> None:
    if type(value) is not int:
        raise PayloadError(path, f"expected an integer, got {_type(value)}")


def _tools_check(path: Path, value: Any, out: _Collector) -> None:
    _tools(path, value, out)


# Every parameter of `ResponseCreateParams` (openai 3.x) and how it is checked or read. Read in
# body order by `extract_responses_segments`.
TOP_LEVEL: Mapping[str, Check] = {
    "model": _id,
    "stream": _boolean,
    "input": _input,
    "instructions": _text_of(SegmentKind.SYSTEM),
    "tools": _tools_check,
    "text": _text_config,
    "prompt": _prompt,
    "metadata": _metadata,
    "user": _text_of(SegmentKind.OTHER),  # an end-user id: often an e-mail address
    "safety_identifier": _text_of(SegmentKind.OTHER),
    "prompt_cache_key": _text_of(SegmentKind.OTHER),
    "previous_response_id": _id,
    "conversation": _conversation,
    "tool_choice": _settings,
    "include": _settings,
    "reasoning": _settings,
    "service_tier": _settings,
    "truncation": _settings,
    "context_management": _settings,
    "image": _settings,
    "access_programs": _settings,
    "prompt_cache_options": _settings,
    "prompt_cache_retention": _settings,
    "stream_options": _settings,
    "background_options": _settings,
    "moderation": _settings,
    "store": _boolean,
    "background": _boolean,
    "parallel_tool_calls": _boolean,
    "temperature": _number,
    "top_p": _number,
    "max_output_tokens": _integer,
    "max_tool_calls": _integer,
    "top_logprobs": _integer,
    # `input_tokens` only (a setting: "friendly", "pragmatic").
    "personality": _settings,
    # Not in the SDK: Codex CLI's own (its `ResponsesApiRequest`), string values read as text.
    "client_metadata": _metadata,
}

# The parameters each endpoint takes (the SDK's ResponseCreateParams, ResponseCompactParams and
# InputTokenCountParams; tests compare them).
ENDPOINT_FIELDS: Mapping[str, frozenset[str]] = {
    "create": frozenset(TOP_LEVEL) - {"personality"},  # with Codex's `client_metadata`
    "compact": frozenset(
        "model input instructions previous_response_id prompt_cache_key prompt_cache_options "
        "prompt_cache_retention safety_identifier service_tier image".split()
        # Codex CLI's compaction request also carries its turn's settings: all read as for
        # `create`, and the provider judges whether it takes them.
        + "tools parallel_tool_calls reasoning text client_metadata".split()
    ),
    "input_tokens": frozenset(
        "model input instructions conversation parallel_tool_calls personality "
        "previous_response_id reasoning text tool_choice tools truncation".split()
    ),
}


__all__ = [
    "ENDPOINT_FIELDS",
    "ITEM_FIELDS",
    "PART_FIELDS",
    "ROUTE",
    "TOOL_FIELDS",
    "TOP_LEVEL",
    "ResponsesRequest",
    "extract_responses_segments",
]
