#!/usr/bin/env python3
"""bench_loop.py: the student's loop, timed (a benchmark, not a test: no
time here passes or fails anything).

In a fresh clone of this repository (a temporary folder), with the
reference solutions copied over exercises/ so that every test runs to its
end (the slowest case):

  cold         the first `make grade`: every chapter, the course's judges
               built from nothing;
  cold files   `make grade` again after removing the student's compiled
               files and results (build/grade, build/cache): the judges
               kept;
  saved        for each chapter, `make grade CH=NN` after saving its
               exercise file (a comment added: the file changed);
  unchanged    for each chapter, `make grade CH=NN` again, nothing changed.

Each timing is the best of --repeat runs. Usage:
    python3 tools/bench_loop.py [--repeat 3]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402


def timed(cmd, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_loop: {' '.join(cmd)} failed: {proc.stderr[-500:]}")
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    chapters = grade.discover_chapters()
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        clone = os.path.join(tmp, "course")
        subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
        for ch in chapters:
            shutil.copy(os.path.join(ROOT, "solutions", ch.slug + ".c"),
                        os.path.join(clone, "exercises", ch.slug + ".c"))
        cold = timed(["make", "grade"], clone)
        cold_files = float("inf")
        for _ in range(args.repeat):
            for folder in ("build/grade", "build/cache"):
                shutil.rmtree(os.path.join(clone, folder), ignore_errors=True)
            cold_files = min(cold_files, timed(["make", "grade"], clone))
        print(f"cold make grade, fresh clone (judges built): {cold:6.2f} s")
        print(f"cold make grade, student's files only:      {cold_files:6.2f} s")
        print(f"{'chapter':<22} {'saved':>8} {'unchanged':>10}")
        worst = [0.0, 0.0]
        for ch in chapters:
            path = os.path.join(clone, "exercises", ch.slug + ".c")
            saved = unchanged = float("inf")
            for k in range(args.repeat):
                with open(path, "a") as f:
                    f.write(f"/* saved {time.time()} {k} */\n")
                saved = min(saved, timed(["make", "grade", f"CH={ch.number}"], clone))
                unchanged = min(unchanged, timed(["make", "grade", f"CH={ch.number}"], clone))
            worst = [max(worst[0], saved), max(worst[1], unchanged)]
            print(f"{ch.key:<22} {saved:7.2f}s {unchanged:9.2f}s")
        print(f"{'slowest':<22} {worst[0]:7.2f}s {worst[1]:9.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
