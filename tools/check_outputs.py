#!/usr/bin/env python3
"""check_outputs.py: the book and the code are one.

Checks, for every chapter:
  - each ```{.output program="slug"} block is a contiguous run of lines of
    that chapter's demo output, the demo built on the reference solutions;
  - each "chapter N, section N.M 'Heading'" that a test cites, and each
    TODO(N.M, "Heading") of an exercise stub, names a real section;
  - the chapter's Exercises section names every graded test of the chapter,
    and every test-like name it shows is a real test or course identifier;
  - the chapter has all its files, its tests declare points with GRADED,
    and the text is ASCII (pdflatex);
  - no source of the book or of the code holds a control character (a TAB
    typed where `\t` of `\theta` was meant prints "L(heta)"); only the
    Makefile's recipes may start with a TAB.
Prints one line per failed check and "check_outputs: N passed, N failed".
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402  (GRADED_RE: how a graded test is declared)
OUTPUT_BLOCK = re.compile(r"^```\{\.output program=\"(\w+)\"\}\n(.*?)^```\s*$", re.M | re.S)
SEE = re.compile(r"chapter (\d+), section (\d+)\.(\d+) '([^']+)'")
TODO = re.compile(r'TODO\((\d+)\.(\d+), "([^"]+)"\)')
CODE_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
HEADING = re.compile(r"^## (.+?)(?:\s*\{[^}]*\})?\s*$", re.M)
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # all but the newline, \n
# The sources the book and the course are made of (folders are walked).
SOURCES = ["book.md", "references.bib", "README.md", "CONTRIBUTING.md", "Makefile",
           "chapters", "include", "lib", "examples", "exercises", "solutions", "tests",
           "tools", "data/README.md"]
TEXT_EXT = (".md", ".bib", ".c", ".h", ".py", ".sh", ".lua", ".tex", ".gp", ".gnuplot",
            ".fault", ".html", ".css", ".js", ".yml", ".txt")


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
        return ok


def chapters():
    for name in sorted(os.listdir(os.path.join(ROOT, "chapters"))):
        m = re.match(r"^(\d\d)-(\w+)\.md$", name)
        if m:
            yield int(m.group(1)), m.group(2), os.path.join("chapters", name)


def demo_output(slug, checks):
    """The stdout of the solutions' demo for slug, or None."""
    target = f"build/solutions/bin/{slug}-demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    build = subprocess.run(["make", "--no-print-directory", "-s", target], cwd=ROOT,
                           capture_output=True, text=True, env=env)
    if not checks.check(build.returncode == 0, f"{slug}: the demo does not build:\n"
                        + build.stdout + build.stderr):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([os.path.join(ROOT, target), tmp], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    if not checks.check(run.returncode == 0, f"{slug}: the demo exited with {run.returncode}"):
        return None
    return run.stdout


def contains_run(haystack, needle):
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def headings_of(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return HEADING.findall(f.read())


def check_chapter(number, slug, path, checks, headings, identifiers):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        text = f.read()
    for folder, ext in (("include", ".h"), ("exercises", ".c"), ("solutions", ".c"),
                        ("tests", ".c"), ("examples", ".c")):
        checks.check(os.path.exists(os.path.join(ROOT, folder, slug + ext)),
                     f"{path}: {folder}/{slug}{ext} is missing")
    bad = [i + 1 for i, line in enumerate(text.splitlines()) if not line.isascii()]
    checks.check(not bad, f"{path}: non-ASCII characters on lines {bad[:10]} (pdflatex)")

    blocks = OUTPUT_BLOCK.findall(text)
    outputs = {}
    for program, body in blocks:
        if program not in outputs:
            outputs[program] = demo_output(program, checks)
        out = outputs[program]
        if out is None:
            continue
        want = body.rstrip("\n").split("\n")
        got = out.split("\n")
        checks.check(contains_run(got, want),
                     f"{path}: an output block of the {program} demo does not match the "
                     f"demo's output; first line: {want[0]!r}")

    tests = os.path.join(ROOT, "tests", slug + ".c")
    if os.path.exists(tests):
        check_exercise_list(path, text, slug, checks, identifiers)
        with open(tests) as f:
            source = f.read()
        checks.check(not re.search(r"^\s*Test\s*\(", source, re.M),
                     f"tests/{slug}.c: declare graded tests with GRADED(...), not Test(...)")
        checks.check(re.search(r"^\s*GRADED", source, re.M),
                     f"tests/{slug}.c: no GRADED test")
        # the visible tests' and the held-back checks' citations
        held = os.path.join(ROOT, "tests", "held", slug + ".c")
        checks.check(os.path.exists(held) and re.search(r"^\s*HELD\s*\(", open(held).read(),
                                                         re.M),
                     f"tests/held/{slug}.c: no held-back check (the grade of record adds "
                     f"them for every chapter: CONTRIBUTING.md)")
        for name in [f"tests/{slug}.c"] + ([f"tests/held/{slug}.c"]
                                           if os.path.exists(held) else []):
            with open(os.path.join(ROOT, name)) as f:
                cited = f.read()
            for ch, ch2, sec, title in sorted(set(SEE.findall(cited))):
                ch, ch2, sec = int(ch), int(ch2), int(sec)
                titles = headings.get(ch, [])
                actual = titles[sec - 1] if 0 < sec <= len(titles) else "missing"
                checks.check(ch == ch2 and actual == title,
                             f"{name} cites chapter {ch}, section {ch2}.{sec} "
                             f"'{title}', but that section is '{actual}'")


def exercises_section(text):
    start = text.find("\n## Exercises")
    if start < 0:
        return None
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def course_identifiers():
    """Every identifier of the course's headers and shared code."""
    names = set()
    for folder in ("include", "lib"):
        for name in os.listdir(os.path.join(ROOT, folder)):
            with open(os.path.join(ROOT, folder, name)) as f:
                names.update(re.findall(r"\b[A-Za-z_]\w*\b", f.read()))
    return names


def check_exercise_list(path, text, slug, checks, identifiers):
    """The Exercises section lists the chapter's graded tests, and only real
    ones: a renamed test cannot leave a stale name in the book."""
    section = exercises_section(text)
    if not checks.check(section is not None, f"{path}: no '## Exercises' section"):
        return
    with open(os.path.join(ROOT, "tests", slug + ".c")) as f:
        tests = {m.group(3) for m in grade.GRADED_RE.finditer(f.read())}
    shown = set(CODE_NAME.findall(section))
    missing = sorted(tests - shown)
    # Names with two underscores or more look like tests; the others are
    # words, flags or short identifiers.
    stale = sorted(n for n in shown - tests - identifiers if n.count("_") >= 2)
    checks.check(not missing and not stale,
                 f"{path}: the Exercises section"
                 + (f" does not list the tests {', '.join(missing)}" if missing else "")
                 + (" and" if missing and stale else "")
                 + (f" shows {', '.join(stale)}, neither a test of tests/{slug}.c nor a "
                    f"course identifier" if stale else ""))


def check_todos(slug, headings, checks):
    path = os.path.join(ROOT, "exercises", slug + ".c")
    if not os.path.exists(path):
        return
    with open(path) as f:
        source = f.read()
    for ch, sec, title in sorted(set(TODO.findall(source))):
        titles = headings.get(int(ch), [])
        actual = titles[int(sec) - 1] if 0 < int(sec) <= len(titles) else "missing"
        checks.check(actual == title, f"exercises/{slug}.c: TODO({ch}.{sec}, \"{title}\") "
                                      f"but that section is '{actual}'")


def source_files():
    for entry in SOURCES:
        path = os.path.join(ROOT, entry)
        if os.path.isfile(path):
            yield entry
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(TEXT_EXT) or "." not in name:
                    yield os.path.relpath(os.path.join(dirpath, name), ROOT)


def check_control_characters(checks):
    """No control character but the newline in any source: a TAB in book.md
    once turned \\theta into TAB + "heta". The Makefile's recipes are the only
    place a TAB belongs (at the start of a line)."""
    for rel in source_files():
        with open(os.path.join(ROOT, rel), "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        bad = [(number, line) for number, line in enumerate(text.split("\n"), 1)
               if CONTROL.search(line.lstrip("\t") if rel == "Makefile" else line)]
        if bad:
            shown = CONTROL.sub(lambda m: f"<0x{ord(m.group()):02x}>", bad[0][1].strip())
        checks.check(not bad, f"{rel}: control characters (0x09 is a TAB) on lines "
                     f"{[n for n, _ in bad[:10]]}, e.g. {shown[:70]}" if bad else "")


def main():
    checks = Checks()
    check_control_characters(checks)
    with open(os.path.join(ROOT, "book.md")) as f:
        checks.check(f.read().isascii(), "book.md: non-ASCII characters (pdflatex)")
    headings = {number: headings_of(path) for number, _, path in chapters()}
    identifiers = course_identifiers()
    for number, slug, path in chapters():
        check_chapter(number, slug, path, checks, headings, identifiers)
        check_todos(slug, headings, checks)
    for line in checks.failed:
        print("FAIL " + line)
    print(f"check_outputs: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
