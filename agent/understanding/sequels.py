"""A sequel named by its number after a film: "loved the godfather, didn't like part 2", "toy stroy 3".

Example::

    sequels(resolver, norms, scan)   # the found titles, "part 2" turned into the film's sequel
"""

from __future__ import annotations

import re

from retrieval.titles import Match, TitleResolver, normalize_title

_PART = re.compile(r"part (\d|[ivx]+|two|three|four)")  # "part 2" after a film named: its sequel
_SEQUEL_NUMBER = re.compile(r"([2-6]|ii|iii|iv)")  # a bare sequel number right after a title
COUNTED = {"times", "time", "hours", "hour", "hrs", "hr", "h", "minutes", "mins", "min", "years", "year", "yrs", "days",
            "weeks", "months", "kids", "people", "of", "stars", "out", "or", "to", "-", "x", "more"}
_PART_NUMBERS = {"two": "2", "three": "3", "four": "4", "ii": "2", "iii": "3", "iv": "4"}
_ROMAN = {"2": "ii", "3": "iii", "4": "iv", "5": "v"}


def sequels(resolver: TitleResolver, norms: list[str], scan) -> None:
    """"part 2" after a film named is that film's sequel ("loved the godfather, didn't like part 2"),
    not a film whose title only ends so (*Deathly Hallows: Part 2*); alone it stays as found. A
    number right after a misspelt title is its sequel's ("toy stroy 3": *Toy Story 3*, not *3:10 to Yuma*)."""
    for k, f in enumerate(list(scan.found)):
        m = _PART.fullmatch(normalize_title(f.surface))
        if m and k > 0:
            f.matches = _sequel(resolver, scan.found[k - 1].matches[0].title, m.group(1), f.year) or f.matches
            continue
        counted = f.end + 1 < len(norms) and norms[f.end + 1] in COUNTED  # "saw jurasic park 3 times"
        after = _PART.match(" ".join(norms[f.end:f.end + 2])) or (
            None if counted else _SEQUEL_NUMBER.fullmatch(" ".join(norms[f.end:f.end + 1])))
        sequel = _sequel(resolver, f.matches[0].title, after.group(1), None) if after and f.year is None else None
        if sequel and not any(normalize_title(x.title) == normalize_title(f.matches[0].title) for x in sequel):
            end = f.end + len(after.group(0).split())
            scan.found = [g for g in scan.found if g is f or not (g.start < end and f.end <= g.start)]
            f.matches, f.end = sequel, end


def _sequel(resolver: TitleResolver, title: str, number: str, year: int | None) -> list[Match]:
    full = normalize_title(title)
    n = _PART_NUMBERS.get(number, number)
    for base in dict.fromkeys([full, re.sub(r"^(?:the|a|an) ", "", full)]):  # "the terminator 2": *Terminator 2*
        for key in (f"{base} part {_ROMAN.get(n, n)}", f"{base} part {n}", f"{base} {n}", f"{base} {_ROMAN.get(n, n)}"):
            matches = resolver.exact(key, year)
            if matches:
                return matches
    return []
