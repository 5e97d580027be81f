"""A real, throwaway PostgreSQL for tests: Debian's server binaries (``apt-get install postgresql``),
a fresh data directory under the test's temp dir, a loopback port, stopped at the end.

PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the ``postgres`` system user.
Tests that need it skip, saying why, when the binaries are not installed."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import free_port


def server_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, or None."""
    for found in [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)]:
        if found and Path(found).with_name("initdb").exists():
            return Path(found).resolve().parent
    return None


def _as_server_user(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        # runuser lives in /usr/sbin or /sbin, which a minimal PATH may not list
        runuser = shutil.which("runuser") or next((p for p in ("/usr/sbin/runuser", "/sbin/runuser")
                                                   if Path(p).exists()), "runuser")
        args = [runuser, "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, check=False, **kw)


class TestPostgres:
    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root, self.port = bindir, root, free_port()
        self.data = root / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> TestPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        if not self.data.exists():
            done = _as_server_user([str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                                    "--auth=trust", "--no-sync", "-E", "UTF8"])
            assert done.returncode == 0, done.stderr
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                "-c fsync=off -c max_connections=200")
        done = _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                                "-o", opts, "-w", "-t", "60", "start"])
        assert done.returncode == 0, done.stderr + (self.root / "server.log").read_text()[-2000:]
        return self

    def stop(self, mode: str = "fast") -> None:
        _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 9)

    def crash(self) -> None:
        """SIGKILL the postmaster and every backend at once, as a machine's crash or the OOM killer
        would (the next :meth:`start` recovers from the WAL)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat")
                    if _parent_of(p) == pid]
        for victim in [pid, *children]:
            try:
                os.kill(victim, 9)
            except ProcessLookupError:
                pass

    def fresh_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"


def _parent_of(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def running_postgres():
    """A started throwaway server (skips the calling test when PostgreSQL is not installed)."""
    import pytest

    bindir = server_binaries()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (Debian: apt-get install -y postgresql)")
    root = Path(tempfile.mkdtemp(prefix="scenerec-pg-"))
    server = TestPostgres(bindir, root).start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
