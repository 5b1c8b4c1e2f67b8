/* gd.c: chapter 1, gradient descent -- reference solution. */
#include "gd.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

//> gd_step_impl
void gd_step(double *x, const double *grad, int n, double lr) {
    for (int i = 0; i < n; i++)
        x[i] -= lr * grad[i]; /* against the gradient: downhill */
}
//< gd_step_impl

static double norm2(const double *v, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += v[i] * v[i];
    return sqrt(sum);
}

static void record(double *trajectory, int index, const double *x, int n) {
    if (!trajectory) return;
    for (int i = 0; i < n; i++)
        trajectory[(size_t)index * (size_t)n + (size_t)i] = x[i];
}

//> gd_run_impl
int gd_run(double *x, const Objective *obj, const GdConfig *cfg,
           double *trajectory, bool *converged) {
    assert(obj->n > 0 && obj->n <= GRAD_CHECK_MAX_N);
    double grad[GRAD_CHECK_MAX_N];
    bool done = false;
    int steps = 0;
    record(trajectory, 0, x, obj->n);
    while (steps < cfg->max_steps) {
        obj->grad(grad, x, obj->ctx);
        if (norm2(grad, obj->n) < cfg->grad_tol) {
            done = true; /* flat enough: stop before stepping */
            break;
        }
        gd_step(x, grad, obj->n, cfg->lr);
        steps++;
        record(trajectory, steps, x, obj->n);
    }
    if (converged) *converged = done;
    return steps;
}
//< gd_run_impl

double rosenbrock(const double *x, void *ctx) {
    (void)ctx;
    double a = 1.0 - x[0];
    double b = x[1] - x[0] * x[0];
    return a * a + 100.0 * b * b;
}

void rosenbrock_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    double b = x[1] - x[0] * x[0];
    grad[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * b;
    grad[1] = 200.0 * b;
}

void grad_numeric(double *grad, ObjectiveFn f, void *ctx, double *x, int n,
                  double h) {
    for (int i = 0; i < n; i++) {
        double saved = x[i]; /* x + h - h need not give x back exactly */
        x[i] = saved + h;
        double f_plus = f(x, ctx);
        x[i] = saved - h;
        double f_minus = f(x, ctx);
        x[i] = saved;
        grad[i] = (f_plus - f_minus) / (2.0 * h);
    }
}

double grad_check(const Objective *obj, double *x, double h) {
    assert(obj->n > 0 && obj->n <= GRAD_CHECK_MAX_N);
    double analytic[GRAD_CHECK_MAX_N], numeric[GRAD_CHECK_MAX_N];
    obj->grad(analytic, x, obj->ctx);
    grad_numeric(numeric, obj->f, obj->ctx, x, obj->n, h);
    double worst = 0.0;
    for (int i = 0; i < obj->n; i++) {
        double a = fabs(analytic[i]), d = fabs(numeric[i]);
        double scale = fmax(fmax(a, d), 1.0);
        worst = fmax(worst, fabs(analytic[i] - numeric[i]) / scale);
    }
    return worst;
}
