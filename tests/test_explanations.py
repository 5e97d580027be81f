"""Grounded explanations: the template writer, and the LLM writer with its post-check, against a
scripted fake LLM that deliberately hallucinates titles and numbers in most of its answers."""

import itertools
import random
import re

import pytest

from agent.explain import LLMExplainer, TemplateExplainer
from agent.factcheck import GroundingChecker, numbers_in
from agent.llm import LLMError, ScriptedLLM
from agent.understanding.mentions import TitleFinder

MESSAGES = ["a funny movie for movie night with friends", "a thriller from the 90s", "something romantic for date night",
            "an animated movie for the kids", "a dark crime drama", "a sci-fi movie with aliens", "I loved Toy Story",
            "something epic and long", "a documentary", "a scary movie for halloween", "a war movie",
            "something light and uplifting for a rainy day"]
USERS = [None, "ml:15", "ml:42", "ml:88", "ml:199", "ml:330", "ml:412", "ml:517", "ml:655"]


@pytest.fixture(scope="module")
def checker(agent):
    return GroundingChecker(TitleFinder(agent.engine.resolver), agent.engine.get)


def test_the_checker_on_known_cases(checker, agent):
    heat = agent.engine.get("6")  # Heat (1995)
    allowed = "Toy Story (1995)\nyou rated Toy Story (1995) 5★, and 12 of 15 people who liked it rated this 4★ or more\nrated PG-13, 92 min\n7.9/10 from 12,345 IMDb voters\nfilms from the 1990s"
    ok = checker.check("You gave Toy Story (1995) 5★ and 12 of 15 fans loved this; PG-13, 92 min, 7.9/10 from 12,345 "
                       "voters, very 1990s.", {"1"}, allowed)
    assert ok == []
    assert checker.check(f"Fans of {heat.title} will love it.", {"1"}, allowed)  # a real title not in the facts
    assert checker.check('A must for fans of "The Crimson Lantern".', {"1"}, allowed)  # an invented, quoted title
    assert checker.check("Like Midnight Harbor Express (1994), it is tense.", {"1"}, allowed)  # invented, dated
    assert checker.check("You gave Toy Story 3 five stars.", {"1"}, allowed)  # an allowed title, continued
    assert checker.check("It runs 97 min.", {"1"}, allowed) == ["states a number not in the facts: 97"]
    assert checker.check("Rated 8.9/10 on IMDb.", {"1"}, allowed)
    assert checker.check("Three friends loved it.", {"1"}, allowed)  # spelled-out numbers count too
    assert numbers_in("rated PG-13 and NC-17") == set()


def _allowed(agent, result, item) -> tuple[set[str], str]:
    """The ids and text a shown reason may draw on: the shown list and the item's own facts."""
    facts = "\n".join(item.facts)
    named = {it.id for it in agent.engine.items.values() if it.display_title in facts}
    return {it.id for it in result.items} | named, "\n".join([f"{item.title} ({item.year})", *item.facts])


