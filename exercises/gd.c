/* gd.c: chapter 1, gradient descent -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/gd.h and the math in
 * chapters/01-gd.md. `make grade CH=01` grades this file; `make run CH=01`
 * runs the chapter's demo on it. */
#include "gd.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

void gd_step(double *x, const double *grad, int n, double lr) {
    /* TODO(1.2, "The update rule"): move every x[i] against its gradient,
     * scaled by the learning rate. */
    (void)x, (void)grad, (void)n, (void)lr;
}

int gd_run(double *x, const Objective *obj, const GdConfig *cfg,
           double *trajectory, bool *converged) {
    /* TODO(1.5, "Running to convergence"): record x_0; then, up to
     * cfg->max_steps times, evaluate the gradient, stop if its norm is below
     * cfg->grad_tol, else take a gd_step and record the new point. */
    (void)x, (void)obj, (void)cfg, (void)trajectory;
    if (converged) *converged = false;
    return 0;
}

double rosenbrock(const double *x, void *ctx) {
    /* TODO(1.6, "A harder valley"): (1 - x)^2 + 100 (y - x^2)^2. */
    (void)x, (void)ctx;
    return 0.0;
}

void rosenbrock_grad(double *grad, const double *x, void *ctx) {
    /* TODO(1.6, "A harder valley"): both partial derivatives. */
    (void)x, (void)ctx;
    grad[0] = grad[1] = 0.0;
}

void grad_numeric(double *grad, ObjectiveFn f, void *ctx, double *x, int n,
                  double h) {
    /* TODO(1.7, "Checking gradients numerically"): central differences,
     * one coordinate at a time; give x back exactly as it came. */
    (void)f, (void)ctx, (void)x, (void)h;
    for (int i = 0; i < n; i++)
        grad[i] = 0.0;
}

double grad_check(const Objective *obj, double *x, double h) {
    /* TODO(1.7, "Checking gradients numerically"): the largest relative
     * error between obj->grad and grad_numeric, as include/gd.h defines it.
     */
    (void)obj, (void)x, (void)h;
    return -1.0;
}
