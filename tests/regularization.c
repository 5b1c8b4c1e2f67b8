/* tests/regularization.c: chapter 7, regularization -- graded tests. */
#include "gd.h"
#include "grading.h"
#include "regularization.h"

#include <string.h>

#define SEE_OVERFIT "chapter 7, section 7.1 'Overfitting'"
#define SEE_L2 "chapter 7, section 7.2 'L2 regularization and weight decay'"
#define SEE_L1 "chapter 7, section 7.3 'L1 regularization and exact zeros'"
#define SEE_EARLY "chapter 7, section 7.4 'Early stopping'"
#define SEE_DROPOUT "chapter 7, section 7.5 'Dropout'"
#define SEE_CHAIN "chapter 7, section 7.6 'Vanishing and exploding gradients'"

/* ---- L2 and weight decay ---------------------------------------------- */

GRADED(regularization, l2_penalty_is_half_lambda_times_squared_norm, 2) {
    const double w[3] = {1.0, -2.0, 3.0}; /* ||w||^2 = 14 */
    MISTAKE(1.4, "the penalty is lambda ||w||^2, without the 1/2 of the "
                 "course's convention");
    MISTAKE(0.35, "the 1/2 is applied twice");
    MISTAKE(0.1 * sqrt(14.0) / 2, "the norm is not squared");
    MISTAKE(0.1 * 2.0 / 2, "the weights are summed, not squared");
    CHECK_NEAR(l2_penalty(w, 3, 0.1), 0.7, 1e-12, SEE_L2,
               "l2_penalty(w=(1,-2,3), lambda=0.1) = 0.1/2 * 14");
}

/* The trusted penalty, for the numerical gradient. */
static double l2_trusted(const double *w, void *ctx) {
    double lambda = *(const double *)ctx, sum = 0.0;
    for (int i = 0; i < 3; i++)
        sum += w[i] * w[i];
    return 0.5 * lambda * sum;
}

GRADED(regularization, l2_grad_add_adds_lambda_w_to_the_gradient, 2) {
    double w[3] = {1.0, -2.0, 3.0}, lambda = 0.5, num[3];
    double g[3] = {10.0, 20.0, 30.0}; /* the data gradient, kept */
    l2_grad_add(g, w, 3, lambda);
    grading_numeric_gradient(num, l2_trusted, &lambda, w, 3, 1e-3);
    for (int i = 0; i < 3; i++) {
        double data = 10.0 * (i + 1);
        MISTAKE(lambda * w[i], "g is overwritten instead of added to");
        MISTAKE(data + 2 * lambda * w[i],
                "the gradient 2 lambda w of the other convention "
                "lambda ||w||^2 is added");
        MISTAKE(data - lambda * w[i], "the penalty gradient is subtracted");
        CHECK_NEAR(g[i], data + num[i], 1e-9, SEE_L2,
                   "g[%d] after l2_grad_add(g=(10,20,30), w=(1,-2,3), "
                   "lambda=0.5): the data gradient plus d/dw of "
                   "(lambda/2)||w||^2",
                   i);
    }
    CHECK(w[0] == 1.0 && w[1] == -2.0 && w[2] == 3.0, SEE_L2,
          "l2_grad_add must not change w");
}

GRADED(regularization, weight_decay_step_shrinks_then_steps, 2) {
    const double w0[2] = {2.0, -4.0}, g[2] = {3.0, -2.0};
    const double lr = 0.1, lambda = 0.2; /* decay factor 1 - 0.02 = 0.98 */
    double w[2] = {w0[0], w0[1]};
    weight_decay_step(w, g, 2, lr, lambda);
    for (int i = 0; i < 2; i++) {
        MISTAKE((1 - lambda) * w0[i] - lr * g[i],
                "the factor is 1 - lambda, without the learning rate");
        MISTAKE((1 - lr * lambda) * w0[i] + lr * g[i],
                "the gradient step is added instead of subtracted");
        MISTAKE(w0[i] - lr * g[i], "the weights are not decayed");
        MISTAKE((1 - lr * lambda) * w0[i], "the gradient step is left out");
        MISTAKE((1 - lr * lr * lambda) * w0[i] - lr * g[i],
                "the learning rate is applied twice to the decay "
                "(1 - lr^2 lambda)");
        MISTAKE((1 - lr * lambda) * (w0[i] - lr * g[i]),
                "the decay is applied after the gradient step, so it "
                "shrinks the step too");
        CHECK_NEAR(w[i], (1 - lr * lambda) * w0[i] - lr * g[i], 1e-12, SEE_L2,
                   "w[%d] after weight_decay_step(w=(2,-4), g=(3,-2), "
                   "lr=0.1, lambda=0.2)",
                   i);
    }
}

