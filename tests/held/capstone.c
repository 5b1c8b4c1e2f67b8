/* tests/held/capstone.c: chapter 8, the capstone -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check draws instances from what include/capstone.h promises and
 * compares the student's results with the reference solution's: small
 * random data sets built here (not the digits, which are slow), of 1 to 8
 * features and 1 to CLASSIFIER_MAX_CLASSES classes (a single class, whose
 * loss is 0, in the forward pass and the loss only), batches of 1 to
 * CLASSIFIER_MAX_BATCH examples named by idx in any order and with
 * repeats, every optimizer with every field of its configuration drawn,
 * and whole training runs with every schedule of schedules.h.
 *
 * Tolerances. A correct classifier_forward may accumulate each logit in
 * float: with S = |b_c| + sum_j |W_cj x_j|, its F + 1 roundings move a
 * logit by at most (F + 1) 2^-24 S < 6e-7 S, so logits are compared to
 * 2e-6 S and everything computed from them is allowed what that moves it
 * (cross-entropy and softmax are 1-Lipschitz in each logit: twice that on
 * J, on G times |x|). Means over the batch or the data set may be
 * accumulated in float too (1e-5 of the mean, as the visible tests allow
 * for 1438 examples). Accuracies are compared exactly, on instances where
 * no such rounding can change a prediction: the top two logits are either
 * equal by construction (equal rows and biases, which every
 * implementation computes alike) or far apart in the judge's own
 * computation. */
#include "capstone.h"
#include "held.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SEE_MODEL "chapter 8, section 8.1 'The data and the model'"
#define SEE_GRAD "chapter 8, section 8.2 'The loss and its gradient'"
#define SEE_ACC "chapter 8, section 8.3 'Measuring accuracy'"
#define SEE_OPT "chapter 8, section 8.4 'One interface, three optimizers'"
#define SEE_LOOP "chapter 8, section 8.5 'The training loop'"

enum {
    MAX_N = 40, /* examples of a data set built here */
    MAX_F = 8,
    MAX_C = CLASSIFIER_MAX_CLASSES,
    MAX_P = MAX_C * MAX_F + MAX_C,
    MAX_B = CLASSIFIER_MAX_BATCH,
    MAX_EPOCHS = 4
};

/* A data set and its storage: filled in place (d points into x and y). */
typedef struct {
    Dataset d;
    double x[MAX_N * MAX_F];
    int y[MAX_N];
    double xmax; /* the features are in [-xmax, xmax] */
} Data;

static void draw_data(Data *s, int n, int features, int classes, double xmax) {
    s->d = (Dataset){n, features, classes, s->x, s->y};
    s->xmax = xmax;
    held_vector(s->x, n * features, -s->xmax, s->xmax);
    for (int i = 0; i < n; i++)
        s->y[i] = held_int(0, classes - 1);
}

/* The judge's own logit c of example i, and S, the sum of the magnitudes
 * of its terms (the scale of its rounding error). */
static double logit(const double *theta, const Dataset *d, int i, int c,
                    double *scale) {
    const int F = d->features, C = d->classes;
    double z = theta[C * F + c], s = fabs(z);
    for (int j = 0; j < F; j++) {
        z += theta[c * F + j] * d->x[i * F + j];
        s += fabs(theta[c * F + j] * d->x[i * F + j]);
    }
    if (scale) *scale = s;
    return z;
}

/* The largest S of the examples idx[0..batch) (all of d when idx is
 * NULL). */
static double logit_scale(const double *theta, const Dataset *d, const int *idx,
                          int batch) {
    double smax = 0.0, s;
    for (int k = 0; k < (idx ? batch : d->n); k++)
        for (int c = 0; c < d->classes; c++) {
            logit(theta, d, idx ? idx[k] : k, c, &s);
            smax = fmax(smax, s);
        }
    return smax;
}

/* Whether the predicted class of every example of d is beyond doubt under
 * theta moved by at most dtheta in each coordinate: the top two logits are
 * apart by more than what that, and a float forward pass, can move them,
 * or tie because their classes have the same row and bias, which every
 * implementation computes alike. */
static bool predictions_certain(const double *theta, const Dataset *d,
                                double dtheta) {
    const int F = d->features, C = d->classes;
    for (int i = 0; i < d->n; i++) {
        double z[MAX_C], s, smax = 0.0, xsum = 1.0;
        int best = 0;
        for (int j = 0; j < F; j++)
            xsum += fabs(d->x[i * F + j]);
        for (int c = 0; c < C; c++) {
            z[c] = logit(theta, d, i, c, &s);
            smax = fmax(smax, s);
            if (z[c] > z[best]) best = c;
        }
        const double apart = 1e-5 * (1 + smax) + 4 * dtheta * xsum;
        for (int c = 0; c < C; c++) {
            if (c == best || z[best] - z[c] > apart) continue;
            bool same = theta[C * F + c] == theta[C * F + best];
            for (int j = 0; j < F && same; j++)
                same = theta[c * F + j] == theta[best * F + j];
            if (!same) return false;
        }
    }
    return true;
}

