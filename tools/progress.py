#!/usr/bin/env python3
"""progress.py: what changed since the previous `make grade`, remembered.

`make grade` passes tools/grade.py `--progress build/grade/progress.json`;
after each grade, grade.py calls update() here, which compares the tests
that pass now with the ones that passed at the previous grade of each
chapter, remembers the new state (atomically: `make watch` may stop a grade
at any moment) and returns what the score table shows:

  - a "Change" column: points gained (+3) or lost (-2) since the previous
    grade of that chapter, "new" for its first grade, and a "!" when a test
    that passed then fails now;
  - under the table, the tests that passed last time and fail now, and one
    line for the whole course: chapters at full marks, points, a bar. A
    chapter not graded this time (make grade CH=NN) counts with its last
    grade, a chapter never graded with 0.

The file lives under build/, so `make clean` forgets it. Only the student's
own grades are remembered: make test, class grading and Gradescope do not
pass --progress. Standard library only.
"""
import json
import os
import tempfile
import textwrap
import time

VERSION = 1
BAR = 20  # characters of the course's progress bar
WIDTH = 80


def load(path):
    """The remembered state: {chapter key: {test id: passed}}, or {}."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {}
    chapters = data.get("chapters")
    return chapters if isinstance(chapters, dict) else {}


def save(path, state):
    """Writes the state atomically (a stopped grade leaves the old one)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".progress-")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"version": VERSION, "time": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "chapters": state}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Change:
    """What changed in one chapter since its previous grade."""

    def __init__(self, chapter, before):
        self.chapter, self.first = chapter, before is None
        before = before or {}
        now = {t.id: t.passed for t in chapter.tests}
        self.lost = [t for t in chapter.tests if before.get(t.id) and not t.passed]
        self.gained = [t for t in chapter.tests if t.passed and not before.get(t.id)]
        self.delta = (sum(t.points for t in self.gained)
                      - sum(t.points for t in self.lost))
        self.state = now

    @property
    def mark(self):
        """The table's "Change" cell: +3, -2, new, or empty; ! when a test
        that passed fails now."""
        if self.first:
            return "new"
        text = f"{self.delta:+d}" if self.delta else ""
        return text + ("!" if self.lost else "")


class Progress:
    """The comparison of one grade with the remembered state."""

    def __init__(self, all_chapters, graded, before):
        self.all_chapters = all_chapters
        self.changes = {ch.key: Change(ch, before.get(ch.key)) for ch in graded}
        self.state = dict(before)
        for key, change in self.changes.items():
            self.state[key] = change.state

    # -- the table's column -------------------------------------------------
    HEADING = "Change"

    def cell(self, chapter):
        change = self.changes.get(chapter.key)
        return f" {change.mark if change else '':>6}"

    def heading(self):
        return f" {self.HEADING:>6}"

    def total_cell(self):
        delta = sum(c.delta for c in self.changes.values() if not c.first)
        lost = any(c.lost for c in self.changes.values())
        known = any(not c.first for c in self.changes.values())
        text = (f"{delta:+d}" if delta else "") + ("!" if lost else "")
        return f" {text if known else '':>6}"

    # -- under the table ----------------------------------------------------
    def lines(self):
        out = []
        for change in self.changes.values():
            lost, number = change.lost, int(change.chapter.number)
            if not lost:
                continue
            if change.chapter.build_error:
                out.append(f"! chapter {number}: {len(lost)} test(s) that passed at "
                           "the previous grade fail now: it did not build")
                continue
            names = ", ".join(t.name for t in lost[:3])
            more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
            out += textwrap.wrap(
                f"! chapter {number}: passed at the previous grade, fail now: "
                f"{names}{more}", WIDTH, subsequent_indent="    ",
                break_on_hyphens=False)
        out.append(self.course_line())
        return out

    def course_line(self):
        """Chapters at full marks, points and a bar, over the whole course
        (each chapter as last graded)."""
        points = maximum = full = 0
        for ch in self.all_chapters:
            passed = self.state.get(ch.key, {})
            got = sum(t.points for t in ch.tests if passed.get(t.id))
            points += got
            maximum += ch.max_points
            full += bool(ch.tests) and got == ch.max_points
        share = points / maximum if maximum else 0.0
        filled = int(share * BAR + 1e-9)
        return (f"Course: {full}/{len(self.all_chapters)} chapters at full marks, "
                f"{points}/{maximum} points [{'#' * filled}{'.' * (BAR - filled)}] "
                f"{int(share * 100 + 1e-9)}%")


def update(path, all_chapters, graded):
    """Compares the chapters just graded with the state remembered at path,
    remembers the new state, and returns the Progress (for the table)."""
    progress = Progress(all_chapters, graded, load(path))
    save(path, progress.state)
    return progress
