/* momentum.c: chapter 3, momentum -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/momentum.h and the math in
 * chapters/03-momentum.md. `make grade CH=03` grades this file; `make run
 * CH=03` runs the chapter's demo on it. */
#include "momentum.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

int momentum_init(MomentumState *s, int n) {
    /* TODO(3.5, "Running momentum"): allocate s->v[n], every velocity 0
     * (the ball starts at rest); set s->n and s->t. On failure, or when
     * n <= 0, leave *s zeroed and return -1. */
    (void)n;
    s->v = NULL;
    s->n = 0;
    s->t = 0;
    return -1;
}

void momentum_free(MomentumState *s) {
    /* TODO(3.5, "Running momentum"): free the velocity and zero *s. */
    (void)s;
}

void momentum_ema_step(MomentumState *s, double *x, const double *grad,
                       const MomentumConfig *cfg) {
    /* TODO(3.2, "The moving-average form"): v <- beta v + (1 - beta) g,
     * then x <- x - lr v with the new v; count the step. */
    (void)s, (void)x, (void)grad, (void)cfg;
}

void heavy_ball_step(MomentumState *s, double *x, const double *grad,
                     const MomentumConfig *cfg) {
    /* TODO(3.3, "The heavy ball"): v <- beta v + g, then x <- x - lr v;
     * count the step. */
    (void)s, (void)x, (void)grad, (void)cfg;
}

void nesterov_step(MomentumState *s, double *x, const double *grad,
                   const MomentumConfig *cfg) {
    /* TODO(3.4, "Nesterov momentum"): v <- beta v + g, then
     * x <- x - lr (g + beta v) with the new v; count the step. */
    (void)s, (void)x, (void)grad, (void)cfg;
}

int momentum_run(double *x, const Objective *obj, const MomentumRunConfig *cfg,
                 double *trajectory, bool *converged) {
    /* TODO(3.5, "Running momentum"): gd_run's loop (chapter 1) with a
     * velocity: momentum_init, record x_0, then up to cfg->max_steps times
     * evaluate the gradient, stop if its norm is below cfg->grad_tol, else
     * take one step of cfg->method and record the new point; momentum_free.
     */
    (void)x, (void)obj, (void)cfg, (void)trajectory;
    if (converged) *converged = false;
    return 0;
}

MomentumConfig heavy_ball_tuned(double mu, double L) {
    /* TODO(3.8, "Why momentum wins"): Polyak's learning rate and momentum
     * for eigenvalues in [mu, L]. */
    (void)mu, (void)L;
    return (MomentumConfig){.lr = 0.0, .beta = 0.0};
}
