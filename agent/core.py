"""The agent loop for one turn: understand → update state → decide → retrieve → rank → explain.

Example::

    agent = build_agent(load_settings())          # see agent.wiring
    result = agent.turn("something funny for the kids tonight")
    result.items[0].title, result.items[0].reason
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from agent import replies
from agent.explain import Grounds, TemplateExplainer
from agent.grounding import request_facts
from agent.personalize import PersonalContext, Personalizer, UserModel, scene_key
from agent.planning import RecommendationPlan, plan_recommendation, query_text
from agent.policy import decide
from agent.results import InterestSnapshot, RecommendedItem, TurnResult, UserProfile
from agent.sessions import SessionStore
from agent.state import DialogueState
from agent.understanding.embedded import TurnContext
from agent.understanding.schema import Understanding
from agent.understanding.text import clean_text
from retrieval.engine import CatalogueEngine
from retrieval.ranking import Candidate, Ranked, RankRequest, rank
from retrieval.titles import normalize_title, title_aliases

log = logging.getLogger(__name__)
FEEDBACK_KINDS = ("like", "dislike", "seen", "accept")


@dataclass
class RankingInputs:
    candidates: list[Candidate]
    request: RankRequest
    personal: PersonalContext | None
    anchors: dict[str, str]  # liked / "more like" item id -> display title


class SceneRecAgent:
    def __init__(self, engine: CatalogueEngine, understander, sessions: SessionStore, settings,
                 explainer=None, personalizer: Personalizer | None = None):
        self.engine = engine
        self.understander = understander
        self.sessions = sessions
        self.settings = settings
        self.explainer = explainer or TemplateExplainer()
        self.personalizer = personalizer

    # -- public entry point ------------------------------------------------------------------
    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None) -> TurnResult:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        notices: list[str] = []
        if isinstance(message, bytes):
            message = message.decode("utf-8", errors="replace")
        text, cut = clean_text(str(message or ""), self.settings.max_message_chars)
        if cut:
            notices.append(f"Your message was long; I read the first {len(text):,} characters.")
        session_id = session_id or self.sessions.new_id()
        loaded = self.sessions.load(session_id)
        state, stored_user = loaded if loaded else (DialogueState(), None)
        user_id = user_id or stored_user

        ctx = TurnContext(last_shown=state.last_shown, focus_item=state.focus_item, max_year=self.engine.max_year)
        u = self.understander.understand(text, ctx)
        timings["understand"] = _ms(t0)
        if u.intent == "smalltalk" and text and not _mostly_latin(text):
            notices.append("I work best in English; here is what I could make of your message.")
        for title in u.unknown_titles:
            notices.append(f"I don't know the title \"{title}\" — it isn't in my catalogue.")
        for m in u.mentions:
            if m.surface and normalize_title(m.surface) not in title_aliases(m.title) and not m.alternatives:
                notices.append(f"I took \"{m.surface}\" as {self._name(m.item_id)}.")
            if m.alternatives:
                alt = ", ".join(self.engine.get(a).display_title for a in m.alternatives if self.engine.get(a))
                notices.append(f"I took \"{m.surface}\" as {self._name(m.item_id)} (also possible: {alt}).")

        previous, state = state, state.apply(u, self.engine.get)
        # the person's model is built once a turn (one profile-version read) and passed along
        user = self.personalizer.user_model(user_id) if user_id and self.personalizer else None
        before = self.interest(user, scene_key(state)) if user else None
        if self._learn(user_id, previous, state, session_id):
            user = self.personalizer.rebuild(user_id)  # this turn's feedback changed the evidence
        decision = decide(u, state, knows_user=state.is_thin() and self._knows(user))
        items: list[RecommendedItem] = []
        if decision.action == "recommend":
            t1 = time.perf_counter()
            items = self._recommend(state, timings, user)
            timings["retrieve_rank_explain"] = _ms(t1)
            # "Updated to your feedback" only when this turn gave some (a critique or a verdict)
            why = decision.why if decision.why != "refine" or u.critiques or u.shown_verdict else "request"
            reply = self._recommend_reply(state, items, why)
            state.last_shown = [it.id for it in items] or state.last_shown
            if items:
                state.last_reasons = {it.id: _why(it) for it in items}
            state.shown_items = list(dict.fromkeys(state.shown_items + [it.id for it in items]))
            state.clarify_streak = 0
        elif decision.action == "ask":
            reply = replies.clarifying_question(state, decision.why)
            state.clarify_streak += 1
        elif decision.action == "answer":
            reply = replies.answer_question(self.engine.get(state.focus_item), u.question,
                                            why=state.last_reasons.get(state.focus_item))
        else:
            reply = self._acknowledge(state, decision.why)
        state.last_action = decision.action
        if notices:
            reply = " ".join(notices) + "\n\n" + reply
        self.sessions.save(session_id, state, user_id)
        profile = self.interest(user, scene_key(state), before) if user else None
        timings["total"] = _ms(t0)
        return TurnResult(session_id=session_id, action=decision.action, intent=u.intent, reply=reply,
                          items=items, state=state.summary(), notices=notices, timings_ms=timings,
                          profile=profile)

    # -- feedback and privacy ---------------------------------------------------------------------
    def feedback(self, session_id: str, item_id: str, kind: str) -> DialogueState:
        """Record like / dislike / seen / accept on an item; a disliked or seen item never returns."""
        if kind not in FEEDBACK_KINDS:
            raise ValueError(f"feedback kind must be one of {', '.join(FEEDBACK_KINDS)}")
        if self.engine.get(item_id) is None:
            raise KeyError(item_id)
        loaded = self.sessions.load(session_id)
        if loaded is None:
            raise UnknownSession(session_id)
        previous, user_id = loaded
        state = previous.model_copy(deep=True)
        target = {"like": state.liked_items, "dislike": state.disliked_items,
                  "seen": state.seen_items, "accept": state.accepted_items}[kind]
        if item_id not in target:
            target.append(item_id)
        if kind == "like":
            state.anchor_items = [item_id]
        state.focus_item = item_id
        self._learn(user_id, previous, state, session_id)
        self.sessions.save(session_id, state, user_id)
        return state

    def profile(self, user_id: str) -> UserProfile | None:
        """The user's feedback and tastes gathered over their sessions; None for an unknown user."""
        states = self.sessions.user_states(user_id)
        if not states:
            return None
        fields = ("liked_items", "disliked_items", "seen_items", "accepted_items", "liked_genres", "avoid_genres")
        merged = {f: list(dict.fromkeys(v for s in states for v in getattr(s, f))) for f in fields}
        return UserProfile(user_id=user_id, sessions=len(states), **merged)

    def delete_user(self, user_id: str) -> int:
        """Remove every stored trace of a user (sessions, profile rows, their catalogue
        interactions, cached vectors); returns how many records went."""
        removed = self.sessions.delete_user(user_id)
        return removed + (self.personalizer.forget(user_id) if self.personalizer else 0)

    # -- profiles ---------------------------------------------------------------------------------
    def known_users(self) -> list[str]:
        """Everyone with a profile: the catalogue's raters and people who gave feedback."""
        return self.personalizer.known_users() if self.personalizer else []

    def interest(self, person: str | UserModel | None, scene: str | None = None,
                 before: InterestSnapshot | None = None) -> InterestSnapshot | None:
        """A person's interest distribution (a scene's view when there is one), with the change
        since ``before``; ``person`` is a user id or their model already built this turn."""
        return self.personalizer.snapshot(person, scene, before) if self.personalizer else None

    def export_user(self, user_id: str) -> dict:
        """Everything stored about a person (ratings, feedback, cached vectors, sessions, interests)."""
        data = self.personalizer.export(user_id) if self.personalizer else {"user_id": user_id}
        data["sessions"] = self.sessions.for_user(user_id)
        snapshot = self.interest(user_id)
        data["interest"] = snapshot.model_dump() if snapshot else None
        return data

    def _learn(self, user_id: str | None, old: DialogueState, new: DialogueState, session_id: str) -> bool:
        """Write feedback that appeared in this turn (likes, rejections, seen, accepted) to the profile;
        True when something was written."""
        if not (user_id and self.personalizer):
            return False
        fresh = {kind: [i for i in getattr(new, attr) if i not in set(getattr(old, attr))]
                 for kind, attr in (("like", "liked_items"), ("dislike", "disliked_items"),
                                    ("seen", "seen_items"), ("accept", "accepted_items"))}
        return self.personalizer.record(user_id, fresh, scene_key(new), session_id) > 0

    # -- recommendation -------------------------------------------------------------------------
    def query_text(self, state: DialogueState) -> str:
        return query_text(state)

    def plan(self, state: DialogueState) -> RecommendationPlan:
        """Query vector, anchors, candidate query and rank request for a state (no personal
        signals); see :mod:`agent.planning`, shared with batch ranking."""
        return plan_recommendation(state, self.engine.get, self.engine.embeddings,
                                   self.engine.vectors.embedder.encode_query, self.settings.candidate_pool,
                                   self.engine.people)

    def ranking_inputs(self, state: DialogueState, person: str | UserModel | None = None,
                       timings: dict[str, float] | None = None) -> RankingInputs:
        """Candidates and the rank request for a state (and a person: a user id or their model):
        everything but the weights."""
        timings = {} if timings is None else timings
        t = time.perf_counter()
        personal = self.personalizer.context(person, state) if self.personalizer else None
        timings["personalize"] = _ms(t)
        t = time.perf_counter()
        plan = self.plan(state)
        timings["embed"] = _ms(t)
        query = plan.query
        if personal:
            query.exclude |= personal.exclude
            query.personal = query.personal | self.personalizer.candidates(personal)
        t = time.perf_counter()
        candidates = self.engine.candidates(query)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        signals = personal.features([c.item.id for c in candidates]) if personal else {}
        request = replace(plan.request, **signals)
        timings["features"] = _ms(t)
        return RankingInputs(candidates, request, personal, {a: self._name(a) for a in plan.anchors})

    def _recommend(self, state: DialogueState, timings: dict[str, float],
                   user: UserModel | None = None) -> list[RecommendedItem]:
        inputs = self.ranking_inputs(state, user, timings)
        t = time.perf_counter()
        ranked = rank(inputs.candidates, inputs.request, self.settings.weights.model_dump(), self.settings.top_k)
        timings["rank"] = _ms(t)
        t = time.perf_counter()
        shown = {r.item.id: r.item.display_title for r in ranked}
        request = replies.describe_request(state, list(inputs.anchors.values()))
        out = [self._explained(r, state, inputs, shown, request, n) for n, r in enumerate(ranked)]
        timings["explain"] = _ms(t)
        return out

    def _explained(self, r: Ranked, state: DialogueState, inputs: RankingInputs,
                   shown: dict[str, str], request: str, position: int) -> RecommendedItem:
        facts = request_facts(r.item, r.contributions, state, inputs.anchors)
        if inputs.personal:
            facts += self.personalizer.facts(inputs.personal, r.item.id, r.contributions)
        grounds = Grounds(r.item, facts, shown, request, position)
        return RecommendedItem(
            id=r.item.id, title=r.item.name, year=r.item.year, genres=r.item.genres,
            runtime=r.item.runtime, mpaa=r.item.mpaa, rating=r.item.rating, directors=r.item.directors,
            cast=r.item.cast, score=r.score,
            reason=self.explainer.explain(grounds), contributions=r.contributions,
            facts=[f.text for f in sorted(facts, key=lambda f: -f.weight)],
        )

    def _recommend_reply(self, state: DialogueState, items: list[RecommendedItem], why: str) -> str:
        if not items:
            return ("I couldn't find anything in the catalogue that fits all of that: "
                    f"{replies.describe_request(state)}. Try loosening one of those limits.")
        lead = {"refine": "Updated to your feedback — here are", "reject": "Got it — here are other",
                "profile": "Going by what you have enjoyed before, here are some"}.get(why, "Here are some")
        anchors = [self._name(a) for a in state.anchor_items if self.engine.get(a)]
        return f"{lead} {replies.describe_request(state, anchors)}:"

    def _acknowledge(self, state: DialogueState, why: str) -> str:
        if why == "accept" and state.focus_item:
            return f"Great choice — enjoy {self._name(state.focus_item)}! Ask me again any time."
        return replies.ACKNOWLEDGEMENTS.get(why, replies.ACKNOWLEDGEMENTS["smalltalk"])

    def _knows(self, user: UserModel | None) -> bool:
        """Enough of this person's history to answer a vague request from their profile."""
        return user is not None and len(user.history) >= self.settings.profile.history_to_skip_questions

    def _name(self, item_id: str) -> str:
        item = self.engine.get(item_id)
        return item.display_title if item else item_id


class UnknownSession(KeyError):
    """Feedback for a session with no stored turn."""


_FEATURE_WORDS = {"content": "closeness to what you asked for", "genre": "the genres you asked for",
                  "scene_genre": "fit with the scene", "popularity": "popularity", "people": "the people you named",
                  "anchor": "likeness to the films you named", "quality": "ratings"}


def _why(item: RecommendedItem) -> str:
    """The reason an item was picked, with the parts of its score that weighed most, in words."""
    parts = sorted(((k, v) for k, v in item.contributions.items() if v > 0), key=lambda kv: -kv[1])[:3]
    words = ", ".join(f"{_FEATURE_WORDS.get(k, k.replace('_', ' '))} (+{v:.2f})" for k, v in parts)
    reason = item.reason.rstrip(".")
    return f"{reason}." + (f" What weighed most in its score: {words}." if words else "")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) / len(letters) > 0.6


__all__ = ["SceneRecAgent", "Understanding"]
