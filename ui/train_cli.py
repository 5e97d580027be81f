"""``scenerec train``: fit the learned parts of the ranker from training conversations."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

train_app = typer.Typer(help="Learn from conversations.", no_args_is_help=False, invoke_without_command=True)


def _code_version() -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@train_app.callback()
def train(
    dialogues: Annotated[Optional[Path], typer.Option("--dialogues", help="Training dialogues, ReDial JSONL (default ../shared/data/redial/train_data.jsonl). Never the validation or test split.")] = None,
    movies: Annotated[Optional[Path], typer.Option("--movies", help="movies_with_mentions.csv (default beside the dialogues' default).")] = None,
    movie_info: Annotated[Optional[str], typer.Option("--movie-info", help="ReDial movie_info.json for item text (default: the shared one when present; 'none': titles and linked data only).")] = None,
    knowledge_sources: Annotated[Optional[str], typer.Option("--knowledge", help="More item knowledge filling only empty fields: 'movielens', 'wikipedia' (comma-separated; default both from ../shared/data) or 'none'.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for the model bundle (default DATA_DIR/models/redial, which the agent loads).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random choice (folds, sampling, initialisation).")] = 0,
    epochs: Annotated[Optional[int], typer.Option("--text-epochs", help="Epochs of the text scorer (default 8).")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Data directory (default: the user data dir).")] = None,
) -> None:
    """Fit co-mention counts, the text scorer and the ranker's weights on training dialogues
    (deterministic under --seed), and write a versioned bundle the agent then loads."""
    from rich.console import Console

    from evaluation import paths
    from evaluation.dialogues import DatasetError
    from evaluation.runner import load_redial, prepare
    from evaluation.conversation_training import ConversationConfig
    from evaluation.training import TrainConfig, sentiment_rows
    from evaluation.training import train as fit
    from retrieval.learned import file_digest, save_bundle
    from retrieval.reading import IngestError
    from ui.cli_options import settings_for as _settings
    from ui.eval_cli import _knowledge
    from ui.progress import rich_progress

    console = Console()
    dialogues = dialogues or paths.default_file(*paths.REDIAL_TRAIN)
    movies = movies or paths.default_file(*paths.REDIAL_MOVIES)
    if dialogues.name in ("dev_data.jsonl", "test_data.jsonl"):
        raise typer.BadParameter(f"{dialogues.name} is an evaluation split: train on train_data.jsonl",
                                 param_hint="--dialogues")
    settings = _settings(data_dir).model_copy(update={"learned_models": "off"})
    # --seed seeds every random choice, the conversation model's initialisation and batches too
    cfg = TrainConfig(seed=seed, conversation=ConversationConfig(seed=seed),
                      **({} if epochs is None else {"text_epochs": epochs}))
    t0 = time.perf_counter()
    try:
        bench = load_redial(dialogues, movies)
        knowledge = _knowledge(movie_info, knowledge_sources)
        with rich_progress() as progress:
            setup = prepare(bench, settings, "recent", progress, None, knowledge)
            bundle, report = fit(setup.ranker, bench.dialogues, {m.id: m.name for m in bench.movies}, cfg, progress,
                                 sentiment_rows(dialogues))
    except (DatasetError, IngestError, ValueError, KeyError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    info_used = knowledge and any(s.name == "movie_info" for s in knowledge.sources)
    sources = [dialogues, movies] + ([paths.default_file(*paths.REDIAL_MOVIE_INFO)] if info_used else [])
    sources += knowledge.files if knowledge else []
    bundle.manifest["data"] = {p.name: file_digest(p) for p in sources if p.exists()}
    bundle.manifest["code"] = _code_version()
    bundle.manifest["train_seconds"] = round(time.perf_counter() - t0, 1)
    target = out or settings.models_path
    save_bundle(target, bundle)
    console.print(f"trained on {report.dialogues:,} dialogues ({report.examples:,} recommendation points) "
                  f"in {time.perf_counter() - t0:.0f}s: {json.dumps(report.seconds)}")
    console.print("ranker weights: " + ", ".join(f"{k} {v:.3f}" for k, v in report.weights.items()))
    console.print(f"wrote {target} -- `scenerec eval redial` and the agent now use it "
                  f"(SCENEREC_LEARNED_MODELS=off for the hand-set weights)")
