"""The language of a turn (English or Chinese) and Traditional -> Simplified reading.

Example::

    detect = LanguageDetector()
    detect("有没有像 Inception 一样烧脑的片子")   # 'zh' (mixed: the Chinese frame wins)
    detect("something like Inception")          # 'en'
    detect("2")                                  # None: no evidence, the session's language stands
    to_simplified("適合孩子看嗎")                   # '适合孩子看吗'
"""

from __future__ import annotations

import re
from functools import lru_cache

LANGUAGES = ("en", "zh")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_TITLE_QUOTES = re.compile(r"《[^》]*》")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters read as Simplified (OpenCC's t2s table); other text unchanged."""
    return _converter().convert(text) if _HAN.search(text) else text


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


class LanguageDetector:
    """Lingua restricted to the languages served. A turn with Chinese words around English
    titles or names ("像 Inception 一样") is Chinese; a turn with neither script is no evidence."""

    def __init__(self):
        from lingua import Language, LanguageDetectorBuilder

        self._zh = Language.CHINESE
        self._detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.CHINESE).build()

    def __call__(self, text: str) -> str | None:
        han = len(_HAN.findall(text))
        latin = len(_LATIN.findall(_TITLE_QUOTES.sub(" ", text)))
        if not han and not latin:
            return None
        if not han:
            return "en"
        if not latin:
            return "zh"
        # mixed: which language frames the sentence? English titles inside a Chinese sentence
        # are a few Latin words among Han characters; lingua weighs the two.
        words = [m for m in re.findall(r"[A-Za-z']+", text)]
        if han >= 2 and han * 2 >= len(words):
            return "zh"
        detected = self._detector.detect_language_of(text)
        return "zh" if detected == self._zh else "en"
