"""The Chinese reader: the same :class:`Understanding` as the English embedded understander,
from the vocabulary in ``data/zh_reader.yaml``, the alias table of Chinese titles, and the English
title finder for English titles and names inside a Chinese sentence.

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
from agent.understanding.settle import companion
from agent.understanding.text import PhraseHit, tokenize
from agent.understanding.zh_titles import NameFinder, Span
from agent.understanding.zh_vocab import CharPhrases, contains_any, flat, load_vocabulary

_CN = re.compile(r"[零〇一二两俩仨三四五六七八九十百]+")
_UNIT = r"(小时|钟头|个钟|h\b|hours?|hrs?|分钟|min\b|mins|minutes)"
_AMOUNT = r"(\d+(?:\.\d+)?|半)\s*(?:个)?\s*(半)?\s*(?:多)?\s*"
_DURATION = re.compile(_AMOUNT + _UNIT)
_DURATION_RANGE = re.compile(_AMOUNT + _UNIT + r"?\s*(?:到|至|-|~|—|–)\s*" + _AMOUNT + _UNIT)
_RUNTIME_MAX_BEFORE = re.compile(r"(不|别|没|不要|千万别|不能|不可以)(要|能)?超过|少于|控制在|低于|小于|不到|短于|最长")
_RUNTIME_MAX_AFTER = re.compile(r"^(以内|之内|以下|内|之下|不到|的不要|以上的不要|以上不要|的都不要)")
_RUNTIME_MIN = re.compile(r"至少|起码|最少|不少于|超过|多于|长于|以上")
_BUDGET = re.compile(r"只有|还有|就|最多|顶多|左右|能看完|看完|空档|到站|有大概|大概有|剩")
_DECADE_PAIR = re.compile(r"([一二三四五六七八九])([一二三四五六七八九])十年代|(\d)0\s*[、,，/和或到至\-~]?\s*(\d)0\s*年代"
                          r"|([七八九])零\s*([八九零])零\s*年代")
_DECADE = re.compile(r"((?:19|20)?\d0)\s*(?:年代|'?s(?![a-z]))|(\d0)后(?:的电影|的片)|(?<!\d)([0-9])零\s*(?=\d零|年代)")
_YEAR_RANGE = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:到|至|-|~|—|–)\s*((?:19|20)\d\d)\s*年?")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年?\s*(以后|之后|后|以来|起|开始|往后|以前|之前|前|往前|的|上映)?")
_RATING = re.compile(r"(?:评分|豆瓣|imdb|分数|打分|评价|口碑|至少|起码|最少|最低)(?:在|要|是|:|：|\s)*(\d(?:\.\d)?)\s*分?\s*(?:以上|及以上|往上|起|\+|/10)?"
                     r"|(\d(?:\.\d)?)\s*分\s*(?:以上|及以上|往上|起|\+)")
_MPAA = re.compile(r"(?<![a-z])(nc-17|pg-13|pg13|pg|g|r)\s*级?\s*(以下|以内|及以下|为止)?")
_AGE = re.compile(r"(\d{1,2})\s*(?:岁|周岁)")
_REF = re.compile(r"(第[一二三四五12345]|最后一?|头一|[12345]号|the (?:first|second|third|fourth|fifth|last)(?= one| movie))"
                  r"\s*(部|个|条|项|号|支|one|movie|)")


def _clause(s: str, i: int) -> tuple[int, int]:
    """The clause around position ``i`` (between punctuation marks)."""
    start = max([s.rfind(p, 0, i) for p in "，。！？；,.!?;~～"] + [-1]) + 1
    ends = [e for e in (s.find(p, i) for p in "，。！？；,.!?;~～") if e >= 0]
    return start, min(ends, default=len(s))


def _last(s: str, phrases: list[str]) -> int:
    """Where the last of ``phrases`` in ``s`` ends (-1: none)."""
    return max((s.rfind(str(p)) + len(str(p)) for p in phrases if str(p) in s), default=-1)


def _without(s: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``s[start:end]`` less the given spans (other genres in a list: "除了恐怖和惊悚")."""
    return "".join(c for i, c in enumerate(s[start:end], start) if not any(a <= i < b for a, b in spans))


