/* tests/losses.c: chapter 6, loss functions -- graded tests.
 *
 * Every analytic gradient is compared with grading_numeric_gradient (a
 * trusted five-point stencil) applied to a trusted, plainly written copy of
 * the loss below, never to the student's own loss: a stub that returns 0
 * with a zero gradient is "consistent" but wrong. */
#include "grading.h"
#include "losses.h"

#include <string.h>

#define SEE_MEAN "chapter 6, section 6.1 'Losses and their gradients'"
#define SEE_MSE "chapter 6, section 6.2 'Mean squared error'"
#define SEE_BCE "chapter 6, section 6.3 'Binary cross-entropy from logits'"
#define SEE_LSE "chapter 6, section 6.4 'Softmax and log-sum-exp'"
#define SEE_XENT "chapter 6, section 6.5 'Softmax cross-entropy'"
#define SEE_HINGE "chapter 6, section 6.6 'Hinge loss'"
#define SEE_MARGIN "chapter 6, section 6.7 'The margin view'"
#define SEE_CHECK "chapter 6, section 6.8 'Checking every gradient'"

/* Gradients are compared with an absolute tolerance: the stencil at
 * h = 1e-4 is accurate to about 1e-11 on these smooth, O(1) losses, and
 * every typical mistake (sign, missing 1/n, missing factor 2) is off by far
 * more than 1e-7. */
#define GRAD_TOL 1e-7
#define FD_STEP 1e-4

/* Values made from a sum: a loss is a mean of nonnegative terms, and
 * log-sum-exp and the softmax divide by or take the log of a sum of
 * exponentials. A correct implementation may accumulate that sum in float
 * (tests/mistakes/losses-float-*): each addition then rounds to 6e-8
 * relative, a few 1e-7 over these short sums, and the gradients made from
 * the softmax inherit it. 1e-6 relative, or absolute for values below 1,
 * accepts that; every typical mistake checked with it is off by more than
 * 1e-3. */
#define VALUE_TOL(want) (1e-6 * (1.0 + fabs(want)))

static void fill_nan(double *x, int n) {
    for (int i = 0; i < n; i++)
        x[i] = NAN; /* a gradient entry the loss forgets to write stays NaN */
}

/* ---- trusted losses, written plainly (fine for moderate inputs) ------- */

typedef struct {
    const double *target; /* [n]: targets, labels in {0,1} or {-1,+1} */
    const int *labels;    /* [batch]: class labels (multiclass losses) */
    int n;                /* examples (binary) or batch (multiclass) */
    int classes;          /* classes per row (multiclass losses) */
} LossData;

static double mse_trusted(const double *pred, void *ctx) {
    const LossData *d = ctx;
    double sum = 0.0;
    for (int i = 0; i < d->n; i++)
        sum += (pred[i] - d->target[i]) * (pred[i] - d->target[i]);
    return sum / d->n;
}

static double bce_trusted(const double *z, void *ctx) {
    const LossData *d = ctx;
    double sum = 0.0;
    for (int i = 0; i < d->n; i++) {
        double p = 1.0 / (1.0 + exp(-z[i])), y = d->target[i];
        sum += -y * log(p) - (1.0 - y) * log(1.0 - p);
    }
    return sum / d->n;
}

static double xent_trusted(const double *z, void *ctx) {
    const LossData *d = ctx;
    double sum = 0.0;
    for (int b = 0; b < d->n; b++) {
        const double *row = z + b * d->classes;
        double total = 0.0;
        for (int c = 0; c < d->classes; c++)
            total += exp(row[c]);
        sum += -log(exp(row[d->labels[b]]) / total);
    }
    return sum / d->n;
}

static double hinge_trusted(const double *s, void *ctx) {
    const LossData *d = ctx;
    double sum = 0.0;
    for (int i = 0; i < d->n; i++)
        sum += fmax(0.0, 1.0 - d->target[i] * s[i]);
    return sum / d->n;
}

static double mc_hinge_trusted(const double *s, void *ctx) {
    const LossData *d = ctx;
    double sum = 0.0;
    for (int b = 0; b < d->n; b++) {
        const double *row = s + b * d->classes;
        int y = d->labels[b];
        for (int c = 0; c < d->classes; c++)
            if (c != y) sum += fmax(0.0, 1.0 + row[c] - row[y]);
    }
    return sum / d->n;
}

//> check_gradient
/* Checks grad[n] against the trusted numerical gradient of f at x, naming
 * the two typical slips (a flipped sign, a missing mean) when a coordinate
 * is off. */