//> weight_decay_test
GRADED(regularization, sgd_with_l2_gradient_equals_weight_decay, 3) {
    PolyData train;
    polyfit_data(&train, 12, 0.2, 1);
    const double lr = 0.05, lambda = 0.1;
    double with_l2[POLY_N] = {0}, decayed[POLY_N] = {0}, ref[POLY_N] = {0};
    double g[POLY_N];
    for (int s = 0; s < 1000; s++) {
        polyfit_mse_grad(g, with_l2, &train); /* the chapter's way 1 */
        l2_grad_add(g, with_l2, POLY_N, lambda);
        gd_step(with_l2, g, POLY_N, lr);
        polyfit_mse_grad(g, decayed, &train); /* the chapter's way 2 */
        weight_decay_step(decayed, g, POLY_N, lr, lambda);
        polyfit_mse_grad(g, ref, &train); /* trusted */
        for (int j = 0; j < POLY_N; j++)
            ref[j] -= lr * (g[j] + lambda * ref[j]);
    }
    /* Equal in exact arithmetic; in doubles the two orderings differ by a
     * few ulps per step, far below 1e-12 after 1000 contracting steps. */
    for (int j = 0; j < POLY_N; j++) {
        CHECK_NEAR(with_l2[j], ref[j], 1e-12, SEE_L2,
                   "w[%d] after 1000 steps of gd_step on the 12-point "
                   "training MSE plus l2_grad_add (lr=0.05, lambda=0.1)",
                   j);
        CHECK_NEAR(decayed[j], ref[j], 1e-12, SEE_L2,
                   "w[%d] after 1000 weight_decay_steps on the same problem "
                   "(must equal SGD with the L2 gradient)",
                   j);
    }
}
//< weight_decay_test

/* ---- L1 ----------------------------------------------------------------- */

GRADED(regularization, l1_penalty_and_subgradient_with_sign_of_zero_zero, 2) {
    const double w[4] = {1.5, -2.0, 0.0, 1.0};
    MISTAKE(0.3 * (1.5 - 2.0 + 1.0), "|w| is not taken");
    MISTAKE(0.3 * (2.25 + 4.0 + 1.0), "the weights are squared");
    MISTAKE(0.15 * 4.5, "the penalty is halved like the L2 one");
    CHECK_NEAR(l1_penalty(w, 4, 0.3), 0.3 * 4.5, 1e-12, SEE_L1,
               "l1_penalty(w=(1.5,-2,0,1), lambda=0.3)");
    double g[4] = {1.0, 1.0, 1.0, 1.0};
    l1_subgrad_add(g, w, 4, 0.3);
    const double want[4] = {1.3, 0.7, 1.0, 1.3};
    for (int i = 0; i < 4; i++) {
        MISTAKE(i == 2 ? 1.3 : NAN, "sign(0) is taken as +1: at 0 the "
                                    "subgradient to add is 0");
        MISTAKE(1.0 + 0.3 * w[i], "lambda * w is added (the L2 gradient), "
                                  "not lambda * sign(w)");
        MISTAKE(0.3 * (w[i] > 0) - 0.3 * (w[i] < 0),
                "g is overwritten instead of added to");
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_L1,
                   "g[%d] after l1_subgrad_add(g=(1,1,1,1), "
                   "w=(1.5,-2,0,1), lambda=0.3)",
                   i);
    }
}

GRADED(regularization, l1_prox_soft_thresholds_to_exact_zeros, 3) {
    double w[7] = {3.0, -0.5, 0.2, -2.0, 0.0, 1.0, -1.0 - 1e-9};
    const double want[7] = {2.0, 0.0, 0.0, -1.0, 0.0, 0.0, -1e-9};
    l1_prox(w, 7, 1.0);
    for (int i = 0; i < 7; i++) {
        MISTAKE(i == 0 ? 3.0 : NAN, "weights above the threshold are kept "
                                    "as they are (hard thresholding)");
        MISTAKE(i == 1 ? 0.5 : NAN, "the step crosses zero instead of "
                                    "stopping at it");
        MISTAKE(i == 4 ? -1.0 : NAN, "0 is moved by the threshold");
        CHECK_NEAR(w[i], want[i], 1e-15, SEE_L1,
                   "w[%d] after l1_prox(w=(3,-0.5,0.2,-2,0,1,-1-1e-9), "
                   "threshold=1)",
                   i);
    }
    CHECK(w[1] == 0.0 && w[2] == 0.0 && w[4] == 0.0 && w[5] == 0.0, SEE_L1,
          "weights with |w| <= threshold must become exactly 0.0, got "
          "%.3g %.3g %.3g %.3g",
          w[1], w[2], w[4], w[5]);
}

/* ---- Dropout ------------------------------------------------------------ */

