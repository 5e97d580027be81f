"""Plain-text rendering of turn results, "Why this?" and profiles for the terminal."""

from __future__ import annotations

from agent.grounding import SCENE_WORDS
from agent.results import InterestSnapshot, RecommendedItem, TurnResult

from retrieval.ranking import FEATURE_NAMES, FEATURE_WORDS, weighed_in_words  # noqa: E402  (one home for the features' words)


def render_text(result: TurnResult) -> str:
    lines = [result.reply]
    for n, it in enumerate(result.items, start=1):
        facts = ", ".join(filter(None, [
            ", ".join(it.genres), f"{it.runtime} min" if it.runtime else "", it.mpaa or "",
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


def scene_name(scene: str) -> str:
    """'date night', 'a night with the kids': never the internal label."""
    return SCENE_WORDS.get(scene, scene.replace("_", " "))


def scene_words(snapshot: InterestSnapshot) -> str:
    if not snapshot.scene:
        return "their taste across every scene"
    if snapshot.scene_view:
        return f"their taste for {scene_name(snapshot.scene)}"
    return f"their overall taste (no feedback for {scene_name(snapshot.scene)} yet)"


def evidence_words(snapshot: InterestSnapshot) -> str:
    n = round(snapshot.evidence)
    return "no ratings yet" if n == 0 else "1 rating" if n == 1 else f"about {n:,} ratings"


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def why_words(item: RecommendedItem) -> str:
    """"Why this?" for people (Markdown): the facts behind the pick as sentences, then what
    weighed most in its score, as shares ("how closely it matches what you said, 45%")."""
    lines = [f"**Why {item.title}{f' ({item.year})' if item.year else ''}?**", ""]
    lines += [f"- {sentence(fact)}" for fact in item.facts]
    helped = weighed_in_words(item.contributions)
    total = sum(v for _, v in helped)
    if total > 0:
        parts = [f"{words} ({100 * v / total:.0f}%)" for words, v in helped if 100 * v / total >= 1]
        lines += ["", "What weighed most: " + ", ".join(parts) + "."]
    held = [FEATURE_WORDS.get(name, name.replace("_", " ")) for name, v in item.contributions.items() if v < 0]
    if held:
        lines.append("Held back a little by " + ", ".join(held) + ".")
    return "\n".join(lines)


def render_profile(snapshot: InterestSnapshot, width: int = 30) -> str:
    view = scene_words(snapshot)
    lines = [f"Interest profile of {snapshot.user_id}: {view}, from {evidence_words(snapshot)}"]
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
