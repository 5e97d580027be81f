"""Every benchmark script runs, at tiny sizes, so none can rot unnoticed (vs_naive_chain once
failed on a renamed Embedder attribute). Each runs as a user would, ``python -m benchmarks.NAME``,
in a temporary folder (its benchmarks/out lands there) on a copy of the default catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, offline_env
from tests.live_server import copy_data_dir

# script -> runs of it (arguments; {data} is a data dir, {tmp} the run's own folder); the order matters
# where one run builds what the next reads
SMOKE = {
    "cli_startup": [["--data-dir", "{data}", "--runs", "1"]],
    "load_api": [["--data-dir", "{data}", "--sessions", "2", "--duration", "2", "--warmup", "0.5",
                  "--processes", "0"]],
    "personalization": [["latency", "--data-dir", "{data}", "--users", "2", "--turns", "2"],
                        ["overlap", "--data-dir", "{data}", "--users", "2"],
                        ["accuracy", "--data-dir", "{data}", "--users", "3"],
                        ["ease", "--data-dir", "{data}", "--users", "3", "--l2", "500", "--neighbours", "100"],
                        ["tune", "--data-dir", "{data}", "--users", "3", "--l2", "500", "--neighbours", "100",
                         "--passes", "1"]],
    "popularity_recency": [[]],
    "scale_ingest": [["--items", "300", "--out", "{tmp}/scale"]],
    "retrieval_scale": [["--sizes", "300", "--modes", "embedded", "--reps", "2", "--where-reps", "1",
                         "--scale-dir", "{tmp}/scale"]],
    "turn_latency": [["--turns", "3", "--data-dir", "{data}", "--load-threads", "1", "--load-seconds", "1",
                      "--learned-rss", "--rss-repeats", "1"],
                     ["--turns", "2", "--data-dir", "{data}", "--cold", "--load-threads", "1",
                      "--load-seconds", "0.5", "--name", "turn_latency_cold"]],
    "understanding": [["--data-dir", "{data}", "--redial-limit", "3", "--show-errors", "0"]],
    "understanding_zh": [["--data-dir", "{data}", "--show-errors", "0"]],
    "multilingual_encoders": [["--data-dir", "{data}", "--items", "40", "--encoders", "minilm"]],
    "vs_naive_chain": [["--turns", "2", "--data-dir", "{data}"], ["--turns", "2", "--data-dir", "{data}", "--warm"]],
    "described_requests": [["--data-dir", "{data}", "--topics", "3"]],
}
# scripts that read ../shared/data (skipped where it is absent), by the file they need
NEEDS_SHARED = {"described_requests": ROOT.parent / "shared" / "data" / "movielens" / "ml-25m-movies" / "movies_w_keywords.csv"}
MODULES = {"common"}  # helpers, not scripts
# figures a script must print (over all its runs): the targets of issues 14 and 15 are read from these
PRINTS = {
    "cli_startup": ["scenerec ask:         median", "CPU time of ask:    median", "scenerec chat prompt: median"],
    "turn_latency": ["p95", "learned models: auto -> ranking:", "RSS with the learned bundle"],
    "described_requests": ["without film knowledge   precision@5", "with film knowledge      precision@5"],
}


def test_every_benchmark_script_has_a_smoke_run():
    scripts = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - MODULES - {"__init__"}
    assert scripts == set(SMOKE), f"give these a smoke run here: {sorted(scripts - set(SMOKE))}"


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory, data_dir) -> Path:
    """One folder for the module: the scale catalogue scale_ingest builds is what retrieval_scale reads."""
    folder = tmp_path_factory.mktemp("bench")
    copy_data_dir(data_dir, folder / "data")  # never in-process: this process has its SQLite files open
    return folder


@pytest.mark.parametrize("script", list(SMOKE))
def test_benchmark_runs_at_a_tiny_size(script, bench_dir):
    if script in NEEDS_SHARED and not NEEDS_SHARED[script].is_file():
        pytest.skip(f"needs {NEEDS_SHARED[script]}")
    printed = ""
    for args in SMOKE[script]:
        argv = [a.format(data=bench_dir / "data", tmp=bench_dir) for a in args]
        proc = subprocess.run([sys.executable, "-m", f"benchmarks.{script}", *argv], cwd=bench_dir,
                              env=offline_env(bench_dir), capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{script} {' '.join(argv)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        assert proc.stdout.strip(), f"{script} printed no figures"
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        printed += proc.stdout
    missing = [figure for figure in PRINTS.get(script, []) if figure not in printed]
    assert not missing, f"{script} did not print {missing}:\n{printed[-2000:]}"


def test_load_api_measures_replicas_on_postgresql_next_to_sqlite(bench_dir, postgres):
    """The comparison docs/scaling.md reports, at a tiny size: one SQLite replica, then two on PostgreSQL."""
    argv = ["--data-dir", str(bench_dir / "data"), "--postgresql", postgres.fresh_database("load_smoke"),
            "--sessions", "2", "--duration", "2", "--warmup", "0.5", "--processes", "0"]
    proc = subprocess.run([sys.executable, "-m", "benchmarks.load_api", *argv], cwd=bench_dir,
                          env=offline_env(bench_dir), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() if "turns/s" in ln]
    assert [ln.split(":")[0] for ln in lines] == ["1 replica, SQLite", "2 replicas, one PostgreSQL"], proc.stdout
    assert all(" 0 errors" in ln for ln in lines), proc.stdout
    assert "web1" in proc.stdout and "web2" in proc.stdout  # each replica's CPU, counted apart
