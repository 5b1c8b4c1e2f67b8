/* capstone.c: chapter 8, the capstone -- reference solution. */
#include "capstone.h"

#include "gd.h"
#include "losses.h"
#include "regularization.h"
#include "sgd.h"

#include <assert.h>
#include <stdlib.h>

void classifier_forward(double *logits, const double *theta,
                        const Dataset *data, const int *idx, int batch) {
    const int F = data->features, C = data->classes;
    const double *b = theta + C * F; /* the biases follow the C x F weights */
    for (int k = 0; k < batch; k++) {
        const double *x = data->x + (size_t)idx[k] * (size_t)F;
        for (int c = 0; c < C; c++) {
            const double *w = theta + c * F; /* row c of W */
            double z = b[c];
            for (int j = 0; j < F; j++)
                z += w[j] * x[j];
            logits[k * C + c] = z;
        }
    }
}

double classifier_loss_grad(double *grad, const double *theta,
                            const Dataset *data, const int *idx, int batch,
                            double lambda) {
    const int F = data->features, C = data->classes;
    assert(batch >= 1 && batch <= CLASSIFIER_MAX_BATCH);
    assert(C <= CLASSIFIER_MAX_CLASSES);
    double logits[CLASSIFIER_MAX_BATCH * CLASSIFIER_MAX_CLASSES]; /* [B][C] */
    double G[CLASSIFIER_MAX_BATCH * CLASSIFIER_MAX_CLASSES]; /* dL/dlogits */
    int labels[CLASSIFIER_MAX_BATCH];                          /* [B] */

    classifier_forward(logits, theta, data, idx, batch);
    for (int k = 0; k < batch; k++)
        labels[k] = data->y[idx[k]];
    double J = loss_softmax_xent(G, logits, labels, batch, C); /* chapter 6 */

    /* Chain rule through z = W x + b: dW = G^T X, db = column sums of G. */
    memset(grad, 0, sizeof *grad * (size_t)classifier_params(F, C));
    double *gW = grad, *gb = grad + C * F;
    for (int k = 0; k < batch; k++) {
        const double *x = data->x + (size_t)idx[k] * (size_t)F;
        for (int c = 0; c < C; c++) {
            const double g = G[k * C + c];
            for (int j = 0; j < F; j++)
                gW[c * F + j] += g * x[j];
            gb[c] += g;
        }
    }
    /* Chapter 7's L2 on the C*F weights, which come first in theta. */
    l2_grad_add(gW, theta, C * F, lambda);
    return J + l2_penalty(theta, C * F, lambda);
}

double classifier_evaluate(double *loss, const double *theta,
                           const Dataset *data) {
    const int C = data->classes;
    assert(C <= CLASSIFIER_MAX_CLASSES);
    double z[CLASSIFIER_MAX_CLASSES];
    double total = 0.0;
    int correct = 0;
    for (int i = 0; i < data->n; i++) {
        classifier_forward(z, theta, data, &i, 1);
        int best = 0;
        for (int c = 1; c < C; c++)
            if (z[c] > z[best]) best = c; /* strict: ties keep the first */
        correct += best == data->y[i];
        if (loss) total += loss_softmax_xent(NULL, z, &data->y[i], 1, C);
    }
    if (loss) *loss = total / data->n;
    return (double)correct / data->n;
}

void optimizer_step(Optimizer *opt, double *theta, const double *grad,
                    double lr) {
    switch (opt->cfg.kind) {
    case OPT_SGD:
        gd_step(theta, grad, opt->n, lr);
        break;
    case OPT_MOMENTUM: {
        const MomentumConfig cfg = {.lr = lr, .beta = opt->cfg.beta};
        heavy_ball_step(&opt->momentum, theta, grad, &cfg);
        break;
    }
    case OPT_ADAM: {
        /* weight_decay 0: the L2 term is already in grad, on W only. */
        const AdamConfig cfg = {.lr = lr, .beta1 = opt->cfg.beta1,
                                .beta2 = opt->cfg.beta2, .eps = opt->cfg.eps,
                                .weight_decay = 0.0};
        adam_step(&opt->adam, theta, grad, &cfg);
        break;
    }
    }
}

static void record(EpochStats *history, int e, const double *theta,
                   const Dataset *train, const Dataset *val) {
    if (!history) return;
    EpochStats *s = &history[e];
    s->train_acc = classifier_evaluate(&s->train_loss, theta, train);
    s->val_acc = classifier_evaluate(&s->val_loss, theta, val);
}

int capstone_train(double *theta, EpochStats *history, const Dataset *train,
                   const Dataset *val, const TrainConfig *cfg) {
    const int n = train->n, B = cfg->batch_size;
    const int P = classifier_params(train->features, train->classes);
    assert(B >= 1 && B <= CLASSIFIER_MAX_BATCH);
    int *perm = malloc(sizeof *perm * (size_t)n);
    double *grad = malloc(sizeof *grad * (size_t)P);
    Optimizer opt;
    if (!perm || !grad || optimizer_init(&opt, &cfg->optimizer, P) != 0) {
        free(perm);
        free(grad);
        return -1;
    }
    for (int i = 0; i < n; i++)
        perm[i] = i;
    Rng rng;
    rng_seed(&rng, cfg->seed);

    int t = 0; /* the step counter of the schedule, over the whole run */
    record(history, 0, theta, train, val);
    for (int e = 1; e <= cfg->epochs; e++) {
        sgd_shuffle(perm, n, &rng); /* chapter 2: a new order each epoch */
        for (int start = 0; start < n; start += B) {
            int b = n - start < B ? n - start : B; /* last batch: the rest */
            classifier_loss_grad(grad, theta, train, &perm[start], b,
                                 cfg->lambda);
            optimizer_step(&opt, theta, grad, schedule_lr(&cfg->schedule, t));
            t++;
        }
        record(history, e, theta, train, val);
    }
    optimizer_free(&opt);
    free(grad);
    free(perm);
    return t;
}
