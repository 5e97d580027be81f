"""Shared fixtures. Every test runs with the network disabled except loopback.

``SCENEREC_TEST_DATABASE=postgresql`` runs the same tests with sessions, profiles, keys, owners and
limits in a real PostgreSQL (a throwaway server, fresh migrated databases): ``.ci/run`` runs the API
and store tests a second time that way. The default, ``sqlite``, is the embedded engine.

The default catalogue (~9k movies) is ingested once per test session, by a real
``scenerec ask --json`` subprocess on a fresh data directory with networking blocked: that run
is itself the proof that first use works offline and needs no prior ingest.
"""

from __future__ import annotations

import gc
import json
import os
import socket

import pytest

from tests.helpers import run_cli


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse non-loopback connections in this process."""
    real = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not (
            str(host).startswith("127.") or host in ("::1", "localhost")
        ):
            raise OSError(f"network disabled in tests: {address}")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def settled_heap():
    """For tests that time a turn to a fraction of a second: what earlier tests left in this process
    (a million objects by mid-suite) is taken out of the collector's full passes, as a serving
    process does with what it loaded (:func:`agent.wiring.settle_heap`). Otherwise one full pass
    (0.5 s at that size, every thread stopped) lands inside whichever timed turn allocates then."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def first_use(tmp_path_factory):
    """A fresh data dir, populated by the first offline ``scenerec ask --json`` call."""
    tmp = tmp_path_factory.mktemp("first_use")
    data = tmp / "data"
    proc = run_cli(["ask", "--json", "--data-dir", str(data),
                    "something light and funny to watch with my two kids tonight, nothing scary"], tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"data_dir": data, "tmp": tmp, "result": json.loads(proc.stdout), "stderr": proc.stderr}


@pytest.fixture(scope="session")
def data_dir(request, tmp_path_factory):
    """A data dir holding the default catalogue. Developers may set SCENEREC_TEST_PREBUILT to a
    built data dir to save the ingest (it is copied, never modified); CI always ingests for real."""
    prebuilt = os.environ.get("SCENEREC_TEST_PREBUILT")
    if prebuilt and not os.environ.get("CI"):
        import shutil

        target = tmp_path_factory.mktemp("prebuilt") / "data"
        shutil.copytree(prebuilt, target)
        return target
    return request.getfixturevalue("first_use")["data_dir"]


def engine_under_test() -> str:
    engine = os.environ.get("SCENEREC_TEST_DATABASE", "sqlite")
    if engine not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"SCENEREC_TEST_DATABASE must be sqlite or postgresql, not {engine!r}")
    return engine


def fresh_database_url(request) -> str | None:
    """On the PostgreSQL run, a new migrated database's URL; None on SQLite (the data dir's files)."""
    if engine_under_test() == "sqlite":
        return None
    import uuid

    from store.migrate import upgrade
    from store.postgres import PostgresDatabase

    url = request.getfixturevalue("postgres").fresh_database(f"t_{uuid.uuid4().hex[:12]}")
    db = PostgresDatabase(url, max_size=1)
    try:
        upgrade(db)
    finally:
        db.close()
    return url


@pytest.fixture(scope="session")
def settings(request, data_dir):
    from agent.settings import load_settings

    return load_settings(data_dir=data_dir, database_url=fresh_database_url(request))


@pytest.fixture
def engine_env(request) -> dict[str, str]:
    """Environment for a ``scenerec`` subprocess: on the PostgreSQL run, a fresh database of its own."""
    url = fresh_database_url(request)
    return {"SCENEREC_DATABASE_URL": url} if url else {}


def with_own_api_database(request, settings):
    """``settings`` for an app of a test's (or module's) own: on the PostgreSQL run, with an API
    database (keys, owners, rate limits) of its own, since limits counted in one shared database
    are one budget for every app on it (that is the point) and would carry over between tests.
    The agent's sessions and profiles stay where ``settings`` put them."""
    url = fresh_database_url(request)
    return settings.model_copy(update={"database_url": url}) if url else settings


@pytest.fixture
def app_settings(request, settings):
    return with_own_api_database(request, settings)


@pytest.fixture
def own_settings(request, data_dir, tmp_path):
    """Settings over a private copy of the session's data dir, with its own (empty) state and API
    databases: for tests that build a second agent and must not see or change the shared one's
    sessions. Copied by another process (see :func:`tests.live_server.copy_data_dir`)."""
    from agent.settings import load_settings
    from tests.live_server import copy_data_dir

    copy = copy_data_dir(data_dir, tmp_path / "own-data", without=("state.sqlite3*", "api.sqlite3*", "eval-cache"))
    return load_settings(data_dir=copy, database_url=fresh_database_url(request))


@pytest.fixture(scope="session")
def agent(settings):
    from agent.wiring import build_agent

    return build_agent(settings)


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embeddings import Embedder

    return Embedder()


TINY_ITEMS = [
    dict(id="1", title="Toy Story", year=1995, genres=["Animation", "Children", "Comedy"], runtime=81, mpaa="G", popularity=250, rating=8.3, votes=900000),
    dict(id="2", title="Terminator 2: Judgment Day", year=1991, genres=["Action", "Sci-Fi"], runtime=137, mpaa="R", popularity=220),
    dict(id="3", title="Up", year=2009, genres=["Adventure", "Animation", "Children", "Drama"], runtime=96, mpaa="PG", popularity=100),
    dict(id="4", title="Kids", year=1995, genres=["Drama"], runtime=91, mpaa=None, popularity=20),
    dict(id="5", title="Halloween", year=1978, genres=["Horror"], runtime=91, mpaa="R", popularity=80),
    dict(id="6", title="Halloween", year=2007, genres=["Horror"], runtime=109, mpaa="R", popularity=30),
    dict(id="7", title="Godfather, The", year=1972, genres=["Crime", "Drama"], runtime=175, mpaa="R", popularity=200),
    dict(id="8", title="Star Wars: Episode IV - A New Hope", year=1977, genres=["Action", "Adventure", "Sci-Fi"], runtime=121, mpaa="PG", popularity=290),
    dict(id="9", title="Shrek", year=2001, genres=["Animation", "Children", "Comedy", "Fantasy"], runtime=90, mpaa="PG", popularity=170),
    dict(id="10", title="Date Night", year=2010, genres=["Action", "Comedy", "Romance"], runtime=88, mpaa="PG-13", popularity=15),
    dict(id="11", title="Scream", year=1996, genres=["Horror", "Mystery"], runtime=111, mpaa="R", popularity=90),
    dict(id="12", title="Notting Hill", year=1999, genres=["Comedy", "Romance"], runtime=124, mpaa="PG-13", popularity=70),
]


@pytest.fixture(scope="session")
def tiny_items():
    from retrieval.items import Item

    return [Item(**d) for d in TINY_ITEMS]


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (skipped cleanly where it is not installed)."""
    from tests.postgres import running_postgres

    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A fresh store database on each engine: a SQLite file, or a new migrated PostgreSQL database."""
    import uuid

    if request.param == "sqlite":
        from store.sqlite import SQLiteDatabase

        db = SQLiteDatabase(tmp_path / "state.sqlite3")
    else:
        from store.migrate import upgrade
        from store.postgres import PostgresDatabase

        server = request.getfixturevalue("postgres")
        db = PostgresDatabase(server.fresh_database(f"t_{uuid.uuid4().hex[:12]}"))
        upgrade(db)
    yield db
    db.close()