/* HELD_NEAR's test, for skipping the formatting of a message that a
 * passing comparison would not print. */
static bool agrees(double got, double want, double tol) {
    return (isnan(got) && isnan(want)) || got == want ||
           (isfinite(got) && fabs(got - want) <= tol);
}

/* The labels of d for messages: "(0, 3, 3, ...)". */
static const char *show_labels(const Dataset *d) {
    static char text[400];
    size_t used = 0;
    text[used++] = '(';
    for (int i = 0; i < d->n && used < 360; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%d",
                                 i ? ", " : "", d->y[i]);
    snprintf(text + used, sizeof text - used, "%s)",
             used >= 360 ? ", ..." : "");
    return text;
}

/* ---- 8.1 the forward pass --------------------------------------------- */

HELD(held_capstone, forward_matches_the_reference, 1) {
    /* one batch of one example, one of CLASSIFIER_MAX_BATCH (repeats
     * certain), two of any size; sizes from 1 up on the first */
    static const int BATCH[4] = {1, MAX_B, 0, 0};
    for (int trial = 0; trial < 4; trial++) {
        static Data data;
        int F = trial ? held_int(2, MAX_F) : held_int(1, MAX_F);
        int C = trial ? held_int(2, MAX_C) : held_int(1, MAX_C);
        draw_data(&data, held_int(1, MAX_N), F, C, held_log_uniform(0.5, 4.0));
        const Dataset *d = &data.d;
        int batch = BATCH[trial] ? BATCH[trial] : held_int(1, MAX_B);
        int idx[MAX_B];
        for (int k = 0; k < batch; k++)
            idx[k] = held_int(0, d->n - 1); /* any order, repeats */
        double theta[MAX_P];
        const int P = classifier_params(F, C);
        double scale = held_log_uniform(0.1, 10.0);
        held_vector(theta, P, -scale, scale);
        static double z[MAX_B * MAX_C], zr[MAX_B * MAX_C];
        for (int i = 0; i < batch * C; i++)
            z[i] = NAN; /* every logit must be written */
        STUDENT(classifier_forward(z, theta, d, idx, batch));
        REFERENCE(classifier_forward(zr, theta, d, idx, batch));
        for (int k = 0; k < batch; k++)
            for (int c = 0; c < C; c++) {
                double s;
                logit(theta, d, idx[k], c, &s);
                /* the message (with held_show) only for a logit that fails:
                 * formatting all 4096 would dominate the check's time */
                if (agrees(z[k * C + c], zr[k * C + c], 2e-6 * s)) continue;
                HELD_NEAR(z[k * C + c], zr[k * C + c], 2e-6 * s, SEE_MODEL,
                          "logits[%d] (row k=%d, class c=%d) of "
                          "classifier_forward(batch=%d) on F=%d features, "
                          "C=%d classes: idx[%d]=%d, whose x=%s; W[%d]=%s, "
                          "b[%d]=%.17g",
                          k * C + c, k, c, batch, F, C, k, idx[k],
                          held_show(d->x + idx[k] * F, F), c,
                          held_show(theta + c * F, F), c, theta[C * F + c]);
            }
    }
}

/* ---- 8.2 the loss and its gradient ------------------------------------ */

