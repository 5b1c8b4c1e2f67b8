/* adaptive.c: chapter 4, adaptive methods -- reference solution. */
#include "adaptive.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Adagrad ---------------------------------------------------------- */

int adagrad_init(AdagradState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->sum_sq = calloc((size_t)n, sizeof *s->sum_sq);
    if (!s->sum_sq) return -1;
    s->n = n;
    return 0;
}

void adagrad_step(AdagradState *s, double *x, const double *g,
                  const AdagradConfig *cfg) {
    assert(s->sum_sq && s->n > 0);
    s->t++;
    for (int i = 0; i < s->n; i++) {
        s->sum_sq[i] += g[i] * g[i];
        /* the step shrinks as 1/sqrt(total squared gradient) */
        x[i] -= cfg->lr * g[i] / (sqrt(s->sum_sq[i]) + cfg->eps);
    }
}

void adagrad_free(AdagradState *s) {
    free(s->sum_sq);
    memset(s, 0, sizeof *s);
}

/* ---- RMSprop ---------------------------------------------------------- */

int rmsprop_init(RmspropState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->v = calloc((size_t)n, sizeof *s->v);
    if (!s->v) return -1;
    s->n = n;
    return 0;
}

void rmsprop_step(RmspropState *s, double *x, const double *g,
                  const RmspropConfig *cfg) {
    assert(s->v && s->n > 0);
    s->t++;
    for (int i = 0; i < s->n; i++) {
        /* an average, not a sum: the step size can grow back */
        s->v[i] = cfg->beta * s->v[i] + (1.0 - cfg->beta) * g[i] * g[i];
        x[i] -= cfg->lr * g[i] / (sqrt(s->v[i]) + cfg->eps);
    }
}

void rmsprop_free(RmspropState *s) {
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- Adam, AdamW, AMSGrad --------------------------------------------- */

int adam_init(AdamState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->m = calloc((size_t)n, sizeof *s->m);
    s->v = calloc((size_t)n, sizeof *s->v);
    s->v_max = calloc((size_t)n, sizeof *s->v_max);
    if (!s->m || !s->v || !s->v_max) {
        adam_free(s);
        return -1;
    }
    s->n = n;
    return 0;
}

/* The update all three share. l2 is the weight of the L2 term added to the
 * gradient (0 for AdamW, whose decay the caller has already applied). */
static void adam_update(AdamState *s, double *x, const double *g,
                        const AdamConfig *cfg, double l2, int amsgrad) {
    assert(s->m && s->v && s->v_max && s->n > 0);
    s->t++; /* before use: t = 1 on the first step, so 1 - beta^t > 0 */
    const double bc1 = 1.0 - pow(cfg->beta1, (double)s->t);
    const double bc2 = 1.0 - pow(cfg->beta2, (double)s->t);
    for (int i = 0; i < s->n; i++) {
        const double gi = g[i] + l2 * x[i];
        s->m[i] = cfg->beta1 * s->m[i] + (1.0 - cfg->beta1) * gi;
        s->v[i] = cfg->beta2 * s->v[i] + (1.0 - cfg->beta2) * gi * gi;
        double v = s->v[i];
        if (amsgrad) {
            /* the max of the raw v, bias-corrected below, as PyTorch */
            s->v_max[i] = fmax(s->v_max[i], s->v[i]);
            v = s->v_max[i];
        }
        /* undo the pull towards 0 of moments that started at 0 */
        const double m_hat = s->m[i] / bc1;
        const double v_hat = v / bc2;
        x[i] -= cfg->lr * m_hat / (sqrt(v_hat) + cfg->eps);
    }
}

void adam_step(AdamState *s, double *x, const double *g,
               const AdamConfig *cfg) {
    adam_update(s, x, g, cfg, cfg->weight_decay, 0);
}

void adamw_step(AdamState *s, double *x, const double *g,
                const AdamConfig *cfg) {
    /* decoupled: shrink x itself; the decay never enters m or v */
    for (int i = 0; i < s->n; i++)
        x[i] -= cfg->lr * cfg->weight_decay * x[i];
    adam_update(s, x, g, cfg, 0.0, 0);
}

void amsgrad_step(AdamState *s, double *x, const double *g,
                  const AdamConfig *cfg) {
    adam_update(s, x, g, cfg, cfg->weight_decay, 1);
}

void adam_free(AdamState *s) {
    free(s->m);
    free(s->v);
    free(s->v_max);
    memset(s, 0, sizeof *s);
}

/* ---- Adadelta --------------------------------------------------------- */

int adadelta_init(AdadeltaState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->v = calloc((size_t)n, sizeof *s->v);
    s->u = calloc((size_t)n, sizeof *s->u);
    if (!s->v || !s->u) {
        adadelta_free(s);
        return -1;
    }
    s->n = n;
    return 0;
}

void adadelta_step(AdadeltaState *s, double *x, const double *g,
                   const AdadeltaConfig *cfg) {
    assert(s->v && s->u && s->n > 0);
    s->t++;
    for (int i = 0; i < s->n; i++) {
        s->v[i] = cfg->rho * s->v[i] + (1.0 - cfg->rho) * g[i] * g[i];
        /* RMS of past steps over RMS of gradients: units of x */
        const double d =
            sqrt(s->u[i] + cfg->eps) / sqrt(s->v[i] + cfg->eps) * g[i];
        s->u[i] = cfg->rho * s->u[i] + (1.0 - cfg->rho) * d * d;
        x[i] -= cfg->lr * d;
    }
}

void adadelta_free(AdadeltaState *s) {
    free(s->v);
    free(s->u);
    memset(s, 0, sizeof *s);
}
