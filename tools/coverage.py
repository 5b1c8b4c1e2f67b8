#!/usr/bin/env python3
"""coverage.py: how much of the reference solutions the graded tests reach.

Builds every chapter against solutions/ with gcov instrumentation
(build/coverage), runs the graded tests through the grader, then has gcovr
print line and branch coverage of solutions/ and write an HTML report to
build/coverage/html/index.html. Fails when line coverage is below
MIN_LINE_COVERAGE. Prints "coverage: N passed, N failed" (one check).
"""
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = "build/coverage"
MIN_LINE_COVERAGE = 95.0


def main():
    os.chdir(ROOT)
    for stale in glob.glob(f"{BUILD}/**/*.gcda", recursive=True):
        os.remove(stale)
    grade = subprocess.run([sys.executable, "tools/grade.py", "--build", BUILD,
                            "--exercises", "solutions", "--werror", "--expect", "full",
                            "--extra-cflags=--coverage", "--extra-ldflags=--coverage",
                            "--quiet"], env={**os.environ, "GRADE_NO_MEMORY_LIMIT": "1"})
    os.makedirs(f"{BUILD}/html", exist_ok=True)
    common = ["gcovr", "--root", ".", "--filter", "solutions/", "--object-directory", BUILD]
    report = subprocess.run(common + ["--print-summary", "--html-details",
                                      f"{BUILD}/html/index.html", "--fail-under-line",
                                      str(MIN_LINE_COVERAGE)], capture_output=True, text=True)
    print(report.stdout.strip())
    text = subprocess.run(common + ["--txt"], capture_output=True, text=True).stdout
    print("\n".join(l for l in text.splitlines() if l.startswith(("solutions/", "TOTAL"))))
    ok = grade.returncode == 0 and report.returncode == 0
    if report.returncode != 0:
        print(f"FAIL line coverage of solutions/ is below {MIN_LINE_COVERAGE}% "
              f"{report.stderr.strip()}")
    print(f"HTML report: {BUILD}/html/index.html")
    print(f"coverage: {1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
