/* tests/schedules.c: chapter 5, learning-rate schedules -- graded tests.
 *
 * Most checks sit at the steps where off-by-one mistakes live: step 0, the
 * last step before a change, the step where it happens, and the end. */
#include "gd.h"
#include "grading.h"
#include "rng.h"
#include "schedules.h"

#define SEE_STEP "chapter 5, section 5.2 'Step and multi-step decay'"
#define SEE_EXP "chapter 5, section 5.3 'Exponential and inverse-time decay'"
#define SEE_COSINE "chapter 5, section 5.4 'Cosine annealing'"
#define SEE_WARMUP "chapter 5, section 5.5 'Warm-up'"
#define SEE_PLATEAU "chapter 5, section 5.6 'Reduce on plateau'"
#define SEE_LOOP "chapter 5, section 5.7 'Schedules in a training loop'"
#define SEE_NOISY "chapter 5, section 5.8 'The effect on a noisy run'"

/* A rate is a product of a few roundings: 1e-13 relative accepts every
 * ordering of the same formula; the off-by-ones checked below are all more
 * than 1e-4 relative away. */
#define RATE_TOL(want) (1e-15 + 1e-13 * fabs(want))

GRADED(schedules, step_decay_drops_exactly_at_multiples_of_step_size, 3) {
    const StepDecay s = {.lr0 = 0.1, .step_size = 10, .gamma = 0.5};
    const int ts[6] = {0, 9, 10, 15, 19, 20};
    const double want[6] = {0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
    for (int i = 0; i < 6; i++) {
        int t = ts[i];
        MISTAKE(0.1 * pow(0.5, (t + 1) / 10), "the drop comes one step "
                                              "early: (t + 1) / step_size");
        MISTAKE(0.1 * pow(0.5, t > 0 ? (t - 1) / 10 : 0),
                "the drop comes one step late: (t - 1) / step_size");
        MISTAKE(0.1 * pow(0.5, t / 10.0),
                "the exponent t / step_size is not rounded down (integer "
                "division)");
        CHECK_NEAR(lr_step_decay(&s, t), want[i], RATE_TOL(want[i]), SEE_STEP,
                   "lr_step_decay(lr0=0.1, step_size=10, gamma=0.5) at t=%d",
                   t);
    }
}

GRADED(schedules, multistep_decays_at_each_milestone, 2) {
    const MultiStepDecay s = {.lr0 = 1.0, .milestones = {30, 80},
                              .n_milestones = 2, .gamma = 0.1};
    const int ts[6] = {0, 29, 30, 79, 80, 500};
    const double want[6] = {1.0, 1.0, 0.1, 0.1, 0.01, 0.01};
    for (int i = 0; i < 6; i++) {
        int t = ts[i];
        int late = (t > 30) + (t > 80), early = (t >= 29) + (t >= 79);
        /* at t >= 80 the one-drop value 0.1 is also the late count's, but
         * a late count already fails at t = 30 */
        if (t >= 80)
            MISTAKE(0.1, "gamma is applied once, not once per milestone "
                         "passed: lr = lr0 * gamma is assigned where "
                         "lr *= gamma multiplies");
        /* a late count fails at t = 30 already, and a milestone read past
         * the end at t = 0: later, their values are other slips' */
        if (t <= 30)
            MISTAKE(pow(0.1, late), "a milestone m is counted only once t > "
                                    "m; step m itself is the first at the "
                                    "lower rate (m <= t)");
        MISTAKE(pow(0.1, early), "the drop comes one step early");
        if (t == 0)
            MISTAKE(pow(0.1, 1 + (t >= 30) + (t >= 80)),
                    "the loop reads one milestone past n_milestones "
                    "(i <= n_milestones): the unused entries are 0, a "
                    "milestone every t has passed");
        CHECK_NEAR(lr_multistep_decay(&s, t), want[i], RATE_TOL(want[i]),
                   SEE_STEP,
                   "lr_multistep_decay(lr0=1, milestones={30, 80}, "
                   "gamma=0.1) at t=%d",
                   t);
    }
    const MultiStepDecay none = {.lr0 = 0.5, .n_milestones = 0, .gamma = 0.1};
    CHECK_NEAR(lr_multistep_decay(&none, 100), 0.5, 1e-15, SEE_STEP,
               "lr_multistep_decay with no milestones at t=100 (constant)");
}

GRADED(schedules, exp_decay_follows_lr0_e_to_minus_lambda_t, 2) {
    const ExpDecay s = {.lr0 = 0.1, .lambda = 0.05};
    const int ts[5] = {0, 1, 20, 40, 100};
    for (int i = 0; i < 5; i++) {
        int t = ts[i];
        double want = 0.1 * exp(-0.05 * t);
        MISTAKE(0.1 * exp(0.05 * t), "the exponent has the wrong sign");
        MISTAKE(0.1 * exp(-0.05 * (t + 1)), "t + 1 is used instead of t");
        MISTAKE(0.1 * pow(0.05, t), "lambda is used as a factor per step");
        CHECK_NEAR(lr_exp_decay(&s, t), want, RATE_TOL(want), SEE_EXP,
                   "lr_exp_decay(lr0=0.1, lambda=0.05) at t=%d "
                   "(= lr0 exp(-lambda t))",
                   t);
    }
}

GRADED(schedules, gamma_decay_matches_exp_decay_with_gamma_e_to_minus_lambda,
       2) {
    const GammaDecay s = {.lr0 = 0.1, .gamma = exp(-0.05)};
    const int ts[4] = {0, 1, 20, 40};
    for (int i = 0; i < 4; i++) {
        int t = ts[i];
        double want = 0.1 * exp(-0.05 * t);
        MISTAKE(0.1 * pow(exp(-0.05), t + 1), "gamma^(t + 1) is used: the "
                                              "rate at t = 0 must be lr0");
        MISTAKE(0.1 * exp(-0.05) * t, "gamma * t is used for gamma^t");
        /* pow and exp round differently: a few ulps apart, not the same */
        CHECK_NEAR(lr_gamma_decay(&s, t), want, 1e-14 * want + 1e-16, SEE_EXP,
                   "lr_gamma_decay(lr0=0.1, gamma=exp(-0.05)) at t=%d "
                   "(= lr0 gamma^t)",
                   t);
    }
}

GRADED(schedules, inverse_time_decay_halves_the_rate_when_k_t_is_one, 2) {
    const InverseTimeDecay s = {.lr0 = 0.1, .k = 0.5};
    const int ts[4] = {0, 1, 2, 10};
    for (int i = 0; i < 4; i++) {
        int t = ts[i];
        double want = 0.1 / (1.0 + 0.5 * t);
        /* t + 1 fails at t = 0 already; at t = 1 its 0.05 is the linear
         * decay's */
        if (t == 0)
            MISTAKE(0.1 / (1.0 + 0.5 * (t + 1)), "t + 1 is used instead of t");
        MISTAKE(0.1 * (1.0 - 0.5 * t), "a linear decay lr0 (1 - k t) is "
                                       "used");
        MISTAKE(0.1 / (1.0 + 0.5) * t, "the division binds wrongly: "
                                       "lr0 / (1 + k) * t");
        MISTAKE(0.1 / 1.0 + 0.5 * t, "the parentheses around 1 + k t are "
                                     "missing: lr0 / 1 + k t");
        CHECK_NEAR(lr_inverse_time(&s, t), want, RATE_TOL(want), SEE_EXP,
                   "lr_inverse_time(lr0=0.1, k=0.5) at t=%d "
                   "(= lr0 / (1 + k t))",
                   t);
    }
}

GRADED(schedules, cosine_starts_at_lr0_and_reaches_lr_min_at_T, 3) {
    const CosineSchedule s = {.lr0 = 0.1, .lr_min = 0.001, .T = 100};
    const int ts[3] = {0, 50, 100};
    const double want[3] = {0.1, 0.0505, 0.001};
    const double no_min[3] = {0.1, 0.05, 0.0};
    const double no_half[3] = {0.199, 0.1, 0.001};
    for (int i = 0; i < 3; i++) {
        MISTAKE(no_min[i], "lr_min is left out: lr0 (1 + cos) / 2");
        MISTAKE(no_half[i], "the factor 1/2 in (1 + cos(pi t / T)) / 2 is "
                            "missing");
        MISTAKE(0.001 + 0.099 * (1 + cos(3.141592653589793 * ts[i] / 99)) / 2,
                "the cosine runs over T - 1 steps instead of T");
        CHECK_NEAR(lr_cosine(&s, ts[i]), want[i], RATE_TOL(want[i]),
                   SEE_COSINE,
                   "lr_cosine(lr0=0.1, lr_min=0.001, T=100) at t=%d", ts[i]);
    }
}

GRADED(schedules, cosine_follows_the_curve_and_holds_lr_min_after_T, 2) {
    const CosineSchedule s = {.lr0 = 0.1, .lr_min = 0.001, .T = 100};
    const double pi = 3.141592653589793;
    const int ts[3] = {25, 75, 99};
    for (int i = 0; i < 3; i++) {
        double want = 0.001 + 0.099 * (1 + cos(pi * ts[i] / 100)) / 2;
        MISTAKE(0.001 + 0.099 * (1 + sin(pi * ts[i] / 100)) / 2,
                "sin is used instead of cos");
        MISTAKE(0.001 + 0.099 * (1 + cos(ts[i] / 100.0)) / 2,
                "the angle is t / T, without the factor pi");
        CHECK_NEAR(lr_cosine(&s, ts[i]), want, RATE_TOL(want), SEE_COSINE,
                   "lr_cosine(lr0=0.1, lr_min=0.001, T=100) at t=%d",
                   ts[i]);
    }
    MISTAKE(0.0505, "past T the formula keeps going and climbs back up; "
                    "hold lr_min for t >= T");
    CHECK_NEAR(lr_cosine(&s, 150), 0.001, 1e-15, SEE_COSINE,
               "lr_cosine(lr0=0.1, lr_min=0.001, T=100) at t=150 (past T)");
}

GRADED(schedules, warmup_climbs_in_a_line_and_reaches_lr0_exactly_at_W, 3) {
    const WarmupSchedule s = {.lr0 = 0.1, .start_factor = 0.1,
                              .warmup_steps = 5};
    for (int t = 0; t < 5; t++) {
        double want = 0.1 * (0.1 + 0.9 * t / 5.0);
        MISTAKE(0.1 * t / 5.0, "the rate starts at 0, not at "
                               "start_factor * lr0");
        MISTAKE(0.1 * (0.1 + 0.9 * t / 4.0), "the line is divided by W - 1 "
                                             "instead of W");
        MISTAKE(0.1 * (0.1 + 0.9 * (t + 1) / 5.0), "t + 1 is used instead "
                                                   "of t");
        MISTAKE(0.1 * (0.1 + 0.9 * t / 6.0), "the warm-up ends one step "
                                             "late (divided by W + 1)");
        MISTAKE(0.1 * (t + 1) / 5.0, "the rate climbs as lr0 (t + 1) / W, "
                                     "from lr0 / W: it must start at "
                                     "start_factor * lr0 at t = 0");
        CHECK_NEAR(lr_warmup(&s, t), want, RATE_TOL(want), SEE_WARMUP,
                   "lr_warmup(lr0=0.1, start_factor=0.1, W=5) at t=%d", t);
    }
    MISTAKE(0.1 * (0.1 + 0.9 * 5 / 6.0), "the warm-up ends one step late "
                                         "(divided by W + 1)");
    CHECK_NEAR(lr_warmup(&s, 5), 0.1, 1e-16, SEE_WARMUP,
               "lr_warmup(lr0=0.1, start_factor=0.1, W=5) at t=W=5");
    const int after[2] = {6, 1000};
    for (int i = 0; i < 2; i++) {
        MISTAKE(0.1 * (0.1 + 0.9 * after[i] / 5.0),
                "the line keeps climbing past W: clamp t at W");
        CHECK_NEAR(lr_warmup(&s, after[i]), 0.1, 1e-16, SEE_WARMUP,
                   "lr_warmup(lr0=0.1, start_factor=0.1, W=5) at t=%d",
                   after[i]);
    }
}

GRADED(schedules, warmup_cosine_hands_over_from_the_line_to_the_cosine_at_W,
       3) {
    const WarmupCosine s = {.lr0 = 0.1, .lr_min = 0.0, .start_factor = 0.1,
                            .warmup_steps = 10, .T = 110};
    const double pi = 3.141592653589793;
    const int ts[7] = {0, 9, 10, 35, 60, 110, 200};
    const double want[7] = {0.01,
                            0.1 * (0.1 + 0.9 * 9 / 10.0),
                            0.1,
                            0.1 * (1 + cos(pi * 25 / 100)) / 2,
                            0.05,
                            0.0,
                            0.0};
    for (int i = 0; i < 7; i++) {
        int t = ts[i];
        MISTAKE(0.1 * (1 + cos(pi * t / 110)) / 2,
                "the cosine is not shifted: it must start at t = W and run "
                "over T - W steps");
        MISTAKE(0.1 * (1 + cos(pi * (t - 10) / 110)) / 2,
                "the cosine runs over T steps instead of T - W");
        MISTAKE(0.1 * (1 + cos(pi * t / 100)) / 2,
                "the cosine's clock starts at t = 0, not at t = W: it "
                "must be evaluated at t - W");
        CHECK_NEAR(lr_warmup_cosine(&s, t), want[i], RATE_TOL(want[i]),
                   SEE_WARMUP,
                   "lr_warmup_cosine(lr0=0.1, lr_min=0, start_factor=0.1, "
                   "W=10, T=110) at t=%d",
                   t);
    }
}

static const PlateauConfig NO_COOLDOWN = {.factor = 0.5, .patience = 2,
                                          .threshold = 0.0, .cooldown = 0,
                                          .min_lr = 0.0};

GRADED(schedules, plateau_cuts_on_the_first_bad_update_after_patience, 3) {
    Plateau p;
    plateau_init(&p, &NO_COOLDOWN, 0.1);
    CHECK(p.lr == 0.1 && isinf(p.best) && p.best > 0 && p.num_bad == 0 &&
              p.cooldown_left == 0 && p.num_cuts == 0 &&
              p.cfg.patience == 2,
          SEE_PLATEAU,
          "plateau_init(lr0=0.1) must give lr=0.1, best=INFINITY and zero "
          "counters, with cfg copied; got lr=%g best=%g num_bad=%d "
          "cooldown_left=%d num_cuts=%d patience=%d",
          p.lr, p.best, p.num_bad, p.cooldown_left, p.num_cuts,
          p.cfg.patience);
    /* the comparison first, on a copy: the first loss beats INFINITY, and
     * the same loss again (threshold 0) is not an improvement */
    Plateau q = p;
    plateau_update(&q, 1.0);
    CHECK(q.best == 1.0 && q.num_bad == 0, SEE_PLATEAU,
          "after the first update (loss 1.0) best must be 1.0 and num_bad "
          "0, as any finite loss is below best = INFINITY; got best=%g "
          "num_bad=%d%s",
          q.best, q.num_bad,
          isinf(q.best) ? ". This is what you get when the improvement "
                          "test has the wrong sign: it is loss < best * "
                          "(1 - threshold)"
                        : "");
    plateau_update(&q, 1.0);
    MISTAKE(0, "a loss equal to the best counts as an improvement: it must "
               "be below best * (1 - threshold), strictly (<, not <=)");
    CHECK_INT(q.num_bad, 1, SEE_PLATEAU,
              "num_bad after the same loss 1.0 twice (threshold 0)");
    //> plateau_test
    /* patience 2: two bad updates are tolerated, the third cuts */
    const double want[5] = {0.1, 0.1, 0.1, 0.05, 0.05};
    for (int e = 0; e < 5; e++) {
        double lr = plateau_update(&p, 1.0);
        if (e == 2) MISTAKE(0.05, "the cut comes after `patience` bad "
                                  "updates; it must come after patience + 1 "
                                  "(num_bad > patience)");
        if (e == 3) MISTAKE(0.1, "the cut comes one update late "
                                 "(num_bad > patience + 1)");
        if (e == 4) MISTAKE(0.025, "num_bad is not reset to 0 by the cut, "
                                   "so every later bad update cuts again");
        CHECK_NEAR(lr, want[e], 1e-15, SEE_PLATEAU,
                   "the rate plateau_update returns after update %d of a "
                   "constant loss 1.0 (factor 0.5, patience 2, lr0 0.1); "
                   "update 0 sets best, 1 and 2 are tolerated, 3 cuts",
                   e);
    }
    //< plateau_test
    CHECK_INT(p.num_cuts, 1, SEE_PLATEAU, "num_cuts after those 5 updates");
    CHECK_INT(p.num_bad, 1, SEE_PLATEAU,
              "num_bad after those 5 updates (reset to 0 by the cut, then "
              "one more bad update)");
}

GRADED(schedules, plateau_threshold_is_relative_to_the_best_loss, 2) {
    const PlateauConfig cfg = {.factor = 0.5, .patience = 5,
                               .threshold = 0.1, .cooldown = 0,
                               .min_lr = 0.0};
    Plateau p;
    plateau_init(&p, &cfg, 0.1);
    plateau_update(&p, 10.0);
    /* 9.5 is better than 10 but not by 10%: 9.5 >= 10 * (1 - 0.1) = 9 */
    plateau_update(&p, 9.5);
    MISTAKE(9.5, "any decrease counts as an improvement: the threshold is "
                 "left out, absolute (best - threshold) or added (best * "
                 "(1 + threshold)); it must be relative: "
                 "loss < best * (1 - threshold)");
    CHECK_NEAR(p.best, 10.0, 0.0, SEE_PLATEAU,
               "best after losses 10, 9.5 with threshold 0.1 (rel)");
    CHECK_INT(p.num_bad, 1, SEE_PLATEAU,
              "num_bad after losses 10, 9.5 with threshold 0.1");
    plateau_update(&p, 8.9); /* 8.9 < 9: a real improvement */
    CHECK_NEAR(p.best, 8.9, 0.0, SEE_PLATEAU,
               "best after losses 10, 9.5, 8.9 with threshold 0.1");
    CHECK_INT(p.num_bad, 0, SEE_PLATEAU,
              "num_bad after an improvement (losses 10, 9.5, 8.9)");
}

GRADED(schedules, plateau_improvement_resets_the_count_of_bad_updates, 2) {
    Plateau p;
    plateau_init(&p, &NO_COOLDOWN, 0.1);
    /* good, bad, bad, good, bad, bad: never 3 bad in a row, no cut */
    const double losses[6] = {1.0, 1.0, 1.0, 0.5, 0.6, 0.7};
    for (int e = 0; e < 6; e++)
        plateau_update(&p, losses[e]);
    MISTAKE(0.05, "an improvement does not reset num_bad to 0");
    MISTAKE(0.025, "every update counts as bad: the improvement test has "
                   "the wrong sign (it is loss < best * (1 - threshold))");
    /* cutting at num_bad >= patience cuts at updates 2 and 5 too: the same
     * 0.025, so the message names both causes */
    MISTAKE(0.025, "the cut comes after `patience` bad updates; it must come "
                   "after patience + 1 (num_bad > patience)");
    CHECK_NEAR(p.lr, 0.1, 1e-15, SEE_PLATEAU,
               "rate after losses 1, 1, 1, 0.5, 0.6, 0.7 with patience 2: "
               "the improvement to 0.5 must reset num_bad, so no cut yet");
    CHECK_NEAR(plateau_update(&p, 0.5), 0.05, 1e-15, SEE_PLATEAU,
               "rate after one more bad loss 0.5 (the third bad in a row)");
}

GRADED(schedules, plateau_cooldown_ignores_bad_updates_after_a_cut, 2) {
    const PlateauConfig cfg = {.factor = 0.5, .patience = 0,
                               .threshold = 0.0, .cooldown = 2,
                               .min_lr = 0.0};
    Plateau p;
    plateau_init(&p, &cfg, 0.1);
    /* update 1 cuts; 2 and 3 are cooldown; 4 cuts again */
    const double want[5] = {0.1, 0.05, 0.05, 0.05, 0.025};
    for (int e = 0; e < 5; e++) {
        double lr = plateau_update(&p, 1.0);
        if (e == 2 || e == 3)
            MISTAKE(0.025, "bad updates during cooldown are counted; "
                           "cooldown must reset num_bad");
        CHECK_NEAR(lr, want[e], 1e-15, SEE_PLATEAU,
                   "rate after update %d of a constant loss 1.0 with "
                   "patience 0, cooldown 2",
                   e);
    }
    CHECK_INT(p.num_cuts, 2, SEE_PLATEAU, "num_cuts after those 5 updates");
}

GRADED(schedules, plateau_never_cuts_below_min_lr, 2) {
    const PlateauConfig cfg = {.factor = 0.1, .patience = 0,
                               .threshold = 0.0, .cooldown = 0,
                               .min_lr = 0.002};
    Plateau p;
    plateau_init(&p, &cfg, 0.1);
    const double want[4] = {0.1, 0.01, 0.002, 0.002};
    for (int e = 0; e < 4; e++) {
        double lr = plateau_update(&p, 1.0);
        if (e == 1)
            MISTAKE(0.002, "the cut takes the smaller of lr * factor and "
                           "min_lr (fmin); it is the larger (fmax)");
        if (e == 2)
            MISTAKE(0.001, "min_lr is not applied: the cut is "
                           "max(lr * factor, min_lr)");
        CHECK_NEAR(lr, want[e], 1e-15, SEE_PLATEAU,
                   "rate after update %d of a constant loss with factor "
                   "0.1, patience 0, min_lr 0.002 (lr0 0.1; update 0 sets "
                   "best, every later one is bad and, with patience 0, "
                   "cuts)",
                   e);
    }
}

GRADED(schedules, plateau_reproduces_the_chapters_eight_epochs, 2) {
    const PlateauConfig cfg = {.factor = 0.5, .patience = 2,
                               .threshold = 0.01, .cooldown = 0,
                               .min_lr = 0.0};
    const double loss[8] = {1.0, 0.8, 0.799, 0.85, 0.81, 0.7, 0.75, 0.7};
    /* the table of section 5.6: best, num_bad and lr after each epoch */
    const double best[8] = {1.0, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7};
    const int num_bad[8] = {0, 0, 1, 2, 0, 0, 1, 2};
    const double lr[8] = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05};
    Plateau p;
    plateau_init(&p, &cfg, 0.1);
    for (int e = 0; e < 8; e++) {
        double got = plateau_update(&p, loss[e]);
        if (e == 2)
            MISTAKE(0.799, "0.799 < 0.8 counts as an improvement: it must "
                           "beat best * (1 - threshold) = 0.792");
        CHECK_NEAR(p.best, best[e], 0.0, SEE_PLATEAU,
                   "best after epoch %d of the chapter's trace (losses 1, "
                   "0.8, 0.799, 0.85, 0.81, 0.7, 0.75, 0.7; factor 0.5, "
                   "patience 2, threshold 0.01)",
                   e);
        /* 3 bad updates at epoch 4: after a cut that did not reset the
         * count, or with no cut at all */
        if (e == 4 && got == lr[e])
            MISTAKE(3, "num_bad is not reset to 0 by the cut");
        else if (e == 4)
            MISTAKE(3, "there was no cut at the third bad update in a row: "
                       "it must come as soon as num_bad > patience");
        CHECK_INT(p.num_bad, num_bad[e], SEE_PLATEAU,
                  "num_bad after epoch %d of the chapter's trace", e);
        CHECK_NEAR(got, lr[e], 1e-15, SEE_PLATEAU,
                   "the rate plateau_update returns at epoch %d of the "
                   "chapter's trace",
                   e);
    }
}

