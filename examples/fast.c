/* examples/fast.c: chapter 9's demo -- every number the chapter shows as
 * program output, none of which depends on the machine's speed: the bytes a
 * step moves, what float costs in accuracy, and how far the float kernels
 * of exercises/fast.c land from double-precision references. (The speeds
 * are measured by `make bench`, tools/bench_fast.py.)
 *
 * Usage: fast-demo [DIR]   (no figure data: chapter 9's figure is drawn
 * from data/fast-bench.tsv, which `make bench` writes) */
#include "demo.h"
#include "fast.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//> traffic
/* One pass over memory: the arrays it reads and writes, per parameter. */
typedef struct {
    const char *what;
    int reads, writes;
} Pass;

/* Bytes per parameter of a sequence of passes, with `size`-byte numbers. */
static int bytes_moved(const Pass *passes, int n_passes, int size) {
    int arrays = 0;
    for (int i = 0; i < n_passes; i++)
        arrays += passes[i].reads + passes[i].writes;
    return arrays * size;
}

/* The fused steps: one loop each. */
static const Pass HEAVY_BALL[] = {{"v = beta v + g; x -= lr v", 3, 2}};
static const Pass ADAM[] = {{"m, v, then x, in one loop", 4, 3}};

/* Adam as torch.optim 1.13 takes it (_single_tensor_adam): one pass per
 * tensor operation. sqrt writes a new tensor, the denominator. */
static const Pass ADAM_UNFUSED[] = {
    {"m.mul_(beta1)", 1, 1},        {"m.add_(g, alpha=1-beta1)", 2, 1},
    {"v.mul_(beta2)", 1, 1},        {"v.addcmul_(g, g, value=1-beta2)", 2, 1},
    {"d = v.sqrt()", 1, 1},         {"d.div_(sqrt(1-beta2^t))", 1, 1},
    {"d.add_(eps)", 1, 1},          {"x.addcdiv_(m, d, value=-step)", 3, 1}};
static const Pass HEAVY_BALL_UNFUSED[] = {
    {"v.mul_(beta)", 1, 1}, {"v.add_(g)", 2, 1}, {"x.add_(v, alpha=-lr)", 2, 1}};
//< traffic

static void show_traffic(void) {
    demo_heading("bytes a step moves per parameter, and its time at 20 GB/s");
    const struct {
        const char *name;
        const Pass *passes;
        int n;
    } steps[] = {
        {"heavy ball, fused", HEAVY_BALL, 1},
        {"heavy ball, 3 passes", HEAVY_BALL_UNFUSED, 3},
        {"Adam, fused", ADAM, 1},
        {"Adam, 8 passes (torch)", ADAM_UNFUSED, 8},
    };
    printf("%-24s %6s %6s %13s %13s\n", "step", "float", "double",
           "ns/par float", "ns/par double");
    for (int i = 0; i < 4; i++) {
        int f = bytes_moved(steps[i].passes, steps[i].n, 4);
        int d = bytes_moved(steps[i].passes, steps[i].n, 8);
        printf("%-24s %6d %6d %13.2f %13.2f\n", steps[i].name, f, d, f / 20.0,
               d / 20.0);
    }
}

/* ---- what float costs -------------------------------------------------- */

//> tutorial_run
/* Chapter 4's tutorial run, (theta - 3)^2 from 0 with Adam at lr 0.01 and
 * PyTorch's other defaults for 100 steps, with the float kernel. */
static float tutorial_run_in_float(void) {
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    FastAdamState s;
    if (fast_adam_init(&s, 1) != 0) return NAN;
    float theta = 0.0f;
    for (int k = 0; k < 100; k++) {
        const float g = 2.0f * (theta - 3.0f); /* (theta - 3)^2 */
        fast_adam_step(&s, &theta, &g, &cfg);
    }
    fast_adam_free(&s);
    return theta;
}
//< tutorial_run

static void show_float_costs(void) {
    demo_heading("the tutorial's Adam run in float (chapter 4)");
    printf("fast_adam_step, float:       theta = %.10f\n", tutorial_run_in_float());
    printf("chapter 4, double:           theta = 0.9375536000\n");
    printf("the tutorial, float32:      theta = 0.9375530481\n");

    demo_heading("updates below half a float ulp are lost");
    printf("%-8s %-10s %18s %18s\n", "x0", "update", "x after 1e4, float",
           "x after 1e4, double");
    const double x0s[3] = {1.0, 1.0, 100.0}, ups[3] = {1e-8, 1e-7, 1e-6};
    for (int i = 0; i < 3; i++) {
        float xf = (float)x0s[i];
        double xd = x0s[i];
        for (int k = 0; k < 10000; k++) {
            xf -= (float)ups[i];
            xd -= ups[i];
        }
        printf("%-8g %-10g %18.9g %18.9g\n", x0s[i], ups[i], xf, xd);
    }
}

