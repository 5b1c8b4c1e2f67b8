#!/usr/bin/env python3
"""test_instructor.py: the instructor's tools work (a step of `make test`).

  - the GitHub Classroom workflow has one step per chapter
    (tools/classroom.py --check);
  - tools/grade_class.py grades a small class (a full solution in an
    exercises/ folder, the stubs as bare files, a crashing submission, a
    partial one) in parallel: one gradebook row each, the right totals, the
    hostile one costs its own points only, per-student results and feedback;
  - tools/release.py writes the student release and proves it (no solution
    code in it; make grade runs there and scores 0);
  - tools/gradescope.py writes the autograder zip and runs it on a
    simulated /autograder;
  - tools/classroom_check.py, in a repository made from the release: 0 on
    the stubs, full marks on a solution, 0 when tests/ was edited.

Prints "test_instructor: N passed, N failed".
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402
import test_grader  # noqa: E402

WORK = os.path.join(ROOT, "build", "selftest", "instructor")
RESULTS = []


def check(ok, text):
    RESULTS.append(ok)
    print(("ok   " if ok else "FAIL ") + text, flush=True)


def env():
    return {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), capture_output=True, text=True,
                          errors="replace", env=kw.pop("env", env()), **kw)


def class_grading(chapters):
    subs = os.path.join(WORK, "submissions")
    out = os.path.join(WORK, "class")
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(subs, "ada", "exercises"))
    shutil.copytree(os.path.join(ROOT, "exercises"), os.path.join(subs, "bob", "work"))
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(subs, "cyd", "exercises"))
    fx = test_grader.Fixture(os.path.join(test_grader.FIXTURES, "segfault.fault"))
    path = os.path.join(subs, "cyd", "exercises", "gd.c")
    with open(path) as f:
        source = f.read()
    with open(path, "w") as f:
        f.write(test_grader.plant(source, fx.where, fx.code))
    os.makedirs(os.path.join(subs, "dee"))
    shutil.copyfile(os.path.join(ROOT, "solutions", "gd.c"), os.path.join(subs, "dee", "gd.c"))
    doors = hostile_class(subs)
    proc = run([sys.executable, "tools/grade_class.py", subs, "--out", out, "--jobs", "2"],
               timeout=900)
    book = os.path.join(out, "gradebook.csv")
    if not os.path.exists(book):
        check(False, "grade_class writes gradebook.csv: " + (proc.stdout + proc.stderr)[-800:])
        return
    with open(book) as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    held = {c.key: sum(t.points for t in grade.read_held(c, 1)) for c in chapters}
    full = sum(c.max_points + held[c.key] for c in chapters)
    gd = next(c for c in chapters if c.slug == "gd")
    check(proc.returncode == 0 and set(rows) == {"ada", "bob", "cyd", "dee"} | set(doors)
          and all(rows[s]["status"] == "ok" for s in ("ada", "bob", "cyd", "dee")),
          "grade_class grades every student folder, one gradebook row each")
    for name, (want, status, about) in sorted(doors.items()):
        row = rows.get(name, {})
        got = int(row.get(gd.key, -1)) if row else -1
        check(got == (gd.max_points if want else 0) and status in row.get("status", "")
              and int(row.get("total", -1)) == got + (held[gd.key] if want else 0),
              f"class door: {about}: chapter 1 scores {got}/{gd.max_points}, the rest 0, "
              f"status {row.get('status')!r}")
    check(not os.path.exists(os.path.join(ROOT, "pwned-by-make"))
          and not os.path.exists(os.path.join(out, "pwned-by-make")),
          "class door: no command in a folder name ran")
    check(int(rows["ada"]["total"]) == full and int(rows["bob"]["total"]) == 0,
          f"a solution in exercises/ scores {rows['ada']['total']}/{full}, the stubs as bare "
          f"files {rows['bob']['total']}")
    cyd_gd = int(rows["cyd"][gd.key])
    check(0 < cyd_gd < gd.max_points and 0 < int(rows["cyd"]["total"]) < full
          and int(rows["ada"]["total"]) == full,
          f"a crashing submission loses only the tests that reach the crash ({gd.key}: "
          f"{cyd_gd}/{gd.max_points}, total {rows['cyd']['total']}/{full}) and disturbs "
          "no one else")
    with open(os.path.join(out, "students", "cyd", "feedback.txt")) as f:
        cyd = f.read()
    check("crashed" in cyd and "in rosenbrock() at exercises/gd.c:" in cyd,
          "its feedback.txt says where it crashed, as exercises/gd.c:LINE")
    with open(os.path.join(out, "students", "dee", "feedback.txt")) as f:
        dee = f.read()
    check(int(rows["dee"][gd.key]) == gd.max_points and int(rows["dee"]["total"]) ==
          gd.max_points + held[gd.key] and "not handed in" in dee,
          "a partial submission (a bare gd.c) gets chapter 1 and a note on the missing files")
    check(all(os.path.exists(os.path.join(out, "students", s, "results.json"))
              for s in rows), "every student has a results.json and a feedback.txt")
    seed = rows["cyd"].get("seed", "")
    replay = os.path.join(WORK, "replay.json")
    run([sys.executable, "tools/grade.py", "--exercises", os.path.join(subs, "cyd", "exercises"),
         "--build", os.path.join(WORK, "replay"), "--held", "--seed", seed or "0",
         "--report", replay, "--quiet"], timeout=600)
    again = json.load(open(replay)) if os.path.exists(replay) else {}
    check(seed.isdigit() and int(rows["cyd"]["held-back"]) > 0
          and again.get("score") == int(rows["cyd"]["total"]),
          f"the gradebook has the held-back points and the seed of each grade, and "
          f"grading again with that seed ({seed}) gives the same total "
          f"({again.get('score')} = {rows['cyd']['total']})")


def hostile_class(subs):
    """Submissions that attack class grading itself, each with the points its
    code deserves ({name: (chapter 1 in full?, status, about)}): names that
    a shell or make would run, files that are links, FIFOs or not folders,
    a file that reads another student's work."""
    solution = os.path.join(ROOT, "solutions", "gd.c")
    doors = {}

    def student(name, want, about, status="ok"):
        folder = os.path.join(subs, name)
        doors[name] = (want, status, about)
        return folder
    for name, about in (("eve has spaces", "a folder name with spaces"),
                        ("$(shell touch pwned-by-make)", "a folder name make would run"),
                        ("`touch pwned-by-make`; x", "a folder name a shell would run")):
        os.makedirs(student(name, True, about))
        shutil.copyfile(solution, os.path.join(subs, name, "gd.c"))
    fay = student("fay", False, "gd.c a dangling link, sgd.c a FIFO")
    os.makedirs(os.path.join(fay, "exercises"))
    os.symlink("/nonexistent/gd.c", os.path.join(fay, "exercises", "gd.c"))
    os.mkfifo(os.path.join(fay, "exercises", "sgd.c"))
    for name, target, about in (("gus", solution, "gd.c a link to the reference solution"),
                                ("hal", "/dev/zero", "gd.c a link to /dev/zero")):
        os.makedirs(student(name, False, about))
        os.symlink(target, os.path.join(subs, name, "gd.c"))
    jon = student("jon", False, "exercises/ a link to the solutions folder")
    os.makedirs(jon)
    os.symlink(os.path.join(ROOT, "solutions"), os.path.join(jon, "exercises"))
    with open(student("ivy.zip", False, "a plain file, not a folder", "not a folder"),
              "w") as f:
        f.write("not a folder\n")
    kim = student("kim", False, "gd.c includes another student's file")
    os.makedirs(kim)
    with open(os.path.join(kim, "gd.c"), "w") as f:
        f.write(f'#include "{os.path.join(subs, "ada", "exercises", "gd.c")}"\n')
    return doors