static void check_gradient(const double *grad, GradingFn f, LossData *d,
                           const double *x0, int n, const char *see,
                           const char *what) {
    double x[64], want[64];
    cr_assert(n <= 64, "test bug: n too large");
    memcpy(x, x0, (size_t)n * sizeof *x);
    grading_numeric_gradient(want, f, d, x, n, FD_STEP);
    int examples = d->n;
    for (int i = 0; i < n; i++) {
        MISTAKE(-want[i], "the gradient has the wrong sign");
        MISTAKE(want[i] * examples, "the gradient is not divided by the "
                                    "number of examples (missing mean)");
        CHECK_NEAR(grad[i], want[i], GRAD_TOL, see,
                   "%s, gradient entry %d (want = trusted central "
                   "differences)",
                   what, i);
    }
}
//< check_gradient

/* ---- log-sum-exp and softmax ----------------------------------------- */

GRADED(losses, logsumexp_of_small_values, 2) {
    const double x[3] = {1.0, 2.0, 3.0};
    MISTAKE(3.0, "only the max is returned, the log of the sum is missing");
    MISTAKE(0.4076059644443806, "the max is subtracted but not added back");
    MISTAKE(6.0, "the values are summed without exp and log");
    CHECK_NEAR(logsumexp(x, 3), 3.4076059644443806,
               VALUE_TOL(3.4076059644443806), SEE_LSE,
               "logsumexp(1, 2, 3) (= log(e + e^2 + e^3))");
}

GRADED(losses, logsumexp_survives_huge_and_tiny_values, 3) {
    const double big[2] = {1000.0, 1000.0};
    const double small[3] = {-1000.0, -1000.0, -1000.0};
    CHECK_NEAR(logsumexp(big, 2), 1000.0 + log(2.0), 1e-9, SEE_LSE,
               "logsumexp(1000, 1000) (= 1000 + log 2; exp(1000) overflows "
               "to inf unless you shift by the max first)");
    CHECK_NEAR(logsumexp(small, 3), -1000.0 + log(3.0), 1e-9, SEE_LSE,
               "logsumexp(-1000, -1000, -1000) (= -1000 + log 3; "
               "exp(-1000) underflows to 0 and log(0) = -inf unless you "
               "shift by the max first)");
    const double mixed[3] = {-1000.0, 0.0, 1000.0};
    CHECK_NEAR(logsumexp(mixed, 3), 1000.0, 1e-9, SEE_LSE,
               "logsumexp(-1000, 0, 1000) (= 1000; shifting by x[0] = -1000 "
               "instead of the largest entry overflows: exp(2000) = inf)");
}

GRADED(losses, softmax_worked_example, 2) {
    const double z[3] = {2.0, 1.0, 0.1};
    const double want[3] = {0.6590011388859677, 0.24243297070471387,
                            0.09856589040931815};
    double p[3];
    fill_nan(p, 3);
    softmax(p, z, 3);
    for (int i = 0; i < 3; i++) {
        MISTAKE(exp(z[i]), "the exponentials are not divided by their sum");
        CHECK_NEAR(p[i], want[i], VALUE_TOL(want[i]), SEE_LSE,
                   "softmax(2, 1, 0.1)[%d]", i);
    }
}

GRADED(losses, softmax_is_stable_and_works_in_place, 2) {
    double z[3] = {1000.0, 999.0, -1000.0};
    softmax(z, z, 3); /* in place, as include/losses.h allows */
    const double want[3] = {1.0 / (1.0 + exp(-1.0)),
                            exp(-1.0) / (1.0 + exp(-1.0)), 0.0};
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(z[i], want[i], VALUE_TOL(want[i]), SEE_LSE,
                   "softmax(1000, 999, -1000)[%d], computed in place "
                   "(exp(1000) is inf: subtract the max logit first)",
                   i);
    /* the largest logit last: the shift must be by the max, not by z[0] */
    double r[3] = {-1000.0, 999.0, 1000.0};
    softmax(r, r, 3);
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(r[i], want[2 - i], VALUE_TOL(want[2 - i]), SEE_LSE,
                   "softmax(-1000, 999, 1000)[%d], computed in place "
                   "(shifting by the first logit, -1000, instead of the "
                   "largest overflows: exp(2000) is inf)",
                   i);
}

/* ---- mean squared error ---------------------------------------------- */

static const double MSE_PRED[4] = {1.0, 2.0, 3.0, 4.0};
static const double MSE_TARGET[4] = {0.0, 2.0, 5.0, 4.5};

GRADED(losses, mse_is_the_mean_of_squared_residuals, 2) {
    /* residuals (1, 0, -2, -0.5): squares sum to 5.25 */
    MISTAKE(5.25, "the squares are summed, not averaged (missing 1/n)");
    MISTAKE(0.875, "the absolute residuals are averaged, not the squares");
    MISTAKE(0.65625, "the mean is halved (the 1/2 convention is not the "
                     "one documented)");
    CHECK_NEAR(loss_mse(NULL, MSE_PRED, MSE_TARGET, 4), 1.3125, 1e-12,
               SEE_MSE,
               "loss_mse(grad=NULL, pred=(1,2,3,4), target=(0,2,5,4.5))");
}

