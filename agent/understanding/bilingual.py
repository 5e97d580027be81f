"""One understander for people who write English or Chinese: each turn goes to the reader of
its language; a turn with no evidence either way ("2", "👍") is read in the session's language.

Example::

    nlu = BilingualUnderstander(english, chinese)
    nlu.understand("想找一部适合全家看的喜剧").language        # 'zh'
    nlu.understand("ok", SessionContext(language="zh")).language   # None (read by the Chinese reader)
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.understanding.embedded import TurnContext
from agent.understanding.language import LanguageDetector
from agent.understanding.schema import Understanding


@dataclass
class SessionContext(TurnContext):
    """The dialogue so far, with the language the person has been writing in."""

    language: str = "en"


class BilingualUnderstander:
    name = "bilingual"

    def __init__(self, english, chinese, detect: LanguageDetector | None = None):
        self.english = english
        self.chinese = chinese
        self.detect = detect or LanguageDetector()
        # the rule-based English understander (the LLM one wraps it): batch ranking reads titles with it
        self.embedded = getattr(english, "embedded", english)

    def understand(self, text: str, ctx: TurnContext | None = None) -> Understanding:
        detected = self.detect(text)
        session = getattr(ctx, "language", None) or "en"
        if detected == "en" and session != "en" and len(text.split()) <= 2 and len(text) <= 12:
            detected = None  # "ok", "thx", "Inception": too little to change the session's language
        language = detected or session
        reader = self.chinese if language == "zh" else self.english
        u = reader.understand(text, ctx)
        u.language = detected
        return u

    def titles_in(self, text: str) -> list[str]:
        reader = self.chinese if self.detect(text) == "zh" else self.embedded
        return reader.titles_in(text)

    def __getattr__(self, name):  # titles, people, moods … of the English understander
        if name in ("english", "chinese", "detect", "embedded"):
            raise AttributeError(name)
        return getattr(self.english, name)
