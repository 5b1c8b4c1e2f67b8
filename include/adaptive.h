/* adaptive.h: chapter 4, adaptive methods -- the API that
 * exercises/adaptive.c implements: Adagrad, RMSprop, Adam, AdamW, AMSGrad
 * and Adadelta, each of which gives every coordinate a step size of its own,
 * learned from the gradients seen so far. The capstone (chapter 8) trains
 * its classifier with these.
 *
 * Every optimizer has the same life cycle:
 *
 *     AdamState s;
 *     if (adam_init(&s, n) != 0) { ... out of memory or n <= 0 ... }
 *     const AdamConfig cfg = ADAM_DEFAULTS;    // or your own settings
 *     for (...) {
 *         obj.grad(g, x, obj.ctx);              // g[n] at the current x
 *         adam_step(&s, x, g, &cfg);            // x[n] updated in place
 *     }
 *     adam_free(&s);
 *
 * init allocates the state's buffers (all zero) and sets the step counter
 * t = 0; step never allocates, and increments t *before* using it, so the
 * first step runs with t = 1; free releases the buffers and leaves the
 * struct zeroed, so that freeing twice is harmless. The configuration may
 * change between steps (a learning-rate schedule, chapter 5). */
#ifndef ADAPTIVE_H
#define ADAPTIVE_H

//> adagrad
/* Adagrad (Duchi, Hazan and Singer, 2011):
 *     s_i <- s_i + g_i^2
 *     x_i <- x_i - lr * g_i / (sqrt(s_i) + eps)                              */
typedef struct {
    double lr;  /* base step size, > 0 */
    double eps; /* added to sqrt(s_i), outside the root; >= 0 */
} AdagradConfig;

/* PyTorch's defaults (torch.optim.Adagrad). */
#define ADAGRAD_DEFAULTS {.lr = 1e-2, .eps = 1e-10}

typedef struct {
    double *sum_sq; /* [n] s_i: the sum of every g_i^2 so far */
    int n;          /* number of coordinates */
    long t;         /* steps taken so far */
} AdagradState;

/* Allocates s->sum_sq[n], all zero, and sets t = 0. Returns 0, or -1 (with
 * *s zeroed) when n <= 0 or memory runs out. */
int adagrad_init(AdagradState *s, int n);

/* One Adagrad step: x[s->n] is updated in place from its gradient g[s->n]. */
void adagrad_step(AdagradState *s, double *x, const double *g,
                  const AdagradConfig *cfg);

/* Releases the buffers and zeroes *s. */
void adagrad_free(AdagradState *s);
//< adagrad

//> rmsprop
/* RMSprop (Hinton, Coursera lecture 6e, 2012): an exponential moving
 * average of g^2 in place of Adagrad's sum, so old gradients are forgotten.
 *     v_i <- beta * v_i + (1 - beta) * g_i^2
 *     x_i <- x_i - lr * g_i / (sqrt(v_i) + eps)
 * No bias correction: v starts at 0, so the first steps are long (the very
 * first is lr / sqrt(1 - beta), ten times lr at beta = 0.99). */
typedef struct {
    double lr;   /* base step size, > 0 */
    double beta; /* decay of the average, in [0, 1); PyTorch calls it alpha */
    double eps;  /* added to sqrt(v_i), outside the root; >= 0 */
} RmspropConfig;

/* PyTorch's defaults (torch.optim.RMSprop). */
#define RMSPROP_DEFAULTS {.lr = 1e-2, .beta = 0.99, .eps = 1e-8}

typedef struct {
    double *v; /* [n] the moving average of g_i^2 */
    int n;     /* number of coordinates */
    long t;    /* steps taken so far */
} RmspropState;

/* Allocates s->v[n], all zero, and sets t = 0. Returns 0, or -1 (with *s
 * zeroed) when n <= 0 or memory runs out. */
int rmsprop_init(RmspropState *s, int n);

/* One RMSprop step on x[s->n], given its gradient g[s->n]. */
void rmsprop_step(RmspropState *s, double *x, const double *g,
                  const RmspropConfig *cfg);

/* Releases the buffer and zeroes *s. */
void rmsprop_free(RmspropState *s);
//< rmsprop

//> adam
/* Adam (Kingma and Ba, 2015), as torch.optim.Adam computes it. At step t
 * (t = 1 on the first step), with g_i the gradient plus weight_decay * x_i:
 *     m_i <- beta1 * m_i + (1 - beta1) * g_i          first moment
 *     v_i <- beta2 * v_i + (1 - beta2) * g_i^2        second moment
 *     mhat_i = m_i / (1 - beta1^t)                     bias corrections
 *     vhat_i = v_i / (1 - beta2^t)
 *     x_i <- x_i - lr * mhat_i / (sqrt(vhat_i) + eps)  eps outside the root
 * weight_decay here is an L2 penalty (weight_decay/2) * ||x||^2 added to
 * the loss, whose gradient flows through m and v; adamw_step uses the same
 * field for decoupled decay instead. */
