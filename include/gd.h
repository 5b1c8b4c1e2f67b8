/* gd.h: chapter 1, gradient descent -- the API that exercises/gd.c
 * implements and that every later chapter builds on. */
#ifndef GD_H
#define GD_H

#include <stdbool.h>

//> objective
/* A differentiable function f: R^n -> R, given as its value and its
 * gradient. ctx carries the function's own data (a data set, a matrix...). */
typedef double (*ObjectiveFn)(const double *x, void *ctx);
typedef void (*GradientFn)(double *grad, const double *x, void *ctx);

typedef struct {
    ObjectiveFn f;   /* f(x) */
    GradientFn grad; /* grad[0..n) = df/dx at x */
    void *ctx;       /* passed to both; may be NULL */
    int n;           /* number of variables */
} Objective;
//< objective

//> gd_step
/* One gradient-descent step, in place: x <- x - lr * grad.
 * x[n] is updated; grad[n] is the gradient at the old x. */
void gd_step(double *x, const double *grad, int n, double lr);
//< gd_step

//> gd_run
typedef struct {
    double lr;       /* learning rate (step size), > 0 */
    int max_steps;   /* stop after this many steps at most */
    double grad_tol; /* stop, before stepping, once ||grad|| < grad_tol */
} GdConfig;

/* Runs gradient descent on obj from x (updated in place). Each iteration
 * evaluates the gradient at x; if its Euclidean norm is below
 * cfg->grad_tol, the run has converged and stops without stepping;
 * otherwise it takes one gd_step. Stops after cfg->max_steps steps.
 *
 * trajectory, when not NULL, holds room for (max_steps + 1) * n doubles and
 * receives x_0, x_1, ..., x_steps, one point of n coordinates after another.
 * *converged, when not NULL, says whether the gradient test stopped the run.
 * Returns the number of steps taken. */
int gd_run(double *x, const Objective *obj, const GdConfig *cfg,
           double *trajectory, bool *converged);
//< gd_run

//> rosenbrock
/* The Rosenbrock function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 and its
 * gradient; x[2] = (x, y). The minimum is f(1, 1) = 0, at the end of a
 * long, curved, flat-bottomed valley. ctx is unused. */
double rosenbrock(const double *x, void *ctx);
void rosenbrock_grad(double *grad, const double *x, void *ctx);
//< rosenbrock

//> grad_check
/* The central-difference estimate of the gradient of f at x, with step h:
 * grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h). x[n] is perturbed one
 * coordinate at a time and restored exactly before return. */
void grad_numeric(double *grad, ObjectiveFn f, void *ctx, double *x, int n,
                  double h);

/* Compares obj->grad with grad_numeric at x and returns the largest
 * relative error over the coordinates, |a_i - d_i| / max(|a_i|, |d_i|, 1),
 * where a is the analytic and d the numerical gradient. Around 1e-7 or
 * less means the analytic gradient is right; 1e-2 or more means a bug.
 * Requires obj->n <= GRAD_CHECK_MAX_N. */
#define GRAD_CHECK_MAX_N 1024
double grad_check(const Objective *obj, double *x, double h);
//< grad_check

#endif /* GD_H */
