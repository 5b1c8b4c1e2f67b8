/* adaptive.c: chapter 4, adaptive methods -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/adaptive.h and the math
 * in chapters/04-adaptive.md. `make grade CH=04` grades this file; `make
 * run CH=04` runs the chapter's demo on it. Every init must leave *s zeroed
 * when it fails; every step increments s->t before using it; every free
 * leaves *s zeroed. */
#include "adaptive.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Adagrad ---------------------------------------------------------- */

int adagrad_init(AdagradState *s, int n) {
    /* TODO(4.2, "Adagrad"): allocate sum_sq[n] filled with zeros, set n and
     * t = 0; return -1 (with *s zeroed) if n <= 0 or calloc fails. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void adagrad_step(AdagradState *s, double *x, const double *g,
                  const AdagradConfig *cfg) {
    /* TODO(4.2, "Adagrad"): count the step, add g_i^2 to the running sum,
     * then move x_i by lr * g_i / (sqrt(sum) + eps). */
    (void)s, (void)x, (void)g, (void)cfg;
}

void adagrad_free(AdagradState *s) {
    /* TODO(4.2, "Adagrad"): free the buffer and zero the struct. */
    (void)s;
}

/* ---- RMSprop ---------------------------------------------------------- */

int rmsprop_init(RmspropState *s, int n) {
    /* TODO(4.3, "RMSprop"): v[n] all zero, n, t = 0; -1 on failure. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void rmsprop_step(RmspropState *s, double *x, const double *g,
                  const RmspropConfig *cfg) {
    /* TODO(4.3, "RMSprop"): count the step, update the moving average of
     * g_i^2, then move x_i by lr * g_i / (sqrt(v_i) + eps). */
    (void)s, (void)x, (void)g, (void)cfg;
}

void rmsprop_free(RmspropState *s) {
    /* TODO(4.3, "RMSprop"): free the buffer and zero the struct. */
    (void)s;
}

/* ---- Adam, AdamW, AMSGrad --------------------------------------------- */

int adam_init(AdamState *s, int n) {
    /* TODO(4.4, "Adam"): m, v and v_max, each [n] and all zero, n, t = 0;
     * -1 (with *s zeroed and nothing leaked) on failure. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void adam_step(AdamState *s, double *x, const double *g,
               const AdamConfig *cfg) {
    /* TODO(4.4, "Adam"): increment t first; add weight_decay * x_i to the
     * gradient; update m and v; bias-correct both; move x_i by
     * lr * mhat / (sqrt(vhat) + eps). */
    (void)s, (void)x, (void)g, (void)cfg;
}

void adamw_step(AdamState *s, double *x, const double *g,
                const AdamConfig *cfg) {
    /* TODO(4.6, "AdamW and decoupled weight decay"): shrink x_i by
     * lr * weight_decay * x_i, then an Adam step on g with no L2 term. */
    (void)s, (void)x, (void)g, (void)cfg;
}

void amsgrad_step(AdamState *s, double *x, const double *g,
                  const AdamConfig *cfg) {
    /* TODO(4.7, "AMSGrad"): Adam, with v_max_i = max(v_max_i, v_i) in
     * place of v_i in the denominator (bias-corrected the same way). */
    (void)s, (void)x, (void)g, (void)cfg;
}

void adam_free(AdamState *s) {
    /* TODO(4.4, "Adam"): free the three buffers and zero the struct. */
    (void)s;
}

/* ---- Adadelta --------------------------------------------------------- */

int adadelta_init(AdadeltaState *s, int n) {
    /* TODO(4.8, "Adadelta"): v[n] and u[n] all zero, n, t = 0; -1 on
     * failure. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void adadelta_step(AdadeltaState *s, double *x, const double *g,
                   const AdadeltaConfig *cfg) {
    /* TODO(4.8, "Adadelta"): update v, compute the step d_i with eps
     * inside both roots, update u with d_i^2, move x_i by lr * d_i. */
    (void)s, (void)x, (void)g, (void)cfg;
}

void adadelta_free(AdadeltaState *s) {
    /* TODO(4.8, "Adadelta"): free both buffers and zero the struct. */
    (void)s;
}
