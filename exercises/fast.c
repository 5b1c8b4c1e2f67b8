/* fast.c: chapter 9, making it fast -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/fast.h and the math in
 * chapters/09-fast.md (and chapters 3, 4 and 6, whose rules these are).
 * `make grade CH=09` grades this file for correctness only; `make run
 * CH=09` runs the chapter's demo on it. Speed is never graded: measure it
 * yourself, e.g. by building the demo with the flags of section 9.4. */
#include "fast.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fast_momentum_init(FastMomentumState *s, int n) {
    /* TODO(9.3, "One pass over memory"): v[n] all zero, n, t = 0; return
     * -1 (with *s zeroed) if n <= 0 or calloc fails. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void fast_heavy_ball_step(FastMomentumState *s, float *x, const float *g,
                          const MomentumConfig *cfg) {
    /* TODO(9.3, "One pass over memory"): count the step; then, in one loop,
     * v_i <- beta v_i + g_i and x_i <- x_i - lr v_i, in float. */
    (void)s, (void)x, (void)g, (void)cfg;
}

void fast_momentum_free(FastMomentumState *s) {
    /* TODO(9.3, "One pass over memory"): free v and zero the struct. */
    (void)s;
}

int fast_adam_init(FastAdamState *s, int n) {
    /* TODO(9.3, "One pass over memory"): m[n] and v[n] all zero, n, t = 0;
     * -1 (with *s zeroed) on failure. */
    (void)n;
    memset(s, 0, sizeof *s);
    return -1;
}

void fast_adam_step(FastAdamState *s, float *x, const float *grad,
                    const AdamConfig *cfg) {
    /* TODO(9.3, "One pass over memory"): count the step, compute the bias
     * corrections once (in double), then one loop over the coordinates:
     * the L2 term, both moments, and the step with eps outside the root. */
    (void)s, (void)x, (void)grad, (void)cfg;
}

void fast_adamw_step(FastAdamState *s, float *x, const float *grad,
                     const AdamConfig *cfg) {
    /* TODO(9.3, "One pass over memory"): as fast_adam_step, with the
     * decoupled decay of the old x in the same loop instead of the L2
     * term. */
    (void)s, (void)x, (void)grad, (void)cfg;
}

void fast_adam_free(FastAdamState *s) {
    /* TODO(9.3, "One pass over memory"): free m and v, zero the struct. */
    (void)s;
}

float fast_softmax_xent(float *grad_logits, const float *logits,
                        const int *labels, int batch, int classes) {
    /* TODO(9.5, "A softmax that vectorises"): for each row, its max, the
     * exponentials of the shifted logits and their sum (kept in
     * grad_logits when it is not NULL), the row's loss, then the gradient
     * (p - onehot) / batch. Remember that grad_logits may be logits. */
    (void)logits, (void)labels, (void)classes;
    if (grad_logits)
        for (long i = 0; i < (long)batch * classes; i++)
            grad_logits[i] = 0.0f;
    return 0.0f;
}