/* L(theta) = (theta - 3)^2, as in chapter 1. */
static double parabola(const double *x, void *ctx) {
    (void)ctx;
    return (x[0] - 3.0) * (x[0] - 3.0);
}
static void parabola_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 2.0 * (x[0] - 3.0);
}
static const Objective PARABOLA = {parabola, parabola_grad, NULL, 1};

GRADED(schedules, noisy_run_without_noise_is_gradient_descent, 2) {
    double theta = 0.0, losses[12];
    for (int k = 0; k < 12; k++)
        losses[k] = NAN;
    const Schedule s = {.kind = LR_CONSTANT, .constant = 0.1};
    Rng rng;
    rng_seed(&rng, 1);
    noisy_gd_run(&theta, &PARABOLA, &s, 10, 0.0, &rng, losses);
    double want = 3.0 - 3.0 * pow(0.8, 10);
    MISTAKE(3.0 - 3.0 * pow(0.8, 9), "the loop takes 9 steps, not 10");
    MISTAKE(3.0 - 3.0 * pow(0.8, 11), "the loop takes 11 steps, not 10");
    CHECK_NEAR(theta, want, 1e-12, SEE_LOOP,
               "theta after noisy_gd_run on (theta-3)^2 from 0, constant "
               "lr 0.1, noise 0, 10 steps (= 3 - 3 * 0.8^10)");
    MISTAKE(5.76, "losses[t] is written after step t, one step late: "
                  "losses[0] must be f(x_0), before any step");
    CHECK_NEAR(losses[0], 9.0, 1e-12, SEE_LOOP,
               "losses[0] must be f(x_0) = (0 - 3)^2, before any step");
    CHECK_NEAR(losses[10], (want - 3) * (want - 3), 1e-12, SEE_LOOP,
               "losses[10], the loss after the last step");
    CHECK(isnan(losses[11]), SEE_LOOP,
          "noisy_gd_run wrote losses[11], past losses[steps]");
}

