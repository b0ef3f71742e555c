"""`python -m tagscope` runs the CLI."""

from tagscope.cli import app

app()
