#!/usr/bin/env python3
"""bench_isolation.py: what the judge/driver split costs per test (a
benchmark, not a test: nothing here passes or fails on time).

For each chapter it links the same Criterion test object two ways and runs
every test of the chapter with each, REPEAT times, keeping the fastest run,
on one core as the grader runs them:

  in-process  tests/SLUG.c linked with the reference solutions themselves,
              as graded tests ran before the split (no driver, no sandbox);
  split       the judge (tests/SLUG.c with the generated proxies) and a
              driver of the reference solutions under its seccomp filter,
              as the grader runs them.

and prints, per chapter, the tests' count, both times and the cost per
test. The whole grader's
cost per class (compile checks, sandbox uids, held-back checks) is
`make bench-class`.

Usage: python3 tools/bench_isolation.py [--repeat N]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402

JUDGE = os.path.join(ROOT, "build", "judge")
CFLAGS = ["-std=c11", "-O2", "-ffp-contract=off", "-Iinclude", "-Ilib", "-Itests/support"]


def link_in_process(ch, out_dir):
    """The chapter's tests linked with the solutions: no judge, no driver."""
    objs = []
    for slug in [ch.slug] + ch.uses:
        obj = os.path.join(out_dir, f"{slug}.o")
        subprocess.run(["cc"] + CFLAGS + ["-c", f"solutions/{slug}.c", "-o", obj],
                       cwd=ROOT, check=True)
        objs.append(obj)
    stub = os.path.join(out_dir, "no-judge.c")
    with open(stub, "w") as f:
        f.write("void judge_close(void);\nvoid judge_close(void) {}\n")
    binary = os.path.join(out_dir, f"{ch.slug}-in-process")
    lib = [os.path.join(JUDGE, "obj", "lib", n) for n in sorted(os.listdir(
        os.path.join(JUDGE, "obj", "lib"))) if n.endswith(".o")]
    subprocess.run(["cc", os.path.join(JUDGE, "obj", "tests", f"{ch.slug}.o"), stub,
                    os.path.join(JUDGE, "obj", "support", "grading.o")] + objs + lib +
                   ["-o", binary, "-lcriterion", "-lm"], cwd=ROOT, check=True)
    return binary


def one_core():
    """As the grader runs a test: the runner and its children on one core."""
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})


def fastest(cmd, env, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       preexec_fn=one_core)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    os.chdir(ROOT)
    chapters = grade.discover_chapters()
    # the judges and the solutions' drivers, as make test builds them
    subprocess.run([sys.executable, "tools/grade.py", "--exercises", "solutions", "--build",
                    "build/solutions", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    print(f"{'chapter':<20} {'tests':>5} {'in-process':>11} {'split':>9} {'cost/test':>10}")
    total_in, total_split, total_tests = 0.0, 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for ch in chapters:
            binary = link_in_process(ch, tmp)
            env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C",
                   "COURSE_DATA_DIR": os.path.join(ROOT, "data")}
            t_in = fastest([binary, "--jobs=1"], env, args.repeat)
            driver = os.path.join(ROOT, "build", "solutions", "bin", f"{ch.slug}-driver")
            t_split = fastest([os.path.join(JUDGE, "bin", f"{ch.slug}-tests"), "--jobs=1"],
                              dict(env, GRADE_DRIVER=driver), args.repeat)
            n = len(ch.tests)
            total_in, total_split, total_tests = total_in + t_in, total_split + t_split, \
                total_tests + n
            print(f"{ch.key:<20} {n:>5} {t_in:>10.2f}s {t_split:>8.2f}s "
                  f"{(t_split - t_in) / n * 1000:>8.1f}ms")
    print(f"{'all':<20} {total_tests:>5} {total_in:>10.2f}s {total_split:>8.2f}s "
          f"{(total_split - total_in) / total_tests * 1000:>8.1f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
