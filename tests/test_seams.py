"""The agent's declared seams (agent.protocols) and the one place post-turn state changes live."""

import ast
from pathlib import Path

from agent.core import SceneRecAgent
from agent.explain import LLMExplainer, TemplateExplainer
from agent.protocols import Explainer, Recommender, Understander
from agent.state import DialogueState
from ui.api.pooled import PooledAgent

ROOT = Path(__file__).resolve().parents[1]


def _members(protocol) -> set[str]:
    return {n for n in vars(protocol) if not n.startswith("_")}


def test_the_agent_and_the_pooled_agent_are_recommenders():
    for cls in (SceneRecAgent, PooledAgent):
        missing = {m for m in _members(Recommender) if not callable(getattr(cls, m, None))}
        assert not missing, (cls.__name__, missing)


def test_the_explainers_and_understanders_fit_their_seams(agent):
    assert isinstance(TemplateExplainer(), Explainer) and callable(LLMExplainer.explain)
    assert isinstance(agent.understander, Understander) and isinstance(agent, Recommender)


def test_the_interfaces_never_reach_into_the_agent():
    """The UI asks the Recommender; it never touches the agent's engine, session store or embedder."""
    banned = {"engine", "sessions", "embedder", "vectors"}
    for path in [ROOT / "ui" / "gradio_app.py", ROOT / "ui" / "cli.py", *(ROOT / "ui" / "api").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in banned:
                base = node.value
                owner = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                assert owner not in ("agent", "service", "ranker"), f"{path.name}:{node.lineno} .{owner}.{node.attr}"


def test_after_turn_records_a_recommendation():
    s = DialogueState(clarify_streak=2, last_shown=["a"], shown_items=["a"])
    t = s.after_turn("recommend", ["b", "c"], {"b": "why b", "c": "why c"})
    assert (t.last_shown, t.shown_items, t.last_reasons) == (["b", "c"], ["a", "b", "c"], {"b": "why b", "c": "why c"})
    assert t.clarify_streak == 0 and t.last_action == "recommend" and t.discussed_items == []
    assert s.last_shown == ["a"] and s.clarify_streak == 2  # pure: the old state is unchanged


def test_after_turn_with_nothing_found_keeps_the_last_list():
    s = DialogueState(last_shown=["a"], last_reasons={"a": "why a"})
    t = s.after_turn("recommend", [], {})
    assert t.last_shown == ["a"] and t.last_reasons == {"a": "why a"} and t.last_action == "recommend"


def test_after_turn_counts_clarifying_questions():
    s = DialogueState().after_turn("ask").after_turn("ask")
    assert s.clarify_streak == 2 and s.last_action == "ask"
    assert s.after_turn("acknowledge").clarify_streak == 2


def test_after_turn_for_someone_elses_recommendation_marks_them_discussed():
    s = DialogueState(last_action="ask", clarify_streak=1)
    t = s.after_turn(None, ["x", "y", "x"])
    assert t.last_shown == ["x", "y"] and t.shown_items == ["x", "y"] and t.discussed_items == ["x", "y"]
    assert t.last_action == "ask" and t.clarify_streak == 1  # no action of the agent's


def test_the_products_errors_share_one_root_and_keep_their_old_bases():
    from agent.dialogue_scripts import ScriptError
    from agent.llm.base import LLMError, LLMUnavailable
    from agent.llm.resilient import InvalidOutput, LLMTimeout
    from agent.prompting import PromptError
    from agent.wiring import CatalogueMissing
    from evaluation.dialogues import DatasetError
    from retrieval.errors import SceneRecError
    from retrieval.reading import IngestError
    from agent.core import UnknownSession

    old_bases = {CatalogueMissing: RuntimeError, LLMError: RuntimeError, LLMUnavailable: RuntimeError,
                 LLMTimeout: RuntimeError, InvalidOutput: RuntimeError, UnknownSession: KeyError,
                 PromptError: ValueError, ScriptError: ValueError, IngestError: ValueError, DatasetError: ValueError}
    for cls, base in old_bases.items():
        assert issubclass(cls, SceneRecError) and issubclass(cls, base), cls
    try:
        raise UnknownSession("s1")
    except KeyError as e:  # callers that catch the old base still do
        assert isinstance(e, SceneRecError)
