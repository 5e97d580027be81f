"""A minimal OpenAI-compatible server on loopback for tests: records requests, and can be
made slow or return a chosen (possibly invalid) structured reply."""

import json
import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.helpers import free_port


class FakeOpenAIServer:
    """A minimal OpenAI-compatible server on loopback that records each request body."""

    def __init__(self, delay_s: float = 0.0, structured_reply: str | None = None):
        self.requests: list[dict] = []
        self.delay_s = delay_s  # may be changed while the server runs
        self.structured_reply = structured_reply or json.dumps({"intent": "recommend"})
        app = FastAPI()

        @app.get("/v1/models")
        async def models():
            return {"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "test"}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            self.requests.append(body)
            if self.delay_s:
                import asyncio
                await asyncio.sleep(self.delay_s)
            text = self.structured_reply if body.get("response_format") else "Hello there, friend"
            if body.get("stream"):
                def events():
                    for piece in ("Hello ", "there, ", "friend"):
                        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        yield f"data: {json.dumps(chunk)}\n\n"
                    yield "data: [DONE]\n\n"
                return StreamingResponse(events(), media_type="text/event-stream")
            return JSONResponse({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": text}}],
                                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(5)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/v1"