def release():
    proc = run([sys.executable, "tools/release.py", "--out", os.path.join(WORK, "release")],
               timeout=1200)
    print("\n".join("     " + l for l in proc.stdout.splitlines()))
    check(proc.returncode == 0, "tools/release.py: the student release is proven "
          "(no solutions; make grade scores 0 there)")
    return os.path.join(WORK, "release", "course-student.tar.gz")


def gradescope():
    proc = run([sys.executable, "tools/gradescope.py", "--out", os.path.join(WORK, "gradescope")],
               timeout=1200)
    print("\n".join("     " + l for l in proc.stdout.splitlines()))
    check(proc.returncode == 0, "tools/gradescope.py: the autograder zip grades a simulated "
          "/autograder upload")


def classroom(tarball):
    proc = run([sys.executable, "tools/classroom.py", "--check"])
    check(proc.returncode == 0, "the Classroom workflow has one step per chapter"
          + ("" if proc.returncode == 0 else ": run `make classroom`"))
    if not shutil.which("git") or not os.path.exists(tarball):
        check(True, "(classroom_check not tried: no git or no release)")
        return
    tmp = tempfile.mkdtemp(prefix="classroom-")
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp)
        repo = os.path.join(tmp, "course")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
               "-c", "commit.gpgsign=false"]
        run(["git", "init", "-q"], cwd=repo)
        run(git + ["add", "-A"], cwd=repo)
        run(git + ["commit", "-q", "-m", "the assignment"], cwd=repo)
        cmd = [sys.executable, "tools/classroom_check.py", "01"]
        stub = run(cmd, cwd=repo, timeout=600)
        shutil.copyfile(os.path.join(ROOT, "solutions", "gd.c"),
                        os.path.join(repo, "exercises", "gd.c"))
        solved = run(cmd, cwd=repo, timeout=600)
        with open(os.path.join(repo, "tests", "gd.c"), "a") as f:
            f.write("\n/* edited by the student */\n")
        run(git + ["commit", "-q", "-am", "easier tests"], cwd=repo)
        edited = run(cmd, cwd=repo, timeout=600)
        check(stub.returncode == 1 and solved.returncode == 0 and edited.returncode == 1
              and "differ from the assignment" in edited.stdout,
              "classroom_check.py 01: fails on the stub, passes on the solution, fails when "
              f"tests/ was edited (exit {stub.returncode}, {solved.returncode}, "
              f"{edited.returncode})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    os.chdir(ROOT)
    chapters = grade.discover_chapters()
    class_grading(chapters)
    tarball = release()
    gradescope()
    classroom(tarball)
    failed = RESULTS.count(False)
    print(f"test_instructor: {len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
