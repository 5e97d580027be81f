"""Plain-text rendering of a turn result for the terminal."""

from __future__ import annotations

from agent.results import TurnResult


def render_text(result: TurnResult) -> str:
    lines = [result.reply]
    for n, it in enumerate(result.items, start=1):
        facts = ", ".join(filter(None, [
            "/".join(it.genres[:3]), f"{it.runtime} min" if it.runtime else "", it.mpaa or "",
        ]))
        year = f" ({it.year})" if it.year else ""
        lines.append(f"  {n}. {it.title}{year} — {facts}\n     {it.reason}")
    return "\n".join(lines)
