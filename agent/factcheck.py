"""Post-check of a written reason: every title it names and every number it states must come
from the facts it was given (or the list being shown).

Titles are found with the same catalogue-grounded :class:`TitleFinder` the understander uses
(exact aliases, then fuzzy spans; quoted or cue-led unknown spans count too), plus any quoted or
``Name (YYYY)`` span. Numbers are digits (thousands separators, decimals, "1990s") and spelled
numbers two to twenty. Example::

    checker = GroundingChecker(TitleFinder(resolver), engine.get)
    checker.check("Like Heat (1995), 142 min.", allowed_ids={"6"}, allowed_text="Heat (1995), 142 min")
    # []  -- or a list of problems such as ["names a title not in the facts: 'Casino'"]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from agent.understanding.mentions import TitleFinder
from agent.understanding.text import tokenize
from retrieval.items import Item
from retrieval.titles import strip_accents

_MPAA = re.compile(r"\b(?:PG-13|NC-17)\b", re.I)
_NUMBER = re.compile(r"(?<![A-Za-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?=(?:s|st|nd|rd|th)?\b|[^A-Za-z0-9]|$)")
_SPELLED = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                       "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())
            if n >= 2}
_SPELLED_RE = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b", re.I)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,80})[\"“”]|\*([^*]{2,80})\*")
_YEAR_PAREN = re.compile(r"\((\d{4})\)")
_WORD = re.compile(r"[^\s(]+")
# A reason is plain prose shown as text by any client: markup, entities, links and control
# characters are refused outright (a client that renders HTML must never receive any).
_NOT_PROSE = re.compile(r"[<>`{}\[\]\\\x00-\x08\x0b-\x1f\x7f]|&#?[a-z0-9]+;|https?://|www\.|javascript:", re.I)
_CONNECTORS = {"of", "the", "and", "a", "an", "in", "on", "to", "for", "with", "at", "from", "vs", "-", "&", "or:"}


def numbers_in(text: str) -> set[float]:
    """Every number stated in a text (MPAA ratings such as PG-13 are not numbers)."""
    text = _MPAA.sub(" ", text)
    found = {float(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else "")) for m in _NUMBER.finditer(text)}
    found |= {float(_SPELLED[m.group(1).lower()]) for m in _SPELLED_RE.finditer(text)}
    return found


def _plain(text: str) -> str:
    """Lower-case words and numbers only: 'Godfather: Part II, The (1974)' -> 'godfather part ii the 1974'."""
    return " ".join(re.findall(r"[a-z0-9]+", strip_accents(text).lower().replace("&", " and ")))


def _names(span: str) -> bool:
    """Whether a span reads as a name: some word capitalised, and not just a number."""
    return any(w[:1].isupper() for w in span.split()) and bool(re.sub(r"[\d\s.,/%★()s-]", "", span))


def dated_names(text: str) -> list[str]:
    """'Name (YYYY)' spans: the run of capitalised words (and connectors) before a year in brackets."""
    out = []
    for m in _YEAR_PAREN.finditer(text):
        words = _WORD.findall(re.split(r"[()]", text[: m.start()])[-1])[-12:]
        run: list[str] = []
        for w in reversed(words):
            if w[:1].isupper() or w[:1].isdigit() or w.lower() in _CONNECTORS:
                run.insert(0, w)
            else:
                break
        while run and run[0].lower() in _CONNECTORS:
            run.pop(0)
        if run:  # a bare "(1983)" is a number, checked as such
            out.append(" ".join(run + [m.group(0)]))
    return out


class GroundingChecker:
    def __init__(self, finder: TitleFinder, lookup: Callable[[str], Item | None]):
        self.finder, self.lookup = finder, lookup

    def _allowed_spans(self, text: str, allowed_ids: set[str]) -> list[tuple[int, int]]:
        """Character ranges where an allowed title is written (a title such as "9" is left to the
        number check)."""
        names = set()
        for i in allowed_ids:
            item = self.lookup(i)
            if item:
                names |= {item.display_title, item.title, item.name}
        return [(m.start(), m.end()) for name in names if re.search(r"[A-Za-z]", name)
                for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?!\w)", text, flags=re.I)]

    def _extended(self, text: str, spans: list[tuple[int, int]], allowed_ids: set[str]) -> list[str]:
        """Allowed titles continued into another title: 'Toy Story' + ' 3' names Toy Story 3."""
        out = []
        for a, b in spans:
            words = _WORD.findall(text[b : b + 40])[:3]
            for k in range(len(words), 0, -1):
                longer = text[a:b] + " " + " ".join(words[:k])
                ids = {m.item_id for m in self.finder.resolver.exact(longer.rstrip(".,;:!?"))}
                if ids and not ids & allowed_ids:
                    out.append(f"names a title not in the facts: {longer.rstrip('.,;:!?')!r}")
                    break
        return out

    def check(self, text: str, allowed_ids: Iterable[str], allowed_text: str) -> list[str]:
        """Problems with ``text`` (empty when it is grounded). ``allowed_text`` holds the facts and
        the allowed titles as given to the writer; its numbers are the only ones allowed."""
        allowed_ids = set(allowed_ids)
        problems: list[str] = []
        if (odd := _NOT_PROSE.search(text)) is not None:
            problems.append(f"is not plain prose (markup, a link or a control character): {odd.group(0)!r}")
        plain = text.replace("“", '"').replace("”", '"').replace("’", "'")
        spans = self._allowed_spans(plain, allowed_ids)

        # Allowed titles are blanked out first, so their pieces ("Girl" of "Girl, Interrupted") and
        # the words around them are not read as other titles; then what is left is scanned.
        masked = "".join(" " if any(a <= k < b for a, b in spans) else ch for k, ch in enumerate(plain))
        problems += self._extended(plain, spans, allowed_ids)
        scan = self.finder.scan(tokenize(masked.replace(" & ", " and ")))
        # A title is named in capitals (writers are told to copy titles as given); lower-case words
        # that fuzzily resemble a title ("the note you wanted" ~ "Wanted") are not names. A bare
        # number is checked as a number ("12" is also a film).
        for found in scan.found:
            if not {m.item_id for m in found.matches} & allowed_ids and _names(found.surface):
                problems.append(f"names a title not in the facts: {found.surface!r}")
        for unknown in scan.unknown:
            if _names(unknown):
                problems.append(f"names an unknown title: {unknown!r}")
        allowed_plain = f" {_plain(allowed_text)} "
        for m in _QUOTED.finditer(masked):
            span = _plain(m.group(1) or m.group(2))
            if span and f" {span} " not in allowed_plain:
                problems.append(f"quotes something not in the facts: {(m.group(1) or m.group(2))!r}")
        for name in dated_names(masked):
            if f" {_plain(name)} " not in allowed_plain:
                problems.append(f"names a dated title not in the facts: {name!r}")
        allowed_numbers = numbers_in(allowed_text)
        for n in sorted(numbers_in(masked) - allowed_numbers):  # numbers inside allowed titles are fine
            problems.append(f"states a number not in the facts: {n:g}")
        return problems
