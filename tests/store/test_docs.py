"""docs/store.md documents every field of the normalised post, as the code defines it."""

from pathlib import Path

from tagscope.post import FIELDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "store.md"


def test_every_field_documented() -> None:
    text = DOC.read_text()
    for name, typ, desc in FIELDS:
        assert f"| `{name}` | {typ} | {desc} |" in text, name
