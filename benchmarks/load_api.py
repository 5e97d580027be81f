"""Bounded load test of the HTTP API on loopback: N concurrent conversations for T seconds.

Starts ``scenerec serve`` on a data dir (or targets a running server with --url and --key),
runs N concurrent sessions that each hold short multi-turn dialogues, and prints throughput,
per-turn latency percentiles and where the server spends a turn::

    python benchmarks/load_api.py --data-dir /tmp/scenerec-data --sessions 32 --duration 30 --rate 60

Messages are drawn from templates (scenes, genres, moods, titles, critiques; thousands of
distinct texts, seeded), so caches see realistic traffic, not five repeated lines.

Two ways to drive the server:
- closed loop (the default): every session sends its next turn as soon as the last one is
  answered (plus ``--think S``). This finds the saturation throughput, but by Little's law the
  mean latency is then sessions / throughput: queueing, not the turn, sets the latency.
- open loop (``--rate R``): turns arrive at R per second (Poisson), each taken by an idle one of
  the N sessions; latency counts from the arrival, so waiting for a free session or a busy
  server is included (no coordinated omission). This answers "does it hold R turns/s, and
  how fast are turns then?".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages and benchmarks.common

from benchmarks.common import percentile, rss_mb  # noqa: E402
OPENERS = [
    "something {mood} to watch with {company} tonight{avoid}",
    "I'm in the mood for a {genre} movie{era}",
    "we loved {title}, anything like it?",
    "{company} and I want a {mood} {genre} film{limit}",
    "recommend me a {genre} movie{avoid}",
    "any good {genre} from {decade}?",
    "I've seen {title} and {title2}, what else would I like?",
    "movie night with {company}, {limit_words}",
]
FOLLOW_UPS = [
    "something shorter", "more like the {ordinal} one", "{title} was great, more like that", "not {genre}",
    "something newer", "older please", "a bit more {mood}", "we've already seen {title}",
    "only highly rated ones", "what about {genre} instead?", "under {minutes} minutes please",
    "something less violent", "more like {title}",
]
SLOTS = {
    "mood": ["light", "funny", "dark", "feel-good", "thrilling", "romantic", "thoughtful", "scary", "uplifting", "relaxing"],
    "company": ["my two kids", "my partner", "friends", "my parents", "my girlfriend", "the family", "my roommate"],
    "genre": ["comedy", "sci-fi", "horror", "drama", "animated", "action", "romance", "thriller", "documentary",
              "western", "musical", "crime", "fantasy", "war", "mystery"],
    "title": ["Toy Story", "The Matrix", "Heat", "Jurassic Park", "Groundhog Day", "Fargo", "Alien", "Up",
              "Inception", "Amelie", "The Godfather", "Shrek", "Titanic", "Pulp Fiction", "Finding Nemo",
              "Casablanca", "Die Hard", "Clueless", "Se7en", "Mean Girls", "Terminator 2", "Frozen"],
    "era": ["", " from the 80s", " from the 90s", " from the last few years", " that is a classic"],
    "decade": ["the 70s", "the 80s", "the 90s", "the 2000s", "2010 onwards"],
    "avoid": ["", ", nothing scary", ", no horror please", ", nothing too long", ", not too violent"],
    "limit": ["", " under 2 hours", " under 90 minutes", " rated PG", " that's well reviewed"],
    "limit_words": ["about an hour and a half", "nothing scary", "something everyone likes", "we have 2 hours"],
    "ordinal": ["first", "second", "third", "last"],
    "minutes": ["90", "100", "120", "105"],
}


def dialogue(rng: random.Random, turns: int = 5) -> list[str]:
    """A conversation: an opener and follow-ups, slots filled at random."""
    def fill(template: str) -> str:
        values = {k: rng.choice(v) for k, v in SLOTS.items()}
        values["title2"] = rng.choice(SLOTS["title"])
        return template.format(**values)
    return [fill(rng.choice(OPENERS))] + [fill(rng.choice(FOLLOW_UPS)) for _ in range(turns - 1)]
UNLIMITED = {"SCENEREC_API_TURNS_PER_MINUTE_PER_KEY": "100000000", "SCENEREC_API_TURNS_PER_MINUTE_PER_IP": "100000000",
             "SCENEREC_API_SESSIONS_PER_HOUR_PER_KEY": "100000000", "SCENEREC_API_SESSIONS_PER_HOUR_PER_IP": "100000000"}


async def send_turn(client: httpx.AsyncClient, session: str, message: str, since: float, record: dict) -> None:
    """One turn; its latency counts from ``since`` (perf_counter seconds)."""
    try:
        r = await client.post("/v1/chat", json={"session_id": session, "message": message})
    except httpx.HTTPError as e:  # a timeout or reset counts as an error; the run goes on
        record["errors"].append(type(e).__name__)
        return
    if r.status_code != 200:
        record["errors"].append(r.status_code)
        return
    record["latencies"].append((time.perf_counter() - since) * 1000)
    for stage, ms in r.json()["timings_ms"].items():
        record["stages"].setdefault(stage, []).append(ms)


async def conversation_loop(clients: list[httpx.AsyncClient], worker: int, stop_at: float, record: dict,
                            think: float = 0.0, tickets: asyncio.Queue | None = None, seed: int = 0) -> None:
    """Hold 5-turn dialogues, one after another, until the deadline. Closed loop: the next turn
    follows the last answer (+ think). Open loop: each turn waits for an arrival ticket. With
    several servers (replicas) each turn goes to the next one: a conversation alternates."""
    rng = random.Random(seed * 1000 + worker)
    while time.monotonic() < stop_at:
        try:
            r = await clients[worker % len(clients)].post("/v1/sessions")
        except httpx.HTTPError as e:
            record["errors"].append(type(e).__name__)
            await asyncio.sleep(0.1)
            continue
        if r.status_code != 200:  # e.g. a 429 from a server with its limits on (--url)
            record["errors"].append(r.status_code)
            await asyncio.sleep(0.1)
            continue
        session = r.json()["session_id"]
        for n, message in enumerate(dialogue(rng)):
            client = clients[(worker + n) % len(clients)]
            if tickets is not None:
                try:
                    arrival = await asyncio.wait_for(tickets.get(), timeout=max(0.0, stop_at - time.monotonic()))
                except asyncio.TimeoutError:
                    return
            else:
                arrival = time.perf_counter()
            if time.monotonic() >= stop_at:
                return
            await send_turn(client, session, message, arrival, record)
            if think:
                await asyncio.sleep(think)


async def arrivals(rate: float, stop_at: float, tickets: asyncio.Queue, seed: int) -> None:
    """Poisson arrivals at ``rate`` per second; each ticket carries its scheduled time."""
    rng = random.Random(seed)
    due = time.perf_counter()
    while time.monotonic() < stop_at:
        due += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tickets.put_nowait(due)


async def drive(clients: list[httpx.AsyncClient], sessions: int, duration: float, think: float, rate: float | None,
                seed: int) -> tuple[dict, float, int]:
    record: dict = {"latencies": [], "errors": [], "stages": {}}
    started = time.monotonic()
    stop_at = started + duration
    tickets: asyncio.Queue | None = asyncio.Queue() if rate else None
    jobs = [conversation_loop(clients, w, stop_at, record, think, tickets, seed) for w in range(sessions)]
    if rate:
        jobs.append(arrivals(rate, stop_at, tickets, seed))
    await asyncio.gather(*jobs)
    return record, time.monotonic() - started, tickets.qsize() if tickets else 0


async def run_load(url: str | list[str], key: str, sessions: int, duration: float, warmup: float, think: float,
                   rate: float | None = None, seed: int = 0, cpu=lambda: {}) -> dict:
    """Warm up, then measure; ``cpu()`` returns CPU seconds by process, read around the measured part."""
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    headers = {"Authorization": f"Bearer {key}"}
    urls = [url] if isinstance(url, str) else url
    clients = [httpx.AsyncClient(base_url=u, headers=headers, limits=limits, timeout=60, trust_env=False) for u in urls]
    try:
        if warmup:
            await drive(clients, sessions, warmup, think, rate, seed + 1)
        cpu_before = cpu()
        record, elapsed, unserved = await drive(clients, sessions, duration, think, rate, seed)
        cpu_after = cpu()
    finally:
        for client in clients:
            await client.aclose()
    lat = record["latencies"]
    return {
        "sessions": sessions, "think_s": think, "offered_rate": rate, "unserved_arrivals": unserved,
        "duration_s": round(elapsed, 2), "turns": len(lat), "errors": len(record["errors"]),
        "turns_per_s": round(len(lat) / elapsed, 2),
        "latency_ms": {"p50": round(percentile(lat, 50), 1), "p95": round(percentile(lat, 95), 1),
                       "p99": round(percentile(lat, 99), 1), "mean": round(statistics.fmean(lat), 1) if lat else None},
        "server_stage_ms_mean": {k: round(statistics.fmean(v), 2) for k, v in sorted(record["stages"].items())},
        "cpu_ms_per_turn": {k: round((cpu_after[k] - cpu_before[k]) * 1000 / max(1, len(lat)), 2) for k in cpu_after},
    }


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def server_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds of the server process and of its children (the turn workers)."""
    return {"web": process_cpu_s(pid), "workers": sum(process_cpu_s(c) for c in children(pid))}


