"""Bounded load test of the HTTP API on loopback: N concurrent conversations for T seconds.

Starts ``scenerec serve`` on a data dir (or targets a running server with --url and --key),
runs N concurrent sessions that each hold short multi-turn dialogues, and prints throughput,
per-turn latency percentiles and where the server spends a turn::

    python benchmarks/load_api.py --data-dir /tmp/scenerec-data --sessions 32 --duration 30

With ``--think 0`` (the default) every session sends its next turn as soon as the last one is
answered, a closed loop: by Little's law the mean latency is then sessions / throughput, so
queueing, not the turn itself, sets the latency. ``--think S`` paces each session like a person.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DIALOGUE = [
    "something light and funny to watch with my two kids tonight, nothing scary",
    "something shorter",
    "a thrilling sci-fi movie from the 90s, under 2 hours",
    "more like the second one",
    "date night, something romantic but not too long",
]
UNLIMITED = {"SCENEREC_API_TURNS_PER_MINUTE_PER_KEY": "100000000", "SCENEREC_API_TURNS_PER_MINUTE_PER_IP": "100000000",
             "SCENEREC_API_SESSIONS_PER_HOUR_PER_KEY": "100000000"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


async def conversation_loop(client: httpx.AsyncClient, worker: int, stop_at: float, record: dict,
                            think: float = 0.0) -> None:
    """Hold dialogues of len(DIALOGUE) turns, one after another, until the deadline."""
    offset = worker % len(DIALOGUE)
    while time.monotonic() < stop_at:
        session = (await client.post("/v1/sessions")).json()["session_id"]
        for i in range(len(DIALOGUE)):
            if time.monotonic() >= stop_at:
                return
            t = time.perf_counter()
            r = await client.post("/v1/chat", json={"session_id": session,
                                                    "message": DIALOGUE[(i + offset) % len(DIALOGUE)]})
            latency = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                record["errors"].append(r.status_code)
                continue
            record["latencies"].append(latency)
            for stage, ms in r.json()["timings_ms"].items():
                record["stages"].setdefault(stage, []).append(ms)
            if think:
                await asyncio.sleep(think)


async def run_load(url: str, key: str, sessions: int, duration: float, warmup: float, think: float) -> dict:
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60, trust_env=False) as client:
        if warmup:
            await asyncio.gather(*(conversation_loop(client, w, time.monotonic() + warmup,
                                                     {"latencies": [], "errors": [], "stages": {}}, think)
                                   for w in range(sessions)))
        record: dict = {"latencies": [], "errors": [], "stages": {}}
        started = time.monotonic()
        await asyncio.gather(*(conversation_loop(client, w, started + duration, record, think)
                               for w in range(sessions)))
        elapsed = time.monotonic() - started
    lat = record["latencies"]
    return {
        "sessions": sessions, "think_s": think, "duration_s": round(elapsed, 2), "turns": len(lat), "errors": len(record["errors"]),
        "turns_per_s": round(len(lat) / elapsed, 2),
        "latency_ms": {"p50": round(percentile(lat, 50), 1), "p95": round(percentile(lat, 95), 1),
                       "p99": round(percentile(lat, 99), 1), "mean": round(statistics.fmean(lat), 1) if lat else None},
        "server_stage_ms_mean": {k: round(statistics.fmean(v), 2) for k, v in sorted(record["stages"].items())},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, threads: int | None) -> subprocess.Popen:
    env = {**os.environ, **UNLIMITED, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    if threads:
        env["SCENEREC_API_TURN_THREADS"] = str(threads)
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1, trust_env=False).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not become ready")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, help="start `scenerec serve` on this data dir (default catalogue)")
    p.add_argument("--url", help="target a running server instead (needs --key)")
    p.add_argument("--key", help="a secret API key for --url")
    p.add_argument("--sessions", type=int, default=32)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--think", type=float, default=0.0, help="seconds each session waits between turns")
    p.add_argument("--threads", type=int, help="server turn threads (SCENEREC_API_TURN_THREADS)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    if bool(args.url) == bool(args.data_dir) or (args.url and not args.key):
        p.error("give either --data-dir, or --url with --key")

    proc = None
    url, key = args.url, args.key
    if args.data_dir:
        sys.path.insert(0, str(ROOT))
        from agent.settings import load_settings
        from ui.api.keys import KeyStore

        key = KeyStore(load_settings(data_dir=args.data_dir).api_db_path).create("secret", label="load test").token
        port = free_port()
        proc = start_server(args.data_dir, port, args.threads)
        url = f"http://127.0.0.1:{port}"
    try:
        load_before = os.getloadavg()[0]
        result = asyncio.run(run_load(url, key, args.sessions, args.duration, args.warmup, args.think))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    result["cpus"], result["load_average_before"] = os.cpu_count(), round(load_before, 2)
    lat = result["latency_ms"]
    print(f"{result['sessions']} sessions (think {args.think} s), {result['duration_s']} s: {result['turns']} turns, "
          f"{result['turns_per_s']} turns/s, {result['errors']} errors "
          f"[{result['cpus']} CPUs, load average {result['load_average_before']} before the run]")
    print(f"per-turn latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  mean {lat['mean']}")
    print("server time per turn, mean ms: " + ", ".join(f"{k} {v}" for k, v in result["server_stage_ms_mean"].items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