GRADED(losses, mse_gradient_matches_finite_differences, 2) {
    double g[4];
    fill_nan(g, 4);
    double value = loss_mse(g, MSE_PRED, MSE_TARGET, 4);
    CHECK_NEAR(value, 1.3125, 1e-12, SEE_MSE,
               "loss_mse value when grad is not NULL");
    for (int i = 0; i < 4; i++) {
        double want = 2.0 * (MSE_PRED[i] - MSE_TARGET[i]) / 4.0;
        MISTAKE(want / 2, "the factor 2 of the derivative of r^2 is missing");
        MISTAKE(-want, "the gradient has the wrong sign: it is "
                       "2 (pred - target) / n, not 2 (target - pred) / n");
        MISTAKE(want * 4, "the gradient is not divided by n (missing mean)");
        CHECK_NEAR(g[i], want, 1e-12, SEE_MSE,
                   "dL/dpred[%d] for pred=(1,2,3,4), target=(0,2,5,4.5)", i);
    }
    LossData d = {.target = MSE_TARGET, .n = 4};
    check_gradient(g, mse_trusted, &d, MSE_PRED, 4, SEE_MSE,
                   "loss_mse at pred=(1,2,3,4), target=(0,2,5,4.5)");
}

/* ---- binary cross-entropy from logits -------------------------------- */

static const double BCE_Z[4] = {2.0, -1.0, 0.5, -3.0};
static const double BCE_Y[4] = {1.0, 1.0, 0.0, 0.0};

GRADED(losses, bce_is_the_mean_over_examples, 2) {
    MISTAKE(2.4628540343150442, "the losses are summed, not averaged "
                                "(missing 1/n)");
    MISTAKE(-0.6157135085787611, "the loss has the wrong sign: it is "
                                 "-log p of the right class");
    MISTAKE(0.6157135085787611 - 0.625, "the softplus lost its max(z, 0) "
                                        "term");
    CHECK_NEAR(loss_bce_logits(NULL, BCE_Z, BCE_Y, 4), 0.6157135085787611,
               VALUE_TOL(0.6157135085787611), SEE_BCE,
               "loss_bce_logits(grad=NULL, logits=(2,-1,0.5,-3), "
               "targets=(1,1,0,0))");
}

GRADED(losses, bce_gradient_is_sigmoid_minus_target, 3) {
    double g[4];
    fill_nan(g, 4);
    loss_bce_logits(g, BCE_Z, BCE_Y, 4);
    LossData d = {.target = BCE_Y, .n = 4};
    check_gradient(g, bce_trusted, &d, BCE_Z, 4, SEE_BCE,
                   "loss_bce_logits at logits=(2,-1,0.5,-3), "
                   "targets=(1,1,0,0)");
}

GRADED(losses, bce_is_finite_for_logits_of_1000, 3) {
    /* confident and right (loss 0), confident and wrong (loss 1000) */
    const double z[4] = {1000.0, -1000.0, 1000.0, -1000.0};
    const double y[4] = {1.0, 0.0, 0.0, 1.0};
    double g[4];
    fill_nan(g, 4);
    double value = loss_bce_logits(g, z, y, 4);
    MISTAKE(2000.0, "the losses are summed, not averaged (missing 1/n)");
    CHECK_NEAR(value, 500.0, 1e-9, SEE_BCE,
               "loss_bce_logits at logits=(1000,-1000,1000,-1000), "
               "targets=(1,0,0,1): mean of (0, 0, 1000, 1000). "
               "log(sigmoid(-1000)) = log(0) = -inf: use "
               "max(z,0) - y z + log(1 + exp(-|z|))");
    const double want[4] = {0.0, 0.0, 0.25, -0.25};
    for (int i = 0; i < 4; i++) {
        MISTAKE(-want[i], "the gradient has the wrong sign: it is "
                          "(sigmoid(z) - y) / n");
        MISTAKE(4 * want[i], "the gradient is not divided by n");
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_BCE,
                   "dL/dz[%d] at logits=(1000,-1000,1000,-1000), "
                   "targets=(1,0,0,1) (a sigmoid that computes exp(-z) "
                   "for z = -1000 overflows)",
                   i);
    }
}

