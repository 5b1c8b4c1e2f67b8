#!/usr/bin/env python3
"""grade_class.py: grades a whole class, one submission per folder.

    python3 tools/grade_class.py SUBMISSIONS [--out DIR] [--jobs N]
    make grade-class SUBMISSIONS=dir [OUT=dir] [JOBS=n]

SUBMISSIONS holds one folder per student (the folder's name is the
student's name in the gradebook). Each folder holds that student's
exercises/ (exercises/gd.c, ...) or the bare files (gd.c, ...) anywhere
below it. A chapter file the student did not hand in is graded as the
untouched stub (0 points) and said so in the feedback; other files are
ignored.

Every student is graded by tools/grade.py in a folder of its own (a copy of
the student's files, a build folder of its own, the grader's sandbox and
limits for every test), several students at a time (--jobs, default: the
number of cores). A submission that crashes, hangs or attacks the grader
costs its own student only: its tests are stopped by the grader's limits,
and a grading that still takes longer than --timeout seconds is stopped and
reported. Writes, in --out (default build/class):

    gradebook.csv              student, points per chapter (visible tests), the
                               held-back checks, total, seed, status
    summary.txt                the maxima, the class's mean per chapter, timing
    students/NAME/results.json Gradescope's format
    students/NAME/feedback.txt every message, as `make grade` shows them
    students/NAME/grade.log    the grader's output
"""
import argparse
import concurrent.futures as futures
import csv
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import exercise_build  # noqa: E402
import grade  # noqa: E402


def prepare(student, folder, work, slugs):
    """The student's exercises/ in the work folder (private to the grader):
    their files, read without following links and under a size cap, and
    stubs for the rest. Returns the folder and the notes for the feedback."""
    exercises = os.path.join(work, "exercises")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(exercises, mode=0o700)
    os.chmod(work, 0o700)
    notes, missing = [], []
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        found, refused, others = {}, {}, []
        notes.append("the submission is not a folder: nothing of it was graded")
    else:
        found, refused, others = exercise_build.collect_submission(folder, slugs)
    for slug in slugs:
        data = None
        if slug in found:
            data, why = exercise_build.read_student_file(found[slug])
            if data is None:
                refused[slug] = why
        if data is None:
            with open(os.path.join(ROOT, "exercises", slug + ".c"), "rb") as f:
                data = f.read()
            if slug not in refused:
                missing.append(slug + ".c")
        with open(os.path.join(exercises, slug + ".c"), "wb") as f:
            f.write(data)
    for slug, why in sorted(refused.items()):
        notes.append(f"{slug}.c {why}: not read, graded as the untouched stub")
    if missing:
        notes.append("not handed in, graded as the untouched stubs: " + ", ".join(missing))
    if others:
        notes.append("ignored (not chapter files): " + ", ".join(others[:10]))
    return exercises, notes


NOT_A_FOLDER = "not a folder: nothing graded"


def grade_one(student, folder, out, slugs, timeout, jobs_per_student, number,
              chapters=(), held=True):
    """Grades one student; returns (student, results or None, status).
    The student's name names its output folder only; its work folder is
    numbered, and no name a student chose reaches a shell or make."""
    dest = os.path.join(out, "students", student)
    work = os.path.join(out, "work", f"{number:05d}")
    os.makedirs(dest, exist_ok=True)
    start = time.time()
    try:
        exercises, notes = prepare(student, folder, work, slugs)
    except OSError as e:
        with open(os.path.join(dest, "feedback.txt"), "w") as f:
            f.write(f"the submission could not be read: {e}\n")
        return student, None, f"could not be read ({e.strerror})", time.time() - start
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        reason = "the submission is not a folder: nothing was graded"
        with open(os.path.join(dest, "feedback.txt"), "w") as f:
            f.write(reason + "\n")
        with open(os.path.join(dest, "results.json"), "w") as f:
            json.dump({"score": 0, "output": reason, "tests": []}, f, indent=2)
        shutil.rmtree(work, ignore_errors=True)
        return student, None, NOT_A_FOLDER, time.time() - start
    build = os.path.join(work, "build")
    report = os.path.join(dest, "results.json")
    if os.path.exists(report):
        os.remove(report)
    cmd = [sys.executable, os.path.join(ROOT, "tools", "grade.py"), "--build", build,
           "--exercises", exercises, "--shown-as", "exercises", "--report", report,
           "--jobs", str(jobs_per_student), "--strict-isolation"] + (["--held"] if held else [])
    for chapter in chapters:
        cmd += ["--chapter", chapter]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=timeout, cwd=ROOT)
        log, status = proc.stdout + proc.stderr, "ok" if proc.returncode == 0 else \
            f"grader exit status {proc.returncode}"
    except subprocess.TimeoutExpired as e:
        log = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        status = f"stopped after {timeout} s"
    with open(os.path.join(dest, "grade.log"), "w") as f:
        f.write(log)
    results = None
    if status == "ok" and os.path.exists(report):
        with open(report) as f:
            results = json.load(f)
        if notes:
            feedback = os.path.join(dest, "feedback.txt")
            with open(feedback) as f:
                text = f.read()
            with open(feedback, "w") as f:
                f.write("\n".join("note: " + n for n in notes) + "\n\n" + text)
            results["output"] = "\n".join("note: " + n for n in notes) + "\n\n" + results["output"]
            with open(report, "w") as f:
                json.dump(results, f, indent=2)
    else:
        with open(os.path.join(dest, "feedback.txt"), "w") as f:
            f.write(f"grading failed ({status}); the grader's output:\n{log[-4000:]}\n")
    shutil.rmtree(work, ignore_errors=True)
    return student, results, status, time.time() - start


