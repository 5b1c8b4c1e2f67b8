/* tests/capstone.c: chapter 8, the capstone -- graded tests.
 *
 * The first tests check each exercise of this chapter on a data set small
 * enough to follow by hand (4 examples, 2 features, 3 classes). They still
 * run through your loss_softmax_xent (chapter 6) and L2 functions
 * (chapter 7), because the model is built from them. The last three train
 * on the digits with your optimizers and schedules of chapters 1 to 5 too:
 * when one of those is wrong, they fail, and say which one looks wrong. */
#include "capstone.h"
#include "gd.h"
#include "grading.h"
#include "losses.h"
#include "regularization.h"
#include "sgd.h"

#include <stdio.h>
#include <string.h>

#define SEE_MODEL "chapter 8, section 8.1 'The data and the model'"
#define SEE_GRAD "chapter 8, section 8.2 'The loss and its gradient'"
#define SEE_ACC "chapter 8, section 8.3 'Measuring accuracy'"
#define SEE_OPT "chapter 8, section 8.4 'One interface, three optimizers'"
#define SEE_LOOP "chapter 8, section 8.5 'The training loop'"
#define SEE_RUN "chapter 8, section 8.6 'Comparing the optimizers'"

#define USES_EARLIER                                                           \
    "; this uses your loss_softmax_xent (chapter 6) and l2_penalty / "        \
    "l2_grad_add (chapter 7): if those chapters fail, fix them first"

/* ---- a data set to follow by hand ------------------------------------- */

enum { F = 2, C = 3, N = 4, NP = C * F + C }; /* NP = 9 parameters */
static double tiny_x[N * F] = {1.0, 2.0, 0.5, -1.0, -1.0, 0.25, 2.0, 0.0};
static int tiny_y[N] = {0, 2, 1, 0};
static const Dataset TINY = {N, F, C, tiny_x, tiny_y};

/* W = [[1, 0], [0, 1], [1, -1]], b = (0.25, -0.5, 0). */
static const double THETA[NP] = {1, 0, 0, 1, 1, -1, 0.25, -0.5, 0};

/* The trusted model: logit c of example i, W[c] . x_i + b[c]. */
static double logit(const double *theta, const Dataset *d, int i, int c) {
    const int f = d->features, k = d->classes;
    double z = theta[k * f + c];
    for (int j = 0; j < f; j++)
        z += theta[c * f + j] * d->x[i * f + j];
    return z;
}

/* The trusted cross-entropy of example i: logsumexp(z) - z[y_i]. */
static double xent(const double *theta, const Dataset *d, int i) {
    double z[CLASSIFIER_MAX_CLASSES], m = -INFINITY, s = 0.0;
    for (int c = 0; c < d->classes; c++) {
        z[c] = logit(theta, d, i, c);
        m = fmax(m, z[c]);
    }
    for (int c = 0; c < d->classes; c++)
        s += exp(z[c] - m);
    return m + log(s) - z[d->y[i]];
}

/* The trusted objective of classifier_loss_grad, for numerical gradients. */
typedef struct {
    const Dataset *d;
    const int *idx;
    int batch;
    double lambda;
} Batch;

static double objective(const double *theta, void *ctx) {
    const Batch *b = ctx;
    const int nw = b->d->classes * b->d->features;
    double J = 0.0, w2 = 0.0;
    for (int k = 0; k < b->batch; k++)
        J += xent(theta, b->d, b->idx[k]) / b->batch;
    for (int i = 0; i < nw; i++) /* the weights only, not the biases */
        w2 += theta[i] * theta[i];
    return J + 0.5 * b->lambda * w2;
}

/* ---- 8.1 the forward pass --------------------------------------------- */

