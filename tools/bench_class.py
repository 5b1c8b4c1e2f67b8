#!/usr/bin/env python3
"""bench_class.py: how long grading a class takes (a benchmark, not a test).

    python3 tools/bench_class.py [--students 50] [--jobs N]
    make bench-class

Makes a class of --students submissions in build/bench/submissions: a
third the untouched stubs, a third the reference solutions, the rest
hostile or broken (the fixtures of tests/hostile/, in turn, each in a
student's exercises/ or as bare files), grades it with tools/grade_class.py
and prints the time, and checks that the solutions got full marks and the
stubs 0.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402
import test_grader  # noqa: E402

HOSTILE = ["endless-loop", "segfault", "exit-in-function", "compile-error-gd", "fork",
           "output-flood", "defines-main", "read-stdin", "uninitialised-heap", "nan-result",
           "out-of-bounds-crash", "writes-report", "stack-overflow", "missing-function"]


def make_class(folder, n):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    kinds = {}
    fixtures = {f.name: f for f in (test_grader.Fixture(os.path.join(test_grader.FIXTURES,
                                                                     h + ".fault"))
                                    for h in HOSTILE)}
    for i in range(n):
        name = f"student{i + 1:02d}"
        kind = ("stubs", "solutions", "hostile")[i % 3]
        dest = os.path.join(folder, name, "exercises" if i % 2 == 0 else "")
        src = os.path.join(ROOT, "exercises" if kind == "stubs" else "solutions")
        shutil.copytree(src, dest, dirs_exist_ok=True)
        if kind == "hostile":
            fx = fixtures[HOSTILE[(i // 3) % len(HOSTILE)]]
            path = os.path.join(dest, fx.file)
            with open(path) as f:
                source = f.read()
            with open(path, "w") as f:
                f.write(test_grader.plant(source, fx.where, fx.code))
            kind = "hostile:" + fx.name
        kinds[name] = kind
    return kinds


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=50)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = p.parse_args()
    os.chdir(ROOT)
    subs = os.path.join(ROOT, "build", "bench", "submissions")
    out = os.path.join(ROOT, "build", "bench", "class")
    kinds = make_class(subs, args.students)
    shutil.rmtree(out, ignore_errors=True)
    start = time.time()
    proc = subprocess.run([sys.executable, "tools/grade_class.py", subs, "--out", out,
                           "--jobs", str(args.jobs), "--quiet"])
    elapsed = time.time() - start
    maximum = sum(c.max_points + sum(t.points for t in grade.read_held(c, 1))
                  for c in grade.discover_chapters())
    wrong = []
    with open(os.path.join(out, "gradebook.csv")) as f:
        for row in csv.DictReader(f):
            kind, total = kinds[row["student"]], int(row["total"])
            if kind == "stubs" and total != 0 or kind == "solutions" and total != maximum:
                wrong.append(f"{row['student']} ({kind}): {total}")
            if row["status"] != "ok":
                wrong.append(f"{row['student']} ({kind}): {row['status']}")
    print(f"bench_class: {args.students} submissions, {os.cpu_count()} cores, "
          f"--jobs {args.jobs}: {elapsed:.1f} s ({elapsed / args.students:.2f} s each)")
    for w in wrong:
        print("  unexpected: " + w)
    return 1 if wrong or proc.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
