"""Which words a number belongs to: durations, years, decades, ranges and the side they bound.

A quantity is found first (``2 hours``, ``an hour and a half``, ``1995``, ``the 70s``, ``late 80s``),
then the words around it decide what it means, from the language's ``numbers`` vocabulary:
a bounding phrase before it ("under", "after") or after it ("or less", "on"), a negator in front of
that phrase turning it to the other side ("nothing over 2 hours" is a maximum of 120), a phrase of
time the person has ("we have") making it a scene budget. Two quantities joined by "or", "and",
"to" or "-" form one range ("the 70s or 80s" is 1970-1989; "90-120 minutes").

Returns the constraints and the character spans it used, so that a year or a decade is never
read as a title.

Example::

    read_numbers("nothing over 2 hours, from the 70s or 80s")
    # NumberReading(max_runtime=120, year_min=1970, year_max=1989, ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agent.understanding.vocabulary import Numbers, vocabulary

_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                 "eighties": 80, "nineties": 90}
_FILLER = r"(?:(?:about|around|roughly|approximately|approx|like|maybe|say|just|only|exactly|an?|the)\s+)*"


@dataclass
class NumberReading:
    max_runtime: int | None = None
    min_runtime: int | None = None
    time_budget_min: int | None = None
    year_min: int | None = None
    year_max: int | None = None
    min_rating: float | None = None
    unbounded_min: int | None = None  # a duration no word bounds ("on the plane, around 2 hours")
    spans: list[tuple[int, int]] = field(default_factory=list)  # character spans read as numbers


def _alt(phrases: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


@dataclass(frozen=True)
class _Grammar:
    duration: re.Pattern
    duration_range: re.Pattern
    decade: re.Pattern
    year: re.Pattern
    before: re.Pattern  # a bounding phrase right before a quantity (search in the text before it)
    after: re.Pattern  # a bounding phrase right after it
    negator: re.Pattern
    rating: re.Pattern
    age: re.Pattern
    words: Numbers


@lru_cache(maxsize=4)
def _grammar(language: str = "en") -> _Grammar:
    w = vocabulary(language).numbers
    num = r"(\d+(?:\.\d+)?|forty[- ]five|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred|hundred|an?|one|two|three|four|five|six)"
    hours, minutes = _alt(w.units_hours), _alt(w.units_minutes)
    unit = rf"(?:{hours}|{minutes})"
    duration = re.compile(
        rf"\b(?:(half an?) (hour)|{num}(\s*(?:and a half|& a half|½))?\s*-?\s*({unit})(?![a-z])(\s*and a half)?"
        rf"(?:\s*(?:and\s*)?(\d\d?)\s*(?:{minutes})?\b)?)")
    duration_range = re.compile(rf"\b(?:between\s+)?(\d+(?:\.\d+)?)\s*(?:-|–|to|and)\s*(\d+(?:\.\d+)?)\s*({unit})\b")
    parts = _alt(list(w.decade_parts))
    decade = re.compile(rf"\b(?:({parts})\s*-?\s*)?(?:the\s+)?'?((?:19|20)?\d0)'?s\b"
                        rf"|\b(?:({parts})\s*-?\s*)?(?:the\s+)?({'|'.join(_DECADE_WORDS)})\b")
    # "(1995)" right after a title is the title's year, not a number of the request
    year = re.compile(r"(?<![\d/.(])(?<!\( )(19[0-9]\d|20[0-4]\d)(?![\d]|'?s\b)")
    before = re.compile(rf"(?:^|\W)({_alt(w.max_before + w.min_before + w.budget_before + ['between', 'in', 'from', 'made in', 'released in', 'for'])})[\s-]*{_FILLER}$")
    after = re.compile(rf"^\s*({_alt(w.max_after + w.min_after)})(?!\w)")
    negator = re.compile(rf"(?:^|\W)({_alt(w.negators)})\s+(?:\w+\s+)?$")
    rating = re.compile(
        r"(?:rated|rating|score|imdb|reviews?)\s*(?:of\s*)?(?:at least|above|over|>=?|\+|higher than|better than)\s*(?:an?\s+)?(\d(?:\.\d)?)"
        r"|(?:at least|above|over|minimum(?: of)?)\s*(?:an?\s+)?(\d(?:\.\d)?)\s*(?:rating|score|on imdb|imdb)"
        r"|(?:rating|score|imdb)\s*(?:of\s*)?(\d(?:\.\d)?)\s*(?:/\s*10\s*)?(?:or (?:higher|better|more|above|up)|\+|and up)"
        r"|(?<![\d.])(\d(?:\.\d)?)\s*(?:/\s*10\s*)?(?:or (?:higher|better|more|above))\s*(?:on imdb|on rotten|rating|score)"
        r"|(?:at least|above|over|minimum(?: of)?)\s*(?:an?\s+)?(\d(?:\.\d)?)\s*(?:/\s*10|out of 10|stars? on imdb|on imdb|\+)"
        r"|(?<![\d.])(\d\.\d|\d)\s*(?:/\s*10\s*)?\+"
        r"|(?<![\d-])(?:(\d(?:\.\d)?)\s*/\s*10|(\d\.\d))\s*or (?:higher|better|more|above)")
    age = re.compile(r"\b\d{1,2}\s*-?\s*(?:years?|yrs?|y/?o|yo)\b|\bin (?:their|his|her|my|our) (?:early |mid |late )?\d0s\b"
                     r"|\b(?:son|daughter|kids?|boy|girl|he|she|they|twins|children|nephew|niece)(?:'s|'re| is| are| turned| turning| aged)"
                     r"\s+(?:turning\s+)?\d{1,2}(?:\s*(?:and|&|,)\s*\d{1,2})*\b|\(\s*\d{1,2}\s*(?:and|&|,)\s*\d{1,2}\s*\)"
                     r"|\b(?:aged?|ages)\s+\d{1,2}(?:\s*(?:and|&|,|-|to)\s*\d{1,2})*\b")
    return _Grammar(duration, duration_range, decade, year, before, after, negator, rating, age, w)


def _value(num: str) -> float:
    """A quantity as written: digits, or a number word (``number_words`` in en.yaml)."""
    words = vocabulary().number_words
    return float(words[num]) if num in words else float(num)


def _bound(g: _Grammar, text: str, start: int, end: int) -> tuple[str | None, bool, str]:
    """('max' | 'min' | 'budget' | 'exact' | None, negated, cue) for the quantity at text[start:end]."""
    w = g.words
    m = g.before.search(text[max(0, start - 40):start])
    if m and m.group(1) in w.budget_before:  # "we have two hours tops": the time they have
        return "budget", False, m.group(1)
    after = g.after.match(text[end:])
    if after:
        cue = after.group(1)
        return ("max" if cue in w.max_after else "min"), False, cue
    if not m:
        return None, False, ""
    cue = m.group(1)
    head = text[max(0, start - 40):start][: m.start(1)]
    negated = bool(g.negator.search(head + " ")) if head.strip() else False
    if cue in w.budget_before:
        return "budget", False, cue
    if cue in ("in", "from", "made in", "released in", "between"):
        return "exact", False, cue
    if cue == "for":
        return "max", False, cue
    side = "max" if cue in w.max_before else "min"
    return side, negated, cue


def _flip(side: str, negated: bool) -> str:
    return {"max": "min", "min": "max"}.get(side, side) if negated else side


def read_numbers(text: str, language: str = "en") -> NumberReading:
    """Read every duration, year, decade and score bound in ``text`` (any case)."""
    g = _grammar(language)
    low = text.lower().replace("’", "'")
    r = NumberReading()
    taken: list[tuple[int, int]] = []
    for m in g.age.finditer(low):  # "my 8 year old", "in their 70s": ages, not limits (only the digits)
        taken.extend((m.start() + d.start(), m.start() + d.end()) for d in re.finditer(r"\d+", m.group(0)))
    _durations(g, low, r, taken)
    _bare_runtime(g, low, r, taken)
    decades = _decades(g, low, taken)
    years = [(m.start(), m.end(), int(m.group(1)), int(m.group(1))) for m in g.year.finditer(low) if _free(taken, *m.span())]
    _year_bounds(g, low, r, sorted(decades + years))
    for m in g.rating.finditer(low):
        value = float(next(x for x in m.groups() if x))
        if 1 <= value <= 10 and _free(taken, *m.span()):
            r.min_rating = value
            taken.append(m.span())
            break
    r.spans.extend(taken)
    return r


def _free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether ``a:b`` overlaps no span already read."""
    return all(b <= s or a >= e for s, e in taken)


