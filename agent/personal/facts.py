"""Grounded facts from the personal signals, for a pick's reason: which of the person's items
drove it ("you liked X", "people who liked X ..."), what they watched before it, and which of
their interests it matches. Only items that really drove the score are named."""

from __future__ import annotations

from collections.abc import Callable

from agent.grounding import Fact
from agent.personal.signals import PersonalContext
from retrieval.attributes import AttributeSpace
from retrieval.collaborative import CollaborativeModel


class PersonalFacts:
    def __init__(self, collab: CollaborativeModel, space: AttributeSpace, title: Callable[[str], str]):
        self.collab, self.space, self.title = collab, space, title

    def facts(self, ctx: PersonalContext, item_id: str, contributions: dict[str, float]) -> list[Fact]:
        """What the personal features say about one pick, naming only items that drove it."""
        out: list[Fact] = []
        if contributions.get("collaborative", 0.0) > 0:
            fact = self._collaborative_fact(ctx, item_id, contributions["collaborative"])
            if fact:
                out.append(fact)
        if contributions.get("sequence", 0.0) > 0:
            best = self.collab.best_predecessor(ctx.recent, item_id)
            if best:
                out.append(Fact("sequence", {"title": self.title(best[0])}, contributions["sequence"], (best[0],)))
        if contributions.get("profile", 0.0) > 0 and ctx.user:
            fact = self._profile_fact(ctx, item_id, contributions["profile"])
            if fact:
                out.append(fact)
        return out

    def _collaborative_fact(self, ctx: PersonalContext, item_id: str, weight: float) -> Fact | None:
        best = self.collab.best_seed({s: w for s, w in ctx.seeds.items() if w > 0 and s not in ctx.discussed}, item_id)
        if not best:
            return None
        seed = best[0]
        together = self.collab.liked_together(seed, item_id)
        strong = bool(together and together.raters >= 5 and 2 * together.liked >= together.raters)
        data = {"title": self.title(seed)}
        if strong:
            data |= {"raters": f"{together.raters:,}", "liked": f"{together.liked:,}"}
        stars = ctx.user.ratings.get(seed) if ctx.user and seed not in ctx.user.liked else None
        if stars is not None and stars >= 3.5:
            kind = "history" if strong else "history_plain"
            data["stars"] = f"{stars:g}"
        else:
            kind = "liked_seed" if strong else "liked_seed_plain"
        return Fact(kind, data, weight, (seed,))

    def _profile_fact(self, ctx: PersonalContext, item_id: str, weight: float) -> Fact | None:
        row = self.space.item_index.get(item_id)
        if row is None:
            return None
        cols = self.space.matrix[row].indices
        lift = ctx.profile.lift(ctx.scene)
        mean = ctx.profile.view(ctx.scene).mean(self.space)
        best = max(cols, key=lambda c: lift[c], default=None)
        if best is None or lift[best] <= 0:
            return None
        share, prior = round(100 * mean[best]), round(100 * ctx.profile.prior[best])
        if share <= prior:
            return None
        a = self.space.attributes[best]
        return Fact("profile", {"value": _attribute_words(a.family, a.value), "share": share, "prior": prior}, weight)


def _attribute_words(family: str, value: str) -> str:
    return {"genre": value.lower(), "era": f"films from the {value}" if value[0].isdigit() else f"films from {value}",
            "mood": f"{value} films", "runtime": f"films {value}" if value[0] in "uo" else f"{value} films"}[family]
