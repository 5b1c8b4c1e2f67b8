/* tests/sgd.c: chapter 2, stochastic and mini-batch gradient descent --
 * graded tests. */
#include "grading.h"
#include "rng.h"
#include "sgd.h"

#include <stdio.h>
#include <string.h>

#define SEE_DATA "chapter 2, section 2.1 'A regression problem'"
#define SEE_GRAD "chapter 2, section 2.2 'Mini-batch gradients'"
#define SEE_SHUFFLE "chapter 2, section 2.3 'Epochs and shuffling'"
#define SEE_LOOP "chapter 2, section 2.4 'The epoch loop'"
#define SEE_COST "chapter 2, section 2.5 'Cost per step and cost per epoch'"
#define SEE_FLOOR "chapter 2, section 2.6 'The noise floor'"
#define SEE_SADDLE "chapter 2, section 2.7 'Noise and saddle points'"

/* A tiny data set, by hand: the line y = x sampled with a bias column.
 * With w = (1, 0.5) the predictions are 1.5, 2, 2.5 and the residuals
 * (0.5, 0, 0.5). */
static const double TINY_X[3 * 2] = {1, 1, 1, 2, 1, 3}; /* [3][2] */
static const double TINY_Y[3] = {1, 2, 2};
static const LsqData TINY = {TINY_X, TINY_Y, 3, 2};

/* The chapter's data set, made once per test process. */
static double CH_X[SGD_DATA_N * SGD_DATA_D], CH_Y[SGD_DATA_N];
static LsqData chapter_data(void) {
    sgd_make_data(CH_X, CH_Y, SGD_DATA_SEED);
    return (LsqData){CH_X, CH_Y, SGD_DATA_N, SGD_DATA_D};
}

static void identity(int *perm, int n) {
    for (int i = 0; i < n; i++)
        perm[i] = i;
}

/* "{a, b, c}" into buf, for messages. */
static const char *show_perm(char *buf, size_t size, const int *perm, int n) {
    size_t used = (size_t)snprintf(buf, size, "{");
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%d",
                                 i ? ", " : "", perm[i]);
    if (used < size) snprintf(buf + used, size - used, "}");
    return buf;
}

