/* momentum.c: chapter 3, momentum -- reference solution. */
#include "momentum.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

int momentum_init(MomentumState *s, int n) {
    s->v = n > 0 ? calloc((size_t)n, sizeof *s->v) : NULL; /* v_0 = 0 */
    s->n = s->v ? n : 0;
    s->t = 0;
    return s->v ? 0 : -1;
}

void momentum_free(MomentumState *s) {
    free(s->v);
    s->v = NULL;
    s->n = 0;
    s->t = 0;
}

void momentum_ema_step(MomentumState *s, double *x, const double *grad,
                       const MomentumConfig *cfg) {
    s->t++;
    for (int i = 0; i < s->n; i++) {
        /* a weighted average of the old velocity and the new gradient */
        s->v[i] = cfg->beta * s->v[i] + (1.0 - cfg->beta) * grad[i];
        x[i] -= cfg->lr * s->v[i];
    }
}

void heavy_ball_step(MomentumState *s, double *x, const double *grad,
                     const MomentumConfig *cfg) {
    s->t++;
    for (int i = 0; i < s->n; i++) {
        s->v[i] = cfg->beta * s->v[i] + grad[i]; /* a sum, not an average */
        x[i] -= cfg->lr * s->v[i];
    }
}

void nesterov_step(MomentumState *s, double *x, const double *grad,
                   const MomentumConfig *cfg) {
    s->t++;
    for (int i = 0; i < s->n; i++) {
        s->v[i] = cfg->beta * s->v[i] + grad[i];
        /* x is the look-ahead point: it moves by the gradient plus the
         * next velocity's share, beta v, that the ball will coast anyway */
        x[i] -= cfg->lr * (grad[i] + cfg->beta * s->v[i]);
    }
}

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

int momentum_run(double *x, const Objective *obj, const MomentumRunConfig *cfg,
                 double *trajectory, bool *converged) {
    assert(obj->n > 0 && obj->n <= GRAD_CHECK_MAX_N);
    MomentumState s;
    if (momentum_init(&s, obj->n) != 0) {
        if (converged) *converged = false;
        return -1;
    }
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
        switch (cfg->method) {
        case MOMENTUM_EMA:
            momentum_ema_step(&s, x, grad, &cfg->step);
            break;
        case MOMENTUM_HEAVY_BALL:
            heavy_ball_step(&s, x, grad, &cfg->step);
            break;
        case MOMENTUM_NESTEROV:
            nesterov_step(&s, x, grad, &cfg->step);
            break;
        }
        steps++;
        record(trajectory, steps, x, obj->n);
    }
    momentum_free(&s);
    if (converged) *converged = done;
    return steps;
}

MomentumConfig heavy_ball_tuned(double mu, double L) {
    assert(0.0 < mu && mu <= L);
    double a = sqrt(mu), b = sqrt(L);
    double lr = 2.0 / (a + b), ratio = (b - a) / (b + a);
    return (MomentumConfig){.lr = lr * lr, .beta = ratio * ratio};
}
