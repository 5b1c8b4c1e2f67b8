/* capstone.h: chapter 8, the capstone -- a digit classifier trained with
 * the pieces of every earlier chapter. The API that exercises/capstone.c
 * implements: softmax regression's forward pass, its mini-batch loss and
 * gradient, its accuracy, one optimizer interface over chapters 1, 3 and 4,
 * and the training loop. */
#ifndef CAPSTONE_H
#define CAPSTONE_H

#include "adaptive.h"
#include "dataset.h"
#include "momentum.h"
#include "schedules.h"

#include <stdint.h>
#include <string.h>

//> model
/* Softmax regression (multinomial logistic regression) on a data set of
 * F = data->features inputs and C = data->classes classes: example x[F]
 * gets the logits z = W x + b, z[C], and softmax(z) are its class
 * probabilities. All the parameters live in one flat vector theta[P], so
 * that every optimizer of the course, which steps a double[n], trains it:
 *     W[c][j] = theta[c * F + j]     C rows of F weights, row-major
 *     b[c]    = theta[C * F + c]     C biases, after the weights          */
static inline int classifier_params(int features, int classes) {
    return classes * features + classes; /* P: 650 for the digits */
}

#define CLASSIFIER_MAX_BATCH 256  /* examples per classifier_loss_grad */
#define CLASSIFIER_MAX_CLASSES 16 /* C, at most */
//< model

//> forward
/* The forward pass for the examples idx[0..batch) of data: row k of
 * logits[batch][C] receives W x + b for x the example idx[k]. idx may list
 * examples in any order and repeat them. */
void classifier_forward(double *logits, const double *theta,
                        const Dataset *data, const int *idx, int batch);
//< forward

//> loss_grad
/* The training objective of one mini-batch, the examples idx[0..B) of data
 * (B = batch), and its gradient:
 *     J(theta) = (1/B) sum_k xent(z_k, y_k) + (lambda/2) ||W||^2,
 * with xent the softmax cross-entropy of chapter 6 (loss_softmax_xent) and
 * the L2 penalty of chapter 7 (l2_penalty, l2_grad_add) on W only: the
 * biases are not penalized. grad[P] is overwritten with dJ/dtheta:
 *     dJ/dW[c][j] = sum_k G[k][c] x_k[j] + lambda W[c][j]
 *     dJ/db[c]    = sum_k G[k][c]
 * where G[B][C] = dL/dlogits from loss_softmax_xent, which carries the
 * 1/B already. Returns J. Requires 1 <= B <= CLASSIFIER_MAX_BATCH and
 * C <= CLASSIFIER_MAX_CLASSES. */
double classifier_loss_grad(double *grad, const double *theta,
                            const Dataset *data, const int *idx, int batch,
                            double lambda);
//< loss_grad

//> evaluate
/* Returns the accuracy of theta on all of data: the fraction of examples
 * whose predicted class, the index of the largest logit (the lowest such
 * index on a tie), equals the label. *loss, when not NULL, receives the
 * mean cross-entropy over all of data, without the penalty. */
double classifier_evaluate(double *loss, const double *theta,
                           const Dataset *data);
//< evaluate

//> optimizer
/* One interface over three optimizers of the course, so that the training
 * loop can take "an optimizer". The learning rate is not configured here:
 * it comes from a schedule (chapter 5), one value per step. */
typedef enum {
    OPT_SGD,      /* gd_step, chapter 1 */
    OPT_MOMENTUM, /* heavy_ball_step, chapter 3 */
    OPT_ADAM      /* adam_step, chapter 4, with weight_decay 0 */
} OptimizerKind;

typedef struct {
    OptimizerKind kind;
    double beta;  /* OPT_MOMENTUM: the heavy ball's coefficient */
    double beta1; /* OPT_ADAM: decay of the first moment */
    double beta2; /* OPT_ADAM: decay of the second moment */
    double eps;   /* OPT_ADAM: added to sqrt(vhat) */
} OptimizerConfig;

typedef struct {
    OptimizerConfig cfg;
    int n;                  /* number of parameters */
    MomentumState momentum; /* the velocity, for OPT_MOMENTUM */
    AdamState adam;         /* the moments, for OPT_ADAM */
} Optimizer;

/* Starts an optimizer for n parameters: allocates the state that cfg->kind
 * needs (none for SGD). Returns 0, or -1 (with *opt zeroed) when n <= 0 or
 * memory runs out. Provided. */
static inline int optimizer_init(Optimizer *opt, const OptimizerConfig *cfg,
                                 int n) {
    memset(opt, 0, sizeof *opt);
    if (n <= 0) return -1;
    opt->cfg = *cfg;
    opt->n = n;
    int status = 0;
    if (cfg->kind == OPT_MOMENTUM) status = momentum_init(&opt->momentum, n);
    if (cfg->kind == OPT_ADAM) status = adam_init(&opt->adam, n);
    if (status != 0) memset(opt, 0, sizeof *opt);
    return status;
}

