/* capstone.c: chapter 8, the capstone -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/capstone.h and the math
 * in chapters/08-capstone.md. This chapter builds on your exercises of
 * every earlier chapter: get those to pass first. `make grade CH=08`
 * grades this file; `make run CH=08` trains the classifier with your code.
 */
#include "capstone.h"

#include "gd.h"
#include "losses.h"
#include "regularization.h"
#include "sgd.h"

#include <assert.h>
#include <stdlib.h>

void classifier_forward(double *logits, const double *theta,
                        const Dataset *data, const int *idx, int batch) {
    /* TODO(8.1, "The data and the model"): for each k < batch and class
     * c, logits[k * C + c] = b[c] + sum_j W[c][j] x[j], where x is the
     * example idx[k]. W[c][j] is theta[c * F + j], b[c] is
     * theta[C * F + c]. */
    (void)theta, (void)idx;
    for (int i = 0; i < batch * data->classes; i++)
        logits[i] = 0.0;
}

double classifier_loss_grad(double *grad, const double *theta,
                            const Dataset *data, const int *idx, int batch,
                            double lambda) {
    /* TODO(8.2, "The loss and its gradient"): the forward pass, then
     * loss_softmax_xent (chapter 6) for the value and G = dL/dlogits;
     * the chain rule to W (G^T X) and b (column sums of G); then chapter
     * 7's l2_grad_add and l2_penalty on the weights only. */
    (void)theta, (void)idx, (void)batch, (void)lambda;
    memset(grad, 0,
           sizeof *grad *
               (size_t)classifier_params(data->features, data->classes));
    return 0.0;
}

double classifier_evaluate(double *loss, const double *theta,
                           const Dataset *data) {
    /* TODO(8.3, "Measuring accuracy"): for each example, its logits, the
     * index of the largest (the lowest index on a tie) against its label,
     * and, when loss is not NULL, its cross-entropy; return the fraction
     * right and write the mean loss. */
    (void)theta, (void)data;
    if (loss) *loss = 0.0;
    return 0.0;
}

void optimizer_step(Optimizer *opt, double *theta, const double *grad,
                    double lr) {
    /* TODO(8.4, "One interface, three optimizers"): switch on
     * opt->cfg.kind: gd_step (chapter 1), heavy_ball_step (chapter 3) or
     * adam_step (chapter 4), each with learning rate lr and the rest of
     * its settings from opt->cfg. */
    (void)opt, (void)theta, (void)grad, (void)lr;
}

int capstone_train(double *theta, EpochStats *history, const Dataset *train,
                   const Dataset *val, const TrainConfig *cfg) {
    /* TODO(8.5, "The training loop"): optimizer_init; perm = 0..n-1; an
     * Rng seeded with cfg->seed; record history[0]; then for each epoch,
     * sgd_shuffle (chapter 2), one step per batch of perm with
     * classifier_loss_grad, schedule_lr(&cfg->schedule, t) and
     * optimizer_step, and record history[epoch]. Free what you allocated;
     * return the number of steps. */
    (void)theta, (void)history, (void)train, (void)val, (void)cfg;
    return 0;
}
