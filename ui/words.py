"""The web UI's own words (``ui/locales/<language>.yaml``): labels, notes, a card's facts line."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=4)
def ui_words(language: str = "en") -> dict:
    """The UI's own words in a language (English when unknown)."""
    language = language if language in ("en", "zh") else "en"
    return yaml.safe_load(resources.files("ui").joinpath(f"locales/{language}.yaml").read_text(encoding="utf-8"))
