"""CLI help on every command, the terminal chat, and the Gradio app over real HTTP."""

import re

import pytest
from typer.testing import CliRunner

from tests.helpers import free_port
from ui.cli import app


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["chat"], ["ui"], ["serve"], ["keys"],
                                     ["keys", "create"], ["keys", "list"], ["keys", "revoke"], ["profile"],
                                     ["profile", "show"], ["profile", "export"], ["profile", "delete"]])
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
                          input="a scary movie from the 80s\nis the first one scary?\n:why 1\nquit\n",
                          env=offline_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1." in proc.stdout and "It may be" in proc.stdout
    assert "you> Why " in proc.stdout  # ':why 1' still means the first card after a question about it


def test_gradio_chat_feedback_and_why_over_http(agent):
    from gradio_client import Client

    from ui.gradio_app import build_app

    demo = build_app(agent)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        assert {"/chat", "/feedback", "/why"} <= set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
        out = client.predict("a romantic comedy for date night", [], "ml:21", api_name="/chat")
        history, cards, chart, caption, box, status = out[0], out[1:-4], out[-4], out[-3], out[-2], out[-1]
        assert history[-1]["role"] == "assistant" and "Here are" in str(history[-1]["content"])
        shown = [c for c in cards if 'class="sr-card"' in c]
        assert len(shown) == 5 and box == "" and status == ""
        bars = re.findall(r'class="sr-bar" data-change="\w+" style="width:([\d.]+)%"', chart)  # the profile panel
        assert len(bars) >= 3 and max(map(float, bars)) > 0
        shares = [float(v) for v in re.findall(r'class="sr-chart-value">([\d.]+)%', chart)]
        assert shares == sorted(shares, reverse=True)  # sorted, largest first
        second_title = shown[1].split("<h4>2. ", 1)[1].split("</h4>", 1)[0]
        why = client.predict(2, api_name="/why")
        assert why.startswith(f"**Why {second_title}") and "What weighed most: " in why and "%)" in why
        assert not re.search(r"[+-]\d\.\d{3}", why)  # words and shares, not raw contributions
        liked = client.predict(1, "like", api_name="/feedback")
        status, chart, caption = liked[-3], liked[-2], liked[-1]
        assert "more like this" in status and "profile was updated" in status
        assert ("date night" in caption or "as a couple" in caption) and "date_night" not in caption  # the scene's own view, in words
        assert 'data-change="rose"' in chart  # and the chart shows what moved
        disliked = client.predict(2, "dislike", api_name="/feedback")
        card_two = next(c for c in disliked if isinstance(c, str) and "<h4>2. " in c)
        assert "won't come back" in disliked[-3] and "Disliked" in card_two  # noted on card 2
        asked = client.predict("is the first one scary?", [], "ml:21", api_name="/chat")
        assert all(c == {"__type__": "update"} or c is None or isinstance(c, dict) for c in asked[1:-4])  # kept
        again = client.predict("something else for date night", [], "ml:21", api_name="/chat")
        assert all(second_title not in c for c in again[1:-4] if isinstance(c, str))  # a rejected item never returns
    finally:
        demo.close()


def test_a_serving_process_settles_its_heap_after_building(monkeypatch):
    """The CLI (chat, web UIs, API) takes what it loaded out of the collector's full passes
    (:func:`agent.wiring.settle_heap`)."""
    import gc

    import agent.wiring as wiring
    from ui import cli

    loaded = [object() for _ in range(1000)]  # what a build leaves alive
    monkeypatch.setattr(wiring, "build_agent", lambda settings, progress=None: loaded)
    gc.unfreeze()
    try:
        assert cli._agent(None, quiet=True) is loaded
        assert gc.get_freeze_count() >= len(loaded)  # frozen with everything the process holds
    finally:
        gc.unfreeze()
