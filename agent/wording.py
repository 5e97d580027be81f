"""What the agent says, per language: English (:mod:`agent.replies`) or Chinese (templates in
``agent/locales/zh.yaml``; written, never machine-translated).

Example::

    words = wording_for("zh")
    words.clarifying_question(state, "greeting")   # '你好！我可以帮你挑电影。…'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from agent import replies
from agent.explain import Grounds, TemplateExplainer
from agent.grounding import variant_for
from agent.planning import filters_for
from agent.state import DialogueState
from agent.understanding.zh_titles import ChineseTitles
from retrieval.items import Item


class EnglishWording:
    language = "en"

    def describe_request(self, state: DialogueState, anchor_titles: list[str] | None = None) -> str:
        return replies.describe_request(state, anchor_titles)

    def clarifying_question(self, state: DialogueState, why: str) -> str:
        return replies.clarifying_question(state, why)

    def answer_question(self, item: Item, attribute: str | None, why: str | None = None) -> str:
        return replies.answer_question(item, attribute, why)

    def recommend_reply(self, state: DialogueState, found: bool, why: str, anchors: list[str]) -> str:
        if not found:
            return ("I couldn't find anything in the catalogue that fits all of that: "
                    f"{replies.describe_request(state)}. Try loosening one of those limits.")
        lead = {"refine": "Updated to your feedback — here are", "reject": "Got it — here are other",
                "profile": "Going by what you have enjoyed before, here are some"}.get(why, "Here are some")
        return f"{lead} {replies.describe_request(state, anchors)}:"

    def acknowledge(self, why: str, title: str | None) -> str:
        if why == "accept" and title:
            return f"Great choice — enjoy {title}! Ask me again any time."
        return replies.ACKNOWLEDGEMENTS.get(why, replies.ACKNOWLEDGEMENTS["smalltalk"])

    def name(self, item: Item) -> str:
        return item.display_title

    def genre(self, g: str) -> str:
        return g

    def notice_long(self, n: int) -> str:
        return f"Your message was long; I read the first {n:,} characters."

    def notice_unknown_title(self, title: str) -> str:
        return f"I don't know the title \"{title}\" — it isn't in my catalogue."

    def notice_took(self, surface: str, name: str, alternatives: str = "") -> str:
        also = f" (also possible: {alternatives})" if alternatives else ""
        return f"I took \"{surface}\" as {name}{also}."

    def explain(self, explainer, grounds: Grounds, on_text=None) -> str:
        """The pick's reason; ``on_text`` hears an LLM's reason as it is written (provisional)."""
        if getattr(explainer, "name", "") == "llm":
            return explainer.explain(grounds, on_text=on_text)
        return explainer.explain(grounds)


@lru_cache(maxsize=1)
def _zh() -> dict:
    return yaml.safe_load(resources.files("agent").joinpath("locales/zh.yaml").read_text(encoding="utf-8"))


class ChineseWording:
    language = "zh"

    def __init__(self):
        self.t = _zh()
        self.r = self.t["replies"]
        self.titles = {row.item_id: row.aliases[0] for row in ChineseTitles.load().rows if row.aliases}
        from agent.understanding.zh_vocab import load_vocabulary, people_aliases

        self.people = {name: next((a for a in aliases if any("\u4e00" <= c <= "\u9fff" for c in a)), name)
                       for name, aliases in people_aliases().items()}
        # a descriptive wish in Chinese: the first of its words in the reader's vocabulary ("french": 法国)
        self.attributes = {key: words[0] for key, words in load_vocabulary()["attributes"].items() if words}

    # -- words for catalogue values ---------------------------------------------------------------
    def genre(self, g: str) -> str:
        return self.t["genres"].get(g.lower(), g)

    def _genres(self, text: str) -> str:
        """'comedy and drama' / 'comedy, drama' (the English fact's words) in Chinese."""
        parts = [p.strip() for p in text.replace(" and ", ",").split(",") if p.strip()]
        return "、".join(self.genre(p) for p in parts)

    def name(self, item: Item) -> str:
        zh = self.titles.get(item.id)
        return f"《{zh}》({item.display_title})" if zh else item.display_title

    # -- request and replies ----------------------------------------------------------------------
    def describe_request(self, state: DialogueState, anchor_titles: list[str] | None = None) -> str:
        r = self.r
        bits = [self.t["moods"].get(m, m) for m in state.scene.mood[:3]]
        bits += [self.genre(g) for g in filters_for(state).any_genres[:3]]  # liked, or a critique's direction
        head = "、".join(dict.fromkeys(bits))
        if not bits and not state.scene.companions and not state.liked_people and not anchor_titles:
            head = r["well_liked"]
        elif state.scene.companions:
            head = self.t["companions"].get(state.scene.companions, "") + ("的" + head if head else "的片子")
        else:
            head = (head + "的片子") if head else r["picks"]
        if state.liked_people:
            head += r["with_people"].format(people="、".join(self.people.get(p, p) for p in state.liked_people[:2]))
        if anchor_titles:
            head += r["spirit_of"].format(titles="、".join(anchor_titles[:2]))
        limits = self._limits(state)
        return head + (f"（{'；'.join(limits)}）" if limits else "")

    def _limits(self, state: DialogueState) -> list[str]:
        lim, f, out = self.r["limits"], filters_for(state), []
        if state.liked_attributes:  # soft: the picks lean to them
            out.append(lim["favouring"].format(what="、".join(self.attributes.get(a, a) for a in state.liked_attributes[:3])))
        if aversions := replies.named_aversions(state):
            out.append(lim["avoiding"].format(what="、".join(self.attributes.get(a, a) for a in aversions[:3])))
        if f.exclude_genres or state.avoid_people:
            out.append(lim["exclude"].format(what="、".join([self.genre(g) for g in f.exclude_genres]
                                                           + [self.people.get(p, p) for p in state.avoid_people])))
        if f.max_runtime:
            out.append(lim["max_runtime"].format(n=f.max_runtime))
        if f.min_runtime:
            out.append(lim["min_runtime"].format(n=f.min_runtime))
        if f.mpaa_allowed:
            known = [m for m in f.mpaa_allowed if m != "NR"]
            out.append(lim["mpaa"].format(rating=known[-1]) if known else lim["unrated"])
        if f.year_min and f.year_max:
            out.append(lim["years"].format(a=f.year_min, b=f.year_max) if f.year_min != f.year_max
                       else lim["year"].format(a=f.year_min))
        elif f.year_min:
            out.append(lim["year_from"].format(a=f.year_min))
        elif f.year_max:
            out.append(lim["year_to"].format(a=f.year_max))
        if f.min_rating:
            out.append(lim["rating"].format(r=f"{f.min_rating:g}"))
        return out

    def clarifying_question(self, state: DialogueState, why: str) -> str:
        ask = self.r["ask"]
        if why in ("empty", "greeting", "which_item"):
            return ask[why]
        return ask["thin"] if state.clarify_streak == 0 else ask["thin_again"]

    def recommend_reply(self, state: DialogueState, found: bool, why: str, anchors: list[str]) -> str:
        if not found:
            return self.r["no_results"].format(request=self.describe_request(state))
        lead = self.r["lead"].get(why, self.r["lead"]["request"])
        return f"{lead}{self.describe_request(state, anchors)}："

    def acknowledge(self, why: str, title: str | None) -> str:
        ack = self.r["acknowledge"]
        if why == "accept" and title:
            return ack["accept"].format(title=title)
        return ack.get(why, ack["smalltalk"]) if why != "accept" else ack["smalltalk"]

    def answer_question(self, item: Item, attribute: str | None, why: str | None = None) -> str:
        a, name = self.r["answer"], self.name(item)
        genres = "、".join(self.genre(g) for g in item.genres) or a["no_genre"]
        rated = a["rated"].format(mpaa=item.mpaa) if item.mpaa else ""
        if attribute == "scary":
            scary = {"Horror", "Thriller"} & set(item.genres)
            if scary:
                return a["scary_yes"].format(name=name, genres="、".join(self.genre(g) for g in sorted(scary)), rating=rated)
            family = a["family"] if item.mpaa in ("G", "PG") or "Children" in item.genres else ""
            return a["scary_no"].format(name=name, genres=genres, rating=rated, family=family)
        if attribute == "runtime":
            return a["runtime"].format(name=name, n=item.runtime) if item.runtime else a["runtime_unknown"].format(name=name)
        if attribute == "mpaa":
            return a["mpaa"].format(name=name, mpaa=item.mpaa) if item.mpaa else a["mpaa_unknown"].format(name=name)
        if attribute == "rating":
            if item.rating is not None:
                return a["rating_imdb"].format(name=name, r=f"{item.rating:.1f}", votes=f"{item.votes or 0:,}")
            if item.mean_rating is not None:
                return a["rating_mean"].format(name=name, r=f"{item.mean_rating:.1f}", n=item.popularity)
            return a["rating_unknown"].format(name=name)
        if attribute == "year":
            return a["year"].format(name=name, year=item.year) if item.year else a["year_unknown"].format(name=name)
        facts = [f"{name}：{genres}", *replies.item_facts(item, "{n}分钟", "{mpaa}级", "IMDb {r}/10")]
        return a["general"].format(facts="，".join(facts))

    # -- notices ------------------------------------------------------------------------------------
    def notice_long(self, n: int) -> str:
        return self.r["notices"]["long"].format(n=f"{n:,}")

    def notice_unknown_title(self, title: str) -> str:
        return self.r["notices"]["unknown_title"].format(title=title)

    def notice_took(self, surface: str, name: str, alternatives: str = "") -> str:
        n = self.r["notices"]
        if alternatives:
            return n["took_alternatives"].format(surface=surface, name=name, alternatives=alternatives)
        return n["took"].format(surface=surface, name=name)

    # -- reasons --------------------------------------------------------------------------------------
    def explain(self, explainer, grounds: Grounds, on_text=None) -> str:
        """The same grounded facts as the English reason, in Chinese wordings; an LLM explainer is
        asked to write in Chinese (its reason still passes the fact check)."""
        if getattr(explainer, "name", "") == "llm":
            return explainer.explain(grounds, language="zh", fallback=self.template_reason, on_text=on_text)
        return self.template_reason(grounds)

    def template_reason(self, grounds: Grounds) -> str:
        facts = grounds.strongest()
        if not facts:
            return self.t["reason_fallback"]
        start = variant_for(grounds.request + "|".join(grounds.shown)[:64])
        out = []
        for f in facts:
            options = self.t["reasons"].get(f.kind)
            if not options:
                continue
            data = self._zh_data(f.kind, f.data)
            if "title" in data and f.titles and f.titles[0] in self.titles:
                data["title"] = f"《{self.titles[f.titles[0]]}》"
            out.append(options[(variant_for(f.kind) + start + grounds.position) % len(options)].format(**data))
        return (self.t["reason_joiner"].join(out) + "。") if out else self.t["reason_fallback"]

    def _zh_data(self, kind: str, data: dict) -> dict:
        d = dict(data)
        if "genres" in d:
            d["genres"] = self._genres(str(d["genres"]))
        if "moods" in d:
            d["moods"] = "、".join(self.t["moods"].get(m.strip(), m.strip()) for m in str(d["moods"]).split(" and "))
        if "scene" in d:
            d["scene"] = self.t["scenes"].get(d["scene"], d["scene"])
        if "details" in d:
            d["details"] = str(d["details"]).replace("rated ", "").replace(" min", "分钟").replace(", ", "，")
        if "names" in d:
            d["names"] = "、".join(self.people.get(n, n) for n in str(d["names"]).split(" and "))
        if "attributes" in d:
            d["attributes"] = "、".join(self.attributes.get(a, a) for a in str(d["attributes"]).split(" and "))
        if "value" in d:
            d["value"] = self.genre(str(d["value"]))
        return d


_WORDINGS: dict[str, object] = {}


def wording_for(language: str | None):
    """The wording for a language ('en' when unknown)."""
    language = language if language == "zh" else "en"
    if language not in _WORDINGS:
        _WORDINGS[language] = ChineseWording() if language == "zh" else EnglishWording()
    return _WORDINGS[language]


__all__ = ["ChineseWording", "EnglishWording", "TemplateExplainer", "wording_for"]
