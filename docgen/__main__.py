"""`python -m docgen`."""

from .cli import run

run()
