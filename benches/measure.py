#!/usr/bin/env python3
"""Run a command; print its wall time (s) and peak resident memory (MiB) as JSON.

    python3 benches/measure.py -- CMD ARGS...

The peak is the largest resident set of the command's process tree as the kernel reports
it for reaped children (ru_maxrss of RUSAGE_CHILDREN), so run one command per call.
"""
import json
import resource
import subprocess
import sys
import time


def main():
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit(proc.returncode)
    print(json.dumps({"seconds": round(wall, 3), "peak_mib": round(peak_kib / 1024, 1),
                      "stdout": proc.stdout.strip().splitlines()[:1]}))


if __name__ == "__main__":
    main()