GRADED(capstone, forward_computes_w_x_plus_b, 2) {
    const int idx[N] = {0, 1, 2, 3};
    double z[N * C];
    memset(z, 0, sizeof z);
    classifier_forward(z, THETA, &TINY, idx, N);
    for (int i = 0; i < N; i++)
        for (int c = 0; c < C; c++) {
            double want = logit(THETA, &TINY, i, c);
            MISTAKE(want - THETA[C * F + c], "the bias b[c] is left out");
            /* reading W column-major, W[c][j] at theta[j * C + c] */
            MISTAKE(THETA[C * F + c] + THETA[c] * tiny_x[i * F] +
                        THETA[C + c] * tiny_x[i * F + 1],
                    "W is read column-major: W[c][j] is theta[c * F + j]");
            CHECK_NEAR(z[i * C + c], want, 1e-12, SEE_MODEL,
                       "logit %d of example %d, x = (%g, %g), with W = "
                       "[[1,0],[0,1],[1,-1]], b = (0.25,-0.5,0)",
                       c, i, tiny_x[i * F], tiny_x[i * F + 1]);
        }
}

GRADED(capstone, forward_takes_the_examples_that_idx_names, 1) {
    const int idx[3] = {3, 3, 1}; /* any order, repeats allowed */
    double z[3 * C];
    memset(z, 0, sizeof z);
    classifier_forward(z, THETA, &TINY, idx, 3);
    for (int k = 0; k < 3; k++)
        for (int c = 0; c < C; c++) {
            MISTAKE(logit(THETA, &TINY, k, c),
                    "row k uses example k instead of example idx[k]");
            CHECK_NEAR(z[k * C + c], logit(THETA, &TINY, idx[k], c), 1e-12,
                       SEE_MODEL,
                       "logits row %d, column %d, for idx = (3, 3, 1)", k, c);
        }
}

/* ---- 8.2 the loss and its gradient ------------------------------------ */

GRADED(capstone, loss_at_theta_zero_is_log_of_the_class_count, 2) {
    const int idx[2] = {0, 1};
    double theta[NP] = {0}, grad[NP];
    double J = classifier_loss_grad(grad, theta, &TINY, idx, 2, 0.5);
    MISTAKE(2 * log(3.0), "the loss is summed over the batch, not averaged");
    MISTAKE(-log(3.0), "the sign is flipped: the loss is -log p, not log p");
    /* chapter 6's loss may average in float (a correct variant there):
     * 2e-6 of J, far from every slip above */
    CHECK_REL(J, log(3.0), 2e-6, SEE_GRAD,
              "classifier_loss_grad at theta = 0 (every class has p = "
              "1/3, and the penalty is 0), batch of 2" USES_EARLIER);
}

GRADED(capstone, gradient_at_theta_zero_is_p_minus_onehot_times_x, 3) {
    /* At theta = 0, p = 1/3 for every class, so G[k][c] = (1/3 - [c ==
     * y_k]) / 2 for the batch (example 0, label 0; example 1, label 2). */
    const int idx[2] = {0, 1};
    double theta[NP] = {0}, grad[NP];
    for (int i = 0; i < NP; i++)
        grad[i] = 1.0; /* must be overwritten, not added to */
    classifier_loss_grad(grad, theta, &TINY, idx, 2, 0.0);
    const double want_b[C] = {-1.0 / 6, 1.0 / 3, -1.0 / 6};
    for (int c = 0; c < C; c++) {
        MISTAKE(want_b[c] + 1.0, "grad is added to instead of overwritten");
        MISTAKE(2 * want_b[c], "the 1/B is applied twice, or the gradient "
                               "is summed over the batch");
        MISTAKE(-want_b[c], "the sign is flipped: G = p - onehot");
        MISTAKE(1.0, "the bias gradient is never written");
        MISTAKE(0.0, "the bias gradient is left at 0");
        CHECK_NEAR(grad[C * F + c], want_b[c], 1e-12, SEE_GRAD,
                   "dJ/db[%d] at theta = 0 for examples 0 and 1 (labels 0 "
                   "and 2): the sum over the batch of G[k][%d]" USES_EARLIER,
                   c, c);
    }
    MISTAKE(-0.25 + 1.0, "grad is added to instead of overwritten");
    MISTAKE(-0.5, "the gradient is summed over the batch, not averaged");
    MISTAKE(0.25, "the sign is flipped: G = p - onehot");
    CHECK_NEAR(grad[0], -0.25, 1e-12, SEE_GRAD,
               "dJ/dW[0][0] at theta = 0: G[0][0] x_0[0] + G[1][0] x_1[0] "
               "= (-1/3)(1) + (1/6)(0.5)");
    MISTAKE(-0.25, "W's gradient uses x[0] for every weight of a row");
    CHECK_NEAR(grad[1], -5.0 / 6, 1e-12, SEE_GRAD,
               "dJ/dW[0][1] at theta = 0: (-1/3)(2) + (1/6)(-1)");
}

