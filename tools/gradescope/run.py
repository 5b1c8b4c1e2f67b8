#!/usr/bin/env python3
"""run.py: the Gradescope autograder's entry point (called by run_autograder).

Copies the course (ROOT/source/course) to ROOT/work/course, puts the
student's chapter files into its exercises/ -- from an exercises/ folder in
the upload if there is one, else bare files (gd.c, ...) anywhere in it; a
chapter not handed in keeps its stub and scores 0 -- and grades it with the
course's grader, which writes ROOT/results/results.json. If the grader
itself fails, results.json still gets written, with a score of 0 and the
reason, so that the student sees something. ROOT is /autograder, or
$AUTOGRADER_ROOT.
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.environ.get("AUTOGRADER_ROOT", "/autograder")
COURSE = os.path.join(ROOT, "source", "course")
WORK = os.path.join(ROOT, "work", "course")
SUBMISSION = os.path.join(ROOT, "submission")
RESULTS = os.path.join(ROOT, "results", "results.json")


def slugs():
    return sorted(m.group(1) for m in (re.match(r"^\d\d-(\w+)\.md$", n)
                                       for n in os.listdir(os.path.join(COURSE, "chapters")))
                  if m)


def fail(reason):
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump({"score": 0, "output": "The autograder could not grade this submission: "
                   + reason, "stdout_visibility": "visible", "tests": []}, f, indent=2)
    print(reason, file=sys.stderr)
    return 0


def prepare():
    """Once, when Gradescope builds the image (setup.sh): the course's judges,
    drivers and reference, so that each submission compiles its own files
    only."""
    proc = subprocess.run([sys.executable, "tools/grade.py", "--build-course-only",
                           "--held"], cwd=COURSE)
    return proc.returncode


def main():
    if sys.argv[1:] == ["--prepare"]:
        return prepare()
    shutil.rmtree(WORK, ignore_errors=True)
    # the course with its judges built by prepare(), and no grade of another
    shutil.copytree(COURSE, WORK, ignore=shutil.ignore_patterns("grade", "cache", "selftest"))
    # private to root: the student's code, run as a uid of its own, cannot
    # read the course (or, in the held-back layer, the reference)
    os.chmod(os.path.dirname(WORK), 0o700)
    sys.path.insert(0, os.path.join(WORK, "tools"))
    import exercise_build  # the course's own: regular files only, no links
    wanted = slugs()
    found, refused, _ = (exercise_build.collect_submission(SUBMISSION, wanted)
                         if os.path.isdir(SUBMISSION) else ({}, {}, []))
    notes = []
    for slug, path in found.items():
        data, why = exercise_build.read_student_file(path)
        if data is None:
            refused[slug] = why
            continue
        with open(os.path.join(WORK, "exercises", slug + ".c"), "wb") as f:
            f.write(data)
    for slug, why in sorted(refused.items()):
        notes.append(f"{slug}.c {why}: not read, graded as the untouched stub")
    missing = [s + ".c" for s in wanted if s not in found and s not in refused]
    if missing:
        notes.append("not in your upload, graded as the untouched stubs: " + ", ".join(missing))
    if os.path.exists(RESULTS):
        os.remove(RESULTS)
    proc = subprocess.run([sys.executable, "tools/grade.py", "--build", "build/grade",
                           "--exercises", "exercises", "--report", RESULTS,
                           "--strict-isolation", "--held"], cwd=WORK,
                          capture_output=True, text=True, errors="replace", timeout=3000)
    print(proc.stdout + proc.stderr)
    if proc.returncode != 0 or not os.path.exists(RESULTS):
        return fail(f"the grader stopped (exit status {proc.returncode}): "
                    f"{(proc.stdout + proc.stderr)[-2000:]}")
    with open(RESULTS) as f:
        results = json.load(f)
    if notes:
        results["output"] = "\n".join("note: " + n for n in notes) + "\n\n" + results["output"]
        with open(RESULTS, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
