"""The interest profile as an HTML bar chart: one horizontal bar per attribute, sorted by share,
on a numeric percentage axis, with the population's share marked on each bar and the bar coloured
by how this turn moved it. Plain HTML and CSS: it draws the same in any browser, offline, and every
label is escaped text."""

from __future__ import annotations

from html import escape

from agent.results import InterestShare, InterestSnapshot

CHART_CSS = """
.sr-chart{font-size:.85em;color:#1f2328}
.sr-chart-row{display:grid;grid-template-columns:minmax(90px,38%) 1fr 3.6em;align-items:center;gap:8px;margin:3px 0}
.sr-chart-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.sr-chart-family{color:#57606a}
.sr-chart-track{position:relative;height:14px;background:#f0f2f4;border-radius:3px}
.sr-bar{position:absolute;left:0;top:0;bottom:0;border-radius:3px;background:#8c959f}
.sr-bar[data-change="rose"]{background:#1a7f37}
.sr-bar[data-change="fell"]{background:#cf222e}
.sr-prior{position:absolute;top:-3px;bottom:-3px;width:2px;background:#1f2328;opacity:.55}
.sr-chart-value{text-align:right;font-variant-numeric:tabular-nums}
.sr-chart-axis{display:grid;grid-template-columns:minmax(90px,38%) 1fr 3.6em;gap:8px;color:#57606a;margin-top:4px}
.sr-chart-ticks{display:flex;justify-content:space-between;border-top:1px solid #d0d7de;padding-top:2px}
.sr-chart-legend{color:#57606a;margin-top:6px}
.sr-chart-empty{color:#57606a;padding:12px;border:1px dashed #d0d7de;border-radius:8px}
"""
MAX_BARS = 12


def change_of(a: InterestShare) -> str:
    """'rose', 'fell' or 'steady': how this turn (or feedback) moved the attribute, by 0.05 pts."""
    if a.before is None:
        return "steady"
    delta = 100 * (a.share - a.before)
    return "rose" if delta >= 0.05 else "fell" if delta <= -0.05 else "steady"


AXES = ((10, 2), (20, 5), (25, 5), (40, 10), (50, 10), (75, 25), (100, 25))  # (end %, tick step %)


def _axis(shares: list[float]) -> tuple[int, int]:
    """A round end of the axis in percent and its tick step: 0% 10% 20% 30% 40%, never 19% or 38%."""
    top = max(shares, default=0.0) * 100
    return next(((end, step) for end, step in AXES if top <= end), AXES[-1])


def render_chart(snapshot: InterestSnapshot | None, guest_text: str) -> str:
    """The chart's HTML; ``guest_text`` is shown when there is no profile to draw."""
    attributes = sorted(snapshot.attributes if snapshot and snapshot.user_id else [], key=lambda a: -a.share)
    if not attributes:
        return f'<div class="sr-chart-empty" id="sr-chart-empty">{escape(guest_text)}</div>'
    shown = attributes[:MAX_BARS]
    top, step = _axis([a.share for a in shown] + [a.prior for a in shown])
    rows = []
    for a in shown:
        width, prior = min(100.0, 100 * a.share / top * 100), min(100.0, 100 * a.prior / top * 100)
        change = change_of(a)
        title = (f"{a.value} ({a.family}): {100 * a.share:.1f}% for this person, {100 * a.prior:.1f}% for "
                 f"everyone" + ("" if change == "steady" else f"; {change} this turn"))
        rows.append(
            f'<div class="sr-chart-row" title="{escape(title)}">'
            f'<span class="sr-chart-label">{escape(a.value)} <span class="sr-chart-family">{escape(a.family)}</span></span>'
            f'<span class="sr-chart-track"><span class="sr-bar" data-change="{change}" style="width:{width:.1f}%"></span>'
            f'<span class="sr-prior" style="left:{prior:.1f}%"></span></span>'
            f'<span class="sr-chart-value">{100 * a.share:.1f}%</span></div>')
    ticks = "".join(f"<span>{v}%</span>" for v in range(0, top + 1, step))
    more = f" {len(attributes) - len(shown)} smaller ones not shown." if len(attributes) > len(shown) else ""
    return (f'<div class="sr-chart" id="sr-chart" role="img" aria-label="Interest profile: share of each '
            f'attribute">{"".join(rows)}<div class="sr-chart-axis"><span></span><span class="sr-chart-ticks">'
            f'{ticks}</span><span></span></div><div class="sr-chart-legend">Bars: this person\'s share of '
            f'interest · dark mark: everyone\'s · green rose, red fell this turn.{more}</div></div>')