GRADED(losses, cross_entropy_keeps_pushing_where_squared_error_saturates, 2) {
    /* section 6.3's table, label 1: dL/dz of the cross-entropy from the
     * logit, and of the squared error (sigmoid(z) - 1)^2 through the
     * sigmoid, 2 (p - 1) p (1 - p), with the 2 (p - 1) from loss_mse */
    const double zs[6] = {-10.0, -5.0, -2.0, 0.0, 2.0, 5.0};
    const double one = 1.0;
    double gx_at_minus_10 = NAN, gm_at_minus_10 = NAN;
    for (int i = 0; i < 6; i++) {
        double z = zs[i];
        double q = 1.0 / (1.0 + exp(z)); /* 1 - sigmoid(z), no cancellation */
        double p = 1.0 - q;
        double gx = NAN, dp = NAN;
        loss_bce_logits(&gx, &z, &one, 1);
        MISTAKE(q, "the gradient has the wrong sign: it is sigmoid(z) - y");
        MISTAKE(-q * q * p, "the gradient is multiplied by sigmoid'(z): that "
                        "is the squared error's saturation, not the "
                        "cross-entropy's gradient");
        CHECK_NEAR(gx, -q, 1e-12, SEE_BCE,
                   "dL/dz of loss_bce_logits at logit %g, target 1 "
                   "(= sigmoid(z) - 1)",
                   z);
        loss_mse(&dp, &p, &one, 1);
        double gm = dp * p * q;
        CHECK_NEAR(gm, -2.0 * q * p * q, 1e-12, SEE_BCE,
                   "2 (p - 1) from loss_mse's gradient at p = sigmoid(%g), "
                   "target 1, times p (1 - p)",
                   z);
        if (i == 0) {
            gx_at_minus_10 = gx;
            gm_at_minus_10 = gm;
        }
    }
    CHECK_NEAR(gx_at_minus_10, -0.999955, 5e-7, SEE_BCE,
               "the cross-entropy's dL/dz at z = -10 as printed");
    CHECK_NEAR(gm_at_minus_10, -0.000091, 5e-7, SEE_BCE,
               "the squared error's dL/dz at z = -10 as printed");
    CHECK(fabs(gx_at_minus_10) > 1e4 * fabs(gm_at_minus_10), SEE_BCE,
          "at z = -10 the cross-entropy must push more than ten thousand "
          "times harder than the squared error; got %g and %g",
          gx_at_minus_10, gm_at_minus_10);
}

/* ---- softmax cross-entropy ------------------------------------------- */

GRADED(losses, softmax_xent_worked_example, 2) {
    const double z[3] = {2.0, 1.0, 0.1};
    const int label[1] = {0};
    double value = loss_softmax_xent(NULL, z, label, 1, 3);
    MISTAKE(-0.41703001627783376, "the loss has the wrong sign: it is "
                                  "-log p[label]");
    MISTAKE(0.6590011388859677, "p[label] is returned instead of "
                                "-log p[label]");
    CHECK_NEAR(value, 0.41703001627783376, VALUE_TOL(0.41703001627783376),
               SEE_XENT,
               "loss_softmax_xent(grad=NULL, logits=(2,1,0.1), label=0)");
    double g[3];
    fill_nan(g, 3);
    loss_softmax_xent(g, z, label, 1, 3);
    const double want[3] = {0.6590011388859677 - 1.0, 0.24243297070471387,
                            0.09856589040931815};
    for (int i = 0; i < 3; i++) {
        MISTAKE(-want[i], "the gradient has the wrong sign: it is "
                          "p - onehot, not onehot - p");
        CHECK_NEAR(g[i], want[i], VALUE_TOL(want[i]), SEE_XENT,
                   "dL/dlogit[%d] at logits=(2,1,0.1), label=0 "
                   "(= p - onehot)",
                   i);
    }
    const int other[1] = {2};
    MISTAKE(0.41703001627783376, "the label is ignored: the loss is "
                                 "-log p[label], not -log p[0] or -log of "
                                 "the largest p");
    CHECK_NEAR(loss_softmax_xent(NULL, z, other, 1, 3), 2.3170300162778337,
               VALUE_TOL(2.3170300162778337), SEE_XENT,
               "loss_softmax_xent(grad=NULL, logits=(2,1,0.1), label=2) "
               "(= -log 0.098566)");
}

static const double XENT_Z[3 * 4] = {0.5,  -1.2, 2.0,  0.3, /* label 2 */
                                     1.5,  1.4,  -0.3, 0.0, /* label 0 */
                                     -2.0, 0.7,  0.1,  0.9}; /* label 3 */
static const int XENT_LABELS[3] = {2, 0, 3};

GRADED(losses, softmax_xent_is_the_mean_over_the_batch, 3) {
    MISTAKE(2.042071668929747, "the losses are summed over the batch, not "
                               "averaged (missing 1/batch)");
    MISTAKE(0.3691993073690183, "only the first example of the batch is "
                                "used");
    MISTAKE(1.8742697592742061, "row b is taken at logits + b; it starts "
                                "at logits + b * classes");
    MISTAKE(1.435865974035685, "every example reads row 0: row b starts at "
                               "logits + b * classes");
    CHECK_NEAR(loss_softmax_xent(NULL, XENT_Z, XENT_LABELS, 3, 4),
               0.6806905563099157, VALUE_TOL(0.6806905563099157), SEE_XENT,
               "loss_softmax_xent on a batch of 3 examples, 4 classes "
               "(per-example losses 0.3692, 0.8300, 0.8429)");
    const double one[3] = {0.36919930736901829, 0.82997720576164902,
                           0.8428951557990797};
    for (int b = 0; b < 3; b++)
        CHECK_NEAR(loss_softmax_xent(NULL, XENT_Z + 4 * b, XENT_LABELS + b,
                                     1, 4),
                   one[b], VALUE_TOL(one[b]), SEE_XENT,
                   "loss_softmax_xent on example %d of that batch alone "
                   "(batch 1, label %d)",
                   b, XENT_LABELS[b]);
}