def _facts_of(prompt: str) -> list[str]:
    block = prompt.split("Facts:\n", 1)[1].split("\nWhat the person asked for:", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


class HallucinatingWriter:
    """Answers explanation prompts; four answers in five invent a title or a number on purpose."""

    MODES = ["honest", "other_title", "invented_title", "wrong_number", "invented_number"]

    def __init__(self, engine, seed: int = 11):
        self.rng = random.Random(seed)
        by_popularity = sorted(engine.items.values(), key=lambda it: -it.popularity)
        self.popular = [it for it in by_popularity[:800] if len(it.title) > 4]
        self.log: list[tuple[str, str, str | None]] = []  # (mode, text, other title's id) per call, in order
        self._modes = itertools.cycle(self.MODES)

    def __call__(self, messages, schema):
        prompt = messages[-1].content
        if "Facts:\n" not in prompt:  # an understanding call: this fake only writes explanations
            raise LLMError("not an explanation prompt")
        facts = _facts_of(prompt)
        mode = next(self._modes)
        self.other = None
        lead = facts[0][:1].upper() + facts[0][1:] if facts else "A good pick"
        text = {"honest": lambda: lead + ("; " + facts[1] if len(facts) > 1 else "") + ".",
                "other_title": lambda: f"{lead}, and if you enjoyed {self._other(prompt)} you will love it.",
                "invented_title": lambda: self.rng.choice([
                    f'{lead}. A must for fans of "The Crimson Lantern".',
                    f"{lead}, much like Midnight Harbor Express (1994)."]),
                "wrong_number": lambda: self._wrong_number(lead, prompt),
                "invented_number": lambda: self._invented_number(lead, prompt)}[mode]()
        self.log.append((mode, text, self.other))
        return text

    def _other(self, prompt: str) -> str:
        while True:
            item = self.rng.choice(self.popular)
            if item.title.split(",")[0] not in prompt:
                self.other = item.id
                return item.display_title if self.rng.random() < 0.5 else item.title.split(" (")[0]

    def _invented_number(self, lead: str, prompt: str) -> str:
        stated = numbers_in(prompt)
        options = [(3, f"{lead}; it won 3 Oscars."), (98, f"{lead}, a 98% match for you."),
                   (40000, f"{lead}. Over 40,000 viewers rated it."), (11, f"{lead}; eleven awards.")]
        return self.rng.choice([text for n, text in options if n not in stated])  # truly not in the facts

    def _wrong_number(self, lead: str, prompt: str) -> str:
        stated = numbers_in(prompt)
        n = self.rng.choice(sorted(stated)) if stated else 90.0
        wrong = n + self.rng.choice([7, 13, 0.6]) if n < 1000 else n + 1
        while wrong in stated:  # a changed number, not one that happens to be in the facts elsewhere
            wrong += 1
        shown = f"{wrong:g}" if wrong != int(wrong) else str(int(wrong))
        return f"{lead} ({shown} min)." if self.rng.random() < 0.5 else f"{lead}; {shown}/10 on IMDb."


def test_llm_explanations_never_show_an_invented_title_or_number(own_settings, checker):
    settings = own_settings
    from agent.wiring import build_agent

    writer = None

    def reply(messages, schema):
        return writer(messages, schema)

    # no turn budget: the reasons are then asked for one by one, in the order of the list, which is
    # how this test pairs each written reason with its item (the budgeted, concurrent path is
    # tests/test_llm_budget.py's)
    agent = build_agent(settings.model_copy(update={"llm_turn_budget_s": 0}), llm=ScriptedLLM(reply))
    assert isinstance(agent.explainer, LLMExplainer)  # an LLM is configured: the LLM writer is wired
    writer = HallucinatingWriter(agent.engine)
    template = TemplateExplainer()
    outcomes = {m: [0, 0] for m in HallucinatingWriter.MODES}  # mode -> [shown as written, replaced]
    n = 0
    for message, user in itertools.product(MESSAGES, USERS):
        start = len(writer.log)
        result = agent.turn(message, user_id=user)
        calls = writer.log[start:]
        assert len(calls) == len(result.items)
        for (mode, written, other), item in zip(calls, result.items):
            if other in {it.id for it in result.items}:
                mode = "honest"  # it named another title of the shown list: allowed, so no hallucination
            if mode.endswith("_number") and checker.check(written, *_allowed(agent, result, item)) == []:
                # the number happens to equal a true fact of this item (its runtime, a title's digit):
                # the check compares numbers with facts, so it cannot tell; a known, rare limit
                mode = "honest"
            n += 1
            outcomes[mode][0 if item.reason == written else 1] += 1
            # whatever is shown is grounded: its titles and numbers come from its own facts
            assert checker.check(item.reason, *_allowed(agent, result, item)) == [], (mode, item.reason)
    assert n >= 500
    print(f"\n{n} explanations; per mode [shown as written, replaced by the template]: {outcomes}")
    for mode in HallucinatingWriter.MODES[1:]:
        assert outcomes[mode][0] == 0, f"{mode}: a hallucinated reason was shown"
    honest_kept = outcomes["honest"][0] / sum(outcomes["honest"])
    assert honest_kept >= 0.95, outcomes  # grounded reasons pass (the check is not just refusing)
    assert agent.explainer.stats["rejected"] == sum(v[1] for v in outcomes.values())
    assert template.name == "template"


def test_template_reasons_are_grounded_and_varied(agent, checker):
    reasons = []
    for message, user in itertools.product(MESSAGES[:6], USERS[:5]):
        result = agent.turn(message, user_id=user)
        for item in result.items:
            assert checker.check(item.reason, *_allowed(agent, result, item)) == [], item.reason
        shapes = {" ".join(re.findall(r"\w+", it.reason)[:3]) for it in result.items}
        assert len(shapes) >= 3, [it.reason for it in result.items]  # a list does not read as one sentence
        reasons += [it.reason for it in result.items]
    openings = {" ".join(re.findall(r"\w+", r)[:2]).lower() for r in reasons}
    assert len(openings) >= 10


@pytest.mark.parametrize("written", [
    'A fun pick <img src=x onerror="alert(1)">.', "Great fun; see https://evil.example for more.",
    "A comedy &lt;b&gt;you asked for&lt;/b&gt;.", "A comedy [click here](javascript:alert(1)).",
    "A comedy\x1b[31m you asked for."])
def test_reasons_with_markup_links_or_control_characters_are_refused(checker, agent, written):
    toy = agent.engine.get("1")
    assert any("plain prose" in p for p in checker.check(written, {"1"}, f"{toy.display_title}\\nA comedy"))

def test_a_score_is_told_by_what_people_would_call_its_parts():
    from retrieval.ranking import FEATURE_WORDS, weighed_in_words

    parts = weighed_in_words({"conversation": 0.3, "conversation_rank": 0.2, "genre": 0.4, "popularity": -0.1,
                              "made_up_feature": 0.05})
    assert parts == [(FEATURE_WORDS["conversation"], 0.5), (FEATURE_WORDS["genre"], 0.4), ("made up feature", 0.05)]