GRADED(regularization, dropout_training_mask_and_output_for_seed_3, 3) {
    const double in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double out[8];
    unsigned char mask[8];
    Rng rng;
    rng_seed(&rng, 3);
    dropout_forward(out, mask, in, 8, 0.5, &rng, true);
    /* The chapter's example: one rng_uniform per unit, dropped when < p. */
    const unsigned char want_mask[8] = {0, 1, 1, 0, 0, 1, 0, 1};
    const double want[8] = {0, 4, 6, 0, 0, 12, 0, 16};
    /* The whole mask as text, so that the message can tell a flipped
     * comparison from draws taken in another order. */
    char got[9], flipped[9], reversed[9];
    for (int i = 0; i < 8; i++) {
        got[i] = mask[i] == 0 ? '0' : mask[i] == 1 ? '1' : '?';
        flipped[i] = want_mask[i] ? '0' : '1';
        reversed[i] = want_mask[7 - i] ? '1' : '0';
    }
    got[8] = flipped[8] = reversed[8] = '\0';
    const char *why =
        strcmp(got, flipped) == 0
            ? ". This is what you get when the unit is dropped when u >= p "
              "instead of u < p"
        : strcmp(got, reversed) == 0
            ? ". This is what you get when the units take their draws from "
              "the last to the first, not in order i = 0, 1, ..."
            : "; draw one rng_uniform per unit, in order i = 0, 1, ..., and "
              "drop the unit when u < p";
    CHECK(strcmp(got, "01100101") == 0, SEE_DROPOUT,
          "mask of dropout_forward(in=1..8, p=0.5, seed 3, training): got "
          "%s, want 01100101 (0: dropped, 1: kept)%s",
          got, why);
    for (int i = 0; i < 8; i++) {
        MISTAKE(want_mask[i] ? in[i] : NAN,
                "the kept units are not scaled by 1/(1-p): the mean output "
                "halves at p = 0.5");
        MISTAKE(want_mask[i] ? in[i] * 0.5 : NAN,
                "the kept units are multiplied by (1-p) instead of divided");
        CHECK_NEAR(out[i], want[i], 1e-12, SEE_DROPOUT,
                   "out[%d] of dropout_forward(in=1..8, p=0.5, seed 3, "
                   "training)",
                   i);
    }
}

GRADED(regularization, dropout_evaluation_is_identity_and_draws_nothing, 2) {
    const double in[5] = {0.5, -1.0, 2.0, 0.0, 3.0};
    double out[5];
    unsigned char mask[5] = {0};
    Rng rng;
    rng_seed(&rng, 5);
    dropout_forward(out, mask, in, 5, 0.3, &rng, false);
    CHECK(rng.state == 5 && !rng.has_spare, SEE_DROPOUT,
          "dropout_forward at evaluation (p=0.3, training=false) must draw "
          "no random numbers: the rng state changed from 5 to %llu. This is "
          "what you get when units are dropped at evaluation too",
          (unsigned long long)rng.state);
    for (int i = 0; i < 5; i++) {
        MISTAKE(in[i] / 0.7, "the 1/(1-p) scale is applied at evaluation");
        MISTAKE(in[i] * 0.7, "evaluation multiplies by (1-p): that is "
                             "classic, not inverted, dropout");
        CHECK_NEAR(out[i], in[i], 0.0, SEE_DROPOUT,
                   "out[%d] of dropout_forward(p=0.3, training=false)", i);
        CHECK_INT(mask[i], 1, SEE_DROPOUT,
                  "mask[%d] at evaluation (every unit is kept)", i);
    }
}

GRADED(regularization, dropout_with_p_zero_is_identity, 1) {
    const double in[6] = {1.0, -2.0, 3.5, 0.25, -7.0, 9.0};
    double out[6];
    Rng rng;
    rng_seed(&rng, 9);
    dropout_forward(out, NULL, in, 6, 0.0, &rng, true);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(out[i], in[i], 0.0, SEE_DROPOUT,
                   "out[%d] of dropout_forward(p=0, training, mask=NULL): "
                   "nothing is dropped and 1/(1-0) = 1",
                   i);
}

//> dropout_mean_test
GRADED(regularization, dropout_keeps_the_mean_within_five_standard_errors,
       2) {
    enum { UNITS = 100000 };
    static double ones[UNITS], out[UNITS];
    for (int i = 0; i < UNITS; i++)
        ones[i] = 1.0;
    const double ps[3] = {0.2, 0.5, 0.8};
    for (int k = 0; k < 3; k++) {
        double p = ps[k];
        Rng rng;
        rng_seed(&rng, 2024 + (uint64_t)k);
        dropout_forward(out, NULL, ones, UNITS, p, &rng, true);
        double sum = 0.0;
        for (int i = 0; i < UNITS; i++)
            sum += out[i];
        /* Each output is 1/(1-p) with probability 1-p, else 0: mean 1,
         * variance p/(1-p). The mean of UNITS of them has standard error
         * sqrt(p/((1-p) UNITS)); a correct implementation, whatever its
         * draws, lands within 5 of them except with probability 6e-7. */
        double tol = 5.0 * sqrt(p / ((1.0 - p) * UNITS));
        MISTAKE(1.0 - p, "the kept units are not scaled by 1/(1-p)");
        MISTAKE(p / (1.0 - p), "p is used as the probability of keeping a "
                               "unit, not of dropping it");
        CHECK_NEAR(sum / UNITS, 1.0, tol, SEE_DROPOUT,
                   "mean of dropout_forward over %d inputs equal to 1, "
                   "p=%g, training (tolerance: 5 standard errors)",
                   UNITS, p);
    }
}
//< dropout_mean_test

