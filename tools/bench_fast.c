/* bench_fast.c: chapter 9's benchmark (not a test: speed is measured,
 * never graded). Driven by tools/bench_fast.py (`make bench`), which
 * builds this file with the tuned flags and links it with three builds of
 * solutions/fast.c (see tools/bench_fast_rename.h):
 *     _o2     the course's flags: -std=c11 -O2 -ffp-contract=off
 *     _o3     -O3 -march=native (math-errno still on)
 *     _tuned  -O3 -march=native -fno-math-errno
 * and adds, built with the tuned flags: the same steps in several passes
 * over memory, as torch.optim 1.13 takes them ("unfused"), in double, and
 * on two threads; and for each step a probe, a loop that moves the same
 * bytes per parameter with no arithmetic to speak of.
 *
 * Usage: bench-fast N... [--reps R]
 * Prints one tab-separated line per size, kernel and variant:
 *     run  N  kernel  variant  ns_per_param  GB_per_s  probe_fraction
 * then "stream" lines (copy and triad bandwidth) and "bits" lines (whether
 * the tuned builds compute the very same floats as the -O2 build). */
#define _POSIX_C_SOURCE 200809L
#include "fast.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DECLARE_BUILD(S)                                                       \
    void fast_heavy_ball_step##S(FastMomentumState *, float *, const float *, \
                                 const MomentumConfig *);                      \
    void fast_adam_step##S(FastAdamState *, float *, const float *,            \
                           const AdamConfig *);                                \
    void fast_adamw_step##S(FastAdamState *, float *, const float *,           \
                            const AdamConfig *);                               \
    float fast_softmax_xent##S(float *, const float *, const int *, int, int);
DECLARE_BUILD(_o2)
DECLARE_BUILD(_o3)
DECLARE_BUILD(_tuned)

#define NOINLINE __attribute__((noinline))
enum { CLASSES = 1000 }; /* the softmax's rows: ImageNet's 1000 classes */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the arrays of one size ------------------------------------------- */

typedef struct {
    long n;                  /* parameters (or logits) */
    float *x, *g, *m, *v, *tmp; /* [n] float */
    double *xd, *gd, *md, *vd;  /* [n] double */
    float *z, *dz;           /* [n] logits and their gradient */
    float *rowbuf;           /* [3 * n / CLASSES] row scalars (unfused) */
    int *labels;             /* [n / CLASSES] */
    int batch;
    long t;                  /* the step counter shared by every variant */
} Arrays;

static void *alloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "bench-fast: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    memset(p, 0, bytes); /* touch every page before timing */
    return p;
}

static void arrays_init(Arrays *a, long n) {
    memset(a, 0, sizeof *a);
    a->n = n;
    size_t f = (size_t)n * sizeof(float), d = (size_t)n * sizeof(double);
    a->x = alloc(f), a->g = alloc(f), a->m = alloc(f), a->v = alloc(f);
    a->tmp = alloc(f), a->z = alloc(f), a->dz = alloc(f);
    a->xd = alloc(d), a->gd = alloc(d), a->md = alloc(d), a->vd = alloc(d);
    a->batch = (int)(n / CLASSES);
    a->labels = alloc((size_t)a->batch * sizeof(int));
    a->rowbuf = alloc(3 * (size_t)a->batch * sizeof(float));
    uint64_t s = 12345;
    for (long i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0; /* [0, 1) */
        a->x[i] = (float)(u - 0.5), a->xd[i] = u - 0.5;
        a->g[i] = (float)(1e-3 * (u + 0.1)), a->gd[i] = 1e-3 * (u + 0.1);
        a->z[i] = (float)(8.0 * u - 4.0);
    }
    for (int b = 0; b < a->batch; b++)
        a->labels[b] = (int)((b * 7919L) % CLASSES);
}