def server_rss_mb(pid: int) -> dict[str, float]:
    """Resident memory of the server process and of its children, in MB."""
    return {"web": rss_mb(pid)["rss_mb"] or 0.0,
            "workers": round(sum(rss_mb(c)["rss_mb"] or 0.0 for c in children(pid)), 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, threads: int | None, processes: int | None,
                 database_url: str | None = None) -> subprocess.Popen:
    env = {**os.environ, **UNLIMITED, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    if database_url:
        env["SCENEREC_DATABASE_URL"] = database_url
    if threads:
        env["SCENEREC_API_TURN_THREADS"] = str(threads)
    if processes is not None:
        env["SCENEREC_API_TURN_PROCESSES"] = str(processes)
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


def secret_key(data_dir: Path, database_url: str | None) -> str:
    """A fresh secret key in the store the servers read (the data dir's SQLite file, or PostgreSQL)."""
    from agent.settings import load_settings
    from store import open_database
    from ui.api.keys import KeyStore

    db = open_database(load_settings(data_dir=data_dir, database_url=database_url), "api")
    try:
        return KeyStore(db).create("secret", label="load test").token
    finally:
        db.close()


def replica_dirs(data_dir: Path, replicas: int, scratch: Path) -> list[Path]:
    """The data dir for the first replica; copies (made by ``cp -a``) for the others."""
    dirs = [data_dir]
    for n in range(1, replicas):
        copy = scratch / f"replica{n}"
        subprocess.run(["cp", "-a", str(data_dir), str(copy)], check=True)
        dirs.append(copy)
    return dirs


def measure(name: str, data_dir: Path, args, database_url: str | None = None, replicas: int = 1,
            processes: int | None = None) -> dict:
    """Start ``replicas`` servers (sharing ``database_url`` when given), load them, stop them."""
    import tempfile

    if database_url:
        from store.migrate import upgrade
        from store.postgres import PostgresDatabase

        db = PostgresDatabase(database_url, max_size=1)
        try:
            upgrade(db)
        finally:
            db.close()
    with tempfile.TemporaryDirectory(prefix="scenerec-load-") as scratch:
        key = secret_key(data_dir, database_url)
        procs: list[subprocess.Popen] = []
        try:
            urls = []
            for d in replica_dirs(data_dir, replicas, Path(scratch)):
                port = free_port()
                procs.append(start_server(d, port, args.threads, processes, database_url))
                urls.append(f"http://127.0.0.1:{port}")

            def cpu() -> dict[str, float]:
                total = {"client": process_cpu_s(os.getpid())}
                for n, proc in enumerate(procs):
                    for part, s in server_cpu_s(proc.pid).items():
                        total[f"{part}{n + 1 if len(procs) > 1 else ''}"] = s
                return total

            result = asyncio.run(run_load(urls, key, args.sessions, args.duration, args.warmup, args.think,
                                          args.rate, args.seed, cpu))
            result["server_rss_mb"] = {f"{k}{n + 1 if len(procs) > 1 else ''}": v for n, proc in enumerate(procs)
                                       for k, v in server_rss_mb(proc.pid).items()}
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
    result["name"] = name
    return result


def report(result: dict, args) -> None:
    lat = result["latency_ms"]
    mode = f"open loop, {args.rate} turns/s offered" if args.rate else f"closed loop, think {args.think} s"
    print(f"{result.get('name', 'server')}: {result['sessions']} sessions ({mode}), {result['duration_s']} s: "
          f"{result['turns']} turns, {result['turns_per_s']} turns/s, {result['errors']} errors "
          f"[{result['cpus']} CPUs, load average {result['load_average_before']} before the run]")
    print(f"  per-turn latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  mean {lat['mean']}")
    print("  server time per turn, mean ms: " + ", ".join(f"{k} {v}" for k, v in result["server_stage_ms_mean"].items()))
    print("  CPU per turn, ms: " + ", ".join(f"{k} {v}" for k, v in result["cpu_ms_per_turn"].items()))
    if "server_rss_mb" in result:
        print("  server memory (RSS) after the run, MB: "
              + ", ".join(f"{k} {v}" for k, v in result["server_rss_mb"].items()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, help="start `scenerec serve` on this data dir (default catalogue)")
    p.add_argument("--url", help="target a running server instead (needs --key); several comma-separated "
                                 "(replicas sharing one database): each conversation alternates between them")
    p.add_argument("--key", help="a secret API key for --url")
    p.add_argument("--postgresql", metavar="URL", help="with --data-dir: after one replica on the data dir's SQLite, "
                   "the same load on --replicas replicas sharing this PostgreSQL (migrated first), in the same run")
    p.add_argument("--replicas", type=int, default=2, help="replicas on --postgresql (default 2)")
    p.add_argument("--replica-processes", type=int, help="turn worker processes of each --postgresql replica "
                   "(default --processes; e.g. 1 each for 2 replicas against --processes 2 for the single one)")
    p.add_argument("--sessions", type=int, default=32)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--think", type=float, default=0.0, help="seconds each session waits between turns")
    p.add_argument("--rate", type=float, help="open loop: turns arriving per second (Poisson) across the sessions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--processes", type=int, help="server turn worker processes (SCENEREC_API_TURN_PROCESSES)")
    p.add_argument("--threads", type=int, help="server turn threads (SCENEREC_API_TURN_THREADS)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    if bool(args.url) == bool(args.data_dir) or (args.url and not args.key) or (args.postgresql and not args.data_dir):
        p.error("give either --data-dir (optionally with --postgresql), or --url with --key")

    results = []
    load_before = os.getloadavg()[0]
    if args.url:
        results.append(asyncio.run(run_load(args.url.split(","), args.key, args.sessions, args.duration, args.warmup,
                                            args.think, args.rate, args.seed,
                                            lambda: {"client": process_cpu_s(os.getpid())})))
    else:
        results.append(measure("1 replica, SQLite", args.data_dir, args, processes=args.processes))
    for result in results:
        result["cpus"], result["load_average_before"] = os.cpu_count(), round(load_before, 2)
    if args.postgresql:
        load_before = os.getloadavg()[0]
        each = args.processes if args.replica_processes is None else args.replica_processes
        result = measure(f"{args.replicas} replicas, one PostgreSQL", args.data_dir, args, args.postgresql,
                         args.replicas, each)
        result["cpus"], result["load_average_before"] = os.cpu_count(), round(load_before, 2)
        results.append(result)
    for result in results:
        report(result, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results if len(results) > 1 else results[0], indent=2))


if __name__ == "__main__":
    main()