typedef struct {
    double lr;           /* step size, > 0: each step moves about lr */
    double beta1;        /* decay of the first moment, in [0, 1) */
    double beta2;        /* decay of the second moment, in [0, 1) */
    double eps;          /* added to sqrt(vhat_i), outside the root; >= 0 */
    double weight_decay; /* L2 in adam_step, decoupled in adamw_step; >= 0 */
} AdamConfig;

/* PyTorch's defaults (torch.optim.Adam; AdamW's default decay is 1e-2). */
#define ADAM_DEFAULTS                                                         \
    {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,                   \
     .weight_decay = 0.0}

/* Shared by adam_step, adamw_step and amsgrad_step; use one of them for
 * the whole life of a state. */
typedef struct {
    double *m;     /* [n] first moment: moving average of g */
    double *v;     /* [n] second moment: moving average of g^2 */
    double *v_max; /* [n] largest v so far (amsgrad_step only) */
    int n;         /* number of coordinates */
    long t;        /* steps taken so far */
} AdamState;

/* Allocates m, v and v_max, each [n] and all zero, and sets t = 0.
 * Returns 0, or -1 (with *s zeroed) when n <= 0 or memory runs out. */
int adam_init(AdamState *s, int n);

/* One Adam step on x[s->n], given its gradient g[s->n]; cfg->weight_decay,
 * when not 0, is added to the gradient as an L2 term. */
void adam_step(AdamState *s, double *x, const double *g,
               const AdamConfig *cfg);

/* Releases the buffers and zeroes *s. */
void adam_free(AdamState *s);
//< adam

//> adamw
/* AdamW (Loshchilov and Hutter, 2019), as torch.optim.AdamW computes it:
 * decoupled weight decay shrinks x directly, outside Adam's moments,
 *     x_i <- x_i - lr * weight_decay * x_i
 * and then takes the Adam step above on the plain gradient g (no L2 term).
 * The decay uses the x at which g was computed. */
void adamw_step(AdamState *s, double *x, const double *g,
                const AdamConfig *cfg);
//< adamw

//> amsgrad
/* AMSGrad (Reddi, Kale and Kumar, 2018), as torch.optim.Adam(amsgrad=True)
 * computes it: Adam, with the largest second moment seen so far in the
 * denominator, so that no coordinate's step size can grow back:
 *     v_max_i <- max(v_max_i, v_i)
 *     x_i <- x_i - lr * mhat_i / (sqrt(v_max_i / (1 - beta2^t)) + eps)
 * cfg->weight_decay is an L2 term, as in adam_step. */
void amsgrad_step(AdamState *s, double *x, const double *g,
                  const AdamConfig *cfg);
//< amsgrad

//> adadelta
/* Adadelta (Zeiler, 2012), as torch.optim.Adadelta computes it: the step's
 * units come from a moving average of past squared steps, not from lr.
 *     v_i <- rho * v_i + (1 - rho) * g_i^2
 *     d_i  = sqrt(u_i + eps) / sqrt(v_i + eps) * g_i     eps inside both
 *     u_i <- rho * u_i + (1 - rho) * d_i^2
 *     x_i <- x_i - lr * d_i                                               */
typedef struct {
    double lr;  /* a plain multiplier on the step; 1.0 in the paper */
    double rho; /* decay of both averages, in [0, 1) */
    double eps; /* inside both square roots; > 0, it sets the first steps */
} AdadeltaConfig;

/* PyTorch's defaults (torch.optim.Adadelta). */
#define ADADELTA_DEFAULTS {.lr = 1.0, .rho = 0.9, .eps = 1e-6}

typedef struct {
    double *v; /* [n] moving average of g_i^2 */
    double *u; /* [n] moving average of d_i^2, the squared steps */
    int n;     /* number of coordinates */
    long t;    /* steps taken so far */
} AdadeltaState;

/* Allocates v and u, each [n] and all zero, and sets t = 0. Returns 0, or
 * -1 (with *s zeroed) when n <= 0 or memory runs out. */
int adadelta_init(AdadeltaState *s, int n);

/* One Adadelta step on x[s->n], given its gradient g[s->n]. */
void adadelta_step(AdadeltaState *s, double *x, const double *g,
                   const AdadeltaConfig *cfg);

/* Releases the buffers and zeroes *s. */
void adadelta_free(AdadeltaState *s);
//< adadelta

#endif /* ADAPTIVE_H */