GRADED(capstone, gradient_matches_finite_differences, 3) {
    const int idx[3] = {2, 0, 3};
    Batch b = {&TINY, idx, 3, 0.0};
    double theta[NP], grad[NP], want[NP];
    for (int i = 0; i < NP; i++)
        theta[i] = 0.3 * sin(1.7 * i + 0.4); /* a point with no symmetry */
    classifier_loss_grad(grad, theta, &TINY, idx, 3, 0.0);
    grading_numeric_gradient(want, objective, &b, theta, NP, 1e-4);
    for (int i = 0; i < NP; i++)
        CHECK_NEAR(grad[i], want[i], 1e-8, SEE_GRAD,
                   "dJ/dtheta[%d] (%s) at a random theta, batch idx = (2, "
                   "0, 3), lambda = 0, against finite differences",
                   i, i < C * F ? "a weight" : "a bias");
}

GRADED(capstone, penalty_is_half_lambda_w_squared_on_weights_only, 2) {
    const int idx[2] = {1, 2};
    const double lambda = 0.5;
    Batch b = {&TINY, idx, 2, lambda};
    double grad[NP], theta[NP];
    memcpy(theta, THETA, sizeof theta);
    double J = classifier_loss_grad(grad, theta, &TINY, idx, 2, lambda);
    double data = xent(THETA, &TINY, 1) / 2 + xent(THETA, &TINY, 2) / 2;
    double w2 = 0.0, b2 = 0.0; /* ||W||^2 = 4, ||b||^2 = 0.3125 */
    for (int i = 0; i < C * F; i++)
        w2 += THETA[i] * THETA[i];
    for (int c = 0; c < C; c++)
        b2 += THETA[C * F + c] * THETA[C * F + c];
    MISTAKE(data, "the penalty is left out of the returned value");
    MISTAKE(data + lambda * w2, "the penalty is lambda ||W||^2, without the "
                                "1/2 of chapter 7's convention");
    MISTAKE(data + 0.5 * lambda * (w2 + b2),
            "the biases are penalized too: the penalty is on W only");
    /* the same float-mean allowance as above; the slips are 0.078 or more
     * away */
    CHECK_REL(J, data + 0.5 * lambda * w2, 2e-6, SEE_GRAD,
              "J at W = [[1,0],[0,1],[1,-1]], b = (0.25,-0.5,0), lambda = "
              "0.5: mean cross-entropy + (lambda/2) ||W||^2" USES_EARLIER);
    double want[NP];
    grading_numeric_gradient(want, objective, &b, theta, NP, 1e-4);
    for (int i = 0; i < NP; i++) {
        if (i >= C * F)
            MISTAKE(want[i] + lambda * theta[i],
                    "lambda * b is added to the biases' gradient: the "
                    "penalty is on W only");
        else
            MISTAKE(want[i] - lambda * theta[i],
                    "the penalty's gradient lambda * W is missing");
        CHECK_NEAR(grad[i], want[i], 1e-8, SEE_GRAD,
                   "dJ/dtheta[%d] (%s), lambda = 0.5, against finite "
                   "differences of J with the penalty on W only",
                   i, i < C * F ? "a weight" : "a bias");
    }
}

/* ---- 8.3 accuracy ----------------------------------------------------- */

