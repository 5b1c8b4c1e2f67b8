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


def collect(folder, wanted):
    found = {}
    preferred = os.path.join(folder, "exercises")
    for base in ([preferred] if os.path.isdir(preferred) else []) + [folder]:
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for name in sorted(filenames):
                slug = name[:-2] if name.endswith(".c") else None
                if slug in wanted and slug not in found:
                    found[slug] = os.path.join(dirpath, name)
    return found


def fail(reason):
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump({"score": 0, "output": "The autograder could not grade this submission: "
                   + reason, "stdout_visibility": "visible", "tests": []}, f, indent=2)
    print(reason, file=sys.stderr)
    return 0


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(COURSE, WORK, ignore=shutil.ignore_patterns("build"))
    wanted = slugs()
    found = collect(SUBMISSION, wanted) if os.path.isdir(SUBMISSION) else {}
    for slug, path in found.items():
        shutil.copyfile(path, os.path.join(WORK, "exercises", slug + ".c"))
    notes = []
    missing = [s + ".c" for s in wanted if s not in found]
    if missing:
        notes.append("not in your upload, graded as the untouched stubs: " + ", ".join(missing))
    if os.path.exists(RESULTS):
        os.remove(RESULTS)
    proc = subprocess.run([sys.executable, "tools/grade.py", "--build", "build/grade",
                           "--exercises", "exercises", "--report", RESULTS], cwd=WORK,
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
