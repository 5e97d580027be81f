"""A minimal OpenAI-compatible server on loopback for tests: records requests, and can be
made slow, stream slowly, break off a stream, refuse the json_schema response format, or return
a chosen (possibly invalid) structured reply."""

import asyncio
import json
import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.helpers import free_port


def _chunk(piece: str) -> str:
    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
    return f"data: {json.dumps(chunk)}\n\n"


class FakeOpenAIServer:
    """A minimal OpenAI-compatible server on loopback that records each request body.

    ``stream_pieces``: the streamed answer, one SSE chunk each, ``chunk_delay_s`` apart;
    ``break_after``: the stream stops after that many chunks without ``[DONE]`` (the connection
    is cut); ``refuse_json_schema``: a 400 for ``response_format`` type json_schema, as older
    llama.cpp servers answer."""

    def __init__(self, delay_s: float = 0.0, structured_reply: str | None = None,
                 stream_pieces: tuple[str, ...] = ("Hello ", "there, ", "friend"), chunk_delay_s: float = 0.0,
                 break_after: int | None = None, refuse_json_schema: bool = False):
        self.requests: list[dict] = []
        self.delay_s = delay_s  # may be changed while the server runs
        self.structured_reply = structured_reply or json.dumps({"intent": "recommend"})
        self.stream_pieces, self.chunk_delay_s, self.break_after = stream_pieces, chunk_delay_s, break_after
        app = FastAPI()

        @app.get("/v1/models")
        async def models():
            return {"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "test"}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            self.requests.append(body)
            fmt = body.get("response_format") or {}
            if refuse_json_schema and fmt.get("type") == "json_schema":
                return JSONResponse({"error": {"message": "response_format type must be one of \"text\" or "
                                               "\"json_object\", but got: json_schema", "code": 400}}, 400)
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            text = self.structured_reply if fmt else "".join(self.stream_pieces)
            if body.get("stream"):
                return StreamingResponse(self._events(), media_type="text/event-stream")
            return JSONResponse({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": text}}],
                                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def _events(self):
        for n, piece in enumerate(self.stream_pieces):
            if self.break_after is not None and n >= self.break_after:
                raise RuntimeError("stream broken off")  # uvicorn cuts the connection mid-response
            if n and self.chunk_delay_s:
                await asyncio.sleep(self.chunk_delay_s)
            yield _chunk(piece)
        yield "data: [DONE]\n\n"

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