GRADED(capstone, evaluate_counts_the_largest_logit, 2) {
    /* Predictions 1, 2, 1, 0 against labels 0, 2, 1, 0: 3 of 4 right. */
    double loss = NAN;
    double acc = classifier_evaluate(&loss, THETA, &TINY);
    /* The hints below are about counting; with a classifier_forward that
     * predicts other classes, any count can come out. It is asked both
     * ways an evaluation may call it: all 4 examples, and one at a time. */
    const int idx[N] = {0, 1, 2, 3}, predicted[N] = {1, 2, 1, 0};
    double z[2][N * C];
    classifier_forward(z[0], THETA, &TINY, idx, N);
    for (int i = 0; i < N; i++)
        classifier_forward(z[1] + i * C, THETA, &TINY, &idx[i], 1);
    bool forward_ok = true;
    for (int way = 0; way < 2; way++)
        for (int i = 0; i < N; i++) {
            int best = 0;
            for (int c = 1; c < C; c++)
                if (z[way][i * C + c] > z[way][i * C + best]) best = c;
            forward_ok &= best == predicted[i];
        }
    if (forward_ok) {
        MISTAKE(0.25, "the accuracy counts the wrong predictions");
        MISTAKE(3.0, "the count of right predictions is not divided by n");
        MISTAKE(0.0, "the fraction is computed in integer division (correct "
                     "/ n is 0 here), or the prediction is the smallest "
                     "logit, not the largest");
        MISTAKE(1.0, "the count of right predictions is divided by 3 (the "
                     "classes, or n - 1), not by the n = 4 examples");
    }
    CHECK_NEAR(acc, 0.75, 1e-12, SEE_ACC,
               "accuracy with W = [[1,0],[0,1],[1,-1]], b = (0.25,-0.5,0) "
               "on the 4 examples (logits argmax 1, 2, 1, 0; labels 0, 2, "
               "1, 0)%s",
               forward_ok ? ""
                          : "; your classifier_forward predicts other "
                            "classes for them: fix it first (test "
                            "forward_computes_w_x_plus_b)");
    double want = 0.0;
    for (int i = 0; i < N; i++)
        want += xent(THETA, &TINY, i) / N;
    MISTAKE(want * N, "the loss is summed, not averaged");
    /* 1e-6: a mean accumulated in float rounds each term to float */
    CHECK_NEAR(loss, want, 1e-6, SEE_ACC,
               "the mean cross-entropy classifier_evaluate reports for the "
               "same model" USES_EARLIER);
}

GRADED(capstone, evaluate_breaks_ties_towards_the_lowest_class, 1) {
    /* theta = 0: every logit is 0, so every prediction is class 0. */
    const double theta[NP] = {0};
    double acc = classifier_evaluate(NULL, theta, &TINY);
    MISTAKE(0.25, "a tie goes to the last class, not the first");
    CHECK_NEAR(acc, 0.5, 1e-12, SEE_ACC,
               "accuracy at theta = 0 (all logits tie, so every prediction "
               "is class 0; labels 0, 2, 1, 0), loss pointer NULL");
}

/* ---- 8.4 the optimizers ----------------------------------------------- */

#define USES_OPT(fn, ch)                                                       \
    "; this dispatches to your " fn " (chapter " ch "): if that chapter "     \
    "fails, fix it first"

GRADED(capstone, optimizer_sgd_is_a_plain_gradient_step, 1) {
    const OptimizerConfig cfg = {.kind = OPT_SGD};
    Optimizer opt;
    cr_assert(optimizer_init(&opt, &cfg, 2) == 0,
              "optimizer_init failed for OPT_SGD, n = 2");
    double theta[2] = {1.0, -2.0};
    const double g[2] = {0.5, 1.0};
    optimizer_step(&opt, theta, g, 0.1);
    optimizer_step(&opt, theta, g, 0.2);
    optimizer_free(&opt);
    MISTAKE(1.0, "optimizer_step does nothing for OPT_SGD");
    MISTAKE(0.95, "only the first step was taken");
    MISTAKE(1.15, "the step goes uphill");
    CHECK_NEAR(theta[0], 0.85, 1e-12, SEE_OPT,
               "theta[0] after OPT_SGD steps from 1 with g = 0.5 at lr 0.1, "
               "then 0.2" USES_OPT("gd_step", "1"));
    CHECK_NEAR(theta[1], -2.3, 1e-12, SEE_OPT,
               "theta[1] after the same steps from -2 with g = 1");
}