GRADED(regularization, dropout_backward_passes_gradient_through_kept_units,
       2) {
    const unsigned char mask[4] = {1, 0, 1, 1};
    const double grad_out[4] = {1.0, 2.0, -3.0, 0.5};
    double grad_in[4] = {NAN, NAN, NAN, NAN};
    dropout_backward(grad_in, mask, grad_out, 4, 0.75);
    const double want[4] = {4.0, 0.0, -12.0, 2.0};
    for (int i = 0; i < 4; i++) {
        MISTAKE(mask[i] ? grad_out[i] : NAN,
                "the gradient is not scaled by 1/(1-p) like the forward "
                "pass");
        MISTAKE(mask[i] ? NAN : grad_out[i] * 4.0,
                "the gradient flows through a dropped unit");
        CHECK_NEAR(grad_in[i], want[i], 1e-12, SEE_DROPOUT,
                   "grad_in[%d] of dropout_backward(mask=1011, "
                   "grad_out=(1,2,-3,0.5), p=0.75)",
                   i);
    }
}

GRADED(regularization, dropout_reproduces_the_chapters_table_for_seed_11,
       1) {
    /* the chapter's table: the same seed for each p, one rng_uniform per
     * unit in order, so the counts are exact */
    enum { UNITS = 100000 };
    static double ones[UNITS], out[UNITS];
    for (int i = 0; i < UNITS; i++)
        ones[i] = 1.0;
    const double ps[3] = {0.1, 0.5, 0.9};
    const int kept_want[3] = {90055, 49775, 9957};
    for (int k = 0; k < 3; k++) {
        Rng rng;
        rng_seed(&rng, 11);
        dropout_forward(out, NULL, ones, UNITS, ps[k], &rng, true);
        double sum = 0.0;
        int kept = 0;
        for (int i = 0; i < UNITS; i++) {
            sum += out[i];
            kept += out[i] != 0.0;
        }
        MISTAKE(UNITS - kept_want[k], "units are dropped when the draw is "
                                      ">= p instead of < p");
        CHECK_INT(kept, kept_want[k], SEE_DROPOUT,
                  "units kept by dropout_forward over %d inputs equal to 1, "
                  "p=%g, seed 11, training",
                  UNITS, ps[k]);
        MISTAKE(kept_want[k] / (double)UNITS, "the kept units are not "
                                              "scaled by 1/(1-p)");
        /* 1e-9: a sum of 1e5 terms in any order rounds to about 1e-11 */
        CHECK_NEAR(sum / UNITS, kept_want[k] / (1.0 - ps[k]) / UNITS, 1e-9,
                   SEE_DROPOUT,
                   "mean output of the same call (kept / (1-p) / %d)",
                   UNITS);
    }
}

/* ---- Early stopping ----------------------------------------------------- */

GRADED(regularization, early_stopping_counts_patience_from_the_best, 3) {
    EarlyStopping es;
    early_stopping_init(&es, 3, 0.0);
    const double losses[7] = {5.0, 4.0, 4.5, 3.0, 3.2, 3.1, 3.0};
    /* The state is checked before the stop signal, so that a slip in the
     * bookkeeping is named before the stop it delays. */
    int first_stop = -1;
    for (int e = 0; e < 7; e++)
        if (early_stopping_update(&es, losses[e]) && first_stop < 0)
            first_stop = e;
    CHECK_NEAR(es.best, 3.0, 0.0, SEE_EARLY,
               "es.best after the losses 5, 4, 4.5, 3, 3.2, 3.1, 3.0 "
               "(patience 3)");
    MISTAKE(6, "a loss equal to the best counts as a new best");
    MISTAKE(4, "es->evals is counted before best_eval is set: evaluations "
               "are then numbered from 1, not 0");
    CHECK_INT(es.best_eval, 3, SEE_EARLY,
              "es.best_eval (evaluations are numbered from 0)");
    CHECK_INT(es.evals, 7, SEE_EARLY, "es.evals after 7 updates");
    CHECK_INT(es.bad_evals, 3, SEE_EARLY, "es.bad_evals after the sequence");
    MISTAKE(-1, "the run stops one evaluation late (bad_evals > patience)");
    CHECK_INT(first_stop, 6, SEE_EARLY,
              "the first early_stopping_update to return true, for the "
              "same losses (-1: none did); the third evaluation after the "
              "best (3.0 at #3) stops, and equalling the best is no "
              "improvement");
}