HELD(held_capstone, loss_grad_matches_the_reference, 3) {
    /* a batch of one without the penalty; a batch of CLASSIFIER_MAX_BATCH
     * (repeats certain) and one of any size, with it; any sizes and a
     * penalty or not on the last */
    for (int trial = 0; trial < 4; trial++) {
        static Data data;
        int F = held_int(trial < 3 ? 2 : 1, MAX_F);
        int C = held_int(trial < 3 ? 2 : 1, MAX_C);
        draw_data(&data, held_int(1, MAX_N), F, C, held_log_uniform(0.5, 4.0));
        const Dataset *d = &data.d;
        const int P = classifier_params(F, C);
        int batch = held_int(1, MAX_B);
        double lambda = held_coin(0.5) ? 0.0 : held_log_uniform(1e-3, 1.0);
        if (trial == 0) batch = 1, lambda = 0.0;
        if (trial == 1) batch = MAX_B;
        if (trial == 2) batch = held_int(2, MAX_B);
        if (trial == 1 || trial == 2) lambda = held_log_uniform(0.05, 1.0);
        int idx[MAX_B];
        for (int k = 0; k < batch; k++)
            idx[k] = held_int(0, d->n - 1);
        double theta[MAX_P], grad[MAX_P], grad_r[MAX_P];
        double scale = held_log_uniform(0.1, 5.0);
        held_vector(theta, P, -scale, scale);
        held_vector(grad, P, -100, 100); /* overwritten, never added to */
        double J =
            STUDENT(classifier_loss_grad(grad, theta, d, idx, batch, lambda));
        double Jr = REFERENCE(
            classifier_loss_grad(grad_r, theta, d, idx, batch, lambda));
        const double dz = 1e-6 * logit_scale(theta, d, idx, batch);
        double w2 = 0.0;
        for (int i = 0; i < C * F; i++)
            w2 += theta[i] * theta[i];
        char setting[400];
        snprintf(setting, sizeof setting,
                 "classifier_loss_grad(batch=%d, lambda=%.17g) on n=%d "
                 "examples of F=%d features in [-%.3g, %.3g], C=%d classes, "
                 "theta in [-%.3g, %.3g], idx drawn with repeats",
                 batch, lambda, d->n, F, data.xmax, data.xmax, C, scale, scale);
        /* float means (1e-5 of J), float logits (2 dz), a float sum of
         * ||W||^2 (1e-6 of the penalty) */
        HELD_NEAR(J, Jr, 1e-5 * fabs(Jr) + 4 * dz + 1e-6 * lambda * w2,
                  SEE_GRAD, "J returned by %s", setting);
        for (int i = 0; i < P; i++)
            HELD_NEAR(grad[i], grad_r[i],
                      (4 * dz + 1e-6) * (1 + data.xmax) +
                          1e-9 * fabs(grad_r[i]),
                      SEE_GRAD, "grad[%d] (%s %d) after %s", i,
                      i < C * F ? "weight" : "bias", i < C * F ? i : i - C * F,
                      setting);
    }
}

/* ---- 8.3 accuracy ----------------------------------------------------- */

typedef enum { MOSTLY_RIGHT, TIES_DECIDE, AT_ZERO, ANY_LABELS, N_EVALS } Eval;
static const char *const EVAL[N_EVALS] = {
    "labels mostly the model's predictions, n odd",
    "the top logits tie between classes of equal rows and biases",
    "theta = 0 (every logit ties)", "random labels, n even"};

/* theta for the TIES_DECIDE case: the classes of a group share a row and
 * a bias, and the other classes' biases are so much lower that the group
 * has the largest logit for every example; labels that make the lowest of
 * the group right on some examples and wrong on others, with a count that
 * differs from the highest's. */
static void draw_ties(double *theta, Data *data) {
    Dataset *d = &data->d;
    const int F = d->features, C = d->classes;
    int lo = held_int(0, C - 2), hi = held_int(lo + 1, C - 1);
    double w[MAX_F], b = held_uniform(-2, 2), l1 = 0.0;
    held_vector(w, F, -1, 1);
    for (int j = 0; j < F; j++)
        l1 += fabs(w[j]) * data->xmax;
    for (int c = 0; c < C; c++) {
        bool in = c == lo || c == hi || (c > lo && c < hi && held_coin(0.5));
        if (in) {
            memcpy(theta + c * F, w, sizeof *w * (size_t)F);
            theta[C * F + c] = b;
        } else { /* W_c x - w x <= l1_c + l1: below the group by 1 at
                  * least */
            double l1_c = 0.0;
            held_vector(theta + c * F, F, -1, 1);
            for (int j = 0; j < F; j++)
                l1_c += fabs(theta[c * F + j]) * data->xmax;
            theta[C * F + c] = b - l1 - l1_c - 1 - held_uniform(0, 3);
        }
    }
    d->y[0] = lo;
    d->y[1] = hi;
    int count_lo = 1, count_hi = 1;
    for (int i = 2; i < d->n; i++) {
        d->y[i] =
            held_coin(0.5) ? (held_coin(0.5) ? lo : hi) : held_int(0, C - 1);
        count_lo += d->y[i] == lo;
        count_hi += d->y[i] == hi;
    }
    if (count_lo == count_hi) d->y[d->n - 1] = d->y[d->n - 1] == lo ? hi : lo;
}

/* One case of each: a model right on most examples (n odd, so that the
 * accuracy is never 1/2), ties that decide predictions, the untrained
 * model, and any labels (n even); data sets of n >= 1 only (the header
 * gives no mean over no example), and of n above any C where ties decide
 * (a fraction of n examples, never of C). */
