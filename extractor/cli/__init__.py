"""Command-line interface. Each module registers its commands on the shared app."""

from extractor.cli import build, evaluate, export, extract, plot, query, refresh, remove, report, scan, show  # noqa: F401  (registers commands)
from extractor.cli.app import app, run

__all__ = ["app", "run"]