GRADED(regularization, early_stopping_needs_a_gain_above_min_delta, 1) {
    EarlyStopping es;
    early_stopping_init(&es, 2, 0.1);
    CHECK(isinf(es.best) && es.best > 0 && es.best_eval == -1 &&
              es.evals == 0 && es.bad_evals == 0,
          SEE_EARLY,
          "after early_stopping_init: want best=inf, best_eval=-1, evals=0, "
          "bad_evals=0; got %g, %d, %d, %d",
          es.best, es.best_eval, es.evals, es.bad_evals);
    const double losses[5] = {1.0, 0.95, 0.85, NAN, 0.8};
    const bool want_stop[5] = {false, false, false, false, true};
    for (int e = 0; e < 5; e++) {
        bool stop = early_stopping_update(&es, losses[e]);
        CHECK(stop == want_stop[e], SEE_EARLY,
              "early_stopping_update #%d (losses 1, 0.95, 0.85, NaN, 0.8; "
              "patience 2, min_delta 0.1) returned %s; a new best must be "
              "below best - min_delta, and NaN is no improvement",
              e, stop ? "true" : "false");
    }
    CHECK_NEAR(es.best, 0.85, 0.0, SEE_EARLY,
               "es.best (0.95 and 0.8 do not beat the best by more than 0.1)");
}

/* ---- The overfitting experiment ----------------------------------------- */

/* The chapter's experiment: 12 training points (seed 1), 100 validation
 * points (seed 2), noise 0.2, lr 0.05, 100000 steps, evaluations every 100.
 * Rounding differences between correct implementations stay near 1e-13:
 * gradient descent below the stability limit does not amplify them. */
static PolyData train_set, val_set;

static FitResult fit_curves(double *w, Regularizer reg, double lambda,
                            int patience, double *train_curve,
                            double *val_curve) {
    polyfit_data(&train_set, 12, 0.2, 1);
    polyfit_data(&val_set, 100, 0.2, 2);
    const FitConfig cfg = {.lr = 0.05, .max_steps = 100000, .reg = reg,
                           .lambda = lambda, .eval_every = 100,
                           .patience = patience};
    memset(w, 0, POLY_N * sizeof *w);
    return fit_train(w, &train_set, &val_set, &cfg, train_curve, val_curve);
}

static FitResult fit(double *w, Regularizer reg, double lambda, int patience,
                     double *val_curve) {
    return fit_curves(w, reg, lambda, patience, NULL, val_curve);
}

/* ||w[1..]||, the norm of the penalized weights, as the L2 table prints
 * it. */
static double penalized_norm(const double *w) {
    double sum = 0.0;
    for (int j = 1; j < POLY_N; j++)
        sum += w[j] * w[j];
    return sqrt(sum);
}