HELD(held_capstone, evaluate_matches_the_reference, 2) {
    for (Eval e = 0; e < N_EVALS; e++) {
        static Data data;
        int F = held_int(1, MAX_F), C = held_int(2, MAX_C);
        int n = e == MOSTLY_RIGHT  ? 2 * held_int(4, 19) + 1
                : e == TIES_DECIDE ? held_int(MAX_C + 1, MAX_N)
                : e == ANY_LABELS  ? 2 * held_int(1, MAX_N / 2)
                                   : held_int(1, MAX_N);
        draw_data(&data, n, F, C, held_log_uniform(0.5, 4.0));
        Dataset *d = &data.d;
        const int P = classifier_params(F, C);
        double theta[MAX_P] = {0}, scale = 0.0;
        if (e == TIES_DECIDE) draw_ties(theta, &data);
        if (e == MOSTLY_RIGHT || e == ANY_LABELS) {
            do { /* a model whose predictions no rounding can change */
                scale = held_log_uniform(0.1, 5.0);
                held_vector(theta, P, -scale, scale);
            } while (!predictions_certain(theta, d, 0.0));
        }
        if (e == MOSTLY_RIGHT) { /* a model right on most examples */
            double right = held_uniform(0.5, 1.0);
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < C; c++)
                    if (logit(theta, d, i, c, NULL) >
                        logit(theta, d, i, best, NULL))
                        best = c;
                if (held_coin(right)) d->y[i] = best;
            }
        }
        bool with_loss = e != TIES_DECIDE;
        double loss = NAN, loss_r = NAN;
        double acc =
            STUDENT(classifier_evaluate(with_loss ? &loss : NULL, theta, d));
        double acc_r = REFERENCE(
            classifier_evaluate(with_loss ? &loss_r : NULL, theta, d));
        char setting[700];
        snprintf(setting, sizeof setting,
                 "classifier_evaluate(loss %s) with %s: n=%d examples of "
                 "F=%d features in [-%.3g, %.3g], C=%d classes, theta in "
                 "[-%.3g, %.3g], labels %s",
                 with_loss ? "not NULL" : "NULL", EVAL[e], n, F, data.xmax,
                 data.xmax, C, scale, scale, show_labels(d));
        HELD_NEAR(acc, acc_r, 1e-12, SEE_ACC, "the accuracy returned by %s",
                  setting);
        if (with_loss)
            HELD_NEAR(loss, loss_r,
                      1e-5 * fabs(loss_r) +
                          4e-6 * logit_scale(theta, d, NULL, 0),
                      SEE_ACC, "*loss after %s", setting);
    }
}

/* ---- 8.4 the optimizers ----------------------------------------------- */

static const char *show_optimizer(const OptimizerConfig *o) {
    static char text[160];
    if (o->kind == OPT_SGD) snprintf(text, sizeof text, "OPT_SGD");
    if (o->kind == OPT_MOMENTUM)
        snprintf(text, sizeof text, "OPT_MOMENTUM beta=%.17g", o->beta);
    if (o->kind == OPT_ADAM)
        snprintf(text, sizeof text,
                 "OPT_ADAM beta1=%.17g, beta2=%.17g, eps=%.17g", o->beta1,
                 o->beta2, o->eps);
    return text;
}

/* The configuration of each case: both ends of each coefficient's range
 * [0, 1), and eps from 0 (with no zero gradient, where 0 / 0 would
 * follow) to large enough to matter. The fields a kind does not use are
 * drawn too: they must not matter. */
static OptimizerConfig draw_optimizer(OptimizerKind kind, int which) {
    OptimizerConfig o = {.kind = kind,
                         .beta = held_uniform(0, 0.999),
                         .beta1 = held_uniform(0, 0.999),
                         .beta2 = held_uniform(0, 0.999),
                         .eps = held_log_uniform(1e-10, 1e-1)};
    if (which == 0) o.beta = o.beta1 = o.beta2 = 0.0;
    if (which == 1) {
        o.beta = held_uniform(0.5, 0.999);
        o.beta1 = held_uniform(0.5, 0.99);
        o.beta2 = 1 - held_log_uniform(1e-4, 0.1);
    }
    if (which == 2) o.eps = 0.0;
    return o;
}

