"""CLI help on every command, the terminal chat, and the Gradio app over real HTTP."""

import socket

import pytest
from typer.testing import CliRunner

from ui.cli import app


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["chat"], ["ui"], ["serve"], ["keys"],
                                     ["keys", "create"], ["keys", "list"], ["keys", "revoke"]])
def test_help_everywhere(command):
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_ingest_reports_bad_files_clearly(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,year\n1,,2001\n")
    result = CliRunner().invoke(app, ["ingest", "--file", str(bad), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "line 2: missing title" in result.output and "nothing was written" in result.output


def test_terminal_chat(data_dir, tmp_path):
    from tests.helpers import ROOT, offline_env
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "ui.cli", "chat", "--data-dir", str(data_dir)], cwd=ROOT,
                          input="a scary movie from the 80s\nis the first one scary?\nquit\n",
                          env=offline_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1." in proc.stdout and "It may be" in proc.stdout


def test_gradio_chat_over_http(agent):
    from gradio_client import Client

    from ui.gradio_app import build_app

    demo = build_app(agent)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        history, cards, box = client.predict("a romantic comedy for date night", [], api_name="/chat")
        assert history[-1]["role"] == "assistant" and "Here are" in str(history[-1]["content"])
        assert cards.count('class="sr-card"') == 5 and box == ""
    finally:
        demo.close()