def spreadsheet_safe(name):
    """A name a spreadsheet shows as text, never runs as a formula."""
    return "'" + name if name[:1] in ("=", "+", "-", "@") else name


def chapter_points(results, chapters):
    points = {c.key: 0 for c in chapters}
    for t in (results or {}).get("tests", []):
        m = re.match(r"Chapter (\d+):", t["name"])
        for c in chapters:
            if m and int(c.number) == int(m.group(1)):
                points[c.key] += t["score"]
    return points


def main(argv=None):
    p = argparse.ArgumentParser(description="grade a whole class")
    p.add_argument("submissions", help="a folder with one folder per student")
    p.add_argument("--out", default="build/class")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                   help="students graded at once (default: the number of cores)")
    p.add_argument("--timeout", type=int, default=900,
                   help="seconds one student's grading may take at most")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--chapter", action="append", default=[],
                   help="grade these chapters only (NN; repeatable)")
    p.add_argument("--no-held", dest="held", action="store_false",
                   help="without the held-back checks (the course's own tests of the "
                        "visible layer; never for a grade of record)")
    args = p.parse_args(argv)
    submissions = os.path.abspath(args.submissions)
    out = os.path.abspath(os.path.join(ROOT, args.out) if not os.path.isabs(args.out)
                          else args.out)
    if not os.path.isdir(submissions):
        print(f"grade_class: no folder {args.submissions}", file=sys.stderr)
        return 2
    # every entry is a submission and gets a row, a folder or not
    students = sorted(d for d in os.listdir(submissions) if not d.startswith("."))
    if not students:
        print(f"grade_class: no student folders in {args.submissions}", file=sys.stderr)
        return 2
    chapters = grade.discover_chapters()
    slugs = [c.slug for c in chapters]
    os.makedirs(out, exist_ok=True)
    os.makedirs(os.path.join(out, "work"), mode=0o700, exist_ok=True)
    start = time.time()
    # the course's judges and drivers, built once for the class
    grade.build_course(chapters, argparse.Namespace(jobs=args.jobs), ["plain", "sanitize"])
    if os.geteuid() != 0 and not exercise_build.bwrap_usable() and not args.quiet:
        print("grade_class: note: not root and no working bubblewrap: the students' "
              "code runs as your own user, held by the seccomp filter and the compile "
              "checks only (crashes are not located with the sanitizers); grade as "
              "root, or install bubblewrap, for uids or views of their own",
              file=sys.stderr)
    jobs = max(1, min(args.jobs, len(students)))
    per_student = max(1, (os.cpu_count() or 2) // jobs)
    rows = []
    with futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        todo = [pool.submit(grade_one, s, os.path.join(submissions, s), out, slugs,
                            args.timeout, per_student, k, args.chapter, args.held)
                for k, s in enumerate(students)]
        for done in futures.as_completed(todo):
            student, results, status, seconds = done.result()
            rows.append((student, results, status))
            if not args.quiet:
                score = f"{results['score']}/{results['max_score']}" if results else "-"
                print(f"  {student:<30} {score:>9}  {status} ({seconds:.1f} s)", flush=True)
    elapsed = time.time() - start
    rows.sort(key=lambda r: r[0])
    with open(os.path.join(out, "gradebook.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student"] + [c.key for c in chapters] +
                   ["held-back", "total", "seed", "status"])
        for student, results, status in rows:
            pts = chapter_points(results, chapters)
            held = sum(t["score"] for t in (results or {}).get("tests", [])
                       if "held-back" in t.get("tags", []))
            w.writerow([spreadsheet_safe(student)] + [pts[c.key] for c in chapters]
                       + [held, results["score"] if results else 0,
                          (results or {}).get("seed", ""), status])
    n = len(rows)
    lines = [f"{n} submissions graded in {elapsed:.1f} s ({jobs} at a time)",
             f"{'chapter':<20} {'max':>5} {'mean':>7}"]
    for c in chapters:
        mean = sum(chapter_points(r, chapters)[c.key] for _, r, _ in rows) / n
        lines.append(f"{c.key:<20} {c.max_points:>5} {mean:>7.1f}")
    lines.append(f"{'total':<20} {sum(c.max_points for c in chapters):>5} "
                 f"{sum(r['score'] if r else 0 for _, r, _ in rows) / n:>7.1f}")
    failed = [s for s, _, status in rows if status not in ("ok", NOT_A_FOLDER)]
    if failed:
        lines.append("not graded (see students/NAME/feedback.txt): " + ", ".join(failed))
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"gradebook: {os.path.relpath(os.path.join(out, 'gradebook.csv'), os.getcwd())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
