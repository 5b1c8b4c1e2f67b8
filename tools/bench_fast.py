#!/usr/bin/env python3
"""bench_fast.py: chapter 9's benchmark, `make bench` (not a test: speed is
measured, never graded, and no test asserts it).

    python3 tools/bench_fast.py [--reps R] [--sizes N,N,...] [--out FILE] [--no-torch]

Builds tools/bench_fast.c with the tuned flags and links it with three
builds of the reference solutions/fast.c (the course's -O2, -O3
-march=native, and the tuned -O3 -march=native -fno-math-errno), runs it
on sizes from cache-resident to far beyond the last-level cache, and, when
a Python with torch is found (Debian: apt-get install python3-torch),
times torch.optim's steps on the same sizes in the same run. Prints one
table, for the largest size: ns per parameter, GB/s (the bytes a step
must move, over its time), the fraction of the same-traffic probe reached,
and the speed-up over torch; then the tuned kernels at every size. Writes
every number, with the machine it came from, to FILE (default
data/fast-bench.tsv, which chapter 9's figure and text use).
"""
import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "bench")
DATA = os.path.join(ROOT, "data", "fast-bench.tsv")
SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000,
         50_000_000]
BASE = ["-std=c11", "-Iinclude", "-Ilib", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
O2 = ["-O2", "-ffp-contract=off"]                       # the course's flags
O3 = ["-O3", "-march=native"]                           # math-errno still on
TUNED = ["-O3", "-march=native", "-fno-math-errno"]     # chapter 9's flags
BUILDS = [("_o2", O2), ("_o3", O3), ("_tuned", TUNED)]
KERNELS = ["heavy_ball", "adam", "adamw", "xent"]
TORCH_NAME = {"heavy_ball": "torch.optim.SGD", "adam": "torch.optim.Adam",
              "adamw": "torch.optim.AdamW", "xent": "F.cross_entropy"}
PROBE = {"heavy_ball": "hb float", "adam": "adam float", "adamw": "adam float",
         "xent": "xent float"}
TORCH_HINT = ("torch: not found -- the torch.optim column is skipped. To add it "
              "(Debian): sudo apt-get install python3-torch")


def run(cmd, **kw):
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def build():
    """build/bench/bench-fast: the harness and the three builds."""
    cc = os.environ.get("CC", "cc")
    os.makedirs(BUILD, exist_ok=True)
    objects = []
    for suffix, flags in BUILDS:
        obj = os.path.join(BUILD, f"fast{suffix}.o")
        run([cc] + BASE + flags + [f"-DVARIANT={suffix}", "-include",
                                   "tools/bench_fast_rename.h", "-c",
                                   "solutions/fast.c", "-o", obj])
        objects.append(obj)
    harness = os.path.join(BUILD, "bench_fast.o")
    run([cc] + BASE + TUNED + ["-c", "tools/bench_fast.c", "-o", harness])
    binary = os.path.join(BUILD, "bench-fast")
    run([cc] + objects + [harness, "-o", binary, "-lm", "-lpthread"])
    return binary, cc


def torch_python():
    """A Python that imports torch: this one, else Debian's own."""
    for py in dict.fromkeys([sys.executable, "/usr/bin/python3", shutil.which("python3")]):
        if py and os.path.exists(py) and subprocess.run(
                [py, "-c", "import torch.optim, torch.nn.functional"],
                capture_output=True).returncode == 0:
            return py
    return None


def machine():
    """One line on the machine: CPU model, cores, caches (lscpu)."""
    info = {}
    if shutil.which("lscpu"):
        out = subprocess.run(["lscpu"], capture_output=True, text=True,
                             env=dict(os.environ, LC_ALL="C")).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
    model = info.get("Model name", platform.processor() or platform.machine())
    cores = info.get("CPU(s)", str(os.cpu_count()))
    caches = ", ".join(f"{k.split()[0]} {info[k]}" for k in ("L1d cache", "L2 cache",
                                                             "L3 cache") if k in info)
    return f"{model}, {cores} cores; {caches}"


def parse(text):
    rows, stream, bits, torch_version, notes = [], {}, {}, None, None
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "run":
            rows.append({"n": int(f[1]), "kernel": f[2], "variant": f[3],
                         "ns": float(f[4]), "gbs": float(f[5]), "frac": float(f[6])})
        elif f[0] == "torch":
            rows.append({"n": int(f[1]), "kernel": f[2], "variant": "torch",
                         "ns": float(f[3]), "gbs": None, "frac": None})
        elif f[0] == "stream":
            stream[f[2]] = (int(f[1]), float(f[3]))
        elif f[0] == "bits":
            bits[f[1]] = f[2]
        elif f[0] == "version":
            torch_version = f"{f[1]}, {f[2]} thread"
        elif f[0] == "notes":
            notes = f[1]
    return rows, stream, bits, torch_version, notes


def fmt_n(n):
    return f"{n:.0e}".replace("e+0", "e")


def table(rows, n, bytes_of):
    """The main table at size n, as lines of text."""
    at = [r for r in rows if r["n"] == n]
    torch = {r["kernel"]: r["ns"] for r in at if r["variant"] == "torch"}
    probe = {r["variant"]: r["ns"] for r in at if r["kernel"] == "probe"}
    lines = [f"{'kernel':<11} {'variant':<16} {'ns/param':>9} {'GB/s':>6} "
             f"{'of probe':>8} {'vs torch':>9}"]
    for k in KERNELS:
        for r in (r for r in at if r["kernel"] == k and r["variant"] != "torch"):
            vs = f"{torch[k] / r['ns']:8.1f}x" if k in torch else f"{'-':>9}"
            lines.append(f"{k:<11} {r['variant']:<16} {r['ns']:9.3f} {r['gbs']:6.1f} "
                         f"{r['frac']:8.0%} {vs}")
        if k in torch:
            gbs = bytes_of[k] / torch[k]
            lines.append(f"{k:<11} {TORCH_NAME[k]:<16} {torch[k]:9.3f} {gbs:6.1f} "
                         f"{probe[PROBE[k]] / torch[k]:8.0%} {1:8.1f}x")
        lines.append(f"{k:<11} {'probe':<16} {probe[PROBE[k]]:9.3f} "
                     f"{bytes_of[k] / probe[PROBE[k]]:6.1f} {1:8.0%}")
    return lines


def sizes_table(rows, sizes):
    """The tuned kernels, their probes and torch at every size (ns/param)."""
    def ns(k, v, n):
        r = [r["ns"] for r in rows if r["n"] == n and r["kernel"] == k
             and r["variant"] == v]
        return f"{r[0]:7.3f}" if r else f"{'-':>7}"
    head = f"{'ns/param':<24}" + "".join(f"{fmt_n(n):>8}" for n in sizes)
    lines = [head]
    for k in KERNELS:
        for label, kk, v in ((f"{k} tuned", k, "tuned"),
                             (f"{k} probe", "probe", PROBE[k]),
                             (f"{k} torch", k, "torch")):
            if kk == "probe" and k == "adamw":
                continue
            cells = [ns(kk, v, n) for n in sizes]
            if all(c.strip() == "-" for c in cells):
                continue
            lines.append(f"{label:<24}" + "".join(f" {c}" for c in cells))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    ap.add_argument("--out", default=DATA)
    ap.add_argument("--no-torch", action="store_true",
                    help="leave torch out even when it is installed")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]

    binary, cc = build()
    compiler = run([cc, "--version"]).splitlines()[0]
    where = machine()
    print(f"chapter 9 benchmark: {where}")
    print(f"compiler: {compiler}; tuned = {' '.join(TUNED)}; O2 = {' '.join(O2)}")
    print("running the C kernels (best of "
          f"{args.reps} rounds; sizes {', '.join(fmt_n(n) for n in sizes)}) ...", flush=True)
    text = run([binary] + [str(n) for n in sizes] + ["--reps", str(args.reps)])
    py = None if args.no_torch else torch_python()
    if py:
        print("running torch.optim on the same sizes, one thread ...", flush=True)
        proc = subprocess.run([py, "tools/bench_fast_torch.py", str(args.reps)]
                              + [str(n) for n in sizes], cwd=ROOT, capture_output=True,
                              text=True)
        if proc.returncode == 0:
            text += proc.stdout
        else:  # a broken torch costs its column only
            print(f"torch: {py} tools/bench_fast_torch.py failed, column skipped:\n"
                  + proc.stderr.strip()[-500:], flush=True)
    rows, stream, bits, torch_version, notes = parse(text)
    bytes_of = {"heavy_ball": 20, "adam": 28, "adamw": 28, "xent": 8}  # float

    big = max(sizes)
    print(f"torch: {torch_version}" if torch_version else TORCH_HINT)
    if notes:
        print(f"torch's float32 Adam on chapter 4's tutorial run: theta = {notes} "
              "(make run CH=09 prints fast_adam_step's)")
    same = [k for k, v in bits.items() if v == "identical"]
    print("same bits as -O2 in the tuned builds: " + (", ".join(same) or "none")
          + "".join(f"; {k} DIFFERS" for k, v in bits.items() if v != "identical"))
    print("memory bandwidth (STREAM, %s doubles): copy %.1f GB/s, triad %.1f GB/s"
          % (fmt_n(stream["copy"][0]), stream["copy"][1], stream["triad"][1]))
    print(f"\nat n = {fmt_n(big)} parameters (logits for xent), the largest size; "
          "bytes a step must move per parameter: heavy_ball 20, adam and adamw 28, "
          "xent 8 (float):")
    for line in table(rows, big, bytes_of):
        print("  " + line)
    print("\nthe tuned kernels, their probes and torch at every size:")
    for line in sizes_table(rows, sizes):
        print("  " + line)

    goals = []
    for k in KERNELS:
        r = [x for x in rows if x["n"] == big and x["kernel"] == k and x["variant"] == "tuned"]
        if r:
            goals.append(f"{k} tuned at {r[0]['frac']:.0%} of its probe")
    t = [x for x in rows if x["n"] == big and x["kernel"] == "adam" and x["variant"] == "torch"]
    a = [x for x in rows if x["n"] == big and x["kernel"] == "adam" and x["variant"] == "tuned"]
    if t and a:
        goals.append(f"adam tuned {t[0]['ns'] / a[0]['ns']:.1f}x faster than torch.optim.Adam")
    print("\ngoals (chapter 9: 85% of the probe; 4x torch's Adam): " + "; ".join(goals))

    with open(args.out, "w") as f:
        f.write(f"# chapter 9 benchmark (make bench), {datetime.date.today()}\n")
        f.write(f"# machine: {where}\n# compiler: {compiler}\n")
        f.write(f"# torch: {torch_version or 'not installed'}"
                + (f"; tutorial run theta = {notes}" if notes else "") + "\n")
        f.write("# stream: " + ", ".join(f"{k} {v[1]:.2f} GB/s" for k, v in stream.items())
                + f" at {stream['copy'][0]} doubles\n")
        f.write("# n\tkernel\tvariant\tns_per_param\tGB_per_s\tprobe_fraction\n")
        for r in rows:
            f.write(f"{r['n']}\t{r['kernel']}\t{r['variant']}\t{r['ns']:.4f}\t"
                    + (f"{r['gbs']:.2f}\t{r['frac']:.3f}\n" if r["gbs"] is not None
                       else "-\t-\n"))
    print(f"\ndata: {os.path.relpath(args.out, ROOT)}")
    # the book's figure is drawn from this file, which its make rule does
    # not watch: drop the drawn figure, and the book made with it, so that
    # `make book` draws it anew
    figures = os.path.join(ROOT, "build", "figures")
    stale = [os.path.join(figures, n) for n in (os.listdir(figures) if os.path.isdir(figures)
                                                 else []) if n.startswith("fast-")]
    for path in stale + [os.path.join(ROOT, "build", "book.pdf")]:
        if os.path.exists(path) and os.path.samefile(args.out, DATA):
            os.remove(path)


if __name__ == "__main__":
    main()
