"""Per-turn latency of the embedded agent on the default catalogue, by stage, and its memory.

Usage: python -m benchmarks.turn_latency [--turns 300] [--data-dir DIR] [--fresh-ingest]
                                          [--cold] [--load-threads 4 --load-seconds 20]
                                          [--learned-models auto|off|DIR] [--learned-rss]

Prints p50/p95/p99 per turn and per stage (understand, embed, retrieve, rank, explain) over
scripted multi-turn dialogues, the process RSS after warm-up, then throughput, latency and
peak RSS with several threads taking turns at once (the load a web server would see).
``--cold`` clears the query-embedding cache before every turn (each turn pays one MiniLM
call). The agent runs with the learned model bundle (``--learned-models``, default ``auto`` whatever
SCENEREC_LEARNED_MODELS says) and the ranking mode is printed. ``--learned-rss`` also builds the
agent in two fresh processes, bundle on and ``off``, and reports the RSS the bundle adds (after the
same warm-up turns). Target (issue 15): turn p95 <= 120 ms. Writes benchmarks/out/turn_latency.json
and .png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import plot, rss_mb, summary, write_report

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
DIALOGUES_ZH = [  # the same kinds of turns in Chinese (Simplified, Traditional, mixed)
    ["今晚想和两个孩子看点轻松搞笑的，不要恐怖片", "我们看过《玩具总动员》了，九十分钟以内的", "第一部吓人吗？",
     "第二部那样的"],
    ["九十年代的惊悚片", "短一点的", "我很喜欢《七宗罪》", "第一部有多长？"],
    ["約會看的，浪漫一點但別太長", "除了歌舞片都行", "更老一点", "就看第二部吧"],
    ["你好", "和朋友电影之夜，想看外星人的科幻片", "完全不一样的", "要评分高的"],
    ["有没有像 The Godfather 一样黑暗的犯罪片", "2000年以后的", "太暴力了，温和一点", "重新开始"],
]
STAGES = ("understand", "embed", "retrieve", "rank", "explain")


def run_dialogues(agent, turns: int, cold: bool = False, stop: threading.Event | None = None,
                  dialogues: list[list[str]] = DIALOGUES):
    """Take ``turns`` turns (or until ``stop``); returns per-turn totals and per-stage times in ms."""
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    while len(totals) < turns and not (stop and stop.is_set()):
        for dialogue in dialogues:
            sid = None
            for msg in dialogue:
                if cold:
                    agent.engine.vectors.embedder.clear_cache()
                t = time.perf_counter()
                r = agent.turn(msg, session_id=sid)
                totals.append((time.perf_counter() - t) * 1000)
                sid = r.session_id
                for k, v in r.timings_ms.items():
                    stages.setdefault(k, []).append(v)
    return totals, stages


def under_load(agent, threads: int, seconds: float, dialogues: list[list[str]] = DIALOGUES) -> dict:
    """Several threads take turns for ``seconds``; returns throughput, latency and peak RSS."""
    stop = threading.Event()
    results: list[list[float]] = [[] for _ in range(threads)]
    peak = {"rss_mb": 0.0}

    def worker(i: int) -> None:
        results[i] = run_dialogues(agent, 10**9, stop=stop, dialogues=dialogues)[0]

    def sample() -> None:
        while not stop.is_set():
            peak["rss_mb"] = max(peak["rss_mb"], rss_mb()["rss_mb"])
            time.sleep(0.2)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)] + [threading.Thread(target=sample)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    totals = [x for r in results for x in r]
    return {"threads": threads, "seconds": round(elapsed, 1), "turns": len(totals),
            "turns_per_s": round(len(totals) / elapsed, 1), "latency_ms": summary(totals),
            "peak_rss_mb_sampled": peak["rss_mb"], "peak_rss_mb_process": rss_mb()["peak_rss_mb"]}


def fresh_process_rss(data_dir: Path, learned_models: str, turns: int = 40) -> dict:
    """Memory of a fresh process that built the agent with ``learned_models`` and took ``turns``
    turns: its RSS, and its anonymous part (``RssAnon``: what the process allocated, without the
    file pages of the model and libraries, which the kernel may drop and re-read under pressure)."""
    code = ("import json; from pathlib import Path; from agent.settings import load_settings; "
            "from agent.wiring import build_agent; from benchmarks.turn_latency import run_dialogues; "
            f"a = build_agent(load_settings(data_dir={str(data_dir)!r}, learned_models={learned_models!r})); "
            f"run_dialogues(a, {turns}); "
            "f = dict(l.split(':', 1) for l in Path('/proc/self/status').read_text().splitlines()); "
            "mb = lambda k: round(int(f[k].split()[0]) / 1024, 1); "
            "print(json.dumps({'mode': a.ranking_mode, 'rss_mb': mb('VmRSS'), 'anon_mb': mb('RssAnon')}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def learned_rss(data_dir: Path, learned_models: str, repeats: int = 2) -> dict:
    """The memory the learned bundle adds: fresh processes with it and without (``off``), taken in
    turn ``repeats`` times each; medians."""
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    for _ in range(repeats):
        runs["on"].append(fresh_process_rss(data_dir, learned_models))
        runs["off"].append(fresh_process_rss(data_dir, "off"))
    med = {side: {"mode": r[0]["mode"], **{k: statistics.median(x[k] for x in r) for k in ("rss_mb", "anon_mb")}}
           for side, r in runs.items()}
    return {**med, "repeats": repeats, "delta_rss_mb": round(med["on"]["rss_mb"] - med["off"]["rss_mb"], 1),
            "delta_anon_mb": round(med["on"]["anon_mb"] - med["off"]["anon_mb"], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--fresh-ingest", action="store_true", help="time a first-use ingest in a temp dir")
    ap.add_argument("--cold", action="store_true", help="no query-embedding cache")
    ap.add_argument("--load-threads", type=int, default=4)
    ap.add_argument("--load-seconds", type=float, default=20)
    ap.add_argument("--name", default="turn_latency")
    ap.add_argument("--language", choices=("en", "zh"), default="en", help="the language of the dialogues")
    ap.add_argument("--learned-models", default="auto",
                    help="the learned model bundle: auto (default, whatever SCENEREC_LEARNED_MODELS says), off or a folder")
    ap.add_argument("--learned-rss", action="store_true",
                    help="also measure the memory the bundle adds (fresh processes, bundle on and off)")
    ap.add_argument("--rss-repeats", type=int, default=2, help="fresh processes per side for --learned-rss")
    args = ap.parse_args()

    from agent.settings import load_settings
    from agent.wiring import build_agent, settle_heap

    tmp = None
    data_dir = args.data_dir
    if args.fresh_ingest or data_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="scenerec-bench-"))
        data_dir = tmp / "data"
    t = time.perf_counter()
    agent = build_agent(load_settings(data_dir=data_dir, learned_models=args.learned_models))
    build_s = time.perf_counter() - t
    settle_heap()  # as a serving process does (ui.cli)
    print(f"build_agent (incl. {'first-use ingest' if tmp else 'open'}): {build_s:.1f} s")
    print(f"learned models: {args.learned_models} -> {agent.ranking_mode}")

    dialogues = DIALOGUES_ZH if args.language == "zh" else DIALOGUES
    run_dialogues(agent, 40, dialogues=dialogues)  # warm-up
    warm_rss = rss_mb()
    totals, stages = run_dialogues(agent, args.turns, cold=args.cold, dialogues=dialogues)
    report = {
        "catalogue_items": len(agent.engine), "language": args.language, "cold_embedding_cache": args.cold, "build_s": round(build_s, 1),
        "learned_models": args.learned_models, "ranking_mode": agent.ranking_mode,
        "turn_ms": summary(totals),
        "stages_ms": {k: summary(v) for k, v in stages.items() if k in STAGES},
        "rss_after_warmup": warm_rss,
    }
    print(f"{len(totals)} turns over {report['catalogue_items']} items: p50 {report['turn_ms']['p50']} ms, "
          f"p95 {report['turn_ms']['p95']} ms, p99 {report['turn_ms']['p99']} ms")
    for k, s in report["stages_ms"].items():
        print(f"  {k:12s} p50 {s['p50']:8.2f}   p95 {s['p95']:8.2f}   p99 {s['p99']:8.2f} ms  ({s['n']} turns)")
    print(f"RSS after warm-up: {warm_rss['rss_mb']} MB")
    if args.learned_rss:
        report["learned_rss"] = learned = learned_rss(data_dir, args.learned_models, args.rss_repeats)
        print(f"RSS with the learned bundle {learned['on']['rss_mb']} MB, without (off) {learned['off']['rss_mb']} MB: "
              f"{learned['delta_rss_mb']:+.1f} MB; anonymous memory {learned['on']['anon_mb']} vs "
              f"{learned['off']['anon_mb']} MB: {learned['delta_anon_mb']:+.1f} MB (medians of {learned['repeats']} "
              f"fresh processes each; {learned['on']['mode']})")
    if args.load_threads:
        load = under_load(agent, args.load_threads, args.load_seconds, dialogues)
        report["under_load"] = load
        print(f"under load ({load['threads']} threads, {load['seconds']} s): {load['turns_per_s']} turns/s, "
              f"p95 {load['latency_ms']['p95']} ms, peak RSS {load['peak_rss_mb_sampled']} MB")
    write_report(args.name, report)

    def draw(ax):
        names = [*report["stages_ms"], "turn"]
        rows = [*report["stages_ms"].values(), report["turn_ms"]]
        for offset, q in ((-0.25, "p50"), (0, "p95"), (0.25, "p99")):
            ax.barh([i + offset for i in range(len(names))], [r[q] for r in rows], height=0.25, label=q)
        ax.set_yticks(range(len(names)), names)
        ax.axvline(120, color="red", linestyle="--", label="target p95 (turn)")
        ax.set_xlabel("ms")
        ax.set_title(f"SceneRec turn latency by stage, {report['catalogue_items']:,} items (embedded)")
        ax.legend()

    plot(args.name, draw)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