GRADED(schedules, noisy_run_uses_the_rate_of_step_t_at_step_t, 2) {
    /* the rate halves every step: 0.4, 0.2, 0.1; the error e = theta - 3
     * is multiplied by 1 - 2 lr at each step */
    double theta = 0.0;
    const Schedule s = {.kind = LR_STEP,
                        .step = {.lr0 = 0.4, .step_size = 1, .gamma = 0.5}};
    Rng rng;
    rng_seed(&rng, 1);
    noisy_gd_run(&theta, &PARABOLA, &s, 3, 0.0, &rng, NULL);
    /* the loop's hint holds only if the schedule itself is right */
    bool rates_ok = true;
    for (int t = 0; t < 3; t++)
        rates_ok &= fabs(schedule_lr(&s, t) - 0.4 * pow(0.5, t)) <= 1e-15;
    if (rates_ok)
        MISTAKE(3.0 - 3.0 * 0.6 * 0.8 * 0.9, "step t uses the rate of t + "
                                             "1: the first step must use "
                                             "lr(0)");
    CHECK_NEAR(theta, 3.0 - 3.0 * 0.2 * 0.6 * 0.8, 1e-12, SEE_LOOP,
               "theta after 3 steps on (theta-3)^2 from 0 with lr(t) = "
               "0.4 * 0.5^t (= 3 - 3 * 0.2 * 0.6 * 0.8)%s",
               rates_ok ? ""
                        : "; your schedule_lr does not give 0.4, 0.2, 0.1 "
                          "at t = 0, 1, 2 for this step decay: fix "
                          "lr_step_decay first");
}