/* ---- the float kernels against double references ----------------------- */

/* Largest |a - b| / (1 + |b|) over n entries. */
static double worst_error(const float *a, const double *b, int n) {
    double w = 0.0;
    for (int i = 0; i < n; i++)
        w = fmax(w, fabs(a[i] - b[i]) / (1.0 + fabs(b[i])));
    return w;
}

static void show_accuracy(void) {
    enum { N = 100003, STEPS = 10, BATCH = 100, CLASSES = 1000 };
    demo_heading("float kernels against double, n = 100003, 10 steps");
    Rng rng;
    rng_seed(&rng, 2026);
    float *x = malloc(N * sizeof *x), *g = malloc(N * sizeof *g);
    double *xd = malloc(N * sizeof *xd), *md = calloc(N, sizeof *md),
           *vd = calloc(N, sizeof *vd);
    if (!x || !g || !xd || !md || !vd) return;
    for (int i = 0; i < N; i++)
        xd[i] = x[i] = (float)rng_gaussian(&rng);
    FastAdamState s;
    if (fast_adam_init(&s, N) != 0) return;
    AdamConfig cfg = ADAM_DEFAULTS;
    for (int k = 1; k <= STEPS; k++) {
        for (int i = 0; i < N; i++)
            g[i] = (float)rng_gaussian(&rng);
        fast_adam_step(&s, x, g, &cfg);
        double bc1 = 1 - pow(cfg.beta1, k), bc2 = 1 - pow(cfg.beta2, k);
        for (int i = 0; i < N; i++) { /* chapter 4's adam_step, in double */
            md[i] = cfg.beta1 * md[i] + (1 - cfg.beta1) * g[i];
            vd[i] = cfg.beta2 * vd[i] + (1 - cfg.beta2) * g[i] * g[i];
            xd[i] -= cfg.lr * (md[i] / bc1) / (sqrt(vd[i] / bc2) + cfg.eps);
        }
    }
    printf("Adam (lr 1e-3): largest |x_float - x_double| / (1 + |x|) = %.1e\n",
           worst_error(x, xd, N));
    fast_adam_free(&s);

    /* the softmax cross-entropy of a batch of 100 rows of 1000 logits */
    float *z = malloc(BATCH * CLASSES * sizeof *z);
    float *dz = malloc(BATCH * CLASSES * sizeof *dz);
    double *dzd = malloc(BATCH * CLASSES * sizeof *dzd);
    int labels[BATCH];
    if (!z || !dz || !dzd) return;
    for (int i = 0; i < BATCH * CLASSES; i++)
        z[i] = (float)(4.0 * rng_gaussian(&rng));
    double loss = 0.0;
    for (int b = 0; b < BATCH; b++) {
        labels[b] = (int)rng_below(&rng, CLASSES);
        const float *row = z + b * CLASSES;
        double max = row[0], sum = 0.0;
        for (int c = 1; c < CLASSES; c++)
            max = fmax(max, row[c]);
        for (int c = 0; c < CLASSES; c++)
            sum += exp(row[c] - max);
        loss += (log(sum) + max - row[labels[b]]) / BATCH;
        for (int c = 0; c < CLASSES; c++)
            dzd[b * CLASSES + c] =
                (exp(row[c] - max) / sum - (c == labels[b])) / BATCH;
    }
    float lossf = fast_softmax_xent(dz, z, labels, BATCH, CLASSES);
    printf("softmax xent (100 x 1000, logits of spread 4): loss %.7f, "
           "double %.7f\n",
           lossf, loss);
    double worst = 0.0;
    for (int i = 0; i < BATCH * CLASSES; i++)
        worst = fmax(worst, fabs(dz[i] - dzd[i]) * BATCH);
    printf("largest |p_float - p_double| = %.1e\n", worst);
    free(x), free(g), free(xd), free(md), free(vd);
    free(z), free(dz), free(dzd);
}

/* ---- why the max shift matters more in float --------------------------- */

static void show_overflow(void) {
    demo_heading("one row of logits (100, 99, 0), label 0: float overflows at e^88.7");
    const float z[3] = {100.0f, 99.0f, 0.0f};
    const int label = 0;
    float naive_sum = 0.0f; /* no shift: e^100 does not fit in a float */
    for (int c = 0; c < 3; c++)
        naive_sum += expf(z[c]);
    printf("without the shift: sum of e^z = %g, loss = %g\n", naive_sum,
           logf(naive_sum) - z[label]);
    float grad[3];
    const float loss = fast_softmax_xent(grad, z, &label, 1, 3);
    printf("fast_softmax_xent:  loss = %g, grad = (%g, %g, %g)\n", loss,
           grad[0], grad[1], grad[2]);
}

int main(int argc, char **argv) {
    (void)demo_output_dir(argc, argv); /* no figure data of its own */
    show_traffic();
    show_float_costs();
    show_accuracy();
    show_overflow();
    return 0;
}
