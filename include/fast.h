/* fast.h: chapter 9, making it fast -- the API that exercises/fast.c
 * implements: the heavy ball, Adam, AdamW and the softmax cross-entropy of
 * chapters 3, 4 and 6, in float (float32), each in one pass over memory.
 *
 * The rules are those of momentum.h, adaptive.h and losses.h, and so are
 * the configurations (MomentumConfig, AdamConfig: their doubles are rounded
 * to float, or combined in double first, once per step). Only the storage
 * changes: every array is float, half the bytes of a double.
 *
 * Who owns what, and what may overlap. Every array a function takes has
 * its length in a size argument or in a field of the state (s->n); each
 * doc comment says which arrays are read, written, or both. The optimizer
 * steps require that x, g and the state's buffers do not overlap at all
 * (they are declared restrict where they are used); the loss allows its
 * gradient to be the very same array as the logits (in place), and no
 * other overlap. */
#ifndef FAST_H
#define FAST_H

#include "adaptive.h" /* AdamConfig, ADAM_DEFAULTS */
#include "momentum.h" /* MomentumConfig */

//> momentum
/* The heavy ball of chapter 3 (PyTorch's SGD with momentum), in float:
 *     v_i <- beta v_i + g_i;   x_i <- x_i - lr v_i                         */
typedef struct {
    float *v; /* [n] velocity, owned; starts at 0 */
    int n;    /* number of coordinates */
    long t;   /* steps taken so far */
} FastMomentumState;

/* Allocates s->v[n], all zero, and sets s->n = n, s->t = 0 (*s is written,
 * never read). Returns 0, or -1 (with *s zeroed) when n <= 0 or memory
 * runs out. */
int fast_momentum_init(FastMomentumState *s, int n);

/* One heavy-ball step, one pass: reads g[s->n] and *cfg; reads and writes
 * x[s->n], s->v[s->n] and s->t (incremented). x, g and s->v must not
 * overlap. */
void fast_heavy_ball_step(FastMomentumState *s, float *x, const float *g,
                          const MomentumConfig *cfg);

/* Frees s->v and leaves *s zeroed (read and written); freeing twice is
 * harmless. */
void fast_momentum_free(FastMomentumState *s);
//< momentum

//> adam
/* Adam and AdamW of chapter 4 (torch.optim.Adam and AdamW), in float. At
 * step t (t = 1 on the first step):
 *     g_i  = grad_i + weight_decay x_i       (adam only: an L2 term)
 *     x_i <- x_i - lr weight_decay x_i       (adamw only: decoupled)
 *     m_i <- beta1 m_i + (1 - beta1) g_i
 *     v_i <- beta2 v_i + (1 - beta2) g_i^2
 *     x_i <- x_i - lr (m_i / (1 - beta1^t)) / (sqrt(v_i / (1 - beta2^t)) + eps)
 * with eps outside the root, and AdamW's decay applied to the x at which
 * the gradient was taken, as in chapter 4. */
typedef struct {
    float *m; /* [n] first moment, owned; starts at 0 */
    float *v; /* [n] second moment, owned; starts at 0 */
    int n;    /* number of coordinates */
    long t;   /* steps taken so far */
} FastAdamState;

/* Allocates s->m[n] and s->v[n], all zero, and sets s->n = n, s->t = 0
 * (*s is written, never read). Returns 0, or -1 (with *s zeroed) when
 * n <= 0 or memory runs out. */
int fast_adam_init(FastAdamState *s, int n);

/* One Adam (L2 decay) or AdamW (decoupled decay) step, each in one pass:
 * reads grad[s->n] and *cfg; reads and writes x[s->n], s->m[s->n],
 * s->v[s->n] and s->t (incremented first). x, grad, s->m and s->v must not
 * overlap. Use one of the two for the whole life of a state. */
void fast_adam_step(FastAdamState *s, float *x, const float *grad,
                    const AdamConfig *cfg);
void fast_adamw_step(FastAdamState *s, float *x, const float *grad,
                     const AdamConfig *cfg);

/* Frees s->m and s->v and leaves *s zeroed (read and written); freeing
 * twice is harmless. */
void fast_adam_free(FastAdamState *s);
//< adam

//> xent
/* The softmax cross-entropy of chapter 6 (loss_softmax_xent), in float,
 * forward and backward in one pass over the logits. Row b of
 * logits[batch * classes] holds example b's class scores, labels[batch] its
 * class (0 <= labels[b] < classes). Returns the mean loss
 *     L = (1/batch) sum_b [ logsumexp(row b) - logits[b, labels[b]] ],
 * finite for logits of +-1000 and far beyond (shift by the row's max), as
 * long as no row spans more than a float holds (about 1e38).
 * grad_logits[batch * classes], when not NULL, is written (every entry,
 * never accumulated into) with dL/dlogits[b, c] = (p_b[c] - [c == y_b]) /
 * batch. logits[batch * classes] and labels[batch] are read only (unless
 * grad_logits is logits). grad_logits may be the same array as logits (the
 * gradient then replaces the logits, row by row), but must not overlap it
 * otherwise; labels overlaps neither. */
float fast_softmax_xent(float *grad_logits, const float *logits,
                        const int *labels, int batch, int classes);
//< xent

#endif /* FAST_H */
