"""Two ``scenerec serve`` replicas on loopback sharing one real PostgreSQL and one ``chroma run``
server (each with its own copy of the catalogue's SQLite file, no embedded vector store): one conversation alternates between them and keeps its state, a like on one
changes the next list on the other, a delete on one leaves nothing on either, a limit spent on one
is spent on both, and killing one replica mid-conversation loses nothing acknowledged."""

from __future__ import annotations

import os
import signal
from contextlib import ExitStack

import psycopg

from tests.helpers import run_cli
from tests.live_server import cli_server, client, copy_data_dir
from tests.test_chroma_server import start_chroma

LIMIT = 8  # turns and feedback per key per minute, across both replicas


def replica_dirs(data_dir, tmp_path, stack: ExitStack) -> tuple[list, str]:
    """Two replicas' data dirs (no vectors of their own) and the URL of the Chroma server they share."""
    chroma = start_chroma(copy_data_dir(data_dir / "chroma", tmp_path / "chroma-server"), tmp_path)
    stack.callback(chroma.kill)
    dirs = [copy_data_dir(data_dir, tmp_path / f"data{n}", without=("chroma", "state.sqlite3*", "api.sqlite3*"))
            for n in (1, 2)]
    return dirs, chroma.url


def chroma_mentions(chroma_url: str, needle: str) -> int:
    """Records in any collection of the Chroma server whose id, document or metadata mention ``needle``."""
    from retrieval.vector_store import make_client

    found = 0
    for coll in make_client(url=chroma_url).list_collections():
        got = coll.get(include=["documents", "metadatas"])
        for rid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
            found += needle in f"{rid} {doc} {meta}"
    return found


def test_two_replicas_share_one_postgresql_and_one_chroma(data_dir, tmp_path, postgres):
    url = postgres.fresh_database("replicas")
    env = {"SCENEREC_DATABASE_URL": url}
    upgraded = run_cli(["db", "upgrade"], tmp_path, **env)
    assert upgraded.returncode == 0 and "applied" in upgraded.stdout, upgraded.stderr
    stack = ExitStack()
    data, chroma_url = replica_dirs(data_dir, tmp_path, stack)
    env["SCENEREC_CHROMA_URL"] = chroma_url
    made = run_cli(["keys", "create", "--secret", "--data-dir", str(data[0])], tmp_path, **env)
    key = made.stdout.strip()
    assert made.returncode == 0 and key.startswith("sr_sk_"), made.stderr
    serve_env = env | {"SCENEREC_API_TURN_PROCESSES": "0", "SCENEREC_API_TURNS_PER_MINUTE_PER_KEY": str(LIMIT)}
    with stack:
        bases = [stack.enter_context(cli_server(d, tmp_path, **serve_env)) for d in data]
        assert all(not (d / "chroma").exists() for d in data)
        a, b = (stack.enter_context(client(base, key)) for base in bases)  # the key lives in PostgreSQL

        # one conversation, turn by turn on alternate replicas
        sid = a.post("/v1/sessions", json={"user_id": "bob"}).json()["session_id"]
        first = a.post("/v1/chat", json={"session_id": sid, "message": "a funny animated movie for the kids"}).json()
        second = b.post("/v1/chat", json={"session_id": sid, "message": "something shorter"}).json()
        assert second["state"]["turns"] == 2 and second["state"]["scene"]["companions"] == "kids"
        assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}

        # a like on B: the next list, on A, follows it
        liked = second["items"][0]["id"]
        assert b.post("/v1/feedback", json={"session_id": sid, "item_id": liked, "kind": "like"}).status_code == 200
        third = a.post("/v1/chat", json={"session_id": sid, "message": "more like that one"}).json()
        assert liked in third["state"]["liked_items"] and third["state"]["turns"] == 3
        assert a.get("/v1/users/bob/profile").json()["liked"][0]["id"] == liked
        with psycopg.connect(url) as conn:  # the profile's cached vectors: one copy, in the shared database
            cached = conn.execute("SELECT COUNT(*) FROM profile_vectors WHERE user_id LIKE %s", ("%/bob",)).fetchone()[0]
            bob = conn.execute("SELECT DISTINCT user_id FROM sessions WHERE user_id LIKE %s", ("%/bob",)).fetchone()[0]

        # a delete on A leaves nothing on either
        assert a.delete("/v1/users/bob").status_code == 200
        assert b.get("/v1/users/bob/profile").status_code == 404
        assert b.post("/v1/chat", json={"session_id": sid, "message": "more"}).status_code == 404
        with psycopg.connect(url) as conn:
            for table in ("sessions", "profile_events", "profile_vectors", "session_owners"):
                n = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id LIKE %s", ("%/bob",)).fetchone()[0]
                assert n == 0, table
        assert chroma_mentions(chroma_url, bob) == 0  # the shared Chroma holds the catalogue, nothing of bob's
        print(f"\nbob's cached profile vectors in PostgreSQL before the delete: {cached}")

        # the key's per-minute budget is one budget: 5 requests so far (3 turns, a like, the refused turn)
        spent = [(a if n % 2 else b).post("/v1/chat", json={"message": "something funny"}).status_code
                 for n in range(LIMIT - 5)]
        assert spent == [200] * (LIMIT - 5)
        assert a.post("/v1/chat", json={"message": "something funny"}).status_code == 429
        assert b.post("/v1/chat", json={"message": "something funny"}).status_code == 429


def test_a_replica_killed_mid_conversation_loses_nothing_acknowledged(data_dir, tmp_path, postgres):
    url = postgres.fresh_database("replica_kill")
    env = {"SCENEREC_DATABASE_URL": url}
    assert run_cli(["db", "upgrade"], tmp_path, **env).returncode == 0
    stack = ExitStack()
    data, env["SCENEREC_CHROMA_URL"] = replica_dirs(data_dir, tmp_path, stack)
    key = run_cli(["keys", "create", "--secret", "--data-dir", str(data[0])], tmp_path, **env).stdout.strip()
    serve_env = env | {"SCENEREC_API_TURN_PROCESSES": "0"}
    with stack:
        bases = [stack.enter_context(cli_server(d, tmp_path, **serve_env)) for d in data]
        a, b = (stack.enter_context(client(base, key)) for base in bases)
        sid = a.post("/v1/sessions", json={"user_id": "kim"}).json()["session_id"]
        first = a.post("/v1/chat", json={"session_id": sid, "message": "a scary movie for tonight"}).json()
        disliked = first["items"][0]["id"]
        assert a.post("/v1/feedback", json={"session_id": sid, "item_id": disliked, "kind": "dislike"}).status_code == 200
        port = int(bases[0].rsplit(":", 1)[1])
        for pid in _serve_pids(port):
            os.kill(pid, signal.SIGKILL)
        after = b.post("/v1/chat", json={"session_id": sid, "message": "something older"}).json()
        assert after["state"]["turns"] == 2 and disliked in after["state"]["disliked_items"]
        assert disliked not in {i["id"] for i in after["items"]}


def _serve_pids(port: int) -> list[int]:
    from pathlib import Path

    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and str(port).encode() in args:
            pids.append(int(cmdline.parent.name))
    return pids
