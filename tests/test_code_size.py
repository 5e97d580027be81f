"""Product code stays small: no module over 400 lines, no function over 60 (see tests/code_size.py).

The modules and functions still over are listed with their size today as a ceiling: none may
grow, and nothing new may go over. Remove an entry when its split lands.
"""

from tests.code_size import MAX_FUNCTION_LINES, MAX_MODULE_LINES, offenders, product_modules

STILL_OVER: dict[str, int] = {}  # none left: nothing may go over


def test_the_checker_reads_every_product_module():
    paths = {str(p) for p in product_modules()}
    assert any(p.endswith("agent/core.py") for p in paths) and any(p.endswith("ui/api/app.py") for p in paths)
    assert MAX_MODULE_LINES == 400 and MAX_FUNCTION_LINES == 60


def test_no_module_or_function_is_over_its_limit_beyond_the_known_ones():
    found = offenders()
    new = {k: n for k, n in found.items() if k not in STILL_OVER}
    grown = {k: (STILL_OVER[k], n) for k, n in found.items() if k in STILL_OVER and n > STILL_OVER[k]}
    assert not new, f"over the size limits: {new}"
    assert not grown, f"grew past their recorded size (was, now): {grown}"


def test_the_checker_finds_a_long_function(tmp_path):
    pkg = tmp_path / "agent"
    pkg.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (pkg / "long.py").write_text(f"def long():\n{body}\n", encoding="utf-8")
    (pkg / "short.py").write_text("def short():\n    return 1\n", encoding="utf-8")
    assert offenders(tmp_path) == {"agent/long.py:long": MAX_FUNCTION_LINES + 1}


def test_a_turn_fits_on_one_screen_and_names_its_steps():
    import ast

    from tests.code_size import ROOT

    tree = ast.parse((ROOT / "agent" / "core.py").read_text(encoding="utf-8"))
    agent = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SceneRecAgent")
    methods = {n.name: n for n in agent.body if isinstance(n, ast.FunctionDef)}
    turn = methods["_turn"]
    assert turn.end_lineno - turn.lineno + 1 <= 40
    called = {n.func.attr for n in ast.walk(turn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert {"_understand", "apply", "_act", "_compose", "after_turn"} <= called