//> xent_fd
GRADED(losses, softmax_xent_gradient_matches_finite_differences, 3) {
    double g[12];
    fill_nan(g, 12);
    loss_softmax_xent(g, XENT_Z, XENT_LABELS, 3, 4);
    LossData d = {.labels = XENT_LABELS, .n = 3, .classes = 4};
    check_gradient(g, xent_trusted, &d, XENT_Z, 12, SEE_XENT,
                   "loss_softmax_xent on a batch of 3 examples, 4 classes");
}
//< xent_fd

//> xent_1000
GRADED(losses, softmax_xent_survives_logits_of_1000, 3) {
    const double z[3 * 3] = {1000.0,  0.0,     -1000.0,  /* label 0 */
                             1000.0,  0.0,     -1000.0,  /* label 2 */
                             -1000.0, -1000.0, -1000.0}; /* label 1 */
    const int labels[3] = {0, 2, 1};
    double g[9];
    fill_nan(g, 9);
    double value = loss_softmax_xent(g, z, labels, 3, 3);
    /* per example: 0, 2000 and log 3 */
    MISTAKE(2000.0 + log(3.0), "the losses are summed over the batch, not "
                               "averaged");
    CHECK_NEAR(value, (2000.0 + log(3.0)) / 3.0,
               VALUE_TOL((2000.0 + log(3.0)) / 3.0), SEE_XENT,
               "loss_softmax_xent, rows (1000,0,-1000) label 0, "
               "(1000,0,-1000) label 2, (-1000,-1000,-1000) label 1 "
               "(a naive softmax overflows: exp(1000) = inf and inf/inf "
               "= NaN; use logsumexp)");
    const double third = 1.0 / 3.0; /* each row is (p - onehot) / 3 */
    const double want[9] = {0.0,       0.0,            0.0,        /* p-e0 */
                            third,     0.0,            -third,     /* p-e2 */
                            third / 3, -2 * third / 3, third / 3}; /* p-e1 */
    for (int i = 0; i < 9; i++)
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_XENT,
                   "dL/dlogits[%d] (row %d, class %d) for the same batch",
                   i, i / 3, i % 3);
}
//< xent_1000

GRADED(losses, stable_losses_reproduce_the_large_logit_tables, 2) {
    /* the stable column of section 6.3's table, one example at a time */
    const double z[5] = {2.0, 40.0, 1000.0, 1000.0, -1000.0};
    const double y[5] = {0.0, 0.0, 1.0, 0.0, 1.0};
    const double want[5] = {2.1269280110429727, 40.0, 0.0, 1000.0, 1000.0};
    for (int i = 0; i < 5; i++) {
        if (i == 0)
            MISTAKE(2.1269280110429727 - 2.0, "the softplus lost its "
                                              "max(z, 0) term");
        CHECK_NEAR(loss_bce_logits(NULL, &z[i], &y[i], 1), want[i],
                   VALUE_TOL(want[i]), SEE_BCE,
                   "loss_bce_logits(grad=NULL, logit=%g, target=%g), one "
                   "example (the formula as written gives inf or nan "
                   "here: use max(z,0) - y z + log1p(exp(-|z|)))",
                   z[i], y[i]);
    }
    /* the stable column of section 6.5's table: logits (1000, 0, -1000) */
    const double row[3] = {1000.0, 0.0, -1000.0};
    for (int label = 0; label < 3; label++)
        CHECK_NEAR(loss_softmax_xent(NULL, row, &label, 1, 3),
                   1000.0 * label, 1e-9, SEE_XENT,
                   "loss_softmax_xent(logits=(1000,0,-1000), label=%d), one "
                   "example (= LSE - z_label = 1000 - z_label)",
                   label);
    const int two = 2;
    const double grad_want[3] = {1.0, 0.0, -1.0};
    double g[3];
    fill_nan(g, 3);
    loss_softmax_xent(g, row, &two, 1, 3);
    for (int c = 0; c < 3; c++)
        CHECK_NEAR(g[c], grad_want[c], 1e-12, SEE_XENT,
                   "dL/dlogits[%d] at logits=(1000,0,-1000), label 2, one "
                   "example (= p - onehot = (1, 0, -1))",
                   c);
}