static bool same_perm(const int *a, const int *b, int n) {
    return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

/* The relative error allowed on one value of lsq_loss over the chapter's
 * data: sums of the 200 squared residuals accumulated in float are off by
 * up to ~7e-7 of the loss (measured for three ways of writing it), double
 * sums by ~1e-16. */
#define FLOAT_LOSS_REL 2e-6

/* ---- 2.1 the loss ---------------------------------------------------- */

GRADED(sgd, loss_is_half_the_mean_squared_residual, 2) {
    const double w[2] = {1.0, 0.5};
    MISTAKE(1.0 / 6.0, "the 1/2 in front of the mean is left out");
    MISTAKE(0.25, "the sum is halved but not divided by n");
    MISTAKE(0.5, "the squared residuals are summed, not averaged");
    CHECK_NEAR(lsq_loss(&TINY, w), 1.0 / 12.0, 1e-12, SEE_DATA,
               "lsq_loss with X = (1,1; 1,2; 1,3), y = (1, 2, 2), w = (1, "
               "0.5): residuals (0.5, 0, 0.5), so (0.25 + 0.25) / (2 * 3)");
    const LsqData data = chapter_data();
    const double zero[SGD_DATA_D] = {0};
    CHECK_REL(lsq_loss(&data, zero), 3.88221214, FLOAT_LOSS_REL, SEE_DATA,
              "lsq_loss on the chapter's data set at w = 0");
}

/* ---- 2.2 mini-batch gradients ----------------------------------------- */

GRADED(sgd, batch_grad_is_the_mean_over_the_batch, 3) {
    const double w[2] = {1.0, 0.5};
    const int all[3] = {0, 1, 2};
    double g[2] = {NAN, NAN};
    lsq_batch_grad(g, &TINY, w, all, 3);
    const double want[2] = {1.0 / 3.0, 2.0 / 3.0};
    for (int j = 0; j < 2; j++) {
        MISTAKE(3 * want[j], "the batch gradient is a sum: divide by b");
        MISTAKE(-want[j], "the residual is y - x.w instead of x.w - y "
                          "(the gradient points downhill)");
        MISTAKE(2 * want[j], "the gradient carries a factor 2: the 1/2 of "
                             "the loss cancels it");
        CHECK_NEAR(g[j], want[j], 1e-12, SEE_GRAD,
                   "lsq_batch_grad[%d] with X = (1,1; 1,2; 1,3), y = (1, 2, "
                   "2), w = (1, 0.5), batch {0, 1, 2}: the mean of r_k x_k "
                   "with residuals r = (0.5, 0, 0.5)",
                   j);
    }
}

GRADED(sgd, batch_grad_reads_only_the_listed_examples, 2) {
    const double w[2] = {1.0, 0.5};
    /* Example 2 twice and example 0 once: residual 0.5 each. */
    const int idx[3] = {2, 2, 0};
    double g[2] = {NAN, NAN};
    lsq_batch_grad(g, &TINY, w, idx, 3);
    const double want[2] = {0.5, 3.5 / 3.0};
    for (int j = 0; j < 2; j++) {
        MISTAKE(j ? 2.0 / 3.0 : 1.0 / 3.0,
                "examples 0, 1, ..., b-1 are used instead of idx[0..b)");
        CHECK_NEAR(g[j], want[j], 1e-12, SEE_GRAD,
                   "lsq_batch_grad[%d] on the tiny data set, w = (1, 0.5), "
                   "batch idx = {2, 2, 0}",
                   j);
    }
    const int one[1] = {2};
    lsq_batch_grad(g, &TINY, w, one, 1);
    CHECK(g[0] == 0.5 && g[1] == 1.5, SEE_GRAD,
          "lsq_batch_grad over the single example 2 (x = (1, 3), residual "
          "0.5): got (%g, %g), want (0.5, 1.5); grad must be reset, not "
          "accumulated across calls",
          g[0], g[1]);
}

/* A trusted copy of the loss, for the numerical gradient. */
static double trusted_loss(const double *w, void *ctx) {
    const LsqData *data = ctx;
    double sum = 0.0;
    for (int i = 0; i < data->n; i++) {
        double r = -data->y[i];
        for (int j = 0; j < data->d; j++)
            r += data->X[i * data->d + j] * w[j];
        sum += r * r;
    }
    return sum / (2.0 * data->n);
}

GRADED(sgd, full_batch_grad_matches_finite_differences, 2) {
    LsqData data = chapter_data();
    int idx[SGD_DATA_N];
    identity(idx, SGD_DATA_N);
    double w[SGD_DATA_D] = {0.3, -0.2, 1.0, 2.0};
    double g[SGD_DATA_D], want[SGD_DATA_D];
    for (int j = 0; j < SGD_DATA_D; j++)
        g[j] = NAN;
    lsq_batch_grad(g, &data, w, idx, SGD_DATA_N);
    grading_numeric_gradient(want, trusted_loss, &data, w, SGD_DATA_D, 1e-3);
    for (int j = 0; j < SGD_DATA_D; j++) {
        MISTAKE(SGD_DATA_N * want[j], "the batch gradient is a sum: divide "
                                      "by b");
        /* sums over the 200 examples accumulated in float are off by up
         * to ~3e-7 (measured); the slips by a factor */
        CHECK_NEAR(g[j], want[j], 1e-6 * fmax(1.0, fabs(want[j])), SEE_GRAD,
                   "dL/dw[%d] over all 200 examples of the chapter's data "
                   "at w = (0.3, -0.2, 1, 2), against finite differences",
                   j);
    }
}

/* w* of the chapter's data, from the normal equations (the demo prints it
 * to 8 decimals), and L(w*) from the trusted loss. */
static const double W_STAR[SGD_DATA_D] = {1.9562967993074889,
                                          -1.0326130958183526,
                                          3.0678933439583282,
                                          0.43372627937472069};

GRADED(sgd, the_optimum_has_zero_gradient_and_the_documented_loss, 2) {
    LsqData data = chapter_data();
    MISTAKE(2 * 0.11305613684733194, "the 1/2 in front of the mean is left "
                                     "out");
    MISTAKE(SGD_DATA_N * 0.11305613684733194, "the squared residuals are "
                                              "halved but not averaged");
    MISTAKE(2 * SGD_DATA_N * 0.11305613684733194, "the squared residuals "
                                                  "are summed, not averaged");
    CHECK_REL(lsq_loss(&data, W_STAR), 0.11305613684733194, FLOAT_LOSS_REL,
              SEE_DATA,
              "lsq_loss at the least-squares optimum w* = (1.95629680, "
              "-1.03261310, 3.06789334, 0.43372628) of the chapter's data "
              "(the demo prints L(w*) = 0.11305614)");
    int idx[SGD_DATA_N];
    identity(idx, SGD_DATA_N);
    double g[SGD_DATA_D];
    for (int j = 0; j < SGD_DATA_D; j++)
        g[j] = NAN;
    lsq_batch_grad(g, &data, W_STAR, idx, SGD_DATA_N);
    /* w* solves the normal equations to ~1e-16, so the full gradient there
     * is rounding noise: ~1e-16 with sums in double, up to ~4e-8 with sums
     * accumulated in float (measured); a gradient that is off by any factor
     * is still 0 here, and the test above of lsq_batch_grad catches that. */
    for (int j = 0; j < SGD_DATA_D; j++)
        CHECK_NEAR(g[j], 0.0, 2e-7, SEE_DATA,
                   "full-batch gradient[%d] at the optimum w*: the normal "
                   "equations make it vanish",
                   j);
}

/* The eigenvalues of a symmetric 4 x 4 matrix, ascending (Jacobi). */
static void eigenvalues4(double *eig, double A[4][4]) {
    for (int sweep = 0; sweep < 50; sweep++)
        for (int p = 0; p < 4; p++)
            for (int q = p + 1; q < 4; q++) {
                if (A[p][q] == 0.0) continue;
                double th = (A[q][q] - A[p][p]) / (2.0 * A[p][q]);
                double t = (th >= 0 ? 1.0 : -1.0) /
                           (fabs(th) + sqrt(th * th + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), sn = t * c;
                for (int k = 0; k < 4; k++) {
                    double kp = A[k][p], kq = A[k][q];
                    A[k][p] = c * kp - sn * kq;
                    A[k][q] = sn * kp + c * kq;
                }
                for (int k = 0; k < 4; k++) {
                    double pk = A[p][k], qk = A[q][k];
                    A[p][k] = c * pk - sn * qk;
                    A[q][k] = sn * pk + c * qk;
                }
            }
    for (int i = 0; i < 4; i++)
        eig[i] = A[i][i];
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0 && eig[j - 1] > eig[j]; j--) {
            double t = eig[j];
            eig[j] = eig[j - 1];
            eig[j - 1] = t;
        }
}

GRADED(sgd, the_gradient_has_the_documented_hessian_and_curvatures, 1) {
    /* The gradient is linear in w, so grad(e_j) - grad(0) is column j of
     * the Hessian X^T X / n: read off the student's lsq_batch_grad. */
    LsqData data = chapter_data();
    int idx[SGD_DATA_N];
    identity(idx, SGD_DATA_N);
    double H[4][4], g0[4], gj[4], zero[4] = {0};
    lsq_batch_grad(g0, &data, zero, idx, SGD_DATA_N);
    for (int j = 0; j < 4; j++) {
        double e[4] = {0};
        e[j] = 1.0;
        lsq_batch_grad(gj, &data, e, idx, SGD_DATA_N);
        for (int i = 0; i < 4; i++)
            H[i][j] = gj[i] - g0[i];
    }
    static const double want[4][4] = {{1.000, -0.031, 0.009, 0.064},
                                      {-0.031, 0.863, 0.010, 0.023},
                                      {0.009, 0.010, 0.248, 0.049},
                                      {0.064, 0.023, 0.049, 0.356}};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            CHECK_NEAR(H[i][j], want[i][j], 5.01e-4, SEE_DATA,
                       "Hessian entry (%d, %d) as grad(e_%d) - grad(0) of "
                       "the full-batch gradient on the chapter's data (the "
                       "demo prints it to 3 decimals)",
                       i, j, j);
    double eig[4];
    eigenvalues4(eig, H);
    CHECK_NEAR(eig[0], 0.228142, 1e-5, SEE_DATA,
               "smallest eigenvalue of that Hessian");
    CHECK_NEAR(eig[3], 1.011747, 1e-5, SEE_DATA,
               "largest eigenvalue of that Hessian");
    CHECK_NEAR(eig[3] / eig[0], 4.43, 0.005, SEE_DATA,
               "condition number of that Hessian");
    /* One example's curvature |x_i|^2: the trace of the Hessian of its
     * loss, again read off the gradient of a batch of that one example. */
    double mean = 0.0, largest = 0.0;
    for (int i = 0; i < SGD_DATA_N; i++) {
        double tr = 0.0;
        lsq_batch_grad(g0, &data, zero, &i, 1);
        for (int j = 0; j < 4; j++) {
            double e[4] = {0};
            e[j] = 1.0;
            lsq_batch_grad(gj, &data, e, &i, 1);
            tr += gj[j] - g0[j];
        }
        mean += tr / SGD_DATA_N;
        largest = fmax(largest, tr);
    }
    CHECK_NEAR(mean, 2.47, 0.005, SEE_COST,
               "mean over the examples of |x_i|^2, one example's "
               "curvature, from single-example gradients");
    CHECK_NEAR(largest, 10.25, 0.005, SEE_COST,
               "largest |x_i|^2 over the examples, from single-example "
               "gradients");
}

/* ---- 2.3 shuffling ---------------------------------------------------- */

GRADED(sgd, shuffle_gives_the_documented_permutations, 3) {
    /* Three shuffles in a row of 0..9 with seed 42, as the demo prints. */
    static const int want[3][10] = {{0, 9, 5, 8, 6, 4, 7, 2, 1, 3},
                                    {0, 3, 8, 5, 4, 2, 9, 7, 1, 6},
                                    {8, 3, 2, 6, 9, 5, 4, 1, 0, 7}};
    /* What common variants give on the first shuffle: j = rng_below(rng,
     * i) backwards (Sattolo); j = rng_below(rng, n) for i = n-1 down to 0
     * and for i = 0 up to n-1 (naive); forwards, for i = 0 up to n-2 with
     * j = i + rng_below(rng, n - i), and for i = 0 up to n-1 with
     * j = rng_below(rng, i + 1). */
    static const int sattolo[10] = {8, 4, 5, 9, 2, 6, 7, 0, 3, 1};
    static const int naive[2][10] = {{2, 9, 7, 0, 5, 8, 4, 1, 6, 3},
                                     {0, 1, 5, 4, 9, 7, 8, 2, 6, 3}};
    static const int forward[2][10] = {{3, 2, 4, 5, 8, 7, 0, 9, 6, 1},
                                       {5, 8, 6, 2, 9, 4, 0, 3, 1, 7}};
    int perm[10];
    identity(perm, 10);
    Rng rng;
    rng_seed(&rng, 42);
    for (int round = 0; round < 3; round++) {
        sgd_shuffle(perm, 10, &rng);
        char got[128], exp[128];
        const char *cause =
            round > 0 ? "if the first shuffle was right: shuffle perm as "
                        "it is, do not reset it to 0..n-1"
            : same_perm(perm, sattolo, 10)
                ? "j = rng_below(rng, i): j must be allowed to equal i"
            : same_perm(perm, naive[0], 10) || same_perm(perm, naive[1], 10)
                ? "j = rng_below(rng, n) on every step: this naive shuffle "
                  "is biased"
            : same_perm(perm, forward[0], 10) ||
                    same_perm(perm, forward[1], 10)
                ? "the loop runs forward; the chapter's runs i from n-1 "
                  "down to 1"
                : "compare with the loop in the chapter";
        CHECK(same_perm(perm, want[round], 10), SEE_SHUFFLE,
              "shuffle %d of 0..9 with seed 42: got %s, want %s (%s)",
              round + 1, show_perm(got, sizeof got, perm, 10),
              show_perm(exp, sizeof exp, want[round], 10), cause);
    }
}

GRADED(sgd, shuffle_is_a_permutation, 1) {
    enum { N = 1000 };
    int perm[N], seen[N] = {0};
    identity(perm, N);
    Rng rng;
    rng_seed(&rng, 7);
    sgd_shuffle(perm, N, &rng);
    int fixed = 0;
    for (int i = 0; i < N; i++) {
        CHECK(perm[i] >= 0 && perm[i] < N && !seen[perm[i]], SEE_SHUFFLE,
              "shuffling 0..999: perm[%d] = %d is out of range or repeated",
              i, perm[i]);
        seen[perm[i]] = 1;
        fixed += perm[i] == i;
    }
    /* A uniform shuffle leaves about one element in place, on average. */
    CHECK(fixed < 10, SEE_SHUFFLE,
          "shuffling 0..999 with seed 7 left %d elements in place: the "
          "shuffle does not move them",
          fixed);
    int one[1] = {5};
    sgd_shuffle(one, 1, &rng);
    CHECK(one[0] == 5, SEE_SHUFFLE,
          "shuffling a single element changed it to %d", one[0]);
}

GRADED(sgd, shuffle_is_uniform_over_the_orderings, 2) {
    /* All 6 orderings of 3 elements, from 60000 shuffles in a row: each
     * frequency is 1/6 give or take 0.0015 (one standard deviation); the
     * naive shuffle is off by about 0.02 and Sattolo's never gives the
     * identity. */
    enum { TRIALS = 60000 };
    int counts[3][3][3] = {{{0}}};
    int perm[3] = {0, 1, 2};
    Rng rng;
    rng_seed(&rng, 3);
    for (int t = 0; t < TRIALS; t++) {
        sgd_shuffle(perm, 3, &rng);
        if (perm[0] < 0 || perm[0] > 2 || perm[1] < 0 || perm[1] > 2 ||
            perm[2] < 0 || perm[2] > 2)
            break;
        counts[perm[0]][perm[1]][perm[2]]++;
    }
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int k = 0; k < 6; k++) {
        const int *o = orders[k];
        double freq = (double)counts[o[0]][o[1]][o[2]] / TRIALS;
        CHECK_NEAR(freq, 1.0 / 6.0, 0.008, SEE_SHUFFLE,
                   "frequency of the ordering {%d, %d, %d} over %d shuffles "
                   "of 3 elements (seed 3)",
                   o[0], o[1], o[2], TRIALS);
    }
}

