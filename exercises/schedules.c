/* schedules.c: chapter 5, learning-rate schedules -- your exercises.
 *
 * Fill in each TODO; the contracts are in include/schedules.h and the math
 * in chapters/05-schedules.md. t = 0 is the first step. `make grade CH=05`
 * grades this file; `make run CH=05` runs the chapter's demo on it. */
#include "schedules.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

double lr_step_decay(const StepDecay *s, int t) {
    /* TODO(5.2, "Step and multi-step decay"): lr0 * gamma^floor(t /
     * step_size); step step_size is the first with the lower rate. */
    (void)s, (void)t;
    return 0.0;
}

double lr_multistep_decay(const MultiStepDecay *s, int t) {
    /* TODO(5.2, "Step and multi-step decay"): lr0 * gamma^m, m = how many
     * milestones are <= t. */
    (void)s, (void)t;
    return 0.0;
}

double lr_exp_decay(const ExpDecay *s, int t) {
    /* TODO(5.3, "Exponential and inverse-time decay"): lr0 exp(-lambda t).
     */
    (void)s, (void)t;
    return 0.0;
}

double lr_gamma_decay(const GammaDecay *s, int t) {
    /* TODO(5.3, "Exponential and inverse-time decay"): lr0 * gamma^t. */
    (void)s, (void)t;
    return 0.0;
}

double lr_inverse_time(const InverseTimeDecay *s, int t) {
    /* TODO(5.3, "Exponential and inverse-time decay"): lr0 / (1 + k t). */
    (void)s, (void)t;
    return 0.0;
}

double lr_cosine(const CosineSchedule *s, int t) {
    /* TODO(5.4, "Cosine annealing"): half a cosine from lr0 at t = 0 down
     * to lr_min at t = T; lr_min after T. */
    (void)s, (void)t;
    return 0.0;
}

double lr_warmup(const WarmupSchedule *s, int t) {
    /* TODO(5.5, "Warm-up"): a line from start_factor * lr0 at t = 0 to
     * exactly lr0 at t = warmup_steps; lr0 after. */
    (void)s, (void)t;
    return 0.0;
}

double lr_warmup_cosine(const WarmupCosine *s, int t) {
    /* TODO(5.5, "Warm-up"): lr_warmup before W, then a cosine that starts
     * at t = W and reaches lr_min at t = T. */
    (void)s, (void)t;
    return 0.0;
}

void plateau_init(Plateau *p, const PlateauConfig *cfg, double lr0) {
    /* TODO(5.6, "Reduce on plateau"): copy cfg, set lr = lr0, best =
     * INFINITY and every counter to 0. */
    (void)cfg, (void)lr0;
    *p = (Plateau){0};
}

double plateau_update(Plateau *p, double loss) {
    /* TODO(5.6, "Reduce on plateau"): improvement or not, then cooldown,
     * then the cut, in the order include/schedules.h gives; return p->lr. */
    (void)p, (void)loss;
    return 0.0;
}

void noisy_gd_run(double *x, const Objective *obj, const Schedule *sched,
                  int steps, double noise, Rng *rng, double *losses) {
    /* TODO(5.7, "Schedules in a training loop"): record losses[0]; then for
     * t = 0 .. steps-1: gradient, plus noise * rng_gaussian(rng) on each
     * coordinate in order, then gd_step with schedule_lr(sched, t); record
     * losses[t + 1]. */
    (void)x, (void)obj, (void)sched, (void)steps, (void)noise, (void)rng;
    (void)losses;
}
