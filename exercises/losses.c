/* losses.c: chapter 6, loss functions -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/losses.h and the math in
 * chapters/06-losses.md. `make grade CH=06` grades this file; `make run
 * CH=06` runs the chapter's demo on it. Every loss returns the MEAN over the
 * examples, and writes its gradient (also a mean) only when grad != NULL. */
#include "losses.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

double logsumexp(const double *x, int n) {
    /* TODO(6.4, "Softmax and log-sum-exp"): shift by the largest x[i]
     * before exponentiating, then add it back. */
    (void)x, (void)n;
    return 0.0;
}

void softmax(double *probs, const double *logits, int n) {
    /* TODO(6.4, "Softmax and log-sum-exp"): exp(logits[i] - max), then
     * divide by the sum. probs may be the same array as logits. */
    (void)logits;
    for (int i = 0; i < n; i++)
        probs[i] = 0.0;
}

double loss_mse(double *grad, const double *pred, const double *target,
                int n) {
    /* TODO(6.2, "Mean squared error"): the mean of the squared residuals;
     * grad[i] = 2 (pred[i] - target[i]) / n. */
    (void)pred, (void)target;
    if (grad)
        for (int i = 0; i < n; i++)
            grad[i] = 0.0;
    return 0.0;
}

double loss_bce_logits(double *grad, const double *logits,
                       const double *targets, int n) {
    /* TODO(6.3, "Binary cross-entropy from logits"): the mean of
     * max(z, 0) - y z + log(1 + exp(-|z|)), never log(sigmoid(z));
     * grad[i] = (sigmoid(z_i) - y_i) / n, with a sigmoid that does not
     * overflow. */
    (void)logits, (void)targets;
    if (grad)
        for (int i = 0; i < n; i++)
            grad[i] = 0.0;
    return 0.0;
}

double loss_softmax_xent(double *grad_logits, const double *logits,
                         const int *labels, int batch, int classes) {
    /* TODO(6.5, "Softmax cross-entropy"): for each row, logsumexp(row) -
     * row[label]; the mean over the batch. Gradient: (p - onehot) / batch.
     */
    (void)logits, (void)labels;
    if (grad_logits)
        for (int i = 0; i < batch * classes; i++)
            grad_logits[i] = 0.0;
    return 0.0;
}

double loss_hinge(double *grad, const double *scores, const double *labels,
                  int n) {
    /* TODO(6.6, "Hinge loss"): the mean of max(0, 1 - y s); the
     * subgradient -y / n where y s < 1, and 0 where y s >= 1 (kink
     * included). */
    (void)scores, (void)labels;
    if (grad)
        for (int i = 0; i < n; i++)
            grad[i] = 0.0;
    return 0.0;
}

double loss_multiclass_hinge(double *grad, const double *scores,
                             const int *labels, int batch, int classes) {
    /* TODO(6.6, "Hinge loss"): for each row, the sum over c != y of
     * max(0, 1 + s[c] - s[y]); the mean over the batch. Each positive term
     * adds 1/batch to grad[b, c] and takes 1/batch from grad[b, y]. */
    (void)scores, (void)labels;
    if (grad)
        for (int i = 0; i < batch * classes; i++)
            grad[i] = 0.0;
    return 0.0;
}
