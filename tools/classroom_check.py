#!/usr/bin/env python3
"""classroom_check.py: one chapter's GitHub Classroom check.

    python3 tools/classroom_check.py --integrity   (first, before any setup)
    python3 tools/classroom_check.py NN

Run by .github/workflows/classroom.yml: --integrity first, with nothing
but git and Python, before the workflow runs anything else of the
repository's (tools/setup.sh included); then one step per chapter, which
grades chapter NN with tools/grade.py (the score table and every failing
check are printed in the Actions log) and exits 0, which gives the step
its points, only when the chapter scores full marks.

Students can edit their repository, this script and the workflow
included: a check that runs there can detect tampering, not prevent it. It
compares every file the workflow runs or that decides a grade (tools/,
tests/, include/, lib/, data/, the Makefile, .github/) with the
repository's first commit (the assignment as handed out; the workflow
checks out the whole history) and scores 0, naming the files, when they
differ. What it cannot prove: a student who rewrites the history (a new
first commit) or the workflow passes it. The grade of record is the
instructor's: `make grade-class` on the students' exercises/ with the
instructor's own copy of the course, held-back checks included.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUARDED = ["tools", "tests", "include", "lib", "data", "Makefile", ".github"]


def tampered():
    """The guarded files that differ from the first commit, or None when
    there is no history to compare with."""
    git = ["git", "-C", ROOT]
    roots = subprocess.run(git + ["rev-list", "--max-parents=0", "HEAD"],
                           capture_output=True, text=True)
    if roots.returncode != 0 or not roots.stdout.split():
        return None
    first = roots.stdout.split()[-1]
    diff = subprocess.run(git + ["diff", "--name-only", first, "--"] + GUARDED,
                          capture_output=True, text=True)
    if diff.returncode != 0:
        return None
    return [line for line in diff.stdout.splitlines() if line.strip()]


def main():
    if len(sys.argv) != 2:
        print("usage: classroom_check.py --integrity | NN", file=sys.stderr)
        return 2
    chapter = sys.argv[1]
    changed = tampered()
    if chapter == "--integrity":
        if changed:
            print("The files that run the grading differ from the assignment as handed "
                  "out:\n" + "\n".join("  " + n for n in changed[:20]))
            print("Put them back (git checkout <first commit> -- FILE).")
            return 1
        print("the grading files are as handed out" if changed is not None else
              "note: no history to compare the grading files with (a shallow clone?)")
        return 0
    if changed:
        print("The files that decide the grade differ from the assignment as handed out:")
        for name in changed[:20]:
            print("  " + name)
        print("Put them back (git checkout <first commit> -- FILE); this check scores 0.")
        return 1
    if changed is None:
        print("note: no history to compare the test files with (a shallow clone?)")
    report = os.path.join("build", "classroom", chapter, "results.json")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "grade.py"),
                           "--chapter", chapter, "--build", "build/classroom/build",
                           "--report", report], cwd=ROOT)
    if proc.returncode != 0:
        return 1
    import json
    with open(os.path.join(ROOT, report)) as f:
        data = json.load(f)
    full = data["max_score"] > 0 and data["score"] == data["max_score"]
    print(f"chapter {chapter}: {data['score']}/{data['max_score']} points; "
          + ("full marks: this step passes" if full else
             "this step passes at full marks only"))
    return 0 if full else 1


if __name__ == "__main__":
    sys.exit(main())
