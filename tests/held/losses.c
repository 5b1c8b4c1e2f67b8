/* tests/held/losses.c: chapter 6, loss functions -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check draws batches from what include/losses.h promises (every size
 * from 1, logits and scores up to |z| = 1000 where the header says the
 * loss is finite, BCE targets anywhere in [0, 1], class labels anywhere in
 * 0..classes-1, hinge labels +-1 with margins exactly on the kink), calls
 * the student's loss and the reference's with grad NULL and with a
 * gradient buffer full of NaN (every entry must be overwritten), and
 * compares the values and the gradients.
 *
 * Tolerances: a loss is a mean of nonnegative terms, and log-sum-exp and
 * the softmax take the log of, or divide by, a sum of exponentials. A
 * correct implementation may accumulate such a sum of k terms in float
 * (tests/mistakes/losses-float-*): each term and each addition then rounds
 * to 2^-24 = 6e-8 of the sum at most, (k + 1) 6e-8 in all; float_sum gives
 * twice that. Everything else is compared to a few ulps of its inputs. */
#include "losses.h"
#include "held.h"

#include <stdio.h>
#include <string.h>

#define SEE_MSE "chapter 6, section 6.2 'Mean squared error'"
#define SEE_BCE "chapter 6, section 6.3 'Binary cross-entropy from logits'"
#define SEE_LSE "chapter 6, section 6.4 'Softmax and log-sum-exp'"
#define SEE_XENT "chapter 6, section 6.5 'Softmax cross-entropy'"
#define SEE_HINGE "chapter 6, section 6.6 'Hinge loss'"

enum { MAX_N = 64, MAX_B = 16, MAX_C = 16, SETTING = 1500 };

/* The relative error of a sum of `terms` nonnegative terms accumulated in
 * float (see above). */
static double float_sum(int terms) {
    return 1.2e-7 * (terms + 1);
}

static void fill_nan(double *v, int n) {
    for (int i = 0; i < n; i++)
        v[i] = NAN; /* an entry the loss forgets to write stays NaN */
}

/* Class labels as text for messages (held_show takes doubles). */
static const char *show_labels(const int *labels, int n) {
    double v[MAX_B];
    for (int i = 0; i < n; i++)
        v[i] = labels[i];
    return held_show(v, n);
}

/* A loss called three times on one batch: by the student with grad NULL
 * and with a gradient buffer full of NaN, and by the reference. */
typedef struct {
    double value, with_grad; /* the student's */
    double want;             /* the reference's */
} Values;
typedef double (*BinaryLoss)(double *grad, const double *a, const double *b,
                             int n);
typedef double (*ClassLoss)(double *grad, const double *scores,
                            const int *labels, int batch, int classes);

static Values binary_loss(BinaryLoss loss, double *g, double *gr,
                          const double *a, const double *b, int n) {
    Values v;
    fill_nan(g, n);
    v.value = STUDENT(loss(NULL, a, b, n));
    v.with_grad = STUDENT(loss(g, a, b, n));
    v.want = REFERENCE(loss(gr, a, b, n));
    return v;
}

/* The same for a loss over classes, with the batch described in
 * setting[SETTING] for messages. */
static Values class_loss(ClassLoss loss, double *g, double *gr,
                         const double *scores, const int *labels, int batch,
                         int classes, char *setting, const char *batch_kind,
                         const char *scores_name) {
    snprintf(setting, SETTING,
             "(%s) batch=%d, classes=%d, labels=%s, %s (row after row)=%s",
             batch_kind, batch, classes, show_labels(labels, batch),
             scores_name, held_show_at_most(scores, batch * classes, 450));
    Values v;
    fill_nan(g, batch * classes);
    v.value = STUDENT(loss(NULL, scores, labels, batch, classes));
    v.with_grad = STUDENT(loss(g, scores, labels, batch, classes));
    v.want = REFERENCE(loss(gr, scores, labels, batch, classes));
    return v;
}

/* Both of the student's values against the reference's. */
static void check_values(Values v, double tol, const char *see,
                         const char *loss, const char *setting) {
    HELD_NEAR(v.value, v.want, tol, see, "%s(grad=NULL) %s", loss, setting);
    HELD_NEAR(v.with_grad, v.want, tol, see, "%s with a gradient buffer %s",
              loss, setting);
}

