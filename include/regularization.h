/* regularization.h: chapter 7, regularization -- the API that
 * exercises/regularization.c implements: L2 and weight decay, L1 by
 * subgradient and by soft-thresholding, inverted dropout, early stopping,
 * the overfitting experiment's training loop, and gradients through a chain
 * of layers. The capstone (chapter 8) reuses the regularizers. */
#ifndef REGULARIZATION_H
#define REGULARIZATION_H

#include "rng.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

//> l2
/* The L2 penalty, with the course's convention (lambda/2) ||w||^2:
 * returns (lambda / 2) * sum_i w[i]^2 over w[n]. Its gradient is lambda*w;
 * the other convention, lambda ||w||^2, has gradient 2 lambda w. */
double l2_penalty(const double *w, int n, double lambda);

/* Adds the L2 penalty's gradient to g: g[i] += lambda * w[i], for i < n.
 * g[n] already holds the data loss's gradient; w[n] is not changed. */
void l2_grad_add(double *g, const double *w, int n, double lambda);
//< l2

//> weight_decay
/* One step of SGD with decoupled weight decay, in place:
 * w[i] <- (1 - lr * lambda) * w[i] - lr * g[i], where g[n] is the data
 * loss's gradient alone. For plain SGD this equals a gd_step on the
 * gradient g + lambda * w (up to rounding). */
void weight_decay_step(double *w, const double *g, int n, double lr,
                       double lambda);
//< weight_decay

//> l1
/* The L1 penalty: returns lambda * sum_i |w[i]| over w[n]. */
double l1_penalty(const double *w, int n, double lambda);

/* Adds a subgradient of the L1 penalty to g: g[i] += lambda * sign(w[i]),
 * with sign(0) = 0 (0 is in the subdifferential [-lambda, lambda] at 0). */
void l1_subgrad_add(double *g, const double *w, int n, double lambda);
//< l1

//> l1_prox
/* The proximal step of the L1 penalty (soft-thresholding), in place:
 * w[i] <- sign(w[i]) * max(|w[i]| - threshold, 0), threshold >= 0. Every
 * |w[i]| <= threshold becomes exactly 0. After a gd_step with learning
 * rate lr, call it with threshold = lr * lambda. */
void l1_prox(double *w, int n, double threshold);
//< l1_prox

//> dropout
/* Inverted dropout on in[n], 0 <= p < 1 the probability of dropping a unit.
 * Training: for i = 0, 1, ..., n-1 in order, draws u = rng_uniform(rng);
 * the unit is dropped when u < p (mask[i] = 0, out[i] = 0) and kept
 * otherwise (mask[i] = 1, out[i] = in[i] / (1 - p)), so that E[out[i]] =
 * in[i]. Evaluation (training false): out[i] = in[i], mask[i] = 1, and rng
 * is not used (it may then be NULL). mask may be NULL when no backward
 * pass follows. out may be in. */
void dropout_forward(double *out, unsigned char *mask, const double *in,
                     int n, double p, Rng *rng, bool training);
//< dropout

//> dropout_backward
/* The gradient through a training-mode dropout_forward with the same mask
 * and p: grad_in[i] = mask[i] ? grad_out[i] / (1 - p) : 0. grad_in may be
 * grad_out. */
void dropout_backward(double *grad_in, const unsigned char *mask,
                      const double *grad_out, int n, double p);
//< dropout_backward

//> early_stopping
/* Early stopping on a validation loss, evaluated every so often. */
typedef struct {
    int patience;     /* stop after this many evaluations without a new best */
    double min_delta; /* a new best must beat the old one by more than this */
    double best;      /* lowest validation loss so far (INFINITY at first) */
    int best_eval;    /* index of the evaluation that gave it (-1 at first) */
    int evals;        /* evaluations seen so far */
    int bad_evals;    /* evaluations since the best one */
} EarlyStopping;

/* Starts the tracker: no evaluation seen yet. patience >= 1, min_delta
 * >= 0. */
void early_stopping_init(EarlyStopping *es, int patience, double min_delta);

/* Records the validation loss of evaluation number es->evals (0, 1, ...).
 * It is a new best when val_loss < best - min_delta: best, best_eval are
 * updated and bad_evals is reset to 0 (save the weights now); otherwise
 * (NaN included) bad_evals grows by one. Returns true when training should
 * stop, that is when bad_evals >= patience. */
bool early_stopping_update(EarlyStopping *es, double val_loss);
//< early_stopping

//> polyfit
//> polyfit_intro
/* The overfitting experiment (provided, not an exercise): a degree-9
 * polynomial y = sum_j w[j] P_j(2x - 1) fitted to a few noisy samples of
 * sin(2 pi x) on [0, 1]. P_j are the Legendre polynomials, which span the
 * same functions as 1, x, ..., x^9 but are far better conditioned for
 * gradient descent. w[0] multiplies P_0 = 1: it is the bias, and the
 * regularizers leave it alone (they are applied to w + 1, n - 1). */
#define POLY_DEGREE 9
#define POLY_N (POLY_DEGREE + 1) /* weights w[0..POLY_N) */
#define POLY_MAX_POINTS 256

typedef struct {
    int m;                     /* number of points */
    double x[POLY_MAX_POINTS]; /* inputs in [0, 1) */
    double y[POLY_MAX_POINTS]; /* sin(2 pi x) + noise */
} PolyData;
//< polyfit_intro

/* m points: x uniform on [0, 1), y = sin(2 pi x) + noise * N(0, 1), drawn
 * as x, then y's Gaussian, point after point, from Rng seeded with seed. */
