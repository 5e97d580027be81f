"""Shared by the benchmark scripts: percentiles, process memory, machine load, JSON + PNG output."""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path

OUT = Path("benchmarks/out")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank); NaN for no values."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def summary(values: list[float]) -> dict:
    """p50/p95/p99/mean in ms, rounded."""
    return {"n": len(values), "p50": round(statistics.median(values), 2), "p95": round(percentile(values, 95), 2),
            "p99": round(percentile(values, 99), 2), "mean": round(statistics.fmean(values), 2)}


def rss_mb(pid: int | str = "self") -> dict:
    """Current and peak resident memory of a process (Linux /proc), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


def machine() -> dict:
    """What the figures were measured on, including how busy the machine was."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_avg_1m_5m": [round(x, 2) for x in os.getloadavg()[:2]]}


def write_report(name: str, data: dict, out: Path = OUT) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data | {"machine": machine()}, indent=2))
    print(f"wrote {path}")
    return path


def plot(name: str, draw, out: Path = OUT) -> Path:
    """Save a figure drawn by ``draw(ax)`` as ``out/name.png`` (headless)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    draw(ax)
    fig.tight_layout()
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")
    return path
