"""Every command has help text and a section in the docs (a heading, or an entry in a list of commands)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from tagscope.cli import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def commands() -> list[tuple[str, object]]:
    """(full name, click command) of every command and subcommand."""
    found = []

    def walk(cmd: object, prefix: str) -> None:
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            full = f"{prefix} {name}".strip()
            found.append((full, sub))
            walk(sub, full)

    walk(get_command(app), "")
    return found


def sections() -> str:
    """The headings of the docs, and the first line of each entry of a list of commands."""
    lines = []
    for path in DOCS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or line.startswith("- `tagscope "):
                lines.append(line)
    return "\n".join(lines)


COMMANDS = commands()


def test_there_are_commands() -> None:
    assert {"ingest", "count", "search", "classify", "report", "serve"} <= {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "cmd"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_has_help_and_a_docs_section(name: str, cmd: object) -> None:
    assert (getattr(cmd, "help", None) or "").strip(), f"`tagscope {name}` has no help text"
    for param in getattr(cmd, "params", []):
        if getattr(param, "param_type_name", "") in ("option", "argument") and param.name != "help":
            assert (getattr(param, "help", None) or "").strip(), f"`tagscope {name}`: {param.name} has no help"
    # A heading naming the command ("### count", "# The dashboard: `tagscope serve`"), or a list entry
    # "- `tagscope forget ...`".
    pattern = rf"(^#+ .*(?<![\w-])`?(tagscope )?{re.escape(name)}`?(?![\w-]))|(^- `tagscope {re.escape(name)}(?![\w-]))"
    assert re.search(pattern, sections(), re.M), f"`tagscope {name}` has no section in README.md or docs/"
