"""DuckDB's dialect (the analytics' SQL) as Spark SQL: SQLGlot's transpile plus the tweaks where
its Spark output means something else than the DuckDB statement.

Each tweak is a rewrite of the parsed statement, so no analytic is ever forked for Spark:

- ``timezone(zone, t)``: DuckDB's one function goes both ways, by the TYPE of ``t`` (a naive wall
  time -> the instant it names in ZONE; an instant -> its wall time in ZONE). Spark has two
  functions, so the type is inferred from the expression (:func:`_is_instant`), and instants are
  carried as their UTC wall time (the Spark session runs in UTC): ``to_utc_timestamp`` /
  ``from_utc_timestamp``, and ``timezone('UTC', t)`` is ``t`` itself.
- ``list_has_any(a, b)``: SQLGlot writes ``a && b``, which Spark reads as a boolean AND;
  ``arrays_overlap(a, b)`` is the same test.
- ``list_intersect``: Spark's ``array_intersect`` (both keep each element once).
- ``arg_max(x, y)`` / ``arg_min``: DuckDB skips rows whose ``x`` is NULL, Spark's ``max_by`` does
  not: ``y`` is made NULL on those rows, which ``max_by`` then skips.
- ``?`` parameters become named ``:p0, :p1, ...`` in their DuckDB order (:func:`named`), since
  the ``timezone`` rewrite moves the zone after the time.
- ``CAST(x AS TIMESTAMP)``: SQLGlot writes ``TIMESTAMP_NTZ``; the session's TIMESTAMP (UTC) keeps
  one timestamp type in every statement.
"""

from __future__ import annotations

from functools import lru_cache

from .base import WRITTEN_IN

DIALECT = "spark"
PARAM = "p"  # the i-th ``?`` of a statement is the Spark parameter ``:p<i>``


def _fn(node, name: str) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Anonymous) and str(node.this).lower() == name


def _is_instant(node) -> bool:
    """Whether NODE (DuckDB) is a TIMESTAMP WITH TIME ZONE: ``timezone(z, wall)``, an instant plus or
    minus an interval, or a CASE whose results are instants; a column or a wall time is not."""
    from sqlglot import exp

    if isinstance(node, exp.Paren):
        return _is_instant(node.this)
    if _fn(node, "timezone"):
        return not _is_instant(node.expressions[1])
    if isinstance(node, (exp.Add, exp.Sub)):
        return _is_instant(node.this) and isinstance(node.expression, exp.Interval)
    if isinstance(node, exp.Case):
        results = [i.args.get("true") for i in node.args.get("ifs", [])] + [node.args.get("default")]
        return any(r is not None and _is_instant(r) for r in results)
    return False


def _rewrite(node):
    from sqlglot import exp

    if _fn(node, "timezone") and len(node.expressions) == 2:
        zone, value = node.expressions
        if node.meta["instant_arg"]:  # instant -> its wall time in ZONE
            if isinstance(zone, exp.Literal) and zone.this.upper() == "UTC":
                return value
            return exp.Anonymous(this="from_utc_timestamp", expressions=[value, zone])
        # wall time in ZONE -> the instant (carried as its UTC wall time)
        if isinstance(zone, exp.Literal) and zone.this.upper() == "UTC":
            return value
        return exp.Anonymous(this="to_utc_timestamp", expressions=[value, zone])
    if _fn(node, "list_intersect"):
        return exp.Anonymous(this="array_intersect", expressions=node.expressions)
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, (exp.ArgMax, exp.ArgMin)) and not node.args.get("count"):
        value, key = node.this, node.expression
        guarded = exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())),
                                       true=key)])
        return node.__class__(this=value, expression=guarded)
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ):
        return exp.DataType.build("TIMESTAMPLTZ")
    return node


def _numbered(sql: str) -> str:
    """SQL with its ``?`` (tokens, not the character in a string) numbered ``$1, $2, ...``."""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.tokens import TokenType

    out, last, n = [], 0, 0
    for tok in DuckDB().tokenize(sql):
        if tok.token_type == TokenType.PLACEHOLDER and sql[tok.start:tok.end + 1] == "?":
            n += 1
            out += [sql[last:tok.start], f"${n}"]
            last = tok.end + 1
    return "".join(out) + sql[last:]


def _bottom_up(node):
    """NODE with _rewrite applied to every node, children first."""
    from sqlglot import exp

    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _bottom_up(value))
        elif isinstance(value, list):
            node.set(key, [_bottom_up(v) if isinstance(v, exp.Expression) else v for v in value])
    return _rewrite(node)


@lru_cache(maxsize=1024)
def to_spark(sql: str) -> str:
    """SQL in DuckDB's dialect as Spark SQL (see the module docstring for what is rewritten)."""
    try:
        import sqlglot
        from sqlglot import exp
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ModuleNotFoundError("The spark engine needs SQLGlot: pip install 'tagscope[spark]'", name=exc.name) from exc
    trees = sqlglot.parse(_numbered(sql), read=WRITTEN_IN)
    out = []
    for tree in trees:
        if tree is None:
            continue
        # Each timezone() call is judged on its argument as DuckDB wrote it, before any rewrite.
        for node in tree.walk():
            if _fn(node, "timezone") and len(node.expressions) == 2:
                node.meta["instant_arg"] = _is_instant(node.expressions[1])
        # Parameters by name (p0, p1, ... in DuckDB's order): a rewrite may move an argument.
        for node in list(tree.find_all(exp.Placeholder)):
            node.replace(exp.Placeholder(this=f"{PARAM}{int(str(node.this)) - 1}"))
        tree = _bottom_up(tree)
        out.append(tree.sql(DIALECT, unsupported_level=sqlglot.ErrorLevel.RAISE))
    return ";\n".join(out)


def named(params: list) -> dict[str, object]:
    """Positional parameters of a DuckDB statement as the named ones of its :func:`to_spark` form."""
    return {f"{PARAM}{i}": value for i, value in enumerate(params)}