/* Entries far out where the header promises a finite value: +-1000 exactly
 * or drawn up to it, as often negative as positive. */
static double huge_entry(void) {
    double z = held_coin(0.25) ? 1000.0 : held_uniform(30.0, 1000.0);
    return held_coin(0.5) ? z : -z;
}

/* ---- log-sum-exp and the softmax ----------------------------------------- */

/* The inputs, one of each on every seed: moderate entries, a single entry,
 * entries all near +1000 (exp overflows) and all near -1000 (exp
 * underflows), entries spread over [-1000, 1000] with the largest after a
 * first one more than 710 below it (a shift by x[0] overflows), and exact
 * ties of the largest entry. */
typedef enum { SMALL, SINGLE, ALL_HUGE, ALL_TINY, SPREAD, TIES, N_LSE } LseCase;
static const char *const LSE_CASE[N_LSE] = {
    "moderate entries",           "one entry",
    "entries near +1000",         "entries near -1000",
    "entries spread over +-1000", "tied largest entries"};

static int draw_lse(double *x, LseCase c) {
    int n = c == SINGLE ? 1 : held_int(2, MAX_N);
    switch (c) {
    case SMALL:
        held_vector(x, n, -5.0, 5.0);
        break;
    case SINGLE:
        x[0] = held_uniform(-1000.0, 1000.0);
        break;
    case ALL_HUGE:
        held_vector(x, n, 980.0, 1000.0);
        break;
    case ALL_TINY:
        held_vector(x, n, -1000.0, -980.0);
        break;
    case SPREAD:
        held_vector(x, n, -1000.0, 1000.0);
        x[held_int(1, n - 1)] = 1000.0;
        x[0] = held_uniform(-1000.0, 250.0);
        break;
    case TIES:
        held_vector(x, n, -1000.0, 1000.0);
        double top = held_coin(0.5) ? 1000.0 : held_uniform(-1000.0, 1000.0);
        for (int i = 0; i < n; i++)
            x[i] = fmin(x[i], top);
        for (int k = 0; k < 2; k++)
            x[held_int(0, n - 1)] = top;
        break;
    default:
        break;
    }
    return n;
}

HELD(held_losses, logsumexp_matches_the_reference, 2) {
    for (LseCase c = 0; c < N_LSE; c++) {
        double x[MAX_N];
        int n = draw_lse(x, c);
        double got = STUDENT(logsumexp(x, n));
        double want = REFERENCE(logsumexp(x, n));
        /* the log of a float-accumulated sum is off by its relative error;
         * m + log(sum) rounds to a few ulps of the result */
        HELD_NEAR(got, want, float_sum(n) + 1e-15 * fabs(want), SEE_LSE,
                  "logsumexp (%s) of n=%d entries x=%s", LSE_CASE[c], n,
                  held_show(x, n));
    }
}

HELD(held_losses, softmax_matches_the_reference_in_place_or_not, 2) {
    for (LseCase c = 0; c < N_LSE; c++) {
        double z[MAX_N], p[MAX_N], inplace[MAX_N], want[MAX_N];
        int n = draw_lse(z, c);
        fill_nan(p, n);
        memcpy(inplace, z, (size_t)n * sizeof *z);
        STUDENT(softmax(p, z, n));
        STUDENT(softmax(inplace, inplace, n)); /* allowed by the header */
        REFERENCE(softmax(want, z, n));
        for (int i = 0; i < n; i++) {
            /* a float sum of n exponentials divides every probability by a
             * sum off by float_sum(n); below 1e-300 only subnormals differ */
            double tol = float_sum(n) * want[i] + 1e-300;
            HELD_NEAR(p[i], want[i], tol, SEE_LSE,
                      "probs[%d] of softmax (%s), n=%d, logits=%s", i,
                      LSE_CASE[c], n, held_show(z, n));
            HELD_NEAR(inplace[i], want[i], tol, SEE_LSE,
                      "probs[%d] of softmax computed in place (probs == "
                      "logits) (%s), n=%d, logits=%s",
                      i, LSE_CASE[c], n, held_show(z, n));
        }
    }
}

/* ---- mean squared error -------------------------------------------------- */