/* f = (x^2 + 4 y^2) / 2, for checking the noise one draw at a time. */
static double bowl(const double *x, void *ctx) {
    (void)ctx;
    return 0.5 * (x[0] * x[0] + 4.0 * x[1] * x[1]);
}
static void bowl_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = x[0];
    g[1] = 4.0 * x[1];
}

GRADED(schedules, noisy_run_adds_one_seeded_draw_per_coordinate, 2) {
    const Objective obj = {bowl, bowl_grad, NULL, 2};
    const Schedule s = {.kind = LR_CONSTANT, .constant = 0.1};
    double x[2] = {1.0, 1.0};
    Rng rng;
    rng_seed(&rng, 42);
    noisy_gd_run(x, &obj, &s, 2, 0.5, &rng, NULL);
    /* the same two steps by hand, with the draws in the documented order */
    double want[2] = {1.0, 1.0};
    const double curv[2] = {1.0, 4.0};
    Rng ref;
    rng_seed(&ref, 42);
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 2; i++) {
            double g = curv[i] * want[i] + 0.5 * rng_gaussian(&ref);
            want[i] -= 0.1 * g;
        }
    /* the typical slip: one draw per step, shared by the coordinates */
    double shared[2] = {1.0, 1.0};
    rng_seed(&ref, 42);
    for (int t = 0; t < 2; t++) {
        double z = rng_gaussian(&ref);
        for (int i = 0; i < 2; i++)
            shared[i] -= 0.1 * (curv[i] * shared[i] + 0.5 * z);
    }
    for (int i = 0; i < 2; i++) {
        MISTAKE(shared[i], "one rng_gaussian draw per step is shared by "
                           "all coordinates: draw one for each i, in order");
        CHECK_NEAR(x[i], want[i], 1e-12, SEE_LOOP,
                   "x[%d] after 2 noisy steps on (x^2 + 4y^2)/2 from (1, 1), "
                   "lr 0.1, noise 0.5, seed 42: one rng_gaussian draw per "
                   "coordinate, in order, times noise, added to the gradient",
                   i);
    }
}

