"""Run a command and report its wall time and peak memory: ``python -m benchmarks.measure --
CMD...`` prints one JSON line ``{"seconds": …, "peak_rss_mb": …, "returncode": …}``.

Peak memory is the child's maximum resident set size (``getrusage``), so each measured command
runs in its own process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    started = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": peak,
                "returncode": proc.returncode,
                "stderr": proc.stderr[-2000:] if proc.returncode else "",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
