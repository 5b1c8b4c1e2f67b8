/* losses.c: chapter 6, loss functions -- reference solution. */
#include "losses.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

static double max_of(const double *x, int n) {
    double m = x[0];
    for (int i = 1; i < n; i++)
        m = fmax(m, x[i]);
    return m;
}

double logsumexp(const double *x, int n) {
    assert(n >= 1);
    double m = max_of(x, n); /* every x[i] - m <= 0: no exp overflows */
    double sum = 0.0;        /* >= 1: the term of the max is exp(0) */
    for (int i = 0; i < n; i++)
        sum += exp(x[i] - m);
    return m + log(sum);
}

void softmax(double *probs, const double *logits, int n) {
    assert(n >= 1);
    double m = max_of(logits, n);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        probs[i] = exp(logits[i] - m); /* in (0, 1]: shifting cancels */
        sum += probs[i];
    }
    for (int i = 0; i < n; i++)
        probs[i] /= sum;
}

double loss_mse(double *grad, const double *pred, const double *target,
                int n) {
    assert(n >= 1);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double r = pred[i] - target[i]; /* the residual */
        sum += r * r;
        if (grad) grad[i] = 2.0 * r / n;
    }
    return sum / n;
}

/* sigmoid(z) without exp(-z) overflowing for very negative z. */
static double sigmoid(double z) {
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double loss_bce_logits(double *grad, const double *logits,
                       const double *targets, int n) {
    assert(n >= 1);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double z = logits[i], y = targets[i];
        /* softplus(z) - y z, with softplus(z) = max(z,0) + log1p(e^-|z|) */
        sum += fmax(z, 0.0) - y * z + log1p(exp(-fabs(z)));
        if (grad) grad[i] = (sigmoid(z) - y) / n;
    }
    return sum / n;
}

double loss_softmax_xent(double *grad_logits, const double *logits,
                         const int *labels, int batch, int classes) {
    assert(batch >= 1 && classes >= 1);
    double sum = 0.0;
    for (int b = 0; b < batch; b++) {
        const double *z = logits + (size_t)b * (size_t)classes; /* [classes] */
        int y = labels[b];
        assert(y >= 0 && y < classes);
        double lse = logsumexp(z, classes);
        sum += lse - z[y]; /* -log p_y = -(z_y - lse) */
        if (!grad_logits) continue;
        double *g = grad_logits + (size_t)b * (size_t)classes; /* [classes] */
        for (int c = 0; c < classes; c++) {
            double p = exp(z[c] - lse); /* softmax, as z[c] <= lse */
            g[c] = (p - (c == y ? 1.0 : 0.0)) / batch;
        }
    }
    return sum / batch;
}

double loss_hinge(double *grad, const double *scores, const double *labels,
                  int n) {
    assert(n >= 1);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double margin = labels[i] * scores[i];
        bool inside = margin < 1.0; /* strictly: the kink gets gradient 0 */
        if (inside) sum += 1.0 - margin;
        if (grad) grad[i] = inside ? -labels[i] / n : 0.0;
    }
    return sum / n;
}

double loss_multiclass_hinge(double *grad, const double *scores,
                             const int *labels, int batch, int classes) {
    assert(batch >= 1 && classes >= 1);
    double sum = 0.0;
    for (int b = 0; b < batch; b++) {
        const double *s = scores + (size_t)b * (size_t)classes; /* [classes] */
        double *g = grad ? grad + (size_t)b * (size_t)classes : NULL;
        int y = labels[b];
        assert(y >= 0 && y < classes);
        if (g)
            for (int c = 0; c < classes; c++)
                g[c] = 0.0;
        for (int c = 0; c < classes; c++) {
            if (c == y) continue;
            double violation = 1.0 + s[c] - s[y]; /* > 0: c is too close */
            if (violation <= 0.0) continue;
            sum += violation;
            if (g) {
                g[c] += 1.0 / batch;
                g[y] -= 1.0 / batch;
            }
        }
    }
    return sum / batch;
}
