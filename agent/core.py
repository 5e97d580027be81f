"""The agent loop for one turn: understand → update state → decide → retrieve → rank → reply → explain.

Example::

    agent = build_agent(load_settings())          # see agent.wiring
    result = agent.turn("something funny for the kids tonight")
    result.items[0].title, result.items[0].reason
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from agent.wording import wording_for
from agent.explain import Grounds, TemplateExplainer
from agent.grounding import request_facts
from agent.learned_signals import LearnedSignals
from agent.llm.budget import map_in_budget, turn_budget
from agent.personal.personalizer import Personalizer
from agent.personal.signals import PersonalContext, scene_key
from agent.personal.user_model import UserModel
from agent.reads import StoreReads
from agent.planning import RecommendationPlan, plan_recommendation, query_text
from agent.notices import turn_notices, with_notices
from agent.policy import Decision, decide
from agent.results import InterestSnapshot, RecommendedItem, TurnResult, UserProfile
from agent.schema import FEEDBACK_KINDS
from agent.sessions import SessionStore
from agent.state import DialogueState
from agent.turn_events import EventSink, ReasonStream, ignore, serialised
from agent.understanding.bilingual import SessionContext
from agent.understanding.schema import Understanding
from agent.understanding.text import clean_text
from retrieval.engine import CatalogueEngine
from retrieval.errors import SceneRecError
from retrieval.ranking import Candidate, Ranked, RankRequest, rank, weighed_in_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonThisTurn:
    model: UserModel | None  # None: no signed-in person (or no personalizer)
    before: InterestSnapshot | None  # their interests before this turn's feedback


@dataclass
class RankingInputs:
    candidates: list[Candidate]
    request: RankRequest
    personal: PersonalContext | None
    anchors: dict[str, str]  # liked / "more like" item id -> display title


@dataclass
class Shortlist:
    """The picks of a recommending turn, ranked, their reasons still to write (empty otherwise)."""

    ranked: list[Ranked]
    inputs: RankingInputs | None = None


class SceneRecAgent(StoreReads):
    def __init__(self, engine: CatalogueEngine, understander, sessions: SessionStore, settings,
                 explainer=None, personalizer: Personalizer | None = None, learned: LearnedSignals | None = None):
        self.engine = engine
        self.understander = understander
        self.sessions = sessions
        self.settings = settings
        self.explainer = explainer or TemplateExplainer()
        self.personalizer = personalizer
        self.learned = learned

    @property
    def weights(self) -> dict[str, float]:
        """The ranker's feature weights for a request: learned from conversations when a model bundle
        is loaded (fitted together, they replace the hand-set ones), else the settings' hand-set weights."""
        return self.weights_for(None)

    def weights_for(self, state: DialogueState | None) -> dict[str, float]:
        """The weights for this state: once the person has steered with a critique ("too heavy,
        something funnier"), the learned bundle's critique weights, which keep that steer ahead of
        what recommenders in the training conversations suggested most."""
        hand_set = self.settings.weights.model_dump()
        if not self.learned:
            return hand_set
        return hand_set | (self.learned.bundle.critique_weights if state and state.critiques else self.learned.weights)

    # -- public entry point ------------------------------------------------------------------
    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None,
             events: EventSink | None = None) -> TurnResult:
        """One turn; all of its LLM calls share one time budget (``settings.llm_turn_budget_s``).
        ``events`` hears what the turn has while it runs (:mod:`agent.turn_events`)."""
        with turn_budget(getattr(self.settings, "llm_turn_budget_s", None)):
            return self._turn(message, session_id, user_id, serialised(events) if events else ignore)

    def _turn(self, message: str, session_id: str | None, user_id: str | None, events: EventSink) -> TurnResult:
        t0, timings = time.perf_counter(), {}
        text, cut = clean_text(_as_text(message), self.settings.max_message_chars)
        session_id = session_id or self.sessions.new_id()
        previous, user_id = self._load(session_id, user_id)
        u = self._understand(text, previous)  # 1. understand
        timings["understand"] = _ms(t0)
        words = wording_for(u.language or previous.language)  # replies in the person's language
        state = previous.heard(text).apply(u, self.engine.get)  # 2. apply
        person = self._person(user_id, previous, state, session_id)
        decision = decide(u, state, knows_user=state.is_thin() and self._knows(person.model))  # 3. decide
        events("session", {"session_id": session_id, "action": decision.action, "intent": u.intent})
        shortlist = self._act(decision, state, person.model, timings)  # 4. act
        notices = turn_notices(text, cut, u, words, lambda i: self._name(i, words) if self.engine.get(i) else None)
        reply = with_notices(self._compose(decision, state, u, bool(shortlist.ranked), words), notices)  # 5. reply
        events("reply", {"text": reply})
        items = self._explain(shortlist, state, timings, events)  # 6. a reason for each pick
        state = state.after_turn(decision.action, [it.id for it in items], {it.id: _why(it) for it in items})
        self.sessions.save(session_id, state, user_id)
        interest = self.interest(person.model, scene_key(state), person.before) if person.model else None
        timings["total"] = _ms(t0)
        return TurnResult(session_id=session_id, action=decision.action, intent=u.intent, reply=reply,
                          items=items, state=state.summary(), notices=notices, timings_ms=timings,
                          interest=interest)

    # -- the turn's steps -----------------------------------------------------------------------
    def _load(self, session_id: str, user_id: str | None) -> tuple[DialogueState, str | None]:
        """The session's state (a fresh one for a new session) and whose session it is."""
        loaded = self.sessions.load(session_id)
        state, stored_user = loaded if loaded else (DialogueState(), None)
        return state, user_id or stored_user

    def _understand(self, text: str, state: DialogueState) -> Understanding:
        ctx = SessionContext(last_shown=state.last_shown, focus_item=state.focus_item, max_year=self.engine.max_year,
                             language=state.language)
        return self.understander.understand(text, ctx)

    def _person(self, user_id: str | None, previous: DialogueState, state: DialogueState,
                session_id: str) -> PersonThisTurn:
        """The person's model, built once a turn (one profile-version read) and passed along: rebuilt
        only when this turn's feedback changed the evidence; with their interests before it."""
        if not (user_id and self.personalizer):
            return PersonThisTurn(None, None)
        model = self.personalizer.user_model(user_id)
        before = self.interest(model, scene_key(state))
        if self._learn(user_id, previous, state, session_id):
            model = self.personalizer.rebuild(user_id)
        return PersonThisTurn(model, before)

    def _act(self, decision: Decision, state: DialogueState, user: UserModel | None,
             timings: dict[str, float]) -> Shortlist:
        """Recommend: retrieve and rank (the other actions show nothing)."""
        if decision.action != "recommend":
            return Shortlist([])
        t = time.perf_counter()
        shortlist = self._shortlist(state, timings, user)
        timings["retrieve_rank"] = _ms(t)
        return shortlist

    def _compose(self, decision: Decision, state: DialogueState, u: Understanding, has_items: bool, words) -> str:
        """The reply for the action taken, worded from the policy's ``why`` tag."""
        if decision.action == "recommend":
            anchors = [self._name(a, words) for a in state.anchor_items if self.engine.get(a)]
            return words.recommend_reply(state, has_items, decision.why, anchors)
        if decision.action == "ask":
            return words.clarifying_question(state, decision.why)
        if decision.action == "answer":
            return words.answer_question(self.engine.get(state.focus_item), u.question,
                                         why=state.last_reasons.get(state.focus_item))
        focus = self._name(state.focus_item, words) if state.focus_item else None
        return words.acknowledge(decision.why, focus)

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

    # -- what the interfaces may ask (see agent.protocols.Recommender; the store reads: agent.reads) ----
    def user_profile(self, user_id: str) -> UserProfile | None:
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
                                   self.engine.people, with_message=bool(self.weights_for(state).get("message")))

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
        learned = self.learned.arrays(state) if self.learned else None
        if learned:
            query.personal = query.personal | {"learned": self.learned.top(learned)}
        t = time.perf_counter()
        candidates = self.engine.candidates(query)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        ids = [c.item.id for c in candidates]
        signals = personal.features(ids) if personal else {}
        if learned:
            signals["learned"] = self.learned.for_items(learned, ids)
        request = replace(plan.request, **signals)
        timings["features"] = _ms(t)
        return RankingInputs(candidates, request, personal, {a: self._name(a) for a in plan.anchors})

    def _shortlist(self, state: DialogueState, timings: dict[str, float], user: UserModel | None = None) -> Shortlist:
        inputs = self.ranking_inputs(state, user, timings)
        t = time.perf_counter()
        ranked = rank(inputs.candidates, inputs.request, self.weights_for(state), self.settings.top_k)
        timings["rank"] = _ms(t)
        return Shortlist(ranked, inputs)

    def _explain(self, shortlist: Shortlist, state: DialogueState, timings: dict[str, float],
                 events: EventSink = ignore) -> list[RecommendedItem]:
        """Each pick with its reason; ``events`` hears the picks, then each reason (an LLM's as it
        is written). One LLM call per pick (with an LLM explainer): concurrently, in the turn's budget."""
        if not shortlist.ranked:
            return []
        t = time.perf_counter()
        ranked, inputs = shortlist.ranked, shortlist.inputs
        cards = [_card(r, state.language) for r in ranked]  # shown at once, then again with each reason
        events("picks", {"items": [card | {"reason": ""} for card in cards]})
        shown = {r.item.id: r.item.display_title for r in ranked}
        request = wording_for(state.language).describe_request(state, list(inputs.anchors.values()))

        def explained(pick: tuple[int, Ranked]) -> RecommendedItem:
            return self._explained(pick[1], cards[pick[0]], state, inputs, shown, request, pick[0],
                                   ReasonStream(events, pick[0], pick[1].item.id))

        picks = list(enumerate(ranked))
        out = map_in_budget(explained, picks) if self.explainer.name == "llm" else [explained(p) for p in picks]
        timings["explain"] = _ms(t)
        return out

    def _explained(self, r: Ranked, card: dict, state: DialogueState, inputs: RankingInputs, shown: dict[str, str],
                   request: str, position: int, stream: ReasonStream) -> RecommendedItem:
        facts = request_facts(r.item, r.contributions, state, inputs.anchors)
        if inputs.personal:
            facts += self.personalizer.facts(inputs.personal, r.item.id, r.contributions)
        grounds = Grounds(r.item, facts, shown, request, position)
        reason = wording_for(state.language).explain(self.explainer, grounds,
                                                     on_text=stream.piece if stream.heard else None)
        stream.final(reason)
        return RecommendedItem(**card, reason=reason, contributions=r.contributions,
                               facts=[f.text for f in sorted(facts, key=lambda f: -f.weight)])

    def _knows(self, user: UserModel | None) -> bool:
        """Enough of this person's history to answer a vague request from their profile."""
        return user is not None and len(user.history) >= self.settings.profile.history_to_skip_questions

    def _name(self, item_id: str, words=None) -> str:
        item = self.engine.get(item_id)
        return (words or wording_for("en")).name(item) if item else item_id


class UnknownSession(SceneRecError, KeyError):
    """Feedback for a session with no stored turn."""


def _card(r: Ranked, language: str) -> dict:
    """What a pick shows before its reason (its genres also named in the person's language)."""
    it = r.item
    genre = wording_for(language).genre
    return dict(id=it.id, title=it.name, year=it.year, genres=it.genres, genre_labels=[genre(g) for g in it.genres],
                runtime=it.runtime, mpaa=it.mpaa, rating=it.rating, directors=it.directors, cast=it.cast, score=r.score)


def _why(item: RecommendedItem) -> str:
    """The reason an item was picked, with the parts of its score that weighed most, in words."""
    words = ", ".join(f"{w} (+{v:.2f})" for w, v in weighed_in_words(item.contributions)[:3])
    reason = item.reason.rstrip(".")
    return f"{reason}." + (f" What weighed most in its score: {words}." if words else "")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def _as_text(message) -> str:
    if isinstance(message, bytes):
        return message.decode("utf-8", errors="replace")
    return str(message or "")


__all__ = ["SceneRecAgent", "Understanding"]
