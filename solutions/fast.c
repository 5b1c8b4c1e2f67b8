/* fast.c: chapter 9, making it fast -- reference solution. */
#include "fast.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fast_momentum_init(FastMomentumState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->v = calloc((size_t)n, sizeof *s->v);
    if (!s->v) return -1;
    s->n = n;
    return 0;
}

//> heavy_ball_impl
/* restrict on the parameters: the three arrays never overlap, so the loop
 * needs no run-time overlap test (and no scalar fallback). */
static void heavy_ball_pass(float *restrict x, float *restrict v,
                            const float *restrict g, int n, float lr,
                            float beta) {
    for (int i = 0; i < n; i++) {
        v[i] = beta * v[i] + g[i];
        x[i] -= lr * v[i];
    }
}

void fast_heavy_ball_step(FastMomentumState *s, float *x, const float *g,
                          const MomentumConfig *cfg) {
    s->t++;
    heavy_ball_pass(x, s->v, g, s->n, (float)cfg->lr, (float)cfg->beta);
}
//< heavy_ball_impl

void fast_momentum_free(FastMomentumState *s) {
    free(s->v);
    memset(s, 0, sizeof *s);
}

int fast_adam_init(FastAdamState *s, int n) {
    memset(s, 0, sizeof *s);
    if (n <= 0) return -1;
    s->m = calloc((size_t)n, sizeof *s->m);
    s->v = calloc((size_t)n, sizeof *s->v);
    if (!s->m || !s->v) {
        fast_adam_free(s);
        return -1;
    }
    s->n = n;
    return 0;
}

//> adam_impl
/* The one pass of Adam and AdamW over n coordinates. Per coordinate: l2 is
 * the L2 term added to the gradient (adam), decay the shrink factor
 * lr * weight_decay (adamw); step = lr / (1 - beta1^t) and inv_root =
 * 1 / sqrt(1 - beta2^t) fold the bias corrections into two scalars. */
typedef struct {
    float b1, c1, b2, c2; /* beta1, 1 - beta1, beta2, 1 - beta2 */
    float step, inv_root, eps, l2, decay;
} AdamScalars;

static void adam_pass(float *restrict x, float *restrict m,
                      float *restrict v, const float *restrict grad, int n,
                      AdamScalars k) {
    for (int i = 0; i < n; i++) {
        const float g = grad[i] + k.l2 * x[i];
        const float x_decayed = x[i] - k.decay * x[i]; /* the old x */
        m[i] = k.b1 * m[i] + k.c1 * g;
        v[i] = k.b2 * v[i] + k.c2 * g * g;
        x[i] = x_decayed - k.step * m[i] / (sqrtf(v[i]) * k.inv_root + k.eps);
    }
}

/* Once per step, in double: t, the bias corrections, the scalars. */
static AdamScalars adam_scalars(FastAdamState *s, const AdamConfig *cfg) {
    s->t++; /* before use: t = 1 on the first step */
    const double bc1 = 1.0 - pow(cfg->beta1, (double)s->t);
    const double bc2 = 1.0 - pow(cfg->beta2, (double)s->t);
    return (AdamScalars){
        .b1 = (float)cfg->beta1, .c1 = (float)(1.0 - cfg->beta1),
        .b2 = (float)cfg->beta2, .c2 = (float)(1.0 - cfg->beta2),
        .step = (float)(cfg->lr / bc1), .inv_root = (float)(1.0 / sqrt(bc2)),
        .eps = (float)cfg->eps};
}

void fast_adam_step(FastAdamState *s, float *x, const float *grad,
                    const AdamConfig *cfg) {
    AdamScalars k = adam_scalars(s, cfg);
    k.l2 = (float)cfg->weight_decay; /* L2: through the moments */
    adam_pass(x, s->m, s->v, grad, s->n, k);
}

void fast_adamw_step(FastAdamState *s, float *x, const float *grad,
                     const AdamConfig *cfg) {
    AdamScalars k = adam_scalars(s, cfg);
    k.decay = (float)(cfg->lr * cfg->weight_decay); /* decoupled */
    adam_pass(x, s->m, s->v, grad, s->n, k);
}
//< adam_impl

