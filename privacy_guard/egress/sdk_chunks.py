"""Streams of litellm's `openai/` models, read through the OpenAI SDK at less cost per chunk.

Two costs of the SDK's streams, about 140 us of CPU per chunk together in litellm 1.110, a
third of the whole stream's, are cut here; what the stream yields does not change.

**The chunk's object.** The SDK builds each streamed chunk with `construct_type`: no validation,
a recursive walk over the model's type hints in Python, about 100 us for a one-token chunk.
pydantic's own validator builds the same object in about 5 us. In strict mode it coerces
nothing, so whatever it accepts is exactly what `construct_type` would have built from the same
dict, except that it also counts extra keys (say `reasoning_content`) as set fields;
`_as_constructed` takes them out again. What strict validation refuses (a finish reason the SDK
does not list, a number sent as a string, ...) goes to the SDK's own code, as before.
tests/test_egress_sdk_chunks.py compares both builds field by field, fields-set and extras
included.

**An async generator per chunk.** `AsyncStream.__aiter__` is an async generator over the
stream's iterator, and litellm takes each chunk with a fresh `async for` that it leaves by
`return`: one generator per chunk, abandoned, which the event loop then closes in a task of its
own (scheduled through its self-pipe, a system call). The stream class given to the SDK here
is a subclass of the SDK's whose `__aiter__` returns the stream itself, so each `async for`
reads the same iterator directly.

Both apply to stream chunks of the two endpoints litellm streams (chat and text completions),
and only for clients of the class `fast_chunks_client` returns: via_litellm gives it to
litellm's OpenAI handlers alone, so OpenAI SDK clients created elsewhere are untouched.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar, get_args, get_origin

import pydantic

__all__ = ["FastChunks", "fast_chunks_client"]


def _chunk_types() -> tuple[type[pydantic.BaseModel], ...]:
    from openai.types import Completion
    from openai.types.chat import ChatCompletionChunk

    return (ChatCompletionChunk, Completion)


class FastChunks:
    """Mixin for an `openai.AsyncOpenAI` subclass (see the module's docstring)."""

    _fast_types: tuple[type[pydantic.BaseModel], ...] = ()
    _direct_streams = False
    _strict_response_validation: bool

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        stream_cls = kwargs.get("stream_cls")
        if stream_cls is not None and self._direct_streams:
            kwargs["stream_cls"] = _direct(stream_cls)
        return await super().post(*args, **kwargs)  # type: ignore[misc]

    def _process_response_data(self, *, data: object, cast_to: Any, response: Any) -> Any:
        if (
            cast_to in self._fast_types
            and isinstance(data, dict)
            and not self._strict_response_validation  # then the SDK validates: its own errors
        ):
            try:
                built = cast_to.model_validate(data, strict=True)
            except pydantic.ValidationError:
                pass  # not exactly the declared types: the SDK's lenient build, as before
            else:
                _as_constructed(built)
                return built
        return super()._process_response_data(  # type: ignore[misc]
            data=data, cast_to=cast_to, response=response
        )


def _as_constructed(model: pydantic.BaseModel) -> None:
    """Extra keys out of the fields-set, at every level, as `construct_type` leaves them."""
    extra = model.__pydantic_extra__
    fields_set = model.__pydantic_fields_set__
    if extra:
        fields_set.difference_update(extra)
    values = model.__dict__
    for name in fields_set:
        value = values.get(name)
        if isinstance(value, pydantic.BaseModel):
            _as_constructed(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, pydantic.BaseModel):
                    _as_constructed(item)


@functools.cache
def _direct_stream() -> type:
    from openai import AsyncStream

    chunk = TypeVar("chunk")

    class DirectAsyncStream(AsyncStream[chunk]):  # type: ignore[misc,valid-type]
        def __aiter__(self) -> DirectAsyncStream:  # type: ignore[override]
            return self

    return DirectAsyncStream


def _direct(stream_cls: Any) -> Any:
    """`AsyncStream[X]` as the same stream iterated without a generator per `async for`."""
    from openai import AsyncStream

    arguments = get_args(stream_cls)
    if get_origin(stream_cls) is not AsyncStream or len(arguments) != 1:
        return stream_cls  # another stream class: the SDK's business
    return _direct_stream()[arguments[0]]


def fast_chunks_client(base: type) -> type:
    """A subclass of the SDK client class `base` whose streamed chunks are built faster."""
    return type(
        base.__name__,
        (FastChunks, base),
        {"_fast_types": _chunk_types(), "_direct_streams": True},
    )
