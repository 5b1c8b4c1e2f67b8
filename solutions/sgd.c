/* sgd.c: chapter 2, stochastic and mini-batch gradient descent --
 * reference solution. */
#include "sgd.h"

#include "gd.h"

#include <assert.h>
#include <stddef.h>

/* The residual x_i . w - y_i of example i. */
static double residual(const LsqData *data, const double *w, int i) {
    const double *x = &data->X[(size_t)i * (size_t)data->d];
    double r = -data->y[i];
    for (int j = 0; j < data->d; j++)
        r += x[j] * w[j];
    return r;
}

double lsq_loss(const LsqData *data, const double *w) {
    double sum = 0.0;
    for (int i = 0; i < data->n; i++) {
        double r = residual(data, w, i);
        sum += r * r;
    }
    return sum / (2.0 * data->n);
}

//> batch_grad_impl
void lsq_batch_grad(double *grad, const LsqData *data, const double *w,
                    const int *idx, int b) {
    assert(b > 0);
    for (int j = 0; j < data->d; j++)
        grad[j] = 0.0;
    for (int k = 0; k < b; k++) {
        double r = residual(data, w, idx[k]);
        const double *x = &data->X[(size_t)idx[k] * (size_t)data->d];
        for (int j = 0; j < data->d; j++)
            grad[j] += r * x[j];
    }
    for (int j = 0; j < data->d; j++)
        grad[j] /= b; /* the mean: the same scale for every batch size */
}
//< batch_grad_impl

void sgd_shuffle(int *perm, int n, Rng *rng) {
    for (int i = n - 1; i > 0; i--) {
        /* perm[i+1..n) is final; pick perm[i] among the i+1 left. */
        int j = (int)rng_below(rng, (uint64_t)i + 1);
        int tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

int sgd_run(double *w, const LsqData *data, const SgdConfig *cfg, Rng *rng,
            int *perm, double *history) {
    assert(data->d > 0 && data->d <= LSQ_MAX_D && cfg->batch_size > 0);
    double grad[LSQ_MAX_D];
    int steps = 0;
    if (history) history[0] = lsq_loss(data, w);
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        sgd_shuffle(perm, data->n, rng);
        for (int start = 0; start < data->n; start += cfg->batch_size) {
            int b = data->n - start; /* the last batch may be smaller */
            if (b > cfg->batch_size) b = cfg->batch_size;
            lsq_batch_grad(grad, data, w, &perm[start], b);
            gd_step(w, grad, data->d, cfg->lr); /* chapter 1's update */
            steps++;
            if (history) history[steps] = lsq_loss(data, w);
        }
    }
    return steps;
}

void sgd_noisy_step(double *x, const double *grad, int n, double lr,
                    double sigma, Rng *rng) {
    for (int i = 0; i < n; i++) {
        double xi = rng_gaussian(rng); /* drawn even when sigma is 0 */
        x[i] -= lr * (grad[i] + sigma * xi);
    }
}
