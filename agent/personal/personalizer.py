"""The personalizer: the models fitted on the catalogue's interactions (attribute space,
collaborative model, interest prior, everyone's ratings) and one place for the agent to ask
about a person. Each job lives in its own module; this class holds the fitted state and hands it
to them:

* :mod:`agent.personal.user_model` — a person's user model, built once per version of their events;
* :mod:`agent.personal.signals` — one turn's personal features and candidates;
* :mod:`agent.personal.facts` — grounded facts about a pick, for its reason;
* :mod:`agent.personal.snapshot` — the interest snapshot a person is shown;
* :mod:`agent.personal.privacy` — who is known, and everything stored about one person.

Example::

    p = Personalizer(engine, ProfileStore(path), ProfileSettings(), lx.MOOD_GENRES)
    ctx = p.context("ml:42", state)        # per turn
    ctx.features(["1", "2"])               # {'collaborative': {...}, 'profile': {...}, 'sequence': {...}}
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from agent.grounding import Fact
from agent.personal.facts import PersonalFacts
from agent.personal.history import HistoryEntry, ratings_by_user
from agent.personal.privacy import export_person, known_people
from agent.personal.signals import PersonalContext, personal_candidates, turn_context
from agent.personal.snapshot import interest_snapshot
from agent.personal.user_model import UserModel, UserModelCache, build_user_model, stored_posteriors
from agent.results import InterestSnapshot
from agent.settings import ProfileSettings
from agent.state import DialogueState
from retrieval.attributes import AttributeSpace
from retrieval.collaborative import CollaborativeModel, EaseSettings, Interaction
from retrieval.engine import CatalogueEngine
from retrieval.interest import InterestModel, population_prior
from retrieval.profiles import ProfileEvent, ProfileStore


class Personalizer:
    def __init__(self, engine: CatalogueEngine, profiles: ProfileStore, settings: ProfileSettings,
                 mood_genres: dict[str, dict[str, float]], interactions: Sequence[Interaction] | None = None,
                 fitted: dict | None = None):
        """``fitted``: the :meth:`fitted_state` of a Personalizer built earlier on the same catalogue
        version and settings (a warm cache), used instead of fitting again."""
        self.engine, self.profiles, self.settings = engine, profiles, settings
        self._cache = UserModelCache()
        if fitted is not None:
            self.__dict__.update({k: fitted[k] for k in self.FITTED})
            return
        self.space = AttributeSpace(engine.items.values(), mood_genres)
        self._fit(interactions if interactions is not None else engine.store.interactions(engine.catalogue))

    FITTED = ("space", "collab", "interest", "base", "_n_interactions")
    on_refit: Callable[[], None] | None = None  # called after the models were fitted again (a person forgotten)

    def fitted_state(self) -> dict:
        """The fitted models, for a warm cache (see ``fitted`` above)."""
        return {k: getattr(self, k) for k in self.FITTED}

    def _fit(self, interactions: Sequence[Interaction]) -> None:
        self.collab = CollaborativeModel(interactions, [it.id for it in self.space.items],
                                         self.settings.transition_window,
                                         EaseSettings(l2=self.settings.collaborative_l2), self._ease_cache())
        self.interest = InterestModel(self.space, population_prior(self.space, (i for _, i, _, _ in interactions)),
                                      self.settings.prior_strength, self.settings.scene_strength,
                                      self.settings.scene_spillover)
        self._n_interactions = len(interactions)
        self.base = ratings_by_user(interactions)  # the catalogue's ratings per user id
        self._cache.clear()

    def _ease_cache(self) -> Path:
        """Where the item-item weights are kept between starts: beside the catalogue database."""
        return self.engine.store.path.parent / "cache" / f"ease-{self.engine.catalogue}.npz"

    # -- the person's model -----------------------------------------------------------------------
    def user_model(self, user_id: str) -> UserModel:
        """The person's model: one version read, rebuilt only when their events changed."""
        return self._cache.get(user_id, self.profiles.version(user_id)) or self.rebuild(user_id)

    def rebuild(self, user_id: str) -> UserModel:
        """The person's model from their events as stored now (e.g. right after this turn's feedback):
        events and version come from one read."""
        version, events = self.profiles.history(user_id)
        hit = self._cache.get(user_id, version)  # another thread may have built it meanwhile
        if hit:
            return hit
        history = list(self.base.get(user_id, [])) + [
            HistoryEntry(e.item_id, e.kind, e.rating, e.ts, e.scene) for e in events]
        fingerprint = self._fingerprint(version, len(history))
        model = build_user_model(user_id, history, self.settings, lambda evidence: stored_posteriors(
            self.profiles, self.interest, self.space, user_id, evidence, fingerprint))
        self._cache.put(user_id, version, model)
        return model

    def _model(self, user: str | UserModel | None) -> UserModel | None:
        """A person's model from their id, or the one already built this turn; None for nobody."""
        if isinstance(user, UserModel):
            return user
        return self.user_model(user) if user else None

    def _fingerprint(self, version: int, n_history: int) -> str:
        """Identifies the evidence and model a cached posterior was computed from."""
        basis = f"{version}/{n_history}/{self._n_interactions}/{self.settings.model_dump_json()}"
        return hashlib.sha1(basis.encode()).hexdigest()[:16]

    # -- one turn ---------------------------------------------------------------------------------
    def context(self, person: str | UserModel | None, state: DialogueState) -> PersonalContext:
        """One turn's signals for a user id (or their model, already built this turn) or nobody."""
        return turn_context(self._model(person), state, self.settings, self.interest, self.collab)

    def candidates(self, ctx: PersonalContext) -> dict[str, list[str]]:
        """Personal candidate ids by source (best first)."""
        return personal_candidates(ctx, self.collab, self.settings.collaborative_pool)

    def facts(self, ctx: PersonalContext, item_id: str, contributions: dict[str, float]) -> list[Fact]:
        """What the personal features say about one pick, naming only items that drove it."""
        return PersonalFacts(self.collab, self.space, self._title).facts(ctx, item_id, contributions)

    def _title(self, item_id: str) -> str:
        item = self.engine.get(item_id)
        return item.display_title if item else item_id

    # -- feedback, inspection, privacy ----------------------------------------------------------
    def record(self, user_id: str, items: dict[str, list[str]], scene: str | None, session_id: str | None) -> int:
        """Store chat feedback ({kind: [item ids]}) in the profile at once."""
        return self.profiles.add(ProfileEvent(user_id, i, kind, scene=scene, session_id=session_id)
                                 for kind, ids in items.items() for i in ids)

    def snapshot(self, person: str | UserModel | None, scene: str | None = None,
                 before: InterestSnapshot | None = None) -> InterestSnapshot:
        """The interest distribution of a view (top values per family), with the change since ``before``;
        ``person`` is a user id or their model already built this turn."""
        user = self._model(person)
        profile = user.profile if user else self.interest.build([])
        return interest_snapshot(user.user_id if user else None, profile, self.space, scene, before)

    def export(self, user_id: str) -> dict:
        """Everything stored about a person: catalogue ratings, chat feedback, cached vectors."""
        return export_person(user_id, self.profiles, self.base.get(user_id, []), self._title)

    def known_users(self) -> list[str]:
        return known_people(set(self.base), self.profiles)

    def forget(self, user_id: str) -> int:
        """Delete the person's profile rows, catalogue interactions and cached vectors; refit the
        collaborative model and prior when the catalogue's interactions held them."""
        removed = self.profiles.delete_user(user_id)
        had_base = user_id in self.base
        removed += self.engine.store.delete_user_interactions(user_id)
        self._cache.drop(user_id)
        if had_base:
            self._fit(self.engine.store.interactions(self.engine.catalogue))
            if self.on_refit is not None:
                self.on_refit()  # e.g. drop the warm cache that still holds the person's ratings
        return removed