def _durations(g: _Grammar, low: str, r: NumberReading, taken: list[tuple[int, int]]) -> None:
    """Durations: ranges first ("90-120 minutes"), then single quantities and the side they bound."""
    for m in g.duration_range.finditer(low):
        lo, hi, unit = float(m.group(1)), float(m.group(2)), m.group(3)
        scale = 60 if unit in g.words.units_hours else 1
        if lo < hi and _free(taken, *m.span()):
            r.min_runtime, r.max_runtime = int(lo * scale), int(hi * scale)
            taken.append(m.span())
    for m in g.duration.finditer(low):
        if not _free(taken, *m.span()):
            continue
        minutes = _duration_minutes(g, m)
        if minutes < 20:
            continue
        taken.append(m.span())
        side, negated, _ = _bound(g, low, m.start(), m.end())
        side = _flip(side, negated) if side else None
        if minutes > 400:  # no film's length: the time the person has ("a flight, like 14 hours"), never a title
            r.time_budget_min = minutes if side in (None, "budget") else r.time_budget_min
        elif side == "budget":
            r.time_budget_min = minutes
        elif side == "max":
            r.max_runtime = minutes
        elif side == "min":
            r.min_runtime = minutes
        else:
            r.unbounded_min = minutes


def _duration_minutes(g: _Grammar, m: re.Match) -> int:
    """The minutes a duration match says ("half an hour", "an hour and a half", "2h 15")."""
    if m.group(1):
        minutes = 30
    else:
        value = _value(m.group(3))
        if m.group(4) or m.group(6):
            value += 0.5
        unit = m.group(5)
        minutes = value * 60 if unit in g.words.units_hours else value
        if m.group(7) and unit in g.words.units_hours:
            minutes += int(m.group(7))
    return int(round(minutes))