/* ---- 2.4 the epoch loop ----------------------------------------------- */

GRADED(sgd, run_takes_ceil_n_over_b_steps_per_epoch, 2) {
    const LsqData data = chapter_data();
    const int sizes[4] = {32, 1, 200, 199};
    const int want[4] = {21, 600, 3, 6};
    const int dropped[4] = {18, 600, 3, 3};
    for (int s = 0; s < 4; s++) {
        double w[SGD_DATA_D] = {0};
        int perm[SGD_DATA_N];
        identity(perm, SGD_DATA_N);
        Rng rng;
        rng_seed(&rng, 1);
        const SgdConfig cfg = {.lr = 1e-3, .batch_size = sizes[s],
                               .epochs = 3};
        if (dropped[s] != want[s])
            MISTAKE(dropped[s], "the last, smaller batch is dropped");
        CHECK_INT(sgd_run(w, &data, &cfg, &rng, perm, NULL), want[s],
                  SEE_LOOP,
                  "steps returned by sgd_run over 3 epochs of n = 200 "
                  "examples, batch size %d (ceil(200 / %d) per epoch)",
                  sizes[s], sizes[s]);
    }
}

/* Five copies of one example, x = 1, y = 2: every batch has the same mean
 * gradient w - 2, whatever the order, so the run can be followed by hand. */
