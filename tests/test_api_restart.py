"""`scenerec serve` in a subprocess: a conversation continues across a server restart."""

from __future__ import annotations

from tests.live_server import cli_keys_create, cli_server, client, copy_data_dir


def test_session_survives_a_restart(data_dir, tmp_path, engine_env):
    data = copy_data_dir(data_dir, tmp_path / "data")
    key = cli_keys_create(data, tmp_path, "--secret", "--label", "restart test", env=engine_env)
    assert key.startswith("sr_sk_")

    with cli_server(data, tmp_path, **engine_env) as base, client(base, key) as c:
        sid = c.post("/v1/sessions", json={"user_id": "frank"}).json()["session_id"]
        first = c.post("/v1/chat", json={"session_id": sid, "message": "a thrilling sci-fi movie from the 90s"}).json()
        shown = {it["id"] for it in first["items"]}
        assert first["action"] == "recommend" and shown

    with cli_server(data, tmp_path, **engine_env) as base:  # a new process on another port, same data dir
        with client(base, "sr_sk_wrong_key") as stranger:
            assert stranger.post("/v1/chat", json={"session_id": sid, "message": "hi"}).status_code == 401
        with client(base, key) as c:
            second = c.post("/v1/chat", json={"session_id": sid, "message": "something shorter"}).json()
            assert second["session_id"] == sid and second["state"]["turns"] == 2
            assert second["state"]["constraints"]["year_min"] == 1990  # remembered from before the restart
            assert "Sci-Fi" in second["state"]["liked_genres"]
            assert not shown & {it["id"] for it in second["items"]}  # nothing shown before comes back
            assert c.get("/v1/users/frank/profile").json()["sessions"] == 1
    assert "Traceback" not in "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
    assert not (tmp_path / "netguard.log").exists(), "the server tried to reach the network"
