"""Each kind of thing has one definition (agent.schema) and every user of it agrees."""

import json
import re
from typing import get_args

from agent.policy import Decision
from agent.results import TurnResult
from agent.schema import ACTIONS, CRITIQUE_KINDS, FEEDBACK_KINDS, INTENT_MEANINGS, INTENTS, LLM_INTENTS
from agent.understanding.llm import llm_schema
from ui.api.app import widget_source
from ui.api.models import FeedbackRequest
from ui.chat_commands import FEEDBACK, HELP
from ui.gradio_app import BUTTON_KINDS


def test_the_llm_schema_enums_come_from_the_schema_module():
    props = llm_schema()["properties"]
    assert props["intent"]["enum"] == list(LLM_INTENTS) == [i for i in INTENTS if i != "empty"]
    critique = next(s for s in props["critique"]["anyOf"] if "enum" in s)
    assert critique["enum"] == list(CRITIQUE_KINDS)
    assert list(INTENT_MEANINGS) == list(INTENTS)  # every intent has its meaning, next to its definition


def test_the_api_and_the_interfaces_take_the_feedback_kinds_from_the_schema():
    assert FeedbackRequest.model_json_schema()["properties"]["kind"]["enum"] == list(FEEDBACK_KINDS)
    assert list(FEEDBACK) == list(FEEDBACK_KINDS) and all(f":{k} N" in HELP for k in FEEDBACK_KINDS)
    assert set(BUTTON_KINDS) - {"why"} <= set(FEEDBACK_KINDS)
    kinds = re.search(r"var FEEDBACK = (\[[^\]]*\])", widget_source())
    assert kinds and json.loads(kinds.group(1)) == list(FEEDBACK_KINDS)


def test_actions_are_one_literal():
    assert get_args(TurnResult.model_fields["action"].annotation) == ACTIONS
    assert Decision.__dataclass_fields__["action"].type == "Action"


def test_the_turns_interest_snapshot_keeps_its_json_name():
    """In code a turn's ``interest`` (an InterestSnapshot); in the API's JSON still ``profile``."""
    from agent.results import InterestSnapshot
    from ui.api.models import ChatResponse

    snapshot = InterestSnapshot(user_id="u1")
    result = TurnResult(session_id="s", action="ask", intent="greeting", reply="hi", interest=snapshot)
    data = json.loads(result.model_dump_json())
    assert data["profile"]["user_id"] == "u1" and "interest" not in data
    assert TurnResult.model_validate(data).interest == snapshot  # read back from the API's JSON
    assert "profile" in ChatResponse.model_json_schema(mode="serialization")["properties"]


def test_the_widget_speaks_the_locale_files_words_and_has_each_it_uses_in_every_language():
    """One home for the widget's words (``ui/locales``): every word the script reads (``T.name``,
    the joiner of genre labels) exists in English and Chinese, and the served script holds them."""
    from ui.api.app import STATIC, widget_words
    from ui.words import ui_words

    used = set(re.findall(r"\bT\.(\w+)", (STATIC / "widget.js").read_text(encoding="utf-8")))
    assert {"send", "greeting", "directed"} <= used
    used |= {"genresJoiner", "like", "dislike", "seen"}  # the joiner by name; the feedback buttons by kind
    words = {lang: widget_words(lang) for lang in ("en", "zh")}
    for lang in words:
        assert used <= set(words[lang]), (lang, used - set(words[lang]))
        assert all(isinstance(v, str) and v for v in words[lang].values())
    assert words["zh"]["like"] == ui_words("zh")["like"] == "喜欢" and words["zh"]["genresJoiner"] == "、"
    assert words["en"]["title"] == "Movie ideas" and words["en"]["genresJoiner"] == ", "
    source = widget_source()
    served = json.loads(re.search(r"var STRINGS = (\{.*?\});\n", source).group(1))
    assert served == words and "__SCENEREC_" not in source