static void arrays_free(Arrays *a) {
    void *all[] = {a->x,  a->g,  a->m,  a->v,  a->tmp,    a->z,     a->dz,
                   a->xd, a->gd, a->md, a->vd, a->labels, a->rowbuf};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    memset(a, 0, sizeof *a);
}

static const MomentumConfig MOM = {.lr = 1e-3, .beta = 0.9};
static const AdamConfig ADAM = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                                .eps = 1e-8, .weight_decay = 0.0};
static const AdamConfig ADAMW = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                                 .eps = 1e-8, .weight_decay = 1e-2};

/* ---- the fused steps, through the three builds ------------------------ */

#define STEP_VARIANTS(S)                                                       \
    static void hb##S(Arrays *a) {                                             \
        FastMomentumState s = {a->v, (int)a->n, a->t};                         \
        fast_heavy_ball_step##S(&s, a->x, a->g, &MOM);                         \
    }                                                                          \
    static void adam##S(Arrays *a) {                                           \
        FastAdamState s = {a->m, a->v, (int)a->n, a->t};                       \
        fast_adam_step##S(&s, a->x, a->g, &ADAM);                              \
    }                                                                          \
    static void adamw##S(Arrays *a) {                                          \
        FastAdamState s = {a->m, a->v, (int)a->n, a->t};                       \
        fast_adamw_step##S(&s, a->x, a->g, &ADAMW);                            \
    }                                                                          \
    static void xent##S(Arrays *a) {                                           \
        fast_softmax_xent##S(a->dz, a->z, a->labels, a->batch, CLASSES);       \
    }
STEP_VARIANTS(_o2)
STEP_VARIANTS(_o3)
STEP_VARIANTS(_tuned)

/* ---- the same steps as torch.optim 1.13 takes them: one pass per
 * operation (mul_, add_, addcmul_, sqrt, div_, add_, addcdiv_) ----------- */

NOINLINE static void op_scale(float *restrict a, float s, long n) {
    for (long i = 0; i < n; i++) a[i] *= s;
}
NOINLINE static void op_axpy(float *restrict a, const float *restrict b,
                             float s, long n) {
    for (long i = 0; i < n; i++) a[i] += s * b[i];
}
NOINLINE static void op_addcmul(float *restrict a, const float *restrict b,
                                float s, long n) {
    for (long i = 0; i < n; i++) a[i] += s * b[i] * b[i];
}
NOINLINE static void op_sqrt(float *restrict out, const float *restrict a,
                             long n) {
    for (long i = 0; i < n; i++) out[i] = sqrtf(a[i]);
}
NOINLINE static void op_div(float *restrict a, float s, long n) {
    for (long i = 0; i < n; i++) a[i] /= s;
}
NOINLINE static void op_add(float *restrict a, float s, long n) {
    for (long i = 0; i < n; i++) a[i] += s;
}
NOINLINE static void op_addcdiv(float *restrict x, const float *restrict m,
                                const float *restrict d, float s, long n) {
    for (long i = 0; i < n; i++) x[i] += s * m[i] / d[i];
}

static void hb_unfused(Arrays *a) { /* buf.mul_(beta).add_(g); p.add_(buf, -lr) */
    op_scale(a->v, (float)MOM.beta, a->n);
    op_axpy(a->v, a->g, 1.0f, a->n);
    op_axpy(a->x, a->v, (float)-MOM.lr, a->n);
}

//> adam_unfused
static void adam_unfused_with(Arrays *a, const AdamConfig *c) {
    long t = a->t + 1;
    double bc1 = 1 - pow(c->beta1, (double)t), bc2 = 1 - pow(c->beta2, (double)t);
    if (c->weight_decay != 0.0) /* AdamW: p.mul_(1 - lr * wd) */
        op_scale(a->x, (float)(1 - c->lr * c->weight_decay), a->n);
    op_scale(a->m, (float)c->beta1, a->n);
    op_axpy(a->m, a->g, (float)(1 - c->beta1), a->n);
    op_scale(a->v, (float)c->beta2, a->n);
    op_addcmul(a->v, a->g, (float)(1 - c->beta2), a->n);
    op_sqrt(a->tmp, a->v, a->n);
    op_div(a->tmp, (float)sqrt(bc2), a->n);
    op_add(a->tmp, (float)c->eps, a->n);
    op_addcdiv(a->x, a->m, a->tmp, (float)(-c->lr / bc1), a->n);
}
//< adam_unfused
static void adam_unfused(Arrays *a) { adam_unfused_with(a, &ADAM); }
static void adamw_unfused(Arrays *a) { adam_unfused_with(a, &ADAMW); }

