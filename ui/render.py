"""Plain-text rendering of turn results, "Why this?" and profiles for the terminal."""

from __future__ import annotations

from agent.results import InterestSnapshot, RecommendedItem, TurnResult

FEATURE_NAMES = {
    "content": "matches your words", "genre": "genres you asked for", "scene": "fits the scene",
    "liked_items": "close to titles you liked", "collaborative": "liked by people with your taste",
    "profile": "your interest profile", "sequence": "what people watch next", "popularity": "popular",
    "quality": "well rated", "diversity": "variety in the list",
}


def render_text(result: TurnResult) -> str:
    lines = [result.reply]
    for n, it in enumerate(result.items, start=1):
        facts = ", ".join(filter(None, [
            "/".join(it.genres[:3]), f"{it.runtime} min" if it.runtime else "", it.mpaa or "",
        ]))
        year = f" ({it.year})" if it.year else ""
        lines.append(f"  {n}. {it.title}{year} — {facts}\n     {it.reason}")
    return "\n".join(lines)


def why_lines(item: RecommendedItem) -> list[str]:
    """What drove a pick: its grounded facts, then each feature's share of the score."""
    lines = [f"Why {item.title}{f' ({item.year})' if item.year else ''}? score {item.score:.2f}"]
    lines += [f"  • {fact}" for fact in item.facts]
    for name, value in sorted(item.contributions.items(), key=lambda kv: -abs(kv[1])):
        lines.append(f"  {value:+.3f}  {name:13s} {FEATURE_NAMES.get(name, '')}")
    return lines


def moved(snapshot: InterestSnapshot, limit: int = 4) -> list[tuple[str, float]]:
    """The attributes this turn moved most, in percentage points."""
    deltas = [(f"{a.family}: {a.value}", 100 * (a.share - a.before))
              for a in snapshot.attributes if a.before is not None and abs(a.share - a.before) >= 0.0005]
    return sorted(deltas, key=lambda d: -abs(d[1]))[:limit]


def scene_words(snapshot: InterestSnapshot) -> str:
    if not snapshot.scene:
        return "all scenes"
    if snapshot.scene_view:
        return f"scene '{snapshot.scene}'"
    return f"scene '{snapshot.scene}': no feedback there yet, so your overall view"


def render_profile(snapshot: InterestSnapshot, width: int = 30) -> str:
    view = scene_words(snapshot)
    lines = [f"Interest profile of {snapshot.user_id} ({view}; evidence ≈ {snapshot.evidence:g} ratings)"]
    family = None
    for a in snapshot.attributes:
        if a.family != family:
            family = a.family
            lines.append(f"{family}:")
        bar = "█" * max(1, round(a.share * width))
        lines.append(f"  {a.value:16s} {bar:{width}s} {100 * a.share:5.1f}%  (population {100 * a.prior:.1f}%)")
    changes = moved(snapshot)
    if changes:
        lines.append("this turn moved: " + ", ".join(f"{name} {d:+.1f} pts" for name, d in changes))
    return "\n".join(lines)