/* ---- hinge losses ----------------------------------------------------- */

GRADED(losses, hinge_value_and_gradient_away_from_the_kink, 2) {
    /* margins y s = (2, 0.5, -1, -3): losses (0, 0.5, 2, 4) */
    const double s[4] = {2.0, 0.5, -1.0, 3.0};
    const double y[4] = {1.0, 1.0, 1.0, -1.0};
    double g[4];
    fill_nan(g, 4);
    double value = loss_hinge(g, s, y, 4);
    MISTAKE(6.5, "the losses are summed, not averaged (missing 1/n)");
    MISTAKE(1.375, "the max(0, .) is missing: negative losses from "
                   "well-classified examples cancel the others");
    CHECK_NEAR(value, 1.625, 1e-12, SEE_HINGE,
               "loss_hinge at scores=(2,0.5,-1,3), labels=(1,1,1,-1)");
    const double want[4] = {0.0, -0.25, -0.25, 0.25};
    for (int i = 0; i < 4; i++) {
        MISTAKE(-want[i], "the gradient has the wrong sign: it is -y / n "
                          "inside the margin");
        MISTAKE(4 * want[i], "the gradient is not divided by n");
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_HINGE,
                   "dL/ds[%d] at scores=(2,0.5,-1,3), labels=(1,1,1,-1)", i);
    }
}

GRADED(losses, hinge_gradient_matches_finite_differences, 2) {
    /* margins 0.3, 0.7, -1.8, -2.2, 0.9, 1.6: none within 2h of the kink */
    const double s[6] = {0.3, -0.7, 1.8, -2.2, 0.9, 1.6};
    const double y[6] = {1.0, -1.0, -1.0, 1.0, 1.0, 1.0};
    double g[6];
    fill_nan(g, 6);
    loss_hinge(g, s, y, 6);
    LossData d = {.target = y, .n = 6};
    check_gradient(g, hinge_trusted, &d, s, 6, SEE_HINGE,
                   "loss_hinge at scores=(0.3,-0.7,1.8,-2.2,0.9,1.6), "
                   "labels=(1,-1,-1,1,1,1)");
}

GRADED(losses, hinge_subgradient_at_the_kink_is_zero, 1) {
    /* margins y s = (1, 1, 0.25): the first two sit exactly on the kink */
    const double s[3] = {1.0, -1.0, 0.25};
    const double y[3] = {1.0, -1.0, 1.0};
    double g[3];
    fill_nan(g, 3);
    double value = loss_hinge(g, s, y, 3);
    CHECK_NEAR(value, 0.25, 1e-12, SEE_HINGE,
               "loss_hinge at scores=(1,-1,0.25), labels=(1,-1,1) "
               "(= (0 + 0 + 0.75) / 3)");
    for (int i = 0; i < 2; i++) {
        MISTAKE(-y[i] / 3.0, "the test is y s <= 1 instead of y s < 1: the "
                             "course's convention is gradient 0 at the "
                             "kink");
        CHECK_NEAR(g[i], 0.0, 0.0, SEE_HINGE,
                   "dL/ds[%d] at margin y s = 1 exactly (the kink)", i);
    }
    CHECK_NEAR(g[2], -1.0 / 3.0, 1e-12, SEE_HINGE,
               "dL/ds[2] at margin 0.25 (inside the margin: -y / n)");
}

GRADED(losses, multiclass_hinge_value_and_gradient, 2) {
    const double s[3 * 3] = {3.0, 1.2, 2.5,   /* label 0: one violation */
                             0.1, 0.2, 0.3,   /* label 2: two violations */
                             2.0, 1.0, -5.0}; /* label 0: a kink, 1+1-2=0 */
    const int labels[3] = {0, 2, 0};
    double g[9];
    fill_nan(g, 9);
    double value = loss_multiclass_hinge(g, s, labels, 3, 3);
    /* row 0: 1 + 2.5 - 3 = 0.5; row 1: 0.8 + 0.9; row 2: 0 -> sum 2.2 */
    MISTAKE(2.2, "the losses are summed over the batch, not averaged");
    MISTAKE((2.2 + 3.0) / 3.0, "the correct class is not skipped (it adds "
                               "max(0, 1) = 1 per example)");
    CHECK_NEAR(value, 2.2 / 3.0, VALUE_TOL(2.2 / 3.0), SEE_HINGE,
               "loss_multiclass_hinge on rows (3,1.2,2.5) label 0, "
               "(0.1,0.2,0.3) label 2, (2,1,-5) label 0");
    const double t = 1.0 / 3.0;
    const double want[9] = {-t, 0.0, t, t, t, -2 * t, 0.0, 0.0, 0.0};
    for (int i = 0; i < 9; i++) {
        MISTAKE(-want[i], "the gradient has the wrong sign");
        MISTAKE(3 * want[i], "the gradient is not divided by the batch "
                             "size");
        if (i == 6 || i == 7)
            MISTAKE(i == 6 ? -t : t, "a term at exactly 0 (the kink) "
                                     "counts: it must be > 0 to add to the "
                                     "gradient");
        if (i == 5)
            MISTAKE(-t, "grad[b, y] is set to -1/batch instead of losing "
                        "1/batch for each violating class (-=)");
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_HINGE,
                   "dL/ds[%d] (row %d, class %d) for the same batch; a "
                   "term at exactly 0 (row 2) adds nothing",
                   i, i / 3, i % 3);
    }
}