def _bare_runtime(g: _Grammar, low: str, r: NumberReading, taken: list[tuple[int, int]]) -> None:
    """A bare number bounding the length when the words are about length ("shorter pls, under 90")."""
    if r.max_runtime is None and r.min_runtime is None and re.search(r"\b(?:short|shorter|long|longer|length|runtime|mins?)\b", low):
        for m in re.finditer(r"(?<![\d.])(\d{2,3})(?![\d.:/]|\s*(?:%|year|yr|'?s\b))", low):
            value = int(m.group(1))
            side, negated, _ = _bound(g, low, m.start(), m.end()) if 45 <= value <= 240 and _free(taken, *m.span()) else (None, False, "")
            side = _flip(side, negated) if side in ("max", "min") else None
            if side:
                setattr(r, "max_runtime" if side == "max" else "min_runtime", value)
                taken.append(m.span())
                break


def _decades(g: _Grammar, low: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """(start, end, first year, last year) of each decade named ("the 70s", "late 80s", "the nineties")."""
    decades = []
    for m in g.decade.finditer(low):
        if not _free(taken, *m.span()):
            continue
        part = m.group(1) or m.group(3)
        if m.group(2):
            digits = m.group(2)
            start = int(digits) if len(digits) == 4 else (1900 + int(digits) if int(digits) >= 20 else 2000 + int(digits))
        else:
            start = 1900 + _DECADE_WORDS[m.group(4)]
        lo, hi = start, start + 9
        if part:
            a, b = g.words.decade_parts[part]
            lo, hi = start + a, start + b
        decades.append((m.start(), m.end(), lo, hi))
        taken.append(m.span())
    return decades


def _year_bounds(g: _Grammar, low: str, r: NumberReading, quantities: list[tuple[int, int, int, int]]) -> None:
    """Years and decades in order: joined ones form one range ("the 70s or 80s"), a single one
    bounds the side its cue says ("after 1990", "nothing before 1980")."""
    joiners = _alt(g.words.range_joiners)
    i = 0
    while i < len(quantities):
        s, e, lo, hi = quantities[i]
        j = i
        while j + 1 < len(quantities) and re.fullmatch(rf"\s*(?:,|{joiners})?\s*(?:the\s+)?(?:{joiners})?\s*", low[quantities[j][1]:quantities[j + 1][0]]):
            j += 1
        if j > i:  # a range or a disjunction: one span from the first to the last
            lo = min(q[2] for q in quantities[i:j + 1])
            hi = max(q[3] for q in quantities[i:j + 1])
            e = quantities[j][1]
            r.year_min, r.year_max = lo, hi
            r.spans.append((s, e))
            i = j + 1
            continue
        side, negated, cue = _bound(g, low, s, e)
        strict = cue in g.words.strict_year_words
        if side in ("max", "min") and negated:  # "nothing before 1980": 1980 is allowed
            side, strict = _flip(side, True), False
        if side == "max":
            r.year_max = lo - 1 if strict else hi
        elif side == "min":
            r.year_min = hi + 1 if strict else lo
        elif side == "exact" or (side is None and lo != hi):  # "from 1994", "the 90s"
            r.year_min, r.year_max = lo, hi
        # a bare year with no cue is neither a limit nor a title
        r.spans.append((s, e))
        i += 1