GRADED(capstone, optimizer_momentum_is_the_heavy_ball_with_a_new_lr, 2) {
    const OptimizerConfig cfg = {.kind = OPT_MOMENTUM, .beta = 0.9};
    Optimizer opt;
    cr_assert(optimizer_init(&opt, &cfg, 1) == 0,
              "optimizer_init failed: your momentum_init (chapter 3) "
              "returned an error for n = 1");
    double theta = 0.0;
    const double g = 1.0;
    optimizer_step(&opt, &theta, &g, 0.1);  /* v = 1,   theta = -0.1 */
    optimizer_step(&opt, &theta, &g, 0.05); /* v = 1.9, theta -= 0.095 */
    optimizer_free(&opt);
    MISTAKE(-0.0195, "the EMA form v = beta v + (1 - beta) g is used, not "
                     "the heavy ball v = beta v + g");
    MISTAKE(-0.15, "the velocity is not carried from step to step, or "
                   "MomentumConfig.beta is not set from opt->cfg.beta");
    MISTAKE(-0.29, "the first learning rate is kept: use the lr passed in");
    CHECK_NEAR(theta, -0.195, 1e-12, SEE_OPT,
               "theta after two OPT_MOMENTUM steps from 0, g = 1, beta = "
               "0.9, lr 0.1 then 0.05" USES_OPT("heavy_ball_step", "3"));
}