GRADED(losses, multiclass_hinge_gradient_matches_finite_differences, 2) {
    const double s[2 * 4] = {3.0, 1.2, -0.5, 2.5,  /* label 0 */
                             0.1, 0.2, 0.3,  0.4}; /* label 2 */
    const int labels[2] = {0, 2};
    double g[8];
    fill_nan(g, 8);
    loss_multiclass_hinge(g, s, labels, 2, 4);
    LossData d = {.labels = labels, .n = 2, .classes = 4};
    check_gradient(g, mc_hinge_trusted, &d, s, 8, SEE_HINGE,
                   "loss_multiclass_hinge on rows (3,1.2,-0.5,2.5) label 0, "
                   "(0.1,0.2,0.3,0.4) label 2");
}

/* ---- conventions shared by every loss -------------------------------- */

GRADED(losses, a_batch_of_copies_has_the_loss_of_one_example, 2) {
    /* The mean makes the loss independent of the batch size: four copies
     * of one example must give that example's loss and a quarter of its
     * gradient, so that the learning rate need not change with the batch. */
    const double z[4 * 3] = {2, 1, 0.1, 2, 1, 0.1, 2, 1, 0.1, 2, 1, 0.1};
    const int labels[4] = {0, 0, 0, 0};
    double g[12];
    fill_nan(g, 12);
    double value = loss_softmax_xent(g, z, labels, 4, 3);
    MISTAKE(4 * 0.41703001627783376, "the losses are summed over the "
                                     "batch, not averaged");
    CHECK_NEAR(value, 0.41703001627783376, VALUE_TOL(0.41703001627783376),
               SEE_MEAN,
               "loss_softmax_xent on 4 copies of logits (2,1,0.1), label 0");
    MISTAKE(0.6590011388859677 - 1.0, "the gradient is not divided by the "
                                      "batch size");
    MISTAKE((1.0 - 0.6590011388859677) / 4, "the gradient has the wrong "
                                            "sign: it is p - onehot");
    CHECK_NEAR(g[0], (0.6590011388859677 - 1.0) / 4,
               VALUE_TOL((0.6590011388859677 - 1.0) / 4), SEE_MEAN,
               "dL/dlogits[0] on 4 copies (= (p_0 - 1) / 4)");
    double s[4] = {0.5, 0.5, 0.5, 0.5}, y[4] = {1, 1, 1, 1};
    MISTAKE(2.0, "the hinge losses are summed, not averaged");
    CHECK_NEAR(loss_hinge(NULL, s, y, 4), 0.5, 1e-12, SEE_MEAN,
               "loss_hinge on 4 copies of score 0.5, label +1");
}

/* ---- the margin view and the gradient checks --------------------------- */

GRADED(losses, every_surrogate_matches_the_margin_table, 2) {
    /* section 6.7's table: label +1 and score m, so the margin is m; the
     * logistic loss is loss_bce_logits with target 1, in bits */
    const double ms[7] = {-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0};
    const double logistic[7] = {3.0685084938595231, 1.8946361239720115, 1.0,
                                0.68394851407623547, 0.4519410830830482,
                                0.18311841208159602, 0.070096731165366244};
    const double d_logistic[7] = {
        -1.2707215764281805,  -1.0546945859888424, -0.72134752044448169,
        -0.54467605060898705, -0.38800045490012103, -0.17197346446078299,
        -0.068421072043104297};
    const double one = 1.0;
    for (int i = 0; i < 7; i++) {
        double m = ms[i], d = NAN;
        double value = loss_bce_logits(&d, &m, &one, 1) / log(2.0);
        CHECK_NEAR(value, logistic[i], VALUE_TOL(logistic[i]), SEE_MARGIN,
                   "loss_bce_logits(logit=%g, target=1) / ln 2", m);
        CHECK_NEAR(d / log(2.0), d_logistic[i], 1e-12, SEE_MARGIN,
                   "its derivative in m, divided by ln 2, at m = %g", m);
        value = loss_hinge(&d, &m, &one, 1);
        CHECK_NEAR(value, fmax(0.0, 1.0 - m), 1e-12, SEE_MARGIN,
                   "loss_hinge(score=%g, label=+1) (= max(0, 1 - m))", m);
        if (m == 1.0)
            MISTAKE(-1.0, "at the kink m = 1 the course's subgradient is 0");
        CHECK_NEAR(d, m < 1.0 ? -1.0 : 0.0, 1e-12, SEE_MARGIN,
                   "dL/ds of loss_hinge at m = %g, label +1", m);
        value = loss_mse(&d, &m, &one, 1);
        CHECK_NEAR(value, (1.0 - m) * (1.0 - m), 1e-12, SEE_MARGIN,
                   "loss_mse(pred=%g, target=1) (= (1 - m)^2)", m);
        CHECK_NEAR(d, 2.0 * (m - 1.0), 1e-12, SEE_MARGIN,
                   "dL/dpred of loss_mse at m = %g, target 1 (= 2 (m - 1))",
                   m);
    }
}