HELD(held_losses, mse_and_its_gradient_match_the_reference, 2) {
    /* one example; moderate and large residuals; some residuals exactly 0 */
    for (int trial = 0; trial < 4; trial++) {
        int n = trial == 0 ? 1 : held_int(2, MAX_N);
        double scale = trial == 2 ? 1e3 : 10.0;
        double pred[MAX_N], target[MAX_N], g[MAX_N], gr[MAX_N];
        held_vector(pred, n, -scale, scale);
        held_vector(target, n, -scale, scale);
        if (trial == 3)
            for (int k = 0; k < n / 2; k++) {
                int i = held_int(0, n - 1);
                target[i] = pred[i];
            }
        Values v = binary_loss(loss_mse, g, gr, pred, target, n);
        char setting[SETTING];
        snprintf(setting, sizeof setting, "n=%d, pred=%s, target=%s", n,
                 held_show_at_most(pred, n, 300),
                 held_show_at_most(target, n, 300));
        check_values(v, float_sum(n) * v.want, SEE_MSE, "loss_mse", setting);
        for (int i = 0; i < n; i++)
            /* 2 r / n, 2 / n * r, 2 (pred / n - target / n): a few ulps of
             * the inputs' scale */
            HELD_NEAR(g[i], gr[i],
                      1e-15 * (fabs(gr[i]) +
                               2.0 * (fabs(pred[i]) + fabs(target[i])) / n),
                      SEE_MSE, "dL/dpred[%d] of loss_mse, %s", i, setting);
    }
}

/* ---- binary cross-entropy from logits ------------------------------------ */

/* The batches, one of each on every seed: hard targets (0 or 1), targets
 * anywhere in [0, 1] (0, 1/2 and 1 exactly among them), logits out to
 * +-1000 (and exactly 0) with both kinds of target, and a single example. */
typedef enum { HARD, SOFT, FAR_OUT, ONE_EXAMPLE, N_BCE } BceCase;
static const char *const BCE_CASE[N_BCE] = {
    "targets 0 or 1", "targets in [0, 1]", "logits out to +-1000",
    "one example"};

static int draw_bce(double *z, double *y, BceCase c) {
    int n = c == ONE_EXAMPLE ? 1 : held_int(2, MAX_N);
    for (int i = 0; i < n; i++) {
        z[i] = c == FAR_OUT ? huge_entry() : held_uniform(-10.0, 10.0);
        y[i] = c == HARD || (c == FAR_OUT && held_coin(0.5))
                   ? (double)held_coin(0.5)
                   : held_uniform(0.0, 1.0);
    }
    if (c == ONE_EXAMPLE) z[0] = held_uniform(-1000.0, 1000.0);
    if (c == SOFT) {
        y[0] = 0.0;
        y[1] = 1.0;
        y[held_int(0, n - 1)] = 0.5;
    }
    if (c == FAR_OUT) z[held_int(0, n - 1)] = 0.0;
    return n;
}

HELD(held_losses, bce_and_its_gradient_match_the_reference, 3) {
    for (BceCase c = 0; c < N_BCE; c++) {
        double z[MAX_N], y[MAX_N], g[MAX_N], gr[MAX_N];
        int n = draw_bce(z, y, c);
        Values v = binary_loss(loss_bce_logits, g, gr, z, y, n);
        char setting[SETTING];
        snprintf(setting, sizeof setting, "(%s) n=%d, logits=%s, targets=%s",
                 BCE_CASE[c], n, held_show_at_most(z, n, 300),
                 held_show_at_most(y, n, 300));
        /* the float mean, and up to 2.4e-7 for the terms' own rounding
         * (max(z, 0) - y z cancels to ~1e-13 at |z| = 1000) */
        check_values(v, float_sum(n) * (1.0 + v.want), SEE_BCE,
                     "loss_bce_logits", setting);
        for (int i = 0; i < n; i++)
            /* sigmoid(z) - y lies in [-1, 1]: every stable sigmoid is right
             * to ~eps |z| <= 1.2e-13 there */
            HELD_NEAR(g[i], gr[i], 1e-12 / n, SEE_BCE,
                      "dL/dz[%d] of loss_bce_logits %s", i, setting);
    }
}

/* ---- softmax cross-entropy ----------------------------------------------- */

