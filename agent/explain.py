"""Reasons for each pick, written only from the grounded facts behind its score.

* :class:`TemplateExplainer` (embedded mode): the strongest facts, each in one of several
  wordings chosen per item, joined in varied ways — natural, never one fixed sentence.
* :class:`LLMExplainer` (when an LLM is configured): the model sees only those facts (rendered
  through ``prompts/explain.md``); its reason must pass :class:`~agent.factcheck.GroundingChecker`
  (no title outside the facts and the shown list, no number outside the facts), else the
  template reason is used.

Example::

    grounds = Grounds(item, facts, shown={"1": "Toy Story (1995)"}, request="funny picks")
    TemplateExplainer().explain(grounds)   # 'The comedy you asked for; suits a night with the kids (rated G, 81 min).'
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from agent.factcheck import GroundingChecker
from agent.grounding import Fact, variant_for
from agent.llm.base import LLM, LLMError, Message
from agent.prompting import render_prompt
from retrieval.items import Item

log = logging.getLogger(__name__)
MAX_FACTS = 3
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (Simplified)"}
MAX_WORDS = 60


@dataclass
class Grounds:
    """One pick with the facts a reason may use and the titles it may name."""

    item: Item
    facts: list[Fact]
    shown: dict[str, str] = field(default_factory=dict)  # item id -> display title of the shown list
    request: str = ""  # the person's request in words
    position: int = 0  # place in the shown list (neighbours get different wordings)

    def strongest(self, n: int = MAX_FACTS) -> list[Fact]:
        ranked = sorted(self.facts, key=lambda f: -f.weight)
        return [f for f in ranked if f.weight > 0][:n] or ranked[:1]

    def given(self) -> list[Fact]:
        """The facts a writer is given (the LLM sees exactly these)."""
        return self.strongest(MAX_FACTS + 1)

    def allowed_ids(self) -> set[str]:
        return {self.item.id} | set(self.shown) | {t for f in self.given() for t in f.titles}

    def allowed_text(self) -> str:
        """What a reason may draw numbers from: the item, the facts given and the request (the other
        shown titles may be named, but their years say nothing about this item)."""
        return "\n".join([self.item.display_title, *(f.text for f in self.given()), self.request])


_JOINERS = ["; ", " — ", ". Also, ", ", and ", ". "]


class TemplateExplainer:
    name = "template"

    def explain(self, grounds: Grounds) -> str:
        """The strongest facts; wordings rotate along the list from a per-request starting point, so
        neighbours never read alike and the same request reads the same way twice."""
        facts = grounds.strongest()
        start = variant_for(grounds.request + "|".join(grounds.shown)[:64])
        phrases = [f.phrase(variant_for(f.kind) + start + grounds.position) for f in facts]
        if not phrases:
            return "A well-liked pick from the catalogue."
        joiner = _JOINERS[(start + grounds.position) % len(_JOINERS)]
        text = phrases[0]
        for p in phrases[1:]:
            text += joiner + (p[:1].upper() + p[1:] if joiner.endswith(". ") else p)
            joiner = "; " if joiner != "; " else " — "
        return text[:1].upper() + text[1:] + "."


class LLMExplainer:
    """Writes reasons with an LLM from the facts alone; falls back to the template when the
    model fails or its reason does not pass the grounding check."""

    name = "llm"

    def __init__(self, llm: LLM, checker: GroundingChecker, fallback: TemplateExplainer | None = None):
        self.llm, self.checker = llm, checker
        self.fallback = fallback or TemplateExplainer()
        self.stats: Counter[str] = Counter()
        self.rejections: list[tuple[str, list[str]]] = []  # (rejected text, problems), most recent last

    def explain(self, grounds: Grounds, language: str = "en", fallback=None, on_text=None) -> str:
        """``language``: the person's ('en', 'zh'); the reason is written in it. ``fallback``: the
        template reason in that language (a callable on the grounds). ``on_text``: hears the reason
        as the server streams it (when it can); what it heard is provisional, the return value final."""
        fallback = fallback or self.fallback.explain
        facts = "\n".join(f"- {f.text}" for f in grounds.given())
        prompt = render_prompt("explain", title=grounds.item.display_title, facts=facts,
                               request=grounds.request or "no particular request",
                               language=LANGUAGE_NAMES.get(language, "English"))
        try:
            text = " ".join(self._write([Message(role="user", content=prompt)], on_text).split())
        except LLMError as e:
            log.info("explanation LLM failed (%s); using the template", e)
            self.stats["llm_error"] += 1
            return fallback(grounds)
        problems = self.checker.check(text, grounds.allowed_ids(), grounds.allowed_text())
        if not text or len(text.split()) > MAX_WORDS:
            problems.append("empty or too long")
        if problems:
            self.stats["rejected"] += 1
            self.rejections = (self.rejections + [(text, problems)])[-50:]
            return fallback(grounds)
        self.stats["accepted"] += 1
        return text

    def _write(self, messages: list[Message], on_text) -> str:
        """The model's reason, streamed piece by piece to ``on_text`` when there is one to hear it."""
        if on_text is None or not self.llm.capabilities.streaming:
            return self.llm.complete(messages).text
        pieces = []
        for piece in self.llm.stream(messages):
            pieces.append(piece)
            on_text(piece)
        return "".join(pieces)
