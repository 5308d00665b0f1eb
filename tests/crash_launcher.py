"""Runs `flarekb` commands in forked child processes and, on request, kills a child with a real signal at
an exact point of its run: the Nth line it executes in store.py or pipeline.py once it first opens
kb/findings.jsonl (the write path, under the kb lock; kills before it are the time-based ones of the
tests). Importing flarekb once and forking keeps dozens of kill points within seconds; tracing starts at
that open (an audit hook sees it) because tracing the extraction too would slow it fiftyfold.

    python tests/crash_launcher.py PLAN.json  ->  one JSON result per job on stdout

A plan is a list of jobs: {"argv": [...], "env": {...}, "signal": "SIGKILL" | "SIGINT" | null,
"at_line": N, "count_to": PATH}. A job with a signal sends it to itself when its Nth traced line is about
to run; "count_to" writes how many lines the (unkilled) run traced, to plan the kill points. The result is
{"exit": code} or {"signal": name}. A job {"snapshot": DIR, "to": COPY} copies a kb/ as the killed process
left it, before the next job recovers it. {"stop_on_open": TEXT, "pid_to": PATH} stops the child (SIGSTOP)
the first time it opens a file whose path holds TEXT, after writing its pid to PATH: the test resumes it
(SIGCONT) once it has run something else in between. Nothing of flarekb is replaced: children run the real
entry point.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys

from extractor import pipeline
from extractor.cli import run
from extractor.graph import store
from extractor.models import Document, Passage
from extractor.nlp import extract_many

TRACED_FILES = {os.path.realpath(module.__file__) for module in (store, pipeline)}


def traced_run(job: dict) -> None:
    """The child: run the command, counting traced lines and signalling itself at the chosen one."""
    os.environ.update(job.get("env", {}))
    sys.argv = ["flarekb", *job["argv"]]
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    seen = 0
    wanted = job.get("at_line")
    signal_number = getattr(signal, job["signal"]) if job.get("signal") else None

    def on_line(frame, event, arg):
        nonlocal seen
        if event == "line":
            seen += 1
            if seen == wanted and signal_number is not None:
                sys.settrace(None)
                os.kill(os.getpid(), signal_number)
        return on_line

    def on_call(frame, event, arg):
        if os.path.realpath(frame.f_code.co_filename) in TRACED_FILES:
            return on_line
        return None

    def on_audit(event, args):
        stop_on = job.get("stop_on_open")
        if stop_on and event == "open" and stop_on in str(args[0]):
            job["stop_on_open"] = None
            with open(job["pid_to"], "w") as handle:
                handle.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGSTOP)
        if event == "open" and str(args[0]).endswith(store.FINDINGS_FILE) and sys.gettrace() is None \
                and seen == 0:
            frame = sys._getframe(1)
            while frame is not None:  # the frames already running get the line tracer too
                if on_call(frame, "call", None):
                    frame.f_trace = on_line
                frame = frame.f_back
            sys.settrace(on_call)

    sys.addaudithook(on_audit)
    code = 0
    try:
        run()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.settrace(None)
        if job.get("count_to"):
            with open(job["count_to"], "w") as handle:
                handle.write(str(seen))
    os._exit(code)


def warm_up() -> None:
    """Load the NLP pipeline once here, so that every forked child starts with it loaded."""
    list(extract_many([Document("0", "text", "warm-up", [Passage("text", "Tarlatamab; IL-6 rose on day 2.")])]))


def main() -> None:
    with open(sys.argv[1]) as handle:
        jobs = json.load(handle)
    warm_up()
    for job in jobs:
        if "snapshot" in job:
            shutil.copytree(job["snapshot"], job["to"])
            print(json.dumps({"snapshot": job["to"]}), flush=True)
            continue
        sys.stdout.flush()
        child = os.fork()
        if child == 0:
            traced_run(job)
        _, status = os.waitpid(child, 0)
        if os.WIFSIGNALED(status):
            result = {"signal": signal.Signals(os.WTERMSIG(status)).name}
        else:
            result = {"exit": os.WEXITSTATUS(status)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
