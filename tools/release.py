#!/usr/bin/env python3
"""release.py: the student release of the course, and the proof that it works.

    python3 tools/release.py [--out build/release] [--no-verify]
    make release

Writes OUT/course-student.tar.gz: the course's files (those git tracks or
would track: `git ls-files --cached --others --exclude-standard`; the whole
tree but build/ outside a git checkout) less the instructor's material:
solutions/, the grader's hostile fixtures, CI, CONTRIBUTING.md, and the
tools that need the solutions or serve the instructor (self-test, coverage,
output checks, book, class grading, packaging). The Makefile keeps the
students' targets (grade, watch, run, help, setup, clean); the instructor's
ones say in one line that they are not part of the release. The README loses
its instructor sections. The web edition (make html), which needs the
solutions to draw its figures, ships built, in book/: the chapters with
their code, readable offline from book/index.html.

Then it proves the release (unless --no-verify): unpacked in a temporary
folder, no path of the instructor's material is in it, no distinctive line
of solutions/*.c is in any of its files, `make help` works, `make test`
declines in one line, `make grade` runs there and scores 0 out of the
course's maximum, and the web edition loads from the unpacked folder in
headless Chromium with no error, outside request or dead link
(tools/check_web.py; skipped, and said so, where Chromium is missing). Prints "release: N passed, N failed".
"""
import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "course-student"

# Instructor-only material: path prefixes (folders end with "/").
EXCLUDE = [
    ".git/", "solutions/", "tests/hostile/", "tests/mistakes/", "tests/held/",
    "tests/support/held.", ".ci/", "build/",
    "CONTRIBUTING.md",
    "tools/selftest.py", "tools/coverage.py", "tools/check_outputs.py",
    "tools/test_grader.py", "tools/test_instructor.py", "tools/test_loop.py",
    "tools/release.py",
    "tools/gradescope.py", "tools/gradescope/", "tools/grade_class.py",
    "tools/bench_", "tools/classroom.py", "tools/plots/",
    "tools/include-code.lua", "tools/crossref.lua", "tools/book-preamble.tex",
    "tools/book-matter.lua", "tools/web_edition.py", "tools/web/", "tools/check_web.py",
]
# The built web edition (make html) and where it goes in the release.
SITE, SITE_DEST = "build/html", "book"
INSTRUCTOR_TARGETS = ("test book html check-web coverage check-outputs bench bench-capstone "
                      "bench-isolation bench-loop grade-class release "
                      "gradescope classroom bench-class")
MAKEFILE_TAIL = f"""# ---------------------------------------------------------------------------
# The student release: the instructor's targets need the reference solutions
# and are not part of it.
.PHONY: {INSTRUCTOR_TARGETS} clean
{INSTRUCTOR_TARGETS}:
\t@echo "make $@: an instructor's target, not part of this student release" >&2; exit 2

clean: ## remove build/ and nothing else
\trm -rf build
"""
README_DROP = ("## Instructors", "## Grading a class, releases and packaging")


def excluded(path):
    return (any(path == e.rstrip("/") or path.startswith(e) for e in EXCLUDE)
            or "__pycache__" in path)


def course_files():
    """The course's files, relative to ROOT, as a fresh clone would have them."""
    # .git is a folder in a clone, a file in a worktree or submodule: either
    # way it must not travel (a release unpacked elsewhere would share, and
    # commit into, this repository).
    if os.path.exists(os.path.join(ROOT, ".git")) and shutil.which("git"):
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
        files = [f for f in out.stdout.decode().split("\0") if f]
    else:
        files = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in ("build", ".git")]
            files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames
                      if f != ".git"]
    return sorted(f for f in files if os.path.isfile(os.path.join(ROOT, f)))


def student_files():
    return [f for f in course_files() if not excluded(f)]


def student_makefile(text):
    m = re.search(r"^# -+\n# Instructor targets\n", text, re.M)
    if not m:
        raise SystemExit("release: the Makefile has no '# Instructor targets' section to cut")
    return text[:m.start()] + MAKEFILE_TAIL


def student_readme(text):
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [p for p in parts if not p.startswith(README_DROP)]
    return re.sub(r"\nWriting or changing a chapter: see `CONTRIBUTING.md`.\n", "\n",
                  "".join(kept))


def stage(dest, site=True):
    """Writes the student release's tree into dest (a new folder), with the
    built web edition unless site is False (the Gradescope zip)."""
    os.makedirs(dest)
    for rel in student_files():
        src, out = os.path.join(ROOT, rel), os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if rel == "Makefile":
            with open(src) as f, open(out, "w") as g:
                g.write(student_makefile(f.read()))
        elif rel == "README.md":
            with open(src) as f, open(out, "w") as g:
                g.write(student_readme(f.read()))
        else:
            shutil.copy2(src, out)
    if site:
        shutil.copytree(os.path.join(ROOT, SITE), os.path.join(dest, SITE_DEST))
    return dest


