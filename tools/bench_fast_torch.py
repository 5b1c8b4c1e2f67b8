#!/usr/bin/env python3
"""bench_fast_torch.py: torch.optim's side of chapter 9's benchmark.

    python3 tools/bench_fast_torch.py REPS N...

Run by tools/bench_fast.py with a Python that can import torch (Debian:
apt-get install python3-torch). Times, on one thread and in float32, the
same steps as tools/bench_fast.c on the same sizes, with torch's default
implementation: SGD with momentum 0.9, Adam, AdamW (weight decay 1e-2),
each at lr 1e-3 on N parameters, and cross_entropy forward and backward
on N / 1000 rows of 1000 logits. Prints its version, theta at the end of
chapter 4's tutorial run in float32, then one line per size and kernel:
    torch  N  kernel  ns_per_param
"""
import sys
import time

import torch
import torch.nn.functional as F

CLASSES = 1000


def best_time(step, n, reps):
    """The best over reps of the time of one step, in seconds; each timing
    repeats the step until it has covered 2e7 parameters, as the C does."""
    iters = max(1, 20_000_000 // n)
    step()  # warm up: allocations, caches
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(iters):
            step()
        best = min(best, (time.perf_counter() - start) / iters)
    return best


def optimizer_step(make, n):
    p = torch.nn.Parameter(torch.rand(n, dtype=torch.float32) - 0.5)
    p.grad = 1e-3 * (torch.rand(n, dtype=torch.float32) + 0.1)
    opt = make([p])
    return opt.step


def xent_step(n):
    batch = n // CLASSES
    logits = (8 * torch.rand(batch, CLASSES) - 4).requires_grad_()
    labels = (torch.arange(batch) * 7919) % CLASSES

    def step():
        logits.grad = None
        F.cross_entropy(logits, labels).backward()
    return step


def tutorial_run():
    """Chapter 4's tutorial run, (theta - 3)^2 from 0 with Adam
    at lr 0.01 for 100 steps, in float32: theta at the end."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=0.01)
    for _ in range(100):
        opt.zero_grad()
        ((p - 3) ** 2).sum().backward()
        opt.step()
    return p.item()


def main():
    reps, sizes = int(sys.argv[1]), [int(float(a)) for a in sys.argv[2:]]
    torch.set_num_threads(1)
    print(f"version\t{torch.__version__}\t{torch.get_num_threads()}", flush=True)
    print(f"notes\t{tutorial_run():.16f}", flush=True)
    for n in sizes:
        r = max(1, (reps + 1) // 2) if n >= 50_000_000 else reps
        kernels = [
            ("heavy_ball", optimizer_step(
                lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9), n)),
            ("adam", optimizer_step(lambda ps: torch.optim.Adam(ps, lr=1e-3), n)),
            ("adamw", optimizer_step(
                lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=1e-2), n)),
            ("xent", xent_step(n)),
        ]
        for name, step in kernels:
            seconds = best_time(step, n, r)
            print(f"torch\t{n}\t{name}\t{seconds / n * 1e9:.4f}", flush=True)
        del kernels


if __name__ == "__main__":
    main()