/* The batches, one of each on every seed: one row, several rows, logits out
 * to +-1000 with ties, and a single class (loss and gradient 0). Labels are
 * drawn from 0..classes-1; in a batch of two rows or more, the first row's
 * is the last class and the last row's is class 0, the two ends of their
 * range. */
typedef enum { ONE_ROW, ROWS, FAR_ROWS, ONE_CLASS, N_XENT } XentCase;
static const char *const XENT_CASE[N_XENT] = {
    "one row", "several rows", "logits out to +-1000", "one class"};

static void draw_labels(int *labels, int batch, int classes) {
    for (int b = 0; b < batch; b++)
        labels[b] = held_int(0, classes - 1);
    if (batch < 2) return;
    labels[0] = classes - 1;
    labels[batch - 1] = 0;
}

HELD(held_losses, softmax_xent_and_its_gradient_match_the_reference, 3) {
    for (XentCase c = 0; c < N_XENT; c++) {
        int batch = c == ONE_ROW ? 1 : held_int(2, MAX_B);
        int classes = c == ONE_CLASS ? 1 : held_int(2, MAX_C);
        int len = batch * classes, labels[MAX_B];
        double z[MAX_B * MAX_C], g[MAX_B * MAX_C], gr[MAX_B * MAX_C];
        for (int i = 0; i < len; i++)
            z[i] = c == FAR_ROWS ? huge_entry() : held_uniform(-5.0, 5.0);
        if (c == FAR_ROWS) z[held_int(0, len - 1)] = z[0]; /* a tie */
        draw_labels(labels, batch, classes);
        char setting[SETTING];
        Values v = class_loss(loss_softmax_xent, g, gr, z, labels, batch,
                              classes, setting, XENT_CASE[c], "logits");
        /* the float mean over the rows, and each row's log-sum-exp off by
         * a float sum of `classes` exponentials */
        check_values(v, float_sum(batch) * (1.0 + v.want) + float_sum(classes),
                     SEE_XENT, "loss_softmax_xent", setting);
        for (int i = 0; i < len; i++) {
            int b = i / classes, k = i % classes;
            double p = gr[i] * batch + (k == labels[b]); /* softmax entry */
            HELD_NEAR(g[i], gr[i],
                      (float_sum(classes) * fabs(p) + 1e-13) / batch, SEE_XENT,
                      "dL/dlogits[%d] (row %d, class %d) of "
                      "loss_softmax_xent %s",
                      i, b, k, setting);
        }
    }
}

/* ---- hinge losses -------------------------------------------------------- */

/* Where an example's margin y s lies, each on every seed: exactly on the
 * kink (s = y, so that y s = 1 in binary floating point whatever the
 * order of the operations), one ulp inside or outside it, inside the
 * margin, beyond it, and far out (|s| up to 1000). */
typedef enum {
    KINK,
    ULP_INSIDE,
    ULP_OUTSIDE,
    INSIDE,
    BEYOND,
    FAR,
    N_MARGINS
} Margin;

static double draw_margin(Margin m) {
    switch (m) {
    case KINK:
        return 1.0;
    case ULP_INSIDE:
        return nextafter(1.0, 0.0);
    case ULP_OUTSIDE:
        return nextafter(1.0, 2.0);
    case INSIDE:
        return held_uniform(-3.0, 1.0);
    case BEYOND:
        return held_uniform(1.0, 3.0);
    default:
        return held_uniform(-1000.0, 1000.0);
    }
}