def build_site():
    """make html: the web edition that the release ships."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    proc = subprocess.run(["make", "--no-print-directory", "html"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("release: make html failed, and the release ships the web edition:\n"
                         + (proc.stdout + proc.stderr)[-2000:])


def write_tarball(tree, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)

    def clean(info):
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info
    with tarfile.open(path, "w:gz") as tar:
        tar.add(tree, arcname="course", filter=clean)


def distinctive_lines():
    """Lines of solutions/*.c that no released file has: the solution code.
    {line: 'solutions/x.c:N'}"""
    released = set()
    for rel in student_files():
        if rel.endswith((".c", ".h", ".md")):
            with open(os.path.join(ROOT, rel), errors="replace") as f:
                released |= {l.strip() for l in f}
    lines = {}
    folder = os.path.join(ROOT, "solutions")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".c"):
            continue
        with open(os.path.join(folder, name), errors="replace") as f:
            for n, line in enumerate(f, 1):
                s = line.strip()
                if (len(s) >= 16 and s not in released and not s.startswith(("/*", "*", "//"))
                        and re.search(r"[=;(]", s)):
                    lines.setdefault(s, f"solutions/{name}:{n}")
    return lines


def check_site(course, check):
    """The web edition is in the release, a page per chapter, and works from
    where the release was unpacked."""
    site = os.path.join(course, SITE_DEST)
    chapters = sorted(f for f in os.listdir(os.path.join(ROOT, "chapters"))
                      if re.match(r"^\d\d-\w+\.md$", f))
    missing = [c.replace(".md", ".html") for c in ["index.md"] + chapters
               if not os.path.isfile(os.path.join(site, c.replace(".md", ".html")))]
    check(not missing, f"the web edition is in {SITE_DEST}/, a page per chapter"
          + (f": missing {', '.join(missing)}" if missing else ""))
    if not shutil.which("chromium"):
        print("skip the web edition in a browser: no Chromium here (sh tools/setup.sh all)")
        return
    shots = tempfile.mkdtemp(prefix="release-shots-")
    try:
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "check_web.py"),
                               "--site", site, "--out", shots], capture_output=True, text=True)
    finally:
        shutil.rmtree(shots, ignore_errors=True)
    check(proc.returncode == 0, f"the web edition loads from {SITE_DEST}/index.html of the "
          "unpacked release in headless Chromium: no error, outside request or dead link"
          + ("" if proc.returncode == 0 else ":\n" + proc.stdout[-1500:]))


def verify(tarball, checks):
    """Unpacks the release and proves it; appends (ok, text) to checks."""
    def check(ok, text):
        checks.append((ok, text))
        print(("ok   " if ok else "FAIL ") + text, flush=True)
    tmp = tempfile.mkdtemp(prefix="release-")
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp)
        course = os.path.join(tmp, "course")
        files = []
        for dirpath, _, filenames in os.walk(course):
            files += [os.path.relpath(os.path.join(dirpath, f), course) for f in filenames]
        leaked = [f for f in files if excluded(f)]
        check(not leaked, "no instructor-only path in the release"
              + (f": {', '.join(leaked[:5])}" if leaked else ""))
        check_site(course, check)
        secret = distinctive_lines()
        hits = []
        for rel in files:
            with open(os.path.join(course, rel), "rb") as f:
                data = f.read()
            if b"\0" in data:
                continue
            for line in data.decode("utf-8", "replace").splitlines():
                if line.strip() in secret:
                    hits.append(f"{rel} has {secret[line.strip()]}: {line.strip()[:60]}")
        check(bool(secret) and not hits,
              f"none of the {len(secret)} distinctive lines of solutions/*.c is in it"
              + (": " + "; ".join(hits[:5]) if hits else ""))
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
        helped = subprocess.run(["make", "help"], cwd=course, capture_output=True, text=True,
                                env=env)
        check(helped.returncode == 0 and "make grade" in helped.stdout,
              "make help works in the release")
        declined = subprocess.run(["make", "test"], cwd=course, capture_output=True,
                                  text=True, env=env)
        check(declined.returncode != 0 and "not part of this student release"
              in declined.stderr, "make test declines in one line in the release")
        graded = subprocess.run(["make", "grade"], cwd=course, capture_output=True, text=True,
                                env=env, timeout=900)
        report = os.path.join(course, "build", "grade", "results.json")
        score = None
        if os.path.exists(report):
            with open(report) as f:
                data = json.load(f)
            score = (data["score"], data["max_score"], len(data["tests"]))
        check(graded.returncode == 0 and score is not None and score[0] == 0 and score[1] > 0,
              f"make grade runs in the unpacked release and scores 0"
              + (f" (0/{score[1]}, {score[2]} tests)" if score else
                 f": {(graded.stdout + graded.stderr)[-600:]}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="build/release")
    p.add_argument("--no-verify", dest="verify", action="store_false")
    args = p.parse_args(argv)
    out = os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out
    build_site()
    tmp = tempfile.mkdtemp(prefix="release-stage-")
    try:
        tree = stage(os.path.join(tmp, "course"))
        tarball = os.path.join(out, NAME + ".tar.gz")
        write_tarball(tree, tarball)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"release: wrote {os.path.relpath(tarball, os.getcwd())} "
          f"({len(student_files())} files)")
    checks = []
    if args.verify:
        verify(tarball, checks)
        failed = sum(1 for ok, _ in checks if not ok)
        print(f"release: {len(checks) - failed} passed, {failed} failed")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