static const double SAME_X[5] = {1, 1, 1, 1, 1};
static const double SAME_Y[5] = {2, 2, 2, 2, 2};
static const LsqData SAME = {SAME_X, SAME_Y, 5, 1};

//> last_batch_test
GRADED(sgd, run_uses_the_smaller_last_batch_at_its_own_size, 3) {
    double w = 0.0;
    int perm[5];
    identity(perm, 5);
    Rng rng;
    rng_seed(&rng, 1);
    const SgdConfig cfg = {.lr = 0.5, .batch_size = 2, .epochs = 1};
    int steps = sgd_run(&w, &SAME, &cfg, &rng, perm, NULL);
    /* Batches of 2, 2 and 1: w <- w - 0.5 (w - 2) three times. */
    MISTAKE(1.5, "the last batch (1 example) is dropped: 2 steps, not 3");
    MISTAKE(1.625, "the last batch's gradient is divided by the batch "
                   "size 2 instead of its own size 1");
    MISTAKE(2.0, "the batch gradient is a sum, not a mean");
    MISTAKE(2.0, "the gradient carries a factor 2 (the 1/2 of the loss "
                 "cancels it)");
    CHECK_NEAR(w, 1.75, 1e-12, SEE_LOOP,
               "w after 1 epoch from 0 over 5 copies of (x = 1, y = 2), "
               "batch size 2, lr 0.5 (batches of 2, 2, 1: 0 -> 1 -> 1.5 -> "
               "1.75)");
    CHECK_INT(steps, 3, SEE_LOOP, "steps for n = 5, batch size 2");
}
//< last_batch_test

GRADED(sgd, run_visits_every_example_once_per_epoch, 2) {
    /* One-hot examples x_i = e_i, y_i = 1: a step on a batch of b moves
     * only the w_i of its own examples, each from w_i toward 1 by lr / b
     * of the way. Starting from 0 with lr 0.5: a full batch of 2 leaves
     * 0.25 in each of its two, a batch of 1 leaves 0.5. */
    enum { N = 5 };
    double X[N * N] = {0}, y[N];
    for (int i = 0; i < N; i++) {
        X[i * N + i] = 1.0;
        y[i] = 1.0;
    }
    const LsqData data = {X, y, N, N};
    double w[N] = {0};
    int perm[N];
    identity(perm, N);
    Rng rng;
    rng_seed(&rng, 9);
    const SgdConfig cfg = {.lr = 0.5, .batch_size = 2, .epochs = 1};
    sgd_run(w, &data, &cfg, &rng, perm, NULL);
    int seen[N] = {0};
    for (int i = 0; i < N; i++) {
        CHECK(perm[i] >= 0 && perm[i] < N && !seen[perm[i]], SEE_LOOP,
              "perm after the run must be a permutation of 0..4: perm[%d] "
              "= %d",
              i, perm[i]);
        seen[perm[i]] = 1;
    }
    char buf[64];
    for (int k = 0; k < N; k++) {
        int i = perm[k];
        double want = k == N - 1 ? 0.5 : 0.25;
        MISTAKE(0.0, "this example was never visited");
        MISTAKE(0.4375, "this example was visited twice");
        MISTAKE(0.4375, "lsq_batch_grad uses examples 0, 1, ..., b-1 "
                        "instead of idx[0..b)");
        if (k == N - 1)
            MISTAKE(0.25, "the last batch's gradient is divided by the batch "
                          "size 2 instead of its own size 1");
        CHECK_NEAR(w[i], want, 1e-12, SEE_LOOP,
                   "w[%d] after 1 epoch on one-hot examples (n = 5, batch "
                   "size 2, lr 0.5), where example %d is at position %d of "
                   "the epoch's order %s",
                   i, i, k, show_perm(buf, sizeof buf, perm, N));
    }
}

