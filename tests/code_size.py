"""Size limits of product code, checked with ``ast``: no module over MAX_MODULE_LINES lines and no
function (or method) over MAX_FUNCTION_LINES lines. Run it to list what is over::

    python tests/code_size.py          # prints each offender; exit status 1 when there is one
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("agent", "retrieval", "ui", "evaluation", "store", "prompts")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def product_modules(root: Path = ROOT) -> list[Path]:
    return sorted(p for pkg in PRODUCT for p in (root / pkg).rglob("*.py"))


def offenders(root: Path = ROOT) -> dict[str, int]:
    """``"path"`` (a module over the limit) or ``"path:function"`` -> its length in lines."""
    out: dict[str, int] = {}
    for path in product_modules(root):
        source = path.read_text(encoding="utf-8")
        name = str(path.relative_to(root))
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            out[name] = lines
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out[f"{name}:{node.name}"] = length
    return out


if __name__ == "__main__":
    found = offenders()
    for key, n in sorted(found.items()):
        print(f"{n:5d}  {key}")
    sys.exit(1 if found else 0)
