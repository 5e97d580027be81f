"""Real servers on loopback for the API and browser tests: uvicorn in a thread, or ``scenerec serve``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from tests.helpers import ROOT, free_port, offline_env


@contextmanager
def thread_server(app, port: int | None = None):
    """Serve an ASGI app on 127.0.0.1 in a background thread; yields the base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def cli_keys_create(data_dir: Path, tmp: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([sys.executable, "-m", "ui.cli", "keys", "create", "--data-dir", str(data_dir), *args],
                          cwd=ROOT, env=offline_env(tmp, **(env or {})), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@contextmanager
def cli_server(data_dir: Path, tmp: Path, port: int | None = None, **env: str):
    """``scenerec serve`` in a subprocess (networking blocked); yields the base URL, then stops it."""
    port = port or free_port()
    log = open(tmp / f"serve-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            cwd=ROOT, env=offline_env(tmp, **env), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"scenerec serve exited with {proc.returncode}: "
                                   + (tmp / f"serve-{port}.log").read_text()[-2000:])
            try:
                if httpx.get(f"{base}/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("scenerec serve did not become ready")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def copy_data_dir(source: Path, target: Path, without: tuple[str, ...] = ()) -> Path:
    """Copy a data dir (or any folder, or one file) whose SQLite files this process has open, from
    another process; then drop the copy's top-level entries matching ``without`` (globs).

    Never copy such files in-process (shutil.copytree/copy, ``open().read()``): closing any file
    descriptor on a file drops every POSIX lock this process holds on it, SQLite's included. Another
    process closing its last connection then believes it is alone, checkpoints and unlinks the
    -wal and -shm files under this process's live connections: a new connection here fails with
    "disk I/O error", and what the old ones write afterwards goes to an unlinked WAL
    (tests/test_sqlite_locks.py reproduces it).
    """
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    for pattern in without:
        for path in target.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return target


def client(base: str, key: str | None = None, origin: str | None = None, anon: str | None = None) -> httpx.Client:
    """An HTTP client for the test server (never through a proxy), with optional key, Origin and visitor id."""
    headers = {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if origin:
        headers["Origin"] = origin
    if anon:
        headers["X-SceneRec-Anon"] = anon
    return httpx.Client(base_url=base, headers=headers, timeout=60, trust_env=False)


def sse_events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    """A Server-Sent Events response's events (name, data), each as soon as it has arrived."""
    name, data = None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and name:
            yield name, json.loads("\n".join(data))
            name, data = None, []
