"""Plain-array packing of learned numbers for ``.npz`` files (no pickles): strings as one UTF-8
buffer, float matrices as int8 with a scale per row.

Example::

    codes, scale = quantised(matrix)        # int8 rows, float32 scale per row
    dequantised(codes, scale)               # ~matrix (within scale / 2 per value)
    split_joined(joined(["a", "b"]))        # ['a', 'b']
"""

from __future__ import annotations

import numpy as np


def joined(strings: list[str]) -> np.ndarray:
    """The strings as one UTF-8 byte array, one per line."""
    if any("\n" in s for s in strings):
        raise ValueError("a name to store holds a line break")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def split_joined(data: np.ndarray) -> list[str]:
    return data.tobytes().decode("utf-8").split("\n") if data.size else []


def quantised(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row as int8 codes and its scale (the row's largest magnitude / 127)."""
    scale = (np.abs(matrix).max(axis=1) / 127.0).astype(np.float32)
    safe = np.where(scale > 0, scale, 1.0)[:, None]
    return np.round(matrix / safe).astype(np.int8), scale


def dequantised(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scale[:, None]
