/* examples/losses.c: chapter 6's demo -- every number the chapter shows,
 * and the data behind its figures, computed with the exercises of losses.c
 * (and chapter 1's grad_check).
 *
 * Usage: losses-demo [DIR]   (figure data goes to DIR, default ".") */
#include "demo.h"
#include "gd.h"
#include "losses.h"

#include <math.h>
#include <stdio.h>

/* Prints v with a fixed-width format, spelling non-finite values the same
 * way on every C library ("nan", not "-nan"). */
static void print_value(const char *fmt, double v) {
    if (isnan(v))
        printf("%12s", "nan");
    else if (isinf(v))
        printf("%12s", v > 0 ? "inf" : "-inf");
    else
        printf(fmt, v);
}

static void worked_example(void) {
    demo_heading("softmax cross-entropy: logits (2, 1, 0.1), label 0");
    //> worked_example
    const double z[3] = {2.0, 1.0, 0.1};
    const int label[1] = {0};
    double p[3], g[3];
    softmax(p, z, 3);
    double loss = loss_softmax_xent(g, z, label, 1, 3);
    //< worked_example
    printf("%-22s", "exp(logit)");
    for (int c = 0; c < 3; c++)
        printf(" %9.6f", exp(z[c]));
    printf("   sum %.6f\n", exp(z[0]) + exp(z[1]) + exp(z[2]));
    printf("%-22s", "p = softmax(logits)");
    for (int c = 0; c < 3; c++)
        printf(" %9.6f", p[c]);
    printf("\n%-22s %9.6f\n", "loss = -log p[0]", loss);
    printf("%-22s", "gradient p - onehot");
    for (int c = 0; c < 3; c++)
        printf(" %9.6f", g[c]);
    printf("\n");
    const int other[1] = {2};
    printf("with label 2 instead:  loss = -log p[2] = %.6f\n",
           loss_softmax_xent(NULL, z, other, 1, 3));
}

static void batch_mean(void) {
    demo_heading("a batch of 3 examples, 4 classes: the loss is the mean");
    const double z[3 * 4] = {0.5,  -1.2, 2.0,  0.3,  /* label 2 */
                             1.5,  1.4,  -0.3, 0.0,  /* label 0 */
                             -2.0, 0.7,  0.1,  0.9}; /* label 3 */
    const int labels[3] = {2, 0, 3};
    double sum = 0.0;
    for (int b = 0; b < 3; b++) {
        double one = loss_softmax_xent(NULL, z + 4 * b, labels + b, 1, 4);
        printf("example %d (label %d): loss %.6f\n", b, labels[b], one);
        sum += one;
    }
    printf("mean of the three:     %.6f\n", sum / 3.0);
    printf("loss_softmax_xent:     %.6f\n",
           loss_softmax_xent(NULL, z, labels, 3, 4));
}

//> naive_bce
/* Binary cross-entropy the way the formula reads: sigmoid, then log. */
static double bce_naive(double z, double y) {
    double p = 1.0 / (1.0 + exp(-z));
    return -y * log(p) - (1.0 - y) * log(1.0 - p);
}
//< naive_bce

//> naive_softmax
/* Softmax cross-entropy the way the formula reads: exp, divide, log. */
static double xent_naive(const double *z, int label, int classes) {
    double sum = 0.0;
    for (int c = 0; c < classes; c++)
        sum += exp(z[c]);
    return -log(exp(z[label]) / sum);
}
//< naive_softmax

static void large_logits(void) {
    demo_heading("large logits: the formula as written vs the stable form");
    printf("%8s %4s %12s %12s\n", "z", "y", "naive BCE", "stable BCE");
    const double zs[5] = {2.0, 40.0, 1000.0, 1000.0, -1000.0};
    const double ys[5] = {0.0, 0.0, 1.0, 0.0, 1.0};
    for (int i = 0; i < 5; i++) {
        printf("%8g %4g ", zs[i], ys[i]);
        print_value("%12.6f", bce_naive(zs[i], ys[i]));
        printf(" ");
        print_value("%12.6f", loss_bce_logits(NULL, &zs[i], &ys[i], 1));
        printf("\n");
    }
    const double z[3] = {1000.0, 0.0, -1000.0};
    printf("softmax cross-entropy, logits (1000, 0, -1000):\n");
    printf("%8s %12s %12s\n", "label", "naive", "stable");
    for (int label = 0; label < 3; label++) {
        printf("%8d ", label);
        print_value("%12.6f", xent_naive(z, label, 3));
        printf(" ");
        print_value("%12.6f", loss_softmax_xent(NULL, z, &label, 1, 3));
        printf("\n");
    }
}