def _minutes(amount: str, half: str | None, unit: str) -> int:
    value = 0.5 if amount == "半" else float(amount)
    if half:
        value += 0.5
    hours = not unit.startswith(("分", "min"))
    return int(round(value * 60)) if hours else int(round(value))


def cn_numbers(text: str) -> str:
    """Chinese numerals as digits: '一个半小时' -> '1个半小时', '九十年代' -> '90年代',
    '一九九五年' -> '1995年'."""
    def value(m: re.Match) -> str:
        s = m.group(0)
        if s in ("半",):
            return s
        if "十" not in s and "百" not in s:
            return "".join(str(_digit(c)) for c in s)
        total, section = 0, 0
        for c in s:
            if c == "百":
                total += (section or 1) * 100
                section = 0
            elif c == "十":
                total += (section or 1) * 10
                section = 0
            else:
                section = _digit(c)
        return str(total + section)

    return _CN.sub(value, text)


_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}


def _digit(c: str) -> int:
    return _DIGIT[c]


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
        hits = self._opinions(s, hits, spans)
        # "再好笑一点", "新一点": a critique of the list, not a new mood or year limit
        critiqued = {i for h in hits if h.category == "critique" for i in range(h.start, h.end)}
        if ctx.last_shown and critiqued:
            hits = [h for h in hits if h.category in ("critique", "negation", "not_negation") or h.start not in critiqued]
        negated, degree = self._negation(s, hits)
        self._slots(u, s, hits, negated, degree)
        self._post_negation(u, s, hits)
        self._english_words(u, raw, masked)
        self._people_polarity(u, s, people, negated)
        self._numbers(u, s, ctx)
        if ctx.last_shown and u.critiques:  # "这几个都两个半小时了": about the list, not the time they have
            u.scene.time_budget_min = None
        if not ctx.last_shown:
            if u.mentions or u.unknown_titles:
                u.critiques = []
            self._without_list(u)
        self._references(u, s)
        self._mention_polarity(u, s, spans, negated)
        wishes = any(h.category in ("attribute", "genre", "mood") for h in hits)
        u.intent = self._intent(u, s, ctx, wishes)
        if u.intent == "ask_item":  # "适合孩子看吗？" asks about the item; it is no taste, no scene
            u.liked_genres, u.disliked_genres, u.liked_people, u.keywords = [], [], [], []
            u.scene, u.constraints = SceneUpdate(), ConstraintUpdate()
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

    def _opinions(self, s: str, hits: list[PhraseHit], spans: list[Span]) -> list[PhraseHit]:
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

    # -- negation --------------------------------------------------------------------------------
    def _negation(self, s: str, hits: list[PhraseHit]) -> tuple[dict[int, int], set[int]]:
        """Character positions under a negation, and those under a degree negation ("别太")."""
        neg = self.vocab["negation"]
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

    # -- vocabulary slots ------------------------------------------------------------------------
    def _slots(self, u: Understanding, s: str, hits: list[PhraseHit], negated: dict[int, int], degree: set[int]) -> None:
        v = self.vocab
        fillers = re.compile(v["negation"]["fillers"])
        genre_spans = [(h.start, h.end) for h in hits if h.category == "genre"]
        companions, times = [], []
        keywords: list[str] = []
        for h in hits:
            neg = h.start in negated
            word = s[h.start:h.end]
            if h.category == "genre":
                if neg and (h.start in degree or word not in self.heads
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
                u.constraints.year_min = self.max_year - 8
            elif h.category == "critique" and not neg:
                u.critiques.append(Critique(kind=h.value))
            elif h.category == "attribute" and not neg:
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

    def _people_polarity(self, u: Understanding, s: str, people: list[Span], negated: dict[int, int]) -> None:
        """"不要诺兰的片", "周星驰的就不要了", "汤姆·克鲁斯的片别推了": people to avoid."""
        cues = sorted(self.vocab["negation"]["post_cues"] + ["别推", "不要了", "别再"], key=len, reverse=True)
        for p in people:
            rest = re.sub(r"^(的|演的|导的|拍的|那种|片子?|电影|作品|就|也|都|我)+", "", s[p.end:p.end + 10])
            if p.start in negated or any(rest.startswith(c) for c in cues):
                if p.value in u.liked_people:
                    u.liked_people.remove(p.value)
                if p.value not in u.disliked_people:
                    u.disliked_people.append(p.value)

    def _post_negation(self, u: Understanding, s: str, hits: list[PhraseHit]) -> None:
        """"爱情片免了", "恐怖片以外的都行", "超级英雄那种就算了": the cue comes after the genre."""
        neg = self.vocab["negation"]
        cues = sorted(neg["post_cues"], key=len, reverse=True)
        for h in hits:
            if h.category != "genre":
                continue
            rest = re.sub(r"^(的|那种|这种|那类|类|就|也|我|都|的话|之类的?|什么的?)+", "", s[h.end:h.end + 8])
            if any(rest.startswith(c) for c in cues):
                if h.value in u.liked_genres:
                    u.liked_genres.remove(h.value)
                if s[h.start:h.end] in self.heads and h.value not in u.disliked_genres:
                    u.disliked_genres.append(h.value)

    # -- numbers: runtime, years, ratings ----------------------------------------------------------
    def _numbers(self, u: Understanding, s: str, ctx: TurnContext) -> None:
        c = u.constraints
        pair = _DECADE_PAIR.search(s)
        n = cn_numbers(s)
        if self._durations(u, n):
            pass
        elif re.search(r"(别|不要|不能|不想|不会|不)(太|那么|是很|要太)长", s):
            c.max_runtime = 120
        n = n.replace("千禧年", "2000年")
        if pair:
            if pair.group(1) or pair.group(5):
                a, b = _digit(pair.group(1) or pair.group(5)), _digit(pair.group(2) or pair.group(6))
            else:
                a, b = int(pair.group(3)), int(pair.group(4))
            c.year_min, c.year_max = self._decade(a * 10), self._decade(b * 10) + 9
        else:  # "九十年代", "90s", "八零九零年代" / "七十年代到九十年代" / "九十年代或者零零年代" (from the first to the last)
            starts = [self._decade(int(m.group(1) or m.group(2) or m.group(3) + "0")) for m in _DECADE.finditer(n)]
            if starts:
                c.year_min, c.year_max = min(starts), max(starts) + 9
        m = _YEAR_RANGE.search(n)
        if m:
            c.year_min, c.year_max = sorted((int(m.group(1)), int(m.group(2))))
        elif c.year_min is None and c.year_max is None:
            for m in _YEAR.finditer(n):
                year, how = int(m.group(1)), m.group(2) or ""
                if not (1900 <= year <= ctx.max_year + 5):
                    continue
                if how in ("以后", "之后", "后", "往后", "以来", "起", "开始"):  # from X on, X included
                    c.year_min = year
                elif how in ("以前", "之前", "前", "往前"):
                    c.year_max = year - 1
                elif how in ("的", "上映") or re.search(r"(19|20)\d\d\s*年", m.group(0)):
                    c.year_min = c.year_max = year
        for m in _RATING.finditer(n):
            value = float(m.group(1) or m.group(2))
            if 1 <= value <= 10 and not re.search(r"(小时|分钟|岁|年|部|个)", n[m.end():m.end() + 2]):
                c.min_rating = value
                break
        self._mpaa(u, n)
        m = _AGE.search(n)
        if m and int(m.group(1)) <= 12 and not u.scene.companions:
            u.scene.companions = "kids"

    _AGE_CEILINGS = ((4, "G"), (12, "PG"), (16, "PG-13"))
    _TW_RATINGS = {"普遍级": "G", "普级": "G", "保护级": "PG", "护级": "PG", "辅导级": "PG-13", "辅级": "PG-13", "限制级": "R"}

    def _mpaa(self, u: Understanding, n: str) -> None:
        """"PG-13以下", "R级的不要", "保護級以內" (Taiwan's ratings), and the youngest child's age
        ("我女儿才4岁" -> G; "一个5岁一个8岁" -> PG)."""
        c = u.constraints
        order = ["G", "PG", "PG-13", "R", "NC-17"]
        for word, rating in self._TW_RATINGS.items():
            n = n.replace(word, rating.lower() + "级")
        m = _MPAA.search(n)
        if m and (m.group(2) or "级" in n[m.end(1):m.end(1) + 2] or "pg" in m.group(1)):
            rating = {"pg13": "PG-13"}.get(m.group(1), m.group(1).upper())
            before, after = n[max(0, m.start() - 4):m.start()], n[m.end():m.end() + 5]
            if re.search(r"(不要|别|不能|没有|不想)", before) or re.search(r"^(的)?(不要|不行|免了|就算了|不看)", after):
                c.mpaa_max = order[max(0, order.index(rating) - 1)]
            else:
                c.mpaa_max = rating
            return
        ages = [int(a) for a in _AGE.findall(n) if int(a) <= 16]
        kids = re.search(r"孩子|小孩|儿子|女儿|娃|侄|外甥|孙|宝宝|闺女|小朋友", n)
        if ages and kids and c.mpaa_max is None:
            c.mpaa_max = next(r for limit, r in self._AGE_CEILINGS if min(ages) <= limit)

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

    @staticmethod
    def _decade(two: int) -> int:
        if two >= 1900:
            return two
        return 2000 + two if two < 30 else 1900 + two

    @staticmethod
    def _durations(u: Understanding, n: str) -> bool:
        """Runtime bounds and the time the person has: "90到120分钟" (a range), "不超过两小时" /
        "两个小时以内的" (a bound on the film), "至少一个半小时", "我们只有一个半小时" /
        "两个小时以内能看完" (the time they have)."""
        c = u.constraints
        m = _DURATION_RANGE.search(n)
        if m:
            unit = m.group(6)
            low, high = _minutes(m.group(1), m.group(2), m.group(3) or unit), _minutes(m.group(4), m.group(5), unit)
            if 20 <= low < high <= 400:
                c.min_runtime, c.max_runtime = low, high
                return True
        found = False
        for m in _DURATION.finditer(n):
            minutes = _minutes(m.group(1), m.group(2), m.group(3))
            if not 20 <= minutes <= 400:
                continue
            found = True
            before, after = n[max(0, m.start() - 8):m.start()], n[m.end():m.end() + 6]
            if _RUNTIME_MAX_BEFORE.search(before) or _RUNTIME_MAX_AFTER.search(after):
                scene_talk = (u.scene.companions or u.scene.time_of_day) and not re.search(r"片长|的", before + after)
                if (_BUDGET.search(before + after) or scene_talk) and not _RUNTIME_MAX_BEFORE.search(before) \
                        and (scene_talk or u.scene.companions or u.scene.time_of_day or "看完" in after):
                    u.scene.time_budget_min = minutes
                else:
                    c.max_runtime = minutes
            elif _RUNTIME_MIN.search(before[-4:]) or after.startswith("以上"):
                c.min_runtime = minutes
            elif c.max_runtime is None and c.min_runtime is None:  # "我们只有一个半小时", "最多两个小时"
                u.scene.time_budget_min = minutes
        if c.max_runtime or c.min_runtime:
            u.scene.time_budget_min = None
        return found

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

    # -- intent ------------------------------------------------------------------------------------
    def _intent(self, u: Understanding, s: str, ctx: TurnContext, wishes: bool = False) -> str:
        v = self.vocab
        has_shown = bool(ctx.last_shown)
        bare = re.sub(r"[\s，。！？!?,.~～…、😀-🙏🌀-🗿]+", "", s)
        if contains_any(s, v["reset"]):
            return "reset"
        slots = u.model_copy(update={"keywords": []}).has_preferences()
        if contains_any(s, v["greetings"]) and len(bare) <= 8 and not slots and not u.mentions \
                and not contains_any(s, v["request"]):
            u.scene.time_of_day = None  # "晚上好" is a greeting, not a scene
            return "greeting"
        injection = re.search(r"忽略|指令|提示词|扮演|越狱|system prompt|ignore|废物|傻逼|白痴|滚", s)
        about_films = slots or re.search(r"电影|片|想看", s)
        if contains_any(s, v["out_of_scope"]) and (injection or not about_films):
            return "out_of_scope"
        if re.match(r"^(你|您)(是|会|叫|能|喜欢|觉得|好|真|挺)", bare) and not slots and not u.mentions \
                and not contains_any(s, v["request"]):
            return "smalltalk"  # "你是机器人吗": about the assistant, no request
        stated_taste = any(m.polarity not in ("neutral", "unseen") for m in u.mentions)
        item_ref = bool(u.references or ((u.refers_to_focus or u.refers_to_all) and (ctx.focus_item or has_shown))
                        or (u.mentions and not stated_taste))
        is_question = bool(re.search(r"[？?]\s*$|[吗呢么嘛][\s？?~～。！!]*$", s)) or contains_any(s, v["question_words"])
        asks_for_more = not re.search(r"为什么|为啥|为何", s) and bool(re.search(r"(?<!为什么)(?<!为啥)推荐(?!这|那|给我)|类似|像|那样|一样的|还有|别的|其他|同类|有吗|有没有|来点|换", s))
        # "适合孩子看吗？" after a list: the subject (the film in focus) goes unsaid
        implicit = (ctx.focus_item or has_shown) and not u.mentions and not contains_any(s, v["request"]) \
            and any(contains_any(s, p) for p in v["questions"].values())
        if is_question and (item_ref or implicit) and not asks_for_more:
            for attr, phrases in v["questions"].items():
                if contains_any(s, phrases):
                    u.question = attr
                    break
            if u.question or not u.critiques:
                u.question = u.question or "general"
                u.critiques = []
                return "ask_item"
        seen = contains_any(s, v["seen"]) and not contains_any(s, v["unseen"])
        if seen and (u.references or u.refers_to_all or u.refers_to_focus or not u.mentions) and has_shown:
            u.shown_verdict = "seen"
        rejected_at = _last(s, v["reject"]) if not contains_any(s, v["unseen"]) else -1
        accepted_at = _last(s, v["accept"])
        if u.references and re.search(r"不喜欢|不想看|不要|不行|没兴趣|算了|讨厌|pass|不太行|一般", s) \
                and not contains_any(s, v["accept"]):
            rejected_at = max(rejected_at, len(s))  # "我不喜欢第一部"
        rejects = rejected_at >= 0 and rejected_at >= accepted_at  # "第一部看过了，第二部…就它吧" accepts
        wishes_beyond_titles = u.model_copy(update={"keywords": [], "mentions": []}).has_preferences()
        pointed = bool(u.references or u.refers_to_focus or u.refers_to_all)
        if has_shown and rejects and (pointed or not (wishes_beyond_titles or u.critiques)):
            return "reject"  # "第二部不要", "这个不行，我老婆不看恐怖片" (the wishes still count)
        if has_shown and contains_any(s, v["more"]) and not seen and not slots:
            return "refine"  # "没一个想看的，换换": show others
        accepts = accepted_at >= 0 and not rejects and not u.critiques
        if (has_shown or u.mentions) and accepts and not (is_question and not u.references) \
                and not (wishes_beyond_titles and not pointed):
            return "accept"
        if contains_any(s, v["thanks"]) and not slots and not u.mentions:
            return "smalltalk"
        only_seen = u.mentions and all(m.polarity == "seen" for m in u.mentions)
        if has_shown and (rejects or only_seen) and not (wishes_beyond_titles or u.critiques):
            return "reject"
        if has_shown and u.critiques:
            return "refine"
        if has_shown and slots and re.search(r"(这些|那些|换|但|再|更|还是|改成|要|不要)", s):
            return "refine"
        if has_shown and not u.has_preferences() and contains_any(s, v["more"]):
            return "refine"
        if u.has_preferences() or u.unknown_titles:
            return "recommend"
        if contains_any(s, v["greetings"]) and not contains_any(s, v["request"]):
            return "greeting"
        if contains_any(s, v["request"]) or (wishes and re.search(r"不要|别|不想|想|要|的", s)) \
                or re.match(r"^(不要|别|不想|不看|想要|要)", bare):
            return "recommend"  # "不要太血腥的": a wish, even with nothing to fill a slot
        return "smalltalk"