/* The chapter's experiment: f = 1/2 sum l_i x_i^2, l_i = 100^(i/9). */
enum { NQ = 10, STEPS = 1000, EPOCH = 25 };
static double quadratic(const double *x, void *ctx) {
    (void)ctx;
    double f = 0.0;
    for (int i = 0; i < NQ; i++)
        f += 0.5 * pow(100.0, i / 9.0) * x[i] * x[i];
    return f;
}
static void quadratic_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    for (int i = 0; i < NQ; i++)
        g[i] = pow(100.0, i / 9.0) * x[i];
}
static const Objective QUADRATIC = {quadratic, quadratic_grad, NULL, NQ};

/* The mean of the last 100 losses, losses[STEPS - 99..STEPS], as the
 * chapter's table prints it. */
static double tail_mean(const double *losses) {
    double sum = 0.0;
    for (int k = STEPS - 99; k <= STEPS; k++)
        sum += losses[k];
    return sum / 100.0;
}

GRADED(schedules, decaying_rates_end_below_the_noise_floor, 3) {
    const Schedule runs[6] = {
        {.kind = LR_CONSTANT, .constant = 0.01},
        {.kind = LR_STEP, .step = {.lr0 = 0.01, .step_size = 250,
                                   .gamma = 0.5}},
        {.kind = LR_MULTISTEP,
         .multistep = {.lr0 = 0.01, .milestones = {500, 750},
                       .n_milestones = 2, .gamma = 0.1}},
        {.kind = LR_INVERSE_TIME, .inverse_time = {.lr0 = 0.01, .k = 0.01}},
        {.kind = LR_COSINE, .cosine = {.lr0 = 0.01, .lr_min = 0.0,
                                       .T = STEPS}},
        {.kind = LR_WARMUP_COSINE,
         .warmup_cosine = {.lr0 = 0.01, .lr_min = 0.0, .start_factor = 0.1,
                           .warmup_steps = 50, .T = STEPS}},
    };
    const char *names[6] = {"constant 0.01", "step (250, 0.5)",
                            "multi-step (/10 at 500 and 750)",
                            "inverse time (k = 0.01)",
                            "cosine to 0 over 1000 steps",
                            "warm-up over 50 steps + cosine to 0"};
    /* The run is linear in the noise and stable: rounding differences
     * between correct implementations stay near 1e-15 relative. */
    const double final[6] = {0.044545424641961831, 0.0045842668702417138,
                             0.0051210789307259428, 0.0053977243030646996,
                             0.0018451975537050397, 0.0017879179438168122};
    const double mean[6] = {0.026896423715194601, 0.002466907671198277,
                            0.0052226784546890023, 0.0045866722992774847,
                            0.001898523565803508, 0.0018422578396281157};
    static double losses[STEPS + 1];
    double got = NAN; /* the constant's mean of its last 100 losses */
    for (int r = 0; r < 6; r++) {
        double x[NQ];
        for (int i = 0; i < NQ; i++)
            x[i] = 1.0;
        Rng rng;
        rng_seed(&rng, 5);
        noisy_gd_run(x, &QUADRATIC, &runs[r], STEPS, 1.0, &rng, losses);
        if (r == 0)
            CHECK_NEAR(losses[0], 124.09064541011963, 1e-9, SEE_NOISY,
                       "losses[0] of the run, f(x_0) at x_0 = (1, ..., 1)");
        CHECK_NEAR(quadratic(x, NULL), final[r], 1e-9, SEE_NOISY,
                   "final loss after 1000 noisy GD steps (noise 1, seed 5) "
                   "on the kappa = 100 quadratic from (1, ..., 1), %s",
                   names[r]);
        CHECK_NEAR(tail_mean(losses), mean[r], 1e-9, SEE_NOISY,
                   "mean of losses[901..1000] of that run, %s", names[r]);
        if (r == 0) got = tail_mean(losses);
    }
    /* The constant rate stalls at the noise floor: the prediction summed
     * over the ten directions, sum_i lr / (2 (2 - lr l_i)) = 0.029821, is
     * met by the mean of its last 100 losses up to sampling noise. */
    double predicted = 0.0;
    for (int i = 0; i < NQ; i++)
        predicted += 0.01 / (2.0 * (2.0 - 0.01 * pow(100.0, i / 9.0)));
    CHECK(fabs(predicted - 0.029821) < 5e-7 &&
              fabs(got - predicted) < 0.15 * predicted,
          SEE_NOISY,
          "the mean of the last 100 losses of the constant rate, %g, must "
          "be within 15%% of the predicted noise floor %.6f",
          got, predicted);
}

