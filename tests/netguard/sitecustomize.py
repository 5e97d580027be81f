"""Loaded into test subprocesses (via PYTHONPATH): refuse and record any non-loopback connection."""

import os
import socket

_LOG = os.environ.get("SCENEREC_NETGUARD_LOG")
_real_connect = socket.socket.connect


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost") or host.startswith("/"))


def _guarded(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        if _LOG:
            with open(_LOG, "a") as f:
                f.write(f"{address}\n")
        raise OSError(f"network disabled in tests: {address}")
    return _real_connect(self, address)


socket.socket.connect = _guarded