HELD(held_capstone, optimizer_step_matches_the_reference, 2) {
    enum { N = 64, MAX_STEPS = 8 };
    for (int kc = 0; kc < 9; kc++) {
        const OptimizerKind kind = (OptimizerKind)(kc / 3);
        const int which = kc % 3;
        const OptimizerConfig cfg = draw_optimizer(kind, which);
        const int n = held_int(1, N), steps = held_int(2, MAX_STEPS);
        Optimizer opt, opt_r;
        int status = optimizer_init(&opt, &cfg, n), status_r = -1;
        ON_REFERENCE {
            status_r = optimizer_init(&opt_r, &cfg, n);
        }
        HELD_CHECK(status == 0 && status_r == 0, SEE_OPT,
                   "optimizer_init(%s, n=%d) returned %d (the reference: "
                   "%d): your momentum_init or adam_init failed",
                   show_optimizer(&cfg), n, status, status_r);
        /* Error budgets per coordinate, for what a correct optimizer may
         * round differently: moments kept in float, or written as
         * m += (1 - beta1) (g - m), which rounds to the OLD moment's size.
         * Each update may be off by U of the magnitudes it combines (em for
         * the velocity or m, ev for v), carried through the later steps
         * (times beta); theta by what those move a step (eth). */
        const double U = 1e-6; /* 16 float roundings */
        double em[N] = {0}, ev[N] = {0}, eth[N] = {0};
        double theta[N], theta_r[N];
        held_vector(theta, n, -10, 10);
        memcpy(theta_r, theta, sizeof theta);
        for (int t = 0; t < steps; t++) {
            double g[N], m_old[N] = {0}, v_old[N] = {0};
            double gscale = held_log_uniform(1e-3, 10.0);
            held_vector(g, n, -gscale, gscale);
            if (cfg.eps > 0 && held_coin(0.3)) g[held_int(0, n - 1)] = 0.0;
            double lr = held_log_uniform(1e-4, 1.0);
            for (int i = 0; i < n && kind != OPT_SGD; i++) {
                m_old[i] =
                    kind == OPT_ADAM ? opt_r.adam.m[i] : opt_r.momentum.v[i];
                v_old[i] = kind == OPT_ADAM ? opt_r.adam.v[i] : 0.0;
            }
            STUDENT(optimizer_step(&opt, theta, g, lr));
            REFERENCE(optimizer_step(&opt_r, theta_r, g, lr));
            char setting[300];
            snprintf(setting, sizeof setting,
                     "step %d (lr=%.17g) of optimizer_step with %s, n=%d "
                     "(gradients drawn in [-%.3g, %.3g])",
                     t + 1, lr, show_optimizer(&cfg), n, gscale, gscale);
            for (int i = 0; i < n; i++) {
                const double a = fabs(g[i]);
                if (kind == OPT_SGD) eth[i] += U * lr * a;
                if (kind == OPT_MOMENTUM) {
                    em[i] =
                        cfg.beta * em[i] + U * (cfg.beta * fabs(m_old[i]) + a);
                    eth[i] += lr * em[i]; /* the step is lr v, new v */
                }
                if (kind == OPT_ADAM) {
                    em[i] = cfg.beta1 * em[i] + U * (fabs(m_old[i]) + a);
                    ev[i] = cfg.beta2 * ev[i] + U * (v_old[i] + a * a);
                    const double c1 = 1 - pow(cfg.beta1, t + 1);
                    const double c2 = 1 - pow(cfg.beta2, t + 1);
                    const double vhat = opt_r.adam.v[i] / c2,
                                 evhat = ev[i] / c2;
                    const double den = sqrt(vhat) + cfg.eps;
                    /* sqrt moves by less than dv / (2 sqrt v) and sqrt(dv) */
                    const double dsqrt =
                        vhat > 0 ? fmin(evhat / (2 * sqrt(vhat)), sqrt(evhat))
                                 : sqrt(evhat);
                    eth[i] +=
                        lr * (em[i] / c1 / den +
                              fabs(opt_r.adam.m[i]) / c1 * dsqrt / (den * den));
                }
                HELD_NEAR(theta[i], theta_r[i],
                          1e-12 * (1 + fabs(theta_r[i])) + eth[i], SEE_OPT,
                          "theta[%d] after %s, whose grad[%d]=%.17g", i,
                          setting, i, g[i]);
            }
            if (kind == OPT_MOMENTUM) {
                HELD_INT(opt.momentum.t, opt_r.momentum.t, SEE_OPT,
                         "opt->momentum.t after %s", setting);
                for (int i = 0; i < n; i++)
                    HELD_NEAR(opt.momentum.v[i], opt_r.momentum.v[i], em[i],
                              SEE_OPT,
                              "opt->momentum.v[%d] after %s, whose "
                              "grad[%d]=%.17g",
                              i, setting, i, g[i]);
            }
            if (kind == OPT_ADAM) {
                HELD_INT(opt.adam.t, opt_r.adam.t, SEE_OPT,
                         "opt->adam.t after %s", setting);
                for (int i = 0; i < n; i++) {
                    HELD_NEAR(opt.adam.m[i], opt_r.adam.m[i], em[i], SEE_OPT,
                              "opt->adam.m[%d] after %s, whose grad[%d]=%.17g",
                              i, setting, i, g[i]);
                    HELD_NEAR(opt.adam.v[i], opt_r.adam.v[i], ev[i], SEE_OPT,
                              "opt->adam.v[%d] after %s, whose grad[%d]=%.17g",
                              i, setting, i, g[i]);
                }
            }
        }
        optimizer_free(&opt);
        ON_REFERENCE {
            optimizer_free(&opt_r);
        }
    }
}

/* ---- 8.5 the training loop -------------------------------------------- */

static const char *const SCHEDULE[9] = {
    "LR_CONSTANT", "LR_STEP",   "LR_MULTISTEP",
    "LR_EXP",      "LR_GAMMA",  "LR_INVERSE_TIME",
    "LR_COSINE",   "LR_WARMUP", "LR_WARMUP_COSINE"};

