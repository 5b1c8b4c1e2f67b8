/* tests/held/sgd.c: chapter 2, stochastic and mini-batch gradient descent --
 * held-back checks (instructor only; see tests/support/held.h).
 *
 * Each check draws instances from what include/sgd.h promises (data sets
 * of every size up to LSQ_MAX_D features, batches in any order and with
 * repeats, every way an epoch can be cut into batches, generators in any
 * state) and compares what the student's code leaves with what the
 * reference solution leaves: values, the permutation, the generator's
 * state, the step count and the loss history. */
#include "sgd.h"
#include "held.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SEE_DATA "chapter 2, section 2.1 'A regression problem'"
#define SEE_GRAD "chapter 2, section 2.2 'Mini-batch gradients'"
#define SEE_SHUFFLE "chapter 2, section 2.3 'Epochs and shuffling'"
#define SEE_LOOP "chapter 2, section 2.4 'The epoch loop'"
#define SEE_SADDLE "chapter 2, section 2.7 'Noise and saddle points'"

/* Data sets of up to MAX_N examples; batches of up to MAX_B (repeats make
 * a batch longer than the data set). */
enum { MAX_N = 48, MAX_B = 2 * MAX_N };

/* Single precision's unit roundoff, 2^-24: a sum of m terms accumulated
 * in float is off by at most about m of it times the sum of their sizes
 * (the visible tests accept float accumulation; tests/mistakes has the
 * variants). */
#define FLOAT_U 5.9604644775390625e-8

typedef struct {
    double X[MAX_N * LSQ_MAX_D]; /* [n][d] */
    double y[MAX_N];             /* [n] */
    LsqData data;
} Problem;

/* n examples of d features uniform in [-2, 2], targets in [-5, 5]: the
 * residuals at a random w are of order one, so that no sum cancels. */
static const LsqData *draw_problem(Problem *p, int n, int d) {
    held_vector(p->X, n * d, -2.0, 2.0);
    held_vector(p->y, n, -5.0, 5.0);
    p->data = (LsqData){p->X, p->y, n, d};
    return &p->data;
}

/* Messages show an instance briefly: a check's message holds at most
 * GRADING_MSG_MAX characters, and must keep room for the two values it
 * compares and the seed, which replays the instance exactly. */
enum { FEW = 6 };

/* "(1.5, -2, 0.333333, ... 48 values)": the first FEW of v[n]. */
static const char *brief(const double *v, int n) {
    static char text[6][160];
    static int which;
    char *out = text[which++ % 6];
    size_t used = (size_t)snprintf(out, 160, "(");
    for (int i = 0; i < n && i < FEW; i++)
        used += (size_t)snprintf(out + used, 160 - used, "%s%.6g",
                                 i ? ", " : "", v[i]);
    if (n > FEW)
        used += (size_t)snprintf(out + used, 160 - used, ", ... %d values", n);
    snprintf(out + used, 160 - used, ")");
    return out;
}

/* "(3, 0, 2, ... 48 values)": the first 3 FEW of v[n]. */
static const char *show_ints(const int *v, int n) {
    static char text[4][200];
    static int which;
    char *out = text[which++ % 4];
    size_t used = (size_t)snprintf(out, 200, "(");
    for (int i = 0; i < n && i < 3 * FEW; i++)
        used += (size_t)snprintf(out + used, 200 - used, "%s%d", i ? ", " : "",
                                 v[i]);
    if (n > 3 * FEW)
        used += (size_t)snprintf(out + used, 200 - used, ", ... %d values", n);
    snprintf(out + used, 200 - used, ")");
    return out;
}

static const char *describe(const LsqData *data) {
    static char text[2][400];
    static int which;
    char *out = text[which++ % 2];
    snprintf(out, sizeof text[0], "n=%d examples of d=%d features, X=%s, y=%s",
             data->n, data->d, brief(data->X, data->n * data->d),
             brief(data->y, data->n));
    return out;
}

/* |x_i . w - y_i| and |x_i| |w| + |y_i|, the size of what its sum adds. */
static double residual(const LsqData *data, const double *w, int i,
                       double *size) {
    const double *x = &data->X[i * data->d];
    double r = -data->y[i];
    *size = fabs(data->y[i]);
    for (int j = 0; j < data->d; j++) {
        r += x[j] * w[j];
        *size += fabs(x[j] * w[j]);
    }
    return r;
}

/* A permutation of 0..n-1 other than the identity (when n > 1), drawn by
 * the judge: perm on entry to a shuffle or a run that continues another. */
