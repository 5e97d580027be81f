"""How fast the command line answers on a built catalogue: ``scenerec ask`` end to end, and
``scenerec chat`` until its prompt appears and until it answers a first message typed at once,
each in a fresh process (median of --runs).

Usage: python -m benchmarks.cli_startup --data-dir DIR [--runs 5] [--message "..."]

Targets (issue 14): ask <= 3 s per call, chat prompt <= 5 s (wall time; the CPU time is printed
too: on a shared machine the wall time mostly measures the wait for a core). Also lists which heavy modules a
built agent has imported (torch, sentence-transformers, gradio, fastapi, matplotlib must not be).
Writes benchmarks/out/cli_startup.json. Use a *copy* of a data dir: ``ask`` stores its sessions there.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import write_report

HEAVY = ("torch", "sentence_transformers", "transformers", "gradio", "fastapi", "matplotlib", "langchain_core")
PROMPT = b"you> "
CLI = [sys.executable, "-m", "ui.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_ask(data_dir: Path, message: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``scenerec ask``: on a busy shared machine the wall time
    mostly measures the queue for a core, the CPU time what the command costs."""
    cpu, t = _children_cpu(), time.perf_counter()
    proc = subprocess.run([*CLI, "ask", "--data-dir", str(data_dir), message], capture_output=True, text=True,
                          timeout=600)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"ask failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu


def time_chat(data_dir: Path, message: str) -> tuple[float, float]:
    """Seconds from starting ``scenerec chat`` until its first prompt, and until its answer to a
    message typed at once (the agent is built while the prompt waits)."""
    t = time.perf_counter()
    proc = subprocess.Popen([*CLI, "chat", "--data-dir", str(data_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def read_to_prompt() -> float:
        seen = b""
        while not seen.endswith(PROMPT):
            byte = proc.stdout.read(1)
            if not byte:
                raise RuntimeError(f"chat ended before its prompt: {seen[-500:]!r}")
            seen += byte
        return time.perf_counter() - t

    try:
        prompt = read_to_prompt()
        proc.stdin.write(message.encode() + b"\n")
        proc.stdin.flush()
        answered = read_to_prompt()
        proc.communicate(b"quit\n", timeout=60)
        return prompt, answered
    finally:
        if proc.poll() is None:
            proc.kill()


def heavy_modules(data_dir: Path) -> list[str]:
    """The heavy modules a process holds once its agent is built and has taken one turn."""
    code = ("import sys; from agent.settings import load_settings; from agent.wiring import build_agent; "
            f"a = build_agent(load_settings(data_dir={str(data_dir)!r})); a.turn('a comedy'); "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return proc.stdout.split()


def describe(values: list[float]) -> dict:
    return {"runs": len(values), "median_s": round(statistics.median(values), 2),
            "min_s": round(min(values), 2), "max_s": round(max(values), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--message", default="a thriller from the 90s, under 2 hours")
    args = ap.parse_args()

    first = time_ask(args.data_dir, args.message)  # a first call may still build what later calls load
    asks = [time_ask(args.data_dir, args.message) for _ in range(args.runs)]
    ask, ask_cpu = describe([wall for wall, _ in asks]), describe([cpu for _, cpu in asks])
    chats = [time_chat(args.data_dir, args.message) for _ in range(args.runs)]
    chat, chat_answer = describe([p for p, _ in chats]), describe([a for _, a in chats])
    heavy = heavy_modules(args.data_dir)
    print(f"first ask:            {first[0]:.2f} s ({first[1]:.2f} s CPU; builds the warm cache of derived models "
          f"if it is missing or from another catalogue version)")
    print(f"scenerec ask:         median {ask['median_s']:.2f} s (min {ask['min_s']:.2f}, max {ask['max_s']:.2f}; "
          f"{args.runs} runs; target <= 3 s)")
    print(f"  CPU time of ask:    median {ask_cpu['median_s']:.2f} s (user + system; what it costs on an idle core)")
    print(f"scenerec chat prompt: median {chat['median_s']:.2f} s (min {chat['min_s']:.2f}, max {chat['max_s']:.2f}; "
          f"target <= 5 s)")
    print(f"  chat's first answer: median {chat_answer['median_s']:.2f} s after start (message typed at the prompt)")
    print(f"heavy modules after a turn: {', '.join(heavy) or 'none'}")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    write_report("cli_startup", {"first_ask": {"wall_s": round(first[0], 2), "cpu_s": round(first[1], 2)}, "ask": ask, "ask_cpu": ask_cpu, "chat_prompt": chat, "chat_first_answer": chat_answer,
                                 "heavy_modules": heavy, "message": args.message})


if __name__ == "__main__":
    main()
