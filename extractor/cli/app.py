"""The `flarekb` Typer application, its shared options, and the one place expected errors become exit codes."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

# Typer >= 0.29 vendors click; its usage errors are these classes, not the click package's.
from typer._click.exceptions import BadParameter, ClickException
from typer.core import TyperGroup, TyperOption

from extractor import collector
from extractor.cli.safe_text import one_line
from extractor.errors import FlarekbError

# `flarekb --help` lists the commands in the order a user needs them: fill the knowledge base, ask it, look
# closer, keep it tidy, take it elsewhere; then filling it from NCBI's bulk files, and the tools for developing
# the extraction.
COMMAND_ORDER = ("refresh", "build", "ask", "markers", "onset", "drugs", "show", "remove", "restore", "export",
                 "plot", "report", "scan", "extract", "evaluate")


class CommandsInOrder(TyperGroup):
    def list_commands(self, ctx) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(names))


_display_type_rich = TyperOption.display_type_rich


def _no_type_on_flags(option: TyperOption, ctx) -> str | None:
    """A flag takes no value: help shows `--json`, not `--json <bool>`."""
    return None if option.is_flag else _display_type_rich(option, ctx)


TyperOption.display_type_rich = _no_type_on_flags  # the CLI alone imports this module

app = typer.Typer(
    name="flarekb",
    cls=CommandsInOrder,
    help="Extract pseudoprogression / tumour-flare signatures from case reports into a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class NoteLines(logging.Handler):
    """The library's log records (extractor.*) as flarekb's own stderr lines: `flarekb: <message>`, one line,
    control characters replaced (a message may quote a path or a server's text)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            typer.echo(f"flarekb: {one_line(record.getMessage())}", err=True)  # the sys.stderr of now
        except Exception:  # noqa: BLE001 - logging's own convention: a failing handler reports, never raises
            self.handleError(record)


@contextmanager
def library_notes() -> Iterator[None]:
    """While a command runs, the library's notes (a fallback taken, a wait, a crash cleaned up) reach the user
    as stderr lines; afterwards the "extractor" logger is as it was (a test process runs many commands)."""
    logger = logging.getLogger("extractor")
    handler, level = NoteLines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


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


INTERRUPTED = 130  # the shell's exit code for Ctrl-C


def usage_message(error: ClickException) -> str:
    """Click's message, in plain English for a value outside a choice: "--format must be one of graphml, json, csv"."""
    choices = re.search(r"(.*) is not one of (.*)\.$", getattr(error, "message", ""))
    if isinstance(error, BadParameter) and error.param is not None and choices:
        given = choices.group(1).rsplit("error, ", 1)[-1]
        allowed = ", ".join(re.findall(r"'([^']*)'", choices.group(2)))
        return f"{error.param.opts[0]} must be one of {allowed} (not {given})"
    return error.format_message()


def run() -> None:
    """Console-script entry point: every expected failure is one line on stderr and an exit code
    (usage errors 2, as with click; our own errors by their type; Ctrl-C 130), never a traceback."""
    collector.own_process()  # the command owns its process: bulk work may pause the cyclic collector
    with library_notes():
        _run_app()


def _run_app() -> None:
    try:
        result = app(standalone_mode=False)
    except FlarekbError as error:
        typer.echo(f"flarekb: error: {one_line(str(error))}", err=True)  # may quote a file's or a server's text
        sys.exit(error.exit_code)
    except ClickException as error:
        typer.echo(f"flarekb: error: {usage_message(error)} (see --help)", err=True)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        result = INTERRUPTED
    except BrokenPipeError:
        # `flarekb ... | head` closing the pipe is not an error worth a traceback.
        sys.stderr.close()
        sys.exit(0)
    if result == INTERRUPTED:  # Typer catches Ctrl-C itself and returns 130, silently
        # Every write is atomic (temporary file, then rename): an interrupted command leaves kb/ as it was.
        typer.echo("flarekb: interrupted; kb/ unchanged", err=True)
    sys.exit(result if isinstance(result, int) else 0)
