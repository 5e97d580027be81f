"""Real servers on loopback for tests (llama.cpp server, Chroma server), started as
subprocesses that the test owns: start, wait until healthy, kill, start again on the same port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import free_port

__all__ = ["ServerProcess", "free_port", "llama_cpp_server"]


class ServerProcess:
    def __init__(self, args: list[str], health_url: str, log: Path, start_timeout_s: float = 120):
        self.args = args
        self.health_url = health_url
        self.log = log
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args[:3]} exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.health_url, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.kill()
        raise RuntimeError(f"{self.args[:3]} did not become healthy in {self.start_timeout_s} s")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def llama_cpp_server(log: Path, model_alias: str = "smollm2", n_ctx: int = 2048) -> ServerProcess:
    """llama.cpp's OpenAI-compatible server with the packaged SmolLM2-135M on a free loopback
    port (not started); its ``base_url`` ends in /v1."""
    from agent.llm.local_llamacpp import packaged_smollm2_path

    port = free_port()
    server = ServerProcess(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(packaged_smollm2_path()), "--model_alias",
         model_alias, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)],
        f"http://127.0.0.1:{port}/v1/models", log)
    server.base_url = f"http://127.0.0.1:{port}/v1"
    return server
