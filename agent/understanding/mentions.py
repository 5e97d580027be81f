"""Find catalogue titles in free text: exact alias n-grams first, then fuzzy spans.

Grounded in the catalogue: a title is only ever an id the resolver returned. Titles made of
everyday words ("Up", "Kids", "Date Night") count only when the person capitalised or quoted
them, so "something funny for the kids" never mentions *Kids* (1995).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agent.understanding.lexicon import COMMON_WORDS, LIKE_CUES, SEEN_CUES
from agent.understanding.names import NameReader, sound_fold
from agent.understanding.sequels import sequels
from agent.understanding.title_words import article_dropped
from agent.understanding.text import Token, swapped_pair
from agent.understanding.vocabulary import vocabulary
from retrieval.people import PeopleIndex, PersonHit
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from retrieval.titles import Match, TitleResolver, normalize_title

_CONNECTORS = {"of", "the", "and", "in", "a", "an", "on", "to", "for", "&", "at", "with", "from", "vs"}
# short words title case leaves in lower case ("Stand by Me", "Gone with the Wind", "As Good as It Gets")
_TITLE_CASE_LOWER = _CONNECTORS | {"by", "as", "or", "nor", "but", "up", "off", "into", "over", "per", "via"}
_CUE_WORDS = {w for p in LIKE_CUES + SEEN_CUES for w in p.split()} | {"about", "is", "was", "watch"}
_MAX_NGRAM = 9
# Zipf frequency (wordfreq: log10 per billion words) from which a word is everyday English:
# "help" 5.8, "speed" 5.0, "frozen" 4.3, "halloween" 4.2 are; "titanic" 3.6, "shrek" 3.3 are not.
EVERYDAY_ZIPF = 4.0
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "vol", "no"}
# words after which even an everyday word is a title ("have you seen speed?"); not "is", "to", "the"
_BARE_TITLE_CUES = {"seen", "saw", "watched", "watch", "watching", "rewatch", "love", "loved", "loves", "like",
                    "liked", "likes", "enjoy", "enjoyed", "enjoys", "adore", "adored"}
# words after which a lower-case comparative compares rather than names a film ("but cleaner", "a bit darker")
_DEGREE_WORDS = {"but", "bit", "much", "way", "slightly", "little", "lot", "even", "abit", "somewhat", "tad"}
# nouns after which an everyday word describes films rather than names one ("revenge movies")
_KIND_NOUNS = {"movie", "movies", "film", "films", "flick", "flicks", "stuff", "type", "kind", "genre"}


@dataclass
class FoundTitle:
    start: int  # token index
    end: int  # exclusive
    surface: str
    matches: list[Match]
    year: int | None = None


@dataclass
class TitleScan:
    found: list[FoundTitle] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # quoted tokens, resolved as a whole
    names: list[PersonHit] = field(default_factory=list)  # directors and cast named (with a PeopleIndex)

    def masked(self) -> set[int]:
        return {i for f in self.found for i in range(f.start, f.end)} | self.hidden


def _spans(hits: list[PersonHit]) -> set[int]:
    return {i for h in hits for i in range(h.start, h.end)}


def _norm_tokens(tokens: list[Token]) -> list[str]:
    return [normalize_title(t.text) for t in tokens]


def _is_word(t: Token) -> bool:
    return t.text[:1].isalnum()


def _year_after(tokens: list[Token], end: int) -> tuple[int | None, int]:
    """A year right after a title: '(1995)' or '1995'. Returns (year, new end)."""
    j = end
    if j + 1 < len(tokens) and tokens[j].text in "!?." and tokens[j + 1].text == "(":
        j += 1  # "Moulin Rouge! (2001)": the title's own punctuation before the year
    if j < len(tokens) and tokens[j].text == "(":
        j += 1
    if j < len(tokens) and re.fullmatch(r"(19|20)\d\d", tokens[j].text):
        year = int(tokens[j].text)
        j += 1
        if j < len(tokens) and tokens[j].text == ")":
            j += 1
        return year, j
    return None, end


def _needs_case(norms: list[str]) -> bool:
    words = " ".join(norms).split()
    return all(w in COMMON_WORDS or w in _CUE_WORDS or w.isdigit() for w in words) or len("".join(words)) <= 3


@lru_cache(maxsize=8192)
def everyday_word(word: str) -> bool:
    """Whether a lower-case word is common in English text (``EVERYDAY_ZIPF``)."""
    from wordfreq import zipf_frequency  # loads its word lists on first use, not at import

    return zipf_frequency(word, "en", wordlist="small") >= EVERYDAY_ZIPF  # the small list: zipf >= 3


def _bare_everyday_word(tokens: list[Token], i: int, length: int, year: int | None) -> bool:
    """One lower-case everyday word with no year and no cue before it ("I need help", "not my
    speed", "wanted something lighter"): the word, not *The Help*, *Speed* or *Wanted*. After a
    cue ("have you seen speed?") it still counts, unless a noun says it is a kind of film ("I
    love revenge movies")."""
    t = tokens[i]
    if length != 1 or year is not None or t.capitalised:
        return False
    cue = i > 0 and tokens[i - 1].norm in _BARE_TITLE_CUES
    kind_of_film = i + 1 < len(tokens) and tokens[i + 1].norm in _KIND_NOUNS
    if i > 0 and tokens[i - 1].norm in _DEGREE_WORDS and t.norm.endswith("er"):
        return True  # "like the hangover but cleaner", "a bit darker": a comparison, not *Cleaner*
    if i > 0 and tokens[i - 1].norm in ("a", "an"):
        return True  # "set on a submarine": a thing, not *Submarine* (a title opening "A" says it)
    if not cue and _descriptor_words() & {t.norm, t.norm[:-1]}:
        return True  # "something about hackers": the descriptor, not *Hackers*
    return (kind_of_film or not cue) and everyday_word(t.norm)


@lru_cache(maxsize=1)
def _descriptor_words() -> frozenset[str]:
    return frozenset(p for ps in vocabulary("en").attribute_phrases.values() for p in ps if " " not in p)


def _span_token(tokens: list[Token], k: int) -> bool:
    """Whether token ``k`` may sit inside a title: a word, '&', an apostrophe, a comma or colon
    ("I, Robot", "Monsters, Inc.", "Insidious: Chapter 2"), or the full stop of an abbreviation
    ("Mr. Bean's Holiday", "Dr. Strangelove"). The whole span must still be a catalogue title."""
    t = tokens[k]
    if _is_word(t) or t.text in ("&", "'", ",", ":"):
        return True
    return t.text == "." and k > 0 and (tokens[k - 1].norm in _ABBREVIATIONS or len(tokens[k - 1].norm) == 1)


def _capitalised(span: list[Token]) -> bool:
    """Every content word capitalised ("Lord of the Rings"); a span of only connectors ("A",
    "To") must be capitalised itself."""
    content = [t for t in span if t.norm not in _TITLE_CASE_LOWER and _is_word(t)] or span
    return all(t.capitalised for t in content)


def _everyday_phrase(tokens: list[Token]) -> bool:
    """A name made only of everyday words, typed in lower case ("on the edge of my seat" is no
    The Edge; "the rock" is no The Rock unless capitalised)."""
    return all(t.norm in COMMON_WORDS or t.norm == "the" for t in tokens) and not any(t.text[:1].isupper() for t in tokens)


class TitleFinder:
    """Titles in free text; with a ``PeopleIndex`` also the directors and cast it names, and a
    name beats a title inside it ("Jack Nicholson" is no mention of *Jack*)."""

    def __init__(self, resolver: TitleResolver, people: PeopleIndex | None = None):
        self.resolver = resolver
        self.people = people
        self.loose_words = vocabulary("en").people
        self.loose_names = None if people is None else NameReader(people, self.loose_words, everyday_word)
        everyday_word("the")  # load the word list now, not during someone's first turn
        resolver.aliases_with_word_like("the")  # and the title-word index the slip finder uses
        resolver.alias_sounding("the", self._fold)  # and how each title sounds

    def scan(self, tokens: list[Token]) -> TitleScan:
        scan = TitleScan()
        norms = _norm_tokens(tokens)
        shouting = sum(t.text.isupper() and len(t.text) > 1 for t in tokens) > len(tokens) / 2
        quoted = self._quoted(tokens, scan)
        i = 0
        while i < len(tokens):
            if i in quoted:
                i += 1
                continue
            hit = None if not _is_word(tokens[i]) else self._exact_at(tokens, norms, i, shouting)
            if hit:
                scan.found.append(hit)
                i = hit.end
            else:
                i += 1
        self._fuzzy(tokens, scan)
        if self.people is not None:
            self._names(tokens, scan)
        self._misspelt(tokens, scan)
        sequels(self.resolver, [t.norm for t in tokens], scan)
        return scan

    def _misspelt(self, tokens: list[Token], scan: TitleScan) -> None:
        """Lower-case titles with a slip anywhere in free text ("somethin like jurasic park or the
        terminater"): around each rare word (not everyday English, not in the vocabulary, no name),
        the window of words that spells a catalogue title holding a word like it."""
        masked = scan.masked() | scan.hidden | _spans(scan.names)
        one_word = {f.start for f in scan.found if f.end - f.start == 1}  # "Pride and Prejudise": no *Pride*
        norms = _norm_tokens(tokens)
        for k, t in enumerate(tokens):
            w = norms[k]
            if k in masked or not t.text.isalpha() or len(w) < 4 or w in COMMON_WORDS or everyday_word(w):
                continue
            best: tuple[float, int, int, str] | None = None
            # (one slip in a four-letter word scores 75: "finding nimo"; the window's score still decides)
            spelt = self.resolver.aliases_with_word_like(w, cutoff=75.0 if len(w) == 4 else 80.0)  # and those
            # that sound like it ("fite club")
            heard = [a for a in self.resolver.aliases_sounding_like(w, self._fold) if a not in spelt]
            for alias in spelt + heard:
                size = len(alias.split())
                for length in {size - 1, size, size + 1} if size > 1 else {1}:  # ("a submarine": no *Submarine*)
                    for start in range(max(0, k - length + 1), k + 1):
                        end = start + length
                        if length < 1 or end > len(tokens) or any(i in masked and not (size > 1 and i in one_word)
                                                                   or not _is_word(tokens[i]) for i in range(start, end)):
                            continue
                        window = " ".join(norms[start:end])
                        if self.resolver.has_alias(window):
                            continue  # an exact title: the exact pass decided on it
                        score = fuzz.ratio(*map(self._fold, (window, alias))) if alias in heard else fuzz.ratio(window, alias)
                        cutoff = 86 if size > 1 else (88 if len(alias) >= 8 else 92)
                        if size == 1 == length and (len(alias) >= 6 and OSA.distance(window, alias) == 1
                                                    or len(alias) == 5 and swapped_pair(window, alias)):
                            score = max(score, cutoff)  # one slip in a one-word title ("titanik", "sherk")
                        # the window covering more of the text wins ("moster inc" is Monsters, Inc.,
                        # not Monster), then the closer spelling
                        if score >= cutoff and (best is None or (end - start, score) > (best[2] - best[1], best[0])):
                            best = (score, start, end, alias)
            best = best or self._run_together(norms, k, masked)
            if best:
                score, start, end, alias = best
                year, new_end = _year_after(tokens, end)
                matches = [Match(m.item_id, m.title, m.year, score, False) for m in self.resolver.exact(alias, year)]
                if matches:
                    scan.found = [f for f in scan.found if not (start <= f.start and f.end <= end)]
                    scan.found.append(FoundTitle(start, new_end, " ".join(x.text for x in tokens[start:end]), matches, year))
                    masked |= set(range(start, new_end))
        scan.found.sort(key=lambda f: f.start)

    def _fold(self, text: str) -> str:
        return sound_fold(text, self.loose_words.sound_alike)

    def _heard(self, words: list[str]) -> bool:
        """Everyday words that spell a title as it sounds ("liked the dark night"): no title
        themselves, they sound exactly like one of at least two words."""
        typed = " ".join(words)
        return len(words) > 1 and not self.resolver.has_alias(typed) and \
            self.resolver.alias_sounding(typed, self._fold) is not None

    def _run_together(self, norms: list[str], k: int, masked: set[int]) -> tuple[float, int, int, str] | None:
        """A one-word title typed as two words ("casa blanca"): the rare word and a neighbour,
        written together, are a catalogue title of at least eight letters."""
        for start in (k - 1, k):
            end = start + 2
            if start < 0 or end > len(norms) or any(i in masked for i in range(start, end)):
                continue
            joined = norms[start] + norms[start + 1]
            if len(joined) >= 8 and joined.isalpha() and self.resolver.has_alias(joined):
                return 100.0, start, end, joined
        return None

    def _names(self, tokens: list[Token], scan: TitleScan) -> None:
        """Names in the text, exact or with a slip ("tom hnaks"). A name beats a title found inside
        it ("Adam Sandler" is no mention of "Adam"); a longer title beats a name inside it ("Being
        John Malkovich"); a surname alone counts only outside titles. A name is no unknown title."""
        norms = [t.norm for t in tokens]
        names = self.people.find(norms, scan.hidden)
        names += self.people.find_misspelled(norms, scan.hidden | _spans(names), everyday_word)
        taken = scan.masked() | _spans(names)
        names += self.people.find_surnames(norms, [t.text[:1].isupper() for t in tokens], taken, COMMON_WORDS)
        # loosely named people (a nickname, a surname as it sounds, a surname alone next to a cue);
        # a name beats a one-word title ("hitchcock films"), not a longer one
        longer = {i for f in scan.found if f.end - f.start > 1 for i in range(f.start, f.end)}
        names += self.loose_names.find(norms, scan.hidden | _spans(names) | longer, COMMON_WORDS)
        names = [h for h in names
                 if not any(f.start <= h.start and h.end <= f.end and f.end - f.start > h.end - h.start
                            for f in scan.found) and not _everyday_phrase(tokens[h.start:h.end])]
        scan.found = [f for f in scan.found if not any(h.start <= f.start and f.end <= h.end for h in names)]
        surfaces = [f' {" ".join(t.text for t in tokens[h.start:h.end])} ' for h in names]  # as unknown's
        scan.unknown = [u for u in scan.unknown if not any(s in f" {u} " for s in surfaces)]
        scan.names = names

    def _quoted(self, tokens: list[Token], scan: TitleScan) -> set[int]:
        """Quoted text is one title or none: resolve it whole and hide it from n-gram matching."""
        hidden: set[int] = set()
        quotes = [i for i, t in enumerate(tokens) if t.text == '"']
        for a, b in zip(quotes[::2], quotes[1::2]):
            if b - a < 2:
                continue
            text = " ".join(t.text for t in tokens[a + 1 : b])
            year, end = _year_after(tokens, b + 1)
            matches = [m for m in self.resolver.resolve(text, year) if m.score >= 86]
            if matches:
                scan.found.append(FoundTitle(a + 1, b, text, matches, year))
            elif text not in scan.unknown:
                scan.unknown.append(text)
            hidden |= set(range(a, b + 1))
        scan.hidden = hidden
        return hidden

    def _exact_at(self, tokens, norms, i, shouting) -> FoundTitle | None:
        for length in range(min(_MAX_NGRAM, len(tokens) - i), 0, -1):
            span = tokens[i : i + length]
            if not all(_span_token(tokens, k) for k in range(i, i + length)) or not _is_word(span[-1]):
                continue
            key = " ".join(n for n in norms[i : i + length] if n)
            if key and length >= 3 and not self.resolver.has_alias(key):  # "lord of the ring movies"
                key = next((k for k in (key + "s", key[:-1]) if self.resolver.has_alias(k)), key)
            if not key or not self.resolver.has_alias(key):
                continue
            year, end = _year_after(tokens, i + length)
            if _needs_case(norms[i : i + length]):
                caps = _capitalised(span)
                sentence_start = i == 0 or tokens[i - 1].text in ".!?"
                title_context = i + length < len(tokens) and tokens[i + length].norm in ("with", "starring", "by")
                # a capitalised title with its year, "It (2017)", is a title even first in a sentence
                if shouting or not caps or (sentence_start and length == 1 and year is None and not title_context):
                    continue
            if _bare_everyday_word(tokens, i, length, year):
                continue
            matches = self.resolver.exact(key, year)
            if matches and year is None and article_dropped(span, key, matches):
                continue
            if matches:
                surface = " ".join(t.text for t in span)
                return FoundTitle(i, end, surface, matches, year)
        return None

    def _candidate_spans(self, tokens: list[Token], masked: set[int]) -> list[tuple[int, int, bool, float]]:
        """(start, end, strong, cutoff) spans worth a fuzzy look: quoted text, capitalised runs,
        and the few words after a cue such as 'seen' or 'loved'. ``strong`` spans (quoted, or
        capitalised right after a cue) that match nothing are reported as unknown titles."""
        spans: list[tuple[int, int, bool, float]] = []
        n = len(tokens)
        masked = masked | {i for i, t in enumerate(tokens) if t.text == '"'}
        # capitalised runs (not the sentence's first word alone, not "I")
        i = 0
        while i < n:
            t = tokens[i]
            if _is_word(t) and t.text[:1].isupper() and t.text not in ("I", "I'm", "I've", "I'd", "I'll") and i not in masked:
                j = i + 1
                while j < n and j not in masked and _is_word(tokens[j]) and (
                    tokens[j].capitalised or (tokens[j].norm in _CONNECTORS and j + 1 < n and tokens[j + 1].capitalised)
                ):
                    j += 1
                sentence_start = i == 0 or tokens[i - 1].text in ".!?"
                words = [tok.norm for tok in tokens[i:j]]
                if not (sentence_start and j - i == 1) and not all(w in COMMON_WORDS for w in words):
                    cue = i > 0 and tokens[i - 1].norm in _CUE_WORDS
                    spans.append((i, j, cue, 88.0))
                i = j
            else:
                i += 1
        # after a cue word ("seen terminater 2")
        for i, t in enumerate(tokens):
            if t.norm in _CUE_WORDS:
                for length in (4, 3, 2, 1):
                    end = min(n, i + 1 + length)
                    if end > i + 1:
                        spans.append((i + 1, end, False, 91.0))
        return spans

    def _fuzzy(self, tokens: list[Token], scan: TitleScan) -> None:
        masked = scan.masked() | scan.hidden
        tried: set[tuple[int, int]] = set()
        for start, end, strong, cutoff in self._candidate_spans(tokens, masked):
            if (start, end) in tried or any(k in masked for k in range(start, end)):
                continue
            tried.add((start, end))
            span = tokens[start:end]
            # trim trailing punctuation / connector words
            while span and (not _is_word(span[-1]) or span[-1].norm in _CONNECTORS):
                span = span[:-1]
                end -= 1
            if not span:
                continue
            text = " ".join(t.text for t in span)
            words = normalize_title(text).split()
            if not words or all(w in COMMON_WORDS for w in words) and not strong and not self._heard(words):
                continue
            year, new_end = _year_after(tokens, end)
            matches = [m for m in self.resolver.resolve(text, year) if m.score >= cutoff]
            if matches and not strong and year is None and not _capitalised(span) and (
                    _needs_case(words) or article_dropped(span, " ".join(words), matches)
                    or _bare_everyday_word(tokens, start, len(span), year)) and not self._heard(words):
                continue  # a lower-case everyday phrase after a cue word ("can I help you")
            if matches:
                scan.found.append(FoundTitle(start, new_end, text, matches, year))
                masked |= set(range(start, new_end))
            elif strong and text not in scan.unknown and not all(w in COMMON_WORDS for w in words):
                scan.unknown.append(text)
        scan.found.sort(key=lambda f: f.start)