GRADED(sgd, run_records_the_loss_after_every_step, 2) {
    double w = 0.0, history[5] = {NAN, NAN, NAN, NAN, NAN};
    int perm[5];
    identity(perm, 5);
    Rng rng;
    rng_seed(&rng, 1);
    const SgdConfig cfg = {.lr = 0.5, .batch_size = 2, .epochs = 1};
    sgd_run(&w, &SAME, &cfg, &rng, perm, history);
    /* L = (w - 2)^2 / 2 at w = 0, 1, 1.5, 1.75. */
    const double want[4] = {2.0, 0.5, 0.125, 0.03125};
    for (int s = 0; s < 4; s++) {
        if (s > 0) MISTAKE(want[s - 1], "the loss is recorded before the "
                                        "step instead of after it");
        CHECK_NEAR(history[s], want[s], 1e-12, SEE_LOOP,
                   "history[%d] for 5 copies of (x = 1, y = 2), batch size "
                   "2, lr 0.5, from w = 0; history[0] is the starting loss",
                   s);
    }
    CHECK(isnan(history[4]), SEE_LOOP,
          "sgd_run wrote history[4], past the 3 steps + 1 start");
}

GRADED(sgd, run_reshuffles_every_epoch_without_resetting, 2) {
    const LsqData data = chapter_data();
    double w[SGD_DATA_D] = {0};
    int perm[SGD_DATA_N];
    identity(perm, SGD_DATA_N);
    Rng rng;
    rng_seed(&rng, 5);
    const SgdConfig cfg = {.lr = 0.01, .batch_size = 50, .epochs = 3};
    sgd_run(w, &data, &cfg, &rng, perm, NULL);
    /* The start of the third epoch's order, and what variants give. */
    static const int want[8] = {73, 43, 88, 125, 163, 195, 5, 199};
    static const int reset[8] = {145, 56, 39, 109, 33, 24, 185, 96};
    static const int once[8] = {141, 92, 165, 15, 131, 34, 123, 156};
    static const int none[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    char got[128], exp[128];
    CHECK(same_perm(perm, want, 8), SEE_LOOP,
          "perm[0..8) after 3 epochs (seed 5, batch size 50): got %s, want "
          "%s%s",
          show_perm(got, sizeof got, perm, 8),
          show_perm(exp, sizeof exp, want, 8),
          same_perm(perm, reset, 8)  ? "; perm is reset to 0..n-1 before "
                                       "each shuffle: shuffle it as it is"
          : same_perm(perm, once, 8) ? "; perm is shuffled once, not at "
                                       "the start of every epoch"
          : same_perm(perm, none, 8) ? "; perm is never shuffled"
                                     : "");
    /* Two runs of 3 epochs sharing rng and perm equal one run of 6. */
    double w6[SGD_DATA_D] = {0};
    int perm6[SGD_DATA_N];
    identity(perm6, SGD_DATA_N);
    Rng rng6;
    rng_seed(&rng6, 5);
    const SgdConfig six = {.lr = 0.01, .batch_size = 50, .epochs = 6};
    sgd_run(w6, &data, &six, &rng6, perm6, NULL);
    sgd_run(w, &data, &cfg, &rng, perm, NULL);
    for (int j = 0; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], w6[j], 1e-12, SEE_LOOP,
                   "w[%d] after two runs of 3 epochs against one run of 6 "
                   "(same seed, perm carried over)",
                   j);
}

/* ---- 2.5 the three methods, documented -------------------------------- */

/* The chapter's run: 20 epochs from w = 0, perm from the identity, seed 1.
 * Returns sgd_run's step count; history as in sgd_run. */
static int chapter_run(double *w, double lr, int batch_size,
                       double *history) {
    const LsqData data = chapter_data();
    int perm[SGD_DATA_N];
    identity(perm, SGD_DATA_N);
    Rng rng;
    rng_seed(&rng, 1);
    const SgdConfig cfg = {.lr = lr, .batch_size = batch_size, .epochs = 20};
    for (int j = 0; j < SGD_DATA_D; j++)
        w[j] = 0.0;
    return sgd_run(w, &data, &cfg, &rng, perm, history);
}

GRADED(sgd, batch_gd_reaches_the_documented_weights, 2) {
    double w[SGD_DATA_D];
    CHECK_INT(chapter_run(w, 1.0, SGD_DATA_N, NULL), 20, SEE_COST,
              "steps of 20 epochs of batch GD (b = 200)");
    const double want[SGD_DATA_D] = {1.956020, -1.032613, 3.053550, 0.439249};
    for (int j = 0; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST,
                   "w[%d] after 20 epochs of batch GD (b = 200, lr = 1) "
                   "from w = 0 on the chapter's data",
                   j);
}

GRADED(sgd, minibatch_gd_reaches_the_documented_weights, 3) {
    double w[SGD_DATA_D];
    int steps = chapter_run(w, 0.15, 16, NULL);
    const double want[SGD_DATA_D] = {1.908673, -1.022041, 3.062934, 0.446560};
    MISTAKE(1.975345479, "perm is never shuffled");
    MISTAKE(1.884353643, "perm is reset to 0..n-1 before each shuffle");
    MISTAKE(1.907040934, "perm is shuffled once, not every epoch");
    MISTAKE(1.966742467, "the last batch of each epoch (8 examples) is "
                         "dropped");
    MISTAKE(1.938301954, "the last batch's gradient (8 examples) is divided "
                         "by the batch size 16 instead of its own size 8");
    CHECK_NEAR(w[0], want[0], 1e-6, SEE_COST,
               "w[0] after 20 epochs of mini-batch GD (b = 16, lr = 0.15, "
               "seed 1) from w = 0 on the chapter's data");
    for (int j = 1; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST, "w[%d] after the same run",
                   j);
    CHECK_INT(steps, 260, SEE_COST,
              "steps of 20 epochs with b = 16 (13 batches per epoch)");
}

