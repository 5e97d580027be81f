"""Per-turn latency of the embedded agent on the default catalogue (and the ingest time).

Usage: python benchmarks/turn_latency.py [--turns 200] [--data-dir DIR] [--fresh-ingest]

Prints p50/p95/p99 per turn and per stage over scripted multi-turn dialogues. Run it on an
idle machine; quote the medians.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

DIALOGUES = [
    ["something light and funny to watch with my two kids tonight, nothing scary",
     "we've already seen Toy Story, and something under 90 minutes", "is the first one scary?",
     "more like the second one"],
    ["a thriller from the 90s", "something shorter", "I loved Se7en", "how long is the first one?"],
    ["date night, something romantic but not too long", "anything but musicals", "older", "I'll watch the second one"],
    ["hi", "a sci-fi movie with aliens for movie night with friends", "something completely different",
     "well reviewed please"],
    ["I want a dark crime drama like The Godfather", "newer than 2000", "less violent", "start over"],
]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--fresh-ingest", action="store_true", help="time a first-use ingest in a temp dir")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from agent.settings import load_settings
    from agent.wiring import build_agent

    tmp = None
    data_dir = args.data_dir
    if args.fresh_ingest or data_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="scenerec-bench-"))
        data_dir = tmp / "data"
    t = time.perf_counter()
    agent = build_agent(load_settings(data_dir=data_dir))
    build_s = time.perf_counter() - t
    print(f"build_agent (incl. {'first-use ingest' if tmp else 'open'}): {build_s:.1f} s")
    t = time.perf_counter()
    build_agent(load_settings(data_dir=data_dir))
    print(f"second start (catalogue already complete): {time.perf_counter() - t:.1f} s")

    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    n = 0
    while n < args.turns:
        for dialogue in DIALOGUES:
            sid = None
            for msg in dialogue:
                t = time.perf_counter()
                r = agent.turn(msg, session_id=sid)
                totals.append((time.perf_counter() - t) * 1000)
                sid = r.session_id
                for k, v in r.timings_ms.items():
                    stages.setdefault(k, []).append(v)
                n += 1
    report = {
        "turns": len(totals), "items": len(agent.engine.items),
        "p50_ms": round(statistics.median(totals), 1), "p95_ms": round(percentile(totals, 95), 1),
        "p99_ms": round(percentile(totals, 99), 1), "build_s": round(build_s, 1),
        "stages_p50_ms": {k: round(statistics.median(v), 2) for k, v in stages.items()},
        "stages_p95_ms": {k: round(percentile(v, 95), 2) for k, v in stages.items()},
    }
    print(f"{report['turns']} turns over {report['items']} items: p50 {report['p50_ms']} ms, "
          f"p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms")
    for k in report["stages_p50_ms"]:
        print(f"  {k:24s} p50 {report['stages_p50_ms'][k]:8.2f} ms   p95 {report['stages_p95_ms'][k]:8.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