void fast_adam_free(FastAdamState *s) {
    free(s->m);
    free(s->v);
    memset(s, 0, sizeof *s);
}

//> xent_impl
/* LANES partial sums at a time: a float sum is a chain of additions that
 * the compiler may not reorder, so the row is cut into LANES interleaved
 * chains that run side by side in vector registers. */
enum { LANES = 16 };

/* e^x for x <= 0, as Cephes' expf computes it (Moshier): x = k ln 2 + r
 * with |r| <= ln 2 / 2, a degree-7 polynomial for e^r, and 2^k made from
 * its bits. Within 1 ulp of e^x from -87 to 0 (0 further down); no call,
 * so the loop vectorises. */
static inline float exp_nonpositive(float x) {
    const float k = (float)(int)(x * 1.44269504f - 0.5f); /* round(x/ln 2) */
    const float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t biased = (int32_t)k + 127; /* the exponent field of 2^k */
    biased = biased < 0 ? 0 : biased;  /* e^x < 2^-126: 0 will do */
    const int32_t bits = biased * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* Floats order as the integers of their bits once the negative ones have
 * their other 31 bits flipped (the key is its own inverse). The compiler
 * vectorises a max of integers, but not of floats: their max must keep
 * NaN and -0 rules that -O3 alone may not bend. */
static int32_t order_key(int32_t bits) {
    return bits ^ ((bits >> 31) & INT32_MAX);
}

static float row_max(const float *z, int n) {
    int32_t best = INT32_MIN;
    for (int c = 0; c < n; c++) {
        int32_t bits;
        memcpy(&bits, &z[c], sizeof bits);
        const int32_t key = order_key(bits);
        best = key > best ? key : best;
    }
    const int32_t bits = order_key(best);
    float max;
    memcpy(&max, &bits, sizeof max);
    return max;
}

/* The sum of z[0..n), in LANES chains. */
static float row_sum(const float *z, int n) {
    float part[LANES] = {0};
    int c = 0;
    for (; c + LANES <= n; c += LANES)
        for (int l = 0; l < LANES; l++)
            part[l] += z[c + l];
    float sum = 0.0f;
    for (int l = 0; l < LANES; l++)
        sum += part[l];
    for (; c < n; c++)
        sum += z[c];
    return sum;
}

/* out[c] = e^(z[c] - max), c < n. out may be z: each entry is read before
 * it is written. */
static void exp_shifted(float *out, const float *z, float max, int n) {
    for (int c = 0; c < n; c++)
        out[c] = exp_nonpositive(z[c] - max);
}

float fast_softmax_xent(float *grad_logits, const float *logits,
                        const int *labels, int batch, int classes) {
    assert(batch >= 1 && classes >= 1);
    double total = 0.0; /* batch terms: one per row, summed in double */
    for (int b = 0; b < batch; b++) {
        const float *z = logits + (size_t)b * (size_t)classes; /* [classes] */
        const int y = labels[b];
        assert(y >= 0 && y < classes);
        const float max = row_max(z, classes);
        const float zy = z[y]; /* before the row may be overwritten */
        if (!grad_logits) { /* the loss alone: one chain, no vectors */
            float sum = 0.0f;
            for (int c = 0; c < classes; c++)
                sum += exp_nonpositive(z[c] - max);
            total += logf(sum) + (max - zy);
            continue;
        }
        float *g = grad_logits + (size_t)b * (size_t)classes; /* [classes] */
        exp_shifted(g, z, max, classes); /* the row stays in L1 from here */
        const float sum = row_sum(g, classes);
        total += logf(sum) + (max - zy);
        const float scale = 1.0f / (sum * (float)batch); /* p / batch */
        for (int c = 0; c < classes; c++)
            g[c] *= scale;
        g[y] -= 1.0f / (float)batch;
    }
    return (float)(total / batch);
}
//< xent_impl
