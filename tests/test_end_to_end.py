"""End-to-end over the default catalogue, through the public entry points (CLI and agent)."""

import json

from tests.helpers import run_cli


def _check_family_safe(items):
    for it in items:
        assert "Horror" not in it["genres"], it
        assert it["mpaa"] not in ("R", "NC-17", "PG-13"), it


def test_first_use_offline_ask_json_without_prior_ingest(first_use):
    """`scenerec ask --json` on an empty data dir ingests, embeds and answers with networking blocked."""
    result = first_use["result"]
    assert result["action"] == "recommend"
    assert len(result["items"]) >= 3
    for it in result["items"]:
        assert {"id", "title", "year", "genres", "runtime", "mpaa", "score", "reason"} <= set(it)
    _check_family_safe(result["items"])
    assert result["state"]["scene"]["companions"] == "kids"
    log = first_use["tmp"] / "netguard.log"
    assert not log.exists() or log.read_text() == "", f"network was attempted: {log.read_text()}"
    assert "first use" in first_use["stderr"]  # the progress bar told the user what is happening


def test_multi_turn_dialogue_through_the_cli_with_a_session(data_dir, tmp_path):
    first = run_cli(["ask", "--json", "--data-dir", str(data_dir),
                     "something light and funny to watch with my two kids tonight, nothing scary"], tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    r1 = json.loads(first.stdout)
    second = run_cli(["ask", "--json", "--data-dir", str(data_dir), "--session", r1["session_id"],
                      "we've already seen Toy Story, and something under 90 minutes"], tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    r2 = json.loads(second.stdout)
    assert r2["action"] == "recommend" and len(r2["items"]) >= 3
    _check_family_safe(r2["items"])
    assert all(it["title"] != "Toy Story" for it in r2["items"])
    assert all(it["runtime"] is not None and it["runtime"] <= 90 for it in r2["items"])
    assert not set(it["id"] for it in r2["items"]) & set(it["id"] for it in r1["items"])  # nothing repeated
    text = run_cli(["ask", "--data-dir", str(data_dir), "--session", r1["session_id"], "is the first one scary?"], tmp_path)
    assert text.returncode == 0 and "not a scary one" in text.stdout
    log = tmp_path / "netguard.log"
    assert not log.exists() or log.read_text() == ""


def test_agent_dialogue_in_process(agent):
    r = agent.turn("hi, recommend something")
    assert r.action == "ask"  # too thin to recommend well: one targeted question
    r = agent.turn("anything", session_id=r.session_id)
    assert r.action == "ask"
    r = agent.turn("whatever you like", session_id=r.session_id)
    assert r.action == "recommend" and len(r.items) == 5  # at most two questions in a row
    sid = r.session_id
    r = agent.turn("a thriller from the 90s, no horror", session_id=sid)
    assert r.items and all(1990 <= it.year <= 1999 and "Horror" not in it.genres for it in r.items)
    shown_before = set(r.state["last_shown"])
    r = agent.turn("more like the second one", session_id=sid)
    assert r.intent == "refine" and r.items and not shown_before & {it.id for it in r.items}
    r = agent.turn("start over", session_id=sid)
    assert r.action == "acknowledge" and r.state["constraints"]["year_min"] is None


def test_scores_are_decomposable(agent):
    r = agent.turn("an epic adventure for a movie night with friends")
    for it in r.items:
        assert abs(sum(it.contributions.values()) - it.score) < 1e-3


def test_unknown_and_misspelt_titles(agent):
    r = agent.turn("I loved Terminater 2, something like that")
    assert r.action == "recommend"
    assert "Terminator 2" in r.reply or any("Terminator 2" in it.reason for it in r.items)
    assert r.state["liked_items"] == ["589"]
    r = agent.turn('have you got "Blorpfest Ultra 3000"?')
    assert "don't know the title" in r.reply and "Blorpfest Ultra 3000" in r.reply


def test_feedback_keeps_disliked_items_out(agent):
    r = agent.turn("a funny animated movie")
    first = r.items[0].id
    agent.feedback(r.session_id, first, "dislike")
    agent.turn("start over", session_id=r.session_id)
    again = agent.turn("a funny animated movie", session_id=r.session_id)
    assert first not in {it.id for it in again.items}
