"""Profiles from the command line: a personal `ask`, feedback and "Why this?" in `chat`, and
`profile show | export | delete` (delete leaves the export empty)."""

import json

from typer.testing import CliRunner

from ui.cli import app

USER = "ml:33"


def _run(args, **kw):
    result = CliRunner().invoke(app, args, **kw)
    assert result.exit_code == 0, result.output[-2000:]
    return result.stdout  # progress and model-loading noise go to stderr


def test_profile_lifecycle_from_the_cli(data_dir, tmp_path):
    from tests.live_server import copy_data_dir

    # a private copy: this test deletes a user, and other tests share the session's data dir
    d = ["--data-dir", str(copy_data_dir(data_dir, tmp_path / "data"))]
    asked = json.loads(_run(["ask", "--json", "--user", USER, *d, "a thriller from the 90s"]))
    assert asked["profile"]["user_id"] == USER and asked["profile"]["evidence"] > 0
    assert all(it["facts"] and it["contributions"] for it in asked["items"])

    chat = _run(["chat", "--user", USER, *d], input="a funny movie for movie night\n:why 1\n:like 2\n:profile\nquit\n")
    assert "Why " in chat and "score" in chat
    assert "Noted: you liked" in chat and "your profile now know" in chat
    assert "Interest profile of ml:33" in chat and "population" in chat

    shown = json.loads(_run(["profile", "show", USER, "--json", *d]))
    assert shown["user_id"] == USER and {a["family"] for a in shown["attributes"]} == {"genre", "era", "mood", "runtime"}

    out = tmp_path / "export.json"
    _run(["profile", "export", USER, "--out", str(out), *d])
    exported = json.loads(out.read_text())
    assert len(exported["ratings"]) > 0 and len(exported["sessions"]) >= 2
    assert [e["kind"] for e in exported["feedback"]] == ["like"]

    assert "deleted" in _run(["profile", "delete", USER, "--yes", *d])
    after = json.loads(_run(["profile", "export", USER, *d]))
    assert after["ratings"] == after["feedback"] == after["sessions"] == after["cached_vectors"] == []