GRADED(schedules, plateau_run_cuts_the_rate_and_beats_the_constant, 2) {
    double x[NQ];
    static double losses[STEPS + 1];
    for (int i = 0; i < NQ; i++)
        x[i] = 1.0;
    Rng rng;
    rng_seed(&rng, 5);
    const PlateauConfig cfg = {.factor = 0.5, .patience = 2,
                               .threshold = 0.01, .cooldown = 0,
                               .min_lr = 0.0};
    Plateau p;
    plateau_init(&p, &cfg, 0.01);
    /* the chapter's cuts: the first steps at a lower rate, then one more
     * cut after the last epoch */
    const int cut_at[5] = {350, 475, 600, 825, 1000};
    for (int start = 0; start < STEPS; start += EPOCH) {
        const Schedule now = {.kind = LR_CONSTANT, .constant = p.lr};
        noisy_gd_run(x, &QUADRATIC, &now, EPOCH, 1.0, &rng, losses + start);
        int before = p.num_cuts;
        plateau_update(&p, losses[start + EPOCH]);
        if (p.num_cuts > before && before < 5)
            CHECK_INT(start + EPOCH, cut_at[before], SEE_NOISY,
                      "the step at which reduce-on-plateau (factor 0.5, "
                      "patience 2, threshold 0.01, one update per 25 "
                      "steps) makes cut number %d",
                      before + 1);
    }
    CHECK_INT(p.num_cuts, 5, SEE_NOISY,
              "cuts by reduce-on-plateau (factor 0.5, patience 2, "
              "threshold 0.01, one update per 25 steps) over the run");
    CHECK_NEAR(quadratic(x, NULL), 0.0030958204743129084, 1e-9, SEE_NOISY,
               "final loss of that run");
    CHECK_NEAR(tail_mean(losses), 0.002568376927631723, 1e-9, SEE_NOISY,
               "mean of losses[901..1000] of that run");
}

