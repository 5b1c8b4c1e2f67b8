#!/usr/bin/env python3
"""selftest.py: `make test`, the course checking itself.

  1. the reference solutions score full marks (every graded test passes,
     and every held-back check on each of 20 seeds);
  2. the stubs in exercises/ score exactly 0 (every graded test fails, and
     fails cleanly: no crash, no time-out; every held-back check fails on
     every seed);
  3. every program output a chapter shows is the demo's real output, and
     every section a test cites exists (tools/check_outputs.py);
  4. the book builds (make book), and the web edition (make html), whose
     every page loads in headless Chromium without a console error, a
     request outside the site, raw TeX, a missing image or a dead link
     (tools/check_web.py);
  5. the grader's own tests pass (tools/test_grader.py: the hostile and
     broken submissions of tests/hostile/), and the tests' own tests: every
     typical mistake of tests/mistakes/ is caught with its hint, and every
     correct variant there scores full marks;
  6. the student's loop works (tools/test_loop.py: every spelling of CH=,
     remembered progress, make watch), and the instructor's tools work
     (tools/test_instructor.py: class grading, the student release, the
     Gradescope zip, the Classroom workflow);
  7. the tests reach at least 95% of the solutions' lines (tools/coverage.py).

Each step prints "NAME: N passed, N failed"; the last line sums them.
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
COUNTS = re.compile(r"^(?:[\w-]+: )?(\d+) passed, (\d+) failed\s*$")

STEPS = [
    ("solutions score full marks",
     [PY, "tools/grade.py", "--build", "build/solutions", "--exercises", "solutions",
      "--werror", "--expect", "full", "--seeds", "1-20",
      "--report", "build/solutions/results.json"]),
    ("stubs score zero",
     [PY, "tools/grade.py", "--build", "build/stubs", "--exercises", "exercises",
      "--werror", "--expect", "zero", "--seeds", "1-20",
      "--report", "build/stubs/results.json"]),
    ("chapter outputs match the demos", [PY, "tools/check_outputs.py"]),
    ("the book builds", ["make", "--no-print-directory", "book"]),
    ("the web edition builds", ["make", "--no-print-directory", "html"]),
    ("the web edition in a browser: every page, formula, figure and link",
     [PY, "tools/check_web.py"]),
    ("the grader's own tests: hostile and broken submissions", [PY, "tools/test_grader.py"]),
    ("the tests' own tests: typical mistakes caught, correct variants accepted",
     [PY, "tools/test_grader.py", "--fixtures", "tests/mistakes"]),
    ("the student's loop: chapter spellings, remembered progress, make watch",
     [PY, "tools/test_loop.py"]),
    ("the instructor's tools: class grading, release, Gradescope, Classroom",
     [PY, "tools/test_instructor.py"]),
    ("coverage of the solutions", [PY, "tools/coverage.py"]),
]


def run_step(title, cmd):
    print(f"\n### {title}: {' '.join(cmd)}", flush=True)
    start = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace",
                          env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")})
    print(proc.stdout.rstrip())
    passed = failed = 0
    for line in proc.stdout.splitlines():
        m = COUNTS.match(line.strip())
        if m:
            passed, failed = int(m.group(1)), int(m.group(2))
    if not passed and not failed:  # a step without counts is one check
        passed, failed = (1, 0) if proc.returncode == 0 else (0, 1)
    elif proc.returncode != 0 and failed == 0:
        failed = 1
    print(f"### {title}: {passed} passed, {failed} failed ({time.time() - start:.1f} s)")
    return passed, failed


def main():
    total_passed = total_failed = 0
    failed_steps = []
    for title, cmd in STEPS:
        p, f = run_step(title, cmd)
        total_passed += p
        total_failed += f
        if f:
            failed_steps.append(title)
    print()
    for title in failed_steps:
        print(f"FAILED: {title}")
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
