/* momentum.h: chapter 3, momentum -- the API that exercises/momentum.c
 * implements: the exponential-moving-average form, the heavy ball and
 * Nesterov's method, one step at a time and as whole runs. */
#ifndef MOMENTUM_H
#define MOMENTUM_H

#include "gd.h"

#include <stdbool.h>

//> config
/* The hyper-parameters of one momentum step. The same two numbers serve
 * all three methods; beta is the weight of the old velocity (0 <= beta < 1;
 * PyTorch calls it `momentum`, the literature often mu or gamma; this
 * course keeps mu for the smallest curvature, as in heavy_ball_tuned). */
typedef struct {
    double lr;   /* learning rate, > 0 */
    double beta; /* momentum coefficient, 0 <= beta < 1 */
} MomentumConfig;

/* The optimizer's memory: one velocity per coordinate. */
typedef struct {
    double *v; /* velocity [n], owned; starts at 0 */
    int n;     /* number of coordinates */
    long t;    /* steps taken so far */
} MomentumState;
//< config

//> lifecycle
/* Allocates s->v[n], all zero, and sets s->n = n, s->t = 0. Returns 0, or
 * -1 (with *s zeroed: v NULL, n 0, t 0) when n <= 0 or memory runs out. */
int momentum_init(MomentumState *s, int n);

/* Frees s->v and leaves s zeroed (v NULL, n 0, t 0), so that freeing twice
 * is harmless. */
void momentum_free(MomentumState *s);
//< lifecycle

//> steps
/* The three update rules, in place. Each is used between momentum_init
 * and momentum_free: init once, then one step per gradient, then free.
 * Each step takes grad[n], the gradient of the objective at the current
 * x[n] (n = s->n), increments s->t, updates s->v first and then x with
 * the NEW velocity. None allocates.
 *
 * EMA form (many tutorials):    v <- beta v + (1 - beta) g;  x <- x - lr v
 * Heavy ball (PyTorch's SGD):   v <- beta v + g;             x <- x - lr v
 * Nesterov (PyTorch's form):    v <- beta v + g;  x <- x - lr (g + beta v)
 *
 * Nesterov's method is usually written with the gradient at a look-ahead
 * point, x - lr beta v; nesterov_step follows PyTorch and stores that
 * look-ahead point as x instead, so it needs only the gradient at x: see
 * chapter 3, "Nesterov momentum". */
void momentum_ema_step(MomentumState *s, double *x, const double *grad,
                       const MomentumConfig *cfg);
void heavy_ball_step(MomentumState *s, double *x, const double *grad,
                     const MomentumConfig *cfg);
void nesterov_step(MomentumState *s, double *x, const double *grad,
                   const MomentumConfig *cfg);
//< steps

//> run
typedef enum {
    MOMENTUM_EMA,        /* momentum_ema_step */
    MOMENTUM_HEAVY_BALL, /* heavy_ball_step */
    MOMENTUM_NESTEROV    /* nesterov_step */
} MomentumMethod;

typedef struct {
    MomentumMethod method;
    MomentumConfig step; /* lr and beta */
    int max_steps;       /* stop after this many steps at most */
    double grad_tol;     /* stop, before stepping, once ||grad|| < grad_tol */
} MomentumRunConfig;

/* Runs cfg->method on obj from x (updated in place), with a velocity that
 * starts at 0, under gd_run's rules: each iteration evaluates the gradient
 * at x; if its Euclidean norm is below cfg->grad_tol the run has converged
 * and stops without stepping; otherwise it takes one step. Stops after
 * cfg->max_steps steps. Requires obj->n <= GRAD_CHECK_MAX_N.
 *
 * trajectory, when not NULL, holds room for (max_steps + 1) * n doubles and
 * receives x_0, x_1, ..., x_steps. *converged, when not NULL, says whether
 * the gradient test stopped the run. Returns the number of steps taken, or
 * -1 when the velocity could not be allocated (x is then unchanged). */
int momentum_run(double *x, const Objective *obj, const MomentumRunConfig *cfg,
                 double *trajectory, bool *converged);
//< run

//> tuned
/* The heavy ball tuned for a quadratic whose Hessian has its eigenvalues in
 * [mu, L], 0 < mu <= L (Polyak's choice):
 *     lr   = (2 / (sqrt(mu) + sqrt(L)))^2
 *     beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2
 * With them the error shrinks like ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^k,
 * kappa = L / mu, instead of gradient descent's ((kappa - 1)/(kappa + 1))^k. */
MomentumConfig heavy_ball_tuned(double mu, double L);
//< tuned

#endif /* MOMENTUM_H */