/* A schedule of `kind` from lr0 whose rate changes within a run of `steps`
 * steps (drops, milestones, T and warm-up inside or just past the run),
 * so that the step t it is asked for matters. */
static Schedule draw_schedule(ScheduleKind kind, double lr0, int steps) {
    Schedule s = {.kind = kind};
    const int N = steps > 1 ? steps : 2;
    switch (kind) {
    case LR_CONSTANT:
        s.constant = lr0;
        break;
    case LR_STEP:
        s.step = (StepDecay){lr0, held_int(1, N - 1), held_uniform(0.1, 1.0)};
        break;
    case LR_MULTISTEP: {
        MultiStepDecay *m = &s.multistep;
        m->lr0 = lr0;
        m->gamma = held_uniform(0.1, 1.0);
        /* increasing milestones in 0..N, 0 (a first step) included */
        int last = -1, want = held_int(0, LR_MAX_MILESTONES);
        for (int i = 0; i < want && last < N; i++) {
            last = held_int(last + 1, last + 1 + (N - last) / 2);
            m->milestones[m->n_milestones++] = last;
        }
        break;
    }
    case LR_EXP:
        s.exp = (ExpDecay){lr0, held_uniform(0, 3) / N};
        break;
    case LR_GAMMA:
        s.gamma = (GammaDecay){lr0, exp(-held_uniform(0, 3) / N)};
        break;
    case LR_INVERSE_TIME:
        s.inverse_time = (InverseTimeDecay){lr0, held_uniform(0, 5) / N};
        break;
    case LR_COSINE:
        s.cosine = (CosineSchedule){lr0, lr0 * held_uniform(0, 0.5),
                                    held_int(1, N + N / 2)};
        break;
    case LR_WARMUP:
        s.warmup =
            (WarmupSchedule){lr0, held_uniform(0.01, 1.0), held_int(1, N)};
        break;
    case LR_WARMUP_COSINE: {
        int W = held_int(1, N - 1);
        s.warmup_cosine =
            (WarmupCosine){lr0, lr0 * held_uniform(0, 0.5),
                           held_uniform(0.01, 1.0), W, held_int(W + 1, N + 3)};
        break;
    }
    }
    return s;
}

static const char *show_schedule(const Schedule *s) {
    static char text[300];
    const char *name = SCHEDULE[s->kind];
    switch (s->kind) {
    case LR_CONSTANT:
        snprintf(text, sizeof text, "%s %.17g", name, s->constant);
        break;
    case LR_STEP:
        snprintf(text, sizeof text, "%s lr0=%.17g step_size=%d gamma=%.17g",
                 name, s->step.lr0, s->step.step_size, s->step.gamma);
        break;
    case LR_MULTISTEP: {
        const MultiStepDecay *m = &s->multistep;
        int used =
            snprintf(text, sizeof text, "%s lr0=%.17g gamma=%.17g milestones=(",
                     name, m->lr0, m->gamma);
        for (int i = 0; i < m->n_milestones; i++)
            used += snprintf(text + used, sizeof text - (size_t)used, "%s%d",
                             i ? ", " : "", m->milestones[i]);
        snprintf(text + used, sizeof text - (size_t)used, ")");
        break;
    }
    case LR_EXP:
        snprintf(text, sizeof text, "%s lr0=%.17g lambda=%.17g", name,
                 s->exp.lr0, s->exp.lambda);
        break;
    case LR_GAMMA:
        snprintf(text, sizeof text, "%s lr0=%.17g gamma=%.17g", name,
                 s->gamma.lr0, s->gamma.gamma);
        break;
    case LR_INVERSE_TIME:
        snprintf(text, sizeof text, "%s lr0=%.17g k=%.17g", name,
                 s->inverse_time.lr0, s->inverse_time.k);
        break;
    case LR_COSINE:
        snprintf(text, sizeof text, "%s lr0=%.17g lr_min=%.17g T=%d", name,
                 s->cosine.lr0, s->cosine.lr_min, s->cosine.T);
        break;
    case LR_WARMUP:
        snprintf(text, sizeof text,
                 "%s lr0=%.17g start_factor=%.17g warmup_steps=%d", name,
                 s->warmup.lr0, s->warmup.start_factor, s->warmup.warmup_steps);
        break;
    case LR_WARMUP_COSINE:
        snprintf(text, sizeof text,
                 "%s lr0=%.17g lr_min=%.17g start_factor=%.17g "
                 "warmup_steps=%d T=%d",
                 name, s->warmup_cosine.lr0, s->warmup_cosine.lr_min,
                 s->warmup_cosine.start_factor, s->warmup_cosine.warmup_steps,
                 s->warmup_cosine.T);
        break;
    }
    return text;
}