/* e^x for x <= 0: the same Cephes polynomial as solutions/fast.c, so that
 * the fused and unfused softmax differ in their passes only. */
static inline float exp_nonpositive(float x) {
    const float k = (float)(int)(x * 1.44269504f - 0.5f);
    const float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t biased = (int32_t)k + 127;
    biased = biased < 0 ? 0 : biased;
    const int32_t bits = biased * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* log_softmax forward (max, sum of exp, logp), nll, then the backward of
 * each: a gradient of nll written in full, then log_softmax's backward. */
NOINLINE static void rows_max(float *out, const float *z, int batch) {
    for (int b = 0; b < batch; b++) {
        float mx = -INFINITY;
        for (int c = 0; c < CLASSES; c++) mx = fmaxf(mx, z[(long)b * CLASSES + c]);
        out[b] = mx;
    }
}
NOINLINE static void rows_logsumexp(float *out, const float *z,
                                    const float *mx, int batch) {
    for (int b = 0; b < batch; b++) {
        float s = 0.0f;
        for (int c = 0; c < CLASSES; c++)
            s += exp_nonpositive(z[(long)b * CLASSES + c] - mx[b]);
        out[b] = mx[b] + logf(s);
    }
}
NOINLINE static void rows_sub(float *restrict out, const float *restrict z,
                              const float *lse, int batch) {
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < CLASSES; c++)
            out[(long)b * CLASSES + c] = z[(long)b * CLASSES + c] - lse[b];
}
NOINLINE static void nll_backward(float *restrict gout, const int *labels,
                                  int batch) {
    memset(gout, 0, (size_t)batch * CLASSES * sizeof *gout);
    for (int b = 0; b < batch; b++)
        gout[(long)b * CLASSES + labels[b]] = -1.0f / (float)batch;
}
NOINLINE static void log_softmax_backward(float *restrict gin,
                                          const float *restrict gout,
                                          const float *restrict logp,
                                          int batch) {
    for (int b = 0; b < batch; b++) {
        const float *go = gout + (long)b * CLASSES, *lp = logp + (long)b * CLASSES;
        float s = 0.0f;
        for (int c = 0; c < CLASSES; c++) s += go[c];
        for (int c = 0; c < CLASSES; c++)
            gin[(long)b * CLASSES + c] = go[c] - exp_nonpositive(lp[c]) * s;
    }
}
static void xent_unfused(Arrays *a) {
    float *mx = a->rowbuf, *lse = a->rowbuf + a->batch;
    rows_max(mx, a->z, a->batch);
    rows_logsumexp(lse, a->z, mx, a->batch);
    rows_sub(a->tmp, a->z, lse, a->batch); /* logp */
    double loss = 0.0;
    for (int b = 0; b < a->batch; b++)
        loss -= a->tmp[(long)b * CLASSES + a->labels[b]];
    a->rowbuf[2 * a->batch] = (float)(loss / a->batch);
    nll_backward(a->m, a->labels, a->batch); /* m: the nll gradient */
    log_softmax_backward(a->dz, a->m, a->tmp, a->batch);
}

/* ---- the fused steps in double (chapters 3 and 4, with restrict) ------- */