/* sigmoid, for the demo only (the exercises keep theirs private). */
static double sigmoid(double z) {
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* dL/dz for the label y = 1 and the logit z, two ways: cross-entropy from
 * the logit, and the squared error of the probability sigmoid(z), pushed
 * through the sigmoid by the chain rule. */
static void saturation_grads(double *g_xent, double *g_mse, double z) {
    const double one = 1.0;
    double p = sigmoid(z), dp;
    loss_bce_logits(g_xent, &z, &one, 1);
    loss_mse(&dp, &p, &one, 1);
    *g_mse = dp * p * (1.0 - p); /* dsigmoid/dz = p (1 - p) */
}

static void saturation(const char *dir) {
    demo_heading("label 1, logit z: dL/dz of cross-entropy vs squared error");
    printf("%6s %10s %14s %14s\n", "z", "p", "cross-entropy", "(p - 1)^2");
    const double zs[6] = {-10.0, -5.0, -2.0, 0.0, 2.0, 5.0};
    for (int i = 0; i < 6; i++) {
        double gx, gm;
        saturation_grads(&gx, &gm, zs[i]);
        printf("%6g %10.6f %14.6f %14.6f\n", zs[i], sigmoid(zs[i]), gx, gm);
    }
    FILE *f = demo_open_data(dir, "saturation.dat");
    if (!f) return;
    fprintf(f, "# z  |dL/dz| of cross-entropy  |dL/dz| of (sigmoid(z)-1)^2,"
               " label 1\n");
    for (int k = 0; k <= 200; k++) {
        double z = -12.0 + 16.0 * k / 200.0, gx, gm;
        saturation_grads(&gx, &gm, z);
        fprintf(f, "%.4f %.8e %.8e\n", z, fabs(gx), fabs(gm));
    }
    fclose(f);
}

/* ---- gradient checks with chapter 1's grad_check ---------------------- */

typedef struct {
    const double *targets; /* [n] or NULL */
    const int *labels;     /* [batch] or NULL */
    int batch, classes;
    int flip_sign; /* 1: return the negated gradient, a deliberate bug */
} Batch;

static double mse_f(const double *x, void *ctx) {
    const Batch *b = ctx;
    return loss_mse(NULL, x, b->targets, b->batch);
}
static void mse_g(double *g, const double *x, void *ctx) {
    const Batch *b = ctx;
    loss_mse(g, x, b->targets, b->batch);
}
static double bce_f(const double *x, void *ctx) {
    const Batch *b = ctx;
    return loss_bce_logits(NULL, x, b->targets, b->batch);
}
static void bce_g(double *g, const double *x, void *ctx) {
    const Batch *b = ctx;
    loss_bce_logits(g, x, b->targets, b->batch);
}
static double xent_f(const double *x, void *ctx) {
    const Batch *b = ctx;
    return loss_softmax_xent(NULL, x, b->labels, b->batch, b->classes);
}
static void xent_g(double *g, const double *x, void *ctx) {
    const Batch *b = ctx;
    loss_softmax_xent(g, x, b->labels, b->batch, b->classes);
    if (b->flip_sign)
        for (int i = 0; i < b->batch * b->classes; i++)
            g[i] = -g[i];
}
static double hinge_f(const double *x, void *ctx) {
    const Batch *b = ctx;
    return loss_hinge(NULL, x, b->targets, b->batch);
}
static void hinge_g(double *g, const double *x, void *ctx) {
    const Batch *b = ctx;
    loss_hinge(g, x, b->targets, b->batch);
}
static double mc_hinge_f(const double *x, void *ctx) {
    const Batch *b = ctx;
    return loss_multiclass_hinge(NULL, x, b->labels, b->batch, b->classes);
}
static void mc_hinge_g(double *g, const double *x, void *ctx) {
    const Batch *b = ctx;
    loss_multiclass_hinge(g, x, b->labels, b->batch, b->classes);
}

static void gradient_checks(void) {
    demo_heading("gradient checks (chapter 1's grad_check, h = 1e-5)");
    double pred[4] = {1.0, 2.0, 3.0, 4.0};
    const double target[4] = {0.0, 2.0, 5.0, 4.5};
    double z[4] = {2.0, -1.0, 0.5, -3.0};
    const double y01[4] = {1.0, 1.0, 0.0, 0.0};
    double s[4] = {0.3, -0.7, 1.8, 0.9}; /* margins away from the kink */
    const double ypm[4] = {1.0, -1.0, -1.0, 1.0};
    double rows[3 * 4] = {0.5, -1.2, 2.0,  0.3, 1.5, 1.4,
                          -0.3, 0.0, -2.0, 0.7, 0.1, 0.9};
    double mc[3 * 4] = {3.0, 1.2, -0.5, 2.5, 0.1, 0.2,
                        0.3, 0.4, 2.0,  1.1, -1.0, 0.6};
    const int labels[3] = {2, 0, 3};
    Batch mse = {.targets = target, .batch = 4};
    Batch bce = {.targets = y01, .batch = 4};
    Batch hinge = {.targets = ypm, .batch = 4};
    Batch multi = {.labels = labels, .batch = 3, .classes = 4};
    Batch flipped = {.labels = labels, .batch = 3, .classes = 4,
                     .flip_sign = 1};
    const struct {
        const char *name;
        Objective obj;
        double *x;
    } checks[6] = {
        {"loss_mse", {mse_f, mse_g, &mse, 4}, pred},
        {"loss_bce_logits", {bce_f, bce_g, &bce, 4}, z},
        {"loss_softmax_xent", {xent_f, xent_g, &multi, 12}, rows},
        {"loss_hinge", {hinge_f, hinge_g, &hinge, 4}, s},
        {"loss_multiclass_hinge", {mc_hinge_f, mc_hinge_g, &multi, 12}, mc},
        {"xent, sign flipped", {xent_f, xent_g, &flipped, 12}, rows},
    };
    for (int i = 0; i < 6; i++)
        printf("%-22s max relative error %.0e\n", checks[i].name,
               grad_check(&checks[i].obj, checks[i].x, 1e-5));
}

/* ---- the margin view -------------------------------------------------- */

/* The four losses of a binary label y = +1 and a score s = m, so that the
 * margin y s is m, with their derivatives in m. Logistic is in bits
 * (divided by log 2) so that every surrogate passes through 1 at m = 0. */
typedef struct {
    double zero_one, logistic, hinge, squared;    /* L(m) */
    double d_logistic, d_hinge, d_squared;        /* dL/dm */
} MarginLosses;

static MarginLosses margin_losses(double m) {
    const double one = 1.0;
    MarginLosses r;
    r.zero_one = m <= 0.0 ? 1.0 : 0.0; /* a tie counts as an error */
    r.logistic = loss_bce_logits(&r.d_logistic, &m, &one, 1) / log(2.0);
    r.d_logistic /= log(2.0);
    r.hinge = loss_hinge(&r.d_hinge, &m, &one, 1);
    r.squared = loss_mse(&r.d_squared, &m, &one, 1);
    return r;
}

static void margin_view(const char *dir) {
    demo_heading("binary losses against the margin m = y s");
    printf("%5s %4s %12s %8s %8s %10s %8s %8s\n", "m", "0-1",
           "logistic/ln2", "hinge", "squared", "d logistic", "d hinge",
           "d sq.");
    const double ms[7] = {-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0};
    for (int i = 0; i < 7; i++) {
        MarginLosses r = margin_losses(ms[i]);
        printf("%5.1f %4.0f %12.6f %8.4f %8.4f %10.6f %8.4f %8.4f\n", ms[i],
               r.zero_one, r.logistic, r.hinge, r.squared, r.d_logistic,
               r.d_hinge, r.d_squared);
    }
    FILE *f = demo_open_data(dir, "margin.dat");
    if (!f) return;
    fprintf(f, "# m 0-1 logistic/ln2 hinge squared, then d/dm of the last"
               " three\n");
    for (int k = 0; k <= 250; k++) {
        double m = -2.0 + 5.0 * k / 250.0;
        MarginLosses r = margin_losses(m);
        fprintf(f, "%.4f %g %.8f %.8f %.8f %.8f %.8f %.8f\n", m, r.zero_one,
                r.logistic, r.hinge, r.squared, r.d_logistic, r.d_hinge,
                r.d_squared);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    worked_example();
    batch_mean();
    large_logits();
    saturation(dir);
    gradient_checks();
    margin_view(dir);
    return 0;
}
