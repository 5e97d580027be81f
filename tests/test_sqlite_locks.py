"""The root cause of the late "disk I/O error" on new connections to the shared state.sqlite3.

SQLite's locks are POSIX advisory locks, which belong to a process and a file: closing ANY file
descriptor on the file drops every lock the process holds on it. Tests copied the session's data
dir in-process (shutil.copytree) while the session agent had state.sqlite3 open in WAL mode. A
``scenerec`` subprocess over the same dir (test_end_to_end, test_cli_and_ui) then closed its last
connection, got the exclusive lock nobody held any more, checkpointed and unlinked the -wal and
-shm files. The test process's existing connections kept writing to the unlinked WAL (those writes
are lost at close); a new connection opened a fresh, empty WAL under the old shared-memory index,
which points at frames beyond its end: SQLITE_IOERR_SHORT_READ, "disk I/O error".

The fix: a folder whose SQLite files this process has open is copied by another process
(:func:`tests.live_server.copy_data_dir`), never in-process.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.sqlite import connect
from tests.helpers import ROOT
from tests.live_server import copy_data_dir

# another process's whole life with the database: open, write, close (its close checkpoints and,
# when it thinks it is alone, unlinks the -wal and -shm files)
_OTHER = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL'); "
          "c.execute('INSERT INTO t VALUES (?)', ('other',)); c.commit(); c.close()")


def _live_database(folder: Path) -> sqlite3.Connection:
    folder.mkdir()
    conn = connect(folder / "state.sqlite3")
    with conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("before",)] * 200)
    assert (folder / "state.sqlite3-wal").exists() and (folder / "state.sqlite3-shm").exists()
    return conn


def _another_process_opens_writes_and_closes(db: Path) -> None:
    subprocess.run([sys.executable, "-c", _OTHER, str(db)], check=True, timeout=60)


def test_an_in_process_copy_of_a_live_wal_database_breaks_new_connections(tmp_path):
    """The failure, reproduced: what the full suite did to the session's state.sqlite3."""
    folder = tmp_path / "data"
    live = _live_database(folder)
    shutil.copytree(folder, tmp_path / "copy")  # opens and closes the files: this process's locks are gone
    _another_process_opens_writes_and_closes(folder / "state.sqlite3")
    assert not (folder / "state.sqlite3-wal").exists()  # unlinked under the live connection
    with live:
        live.executemany("INSERT INTO t VALUES (?)", [("after",)] * 50)  # into the unlinked WAL
    assert live.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 251  # the existing connection is "fine"
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        connect(folder / "state.sqlite3").execute("SELECT COUNT(*) FROM t").fetchone()
    live.close()
    count = ("import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
             "\"SELECT COUNT(*) FROM t WHERE x = 'after'\").fetchone()[0])")
    kept = subprocess.run([sys.executable, "-c", count, str(folder / "state.sqlite3")], capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()
    assert kept == "0"  # acknowledged writes gone with the unlinked WAL


def test_copying_from_another_process_keeps_the_live_database_sound(tmp_path):
    folder = tmp_path / "data"
    live = _live_database(folder)
    copy = copy_data_dir(folder, tmp_path / "copy")
    _another_process_opens_writes_and_closes(folder / "state.sqlite3")
    with live:
        live.executemany("INSERT INTO t VALUES (?)", [("after",)] * 50)
    fresh = connect(folder / "state.sqlite3")
    assert fresh.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 251
    live.close()
    fresh.close()
    assert sqlite3.connect(copy / "state.sqlite3").execute("SELECT COUNT(*) FROM t").fetchone()[0] == 200


def test_no_test_copies_the_shared_data_dir_in_process():
    """The session's data dir (``data_dir``, ``settings.data_dir``) is open in this process."""
    in_process = re.compile(r"shutil\.copy(tree|file|2)?\(\s*(data_dir|settings\.data_dir|agent\.settings)")
    offenders = [f"{p.name}:{n}" for p in (ROOT / "tests").glob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if in_process.search(line)]
    assert offenders == [], "copy the shared data dir with tests.live_server.copy_data_dir: " + ", ".join(offenders)
