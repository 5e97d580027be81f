"""``scenerec eval`` (ReDial and INSPIRED benchmarks) and ``scenerec simulate`` (simulated users).

Imports stay inside the commands, so that ``scenerec --help`` and the other commands start fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ui.cli_options import DataDir, settings_for as _settings

eval_app = typer.Typer(help="Evaluate on conversational-recommendation benchmarks (ReDial, INSPIRED).",
                       no_args_is_help=True)

Protocols = Annotated[str, typer.Option("--protocol", help="full, dedup (drop golds mentioned earlier) or both (rank once, score twice).")]
Limit = Annotated[Optional[int], typer.Option("--limit", help="Sample this many dialogues (with --seed).")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the --limit sample and the simulator.")]
Systems = Annotated[str, typer.Option("--systems", help="Comma-separated: agent,popularity,naive_rag,item_cf.")]
JsonOut = Annotated[Optional[Path], typer.Option("--json", help="Write the results as JSON (with both protocols: OUT.full.json and OUT.dedup.json).")]
PlotOut = Annotated[Optional[Path], typer.Option("--plot", help="Write a PNG of Recall@k curves.")]
PriorOpt = Annotated[str, typer.Option("--prior", help="Popularity prior: 'recent' (ratings of the linked movie weighted by age, half-life 2 years before the newest rating), 'movielens' (all-time rating counts) or, as a leaky diagnostic only, 'mentions' (ReDial nbMentions: counts over the whole corpus, evaluation dialogues included).")]
MovieInfoOpt = Annotated[Optional[str], typer.Option("--movie-info", help="Item knowledge for the benchmark catalogue: ReDial's movie_info.json (genres, plot, directors, stars; default ../shared/data/redial/movie_info.json when present). 'none': movies borrow only what links to the default catalogue give them.")]
KnowledgeOpt = Annotated[Optional[str], typer.Option("--knowledge", help="More item knowledge for the benchmark catalogue, filling only fields still empty (after the linked catalogue and --movie-info), comma-separated: 'movielens' (MovieLens 25M genres and tag keywords) and 'wikipedia' (lead-paragraph description, cast, genres), read from ../shared/data. Default: both. 'none': neither.")]
MovieLensOpt = Annotated[Optional[str], typer.Option("--movielens", help="Link the benchmark movies to a catalogue read from this MovieLens folder (movies.csv, ratings.csv, tags.csv) instead of the default catalogue (the issue's protocol, and the catalogue the product ships), e.g. ../shared/data/movielens/ml-latest-small (ratings up to 2018). Default / 'none': the default catalogue.")]


def _movielens_dir(value: str | None) -> Path | None:
    if value is None or value.strip().lower() in ("none", "default"):
        return None
    folder = Path(value)
    if not (folder / "movies.csv").exists() or not (folder / "ratings.csv").exists():
        raise typer.BadParameter(f"{folder} has no movies.csv and ratings.csv", param_hint="--movielens")
    return folder


def _system_names(systems: str) -> list[str]:
    from evaluation.systems import SYSTEMS

    names = [n.strip() for n in systems.split(",") if n.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown or not names:
        raise typer.BadParameter(f"unknown system(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SYSTEMS)}",
                                 param_hint="--systems")
    return names


def _check_prior(prior: str) -> None:
    from evaluation.catalogue import PRIORS

    if prior not in PRIORS:
        raise typer.BadParameter(f"--prior must be one of {', '.join(PRIORS)}")


def _knowledge(value: str | None, sources: str | None = None):
    """The knowledge sources to merge (:mod:`evaluation.knowledge`): --movie-info's file, then the
    --knowledge sources; a file of these that is missing or malformed is skipped with a note."""
    from evaluation import paths
    from evaluation.catalogue import read_movie_info
    from evaluation.knowledge import EXTRA_SOURCES, load_knowledge

    extra = _knowledge_sources(sources, EXTRA_SOURCES)
    info = None
    if value is None or value.strip().lower() != "none":
        path = Path(value) if value else paths.default_file(*paths.REDIAL_MOVIE_INFO)
        info = read_movie_info(path) if value is not None or path.exists() else None
    knowledge = load_knowledge(info, extra)
    for note in knowledge.notes:
        typer.echo(f"note: {note}", err=True)
    return knowledge if knowledge else None


def _knowledge_sources(value: str | None, known: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return known
    names = tuple(n.strip().lower() for n in value.split(",") if n.strip())
    if names == ("none",):
        return ()
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise typer.BadParameter(f"unknown source(s) {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(known)} or none", param_hint="--knowledge")
    return names


def _prepare(bench, data_dir, prior: str, progress, ml_dir: Path | None, movie_info: str | None = None,
             knowledge: str | None = None):
    """The benchmark catalogue and systems; a malformed MovieLens folder or movie_info file is a
    clear error, not a traceback."""
    from evaluation.dialogues import DatasetError
    from evaluation.runner import prepare
    from retrieval.reading import IngestError

    try:
        return prepare(bench, _settings(data_dir), prior, progress, ml_dir, _knowledge(movie_info, knowledge))
    except (IngestError, DatasetError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e


def _run_eval(bench_loader, protocol: str, limit, seed: int, systems: str, json_out, plot_out, prior: str,
              data_dir, movielens: str | None = None, movie_info: str | None = None,
              knowledge: str | None = None) -> None:
    from rich.console import Console

    from evaluation.dialogues import DatasetError
    from evaluation.protocol import PROTOCOLS, instance_count, points, sample_dialogues
    from evaluation.report import plot, table
    from evaluation.runner import run_benchmark
    from ui.progress import rich_progress

    if protocol not in (*PROTOCOLS, "both"):
        raise typer.BadParameter("--protocol must be full, dedup or both")
    _check_prior(prior)
    ml_dir = _movielens_dir(movielens)
    console = Console()
    try:
        bench = bench_loader()
        bench.dialogues = sample_dialogues(bench.dialogues, limit, seed)
    except (DatasetError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    pts = points(bench.dialogues)
    protocols = list(PROTOCOLS) if protocol == "both" else [protocol]
    counts = ", ".join(f"{p}: {instance_count(pts, p):,} instances" for p in PROTOCOLS)
    console.print(f"{bench.dataset}: {len(bench.dialogues):,} dialogues, {len(pts):,} recommendation points ({counts})")
    names = _system_names(systems)
    with rich_progress() as progress:
        setup = _prepare(bench, data_dir, prior, progress, ml_dir, movie_info, knowledge)
        console.print(f"catalogue: {setup.size:,} movies; {setup.links.describe()}; ready in {setup.seconds:.1f}s")
        console.print("fields: " + ", ".join(f"{k} {v:.1%}" for k, v in setup.coverage.items()))
        if setup.filled:
            console.print("filled by source: " + ", ".join(f"{k} {v:,} films" for k, v in setup.filled.items()))
        console.print(getattr(setup.ranker.agent, "ranking_mode", ""))
        run = run_benchmark(bench, setup, names, progress)
    reports = [run.report(p) for p in protocols]
    for rep in reports:
        console.print(table(rep))
    console.print(f"total {setup.seconds + sum(r.seconds for r in run.runs):.1f}s "
                  f"(catalogue {setup.seconds:.1f}s + systems {sum(r.seconds for r in run.runs):.1f}s)")
    if json_out:
        for rep in reports:
            out = json_out if len(reports) == 1 else json_out.with_suffix(f".{rep.protocol}{json_out.suffix or '.json'}")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(rep.to_json(), indent=2) + "\n")
            console.print(f"wrote {out}")
    if plot_out:
        console.print(f"wrote {plot(reports, plot_out)}")


@eval_app.command("redial")
def eval_redial(
    dialogues: Annotated[Optional[Path], typer.Option("--dialogues", help="ReDial JSONL (default ../shared/data/redial/dev_data.jsonl).")] = None,
    movies: Annotated[Optional[Path], typer.Option("--movies", help="movies_with_mentions.csv (default beside the dialogues' default).")] = None,
    protocol: Protocols = "both", limit: Limit = None, seed: Seed = 0,
    systems: Systems = "agent,popularity,naive_rag,item_cf", json_out: JsonOut = None, plot_out: PlotOut = None,
    prior: PriorOpt = "recent", data_dir: DataDir = None, movielens: MovieLensOpt = None,
    movie_info: MovieInfoOpt = None, knowledge: KnowledgeOpt = None,
) -> None:
    """ReDial: rank the 6,924-movie catalogue at every recommendation point; Recall@1/10/50, NDCG@10, MRR@10."""
    from evaluation import paths
    from evaluation.runner import load_redial

    _run_eval(lambda: load_redial(dialogues or paths.default_file(*paths.REDIAL_DIALOGUES),
                                  movies or paths.default_file(*paths.REDIAL_MOVIES)),
              protocol, limit, seed, systems, json_out, plot_out, prior, data_dir, movielens, movie_info,
              knowledge)


@eval_app.command("inspired")
def eval_inspired(
    dialogues: Annotated[Optional[Path], typer.Option("--dialogues", help="INSPIRED TSV (default ../shared/data/inspired/dev.tsv).")] = None,
    movies: Annotated[Optional[Path], typer.Option("--movies", help="Also rank ReDial's movie list (movies_with_mentions.csv) beside INSPIRED's own movies.")] = None,
    protocol: Protocols = "both", limit: Limit = None, seed: Seed = 0,
    systems: Systems = "agent,popularity,naive_rag,item_cf", json_out: JsonOut = None, plot_out: PlotOut = None,
    prior: PriorOpt = "recent", data_dir: DataDir = None, movielens: MovieLensOpt = None,
    movie_info: MovieInfoOpt = None, knowledge: KnowledgeOpt = None,
) -> None:
    """INSPIRED: the same protocol and metrics over the movies the dataset mentions."""
    from evaluation import paths
    from evaluation.runner import load_inspired

    _run_eval(lambda: load_inspired(dialogues or paths.default_file(*paths.INSPIRED_DIALOGUES), movies),
              protocol, limit, seed, systems, json_out, plot_out, prior, data_dir, movielens, movie_info,
              knowledge)


def simulate(
    dialogues: Annotated[Optional[Path], typer.Option("--dialogues", help="ReDial JSONL whose gold movies are the targets (default ../shared/data/redial/dev_data.jsonl).")] = None,
    movies: Annotated[Optional[Path], typer.Option("--movies", help="movies_with_mentions.csv (default beside the dialogues' default).")] = None,
    targets: Annotated[int, typer.Option("--targets", help="How many simulated users (hidden target movies).")] = 200,
    max_turns: Annotated[int, typer.Option("--max-turns", help="Turns before the user gives up.")] = 5,
    top_k: Annotated[int, typer.Option("--top-k", help="The user accepts when the target is among the first K shown.")] = 10,
    seed: Seed = 0, systems: Systems = "agent,popularity,naive_rag,item_cf", json_out: JsonOut = None,
    prior: PriorOpt = "recent", data_dir: DataDir = None, movielens: MovieLensOpt = None,
) -> None:
    """Agenda-based simulated users (no LLM) with hidden targets; success@turns for each system."""
    from rich.console import Console

    from evaluation import paths
    from evaluation.dialogues import DatasetError
    from evaluation.protocol import points
    from evaluation.runner import load_redial, simulate_systems
    from evaluation.simulator import sample_targets
    from ui.progress import rich_progress

    if targets < 1 or max_turns < 1 or top_k < 1:
        raise typer.BadParameter("--targets, --max-turns and --top-k must be at least 1")
    _check_prior(prior)
    ml_dir = _movielens_dir(movielens)
    console = Console()
    try:
        bench = load_redial(dialogues or paths.default_file(*paths.REDIAL_DIALOGUES),
                            movies or paths.default_file(*paths.REDIAL_MOVIES))
    except DatasetError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    names = _system_names(systems)
    golds = [g for p in points(bench.dialogues) for g in p.golds_for("dedup")]
    with rich_progress() as progress:
        setup = _prepare(bench, data_dir, prior, progress, ml_dir)
        users = sample_targets(setup.items, golds, setup.co_ratings, targets, seed)
        console.print(f"{len(users)} simulated users, targets drawn from {len(set(golds)):,} ReDial gold movies; "
                      f"success = target among the first {top_k} within {max_turns} turns")
        results = simulate_systems(setup, names, users, max_turns, top_k, progress)
    console.print(_simulation_table(results, len(users), top_k, max_turns))
    if json_out:
        payload = {"dataset": "redial", "targets": len(users), "max_turns": max_turns, "top_k": top_k,
                   "systems": {r.system: r.summary() for r in results}}
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(payload, indent=2) + "\n")
        console.print(f"wrote {json_out}")


def _simulation_table(results: list, users: int, top_k: int, max_turns: int):
    from rich.table import Table

    t = Table(title=f"simulated users · {users} targets · top-{top_k} · up to {max_turns} turns")
    t.add_column("system")
    keys = list(results[0].summary()) if results else []
    for key in keys:
        t.add_column(key.replace("success@", "S@").replace("mean_turns_to_success", "mean turns").replace("seconds", "sec"),
                     justify="right")
    for r in results:
        t.add_row(r.system, *[("-" if v is None else f"{v}") for v in r.summary().values()])
    return t
