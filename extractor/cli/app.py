"""The `flarekb` Typer application, its shared options, and the one place expected errors become exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

# Typer >= 0.29 vendors click; its usage errors are these classes, not the click package's.
from typer._click.exceptions import ClickException

from extractor import collector
from extractor.cli.safe_text import one_line
from extractor.errors import FlarekbError

app = typer.Typer(
    name="flarekb",
    help="Extract pseudoprogression / tumour-flare signatures from case reports into a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def default_kb() -> Path:
    return Path(os.environ.get("FLAREKB_KB", "kb"))


def default_corpora() -> Path:
    return Path(os.environ.get("FLAREKB_CORPORA", "corpora"))


KbOption = typer.Option(None, "--kb", help="Knowledge base directory (default: $FLAREKB_KB, else kb/).")
CorporaOption = typer.Option(
    None, "--corpora", help="Raw documents directory (default: $FLAREKB_CORPORA, else corpora/)."
)

FollowLinksOption = typer.Option(
    False, "--follow-links", help="Read files in corpora/ that are symbolic links (skipped by default)."
)


def say_skipped_links(links: list[Path]) -> None:
    """One note on stderr for the symbolic links in corpora/ that were not read."""
    if links:
        shown = ", ".join(one_line(str(link)) for link in links[:5]) + (f" and {len(links) - 5} more" if len(links) > 5 else "")
        typer.echo(f"flarekb: skipped {len(links)} symbolic link(s) in corpora/ (--follow-links reads them): {shown}",
                   err=True)


def fail(message: str, exit_code: int = 2) -> None:
    """Print one error line and stop: for checks the command itself makes."""
    typer.echo(f"flarekb: error: {one_line(message)}", err=True)
    raise typer.Exit(exit_code)


def run() -> None:
    """Console-script entry point: every expected failure is one line on stderr and an exit code
    (usage errors 2, as with click; our own errors by their type; Ctrl-C 130), never a traceback."""
    collector.own_process()  # the command owns its process: bulk work may pause the cyclic collector
    try:
        result = app(standalone_mode=False)
    except FlarekbError as error:
        typer.echo(f"flarekb: error: {one_line(str(error))}", err=True)  # may quote a file's or a server's text
        sys.exit(error.exit_code)
    except ClickException as error:
        typer.echo(f"flarekb: error: {error.format_message()} (see --help)", err=True)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("flarekb: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `flarekb ... | head` closing the pipe is not an error worth a traceback.
        sys.stderr.close()
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)