HELD(held_losses, hinge_and_its_subgradient_match_the_reference, 2) {
    /* a batch with every kind of margin at drawn places, and single
     * examples of each kind */
    for (int trial = 0; trial <= N_MARGINS; trial++) {
        int n = trial < N_MARGINS ? 1 : held_int(N_MARGINS, MAX_N);
        double s[MAX_N], y[MAX_N], g[MAX_N], gr[MAX_N];
        for (int i = 0; i < n; i++) {
            Margin m = trial < N_MARGINS ? (Margin)trial
                       : i < N_MARGINS   ? (Margin)i
                                         : (Margin)held_int(0, N_MARGINS - 1);
            y[i] = held_coin(0.5) ? 1.0 : -1.0;
            s[i] = y[i] * draw_margin(m); /* exact: y = +-1 */
        }
        for (int i = n - 1; i > 0; i--) { /* the kinds at drawn places */
            int j = held_int(0, i);
            double ts = s[i], ty = y[i];
            s[i] = s[j], y[i] = y[j];
            s[j] = ts, y[j] = ty;
        }
        Values v = binary_loss(loss_hinge, g, gr, s, y, n);
        char setting[SETTING];
        snprintf(setting, sizeof setting, "n=%d, scores=%s, labels=%s", n,
                 held_show_at_most(s, n, 300), held_show_at_most(y, n, 300));
        check_values(v, float_sum(n) * v.want + 1e-15, SEE_HINGE, "loss_hinge",
                     setting);
        for (int i = 0; i < n; i++)
            /* -y / n and 0 are exact: y s is exact for y = +-1 */
            HELD_NEAR(g[i], gr[i], 1e-15 / n, SEE_HINGE,
                      "dL/ds[%d] of loss_hinge at margin y s = %.17g, %s "
                      "(at y s = 1 exactly the course's subgradient is 0)",
                      i, y[i] * s[i], setting);
    }
}

/* The batches of the multiclass hinge, one of each on every seed: one row;
 * several rows, the first with two classes inside the margin; rows of
 * equal scores (every term 1); scores out to +-1000; a single class (loss
 * 0). Every row of two classes or more but the equal ones has a class at a
 * drawn place exactly on its kink (s_c = s_y - 1). Scores are multiples of
 * 1/64 (1/8 far out), so that 1 + s_c - s_y is exact in every order of the
 * operations: a kink is a kink for every implementation. */
typedef enum {
    MC_ONE_ROW,
    MC_KINKS,
    MC_EQUAL,
    MC_FAR,
    MC_ONE_CLASS,
    N_MC
} McCase;
static const char *const MC_CASE[N_MC] = {"one row", "several rows",
                                          "rows of equal scores",
                                          "scores out to +-1000", "one class"};

static double grid(double lo, double hi, double step) {
    return step * held_int((int)(lo / step), (int)(hi / step));
}

HELD(held_losses, multiclass_hinge_and_its_subgradient_match_the_reference, 3) {
    for (McCase c = 0; c < N_MC; c++) {
        int batch = c == MC_ONE_ROW ? 1 : held_int(2, MAX_B);
        int classes = c == MC_ONE_CLASS ? 1
                      : c == MC_KINKS   ? held_int(3, MAX_C)
                                        : held_int(2, MAX_C);
        int len = batch * classes, labels[MAX_B];
        double s[MAX_B * MAX_C], g[MAX_B * MAX_C], gr[MAX_B * MAX_C];
        draw_labels(labels, batch, classes);
        for (int b = 0; b < batch; b++) {
            double *row = s + b * classes;
            int y = labels[b];
            for (int k = 0; k < classes; k++)
                row[k] = c == MC_FAR ? grid(-1000.0, 1000.0, 0.125)
                                     : grid(-3.0, 3.0, 1.0 / 64);
            if (c == MC_EQUAL)
                for (int k = 0; k < classes; k++)
                    row[k] = row[0];
            if (c == MC_EQUAL || classes < 2) continue;
            int kink = held_int(1, classes - 1); /* an offset from y */
            row[(y + kink) % classes] = row[y] - 1.0;
            if (b > 0 || classes < 3) continue;
            int other = held_int(1, classes - 2); /* another offset */
            if (other >= kink) other++;
            row[(y + other) % classes] = row[y] + grid(-0.75, 0.75, 1.0 / 64);
        }
        char setting[SETTING];
        Values v = class_loss(loss_multiclass_hinge, g, gr, s, labels, batch,
                              classes, setting, MC_CASE[c], "scores");
        check_values(v, float_sum(len) * v.want + 1e-15, SEE_HINGE,
                     "loss_multiclass_hinge", setting);
        for (int i = 0; i < len; i++)
            /* sums of +-1/batch, in any order: a few ulps each */
            HELD_NEAR(g[i], gr[i], 1e-14 * classes / batch, SEE_HINGE,
                      "dL/ds[%d] (row %d, class %d) of loss_multiclass_hinge "
                      "%s (a term at exactly 0 adds nothing)",
                      i, i / classes, i % classes, setting);
    }
}
