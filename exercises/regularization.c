/* regularization.c: chapter 7, regularization -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/regularization.h and the
 * math in chapters/07-regularization.md. `make grade CH=07` grades this
 * file; `make run CH=07` runs the chapter's demo on it. fit_train also
 * uses your gd_step from chapter 1. */
#include "regularization.h"

#include "gd.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

double l2_penalty(const double *w, int n, double lambda) {
    /* TODO(7.2, "L2 regularization and weight decay"): (lambda/2) times
     * the sum of the squared weights. */
    (void)w, (void)n, (void)lambda;
    return 0.0;
}

void l2_grad_add(double *g, const double *w, int n, double lambda) {
    /* TODO(7.2, "L2 regularization and weight decay"): add the gradient of
     * l2_penalty to g (add to it: g already holds the data gradient). */
    (void)g, (void)w, (void)n, (void)lambda;
}

void weight_decay_step(double *w, const double *g, int n, double lr,
                       double lambda) {
    /* TODO(7.2, "L2 regularization and weight decay"): shrink every weight
     * by the factor (1 - lr * lambda), then step against g. */
    (void)w, (void)g, (void)n, (void)lr, (void)lambda;
}

double l1_penalty(const double *w, int n, double lambda) {
    /* TODO(7.3, "L1 regularization and exact zeros"): lambda times the sum
     * of the absolute values. */
    (void)w, (void)n, (void)lambda;
    return 0.0;
}

void l1_subgrad_add(double *g, const double *w, int n, double lambda) {
    /* TODO(7.3, "L1 regularization and exact zeros"): add lambda * sign(w)
     * to g, with sign(0) = 0. */
    (void)g, (void)w, (void)n, (void)lambda;
}

void l1_prox(double *w, int n, double threshold) {
    /* TODO(7.3, "L1 regularization and exact zeros"): soft-threshold every
     * weight: move it threshold closer to 0, and to exactly 0 if it would
     * cross. */
    (void)w, (void)n, (void)threshold;
}

void dropout_forward(double *out, unsigned char *mask, const double *in,
                     int n, double p, Rng *rng, bool training) {
    /* TODO(7.5, "Dropout"): in training, one rng_uniform per unit in order;
     * drop the unit when it is < p, else keep it scaled by 1/(1-p). At
     * evaluation, copy in to out and draw nothing. */
    (void)in, (void)p, (void)rng, (void)training;
    for (int i = 0; i < n; i++) {
        out[i] = 0.0;
        if (mask) mask[i] = 0;
    }
}

void dropout_backward(double *grad_in, const unsigned char *mask,
                      const double *grad_out, int n, double p) {
    /* TODO(7.5, "Dropout"): the gradient flows through the kept units only,
     * with the same 1/(1-p) scale. */
    (void)mask, (void)grad_out, (void)p;
    for (int i = 0; i < n; i++)
        grad_in[i] = 0.0;
}

void early_stopping_init(EarlyStopping *es, int patience, double min_delta) {
    /* TODO(7.4, "Early stopping"): no evaluation seen yet; the best loss so
     * far is INFINITY, at evaluation -1. */
    (void)patience, (void)min_delta;
    memset(es, 0, sizeof *es);
}

bool early_stopping_update(EarlyStopping *es, double val_loss) {
    /* TODO(7.4, "Early stopping"): a new best resets the count of bad
     * evaluations; anything else increments it. Stop once it reaches the
     * patience. */
    (void)es, (void)val_loss;
    return false;
}

FitResult fit_train(double *w, const PolyData *train, const PolyData *val,
                    const FitConfig *cfg, double *train_curve,
                    double *val_curve) {
    /* TODO(7.1, "Overfitting"): the training loop of include/
     * regularization.h -- evaluate every eval_every steps (early stopping
     * included), take gd_steps on polyfit_mse_grad plus the penalty chosen
     * by cfg->reg, on w[1..] only. */
    (void)w, (void)train, (void)val, (void)cfg, (void)train_curve,
        (void)val_curve;
    FitResult res = {0, 0, 0};
    return res;
}

void backprop_linear_chain(double *norms, double *g, const double *W, int k,
                           int n) {
    /* TODO(7.6, "Vanishing and exploding gradients"): g <- W_t^T g for
     * t = k down to 1, recording ||g|| before and after each layer. */
    (void)g, (void)W, (void)n;
    for (int j = 0; j <= k; j++)
        norms[j] = 0.0;
}