GRADED(regularization, fit_without_regularizer_overfits, 3) {
    double w[POLY_N];
    static double train_curve[1001], val_curve[1001];
    FitResult res = fit_curves(w, REG_NONE, 0.0, 0, train_curve, val_curve);
    MISTAKE(99999, "the loop takes one step too few");
    MISTAKE(100001, "the loop takes one step too many");
    CHECK_INT(res.steps, 100000, SEE_OVERFIT, "fit_train's step count");
    MISTAKE(1000, "no evaluation is made before the first step");
    CHECK_INT(res.evals, 1001, SEE_OVERFIT,
              "fit_train's evaluations (before step 1, then every 100)");
    MISTAKE(0.018699859188316664, "the loop takes 99999 steps");
    MISTAKE(0.018699842663086955, "the loop takes 100001 steps");
    CHECK_NEAR(polyfit_mse(w, &train_set), 0.018699850925542438, 1e-9,
               SEE_OVERFIT, "training MSE after fit_train, no regularizer");
    CHECK_NEAR(polyfit_mse(w, &val_set), 3.4746815561167996, 1e-7,
               SEE_OVERFIT, "validation MSE after fit_train, no regularizer");
    CHECK_NEAR(val_curve[0], 0.51663651804332278, 1e-12, SEE_OVERFIT,
               "val_curve[0]: validation MSE of w = 0, before any step");
    CHECK_NEAR(val_curve[5], 0.08499863921625898, 1e-9, SEE_OVERFIT,
               "val_curve[5]: validation MSE after 500 steps");
    /* the rest of the chapter's table: evaluations 0, 1, 5, 10 and 100 */
    const int evals[5] = {0, 1, 5, 10, 100};
    const double train_want[5] = {0.82643830789549366, 0.052423840014218091,
                                  0.032324452573776537, 0.030338064845626327,
                                  0.026188479773403411};
    const double val_want[5] = {0.51663651804332278, 0.079572977615475202,
                                0.084998639216258984, 0.096401632170408758,
                                0.30038427428564252};
    for (int i = 0; i < 5; i++) {
        int e = evals[i];
        if (e == 0)
            MISTAKE(train_want[1], "train_curve[0] is recorded after the "
                                   "first eval_every steps, not before the "
                                   "first step");
        CHECK_NEAR(train_curve[e], train_want[i], 1e-9, SEE_OVERFIT,
                   "train_curve[%d]: training MSE after %d steps", e,
                   100 * e);
        CHECK_NEAR(val_curve[e], val_want[i], 1e-9, SEE_OVERFIT,
                   "val_curve[%d]: validation MSE after %d steps", e,
                   100 * e);
    }
    CHECK_NEAR(penalized_norm(w), 6.8138933496191862, 1e-7, SEE_L2,
               "||w[1..9]|| after fit_train, no regularizer (the lambda = 0 "
               "row of the L2 table)");
    /* the data set is provided; this guards the chapter's sentence on
     * where the training points lie */
    double lo = 1.0, hi = 0.0;
    for (int i = 0; i < train_set.m; i++) {
        lo = fmin(lo, train_set.x[i]);
        hi = fmax(hi, train_set.x[i]);
    }
    CHECK(fabs(lo - 0.123109) < 1e-6 && fabs(hi - 0.877349) < 1e-6,
          SEE_OVERFIT,
          "the training points lie between x = 0.123 and x = 0.877; got "
          "%.6f and %.6f",
          lo, hi);
}

GRADED(regularization, fit_with_l2_reaches_documented_losses, 2) {
    double w[POLY_N];
    fit(w, REG_L2, 0.1, 0, NULL);
    MISTAKE(0.081139215920601179, "the bias w[0] is penalized too");
    MISTAKE(0.12103909331321647, "the gradient added is 2 lambda w");
    MISTAKE(3.4746815561167996, "REG_L2 adds no penalty");
    CHECK_NEAR(polyfit_mse(w, &val_set), 0.083708145871220607, 1e-9,
               SEE_L2, "validation MSE after fit_train with REG_L2, "
                       "lambda=0.1");
    CHECK_NEAR(polyfit_mse(w, &train_set), 0.058933476708907667, 1e-9,
               SEE_L2, "training MSE after the same run");
    CHECK_NEAR(penalized_norm(w), 1.3571898897283785, 1e-9, SEE_L2,
               "||w[1..9]|| after the same run");
}

GRADED(regularization, l2_sweep_trades_training_loss_for_smaller_weights,
       2) {
    /* the rows of the chapter's lambda sweep that the other tests do not
     * already check (lambda = 0 and 0.1) */
    const double lambdas[4] = {1e-4, 1e-3, 1e-2, 1.0};
    const double train[4] = {0.019288668903785736, 0.024353620334766454,
                             0.030289772100884377, 0.32610965307603507};
    const double val[4] = {2.5718675111515314, 0.53301884423864054,
                           0.10355606699385596, 0.38171840873523666};
    const double norm[4] = {5.8799869510740841, 2.8792449374819302,
                            1.7852049115535267, 0.52457822821153632};
    double w[POLY_N];
    for (int i = 0; i < 4; i++) {
        fit(w, REG_L2, lambdas[i], 0, NULL);
        /* the small-lambda fit is the least damped: 1e-7 on 2.57, as for
         * the unregularized one */
        CHECK_NEAR(polyfit_mse(w, &val_set), val[i], i == 0 ? 1e-7 : 1e-9,
                   SEE_L2, "validation MSE after fit_train with REG_L2, "
                           "lambda=%g",
                   lambdas[i]);
        CHECK_NEAR(polyfit_mse(w, &train_set), train[i], 1e-9, SEE_L2,
                   "training MSE after fit_train with REG_L2, lambda=%g",
                   lambdas[i]);
        CHECK_NEAR(penalized_norm(w), norm[i], i == 0 ? 1e-7 : 1e-9, SEE_L2,
                   "||w[1..9]|| after fit_train with REG_L2, lambda=%g",
                   lambdas[i]);
    }
}

static int zeros(const double *w) {
    int count = 0;
    for (int j = 1; j < POLY_N; j++)
        count += w[j] == 0.0;
    return count;
}

