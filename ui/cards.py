"""HTML recommendation cards for the Gradio UI. Every catalogue string is escaped."""

from __future__ import annotations

from html import escape

from agent.results import RecommendedItem
from ui.words import ui_words

CARD_CSS = """
.sr-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px}
.sr-card{border:1px solid #d0d7de;border-radius:10px;padding:12px;background:#fff;color:#1f2328}
.sr-card h4{margin:0 0 4px 0;font-size:1.05em}
.sr-meta{color:#57606a;font-size:.85em;margin-bottom:6px}
.sr-reason{font-size:.92em}
.sr-empty{color:#57606a}
.sr-note{margin-top:6px;font-size:.85em;color:#0969da}
.sr-slot button{min-width:0}
.sr-why-text{font-size:.9em;padding:0 12px 8px 12px}
"""


def render_card(n: int, it: RecommendedItem, note: str = "", words: dict | None = None) -> str:
    """``words``: the card's words in the UI's language (``ui/locales``: ``card``). The genres are
    named as the pick names them (in the person's language, like its reason)."""
    words = words or ui_words("en")["card"]
    genres = it.genre_labels or it.genres
    meta = " · ".join(escape(x) for x in filter(None, [
        str(it.year) if it.year else "", words["genres_joiner"].join(genres),  # every genre: a reason may praise any
        words["minutes"].format(n=it.runtime) if it.runtime else "", it.mpaa or "",
    ]))
    people = credits(it, words)
    people_html = f'<div class="sr-meta">{escape(people)}</div>' if people else ""
    note_html = f'<div class="sr-note">{escape(note)}</div>' if note else ""
    return (f'<div class="sr-card"><h4>{n}. {escape(it.title)}</h4><div class="sr-meta">{meta}</div>'
            f'{people_html}<div class="sr-reason">{escape(it.reason)}</div>{note_html}</div>')


def credits(it: RecommendedItem, words: dict | None = None) -> str:
    """'Dir. Robert Zemeckis · with Tom Hanks, Robin Wright' (plain text; the caller escapes)."""
    words = words or ui_words("en")["card"]
    parts = []
    if it.directors:
        parts.append(words["directed"] + ", ".join(it.directors[:2]))
    if it.cast:
        parts.append(words["starring"] + ", ".join(it.cast[:3]))
    return " · ".join(parts)


def render_cards(items: list[RecommendedItem]) -> str:
    if not items:
        return '<div class="sr-empty">Recommendations will appear here.</div>'
    return '<div class="sr-cards">' + "".join(render_card(n, it) for n, it in enumerate(items, start=1)) + "</div>"
