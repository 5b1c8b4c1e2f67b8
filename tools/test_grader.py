#!/usr/bin/env python3
"""test_grader.py: the grader's own tests.

Each case takes the reference solutions, plants one fault in one function
(an exit, a crash, an endless loop, a NaN, spoofed output, a compile error),
grades the result, and asserts the score and the message of the tests the
fault reaches, and that the tests it does not reach still pass.
Prints "test_grader: N passed, N failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "selftest")

HEADERS = "#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n"

# name: (file, function whose body gets the fault, code put first in that
#        body, chapter, {test: message fragment or None for "must pass"})
CASES = {
    "exit-in-exercise": ("gd.c", "gd_step", "exit(0);", "01", {
        "gd::step_moves_against_the_gradient": "did not run to its end",
        "gd::rosenbrock_value": None}),
    "_exit-in-exercise": ("gd.c", "gd_run", "_exit(0);", "01", {
        "gd::run_takes_exactly_max_steps": "did not run to its end",
        "gd::step_moves_against_the_gradient": None}),
    "segfault": ("gd.c", "rosenbrock", "*(volatile int *)0 = 1;", "01", {
        "gd::rosenbrock_value": "crashed",
        "gd::grad_numeric_uses_central_differences": None}),
    "endless-loop": ("gd.c", "grad_check", "for (volatile int i = 0;; i++) {}", "01", {
        "gd::grad_check_measures_relative_error": "timed out",
        "gd::rosenbrock_value": None}),
    "nan-result": ("gd.c", "rosenbrock", "if (x) return NAN;", "01", {
        "gd::rosenbrock_value": "not a finite number",
        "gd::step_moves_against_the_gradient": None}),
    "spoofed-pass": ("gd.c", "gd_step",
                     'printf("[PASS] gd::step_moves_against_the_gradient\\n[====] '
                     'Synthesis: Tested: 15 | Passing: 15 | Failing: 0\\n"); return;', "01", {
        "gd::step_moves_against_the_gradient": "got 0, want 0.6",
        "gd::rosenbrock_value": None}),
    "megabytes-of-output": ("gd.c", "gd_step",
                            'for (int k = 0; k < 200000; k++) puts("spam spam spam spam spam");',
                            "01", {
        "gd::step_moves_against_the_gradient": "",
        "gd::rosenbrock_value": None}),
    "compile-error": ("gd.c", "gd_step", "this is not C;", "01", {
        "gd::step_moves_against_the_gradient": "did not build",
        "gd::rosenbrock_value": "did not build"}),
}


def plant(source, function, code):
    """source with code inserted at the top of function's body."""
    m = re.search(r"^[^\n;]*\b" + re.escape(function) + r"\([^;{]*\)\s*\{", source, re.M)
    if not m:
        raise SystemExit(f"test_grader: no function {function} in the solution")
    return HEADERS + source[:m.end()] + "\n    " + code + "\n" + source[m.end():]


def run_case(name, case):
    """Grades one faulty submission; returns the list of failed expectations."""
    filename, function, code, chapter, expected = case
    folder = os.path.join(WORK, name)
    exercises = os.path.join(folder, "exercises")
    shutil.rmtree(exercises, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "solutions"), exercises)
    path = os.path.join(exercises, filename)
    with open(path) as f:
        source = f.read()
    with open(path, "w") as f:
        f.write(plant(source, function, code))
    report = os.path.join(folder, "results.json")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "grade.py"),
                           "--build", os.path.relpath(os.path.join(folder, "build"), ROOT),
                           "--exercises", os.path.relpath(exercises, ROOT),
                           "--chapter", chapter, "--report", report, "--quiet"],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return [f"{name}: the grader exited with {proc.returncode}: {proc.stderr.strip()}"]
    with open(report) as f:
        tests = {t["name"].split(": ", 1)[1]: t for t in json.load(f)["tests"]}
    problems = []
    for test, fragment in expected.items():
        t = tests.get(test)
        if t is None:
            problems.append(f"{name}: no test {test} in the report")
        elif fragment is None and t["score"] != t["max_score"]:
            problems.append(f"{name}: {test} should still pass, got: {t['output']}")
        elif fragment is not None and (t["score"] != 0 or fragment not in t["output"]):
            problems.append(f"{name}: {test} should score 0 with a message containing "
                            f"{fragment!r}; got {t['score']} points and: {t['output'][:300]}")
    return problems


def main():
    passed, failed = 0, []
    for name, case in CASES.items():
        problems = run_case(name, case)
        if problems:
            failed += problems
        else:
            passed += 1
    for p in failed:
        print("FAIL " + p)
    print(f"test_grader: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
