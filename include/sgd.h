/* sgd.h: chapter 2, stochastic and mini-batch gradient descent -- the API
 * that exercises/sgd.c implements: a least-squares regression, its
 * mini-batch gradient, the Fisher-Yates shuffle, the epoch loop, and a
 * gradient step with Gaussian noise for escaping saddle points. */
#ifndef SGD_H
#define SGD_H

#include "rng.h"

//> data
/* A least-squares regression problem: n examples, each a row of d features
 * and a target. The model predicts x_i . w; a constant feature of 1 in
 * every row gives it a bias. */
typedef struct {
    const double *X; /* features [n][d], row-major: example i is X[i*d..] */
    const double *y; /* targets [n] */
    int n;           /* number of examples, > 0 */
    int d;           /* features per example, 0 < d <= LSQ_MAX_D */
} LsqData;

#define LSQ_MAX_D 64
//< data

//> loss
/* The mean squared error over all examples, halved:
 *     L(w) = 1/(2n) sum_i (x_i . w - y_i)^2,   w[d].
 * The 1/2 makes the gradient the plain mean of residual times features. */
double lsq_loss(const LsqData *data, const double *w);
//< loss

//> batch_grad
/* The gradient at w[d] of the loss over the b examples idx[0..b):
 *     grad = 1/b sum_k (x_k . w - y_k) x_k,   k = idx[0], ..., idx[b-1],
 * a mean, not a sum, so that its size does not grow with b. With idx =
 * 0, 1, ..., n-1 it is the full gradient of lsq_loss. Writes grad[d];
 * idx may repeat examples and list them in any order. Requires b > 0. */
void lsq_batch_grad(double *grad, const LsqData *data, const double *w,
                    const int *idx, int b);
//< batch_grad

//> shuffle
/* Shuffles perm[n] in place by Fisher-Yates, backwards: for i = n-1 down
 * to 1, draw j = rng_below(rng, i + 1) and swap perm[i] with perm[j].
 * Every one of the n! orderings comes out with the same probability, and
 * the same seed gives the same ordering on every machine. n <= 1 draws
 * nothing. */
void sgd_shuffle(int *perm, int n, Rng *rng);
//< shuffle

//> run
typedef struct {
    double lr;      /* learning rate, > 0 */
    int batch_size; /* examples per step: 1 is SGD, n is batch GD */
    int epochs;     /* passes over the data set */
} SgdConfig;

/* Runs mini-batch gradient descent on data from w[d] (updated in place).
 *
 * Each epoch first shuffles perm[n] with sgd_shuffle (continuing from the
 * previous order, never resetting it), then walks it in consecutive
 * batches of b = cfg->batch_size examples: perm[0..b), perm[b..2b), ...
 * The last batch of an epoch holds the n mod b examples left over, when
 * there are any: it is used, not dropped, and its gradient is the mean over
 * its own size. Each batch is one step, w <- w - lr * lsq_batch_grad(...)
 * (chapter 1's gd_step), so an epoch takes ceil(n / b) steps and touches
 * every example exactly once.
 *
 * perm[n] holds a permutation of 0..n-1 on entry (the identity, for a fresh
 * run) and the last epoch's order on return, so that two runs of k epochs
 * sharing rng and perm equal one run of 2k epochs.
 * history, when not NULL, has room for epochs * ceil(n / b) + 1 doubles
 * and receives lsq_loss at the start and after every step.
 * Returns the number of steps taken. */
int sgd_run(double *w, const LsqData *data, const SgdConfig *cfg, Rng *rng,
            int *perm, double *history);
//< run

//> noisy_step
/* A gradient step with noise, in place:
 *     x <- x - lr * (grad + sigma * xi),   xi ~ N(0, I),
 * where xi[i] is the i-th of n draws of rng_gaussian, taken in order
 * i = 0, ..., n-1. It always draws n numbers, even with sigma = 0, so that
 * the noise sequence does not depend on sigma. x[n]; grad[n] is the
 * gradient at the old x. */
void sgd_noisy_step(double *x, const double *grad, int n, double lr,
                    double sigma, Rng *rng);
//< noisy_step

//> make_data
/* The chapter's data set, provided (not an exercise): SGD_DATA_N examples
 * of d = SGD_DATA_D features (1, u1, u2, u3) with u1 ~ N(0, 1),
 * u2 ~ N(0, 1/4), u3 uniform on [-1, 1], and targets
 *     y = 2 - u1 + 3 u2 + 0.5 u3 + noise,   noise ~ N(0, 0.5^2),
 * all drawn from splitmix64 with the given seed. X[n][d], y[n]. */
enum { SGD_DATA_N = 200, SGD_DATA_D = 4 };
#define SGD_DATA_SEED 2024u

static inline void sgd_make_data(double *X, double *y, uint64_t seed) {
    static const double w_true[SGD_DATA_D] = {2.0, -1.0, 3.0, 0.5};
    Rng rng;
    rng_seed(&rng, seed);
    for (int i = 0; i < SGD_DATA_N; i++) {
        double *x = &X[i * SGD_DATA_D];
        x[0] = 1.0; /* the bias feature */
        x[1] = rng_gaussian(&rng);
        x[2] = 0.5 * rng_gaussian(&rng);
        x[3] = 2.0 * rng_uniform(&rng) - 1.0;
        y[i] = 0.5 * rng_gaussian(&rng);
        for (int j = 0; j < SGD_DATA_D; j++)
            y[i] += w_true[j] * x[j];
    }
}
//< make_data

#endif /* SGD_H */