NOINLINE static void hb_double_pass(double *restrict x, double *restrict v,
                                    const double *restrict g, long n,
                                    double lr, double beta) {
    for (long i = 0; i < n; i++) {
        v[i] = beta * v[i] + g[i];
        x[i] -= lr * v[i];
    }
}
static void hb_double(Arrays *a) {
    hb_double_pass(a->xd, a->vd, a->gd, a->n, MOM.lr, MOM.beta);
}

NOINLINE static void adam_double_pass(double *restrict x, double *restrict m,
                                      double *restrict v,
                                      const double *restrict g, long n,
                                      double step, double inv_root) {
    const double b1 = ADAM.beta1, b2 = ADAM.beta2, eps = ADAM.eps;
    for (long i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        x[i] -= step * m[i] / (sqrt(v[i]) * inv_root + eps);
    }
}
static void adam_double(Arrays *a) {
    double t = (double)(a->t + 1);
    double bc1 = 1 - pow(ADAM.beta1, t), bc2 = 1 - pow(ADAM.beta2, t);
    adam_double_pass(a->xd, a->md, a->vd, a->gd, a->n, ADAM.lr / bc1,
                     1 / sqrt(bc2));
}

/* ---- two threads, each on half the parameters ------------------------- */

typedef struct {
    Arrays *a;
    long lo, hi;
} Half;

static void *adam_half(void *p) {
    Half *h = p;
    FastAdamState s = {h->a->m + h->lo, h->a->v + h->lo, (int)(h->hi - h->lo),
                       h->a->t};
    fast_adam_step_tuned(&s, h->a->x + h->lo, h->a->g + h->lo, &ADAM);
    return NULL;
}
/* The softmax's halves are halves of the batch (lo, hi count rows). */
static void *xent_half(void *p) {
    Half *h = p;
    long off = h->lo * CLASSES;
    fast_softmax_xent_tuned(h->a->dz + off, h->a->z + off, h->a->labels + h->lo,
                            (int)(h->hi - h->lo), CLASSES);
    return NULL;
}

/* Runs job on the two halves [0, half) and [half, end), one of them on a
 * second thread. */
static void two_threads(Arrays *a, void *(*job)(void *), long end) {
    Half h[2] = {{a, 0, end / 2}, {a, end / 2, end}};
    pthread_t other;
    if (pthread_create(&other, NULL, job, &h[1]) != 0) {
        job(&h[1]); /* no thread: do it here */
        job(&h[0]);
        return;
    }
    job(&h[0]);
    pthread_join(other, NULL);
}
static void adam_2threads(Arrays *a) { two_threads(a, adam_half, a->n); }
static void xent_2threads(Arrays *a) { two_threads(a, xent_half, a->batch); }

/* ---- probes: the same bytes per parameter, next to no arithmetic ------- */

NOINLINE static void probe_hb(float *restrict x, float *restrict v,
                              const float *restrict g, long n) {
    for (long i = 0; i < n; i++) x[i] += g[i], v[i] += g[i];
}
//> probe
NOINLINE static void probe_adam(float *restrict x, float *restrict m,
                                float *restrict v, const float *restrict g,
                                long n) {
    for (long i = 0; i < n; i++) x[i] += g[i], m[i] += g[i], v[i] += g[i];
}
//< probe
NOINLINE static void probe_xent(float *restrict out, const float *restrict z,
                                long n) {
    for (long i = 0; i < n; i++) out[i] = z[i] + 1.0f;
}
NOINLINE static void probe_hb_d(double *restrict x, double *restrict v,
                                const double *restrict g, long n) {
    for (long i = 0; i < n; i++) x[i] += g[i], v[i] += g[i];
}
NOINLINE static void probe_adam_d(double *restrict x, double *restrict m,
                                  double *restrict v, const double *restrict g,
                                  long n) {
    for (long i = 0; i < n; i++) x[i] += g[i], m[i] += g[i], v[i] += g[i];
}
static void p_hb(Arrays *a) { probe_hb(a->tmp, a->m, a->g, a->n); }
static void p_adam(Arrays *a) { probe_adam(a->tmp, a->m, a->v, a->g, a->n); }
static void p_xent(Arrays *a) { probe_xent(a->dz, a->z, a->n); }
static void p_hb_d(Arrays *a) { probe_hb_d(a->xd, a->md, a->gd, a->n); }
static void p_adam_d(Arrays *a) { probe_adam_d(a->xd, a->md, a->vd, a->gd, a->n); }