static void draw_permutation(int *perm, int n) {
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = held_int(0, i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    if (n > 1 && perm[0] == 0 && perm[1] == 1) perm[0] = 1, perm[1] = 0;
}

/* A generator in any state: seeded from the instance's stream, and with a
 * spare normal waiting when `spare` (rng_gaussian makes them in pairs). */
static Rng draw_rng(bool spare) {
    Rng rng;
    rng_seed(&rng, rng_next_u64(held_rng()));
    if (spare) rng_gaussian(&rng);
    return rng;
}

/* How many 64-bit draws took the generator from `from` to `to`: splitmix64
 * adds a fixed odd constant per draw, so the count is the difference times
 * the constant's inverse modulo 2^64. */
static uint64_t draws_between(const Rng *from, const Rng *to) {
    const uint64_t gamma = 0x9e3779b97f4a7c15u;
    uint64_t inv = gamma; /* Newton's iteration doubles the correct bits */
    for (int k = 0; k < 5; k++)
        inv *= 2 - gamma * inv;
    return (to->state - from->state) * inv;
}

/* The first i with a[i] != b[i], or 0 when there is none: where to
 * compare two permutations (the message shows the student's too). */
static int first_difference(const int *a, const int *b, int n) {
    for (int i = 0; i < n; i++)
        if (a[i] != b[i]) return i;
    return 0;
}

static bool same_rng(const Rng *a, const Rng *b) {
    return a->state == b->state && a->has_spare == b->has_spare &&
           (!a->has_spare || a->spare == b->spare);
}

/* The generator after a call: the same state as the reference's. */
#define HELD_RNG(got, want, start, see, fmt, ...)                              \
    HELD_CHECK(same_rng(&(got), &(want)), see,                                 \
               fmt ": the generator went %" PRIu64                             \
                   " draws of 64 bits on (spare normal %s), the reference "    \
                   "solution's %" PRIu64 " (spare normal %s)",                 \
               __VA_ARGS__, draws_between(&(start), &(got)),                   \
               (got).has_spare ? "waiting" : "none",                           \
               draws_between(&(start), &(want)),                               \
               (want).has_spare ? "waiting" : "none")

/* ---- 2.1 the loss ---------------------------------------------------- */

HELD(held_sgd, loss_matches_the_reference, 2) {
    /* one example (where the mean is the sum), the most features allowed,
     * and data sets of every size */
    static Problem p;
    for (int trial = 0; trial < 4; trial++) {
        int n = trial == 0 ? 1 : held_int(2, MAX_N);
        int d = trial == 1 ? LSQ_MAX_D : held_int(1, 8);
        const LsqData *data = draw_problem(&p, n, d);
        double w[LSQ_MAX_D];
        held_vector(w, d, -2.0, 2.0);
        double got = STUDENT(lsq_loss(data, w));
        double want = REFERENCE(lsq_loss(data, w));
        /* a float sum of n squares is off by n + 1 roundings of the loss;
         * each residual by d roundings of its terms in double */
        double size2 = 0.0;
        for (int i = 0; i < n; i++) {
            double size;
            residual(data, w, i, &size);
            size2 += size * size / n;
        }
        HELD_NEAR(got, want, 2 * FLOAT_U * (n + 1) * fabs(want) + 1e-13 * size2,
                  SEE_DATA, "lsq_loss on %s, at w=%s", describe(data),
                  brief(w, d));
    }
}

/* ---- 2.2 mini-batch gradients ----------------------------------------- */

/* The batches the header allows, one of each on every seed. */
typedef enum { ONE, ALL_SHUFFLED, REPEATS, LONGER_THAN_N, N_BATCHES } Batch;
static const char *const BATCH[N_BATCHES] = {
    "a single example", "every example once, in a shuffled order",
    "examples repeated, in any order", "more entries than examples"};

HELD(held_sgd, batch_grad_matches_the_reference, 3) {
    static Problem p;
    for (Batch kind = 0; kind < N_BATCHES; kind++) {
        int n = held_int(kind == LONGER_THAN_N ? 1 : 2, MAX_N);
        int d = kind == ALL_SHUFFLED ? LSQ_MAX_D : held_int(1, 8);
        const LsqData *data = draw_problem(&p, n, d);
        int idx[MAX_B], b = 1;
        if (kind == ONE) idx[0] = held_int(0, n - 1);
        if (kind == ALL_SHUFFLED) {
            b = n;
            draw_permutation(idx, n);
        }
        if (kind == REPEATS || kind == LONGER_THAN_N) {
            b = kind == REPEATS ? held_int(2, n) : held_int(n + 1, 2 * n);
            for (int k = 0; k < b; k++)
                idx[k] = held_int(0, n - 1);
            idx[held_int(1, b - 1)] = idx[0]; /* one repeat at least */
        }
        double w[LSQ_MAX_D], g[LSQ_MAX_D], gr[LSQ_MAX_D];
        held_vector(w, d, -2.0, 2.0);
        /* grad holds junk on entry: it is written, not added to */
        held_vector(g, d, -1e3, 1e3);
        held_vector(gr, d, -1e3, 1e3);
        STUDENT(lsq_batch_grad(g, data, w, idx, b));
        REFERENCE(lsq_batch_grad(gr, data, w, idx, b));
        char what[3000];
        snprintf(what, sizeof what, "over %s, idx=%s (b=%d), on %s, at w=%s",
                 BATCH[kind], show_ints(idx, b), b, describe(data),
                 brief(w, d));
        for (int j = 0; j < d; j++) {
            /* the terms r_k x_kj summed in float: b + 1 roundings of the
             * mean of their sizes; in double, d roundings of each r_k */
            double terms = 0.0, sizes = 0.0;
            for (int k = 0; k < b; k++) {
                double size, r = residual(data, w, idx[k], &size);
                double x = fabs(data->X[idx[k] * d + j]);
                terms += fabs(r) * x / b;
                sizes += size * x / b;
            }
            HELD_NEAR(g[j], gr[j],
                      2 * FLOAT_U * (b + 1) * terms + 1e-13 * sizes, SEE_GRAD,
                      "lsq_batch_grad[%d] %s", j, what);
        }
    }
}

/* ---- 2.3 shuffling ---------------------------------------------------- */

HELD(held_sgd, shuffle_matches_the_reference, 3) {
    /* n <= 1 draws nothing; n = 2 draws once; small and large n; each
     * from a generator with and without a spare normal, three shuffles in
     * a row continuing the last order */
    enum { LARGE = 1000 };
    static int perm[LARGE], perm_r[LARGE], start[LARGE];
    for (int c = 0; c < 6; c++) {
        int n = c < 3 ? c : c == 3 ? held_int(3, 9) : held_int(10, LARGE);
        draw_permutation(perm, n);
        memcpy(perm_r, perm, sizeof perm);
        Rng rng = draw_rng(c % 2), rng_r = rng;
        for (int round = 1; round <= 3; round++) {
            const Rng before = rng;
            memcpy(start, perm, sizeof start);
            STUDENT(sgd_shuffle(perm, n, &rng));
            REFERENCE(sgd_shuffle(perm_r, n, &rng_r));
            HELD_RNG(rng, rng_r, before, SEE_SHUFFLE,
                     "sgd_shuffle %d in a row of n=%d, perm=%s, from a "
                     "generator in state %" PRIu64 " (spare normal %s)",
                     round, n, show_ints(start, n), before.state,
                     before.has_spare ? "waiting" : "none");
            int i = first_difference(perm, perm_r, n);
            if (n > 0)
                HELD_INT(perm[i], perm_r[i], SEE_SHUFFLE,
                         "perm[%d] after sgd_shuffle %d in a row of n=%d, "
                         "perm=%s, from a generator in state %" PRIu64
                         "; the student's perm is %s",
                         i, round, n, show_ints(start, n), before.state,
                         show_ints(perm, n));
        }
    }
}

/* ---- 2.4 the epoch loop ----------------------------------------------- */

/* Every way an epoch is cut into batches, one of each on every seed: b
 * dividing n, a last smaller batch, b = 1 (SGD), b = n (batch GD). A batch
 * size above n is left out: the header does not say what it means. */
typedef enum { DIVIDES, LAST_SMALLER, SGD, FULL, N_LAYOUTS } Layout;
static const char *const LAYOUT[N_LAYOUTS] = {"batches that divide n",
                                              "a last, smaller batch",
                                              "batches of 1", "one batch of n"};

/* n and the batch size of a layout. */
static int draw_layout(Layout layout, int *n) {
    int b = layout == SGD ? 1 : held_int(2, 6), q = held_int(2, 7);
    if (layout == DIVIDES) *n = b * q;
    if (layout == LAST_SMALLER) *n = b * q + held_int(1, b - 1);
    if (layout == SGD) *n = held_int(1, 24);
    if (layout == FULL) b = *n = held_int(2, MAX_N);
    return b;
}

/* A learning rate from 0.05 to 1.5 over the largest |x_i|^2, which bounds
 * every batch's curvature: each step contracts, and the run stays near
 * the data's scale, where the tolerances below hold. */
static double draw_lr(const LsqData *data) {
    double curv = 0.0;
    for (int i = 0; i < data->n; i++) {
        double s = 0.0;
        for (int j = 0; j < data->d; j++)
            s += data->X[i * data->d + j] * data->X[i * data->d + j];
        curv = fmax(curv, s);
    }
    return held_uniform(0.05, 1.5) / curv;
}

/* Room for any history of these runs: at most 3 epochs of at most MAX_N
 * batches. */
enum { MAX_HISTORY = 3 * MAX_N + 1 };

/* The two sides of one sgd_run: the student's and the reference's. */
typedef struct {
    double w[LSQ_MAX_D], history[MAX_HISTORY];
    int perm[MAX_N];
    Rng rng;
} Side;

/* Runs sgd_run on both sides and compares everything it leaves.
 * Tolerances: float accumulation in the gradient moves each step by up to
 * (b + 1) 2^-24 of its terms; over the <= 72 contracting steps of these
 * runs the float variants of tests/mistakes end within 1.6e-7 (1 + |w|) of
 * the reference (the largest over 14000 runs, seeds 1-2000), and the
 * subtlest slip in the loop, the last batch's mean taken over b, moves w
 * by 7e-3 (1 + |w|) or more (seeds 1-300): 1e-5 sits far from both. A loss
 * in the history is off by the float sum's n + 1 roundings of itself, and
 * by what an error dw in w makes of it, at most sqrt(2 L) max|x_i| |dw|
 * (Cauchy-Schwarz on the mean of |r_i| |x_i . dw|). */
static void run_both(Side *s, Side *r, const LsqData *data,
                     const SgdConfig *cfg, bool record, const char *setting) {
    const Rng start = s->rng;
    double w0[LSQ_MAX_D];
    memcpy(w0, s->w, sizeof w0);
    int perm0[MAX_N];
    memcpy(perm0, s->perm, sizeof perm0);
    for (int k = 0; k < MAX_HISTORY; k++)
        s->history[k] = r->history[k] = NAN;
    int steps = STUDENT(
        sgd_run(s->w, data, cfg, &s->rng, s->perm, record ? s->history : NULL));
    int steps_r = REFERENCE(
        sgd_run(r->w, data, cfg, &r->rng, r->perm, record ? r->history : NULL));
    char what[4000];
    snprintf(what, sizeof what,
             "sgd_run (%s) with batch_size=%d, epochs=%d, lr=%.17g, history "
             "%s, on %s, from w=%s, perm=%s and a generator in state %" PRIu64
             " (spare normal %s)",
             setting, cfg->batch_size, cfg->epochs, cfg->lr,
             record ? "given" : "NULL", describe(data), brief(w0, data->d),
             show_ints(perm0, data->n), start.state,
             start.has_spare ? "waiting" : "none");
    HELD_INT(steps, steps_r, SEE_LOOP, "the steps returned by %s", what);
    int i = first_difference(s->perm, r->perm, data->n);
    HELD_INT(s->perm[i], r->perm[i], SEE_LOOP,
             "perm[%d] on return (the last epoch's order; the student's is "
             "%s) from %s",
             i, show_ints(s->perm, data->n), what);
    HELD_RNG(s->rng, r->rng, start, SEE_LOOP, "%s", what);
    double dw = 0.0; /* the tolerances' |dw| */
    for (int j = 0; j < data->d; j++) {
        double tol = 1e-5 * (1 + fabs(r->w[j]));
        dw += tol * tol;
        HELD_NEAR(s->w[j], r->w[j], tol, SEE_LOOP, "w[%d] at the end of %s", j,
                  what);
    }
    double xmax = 0.0;
    for (int i = 0; i < data->n; i++) {
        double s2 = 0.0;
        for (int j = 0; j < data->d; j++)
            s2 += data->X[i * data->d + j] * data->X[i * data->d + j];
        xmax = fmax(xmax, sqrt(s2));
    }
    for (int k = 0; record && k <= steps_r; k++) {
        double loss = fabs(r->history[k]);
        HELD_NEAR(s->history[k], r->history[k],
                  2 * FLOAT_U * (data->n + 1) * loss +
                      sqrt(2 * loss) * xmax * sqrt(dw),
                  SEE_LOOP, "history[%d] (the loss %s) of %s", k,
                  k ? "after that step" : "at the start", what);
    }
}

HELD(held_sgd, run_matches_the_reference_for_every_batch_layout, 5) {
    static Problem p;
    static Side s, r;
    for (Layout layout = 0; layout < N_LAYOUTS; layout++) {
        int n = 0, b = draw_layout(layout, &n);
        const LsqData *data = draw_problem(&p, n, held_int(1, 6));
        /* two or three epochs: the second shuffles the first's order */
        SgdConfig cfg = {
            .lr = draw_lr(data), .batch_size = b, .epochs = held_int(2, 3)};
        held_vector(s.w, data->d, -2.0, 2.0);
        memcpy(r.w, s.w, sizeof r.w);
        /* a fresh run starts from the identity; a run may also start from
         * any permutation */
        if (layout % 2)
            draw_permutation(s.perm, n);
        else
            for (int i = 0; i < n; i++)
                s.perm[i] = i;
        memcpy(r.perm, s.perm, sizeof r.perm);
        s.rng = r.rng = draw_rng(layout == LAST_SMALLER);
        run_both(&s, &r, data, &cfg, layout != SGD, LAYOUT[layout]);
    }
}

HELD(held_sgd, run_continues_across_calls, 2) {
    /* Three calls sharing w, perm and rng, each shuffling on from the last
     * order: one epoch, then two with another learning rate and no
     * history, then one with batches of another size. */
    static Problem p;
    static Side s, r;
    int n = 0, b = draw_layout(LAST_SMALLER, &n);
    const LsqData *data = draw_problem(&p, n, held_int(1, 6));
    held_vector(s.w, data->d, -2.0, 2.0);
    memcpy(r.w, s.w, sizeof r.w);
    for (int i = 0; i < n; i++)
        s.perm[i] = r.perm[i] = i;
    s.rng = r.rng = draw_rng(false);
    SgdConfig cfg = {.lr = draw_lr(data), .batch_size = b, .epochs = 1};
    run_both(&s, &r, data, &cfg, true, "the first of three calls");
    cfg.lr = draw_lr(data);
    cfg.epochs = 2;
    run_both(&s, &r, data, &cfg, false,
             "the second of three calls, continuing the first");
    cfg.batch_size = b == 2 ? 3 : b - 1;
    cfg.epochs = 1;
    run_both(&s, &r, data, &cfg, true,
             "the third of three calls, continuing the second");
}

/* ---- 2.7 noise and saddle points -------------------------------------- */

HELD(held_sgd, noisy_step_matches_the_reference, 3) {
    /* sigma = 0 (which still draws n normals), an odd n that leaves a spare
     * normal waiting, an even n from a generator with one waiting; four
     * steps in a row with the same generator */
    enum { N = 64 };
    for (int c = 0; c < 3; c++) {
        int n =
            c == 1 ? 2 * held_int(0, N / 2 - 1) + 1 : 2 * held_int(1, N / 2);
        double sigma = c == 0 ? 0.0 : held_log_uniform(1e-3, 10.0);
        double x[N], xr[N], x0[N], g[N];
        held_vector(x, n, -10.0, 10.0);
        memcpy(xr, x, sizeof xr);
        Rng rng = draw_rng(c == 2), rng_r = rng;
        for (int step = 1; step <= 4; step++) {
            double lr = held_log_uniform(1e-3, 2.0);
            held_vector(g, n, -10.0, 10.0);
            memcpy(x0, x, sizeof x0);
            const Rng before = rng;
            STUDENT(sgd_noisy_step(x, g, n, lr, sigma, &rng));
            REFERENCE(sgd_noisy_step(xr, g, n, lr, sigma, &rng_r));
            char what[2000];
            snprintf(what, sizeof what,
                     "sgd_noisy_step %d in a row (n=%d, lr=%.17g, "
                     "sigma=%.17g) from x=%s with grad=%s and a generator "
                     "in state %" PRIu64 " (spare normal %s)",
                     step, n, lr, sigma, brief(x0, n), brief(g, n),
                     before.state, before.has_spare ? "waiting" : "none");
            HELD_RNG(rng, rng_r, before, SEE_SADDLE, "%s", what);
            for (int i = 0; i < n; i++)
                /* x - lr g - lr sigma xi and x - lr (g + sigma xi) round
                 * differently: a few units in the last place of the terms,
                 * whose sizes |x0|, lr |g| and |x| bound */
                HELD_NEAR(x[i], xr[i],
                          1e-14 * (fabs(x0[i]) + fabs(xr[i]) + lr * fabs(g[i])),
                          SEE_SADDLE, "x[%d] after %s", i, what);
        }
    }
}