static inline void polyfit_data(PolyData *d, int m, double noise,
                                uint64_t seed) {
    const double two_pi = 6.283185307179586; /* C11 has no M_PI */
    Rng rng;
    rng_seed(&rng, seed);
    d->m = m < POLY_MAX_POINTS ? m : POLY_MAX_POINTS;
    for (int i = 0; i < d->m; i++) {
        d->x[i] = rng_uniform(&rng);
        d->y[i] = sin(two_pi * d->x[i]) + noise * rng_gaussian(&rng);
    }
}

//> polyfit_features
/* phi[POLY_N] = P_0(t), ..., P_9(t) at t = 2x - 1, by Bonnet's recurrence
 * j P_j = (2j - 1) t P_{j-1} - (j - 1) P_{j-2}. */
static inline void polyfit_features(double *phi, double x) {
    double t = 2.0 * x - 1.0;
    phi[0] = 1.0;
    phi[1] = t;
    for (int j = 2; j < POLY_N; j++)
        phi[j] = ((2 * j - 1) * t * phi[j - 1] - (j - 1) * phi[j - 2]) / j;
}
//< polyfit_features

/* The model's prediction at x, for weights w[POLY_N]. */
static inline double polyfit_predict(const double *w, double x) {
    double phi[POLY_N], f = 0.0;
    polyfit_features(phi, x);
    for (int j = 0; j < POLY_N; j++)
        f += w[j] * phi[j];
    return f;
}

/* The mean squared error (1/m) sum_i (f(x_i) - y_i)^2 of w on d. */
static inline double polyfit_mse(const double *w, const PolyData *d) {
    double sum = 0.0;
    for (int i = 0; i < d->m; i++) {
        double r = polyfit_predict(w, d->x[i]) - d->y[i];
        sum += r * r;
    }
    return sum / d->m;
}

/* g[POLY_N] = the gradient of polyfit_mse: (2/m) sum_i r_i phi(x_i). */
static inline void polyfit_mse_grad(double *g, const double *w,
                                    const PolyData *d) {
    double phi[POLY_N];
    memset(g, 0, POLY_N * sizeof *g);
    for (int i = 0; i < d->m; i++) {
        polyfit_features(phi, d->x[i]);
        double r = 0.0;
        for (int j = 0; j < POLY_N; j++)
            r += w[j] * phi[j];
        r -= d->y[i];
        for (int j = 0; j < POLY_N; j++)
            g[j] += 2.0 * r * phi[j] / d->m;
    }
}
//< polyfit

//> fit_train
typedef enum {
    REG_NONE,       /* the data loss alone */
    REG_L2,         /* + (lambda/2) ||w||^2, by l2_grad_add */
    REG_L1_SUBGRAD, /* + lambda ||w||_1, by l1_subgrad_add */
    REG_L1_PROX     /* + lambda ||w||_1, by l1_prox after each step */
} Regularizer;

typedef struct {
    double lr;       /* learning rate of every gd_step */
    int max_steps;   /* gradient steps at most, a multiple of eval_every */
    Regularizer reg; /* the penalty on w[1..POLY_N), never on the bias */
    double lambda;   /* its strength */
    int eval_every;  /* steps between two evaluations, >= 1 */
    int patience;    /* > 0: early stopping with this patience; 0: off */
} FitConfig;

typedef struct {
    int steps;     /* gradient steps taken */
    int evals;     /* evaluations recorded */
    int best_step; /* the step whose weights w holds on return */
} FitResult;

/* Trains w[POLY_N] (updated in place) by gradient descent on
 * polyfit_mse(train) plus cfg's penalty. Evaluates before the first step
 * and after every eval_every-th: evaluation e records the data losses
 * polyfit_mse (no penalty) on train and val in train_curve[e] and
 * val_curve[e] (each may be NULL; room for max_steps / eval_every + 1).
 * With patience > 0, each evaluation feeds val's loss to an EarlyStopping
 * (min_delta 0); training stops when it says so, or after max_steps, and
 * either way w is set back to the weights of the best evaluation (whose
 * step is best_step; without early stopping, w and best_step are the
 * last step's). Each step: g = polyfit_mse_grad; REG_L2
 * and REG_L1_SUBGRAD add their gradient to g[1..); gd_step(w, g, lr);
 * REG_L1_PROX then soft-thresholds w[1..) by lr * lambda. */
FitResult fit_train(double *w, const PolyData *train, const PolyData *val,
                    const FitConfig *cfg, double *train_curve,
                    double *val_curve);
//< fit_train

//> chain
/* Backpropagation through k linear layers h_t = W_t h_{t-1}, t = 1..k:
 * starting from g[n] = dL/dh_k, applies g <- W_t^T g for t = k, k-1, ...,
 * 1, so that g ends as dL/dh_0. W[k][n][n] holds the layers one after the
 * other, W_t at W + (t-1) n n, row-major (W_t[r][c] at [r * n + c]).
 * norms[0..k] receives ||g|| (Euclidean) before the first layer and after
 * each: norms[j] after j layers. Requires n <= CHAIN_MAX_N. */
#define CHAIN_MAX_N 256
void backprop_linear_chain(double *norms, double *g, const double *W, int k,
                           int n);

/* Fills W[k][n][n] with Gaussian layers: each entry scale * N(0,1) /
 * sqrt(n), drawn in storage order. Then E||W_t^T g||^2 = scale^2 ||g||^2
 * (provided, not an exercise). */
static inline void chain_gaussian_layers(double *W, int k, int n,
                                         double scale, Rng *rng) {
    double s = scale / sqrt((double)n);
    for (long i = 0; i < (long)k * n * n; i++)
        W[i] = s * rng_gaussian(rng);
}
//< chain

#endif /* REGULARIZATION_H */
