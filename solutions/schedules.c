/* schedules.c: chapter 5, learning-rate schedules -- reference solution. */
#include "schedules.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

/* M_PI is POSIX, not C11. */
static const double PI = 3.14159265358979323846;

double lr_step_decay(const StepDecay *s, int t) {
    assert(s->step_size >= 1 && t >= 0);
    /* Integer division is the floor for t >= 0: steps 0..step_size-1 are
     * drop 0, so step step_size is the first with the lower rate. */
    return s->lr0 * pow(s->gamma, (double)(t / s->step_size));
}

double lr_multistep_decay(const MultiStepDecay *s, int t) {
    assert(s->n_milestones >= 0 && s->n_milestones <= LR_MAX_MILESTONES);
    int passed = 0;
    for (int i = 0; i < s->n_milestones; i++)
        if (s->milestones[i] <= t) passed++; /* a milestone is a first step */
    return s->lr0 * pow(s->gamma, (double)passed);
}

double lr_exp_decay(const ExpDecay *s, int t) {
    return s->lr0 * exp(-s->lambda * t);
}

double lr_gamma_decay(const GammaDecay *s, int t) {
    return s->lr0 * pow(s->gamma, (double)t);
}

double lr_inverse_time(const InverseTimeDecay *s, int t) {
    return s->lr0 / (1.0 + s->k * t);
}

double lr_cosine(const CosineSchedule *s, int t) {
    assert(s->T >= 1);
    if (t >= s->T) return s->lr_min; /* hold the floor, do not climb back */
    double progress = (double)t / s->T;
    return s->lr_min +
           (s->lr0 - s->lr_min) * (1.0 + cos(PI * progress)) / 2.0;
}

double lr_warmup(const WarmupSchedule *s, int t) {
    assert(s->warmup_steps >= 1);
    /* Returning lr0 itself once warm makes lr(W) == lr0 exactly, whatever
     * f + (1 - f) rounds to. */
    if (t >= s->warmup_steps) return s->lr0;
    double f = s->start_factor;
    return s->lr0 * (f + (1.0 - f) * t / s->warmup_steps);
}

double lr_warmup_cosine(const WarmupCosine *s, int t) {
    assert(s->T > s->warmup_steps);
    if (t < s->warmup_steps) {
        const WarmupSchedule w = {s->lr0, s->start_factor, s->warmup_steps};
        return lr_warmup(&w, t);
    }
    const CosineSchedule c = {s->lr0, s->lr_min, s->T - s->warmup_steps};
    return lr_cosine(&c, t - s->warmup_steps); /* the cosine starts at W */
}

void plateau_init(Plateau *p, const PlateauConfig *cfg, double lr0) {
    p->cfg = *cfg;
    p->lr = lr0;
    p->best = INFINITY; /* any finite first loss is an improvement */
    p->num_bad = 0;
    p->cooldown_left = 0;
    p->num_cuts = 0;
}

double plateau_update(Plateau *p, double loss) {
    const PlateauConfig *c = &p->cfg;
    if (loss < p->best * (1.0 - c->threshold)) {
        p->best = loss;
        p->num_bad = 0;
    } else {
        p->num_bad++;
    }
    if (p->cooldown_left > 0) {
        p->cooldown_left--;
        p->num_bad = 0; /* the rate just changed: give it time */
    }
    if (p->num_bad > c->patience) {
        p->lr = fmax(p->lr * c->factor, c->min_lr);
        p->num_cuts++;
        p->cooldown_left = c->cooldown;
        p->num_bad = 0;
    }
    return p->lr;
}

void noisy_gd_run(double *x, const Objective *obj, const Schedule *sched,
                  int steps, double noise, Rng *rng, double *losses) {
    assert(obj->n > 0 && obj->n <= GRAD_CHECK_MAX_N);
    double g[GRAD_CHECK_MAX_N];
    if (losses) losses[0] = obj->f(x, obj->ctx);
    for (int t = 0; t < steps; t++) {
        obj->grad(g, x, obj->ctx);
        for (int i = 0; i < obj->n; i++)
            g[i] += noise * rng_gaussian(rng); /* what a mini-batch sees */
        gd_step(x, g, obj->n, schedule_lr(sched, t));
        if (losses) losses[t + 1] = obj->f(x, obj->ctx);
    }
}
