#!/usr/bin/env python3
"""`flarekb refresh --ids-file` with many PMIDs (issue 16 point 8): how long before the first request.

    .venv/bin/python benchmarks/large_id_list.py              # 1k, 20k and 100k ids
    .venv/bin/python benchmarks/large_id_list.py 100000

Everything a refresh does before its first efetch (reading and validating the ids file, looking each id up
in corpora/, preparing the batches) is measured end to end: the command runs in its own process against the
local E-utilities stand-in of benchmarks/refresh.py (no network) and is stopped once the stand-in sees its
first request. Its peak memory is the child's maximum resident set. Before the fix a set of the ids to fetch
was built again for every id: 20k ids took 11.7 s and 100k ids 319 s before the first request.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import machine  # noqa: E402
from benchmarks.corpus import FIRST_PMID  # noqa: E402
from benchmarks.refresh import NcbiStandIn  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "large_id_list.json"
GIVE_UP_S = 600


def seconds_to_first_request(id_count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="flarekb-bench-ids-") as work, NcbiStandIn() as server:
        ids_file = Path(work) / "ids.txt"
        ids_file.write_text("\n".join(str(FIRST_PMID + n) for n in range(id_count)) + "\n", encoding="utf-8")
        environment = {key: value for key, value in os.environ.items() if key != "NCBI_API_KEY"}
        environment["FLAREKB_EUTILS_URL"] = server.url
        command = [sys.executable, "-m", "extractor", "refresh", "--ids-file", str(ids_file),
                   "--kb", f"{work}/kb", "--corpora", f"{work}/corpora"]
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        while not sum(server.requests.values()) and child.poll() is None:
            if time.perf_counter() - started > GIVE_UP_S:
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        child.terminate()
        child.wait()
    return {"ids": id_count, "seconds_to_first_request": round(seconds, 2),
            "peak_rss_mb_of_largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def main(counts: list[int]) -> None:
    rows = []
    for count in counts:
        row = seconds_to_first_request(count)
        rows.append(row)
        print(f"{count:>7,} ids: first request after {row['seconds_to_first_request']:6.2f} s "
              f"(peak RSS so far {row['peak_rss_mb_of_largest_child']} MB)", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main([int(value) for value in sys.argv[1:]] or [1_000, 20_000, 100_000])