GRADED(regularization, fit_with_l1_prox_gives_exact_zeros, 2) {
    double w[POLY_N];
    static double val_curve[1001];
    fit(w, REG_L1_PROX, 0.03, 0, val_curve);
    MISTAKE(0.091968384661067604, "the bias w[0] is thresholded too");
    MISTAKE(0.72475197621222065, "the threshold is lambda, not lr * lambda");
    CHECK_NEAR(polyfit_mse(w, &val_set), 0.095698485787763243, 1e-9, SEE_L1,
               "validation MSE after fit_train with REG_L1_PROX, "
               "lambda=0.03");
    CHECK_INT(zeros(w), 6, SEE_L1,
              "exact zeros among w[1..9] after the REG_L1_PROX run");
    CHECK_NEAR(polyfit_mse(w, &train_set), 0.048458522074386605, 1e-9,
               SEE_L1, "training MSE after the REG_L1_PROX run");
    /* the chapter's table of weights; the zeros are checked above */
    const double prox[POLY_N] = {-0.08336519402806368, -0.71207147769519707,
                                 0.0, 1.6523384651824879, 0.0, 0.0, 0.0, 0.0,
                                 0.0, -0.0091795635260718735};
    for (int j = 0; j < POLY_N; j++)
        CHECK_NEAR(w[j], prox[j], 1e-9, SEE_L1,
                   "w[%d] after the REG_L1_PROX run", j);
    int best = 0;
    for (int e = 1; e < 1001; e++)
        if (val_curve[e] < val_curve[best]) best = e;
    CHECK_INT(best * 100, 1300, SEE_L1,
              "the step of the lowest validation MSE of the REG_L1_PROX run");
    CHECK_NEAR(val_curve[best], 0.053394307842121951, 1e-9, SEE_L1,
               "the lowest validation MSE of the REG_L1_PROX run");
    fit(w, REG_L1_SUBGRAD, 0.03, 0, NULL);
    CHECK_NEAR(polyfit_mse(w, &val_set), 0.095145853897906252, 1e-9, SEE_L1,
               "validation MSE after fit_train with REG_L1_SUBGRAD, "
               "lambda=0.03");
    CHECK_INT(zeros(w), 0, SEE_L1,
              "exact zeros among w[1..9] after the REG_L1_SUBGRAD run "
              "(subgradient steps hover around 0, never on it)");
    CHECK_NEAR(polyfit_mse(w, &train_set), 0.048326584235716445, 1e-9,
               SEE_L1, "training MSE after the REG_L1_SUBGRAD run");
    const double sub[POLY_N] = {
        -0.083192426709531989,   -0.71378748457868946,
        0.0015807054712250602,   1.6499257081332734,
        -0.0013606465729496524,  -0.0027160873662328343,
        0.00012265170810897292,  0.0028814482061714775,
        -0.00027297079872795919, -0.0077313501653435033};
    for (int j = 0; j < POLY_N; j++)
        CHECK_NEAR(w[j], sub[j], 1e-9, SEE_L1,
                   "w[%d] after the REG_L1_SUBGRAD run", j);
}

GRADED(regularization, fit_with_early_stopping_restores_best_weights, 3) {
    double w[POLY_N];
    FitResult res = fit(w, REG_NONE, 0.0, 10, NULL);
    MISTAKE(1300, "the run stops one evaluation late (bad_evals > "
                  "patience)");
    MISTAKE(100000, "early stopping never stops the run");
    CHECK_INT(res.steps, 1200, SEE_EARLY,
              "steps before early stopping (patience 10, every 100 steps)");
    CHECK_INT(res.best_step, 200, SEE_EARLY, "FitResult.best_step");
    MISTAKE(0.10131276838688449, "w keeps the last weights, not those of "
                                 "the best evaluation");
    CHECK_NEAR(polyfit_mse(w, &val_set), 0.077316404843946071, 1e-10,
               SEE_EARLY, "validation MSE of the returned weights (those "
                          "of step 200)");
    CHECK_NEAR(polyfit_mse(w, &train_set), 0.037009527419123674, 1e-10,
               SEE_EARLY, "training MSE of the returned weights");
}

/* The other way a run with early stopping ends: the step budget (1000
 * steps) runs out before the patience (10 evaluations of 100 steps) does.
 * The weights returned are still the best evaluation's, those of step 200,
 * not the last ones (validation MSE 0.0964 at step 1000). */
