/* losses.h: chapter 6, loss functions -- the API that exercises/losses.c
 * implements. The capstone (chapter 8) trains with loss_softmax_xent. */
#ifndef LOSSES_H
#define LOSSES_H

//> conventions
/* Every loss below returns its value and, when asked, writes its gradient
 * with respect to the model's outputs (predictions, logits or scores):
 *   - outputs first (the gradient), then inputs, then sizes;
 *   - the value is the MEAN over the n examples (or the batch), and so is
 *     the gradient: each of its entries carries a factor 1/n;
 *   - grad may be NULL (value only); when it is not, every entry of it is
 *     overwritten, never accumulated into;
 *   - inputs are const and left unchanged. */
//< conventions

//> logsumexp
/* log(exp(x[0]) + ... + exp(x[n-1])), computed without overflow or
 * underflow by shifting by the largest entry m first:
 * m + log(sum_i exp(x[i] - m)). Finite for any finite x; n >= 1. */
double logsumexp(const double *x, int n);

/* The softmax of logits[n]: probs[i] = exp(logits[i]) / sum_j exp(logits[j]),
 * computed from logits[i] - max so that no exp overflows. probs[n] sums to 1;
 * it may be the same array as logits (in place). */
void softmax(double *probs, const double *logits, int n);
//< logsumexp

//> loss_mse
/* Mean squared error: L = (1/n) sum_i (pred[i] - target[i])^2. grad[n],
 * when not NULL, receives dL/dpred[i] = 2 (pred[i] - target[i]) / n. */
double loss_mse(double *grad, const double *pred, const double *target,
                int n);
//< loss_mse

//> loss_bce_logits
/* Binary cross-entropy from logits. Example i has logit z = logits[i] and
 * target y = targets[i] in [0, 1] (usually 0 or 1); the model's probability
 * of class 1 is sigmoid(z) = 1 / (1 + exp(-z)), and
 *     L = (1/n) sum_i [ -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)) ]
 *       = (1/n) sum_i [ max(z, 0) - y z + log(1 + exp(-|z|)) ],
 * the second form being the one to compute: it is finite for every finite
 * z (z = +-1000 included), where log(sigmoid(z)) is log(0) = -inf.
 * grad[n], when not NULL, receives dL/dz_i = (sigmoid(z_i) - y_i) / n. */
double loss_bce_logits(double *grad, const double *logits,
                       const double *targets, int n);
//< loss_bce_logits

//> loss_softmax_xent
/* Softmax cross-entropy over `classes` classes, for a batch of examples.
 * logits[batch * classes] holds one row of class scores per example (row b
 * is logits[b * classes .. b * classes + classes)); labels[batch] holds each
 * example's class, 0 <= labels[b] < classes. With p_b = softmax(row b),
 *     L = (1/batch) sum_b -log p_b[labels[b]]
 *       = (1/batch) sum_b [ logsumexp(row b) - logits[b, labels[b]] ],
 * finite for any finite logits (+-1000 included).
 * grad_logits[batch * classes], when not NULL, receives
 * dL/dlogits[b, c] = (p_b[c] - [c == labels[b]]) / batch. */
double loss_softmax_xent(double *grad_logits, const double *logits,
                         const int *labels, int batch, int classes);
//< loss_softmax_xent

//> loss_hinge
/* Binary hinge loss. Example i has score s = scores[i] and label
 * y = labels[i], which must be -1.0 or +1.0:
 *     L = (1/n) sum_i max(0, 1 - y s).
 * grad[n], when not NULL, receives the subgradient dL/ds_i = -y_i / n where
 * the margin y s < 1, and 0 where y s >= 1. At the kink y s = 1 exactly the
 * loss has no derivative; this course takes 0 there, so that an example
 * whose loss is 0 never moves the model. */
double loss_hinge(double *grad, const double *scores, const double *labels,
                  int n);
//< loss_hinge

//> loss_multiclass_hinge
/* Multiclass hinge loss (Weston and Watkins), for a batch: with row b of
 * scores[batch * classes] and its label y = labels[b],
 *     L = (1/batch) sum_b sum_{c != y} max(0, 1 + s[b, c] - s[b, y]).
 * grad[batch * classes], when not NULL, receives the subgradient: each term
 * with 1 + s[b, c] - s[b, y] > 0 adds 1/batch to grad[b, c] and subtracts
 * 1/batch from grad[b, y]; a term at exactly 0 (the kink) adds nothing, the
 * same convention as loss_hinge. */
double loss_multiclass_hinge(double *grad, const double *scores,
                             const int *labels, int batch, int classes);
//< loss_multiclass_hinge

#endif /* LOSSES_H */
