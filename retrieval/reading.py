"""Reading the data files people and sources give us: their text, or a clear error.

``IngestError`` is the error of a file that could not be read or ingested (with 'line N: why'
entries); ``read_text`` refuses unreadable and binary files with a message naming the file.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.errors import SceneRecError


class IngestError(SceneRecError, ValueError):
    """A catalogue file could not be ingested; ``errors`` lists 'line N: why' entries."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


def read_text(path: Path, error: type[Exception] = IngestError, expected: str = "CSV or JSONL") -> str:
    """A data file's text (UTF-8, bad bytes replaced); ``error`` when unreadable or binary."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise error(f"cannot read {path}: {e.strerror}") from e
    if b"\x00" in raw[:4096]:
        raise error(f"{path} looks like a binary file, not {expected}")
    return raw.decode("utf-8", errors="replace")
