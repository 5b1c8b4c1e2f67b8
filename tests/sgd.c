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
    CHECK_NEAR(lsq_loss(&data, zero), 3.88221214, 1e-8, SEE_DATA,
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
        CHECK_NEAR(g[j], want[j], 1e-8 * fmax(1.0, fabs(want[j])), SEE_GRAD,
                   "dL/dw[%d] over all 200 examples of the chapter's data "
                   "at w = (0.3, -0.2, 1, 2), against finite differences",
                   j);
    }
}

/* ---- 2.3 shuffling ---------------------------------------------------- */

GRADED(sgd, shuffle_gives_the_documented_permutations, 3) {
    /* Three shuffles in a row of 0..9 with seed 42, as the demo prints. */
    static const int want[3][10] = {{0, 9, 5, 8, 6, 4, 7, 2, 1, 3},
                                    {0, 3, 8, 5, 4, 2, 9, 7, 1, 6},
                                    {8, 3, 2, 6, 9, 5, 4, 1, 0, 7}};
    /* What common variants give on the first shuffle. */
    static const int sattolo[10] = {8, 4, 5, 9, 2, 6, 7, 0, 3, 1};
    static const int naive[10] = {2, 9, 7, 0, 5, 8, 4, 1, 6, 3};
    static const int forward[10] = {3, 2, 4, 5, 8, 7, 0, 9, 6, 1};
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
            : same_perm(perm, naive, 10)
                ? "j = rng_below(rng, n) on every step: this naive shuffle "
                  "is biased"
            : same_perm(perm, forward, 10)
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

/* The chapter's run: 20 epochs from w = 0, perm from the identity, seed 1. */
static void chapter_run(double *w, double lr, int batch_size) {
    const LsqData data = chapter_data();
    int perm[SGD_DATA_N];
    identity(perm, SGD_DATA_N);
    Rng rng;
    rng_seed(&rng, 1);
    const SgdConfig cfg = {.lr = lr, .batch_size = batch_size, .epochs = 20};
    for (int j = 0; j < SGD_DATA_D; j++)
        w[j] = 0.0;
    sgd_run(w, &data, &cfg, &rng, perm, NULL);
}

GRADED(sgd, batch_gd_reaches_the_documented_weights, 2) {
    double w[SGD_DATA_D];
    chapter_run(w, 1.0, SGD_DATA_N);
    const double want[SGD_DATA_D] = {1.956020, -1.032613, 3.053550, 0.439249};
    for (int j = 0; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST,
                   "w[%d] after 20 epochs of batch GD (B = 200, lr = 1) "
                   "from w = 0 on the chapter's data",
                   j);
}

GRADED(sgd, minibatch_gd_reaches_the_documented_weights, 3) {
    double w[SGD_DATA_D];
    chapter_run(w, 0.15, 16);
    const double want[SGD_DATA_D] = {1.908673, -1.022041, 3.062934, 0.446560};
    MISTAKE(1.975345479, "perm is never shuffled");
    MISTAKE(1.884353643, "perm is reset to 0..n-1 before each shuffle");
    MISTAKE(1.907040934, "perm is shuffled once, not every epoch");
    MISTAKE(1.966742467, "the last batch of each epoch (8 examples) is "
                         "dropped");
    CHECK_NEAR(w[0], want[0], 1e-6, SEE_COST,
               "w[0] after 20 epochs of mini-batch GD (B = 16, lr = 0.15, "
               "seed 1) from w = 0 on the chapter's data");
    for (int j = 1; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST, "w[%d] after the same run",
                   j);
}

GRADED(sgd, sgd_reaches_the_documented_weights, 3) {
    double w[SGD_DATA_D];
    chapter_run(w, 0.02, 1);
    const double want[SGD_DATA_D] = {1.907025, -1.020368, 3.076860, 0.459611};
    MISTAKE(1.986257931, "perm is never shuffled");
    MISTAKE(1.869723535, "perm is reset to 0..n-1 before each shuffle");
    MISTAKE(1.868614294, "perm is shuffled once, not every epoch");
    CHECK_NEAR(w[0], want[0], 1e-6, SEE_COST,
               "w[0] after 20 epochs of SGD (B = 1, lr = 0.02, seed 1) from "
               "w = 0 on the chapter's data");
    for (int j = 1; j < SGD_DATA_D; j++)
        CHECK_NEAR(w[j], want[j], 1e-6, SEE_COST, "w[%d] after the same run",
                   j);
}

GRADED(sgd, all_three_end_within_0_1_of_the_optimum, 2) {
    /* w* from the normal equations, as the demo prints it. */
    const double w_star[SGD_DATA_D] = {1.95629680, -1.03261310, 3.06789334,
                                       0.43372628};
    const double lr[3] = {1.0, 0.15, 0.02};
    const int batch[3] = {SGD_DATA_N, 16, 1};
    for (int m = 0; m < 3; m++) {
        double w[SGD_DATA_D], dist = 0.0;
        chapter_run(w, lr[m], batch[m]);
        for (int j = 0; j < SGD_DATA_D; j++)
            dist += (w[j] - w_star[j]) * (w[j] - w_star[j]);
        dist = sqrt(dist);
        CHECK(isfinite(dist) && dist < 0.1, SEE_COST,
              "|w - w*| after 20 epochs with B = %d, lr = %g: got %g, want "
              "below 0.1",
              batch[m], lr[m], dist);
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
    for (int i = 0; i < 2; i++) {
        double xi = rng_gaussian(&ref);
        double want = x0[i] - 0.1 * (g[i] + 0.3 * xi);
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
    for (int k = 0; k < 100; k++) {
        saddle_grad(g, p);
        sgd_noisy_step(p, g, 2, 0.1, 0.0, &rng);
    }
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