/* ---- the table of what is timed ---------------------------------------- */

typedef struct {
    const char *kernel, *variant;
    void (*run)(Arrays *);
    double bytes;   /* bytes per parameter the step must move at least */
    int probe;      /* index of its probe in this table, or -1: a probe */
} Case;

enum { P_HB, P_ADAM, P_XENT, P_HB_D, P_ADAM_D };
static const Case CASES[] = {
    /* the probes first: their index is the constant above */
    {"probe", "hb float", p_hb, 20, -1},
    {"probe", "adam float", p_adam, 28, -1},
    {"probe", "xent float", p_xent, 8, -1},
    {"probe", "hb double", p_hb_d, 40, -1},
    {"probe", "adam double", p_adam_d, 56, -1},
    {"heavy_ball", "O2", hb_o2, 20, P_HB},
    {"heavy_ball", "O3 native", hb_o3, 20, P_HB},
    {"heavy_ball", "tuned", hb_tuned, 20, P_HB},
    {"heavy_ball", "tuned unfused", hb_unfused, 20, P_HB},
    {"heavy_ball", "tuned double", hb_double, 40, P_HB_D},
    {"adam", "O2", adam_o2, 28, P_ADAM},
    {"adam", "O3 native", adam_o3, 28, P_ADAM},
    {"adam", "tuned", adam_tuned, 28, P_ADAM},
    {"adam", "tuned unfused", adam_unfused, 28, P_ADAM},
    {"adam", "tuned double", adam_double, 56, P_ADAM_D},
    {"adam", "tuned 2 threads", adam_2threads, 28, P_ADAM},
    {"adamw", "O2", adamw_o2, 28, P_ADAM},
    {"adamw", "O3 native", adamw_o3, 28, P_ADAM},
    {"adamw", "tuned", adamw_tuned, 28, P_ADAM},
    {"adamw", "tuned unfused", adamw_unfused, 28, P_ADAM},
    {"xent", "O2", xent_o2, 8, P_XENT},
    {"xent", "O3 native", xent_o3, 8, P_XENT},
    {"xent", "tuned", xent_tuned, 8, P_XENT},
    {"xent", "tuned unfused", xent_unfused, 8, P_XENT},
    {"xent", "tuned 2 threads", xent_2threads, 8, P_XENT},
};
enum { N_CASES = sizeof CASES / sizeof CASES[0] };

/* Times every case at size n: `reps` rounds, each case once per round (so
 * that a busy moment of the machine hits them all alike), each timing
 * repeating the step until it has covered at least 2e7 parameters. The
 * best round counts. */
static void bench_size(long n, int reps) {
    Arrays a;
    arrays_init(&a, n);
    long iters = n >= 20000000 ? 1 : 20000000 / n;
    double best[N_CASES];
    for (int c = 0; c < N_CASES; c++) {
        best[c] = INFINITY;
        CASES[c].run(&a); /* warm up: caches, branch predictors */
    }
    for (int r = 0; r < reps; r++)
        for (int c = 0; c < N_CASES; c++) {
            double t0 = now();
            for (long k = 0; k < iters; k++) {
                a.t++;
                CASES[c].run(&a);
            }
            double dt = (now() - t0) / (double)iters;
            if (dt < best[c]) best[c] = dt;
        }
    for (int c = 0; c < N_CASES; c++) {
        double ns = best[c] / (double)n * 1e9;
        double gbs = CASES[c].bytes / ns;
        double frac = CASES[c].probe < 0 ? 1.0 : best[CASES[c].probe] / best[c];
        printf("run\t%ld\t%s\t%s\t%.4f\t%.2f\t%.3f\n", n, CASES[c].kernel,
               CASES[c].variant, ns, gbs, frac);
    }
    fflush(stdout);
    arrays_free(&a);
}

