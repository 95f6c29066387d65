"""An existing FastAPI app, protected by privacy-guard in both ways.

1. `PrivacyGuardMiddleware` serves the OpenAI-compatible routes (`/v1/chat/completions`, ...)
   next to the app's own: point any OpenAI SDK at `http://localhost:8000/v1`.
2. The app's own handler `/summarise` calls the model itself, with `privacy_guard.acompletion`
   instead of `litellm.acompletion`: the same policy, for the team whose key the request carries.

Every other route (`/`, `/ticker`, `/ws`) is the app's own business and passes through untouched.

    pip install /path/to/privacy-guard fastapi   # this repository (distribution llm-privacy-guard),
                                                 # or its wheel; never `privacy-guard` from PyPI
    PRIVACY_GUARD_CONFIG=privacy-guard.yaml uvicorn examples.fastapi_app:app
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

import privacy_guard
from privacy_guard.gateway import GatewayError


class Note(BaseModel):
    text: str
    model: str = "gpt-4o-mini"


def build(gateway: Any = None) -> FastAPI:
    """The app; `gateway` shares an existing one (tests), else the config is found as usual."""
    app = FastAPI(title="notes")
    # The middleware's own options: config path (or a loaded config), or a gateway to share.
    app.add_middleware(
        privacy_guard.PrivacyGuardMiddleware,
        config=os.environ.get("PRIVACY_GUARD_CONFIG"),
        gateway=gateway,
    )

    @app.get("/")
    async def index() -> dict[str, str]:
        return {"app": "notes", "status": "ok"}

    @app.post("/summarise")
    async def summarise(note: Note) -> dict[str, Any]:
        messages = [
            {"role": "system", "content": "Summarise the note in one sentence."},
            {"role": "user", "content": note.text},
        ]
        try:
            reply = await privacy_guard.acompletion(model=note.model, messages=messages)
        except GatewayError as error:  # a block, a bad model, a failing upstream, ...
            raise HTTPException(
                error.status, detail={"code": error.code, "message": error.message}
            ) from None
        return {"summary": reply.choices[0].message.content, "model": reply.model}

    @app.post("/summarise-sync")
    def summarise_sync(note: Note) -> dict[str, Any]:
        # A synchronous handler (FastAPI runs it in a worker thread): `completion`, as litellm's.
        try:
            reply = privacy_guard.completion(
                model=note.model, messages=[{"role": "user", "content": note.text}]
            )
        except GatewayError as error:
            raise HTTPException(
                error.status, detail={"code": error.code, "message": error.message}
            ) from None
        return {"summary": reply.choices[0].message.content, "model": reply.model}

    @app.post("/summarise-stream")
    async def summarise_stream(note: Note) -> StreamingResponse:
        chunks = await privacy_guard.acompletion(
            model=note.model, messages=[{"role": "user", "content": note.text}], stream=True
        )

        async def text() -> AsyncIterator[str]:
            async for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

        return StreamingResponse(text(), media_type="text/plain")

    @app.get("/ticker")
    async def ticker() -> StreamingResponse:
        async def ticks() -> AsyncIterator[bytes]:
            for i in range(5):
                yield f"tick {i}\n".encode()
                await asyncio.sleep(0.01)

        return StreamingResponse(ticks(), media_type="text/plain", headers={"x-app": "notes"})

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for message in websocket.iter_text():
            await websocket.send_text(f"echo: {message}")

    return app


# Starlette builds its middleware stack on the first request, so importing this builds nothing.
app = build()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
