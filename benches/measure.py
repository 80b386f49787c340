#!/usr/bin/env python3
"""Run commands; print each one's wall time (s) and peak resident memory (MiB) as JSON.

    python3 benches/measure.py -- CMD ARGS...
    python3 benches/measure.py --repeat 5 -- CMD1 ARGS... -- CMD2 ARGS...

With `--repeat N` the commands run N times each, taking turns (CMD1, CMD2, CMD1, ...), so
that a busy spell of a shared machine falls on both alike; `seconds` is then the median of
a command's N wall times (`runs` has all of them). One JSON line per command, in order.

The peak is the largest resident set of a command's process over its runs, as the kernel
reports it when the process is reaped (ru_maxrss of wait4).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def parse(argv):
    repeat = 1
    if argv[:1] == ["--repeat"]:
        repeat = int(argv[1])
        argv = argv[2:]
    commands, current = [], None
    for arg in argv:
        if arg == "--":
            current = []
            commands.append(current)
        elif current is None:
            sys.exit(f"measure.py: expected -- before {arg!r}")
        else:
            current.append(arg)
    if not commands or any(not c for c in commands) or repeat < 1:
        sys.exit("usage: measure.py [--repeat N] -- CMD ARGS... [-- CMD ARGS...]")
    return repeat, commands


def run_once(cmd):
    """Wall seconds, peak RSS (KiB) and the first line of stdout of one run of `cmd`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        # wait4, not Popen.wait: it also returns the child's own resource usage.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace"))
            sys.exit(proc.returncode)
        out.seek(0)
        first = out.read().decode(errors="replace").strip().splitlines()[:1]
    return wall, usage.ru_maxrss, first


def main():
    repeat, commands = parse(sys.argv[1:])
    walls = [[] for _ in commands]
    peaks = [0 for _ in commands]
    firsts = [[] for _ in commands]
    for _ in range(repeat):
        for i, cmd in enumerate(commands):
            wall, peak, first = run_once(cmd)
            walls[i].append(wall)
            peaks[i] = max(peaks[i], peak)
            firsts[i] = first
    for i in range(len(commands)):
        print(json.dumps({
            "seconds": round(statistics.median(walls[i]), 3),
            "runs": [round(w, 3) for w in walls[i]],
            "peak_mib": round(peaks[i] / 1024, 1),
            "stdout": firsts[i],
        }))


if __name__ == "__main__":
    main()