/* The shape of a run: batches that divide n, or leave a smaller last
 * batch (a batch_size above n included: one batch of all n); and the
 * ends of the domain: no epoch, one epoch, one example, batches of
 * CLASSIFIER_MAX_BATCH. */
typedef enum {
    DIVIDES,
    PARTIAL,
    NO_EPOCH,
    ONE_EPOCH,
    ONE_EXAMPLE,
    MAX_BATCH,
    N_SHAPES
} Shape;
static const char *const SHAPE[N_SHAPES] = {
    "batches that divide n",
    "a smaller last batch",
    "epochs = 0",
    "epochs = 1",
    "n = 1",
    "batch_size = CLASSIFIER_MAX_BATCH"};

typedef struct {
    Data train, val;
    TrainConfig cfg;
    double theta0[MAX_P];
    bool history, zero_start;
    Shape shape;
    double at[MAX_EPOCHS + 1][MAX_P]; /* the reference's theta after epoch e */
} Run;

static int draw_batch_size(int n, Shape shape) {
    if (shape == MAX_BATCH) return MAX_B;
    if (shape == DIVIDES) { /* a divisor of n, 1 and n included */
        int B;
        do
            B = held_int(1, n);
        while (n % B != 0);
        return B;
    }
    if (shape == PARTIAL && held_coin(0.8)) { /* 2 <= B < n, n % B != 0 */
        int B;
        do
            B = held_int(2, n - 1);
        while (n % B == 0);
        return B;
    }
    return held_int(n + 1, MAX_B); /* one batch, smaller than B */
}

/* A run: random data sets (train and validation of the same shape), a
 * stable learning rate for the kind (SGD's below 2 / L for the
 * cross-entropy's curvature L <= (||x||^2 + 1) / 2, the 1 the bias's,
 * plus lambda; momentum's scaled by
 * 1 - beta, Adam's a step of lr0 per coordinate), every configuration
 * field drawn. */
static void draw_run(Run *r, OptimizerKind kind, ScheduleKind sk, Shape shape) {
    const int F = held_int(1, MAX_F), C = held_int(2, MAX_C);
    const int n = shape == ONE_EXAMPLE ? 1
                  : shape == PARTIAL   ? held_int(3, MAX_N)
                                       : held_int(2, MAX_N);
    const double xmax = held_log_uniform(0.25, 2.0);
    draw_data(&r->train, n, F, C, xmax);
    draw_data(&r->val, held_int(1, MAX_N), F, C, xmax);
    r->shape = shape;
    TrainConfig *cfg = &r->cfg;
    cfg->batch_size = draw_batch_size(n, shape);
    cfg->epochs = shape == NO_EPOCH    ? 0
                  : shape == ONE_EPOCH ? 1
                                       : held_int(2, MAX_EPOCHS);
    cfg->lambda = held_coin(0.5) ? 0.0 : held_log_uniform(1e-3, 0.5);
    cfg->seed = rng_next_u64(held_rng());
    cfg->optimizer = (OptimizerConfig){.kind = kind,
                                       .beta = held_uniform(0, 0.9),
                                       .beta1 = held_uniform(0, 0.95),
                                       .beta2 = 1 - held_log_uniform(1e-4, 0.5),
                                       .eps = held_log_uniform(1e-8, 1e-2)};
    const double L = 0.5 * (F * xmax * xmax + 1) + cfg->lambda;
    double lr0 = held_uniform(0.1, 1.5) / L;
    if (kind == OPT_MOMENTUM) lr0 *= 1 - cfg->optimizer.beta;
    if (kind == OPT_ADAM) lr0 = held_log_uniform(3e-3, 0.1);
    const int steps =
        cfg->epochs * capstone_steps_per_epoch(n, cfg->batch_size);
    cfg->schedule = draw_schedule(sk, lr0, steps);
    r->zero_start = held_coin(0.5);
    const int P = classifier_params(F, C);
    memset(r->theta0, 0, sizeof r->theta0);
    if (!r->zero_start) held_vector(r->theta0, P, -1, 1);
    r->history = held_coin(0.75);
}

/* What two correct runs may differ by, per coordinate of theta: logits
 * accumulated in float move each gradient by ~1e-7 of its scale, and a
 * run of stable steps carries that over (the most seen in 9000 runs of
 * such a forward pass: 5e-7 of 1 + |theta|, with Adam, whose step divides
 * by the gradients' own size). A slip in the loop moves theta by a step,
 * lr |g|, 1e-3 or more. */
static double theta_tol(double theta) {
    return 1e-5 * (1 + fabs(theta));
}

static double max_abs(const double *v, int n) {
    double m = 0.0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* Whether every prediction that the run's history makes is beyond doubt:
 * the reference's theta after each epoch e (r->at[e], from runs of e
 * epochs, which are the first e epochs of the whole run) on both data
 * sets. */
