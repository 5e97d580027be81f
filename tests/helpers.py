"""Helpers shared by tests: paths and subprocess runs with the network blocked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
NETGUARD = Path(__file__).parent / "netguard"


def offline_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Environment for a subprocess with the network blocked (sockets + proxies + hub offline)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCENEREC_")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT)]),
        "SCENEREC_NETGUARD_LOG": str(tmp / "netguard.log"),
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
        "ALL_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost",
        "GRADIO_ANALYTICS_ENABLED": "False",
    })
    env.update(extra)
    return env


def run_cli(args: list[str], tmp: Path, timeout: float = 600, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=offline_env(tmp, **env),
                          capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_BOX = re.compile(r"[\u2500-\u257f]")  # rich's panel borders


def says(output: str, message: str) -> bool:
    """Whether a CLI's output carries ``message`` however the terminal wrapped it: rich draws errors
    in a box as wide as the terminal and folds long words (a temp path) across lines, so borders and
    all whitespace are ignored on both sides."""
    def flat(text: str) -> str:
        return "".join(_BOX.sub("", text).split())

    return flat(message) in flat(output)
