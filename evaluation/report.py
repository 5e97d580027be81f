"""Show evaluation results: a terminal table per protocol and a PNG of Recall@k curves."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from evaluation.runner import ProtocolReport

COLUMNS = ("recall@1", "recall@10", "recall@50", "ndcg@10", "mrr@10", "coverage@10", "seconds")
HEADERS = {"recall@1": "R@1", "recall@10": "R@10", "recall@50": "R@50", "ndcg@10": "NDCG@10",
           "mrr@10": "MRR@10", "coverage@10": "Cov@10", "seconds": "sec"}


def table(report: ProtocolReport) -> Table:
    t = Table(title=f"{report.dataset} · {report.protocol} · {report.instances:,} instances · "
                    f"{report.dialogues:,} dialogues")
    t.add_column("system")
    for c in COLUMNS:
        t.add_column(HEADERS.get(c, c), justify="right")
    best = {c: max(m[c] for m in report.systems.values()) for c in COLUMNS if c != "seconds"}
    for name, m in report.systems.items():
        cells = []
        for c in COLUMNS:
            text = f"{m[c]:.1f}" if c == "seconds" else f"{m[c]:.4f}"
            cells.append(f"[bold]{text}[/bold]" if c != "seconds" and m[c] == best[c] and m[c] > 0 else text)
        t.add_row(name, *cells)
    return t


def plot(reports: list[ProtocolReport], path: Path) -> Path:
    """Recall@k against k for every system, one panel per protocol."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(reports), figsize=(6 * len(reports), 4.2), squeeze=False)
    for ax, rep in zip(axes[0], reports):
        for name, curve in rep.curves.items():
            ks = sorted(curve)
            ax.plot(ks, [curve[k] for k in ks], marker="o", label=name)
        ax.set_title(f"{rep.dataset} · {rep.protocol} ({rep.instances:,} instances)")
        ax.set_xlabel("k")
        ax.set_ylabel("Recall@k")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
