#!/usr/bin/env python3
"""gradescope.py: the Gradescope autograder zip, tested locally.

    python3 tools/gradescope.py [--out build/gradescope] [--no-verify]
    make gradescope

Writes OUT/autograder.zip: setup.sh, run_autograder and run.py (from
tools/gradescope/) at its root and, in course/, the course as the student
release has it (tools/release.py: no solutions, no instructor tools).

Then it proves the zip (unless --no-verify): it lays out Gradescope's
folders in a temporary AUTOGRADER_ROOT (source/ = the unzipped zip,
submission/ = an upload, results/), runs run_autograder there, and checks
results.json: an upload of chapter 1's reference solution as a bare gd.c
and another chapter's as exercises/SLUG.c scores the full marks of those
two chapters and 0 elsewhere, with a note on the files not handed in.
(setup.sh is not run: it installs packages; its last step, run.py
--prepare, which builds the course's judges once, is.) Prints
"gradescope: N passed, N failed".
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402
import release  # noqa: E402

SCRIPTS = ["setup.sh", "run_autograder", "run.py"]


def build_zip(path):
    tmp = tempfile.mkdtemp(prefix="gradescope-")
    try:
        tree = release.stage(os.path.join(tmp, "course"), site=False)
        # the grade of record's held-back checks and the reference they
        # compare with: in the instructor's zip, never in the release
        for folder in ("solutions", os.path.join("tests", "held")):
            shutil.copytree(os.path.join(ROOT, folder), os.path.join(tree, folder))
        for name in ("held.c", "held.h"):
            shutil.copy(os.path.join(ROOT, "tests", "support", name),
                        os.path.join(tree, "tests", "support", name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name in SCRIPTS:
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(os.path.join(ROOT, "tools", "gradescope", name), "rb") as f:
                    z.writestr(info, f.read())
            for dirpath, _, filenames in os.walk(tree):
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    arc = os.path.join("course", os.path.relpath(full, tree))
                    z.write(full, arc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def unzip(path, dest):
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            z.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(os.path.join(dest, info.filename), mode)


def prepare(root, env):
    """What setup.sh does on Gradescope besides installing packages: build
    the course's judges once (run.py --prepare)."""
    subprocess.run([sys.executable, os.path.join(root, "source", "run.py"), "--prepare"],
                   env=env, capture_output=True, text=True, timeout=1800, check=True)


def verify(path, checks):
    def check(ok, text):
        checks.append((ok, text))
        print(("ok   " if ok else "FAIL ") + text, flush=True)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    check(all(s in names for s in SCRIPTS) and "course/tests/held/gd.c" in names
          and "course/solutions/gd.c" in names,
          "the zip has setup.sh and run_autograder at its root, the held-back checks "
          "and the reference solution they compare with")
    chapters = grade.discover_chapters()
    # another chapter that needs nothing but chapter 1 (the rest stay stubs)
    other = next((c for c in reversed(chapters) if c.slug != "gd" and set(c.uses) <= {"gd"}),
                 None)
    ag = tempfile.mkdtemp(prefix="autograder-")
    try:
        unzip(path, os.path.join(ag, "source"))
        sub = os.path.join(ag, "submission")
        os.makedirs(os.path.join(sub, "exercises"))
        shutil.copyfile(os.path.join(ROOT, "solutions", "gd.c"), os.path.join(sub, "gd.c"))
        expected = {"01"}
        if other:
            shutil.copyfile(os.path.join(ROOT, "solutions", other.slug + ".c"),
                            os.path.join(sub, "exercises", other.slug + ".c"))
            expected.add(other.number)
        with open(os.path.join(sub, "notes.txt"), "w") as f:
            f.write("a file that is not an exercise\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
        env["AUTOGRADER_ROOT"] = ag
        prepare(ag, env)
        proc = subprocess.run(["bash", os.path.join(ag, "source", "run_autograder")], env=env,
                              capture_output=True, text=True, timeout=1200)
        report = os.path.join(ag, "results", "results.json")
        if not os.path.exists(report):
            check(False, "run_autograder wrote results/results.json: "
                  + (proc.stdout + proc.stderr)[-800:])
            return
        with open(report) as f:
            data = json.load(f)
        want = sum(c.max_points + sum(t.points for t in grade.read_held(c, 1))
                   for c in chapters if c.number in expected)
        per = {}
        for t in data["tests"]:
            n = re.match(r"Chapter (\d+)", t["name"]).group(1).zfill(2)
            per[n] = per.get(n, 0) + t["score"]
        wrong = {n: p for n, p in per.items() if (n in expected) != (p > 0)}
        check(data["score"] == want and not wrong,
              f"run_autograder scores the upload {data['score']}/{data['max_score']} "
              f"(want {want}: chapters {', '.join(sorted(expected))} in full, 0 elsewhere)"
              + (f"; per chapter: {per}" if wrong or data["score"] != want else ""))
        check("not in your upload" in data.get("output", ""),
              "results.json notes the chapter files not handed in")
        held = [t for t in data["tests"] if "held-back" in t.get("tags", [])]
        check(held and isinstance(data.get("seed"), str) and "seed" in data["output"],
              f"results.json has the held-back checks as tests of their own "
              f"({len(held)}) and the seed they were drawn from ({data.get('seed')})")
    finally:
        shutil.rmtree(ag, ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="build/gradescope")
    p.add_argument("--no-verify", dest="verify", action="store_false")
    args = p.parse_args(argv)
    out = os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out
    path = os.path.join(out, "autograder.zip")
    build_zip(path)
    print(f"gradescope: wrote {os.path.relpath(path, os.getcwd())} "
          f"({os.path.getsize(path) // 1024} KiB)")
    if not args.verify:
        return 0
    checks = []
    verify(path, checks)
    failed = sum(1 for ok, _ in checks if not ok)
    print(f"gradescope: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