GRADED(sgd, sgd_reaches_the_documented_weights, 3) {
    double w[SGD_DATA_D];
    int steps = chapter_run(w, 0.02, 1, NULL);
    const double want[SGD_DATA_D] = {1.907025, -1.020368, 3.076860, 0.459611};
    MISTAKE(1.986257931, "perm is never shuffled");
    MISTAKE(1.869723535, "perm is reset to 0..n-1 before each shuffle");
    MISTAKE(1.868614294, "perm is shuffled once, not every epoch");
    CHECK_NEAR(w[0], want[0], 1e-6, SEE_COST,
               "w[0] after 20 epochs of SGD (b = 1, lr = 0.02, seed 1) from "
               "w = 0 on the chapter's data");
    for (int j = 1; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST, "w[%d] after the same run",
                   j);
    CHECK_INT(steps, 4000, SEE_COST, "steps of 20 epochs with b = 1");
}

GRADED(sgd, all_three_end_within_0_1_of_the_optimum, 2) {
    const double lr[3] = {1.0, 0.15, 0.02};
    const int batch[3] = {SGD_DATA_N, 16, 1};
    /* |w - w*| as the demo prints it (1.5e-02, 5.1e-02, 5.8e-02). */
    const double want[3] = {0.015372619, 0.050686538, 0.057689594};
    for (int m = 0; m < 3; m++) {
        double w[SGD_DATA_D], dist = 0.0;
        chapter_run(w, lr[m], batch[m], NULL);
        for (int j = 0; j < SGD_DATA_D; j++)
            dist += (w[j] - W_STAR[j]) * (w[j] - W_STAR[j]);
        dist = sqrt(dist);
        CHECK(isfinite(dist) && dist < 0.1, SEE_COST,
              "|w - w*| after 20 epochs with b = %d, lr = %g: got %g, want "
              "below 0.1",
              batch[m], lr[m], dist);
        CHECK_NEAR(dist, want[m], 1e-7, SEE_COST,
                   "|w - w*| after 20 epochs with b = %d, lr = %g from w = "
                   "0 (seed 1)",
                   batch[m], lr[m]);
    }
}

/* The tolerance on an excess loss L(w) - L(w*) read from sgd_run's
 * history: relative to the loss L(w) itself, which is what lsq_loss
 * computed (FLOAT_LOSS_REL), not to the excess, which can be 4000 times
 * smaller. L(w*) = 0.11305614. */
static double excess_tol(double want) {
    return FLOAT_LOSS_REL * (want + 0.11305613684733194);
}

/* The excess loss L(w) - L(w*), with the trusted loss at w*. */
static double excess(double loss) {
    static double loss_star = NAN;
    if (isnan(loss_star)) {
        LsqData data = chapter_data();
        loss_star = trusted_loss(W_STAR, &data);
    }
    return loss - loss_star;
}

GRADED(sgd, excess_loss_tables_match_after_equal_epochs_and_steps, 2) {
    /* The demo's two tables, from the history of the three runs above.
     * The runs are contractions, so rounding in the steps stays near
     * 1e-15; a loss summed in float is off by up to ~7e-7 of L(w), which
     * is ~1e-3 of the smallest excess: see excess_tol. */
    static double history[SGD_DATA_N * 20 + 1];
    const char *name[3] = {"batch GD (b = 200, lr 1)",
                           "mini-batch GD (b = 16, lr 0.15)",
                           "SGD (b = 1, lr 0.02)"};
    const double lr[3] = {1.0, 0.15, 0.02};
    const int batch[3] = {SGD_DATA_N, 16, 1}, per_epoch[3] = {1, 13, 200};
    const int at_epochs[5] = {1, 2, 5, 10, 20}, at_steps[4] = {1, 5, 10, 20};
    static const double by_epochs[3][5] = {
        {6.5083808898e-01, 3.5826467081e-01, 6.7385492062e-02,
         4.8222364269e-03, 2.6958455413e-05},
        {4.6760515692e-01, 1.6360271608e-01, 1.0252274642e-02,
         2.1561369466e-04, 1.1928799887e-03},
        {1.5857959026e-01, 2.4249120385e-02, 9.2973994790e-04,
         1.5036904070e-04, 1.3608952036e-03}};
    static const double by_steps[3][4] = {
        {6.5083808898e-01, 6.7385492062e-02, 4.8222364269e-03,
         2.6958455413e-05},
        {2.8817245520e+00, 1.3287434124e+00, 6.0393637113e-01,
         2.5086842226e-01},
        {3.7203734761e+00, 3.6264021046e+00, 3.0713147529e+00,
         2.0210166182e+00}};
    for (int m = 0; m < 3; m++) {
        double w[SGD_DATA_D];
        for (int k = 0; k <= SGD_DATA_N * 20; k++)
            history[k] = NAN;
        chapter_run(w, lr[m], batch[m], history);
        for (int c = 0; c < 5; c++)
            CHECK_NEAR(excess(history[at_epochs[c] * per_epoch[m]]),
                       by_epochs[m][c], excess_tol(by_epochs[m][c]), SEE_COST,
                       "L(w) - L(w*) after %d epochs (history[%d]) of %s "
                       "from w = 0, seed 1",
                       at_epochs[c], at_epochs[c] * per_epoch[m], name[m]);
        for (int c = 0; c < 4; c++)
            CHECK_NEAR(excess(history[at_steps[c]]), by_steps[m][c],
                       excess_tol(by_steps[m][c]), SEE_COST,
                       "L(w) - L(w*) after %d steps (history[%d]) of %s "
                       "from w = 0, seed 1",
                       at_steps[c], at_steps[c], name[m]);
    }
}

/* ---- 2.6 the noise floor ---------------------------------------------- */