/* STREAM's copy and triad (McCalpin), in double, counted as STREAM counts
 * them: 16 and 24 bytes per element (no write-allocate). */
NOINLINE static void stream_copy(double *restrict a, const double *restrict b,
                                 long n) {
    for (long i = 0; i < n; i++) a[i] = b[i];
}
NOINLINE static void stream_triad(double *restrict a, const double *restrict b,
                                  const double *restrict c, long n) {
    for (long i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
}
static void bench_stream(long n, int reps) {
    double *a = alloc((size_t)n * 8), *b = alloc((size_t)n * 8),
           *c = alloc((size_t)n * 8);
    double copy = INFINITY, triad = INFINITY;
    for (int r = 0; r < reps + 1; r++) {
        double t0 = now();
        stream_copy(a, b, n);
        double t1 = now();
        stream_triad(a, b, c, n);
        double t2 = now();
        if (r > 0) { /* round 0 warms up */
            copy = fmin(copy, t1 - t0);
            triad = fmin(triad, t2 - t1);
        }
    }
    printf("stream\t%ld\tcopy\t%.2f\n", n, 16.0 * (double)n / copy / 1e9);
    printf("stream\t%ld\ttriad\t%.2f\n", n, 24.0 * (double)n / triad / 1e9);
    free(a), free(b), free(c);
}

/* Do the tuned builds compute the same floats as the -O2 build? Vector
 * instructions round each operation as the scalar ones do, and nothing is
 * reordered (no -ffast-math, no FMA contraction in ISO C mode). */
static void check_bits(void) {
    enum { N = 10007, STEPS = 3 }; /* 10007 * 1000 / 1000: a tail */
    Arrays a, b;
    arrays_init(&a, (long)N * 10);
    arrays_init(&b, (long)N * 10);
    const char *names[] = {"heavy_ball", "adam", "adamw", "xent"};
    void (*o2[])(Arrays *) = {hb_o2, adam_o2, adamw_o2, xent_o2};
    void (*tuned[])(Arrays *) = {hb_tuned, adam_tuned, adamw_tuned, xent_tuned};
    for (int k = 0; k < 4; k++) {
        for (int s = 0; s < STEPS; s++) {
            a.t++, b.t++;
            o2[k](&a);
            tuned[k](&b);
        }
        size_t bytes = (size_t)a.n * sizeof(float);
        int same = memcmp(a.x, b.x, bytes) == 0 && memcmp(a.m, b.m, bytes) == 0 &&
                   memcmp(a.v, b.v, bytes) == 0 && memcmp(a.dz, b.dz, bytes) == 0;
        printf("bits\t%s\t%s\n", names[k], same ? "identical" : "DIFFERENT");
    }
    arrays_free(&a);
    arrays_free(&b);
}

int main(int argc, char **argv) {
    int reps = 7;
    long sizes[32];
    int n_sizes = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (n_sizes < 32)
            sizes[n_sizes++] = (long)atof(argv[i]);
    }
    if (n_sizes == 0 || reps < 1) {
        fprintf(stderr, "usage: bench-fast N... [--reps R]\n");
        return 2;
    }
    check_bits();
    for (int i = 0; i < n_sizes; i++) {
        if (sizes[i] < CLASSES || sizes[i] % CLASSES || sizes[i] > 1L << 30) {
            fprintf(stderr, "bench-fast: %ld: sizes are multiples of %d, "
                            "at most 2^30\n", sizes[i], CLASSES);
            return 2;
        }
        bench_size(sizes[i], sizes[i] >= 50000000 ? (reps + 1) / 2 : reps);
    }
    bench_stream(sizes[n_sizes - 1], reps);
    return 0;
}