GRADED(regularization, fit_keeps_best_weights_when_steps_run_out_first, 2) {
    double w[POLY_N];
    static double val_curve[11];
    polyfit_data(&train_set, 12, 0.2, 1);
    polyfit_data(&val_set, 100, 0.2, 2);
    const FitConfig cfg = {.lr = 0.05, .max_steps = 1000, .reg = REG_NONE,
                           .lambda = 0.0, .eval_every = 100, .patience = 10};
    memset(w, 0, sizeof w);
    FitResult res = fit_train(w, &train_set, &val_set, &cfg, NULL, val_curve);
    CHECK_INT(res.steps, 1000, SEE_EARLY,
              "steps with early stopping on (patience 10, every 100 steps) "
              "and max_steps 1000: the budget ends the run first");
    MISTAKE(0.096401632170408758,
            "w keeps the last weights when the step budget, not the "
            "patience, ends the run: the best evaluation's weights are "
            "returned either way");
    CHECK_NEAR(polyfit_mse(w, &val_set), 0.077316404843946071, 1e-10,
               SEE_EARLY,
               "validation MSE of the weights returned after 1000 steps "
               "(patience 10, never reached): those of step 200, the best "
               "evaluation");
    MISTAKE(1000, "best_step is the last step when the step budget ends "
                  "the run: it is the step of the weights w holds, the best "
                  "evaluation's");
    CHECK_INT(res.best_step, 200, SEE_EARLY,
              "FitResult.best_step after 1000 steps (patience 10, never "
              "reached)");
    CHECK_NEAR(val_curve[10], 0.096401632170408758, 1e-10, SEE_EARLY,
               "val_curve[10]: the validation MSE at step 1000 is still "
               "evaluated and recorded");
}

/* ---- Gradients through many layers ------------------------------------- */

GRADED(regularization, backprop_chain_applies_transposes_in_reverse_order,
       2) {
    /* W_1 = [[1,2],[0,1]], W_2 = [[1,0],[1,1]], g = dL/dh_2 = (3,1):
     * W_2^T g = (4,1), then W_1^T (4,1) = (4,9). */
    const double W[2][4] = {{1, 2, 0, 1}, {1, 0, 1, 1}};
    double g[2] = {3.0, 1.0}, norms[3] = {NAN, NAN, NAN};
    backprop_linear_chain(norms, g, &W[0][0], 2, 2);
    const double want[2] = {4.0, 9.0};
    const double no_transpose[2] = {11.0, 4.0}; /* W_1 W_2 g */
    const double forward_order[2] = {10.0, 7.0}; /* W_2^T W_1^T g */
    for (int i = 0; i < 2; i++) {
        MISTAKE(no_transpose[i], "W_t is applied instead of its transpose");
        MISTAKE(forward_order[i], "the layers are applied in forward order, "
                                  "W_1 first");
        CHECK_NEAR(g[i], want[i], 1e-12, SEE_CHAIN,
                   "g[%d] after backprop_linear_chain(g=(3,1), "
                   "W_1=[[1,2],[0,1]], W_2=[[1,0],[1,1]]): "
                   "W_1^T W_2^T g = (4, 9)",
                   i);
    }
    CHECK_NEAR(norms[0], sqrt(10.0), 1e-12, SEE_CHAIN,
               "norms[0]: ||g|| before any layer, ||(3,1)||");
    CHECK_NEAR(norms[1], sqrt(17.0), 1e-12, SEE_CHAIN,
               "norms[1]: ||W_2^T g|| = ||(4,1)||");
    CHECK_NEAR(norms[2], sqrt(97.0), 1e-12, SEE_CHAIN,
               "norms[2]: ||W_1^T W_2^T g|| = ||(4,9)||");
}

GRADED(regularization, backprop_chain_through_50_gaussian_layers, 2) {
    enum { K = 50, N = 64 };
    static double W[K * N * N];
    const double scales[3] = {0.5, 1.0, 1.5};
    /* the chapter's table: norms[k] for k = 10, 20, ..., 50 */
    const double want[3][5] = {
        {0.00068259253358025256, 4.7240228888478278e-07,
         4.5388249549600767e-10, 6.7560823604129918e-13,
         6.3136675824039185e-16},
        {0.69897475438617862, 0.49534970246964999, 0.48735261859555506,
         0.74283911134864089, 0.71085577428638669},
        {40.306406515380324, 1647.1649318801576, 93450.3808356175,
         8213818.9151736787, 453256925.23630583},
    };
    for (int s = 0; s < 3; s++) {
        Rng rng;
        rng_seed(&rng, 3);
        chain_gaussian_layers(W, K, N, scales[s], &rng);
        double g[N], norms[K + 1];
        for (int i = 0; i < N; i++)
            g[i] = 1.0 / sqrt((double)N);
        backprop_linear_chain(norms, g, W, K, N);
        CHECK_NEAR(norms[0], 1.0, 1e-12, SEE_CHAIN,
                   "norms[0], the norm of the unit upstream gradient");
        /* 1e-5: products and norms accumulated in float drift up to 1e-6
         * over 50 layers; W instead of W^T, or the layers in forward
         * order, are off by 15% or more. */
        for (int i = 0; i < 5; i++)
            CHECK_REL(norms[10 * (i + 1)], want[s][i], 1e-5, SEE_CHAIN,
                      "||dL/dh_0|| after %d Gaussian layers (n=64, scale "
                      "%g, seed 3, g = unit vector of equal entries)",
                      10 * (i + 1), scales[s]);
    }
}
