"""Only the store and the engines touch DuckDB: everything else asks them (``engines.engine_for``,
``Store.sql``), so another engine can run every analytic unchanged.

The check reads the source (no import): an ``import duckdb``, a ``duckdb.connect`` or any use of an
attribute named ``con`` outside ``store/`` and ``engines/`` is an offence.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tagscope

PACKAGE = Path(tagscope.__file__).parent
ALLOWED = ("store/", "engines/")

# Offenders other parts of issue #18 are moving onto the engine or the store; each leaves this list
# when its module is fixed (the test fails on a listed module that no longer offends, so the list
# cannot go stale).
NOT_YET: set[str] = set()


def offences(path: Path) -> list[str]:
    """What in PATH touches DuckDB directly, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "duckdb" for a in node.names):
            found.append(f"{node.lineno}: import duckdb")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "duckdb" and not node.level:
            found.append(f"{node.lineno}: from duckdb import")
        elif isinstance(node, ast.Attribute) and node.attr == "con":
            found.append(f"{node.lineno}: .con")
        elif (isinstance(node, ast.Attribute) and node.attr == "connect" and isinstance(node.value, ast.Name)
              and node.value.id == "duckdb"):
            found.append(f"{node.lineno}: duckdb.connect")
    return sorted(found, key=lambda f: int(f.split(":")[0]))


def _modules() -> dict[str, list[str]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith(ALLOWED):
            out[rel] = offences(path)
    return out


def test_nothing_outside_store_and_engines_touches_duckdb() -> None:
    bad = {rel: found for rel, found in _modules().items() if found and rel not in NOT_YET}
    assert not bad, f"use engines.engine_for(store) or Store.sql instead of DuckDB directly: {bad}"


def test_the_list_of_modules_still_to_move_is_current() -> None:
    mods = _modules()
    fixed = sorted(rel for rel in NOT_YET if not mods.get(rel))
    assert not fixed, f"these no longer touch DuckDB: take them off NOT_YET: {fixed}"


def test_the_check_sees_each_kind_of_offence(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("import duckdb\nfrom duckdb import connect\nx = store.con.execute('')\ny = duckdb.connect()\n")
    assert offences(src) == ["1: import duckdb", "2: from duckdb import", "3: .con", "4: duckdb.connect"]