/* f(x) = x^4 / 4 from x = 5: lr 0.1 overflows at once, warm-up does not. */
static double quartic(const double *x, void *ctx) {
    (void)ctx;
    return x[0] * x[0] * x[0] * x[0] / 4.0;
}
static void quartic_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = x[0] * x[0] * x[0];
}

GRADED(schedules, warmup_lets_a_large_rate_survive_a_steep_start, 2) {
    const Objective obj = {quartic, quartic_grad, NULL, 1};
    const Schedule runs[3] = {
        {.kind = LR_CONSTANT, .constant = 0.1},
        {.kind = LR_CONSTANT, .constant = 0.01},
        {.kind = LR_WARMUP,
         .warmup = {.lr0 = 0.1, .start_factor = 0.1, .warmup_steps = 10}},
    };
    const char *names[3] = {"constant lr 0.1", "constant lr 0.01",
                            "warm-up from 0.01 to 0.1 over 10 steps"};
    /* the table of section 5.5: f(x_k) at k = 1..4 and 100. Errors grow
     * at most a few hundredfold over the first 4 steps of lr 0.1 and
     * shrink after, so 1e-9 relative is safe. */
    const double want[3][5] = {
        {791.015625, 361936.19012832642, 73369907945726.797,
         6.3193570068525026e+38, NAN},
        {49.4384765625, 26.964721655531321, 17.390370220604932,
         12.275001600379678, 0.056476027779600202},
        {49.4384765625, 14.257275918502273, 5.5125810088147889,
         2.569295151016441, 0.00064373329595143205},
    };
    const int ks[5] = {1, 2, 3, 4, 100};
    for (int r = 0; r < 3; r++) {
        double x = 5.0, losses[101];
        Rng rng;
        rng_seed(&rng, 0);
        noisy_gd_run(&x, &obj, &runs[r], 100, 0.0, &rng, losses);
        for (int i = 0; i < 5; i++) {
            int k = ks[i];
            if (r == 0 && k == 100) {
                CHECK(!isfinite(losses[k]), SEE_WARMUP,
                      "f(x_100) on x^4/4 from x = 5, %s: must overflow "
                      "(not finite); got %g",
                      names[r], losses[k]);
                continue;
            }
            if (r == 2 && k == 2)
                MISTAKE(26.964721655531321, "the warm-up rate does not "
                                            "climb: step 1 used 0.01 again");
            CHECK_REL(losses[k], want[r][i], 1e-9, SEE_WARMUP,
                      "f(x_%d) on x^4/4 from x = 5, no noise, %s", k,
                      names[r]);
        }
    }
}
