"""The Chinese reader: the same :class:`Understanding` as the English embedded understander,
from the vocabulary in ``data/zh_reader.yaml``, the alias table of Chinese titles, and the English
title finder for English titles and names inside a Chinese sentence.
This module finds titles, people, references and what is said of the titles named; the slot
rules live in ``zh_slots``, numbers in ``zh_numbers``, the intent in ``zh_intent``.

Example::

    zh = ChineseUnderstander(NameFinder(...), english=embedded, lookup=engine.get)
    zh.understand("想找一部适合全家看的喜剧，不要恐怖片")
    # intent='recommend', scene.companions='family', liked_genres=['Comedy'], disliked_genres=['Horror']
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.understanding import lexicon as lx
from agent.understanding.embedded import TurnContext
from agent.understanding.language import to_simplified
from agent.understanding.schema import ConstraintUpdate, Critique, Mention, SceneUpdate, Understanding
from agent.understanding.text import PhraseHit, tokenize
from agent.understanding.zh_titles import NameFinder, Span
from agent.understanding.zh_intent import intent
from agent.understanding.zh_numbers import apply_numbers, cn_numbers
from agent.understanding.zh_slots import negation, opinions, people_polarity, post_negation, slots
from agent.understanding.zh_vocab import CharPhrases, contains_any, flat, load_vocabulary

__all__ = ["ChineseUnderstander", "cn_numbers"]  # (cn_numbers: from zh_numbers, where it lives)

_REF = re.compile(r"(第[一二三四五12345]|最后一?|头一|[12345]号|the (?:first|second|third|fourth|fifth|last)(?= one| movie))"
                  r"\s*(部|个|条|项|号|支|one|movie|)")


class ChineseUnderstander:
    name = "embedded-zh"

    def __init__(self, names: NameFinder, english=None, lookup: Callable | None = None, max_year: int = 2016):
        self.names = names
        self.english = english  # the English understander: its title finder reads English titles and names
        self.lookup = lookup or (lambda item_id: None)
        self.max_year = max_year
        v = self.vocab = load_vocabulary()
        self.phrases = CharPhrases.build({
            "genre": v["genres"], "companions": v["companions"], "occasion": v["occasions"],
            "mood": v["moods"], "time_of_day": v["time_of_day"], "critique": v["critiques"],
            "attribute": v["attributes"], "family_safe": flat(v["family_safe"], "family_safe"),
            "quality": flat(v["quality"], "quality"), "recent": flat(v["recent"], "recent"),
            "negation": flat(v["negation"]["cues"], "negation"),
            "not_negation": flat(v["negation"]["not_negation"], "not_negation"),
        })
        self.heads = {str(p): g for g, ps in v["genre_heads"].items() for p in ps}
        # English genre and mood words inside a Chinese sentence ("不要 horror", "找个 rom-com"),
        # from the English vocabulary, matched as whole words; an English genre word names the genre
        self._latin: dict[str, list[tuple[str, str]]] = {}
        for category, table in (("genre", lx.GENRE_PHRASES), ("mood", lx.MOOD_PHRASES)):
            for value, phrases in table.items():
                for p in phrases:
                    self._latin.setdefault(p.lower(), []).append((category, value))
                    if category == "genre":
                        self.heads[p.lower()] = value
        self._latin_re = re.compile(r"(?<![a-z])(" + "|".join(map(re.escape, sorted(self._latin, key=len, reverse=True)))
                                    + r")(?![a-z])")

    # -- entry point ----------------------------------------------------------------------------
    def understand(self, text: str, ctx: TurnContext | None = None) -> Understanding:
        ctx = ctx or TurnContext(max_year=self.max_year)
        u = Understanding(source="embedded-zh")
        if not text.strip():
            u.intent = "empty"
            return u
        raw = to_simplified(text)
        s = raw.lower() if len(raw.lower()) == len(raw) else raw
        masked, spans, people = self._titles_and_names(u, s, raw)
        hits = sorted(self.phrases.find(s, masked) + self._latin_hits(s, masked), key=lambda h: (h.start, -h.end))
        hits = opinions(s, hits, spans)
        # "再好笑一点", "新一点": a critique of the list, not a new mood or year limit
        critiqued = {i for h in hits if h.category == "critique" for i in range(h.start, h.end)}
        if ctx.last_shown and critiqued:
            hits = [h for h in hits if h.category in ("critique", "negation", "not_negation") or h.start not in critiqued]
        negated, degree = negation(self.vocab, s, hits)
        slots(u, s, hits, negated, degree, self.vocab, self.heads, self.max_year)
        post_negation(u, s, hits, self.vocab, self.heads)
        self._english_words(u, raw, masked)
        people_polarity(u, s, people, negated, self.vocab)
        apply_numbers(u, s, ctx)
        if ctx.last_shown and u.critiques:  # "这几个都两个半小时了": about the list, not the time they have
            u.scene.time_budget_min = None
        if not ctx.last_shown:
            if u.mentions or u.unknown_titles:
                u.critiques = []
            self._without_list(u)
        self._references(u, s)
        self._mention_polarity(u, s, spans, negated)
        wishes = any(h.category in ("attribute", "genre", "mood") for h in hits)
        u.intent = intent(u, s, ctx, self.vocab, wishes)
        if u.intent == "ask_item":  # "适合孩子看吗？" asks about the item; it is no taste, no scene
            u.liked_genres, u.disliked_genres, u.liked_people, u.keywords = [], [], [], []
            u.scene, u.constraints = SceneUpdate(), ConstraintUpdate()
        if u.intent in ("ask_item", "smalltalk", "greeting"):  # "你是机器人吗": no wish for robot films
            u.liked_attributes, u.avoided_attributes = [], []
        return u

    def titles_in(self, text: str) -> list[str]:
        """Catalogue ids of the titles named in ``text``, in order (quoted, bare and English)."""
        u = Understanding()
        raw = to_simplified(text)
        self._titles_and_names(u, raw.lower() if len(raw.lower()) == len(raw) else raw, raw)
        return list(dict.fromkeys(m.item_id for m in u.mentions))

    # -- titles and people ----------------------------------------------------------------------
    def _titles_and_names(self, u: Understanding, s: str, raw: str) -> tuple[set[int], list[Span], list[Span]]:
        """Mentions and people into ``u``; returns the positions they take and the title spans.
        ``raw`` is ``s`` before lower-casing (English titles keep their capitals)."""
        masked: set[int] = set()
        spans: list[Span] = []
        for start, end, inner in self.names.quoted(s):
            masked |= set(range(start, end))
            ids = self.names.titles.lookup(inner) or self._english_ids(inner, whole=True) \
                or self.names.titles.series(inner)
            if ids:
                spans.append(Span(start, end, ids[0], inner, True, tuple(ids[1:4])))
            else:
                u.unknown_titles.append(inner)
        vocabulary = {i for h in self.phrases.find(s) if h.end - h.start >= 2 for i in range(h.start, h.end)}
        vocabulary |= {i for m in _REF.finditer(s) for i in range(m.start(), m.end())}
        titles, people = self.names.bare(s, masked, vocabulary)
        spans += titles
        for p in people:
            masked |= set(range(p.start, p.end))
            if p.value not in u.liked_people:
                u.liked_people.append(p.value)

        for t in titles:
            masked |= set(range(t.start, t.end))
        # English titles and names inside the Chinese sentence ("像 Inception 一样")
        if self.english is not None and re.search(r"[a-z]{2}", s):
            latin = "".join(c if i not in masked else " " for i, c in enumerate(raw))
            scan = self.english.titles.scan(tokenize(latin))
            tokens = tokenize(latin)
            for f in scan.found:
                start = tokens[f.start].start
                end = tokens[f.end - 1].start + len(tokens[f.end - 1].text)
                best = f.matches[0]
                spans.append(Span(start, end, best.item_id, f.surface, False, tuple(m.item_id for m in f.matches[1:4])))
                masked |= set(range(start, end))
            for h in scan.names:
                if h.name not in u.liked_people:
                    u.liked_people.append(h.name)
                start = tokens[h.start].start
                masked |= set(range(start, tokens[h.end - 1].start + len(tokens[h.end - 1].text)))
        spans.sort(key=lambda sp: sp.start)
        for sp in spans:
            item = self.lookup(sp.value)
            u.mentions.append(Mention(item_id=sp.value, title=item.title if item else sp.surface,
                                      year=item.year if item else None, surface=sp.surface,
                                      alternatives=list(sp.alternatives)))
        return masked, spans, people

    def _latin_hits(self, s: str, masked: set[int]) -> list[PhraseHit]:
        if not re.search(r"[a-z]{3}", s):
            return []
        return [PhraseHit(m.start(), m.end(), category, value) for m in self._latin_re.finditer(s)
                if not masked & set(range(m.start(), m.end())) for category, value in self._latin[m.group(1)]]

    def _english_words(self, u: Understanding, raw: str, masked: set[int]) -> None:
        """English words inside a Chinese message ("no horror pls，其他随意", "今晚 movie night"):
        the English reader fills the slots the Chinese words left empty."""
        if self.english is None:
            return
        latin = " ".join(re.findall(r"[A-Za-z][A-Za-z' -]*[A-Za-z]", "".join(" " if i in masked else c for i, c in enumerate(raw))))
        if len(latin.split()) < 2:
            return
        e = self.english.understand(latin, TurnContext(max_year=self.max_year))
        for g in e.disliked_genres:  # "no horror pls" (liked genres and moods: read above as words)
            if g not in u.disliked_genres:
                u.disliked_genres.append(g)
            if g in u.liked_genres:
                u.liked_genres.remove(g)
        sc, es = u.scene, e.scene
        sc.companions = sc.companions or es.companions
        sc.occasion = sc.occasion or es.occasion
        sc.time_of_day = sc.time_of_day or es.time_of_day
        sc.time_budget_min = sc.time_budget_min or es.time_budget_min
        for k, val in e.constraints.model_dump().items():
            if val is not None and getattr(u.constraints, k) is None:
                setattr(u.constraints, k, val)
        u.critiques += [c for c in e.critiques if c.kind not in {x.kind for x in u.critiques}]

    def _english_ids(self, inner: str, whole: bool) -> list[str]:
        if self.english is None or not re.search(r"[a-z]", inner):
            return []
        resolver = self.english.titles.resolver
        name = re.sub(r"\s+", " ", inner).strip()
        hits = resolver.exact(name, None) if hasattr(resolver, "exact") else []
        return [m.item_id for m in hits]

    @staticmethod
    def _without_list(u: Understanding) -> None:
        """No list shown: "短点的" asks for short films, "评分高的" for well-rated ones; there is
        nothing to critique or point at ("要就要第一部" is no reference)."""
        c = u.constraints
        for crit in u.critiques:
            if crit.kind == "shorter" and not (c.max_runtime or u.scene.time_budget_min):
                c.max_runtime = 100
            elif crit.kind == "better_rated" and c.min_rating is None:
                c.min_rating = 7.0
        u.critiques, u.references = [], []

    # -- references to the shown list ------------------------------------------------------------
    def _references(self, u: Understanding, s: str) -> None:
        v = self.vocab
        for m in _REF.finditer(s):
            after = s[m.end():m.end() + 1]
            if s.startswith("次", m.end()) or s.startswith("时间", m.end()) or (not m.group(2) and after and after not in "，。！？?!,、吧呢呀啊的那这也还和"):
                continue
            key = m.group(1)
            idx = v["ordinals"].get(key, v["ordinals"].get(key[:2], v["ordinals"].get(key.removeprefix("the "))))
            if idx is not None and idx not in u.references:
                u.references.append(int(idx))
        u.refers_to_focus = contains_any(s, v["focus_refs"])
        u.refers_to_all = bool(re.search(r"(这些|那些|这几部|那几部|这几个|它们|全部|全都|两部都|都)(看过|不|没|挺|很|喜欢|还)", s)) \
            or contains_any(s, ["这些", "那些", "这几部", "那几部", "它们"])
        if u.references and re.search(r"(那样|那种|一样|这样|类似|像|差不多|相似|more like|similar)", s):
            u.critiques.append(Critique(kind="more_like", ref_index=u.references[0]))
            u.critiques = [c for c in u.critiques if c.kind != "another"] + []

    # -- what the person says about the titles they name -------------------------------------------
    def _mention_polarity(self, u: Understanding, s: str, spans: list[Span], negated: set[int]) -> None:
        v = self.vocab
        for m, sp in zip(u.mentions, spans):
            clause_start = max([s.rfind(p, 0, sp.start) for p in "，。！？；,.!?;"] + [-1]) + 1
            ends = [i for i in (s.find(p, sp.end) for p in "，。！？；,.!?;") if i >= 0]
            clause = s[clause_start:min(ends, default=len(s))]
            before, after = s[clause_start:sp.start], clause[sp.end - clause_start:]
            if contains_any(before + after, v["unseen"]):
                m.polarity = "unseen"
            elif contains_any(before + after[:6], v["dislike"]) or sp.start in negated:
                m.polarity = "disliked"
            elif contains_any(before + after[:4], v["seen"]):
                m.polarity = "seen"
            elif contains_any(before + after, v["like"]):
                m.polarity = "liked"