static const double FLOOR_LR[3] = {0.04, 0.02, 0.01};
static const int FLOOR_B[3] = {1, 4, 16};

/* The tables are means of 250 to 4000 excess losses near w*, some of them
 * below 1e-5. A loss summed in float is off by up to ~3e-8 (~3e-7 of
 * L(w*)); over the steps of a run those errors average down to at most
 * 3.8e-9 (measured), so FLOOR_FLOAT allows 3 times that on top of 1e-6
 * relative. */
#define FLOOR_FLOAT 1.2e-8

GRADED(sgd, noise_floor_with_reshuffling_matches_the_table, 2) {
    /* The demo's first table: sgd_run from w* for 20 epochs, seed 1, the
     * mean over the steps of history - L(w*). */
    static const double want[3][3] = {
        {4.0876573383e-03, 4.9824919439e-04, 5.2783844990e-05},
        {1.4893048422e-03, 1.4661706014e-04, 1.5315733837e-05},
        {4.8653375747e-04, 4.0347837055e-05, 4.5023547783e-06}};
    static double history[SGD_DATA_N * 20 + 1];
    LsqData data = chapter_data();
    for (int r = 0; r < 3; r++)
        for (int b = 0; b < 3; b++) {
            double w[SGD_DATA_D];
            memcpy(w, W_STAR, sizeof w);
            int perm[SGD_DATA_N];
            identity(perm, SGD_DATA_N);
            Rng rng;
            rng_seed(&rng, 1);
            const SgdConfig cfg = {FLOOR_LR[r], FLOOR_B[b], 20};
            int steps = 20 * ((SGD_DATA_N + FLOOR_B[b] - 1) / FLOOR_B[b]);
            for (int k = 0; k <= steps; k++)
                history[k] = NAN;
            sgd_run(w, &data, &cfg, &rng, perm, history);
            double mean = 0.0;
            for (int k = 1; k <= steps; k++)
                mean += excess(history[k]) / steps;
            CHECK_NEAR(mean, want[r][b], 1e-6 * want[r][b] + FLOOR_FLOAT,
                       SEE_FLOOR,
                       "mean of L(w) - L(w*) over the %d steps of 20 epochs "
                       "of sgd_run from w*, lr = %g, b = %d, seed 1",
                       steps, FLOOR_LR[r], FLOOR_B[b]);
        }
}

GRADED(sgd, noise_floor_with_replacement_matches_the_table, 1) {
    /* The demo's second table: batches of b examples drawn independently
     * with rng_below, a step w -= lr * lsq_batch_grad, and lsq_loss after
     * every step. */
    static const double want[3][3] = {
        {6.0783066390e-03, 1.5931892408e-03, 3.8243798962e-04},
        {3.0655747093e-03, 7.8909476231e-04, 1.7163636407e-04},
        {1.5669927322e-03, 3.7571367039e-04, 7.0213518323e-05}};
    LsqData data = chapter_data();
    for (int r = 0; r < 3; r++)
        for (int b = 0; b < 3; b++) {
            double w[SGD_DATA_D], g[SGD_DATA_D];
            memcpy(w, W_STAR, sizeof w);
            int idx[16];
            Rng rng;
            rng_seed(&rng, 1);
            int steps = 20 * SGD_DATA_N / FLOOR_B[b];
            double mean = 0.0;
            for (int k = 0; k < steps; k++) {
                for (int i = 0; i < FLOOR_B[b]; i++)
                    idx[i] = (int)rng_below(&rng, SGD_DATA_N);
                lsq_batch_grad(g, &data, w, idx, FLOOR_B[b]);
                for (int j = 0; j < SGD_DATA_D; j++)
                    w[j] -= FLOOR_LR[r] * g[j];
                mean += excess(lsq_loss(&data, w)) / steps;
            }
            CHECK_NEAR(mean, want[r][b], 1e-6 * want[r][b] + FLOOR_FLOAT,
                       SEE_FLOOR,
                       "mean of L(w) - L(w*) over %d steps from w* with "
                       "batches of %d examples drawn with replacement, "
                       "lr = %g, seed 1",
                       steps, FLOOR_B[b], FLOOR_LR[r]);
        }
}

/* ---- 2.7 noise and saddle points -------------------------------------- */

GRADED(sgd, noisy_step_adds_scaled_gaussian_noise, 2) {
    double x[2] = {1.0, 2.0};
    const double g[2] = {0.5, -1.0};
    Rng rng, ref;
    rng_seed(&rng, 11);
    rng_seed(&ref, 11);
    sgd_noisy_step(x, g, 2, 0.1, 0.3, &rng);
    const double x0[2] = {1.0, 2.0};
    double draws[2];
    draws[0] = rng_gaussian(&ref);
    draws[1] = rng_gaussian(&ref);
    for (int i = 0; i < 2; i++) {
        double xi = draws[i];
        double want = x0[i] - 0.1 * (g[i] + 0.3 * xi);
        MISTAKE(x0[i] - 0.1 * (g[i] + 0.3 * draws[1 - i]),
                "the draws go to the coordinates in the wrong order: x[i] "
                "takes the i-th draw");
        MISTAKE(x0[i] - 0.1 * g[i] - 0.3 * xi,
                "the noise is not multiplied by the learning rate");
        MISTAKE(x0[i] - 0.1 * (g[i] - 0.3 * xi),
                "the noise is subtracted from the gradient, not added");
        MISTAKE(x0[i] - 0.1 * (g[i] + xi),
                "the noise is not multiplied by sigma");
        MISTAKE(x0[i] - 0.1 * g[i], "no noise is added");
        CHECK_NEAR(x[i], want, 1e-12, SEE_SADDLE,
                   "x[%d] after sgd_noisy_step(x = (1, 2), grad = (0.5, "
                   "-1), lr = 0.1, sigma = 0.3, seed 11), with xi[%d] = %.6f "
                   "the %s rng_gaussian draw",
                   i, i, xi, i ? "second" : "first");
    }
}

