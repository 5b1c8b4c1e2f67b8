/* sgd.c: chapter 2, stochastic and mini-batch gradient descent -- your
 * exercises.
 *
 * Fill in each TODO; the contracts are in include/sgd.h and the math in
 * chapters/02-sgd.md. `make grade CH=02` grades this file; `make run CH=02`
 * runs the chapter's demo on it. sgd_run may call gd_step, your chapter 1
 * exercise, from gd.h. */
#include "sgd.h"

#include "gd.h"

#include <assert.h>
#include <stddef.h>

double lsq_loss(const LsqData *data, const double *w) {
    /* TODO(2.1, "A regression problem"): the mean over all n examples of
     * the squared residual (x_i . w - y_i)^2, halved. Example i's features
     * are data->X[i * d + j], j = 0..d-1. */
    (void)data, (void)w;
    return 0.0;
}

void lsq_batch_grad(double *grad, const LsqData *data, const double *w,
                    const int *idx, int b) {
    /* TODO(2.2, "Mini-batch gradients"): for each listed example k =
     * idx[0..b), add its residual (x_k . w - y_k) times x_k to grad; then
     * divide by b: the MEAN over the batch, not the sum. */
    (void)w, (void)idx, (void)b;
    for (int j = 0; j < data->d; j++)
        grad[j] = 0.0;
}

void sgd_shuffle(int *perm, int n, Rng *rng) {
    /* TODO(2.3, "Epochs and shuffling"): Fisher-Yates, backwards: for i
     * from n-1 down to 1, j = rng_below(rng, i + 1), swap perm[i] and
     * perm[j]. */
    (void)perm, (void)n, (void)rng;
}

int sgd_run(double *w, const LsqData *data, const SgdConfig *cfg, Rng *rng,
            int *perm, double *history) {
    /* TODO(2.4, "The epoch loop"): record the starting loss; then, for each
     * epoch, shuffle perm and step over it in consecutive batches of
     * cfg->batch_size (the last one may be smaller: use it, at its own
     * size), one gd_step per batch, recording the loss after each. Return
     * the number of steps. */
    (void)w, (void)data, (void)cfg, (void)rng, (void)perm, (void)history;
    return 0;
}

void sgd_noisy_step(double *x, const double *grad, int n, double lr,
                    double sigma, Rng *rng) {
    /* TODO(2.7, "Noise and saddle points"): for i = 0..n-1, draw
     * xi = rng_gaussian(rng) (always, even when sigma is 0) and move x[i]
     * by -lr * (grad[i] + sigma * xi). */
    (void)x, (void)grad, (void)n, (void)lr, (void)sigma, (void)rng;
}