GRADED(capstone, optimizer_adam_steps_lr_against_the_sign_of_g, 2) {
    const OptimizerConfig cfg = {
        .kind = OPT_ADAM, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    Optimizer opt;
    cr_assert(optimizer_init(&opt, &cfg, 2) == 0,
              "optimizer_init failed: your adam_init (chapter 4) returned "
              "an error for n = 2");
    double theta[2] = {1.0, 1.0};
    const double g[2] = {40.0, -1e-3}; /* Adam ignores the scale of g */
    optimizer_step(&opt, theta, g, 0.01);
    optimizer_step(&opt, theta, g, 0.02);
    optimizer_free(&opt);
    /* With a constant g, mhat = g and vhat = g^2 at every step, so each
     * step is lr * g / (|g| + eps). */
    const double want0 = 1.0 - 0.03 * 40.0 / (40.0 + 1e-8);
    const double want1 = 1.0 + 0.03 * 1e-3 / (1e-3 + 1e-8);
    MISTAKE(1.0 - 0.03 * 40.0, "a plain gradient step is taken");
    MISTAKE(0.98, "the learning rate of the first step is kept");
    /* chapter 4's Adam may keep its moments in float (a correct variant
     * there): a relative 1e-7 of each 0.01 step; the slips are 0.01 away */
    CHECK_NEAR(theta[0], want0, 1e-7, SEE_OPT,
               "theta[0] after two OPT_ADAM steps from 1, g = 40, lr 0.01 "
               "then 0.02" USES_OPT("adam_step", "4"));
    CHECK_NEAR(theta[1], want1, 1e-7, SEE_OPT,
               "theta[1] after the same steps from 1, g = -0.001");
}

/* ---- 8.5 the training loop -------------------------------------------- */

/* A small random problem for the loop: 10 examples, 3 features, 3
 * classes. */
enum { LN = 10, LF = 3, LP = C * LF + C };
static double loop_x[LN * LF];
static int loop_y[LN];
static const Dataset LOOP = {LN, LF, C, loop_x, loop_y};

static void loop_data(void) {
    Rng rng;
    rng_seed(&rng, 5);
    for (int i = 0; i < LN * LF; i++)
        loop_x[i] = rng_uniform(&rng);
    for (int i = 0; i < LN; i++)
        loop_y[i] = i % C;
}

/* The trusted gradient of the objective on examples idx[0..B). */
static void trusted_grad(double *g, const double *theta, const Dataset *d,
                         const int *idx, int B, double lambda,
                         bool penalize_b) {
    const int f = d->features, k = d->classes;
    memset(g, 0, sizeof *g * (size_t)(k * f + k));
    for (int n = 0; n < B; n++) {
        const int i = idx[n];
        double z[CLASSIFIER_MAX_CLASSES], m = -INFINITY, s = 0.0;
        for (int c = 0; c < k; c++)
            m = fmax(m, z[c] = logit(theta, d, i, c));
        for (int c = 0; c < k; c++)
            s += exp(z[c] - m);
        for (int c = 0; c < k; c++) {
            double G = (exp(z[c] - m) / s - (c == d->y[i])) / B;
            for (int j = 0; j < f; j++)
                g[c * f + j] += G * d->x[i * f + j];
            g[k * f + c] += G;
        }
    }
    for (int i = 0; i < k * f + (penalize_b ? k : 0); i++)
        g[i] += lambda * theta[i];
}

/* What the loop should do, and what its typical slips do instead. */
typedef enum {
    RIGHT,
    NO_SHUFFLE,
    RESET_T,
    DROP_LAST,
    PENALIZE_B,
    FIXED_LR,
    RESEED
} Variant;

static void trusted_train(double *theta, const TrainConfig *cfg,
                          Variant v) {
    int perm[LN];
    double g[LP];
    for (int i = 0; i < LN; i++)
        perm[i] = i;
    Rng rng;
    rng_seed(&rng, cfg->seed);
    int t = 0;
    for (int e = 0; e < cfg->epochs; e++) {
        if (v == RESET_T) t = 0;
        if (v == RESEED) rng_seed(&rng, cfg->seed);
        for (int i = LN - 1; i > 0 && v != NO_SHUFFLE; i--) {
            int j = (int)rng_below(&rng, (uint64_t)i + 1); /* chapter 2 */
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int s = 0; s < LN; s += cfg->batch_size) {
            int B = LN - s < cfg->batch_size ? LN - s : cfg->batch_size;
            if (v == DROP_LAST && B < cfg->batch_size) break;
            trusted_grad(g, theta, &LOOP, &perm[s], B, cfg->lambda,
                         v == PENALIZE_B);
            /* the schedule below */
            double lr = 0.5 * pow(0.5, v == FIXED_LR ? 0 : t / 2);
            for (int i = 0; i < LP; i++)
                theta[i] -= lr * g[i];
            t++;
        }
    }
}

static const TrainConfig LOOP_CFG = {
    .optimizer = {.kind = OPT_SGD},
    .schedule = {.kind = LR_STEP,
                 .step = {.lr0 = 0.5, .step_size = 2, .gamma = 0.5}},
    .lambda = 0.1,
    .batch_size = 4, /* 10 examples: batches of 4, 4 and 2 */
    .epochs = 2,
    .seed = 11,
};

GRADED(capstone, train_takes_ceil_n_over_b_steps_per_epoch, 2) {
    loop_data();
    double theta[LP] = {0};
    EpochStats h[4];
    memset(h, 0, sizeof h);
    TrainConfig cfg = LOOP_CFG;
    cfg.epochs = 3;
    int steps = capstone_train(theta, h, &LOOP, &LOOP, &cfg);
    MISTAKE(6, "the last, smaller batch of each epoch is dropped");
    CHECK_INT(steps, 9, SEE_LOOP,
              "steps of capstone_train on 10 examples, batches of 4, 3 "
              "epochs (3 batches per epoch: 4, 4 and 2 examples)");
    /* history[0] evaluates the starting point, theta = 0: all logits tie,
     * every prediction is class 0, and labels 0, 1, 2, 0, ... give 4/10. */
    CHECK_NEAR(h[0].train_acc, 0.4, 1e-12, SEE_LOOP,
               "history[0].train_acc: the accuracy at the start, theta = 0");
    /* 1e-6: the mean may be accumulated in float */
    CHECK_NEAR(h[0].val_loss, log(3.0), 1e-6, SEE_LOOP,
               "history[0].val_loss: the loss at the start, theta = 0");
    double loss, acc = classifier_evaluate(&loss, theta, &LOOP);
    CHECK(h[3].val_acc == acc && h[3].train_loss == loss, SEE_LOOP,
          "history[3] must evaluate the final theta: got val_acc %g, "
          "train_loss %g; classifier_evaluate gives %g, %g",
          h[3].val_acc, h[3].train_loss, acc, loss);
}

GRADED(capstone, train_follows_the_shuffle_batches_and_schedule, 3) {
    loop_data();
    double theta[LP] = {0}, want[LP] = {0}, slip[LP];
    capstone_train(theta, NULL, &LOOP, &LOOP, &LOOP_CFG);
    trusted_train(want, &LOOP_CFG, RIGHT);
    /* The training loss of the final theta tells the slips apart. */
    int all[LN];
    for (int i = 0; i < LN; i++)
        all[i] = i;
    Batch b = {&LOOP, all, LN, 0.0};
    const char *causes[7] = {
        NULL, "the examples are not shuffled with sgd_shuffle each epoch",
        "the schedule's step t restarts at 0 every epoch: count steps "
        "over the whole run",
        "the last, smaller batch of each epoch is dropped",
        "the L2 penalty's gradient is added to the biases too",
        "the learning rate is not taken from the schedule at step t",
        "the Rng is seeded again every epoch: seed it once, before the "
        "first epoch"};
    for (int v = NO_SHUFFLE; v <= RESEED; v++) {
        memset(slip, 0, sizeof slip);
        trusted_train(slip, &LOOP_CFG, (Variant)v);
        MISTAKE(objective(slip, &b), causes[v]);
    }
    /* 1e-8: logits accumulated in float move theta by ~3e-10; the slips
     * above move the loss by 6e-4 or more, theta by 6e-3 or more. */
    CHECK_NEAR(objective(theta, &b), objective(want, &b), 1e-8, SEE_LOOP,
               "the training loss after capstone_train: 10 examples, "
               "batches of 4, 2 epochs, SGD with lr 0.5 * 0.5^floor(t/2), "
               "lambda 0.1, seed 11; this uses your sgd_shuffle "
               "(chapter 2), gd_step (chapter 1) and lr_step_decay "
               "(chapter 5): if those chapters fail, fix them first");
    for (int i = 0; i < LP; i++)
        CHECK_NEAR(theta[i], want[i], 1e-8, SEE_LOOP,
                   "theta[%d] after the same run", i);
}

/* ---- 8.6 the whole runs on the digits --------------------------------- */

/* Which earlier exercises, if any, give a wrong answer on a simple probe:
 * the whole runs depend on all of them. Writes their names, separated by
 * commas, or "" when every probe passes. */
static void suspects(char *out, size_t size, OptimizerKind kind) {
    out[0] = '\0';
#define SUSPECT(bad, what)                                                     \
    if (bad) {                                                                 \
        if (*out) strncat(out, ", ", size - strlen(out) - 1);                  \
        strncat(out, what, size - strlen(out) - 1);                            \
    }
    const double zeros[3] = {0, 0, 0};
    const int label = 1;
    double gz[3] = {0, 0, 0};
    double xent0 = loss_softmax_xent(gz, zeros, &label, 1, 3);
    SUSPECT(fabs(xent0 - log(3.0)) > 1e-9 || fabs(gz[1] + 2.0 / 3) > 1e-9,
            "loss_softmax_xent (chapter 6)");
    double w[2] = {2.0, -4.0}, g[2] = {1.0, 1.0};
    l2_grad_add(g, w, 2, 0.5);
    SUSPECT(fabs(g[0] - 2.0) > 1e-12 || fabs(g[1] + 1.0) > 1e-12 ||
                fabs(l2_penalty(w, 2, 0.5) - 5.0) > 1e-12,
            "l2_grad_add or l2_penalty (chapter 7)");
    int perm[5] = {0, 1, 2, 3, 4}, seen = 0;
    Rng rng;
    rng_seed(&rng, 3);
    sgd_shuffle(perm, 5, &rng);
    for (int i = 0; i < 5; i++)
        seen |= (perm[i] >= 0 && perm[i] < 5) ? 1 << perm[i] : 0;
    SUSPECT(seen != 31 || (perm[0] == 0 && perm[1] == 1 && perm[2] == 2 &&
                           perm[3] == 3 && perm[4] == 4),
            "sgd_shuffle (chapter 2)");
    const CosineSchedule cos = {.lr0 = 1.0, .lr_min = 0.0, .T = 10};
    SUSPECT(fabs(lr_cosine(&cos, 0) - 1.0) > 1e-12 ||
                fabs(lr_cosine(&cos, 5) - 0.5) > 1e-12,
            "lr_cosine (chapter 5)");
    double x = 1.0;
    const double one = 1.0;
    if (kind == OPT_SGD) {
        gd_step(&x, &one, 1, 0.5);
        SUSPECT(fabs(x - 0.5) > 1e-12, "gd_step (chapter 1)");
    } else if (kind == OPT_MOMENTUM) {
        MomentumState s;
        const MomentumConfig mc = {.lr = 0.1, .beta = 0.5};
        int ok = momentum_init(&s, 1) == 0;
        if (ok) {
            heavy_ball_step(&s, &x, &one, &mc);
            heavy_ball_step(&s, &x, &one, &mc);
            momentum_free(&s);
        }
        SUSPECT(!ok || fabs(x - 0.75) > 1e-12,
                "momentum_init or heavy_ball_step (chapter 3)");
    } else {
        AdamState s;
        const AdamConfig ac = ADAM_DEFAULTS;
        int ok = adam_init(&s, 1) == 0;
        if (ok) {
            adam_step(&s, &x, &one, &ac);
            adam_free(&s);
        }
        SUSPECT(!ok || fabs(x - (1.0 - 1e-3 / (1.0 + 1e-8))) > 1e-12,
                "adam_init or adam_step (chapter 4)");
    }
#undef SUSPECT
}

//> whole_run
/* The numbers the chapter documents (section 8.6), from the solutions. */
static void whole_run(OptimizerKind kind, const char *name, double want_acc,
                      double want_loss) {
    Dataset train, val;
    cr_assert(capstone_load(&train, &val) == 0, "cannot load the digits: %s",
              dataset_error());
    static double theta[10 * 64 + 10];
    static EpochStats h[CAPSTONE_EPOCHS + 1];
    memset(h, 0, sizeof h);
    const TrainConfig cfg = capstone_recipe(kind);
    int steps = capstone_train(theta, h, &train, &val, &cfg);
    const EpochStats *end = &h[CAPSTONE_EPOCHS];

    char who[512];
    suspects(who, sizeof who, kind);
    char why[768];
    snprintf(why, sizeof why,
             "; this run uses your exercises of every chapter: the loss "
             "(6), L2 (7), shuffle (2), cosine schedule (5), optimizer (1, 3 "
             "or 4) and this chapter's; make sure those chapters pass "
             "first%s%s",
             *who ? ". These look wrong on a simple probe: " : "", who);
    /* A deterministic bound on the work: 45 gradient evaluations and
     * steps per epoch, and nothing else that scales with the data. */
    CHECK_INT(steps, 1350, SEE_RUN,
              "steps of the %s run, 30 epochs of ceil(1438 / 32) = 45 (-1 "
              "means optimizer_init or an allocation failed)%s",
              name, why);
    CHECK(isfinite(end->val_acc) && end->val_acc >= 0.95, SEE_RUN,
          "the %s run reached %.4f validation accuracy, want >= 0.95 "
          "(documented: %.4f)%s",
          name, end->val_acc, want_acc, why);
    /* One validation example either way (1/359 = 0.0028): a correct
     * implementation that sums in another order is not penalized. */
    CHECK_NEAR(end->val_acc, want_acc, 0.003, SEE_RUN,
               "validation accuracy after the %s run (30 epochs, seed "
               "2024 split)%s",
               name, why);
    /* A relative 1e-5: the mean over 1438 examples accumulated in float
     * is off by up to 9e-7 of it. */
    CHECK_NEAR(end->train_loss, want_loss, 1e-5 * want_loss, SEE_RUN,
               "training cross-entropy after the %s run%s", name, why);
    dataset_free(&train);
    dataset_free(&val);
}
//< whole_run

GRADED(capstone, sgd_run_reaches_the_documented_accuracy, 2) {
    whole_run(OPT_SGD, "SGD (lr 1, cosine)", 347.0 / 359, 0.11137758);
}

GRADED(capstone, momentum_run_reaches_the_documented_accuracy, 2) {
    whole_run(OPT_MOMENTUM, "momentum (lr 0.1, beta 0.9, cosine)", 347.0 / 359,
              0.11060071);
}

GRADED(capstone, adam_run_reaches_at_least_95_percent, 3) {
    whole_run(OPT_ADAM, "Adam (lr 0.1, cosine)", 349.0 / 359, 0.041433232);
}