static bool history_certain(Run *r) {
    const int P = classifier_params(r->train.d.features, r->train.d.classes);
    for (int e = 0; e <= r->cfg.epochs; e++) {
        TrainConfig cfg = r->cfg;
        cfg.epochs = e;
        double *theta = r->at[e];
        memcpy(theta, r->theta0, sizeof r->at[e]);
        if (e > 0)
            REFERENCE(
                capstone_train(theta, NULL, &r->train.d, &r->val.d, &cfg));
        double dtheta = e ? theta_tol(max_abs(theta, P)) : 0.0;
        if (!predictions_certain(theta, &r->train.d, dtheta) ||
            !predictions_certain(theta, &r->val.d, dtheta))
            return false;
    }
    return true;
}

HELD(held_capstone, train_matches_the_reference, 3) {
    /* every optimizer with every schedule, alternately on batches that
     * divide n and on a smaller last batch; then the ends of the domain */
    enum { MAIN = 3 * 9, RUNS = MAIN + N_SHAPES - 2 };
    for (int k = 0; k < RUNS; k++) {
        static Run r;
        const OptimizerKind kind =
            k < MAIN ? (OptimizerKind)(k / 9) : (OptimizerKind)held_int(0, 2);
        const ScheduleKind sk =
            k < MAIN ? (ScheduleKind)(k % 9) : (ScheduleKind)held_int(0, 8);
        const Shape shape =
            k < MAIN ? (k % 2 ? PARTIAL : DIVIDES) : (Shape)(k - MAIN + 2);
        do
            draw_run(&r, kind, sk, shape);
        while (r.history && !history_certain(&r));

        const Dataset *train = &r.train.d, *val = &r.val.d;
        const int P = classifier_params(train->features, train->classes);
        const int E = r.cfg.epochs;
        static double theta[MAX_P], theta_r[MAX_P];
        EpochStats h[MAX_EPOCHS + 1], h_r[MAX_EPOCHS + 1];
        memcpy(theta, r.theta0, sizeof theta);
        memcpy(theta_r, r.theta0, sizeof theta_r);
        for (int e = 0; e <= E; e++) /* every entry must be written */
            h[e] = (EpochStats){NAN, NAN, NAN, NAN};
        int steps = STUDENT(
            capstone_train(theta, r.history ? h : NULL, train, val, &r.cfg));
        int steps_r = REFERENCE(capstone_train(theta_r, r.history ? h_r : NULL,
                                               train, val, &r.cfg));

        char setting[900];
        snprintf(setting, sizeof setting,
                 "capstone_train (%s) from theta %s, history %s: n=%d "
                 "(validation %d) examples of F=%d features in [-%.3g, "
                 "%.3g], C=%d classes; batch_size=%d, epochs=%d, "
                 "lambda=%.17g, seed=%" PRIu64 ", %s, %s",
                 SHAPE[shape], r.zero_start ? "0" : "drawn in [-1, 1]",
                 r.history ? "not NULL" : "NULL", train->n, val->n,
                 train->features, r.train.xmax, r.train.xmax, train->classes,
                 r.cfg.batch_size, E, r.cfg.lambda, r.cfg.seed,
                 show_optimizer(&r.cfg.optimizer),
                 show_schedule(&r.cfg.schedule));
        HELD_INT(steps, steps_r, SEE_LOOP, "the steps returned by %s", setting);
        for (int i = 0; i < P; i++)
            HELD_NEAR(theta[i], theta_r[i], theta_tol(theta_r[i]), SEE_LOOP,
                      "theta[%d] after %s", i, setting);
        for (int e = 0; r.history && e <= E; e++) {
            /* what a float forward pass, and theta within theta_tol, move
             * a logit by; the cross-entropy by twice that */
            const double *at = r.at[e];
            const double dz = 2e-6 * fmax(logit_scale(at, train, NULL, 0),
                                          logit_scale(at, val, NULL, 0)) +
                              (e ? theta_tol(max_abs(at, P)) : 0.0) *
                                  (1 + train->features * r.train.xmax);
            const struct {
                const char *name;
                double got, want;
                bool loss;
            } stat[4] = {
                {"train_loss", h[e].train_loss, h_r[e].train_loss, true},
                {"train_acc", h[e].train_acc, h_r[e].train_acc, false},
                {"val_loss", h[e].val_loss, h_r[e].val_loss, true},
                {"val_acc", h[e].val_acc, h_r[e].val_acc, false}};
            for (int s = 0; s < 4; s++)
                HELD_NEAR(stat[s].got, stat[s].want,
                          stat[s].loss ? 1e-5 * fabs(stat[s].want) + 2 * dz
                                       : 1e-12,
                          SEE_LOOP, "history[%d].%s after %s", e, stat[s].name,
                          setting);
        }
    }
}