/* The error measure of chapter 1's grad_check, |a_i - d_i| / max(|a_i|,
 * |d_i|, 1), largest over the coordinates, with d the trusted numerical
 * gradient of the trusted loss. */
static double max_relative_error(const double *analytic, GradingFn f,
                                 LossData *d, const double *x0, int n) {
    double x[64], numeric[64];
    memcpy(x, x0, (size_t)n * sizeof *x);
    grading_numeric_gradient(numeric, f, d, x, n, FD_STEP);
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(analytic[i])) return INFINITY; /* fmax skips NaN */
        double scale = fmax(fmax(fabs(analytic[i]), fabs(numeric[i])), 1.0);
        worst = fmax(worst, fabs(analytic[i] - numeric[i]) / scale);
    }
    return worst;
}

GRADED(losses, gradient_checks_pass_and_a_flipped_sign_fails, 1) {
    /* the demo's points of section 6.8; its printed errors (9e-12 and so
     * on) are rounding noise that differs between machines, so the test
     * asserts what they mean: every gradient is right to far below 1e-8 */
    const double target[4] = {0.0, 2.0, 5.0, 4.5};
    const double pred[4] = {1.0, 2.0, 3.0, 4.0};
    const double y01[4] = {1.0, 1.0, 0.0, 0.0};
    const double z[4] = {2.0, -1.0, 0.5, -3.0};
    const double ypm[4] = {1.0, -1.0, -1.0, 1.0};
    const double s[4] = {0.3, -0.7, 1.8, 0.9};
    const double mc[3 * 4] = {3.0, 1.2, -0.5, 2.5, 0.1, 0.2,
                              0.3, 0.4, 2.0,  1.1, -1.0, 0.6};
    double g[12], err[5];
    LossData d_mse = {.target = target, .n = 4};
    LossData d_bce = {.target = y01, .n = 4};
    LossData d_hinge = {.target = ypm, .n = 4};
    LossData d_multi = {.labels = XENT_LABELS, .n = 3, .classes = 4};
    fill_nan(g, 12);
    loss_mse(g, pred, target, 4);
    err[0] = max_relative_error(g, mse_trusted, &d_mse, pred, 4);
    fill_nan(g, 12);
    loss_bce_logits(g, z, y01, 4);
    err[1] = max_relative_error(g, bce_trusted, &d_bce, z, 4);
    fill_nan(g, 12);
    loss_softmax_xent(g, XENT_Z, XENT_LABELS, 3, 4);
    err[2] = max_relative_error(g, xent_trusted, &d_multi, XENT_Z, 12);
    fill_nan(g, 12);
    loss_hinge(g, s, ypm, 4);
    err[3] = max_relative_error(g, hinge_trusted, &d_hinge, s, 4);
    fill_nan(g, 12);
    loss_multiclass_hinge(g, mc, XENT_LABELS, 3, 4);
    err[4] = max_relative_error(g, mc_hinge_trusted, &d_multi, mc, 12);
    const char *names[5] = {"loss_mse", "loss_bce_logits",
                            "loss_softmax_xent", "loss_hinge",
                            "loss_multiclass_hinge"};
    for (int i = 0; i < 5; i++)
        CHECK(err[i] < 1e-8, SEE_CHECK,
              "the max relative error of %s's gradient at the demo's point "
              "must be below 1e-8; got %g",
              names[i], err[i]);
    /* the sign flipped: the error is 2 max_i |g_i| = 0.38, printed 4e-01 */
    fill_nan(g, 12);
    loss_softmax_xent(g, XENT_Z, XENT_LABELS, 3, 4);
    for (int i = 0; i < 12; i++)
        g[i] = -g[i];
    CHECK_NEAR(max_relative_error(g, xent_trusted, &d_multi, XENT_Z, 12),
               0.37969169217204718, 1e-8, SEE_CHECK,
               "max relative error of loss_softmax_xent's gradient with its "
               "sign flipped, at the demo's point (= 2 max |g_i|)");
}
