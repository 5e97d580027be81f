"""Every YAML script under tests/dialogues runs as a test against the default catalogue."""

from pathlib import Path

import pytest

from agent.dialogue_scripts import ScriptError, check_turn, find_scripts, load_script, run_script, subset_mismatches
from agent.results import RecommendedItem, TurnResult

SCRIPTS = find_scripts([Path(__file__).parent / "dialogues"])


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_dialogue_script(agent, path):
    result = run_script(agent, load_script(path))
    assert result.passed, "\n".join(result.failures)


def test_there_are_at_least_40_scripts():
    assert len(SCRIPTS) >= 40


def _result(items):
    return TurnResult(session_id="s", action="recommend", intent="recommend", reply="Here you go",
                      items=items, state={"scene": {"companions": "kids", "mood": ["funny", "light"]}})


def test_checks_catch_violations():
    bad = RecommendedItem(id="1", title="Scream", year=1996, genres=["Horror"], runtime=111, mpaa="R", score=1, reason="")
    ok = RecommendedItem(id="2", title="Up", year=2009, genres=["Animation"], runtime=96, mpaa=None, score=1, reason="")
    fails = check_turn(_result([bad, ok]), {
        "action": "recommend", "scene": {"companions": "kids", "mood": "funny"},
        "items": {"min": 3, "exclude_titles": ["scream"], "each": {"genres_none": ["Horror"], "mpaa_in": ["G", "PG", None], "max_runtime": 100}},
    })
    assert any("min 3" in f for f in fails)
    assert any("excluded 'scream'" in f for f in fails)
    assert any("'Scream' has genres ['Horror']" in f for f in fails)
    assert any("rated R" in f for f in fails) and any("runtime 111" in f for f in fails)
    assert not any("'Up'" in f for f in fails)  # unknown MPAA is allowed by null
    assert check_turn(_result([ok]), {"scene": {"mood": ["light"]}, "items": {"include_any_titles": ["up"]}}) == []
    assert subset_mismatches({"a": {"b": 1}}, {"a": {"b": 2}}, "state") == ["state.a.b: expected 1, got 2"]


def test_state_none_catches_a_value_that_must_not_be_there():
    ok = RecommendedItem(id="2", title="Up", year=2009, genres=["Animation"], runtime=96, mpaa=None, score=1, reason="")
    fails = check_turn(_result([ok]), {"state_none": {"scene.mood": ["light"], "liked_genres": ["Crime"]}})
    assert fails == ["state.scene.mood: ['light'] must not be there"]
    assert check_turn(_result([ok]), {"state_none": {"scene.mood": ["sad"]}}) == []


def test_malformed_scripts_are_reported(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nturns:\n  - expect: {action: ask}\n")
    with pytest.raises(ScriptError, match="needs 'say'"):
        load_script(bad)
    bad.write_text("name: x\nturns:\n  - say: hi\n    expect: {acton: ask}\n")
    with pytest.raises(ScriptError, match="unknown keys"):
        load_script(bad)
    bad.write_text(": : :\n")
    with pytest.raises(ScriptError):
        load_script(bad)
