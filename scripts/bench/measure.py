#!/usr/bin/env python3
"""Run a command several times; print the median, best and worst wall time in seconds and the largest peak
resident set over the runs in KiB, and the number of runs made: "MEDIAN BEST WORST PEAK_KIB RUNS".

  measure.py RUNS [--budget SECONDS] [--fresh DIR] [--count-bytes] -- COMMAND...

The whole process is timed, from spawn to exit (startup counts); its peak RSS is the kernel's ru_maxrss for
that child (wait4). Standard output goes to /dev/null (with --count-bytes, one extra untimed run counts its
bytes and prints them as a sixth figure); standard error is kept and shown if the command fails, which fails
this script. --fresh DIR removes DIR before every run, untimed (a render into a fresh folder). --budget stops
repeating once the runs so far took more than SECONDS in all (a pathological case: fewer runs, never none).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(command, stdout):
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace")[-4000:])
            sys.exit(f"measure.py: '{' '.join(command)}' exited {child.returncode}")
    return elapsed, usage.ru_maxrss


def main(argv):
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    options, command = argv[: argv.index("--")], argv[argv.index("--") + 1:]
    runs = int(options[0])
    fresh = options[options.index("--fresh") + 1] if "--fresh" in options else None
    budget = float(options[options.index("--budget") + 1]) if "--budget" in options else float("inf")
    times, peak = [], 0
    with open(os.devnull, "wb") as null:
        for _ in range(runs):
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)
            elapsed, rss = run(command, null)
            times.append(elapsed)
            peak = max(peak, rss)
            if sum(times) > budget:
                break
    figures = [statistics.median(times), min(times), max(times)]
    line = " ".join(f"{t:.6f}" for t in figures) + f" {peak} {len(times)}"
    if "--count-bytes" in options:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
        size = 0
        while chunk := child.stdout.read(1 << 20):
            size += len(chunk)
        if child.wait() != 0:
            sys.exit(f"measure.py: '{' '.join(command)}' exited {child.returncode}")
        line += f" {size}"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
