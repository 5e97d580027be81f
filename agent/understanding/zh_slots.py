"""What the phrase hits of a Chinese message fill: the reach of each negation ("别太长", "不要恐怖片"),
opinions that are no wishes ("太恐怖了"), the slots (genres, moods, scene, quality, critiques), and
aversions said after the word ("爱情片免了", "周星驰的就不要了").

Example::

    negated, degree = negation(vocab, s, hits)
    slots(u, s, hits, negated, degree, vocab, heads, max_year)
"""

from __future__ import annotations

import re

from agent.understanding import lexicon as lx
from agent.understanding.schema import Critique, Understanding
from agent.understanding.settle import companion
from agent.understanding.text import PhraseHit
from agent.understanding.zh_titles import Span


def _clause(s: str, i: int) -> tuple[int, int]:
    """The clause around position ``i`` (between punctuation marks)."""
    start = max([s.rfind(p, 0, i) for p in "，。！？；,.!?;~～"] + [-1]) + 1
    ends = [e for e in (s.find(p, i) for p in "，。！？；,.!?;~～") if e >= 0]
    return start, min(ends, default=len(s))


def _without(s: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``s[start:end]`` less the given spans (other genres in a list: "除了恐怖和惊悚")."""
    return "".join(c for i, c in enumerate(s[start:end], start) if not any(a <= i < b for a, b in spans))


def opinions(s: str, hits: list[PhraseHit], spans: list[Span]) -> list[PhraseHit]:
    """Words about a named film ("《美丽人生》好好哭", "《蝙蝠侠》是最好的超英片") or after a degree
    adverb ("太恐怖了") are opinions, not wishes: no genre or mood from them."""
    keep = []
    for h in hits:
        if h.category in ("genre", "mood"):
            if re.search(r"(太|好|真|超|特别|非常|很)$", s[max(0, h.start - 1):h.start]) and \
                    not re.search(r"(想|要|来点|找)", s[max(0, h.start - 4):h.start]):
                continue
            clause = _clause(s, h.start)
            if any(clause[0] <= sp.start < clause[1] for sp in spans) and \
                    not re.search(r"想看|想找|要|来点|找|推荐|还有|类似|这种|那种|这样|那样", s[clause[0]:clause[1]]):
                continue
        keep.append(h)
    return keep


def negation(vocab: dict, s: str, hits: list[PhraseHit]) -> tuple[dict[int, int], set[int]]:
    """Character positions under a negation, and those under a degree negation ("别太")."""
    neg = vocab["negation"]
    not_neg = [h for h in hits if h.category == "not_negation"]
    blocked = {i for h in not_neg for i in range(h.start, h.end)}
    breakers = sorted(neg["scope_breakers"], key=len, reverse=True)
    degree_cues = neg["degree_cues"]
    negated: dict[int, int] = {}  # position -> where its negation scope starts
    degree: set[int] = set()
    for h in hits:
        if h.category != "negation" or h.start in blocked:
            continue
        cue = s[h.start:h.end]
        negated.update({i: i for i in range(h.start + 1, h.end)})  # "别太长": "太长" starts inside the cue
        j = h.end
        is_degree = cue in degree_cues or any(s.startswith(d, j) for d in ("太", "那么", "过于", "很", "特别"))
        if is_degree:
            degree.update(range(h.start + 1, h.end))
        while j < len(s) and j < h.end + neg["reach"]:
            if j > h.end and any(s.startswith(b, j) for b in breakers):
                break
            if j == h.end and any(s.startswith(b, j) for b in breakers if b not in ("要", "喜欢", "想看")) \
                    and s[j] in "，。！？；、,.!?;":
                break
            negated.setdefault(j, h.end)
            if is_degree:
                degree.add(j)
            j += 1
    return negated, degree


def slots(u: Understanding, s: str, hits: list[PhraseHit], negated: dict[int, int], degree: set[int], vocab: dict,
          heads: dict[str, str], max_year: int) -> None:
    """Genres, moods, scene, quality, recency, critiques and attributes from the hits, as negated or not."""
    v = vocab
    fillers = re.compile(v["negation"]["fillers"])
    genre_spans = [(h.start, h.end) for h in hits if h.category == "genre"]
    companions, times = [], []
    keywords: list[str] = []
    for h in hits:
        neg = h.start in negated
        word = s[h.start:h.end]
        if h.category == "genre":
            if neg and (h.start in degree or word not in heads
                        or not fillers.fullmatch(_without(s, negated[h.start], h.start, genre_spans))):
                # "别太血腥", "不要日本动漫": an aversion to a degree or a kind, not to the whole genre
                continue
            target = u.disliked_genres if neg else u.liked_genres
            if h.value not in target:
                target.append(h.value)
        elif h.category == "mood":
            target = u.scene.not_moods if neg else u.scene.mood
            if h.value not in target:
                target.append(h.value)
        elif h.category == "companions":
            companion(u, h.value, neg, companions)
        elif h.category == "occasion" and not neg:
            u.scene.occasion = u.scene.occasion or h.value
        elif h.category == "time_of_day" and not neg:
            times.append(h.value)
        elif h.category == "family_safe" and (not neg or word.startswith(("没有", "不能有"))):
            u.constraints.mpaa_max = v["family_safe_mpaa"]  # (the ceiling keeps horror out)
        elif h.category == "quality" and not neg:
            u.constraints.min_rating = 7.0
        elif h.category == "recent" and not neg and u.constraints.year_min is None:
            u.constraints.year_min = max_year - 8
        elif h.category == "critique" and not neg:
            u.critiques.append(Critique(kind=h.value))
        elif h.category == "attribute":
            # a descriptive wish the ranker can test against an item's text ("法国" -> french), as in
            # English; one it cannot ("音乐") stays a keyword for the semantic query
            if h.value in lx.ATTRIBUTES:
                target = u.avoided_attributes if neg else u.liked_attributes
                if h.value not in target:
                    target.append(h.value)
            elif not neg:
                keywords.append(h.value)

    if times:
        u.scene.time_of_day = min(times, key=v["time_of_day_priority"].index)
    if re.search(r"(孩子|小孩|娃)(们)?(已经|都)?(睡了|睡着|不在|出去|上学)", s):  # grown-ups only
        companions = [x for x in companions if x != "kids"]
    if "kids" in companions and ("partner" in companions or "family" in companions):
        companions.append("family")  # "和老婆孩子一起看": the family
        companions = [x for x in companions if x != "kids"]
    if companions:
        u.scene.companions = min(companions, key=v["companion_priority"].index)
    u.liked_genres = [g for g in u.liked_genres if g not in u.disliked_genres]
    u.scene.mood = [m for m in u.scene.mood if m not in u.scene.not_moods]
    u.keywords = list(dict.fromkeys(keywords))[:12]


def people_polarity(u: Understanding, s: str, people: list[Span], negated: dict[int, int], vocab: dict) -> None:
    """"不要诺兰的片", "周星驰的就不要了", "汤姆·克鲁斯的片别推了": people to avoid."""
    cues = sorted(vocab["negation"]["post_cues"] + ["别推", "不要了", "别再"], key=len, reverse=True)
    for p in people:
        rest = re.sub(r"^(的|演的|导的|拍的|那种|片子?|电影|作品|就|也|都|我)+", "", s[p.end:p.end + 10])
        if p.start in negated or any(rest.startswith(c) for c in cues):
            if p.value in u.liked_people:
                u.liked_people.remove(p.value)
            if p.value not in u.disliked_people:
                u.disliked_people.append(p.value)


def post_negation(u: Understanding, s: str, hits: list[PhraseHit], vocab: dict, heads: dict[str, str]) -> None:
    """"爱情片免了", "恐怖片以外的都行", "超级英雄那种就算了": the cue comes after the genre or the
    descriptive wish."""
    neg = vocab["negation"]
    cues = sorted(neg["post_cues"], key=len, reverse=True)
    for h in hits:
        if h.category not in ("genre", "attribute"):
            continue
        rest = re.sub(r"^(的|那种|这种|那类|类|就|也|我|都|的话|之类的?|什么的?)+", "", s[h.end:h.end + 8])
        if not any(rest.startswith(c) for c in cues):
            continue
        if h.category == "attribute":
            if h.value in u.liked_attributes:
                u.liked_attributes.remove(h.value)
                u.avoided_attributes.append(h.value)
            continue
        if h.value in u.liked_genres:
            u.liked_genres.remove(h.value)
        if s[h.start:h.end] in heads and h.value not in u.disliked_genres:
            u.disliked_genres.append(h.value)