/* f = x^2 - y^2 + y^4 / 2: a saddle at 0, minima at (0, +-1). */
static void saddle_grad(double *g, const double *p) {
    g[0] = 2.0 * p[0];
    g[1] = -2.0 * p[1] + 2.0 * p[1] * p[1] * p[1];
}
static double saddle(const double *p) {
    return p[0] * p[0] - p[1] * p[1] + 0.5 * p[1] * p[1] * p[1] * p[1];
}

GRADED(sgd, plain_gd_on_the_ridge_stalls_at_the_saddle, 2) {
    double p[2] = {1.0, 0.0}, g[2];
    Rng rng, ref;
    rng_seed(&rng, 1);
    rng_seed(&ref, 1);
    /* Chapter 1's stopping rule, as the demo's gd_run applies it: the
     * first k at which |grad f(x_k)| < 1e-6, and x_k there. */
    int stop = -1;
    double p_stop[2] = {NAN, NAN};
    for (int k = 0; k < 100; k++) {
        saddle_grad(g, p);
        if (stop < 0 && hypot(g[0], g[1]) < 1e-6) {
            stop = k;
            p_stop[0] = p[0], p_stop[1] = p[1];
        }
        sgd_noisy_step(p, g, 2, 0.1, 0.0, &rng);
    }
    CHECK_INT(stop, 66, SEE_SADDLE,
              "steps from (1, 0) with sigma = 0, lr = 0.1 until |grad f| < "
              "1e-6 (the demo's plain GD: 66 steps, converged = yes)");
    CHECK_NEAR(p_stop[0], 4.0173451106475e-07, 1e-18, SEE_SADDLE,
               "x after those 66 steps (0.8^66, printed 4.02e-07)");
    CHECK_NEAR(saddle(p_stop), 1.6139061738e-13, 1e-20, SEE_SADDLE,
               "f after those 66 steps (printed 1.61e-13): the saddle, not "
               "a minimum");
    CHECK(p[1] == 0.0, SEE_SADDLE,
          "y after 100 noiseless steps from (1, 0): got %g, want exactly 0 "
          "(the ridge y = 0 has no y gradient)",
          p[1]);
    CHECK_NEAR(p[0], pow(0.8, 100), 1e-15, SEE_SADDLE,
               "x after 100 noiseless steps (lr = 0.1, sigma = 0) from (1, "
               "0) on f = x^2 - y^2 + y^4/2: x shrinks by 1 - 2 lr = 0.8 per "
               "step");
    CHECK_NEAR(saddle(p), 0.0, 1e-15, SEE_SADDLE,
               "f at the end: the saddle's value 0, not a minimum's -1/2");
    for (int k = 0; k < 200; k++)
        rng_gaussian(&ref);
    CHECK(rng.state == ref.state, SEE_SADDLE,
          "100 steps in 2 dimensions with sigma = 0 must draw 200 "
          "rng_gaussian numbers, one per coordinate per step, like any "
          "other sigma");
}

GRADED(sgd, noise_escapes_the_saddle_to_the_documented_point, 3) {
    double p[2] = {1.0, 0.0}, g[2];
    Rng rng;
    rng_seed(&rng, 1);
    for (int k = 0; k < 100; k++) {
        saddle_grad(g, p);
        sgd_noisy_step(p, g, 2, 0.1, 0.01, &rng);
    }
    CHECK_NEAR(p[0], 0.00258006, 1e-8, SEE_SADDLE,
               "x after 100 noisy steps from (1, 0) on f = x^2 - y^2 + "
               "y^4/2 (lr = 0.1, sigma = 0.01, seed 1)");
    CHECK_NEAR(p[1], -0.99920677, 1e-8, SEE_SADDLE,
               "y after the same run: near the minimum (0, -1)");
    CHECK(saddle(p) < -0.49, SEE_SADDLE,
          "f after the noisy run: got %g, want near the minimum -1/2",
          saddle(p));
}

GRADED(sgd, noisy_runs_escape_at_the_documented_steps_and_split_40_60, 2) {
    /* The demo's seeds: the first step with |y| > 1/2, and x_100. The runs
     * end near a minimum, where rounding differences die out, so 1e-8
     * holds for any correct ordering of the update. */
    const int seeds[4] = {1, 2, 3, 7}, escape[4] = {28, 34, 38, 31};
    const double end[4][2] = {{0.002580061845, -0.999206767718},
                              {0.001843213141, -1.000092636377},
                              {0.000403900217, -0.997922086452},
                              {0.005158855342, 1.001584791354}};
    int up = 0, down = 0;
    for (int seed = 1; seed <= 100; seed++) {
        double p[2] = {1.0, 0.0}, g[2];
        Rng rng;
        rng_seed(&rng, (uint64_t)seed);
        int escaped = -1;
        for (int k = 1; k <= 100; k++) {
            saddle_grad(g, p);
            sgd_noisy_step(p, g, 2, 0.1, 0.01, &rng);
            if (escaped < 0 && fabs(p[1]) > 0.5) escaped = k;
        }
        up += p[1] > 0.5;
        down += p[1] < -0.5;
        for (int s = 0; s < 4; s++) {
            if (seeds[s] != seed) continue;
            CHECK_INT(escaped, escape[s], SEE_SADDLE,
                      "first step with |y| > 1/2 from (1, 0), lr = 0.1, "
                      "sigma = 0.01, seed %d",
                      seed);
            CHECK_NEAR(p[0], end[s][0], 1e-8, SEE_SADDLE,
                       "x after 100 noisy steps, seed %d", seed);
            CHECK_NEAR(p[1], end[s][1], 1e-8, SEE_SADDLE,
                       "y after 100 noisy steps, seed %d", seed);
        }
    }
    CHECK_INT(up, 40, SEE_SADDLE,
              "seeds 1 to 100 that end near (0, 1) after 100 noisy steps");
    CHECK_INT(down, 60, SEE_SADDLE,
              "seeds 1 to 100 that end near (0, -1)");
}