/* Releases the state and leaves *opt zeroed. Provided. */
static inline void optimizer_free(Optimizer *opt) {
    momentum_free(&opt->momentum);
    adam_free(&opt->adam);
    memset(opt, 0, sizeof *opt);
}

/* One step of opt->cfg.kind on theta[opt->n], in place, with gradient
 * grad[opt->n] and learning rate lr: gd_step for OPT_SGD, heavy_ball_step
 * (beta) for OPT_MOMENTUM, adam_step (beta1, beta2, eps, no weight decay)
 * for OPT_ADAM. The state carries over from step to step. */
void optimizer_step(Optimizer *opt, double *theta, const double *grad,
                    double lr);
//< optimizer

//> train
typedef struct {
    OptimizerConfig optimizer;
    Schedule schedule; /* lr(t) of step t = 0, 1, ... counted over the run */
    double lambda;     /* L2 penalty on W (not b), >= 0 */
    int batch_size;    /* examples per step, 1 .. CLASSIFIER_MAX_BATCH */
    int epochs;        /* passes over the training set, >= 0 */
    uint64_t seed;     /* seeds the shuffles */
} TrainConfig;

/* What the training loop records about the model after each epoch. The
 * losses are mean cross-entropies without the penalty, so that train and
 * validation compare. */
typedef struct {
    double train_loss, train_acc; /* classifier_evaluate on train */
    double val_loss, val_acc;     /* classifier_evaluate on val */
} EpochStats;

/* Trains theta[P] (updated in place, from whatever it holds) on train.
 * perm[n] starts as the identity 0..n-1 (n = train->n), and an Rng is
 * seeded with cfg->seed. Each epoch shuffles perm with chapter 2's
 * sgd_shuffle (continuing from the previous order) and walks it in
 * batches of cfg->batch_size examples, the last batch holding what is left
 * over; each batch is one step t (t = 0 for the first step of the run,
 * never reset between epochs):
 *     J = classifier_loss_grad(grad, theta, train, batch, cfg->lambda)
 *     optimizer_step(opt, theta, grad, schedule_lr(&cfg->schedule, t))
 * history, when not NULL, has room for epochs + 1 entries: history[0]
 * evaluates the starting theta, history[e] the theta after epoch e.
 * Returns the number of steps taken, epochs * ceil(n / batch_size), or -1
 * when memory runs out. */
int capstone_train(double *theta, EpochStats *history, const Dataset *train,
                   const Dataset *val, const TrainConfig *cfg);

/* ceil(n / batch_size): the steps of one epoch. Provided. */
static inline int capstone_steps_per_epoch(int n, int batch_size) {
    return (n + batch_size - 1) / batch_size;
}
//< train

//> recipe
/* The chapter's experiment: the digits, 20% of them held out for
 * validation with a fixed seed, 30 epochs of mini-batches of 32, shuffled
 * with another fixed seed. */
#define CAPSTONE_VAL_FRACTION 0.2
#define CAPSTONE_SPLIT_SEED 2024u
#define CAPSTONE_SHUFFLE_SEED 8u
#define CAPSTONE_EPOCHS 30
#define CAPSTONE_BATCH 32
#define CAPSTONE_TRAIN_N 1438 /* 1797 - round(0.2 * 1797) */
#define CAPSTONE_LAMBDA 1e-4

/* Loads data/digits.csv and splits it as above. Returns 0, or -1 with the
 * reason in dataset_error(). Provided. */
static inline int capstone_load(Dataset *train, Dataset *val) {
    Dataset all;
    if (dataset_load_digits(&all) != 0) return -1;
    int status = dataset_split(train, val, &all, CAPSTONE_VAL_FRACTION,
                               CAPSTONE_SPLIT_SEED);
    dataset_free(&all);
    return status;
}

/* The configuration of each optimizer in the chapter's comparison: the
 * same data, batches, epochs, shuffles and penalty; a learning rate tuned
 * for each, annealed by a cosine schedule over the whole run. Provided. */
static inline TrainConfig capstone_recipe(OptimizerKind kind) {
    const int per_epoch =
        capstone_steps_per_epoch(CAPSTONE_TRAIN_N, CAPSTONE_BATCH);
    static const double lr0[3] = {1.0, 0.1, 0.1}; /* SGD, momentum, Adam */
    TrainConfig cfg = {
        .optimizer = {.kind = kind, .beta = 0.9, .beta1 = 0.9,
                      .beta2 = 0.999, .eps = 1e-8},
        .schedule = {.kind = LR_COSINE,
                     .cosine = {.lr0 = lr0[kind], .lr_min = 0.0,
                                .T = CAPSTONE_EPOCHS * per_epoch}},
        .lambda = CAPSTONE_LAMBDA,
        .batch_size = CAPSTONE_BATCH,
        .epochs = CAPSTONE_EPOCHS,
        .seed = CAPSTONE_SHUFFLE_SEED,
    };
    return cfg;
}
//< recipe

#endif /* CAPSTONE_H */
