"""What an engine must do for the analytics: provide relations, run one statement, say what ran."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ..analytics import relations
from ..analytics.plan import Plan


def _with_dependencies(needs: tuple[str, ...]) -> list[str]:
    """NEEDS plus the relations they are computed from, dependencies first."""
    out: list[str] = []
    for name in needs:
        for dep in (*relations.DEPENDS.get(name, ()), name):
            if dep not in out:
                out.append(dep)
    return out


class Engine:
    """Base class: subclasses implement :meth:`run`, :meth:`has_rollups` and :meth:`scan_sql`."""

    name = "base"

    def has_rollups(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def run(self, plan: Plan, *, rollup: bool = True) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
        """Rows of PLAN and the statements run (exactly as run, with parameters)."""
        raise NotImplementedError  # pragma: no cover - interface

    def scan_sql(self, plan: Plan) -> tuple[str, list[Any]]:
        """PLAN as one statement over ``posts``: its relations as a WITH clause, filters first."""
        ctes, params = [], []
        where, wparams = plan.filters.post_where(plan.tags)
        for name in _with_dependencies(plan.needs):
            if name in relations.COMBINED or name == "authors":
                sql, p = relations.define(name, "posts")
                ctes.append(f"{name} AS (\n{sql}\n)")
                params += p
                continue
            sql, p = relations.define(name, "posts", where, plan.tags or None, k=plan.k)
            ctes.append(f"{name} AS (\n{sql}\n)")
            params += wparams + p
        head = ("WITH " + ",\n".join(ctes) + "\n") if ctes else ""
        return head + plan.sql.strip(), params + list(plan.params)
