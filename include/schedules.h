/* schedules.h: chapter 5, learning-rate schedules -- the API that
 * exercises/schedules.c implements and that the capstone trains with. */
#ifndef SCHEDULES_H
#define SCHEDULES_H

#include "gd.h"
#include "rng.h"

//> convention
/* The step index, once for every schedule: t = 0 is the first step, and
 * lr(t) is the learning rate that step t uses; a run of N steps uses
 * lr(0), lr(1), ..., lr(N-1). This is what PyTorch's schedulers give when
 * scheduler.step() is called once after each optimizer.step(). */
//< convention

//> step_decay
/* Step decay (PyTorch's StepLR): the rate drops by a factor gamma every
 * step_size steps, lr(t) = lr0 * gamma^floor(t / step_size). */
typedef struct {
    double lr0;    /* the rate at t = 0 */
    int step_size; /* steps between drops, >= 1 */
    double gamma;  /* multiplier per drop, 0 < gamma <= 1 */
} StepDecay;

double lr_step_decay(const StepDecay *s, int t);
//< step_decay

//> multistep_decay
/* Multi-step decay (PyTorch's MultiStepLR): lr(t) = lr0 * gamma^m, where m
 * counts the milestones that are <= t. Step t = milestones[i] is the first
 * step with the lower rate. */
#define LR_MAX_MILESTONES 8
typedef struct {
    double lr0;
    int milestones[LR_MAX_MILESTONES]; /* [n_milestones], increasing */
    int n_milestones;                  /* 0 to LR_MAX_MILESTONES */
    double gamma;
} MultiStepDecay;

double lr_multistep_decay(const MultiStepDecay *s, int t);
//< multistep_decay

//> exp_decay
/* Exponential decay, as textbooks write it:
 * lr(t) = lr0 exp(-lambda t). */
typedef struct {
    double lr0;
    double lambda; /* decay rate per step, >= 0 */
} ExpDecay;

double lr_exp_decay(const ExpDecay *s, int t);

/* The same curve as a factor per step (PyTorch's ExponentialLR):
 * lr(t) = lr0 * gamma^t; gamma = exp(-lambda) gives lr_exp_decay. */
typedef struct {
    double lr0;
    double gamma; /* multiplier per step, 0 < gamma <= 1 */
} GammaDecay;

double lr_gamma_decay(const GammaDecay *s, int t);
//< exp_decay

//> inverse_time
/* Inverse-time decay: lr(t) = lr0 / (1 + k t). The rate falls like 1/t,
 * the classic stochastic-approximation schedule. */
typedef struct {
    double lr0;
    double k; /* decay rate per step, >= 0 */
} InverseTimeDecay;

double lr_inverse_time(const InverseTimeDecay *s, int t);
//< inverse_time

//> cosine
/* Cosine annealing (PyTorch's CosineAnnealingLR with T_max = T):
 * lr(t) = lr_min + (lr0 - lr_min) (1 + cos(pi t / T)) / 2 for 0 <= t <= T,
 * and lr_min for t > T (PyTorch would climb back up the cosine there). */
typedef struct {
    double lr0;    /* the rate at t = 0 */
    double lr_min; /* the rate at t = T and after */
    int T;         /* steps to anneal over, >= 1 */
} CosineSchedule;

double lr_cosine(const CosineSchedule *s, int t);
//< cosine

//> warmup
/* Linear warm-up (PyTorch's LinearLR with end_factor 1): the rate climbs
 * in a straight line from start_factor * lr0 at t = 0 to exactly lr0 at
 * t = warmup_steps, and stays at lr0 after:
 * lr(t) = lr0 (f + (1 - f) min(t, W) / W), f = start_factor, W = warmup. */
typedef struct {
    double lr0;
    double start_factor; /* lr(0) / lr0, in (0, 1] */
    int warmup_steps;    /* W >= 1 */
} WarmupSchedule;

double lr_warmup(const WarmupSchedule *s, int t);

/* Warm-up followed by cosine annealing: lr_warmup for t < W, then the
 * cosine from lr0 at t = W down to lr_min at t = T (a cosine over T - W
 * steps, started at t = W), and lr_min after. */
typedef struct {
    double lr0;
    double lr_min;
    double start_factor;
    int warmup_steps; /* W >= 1 */
    int T;            /* the step where lr_min is reached, T > W */
} WarmupCosine;

double lr_warmup_cosine(const WarmupCosine *s, int t);
//< warmup

//> plateau
/* Reduce on plateau (PyTorch's ReduceLROnPlateau, mode "min", threshold
 * mode "rel"): the rate is cut when a monitored loss stops improving. */
typedef struct {
    double factor;    /* lr <- max(lr * factor, min_lr) on a plateau, (0,1) */
    int patience;     /* non-improving updates tolerated before a cut */
    double threshold; /* improving means loss < best * (1 - threshold) */
    int cooldown;     /* updates after a cut whose verdict is ignored */
    double min_lr;    /* the rate never goes below this */
} PlateauConfig;

typedef struct {
    PlateauConfig cfg;
    double lr;         /* the current learning rate */
    double best;       /* best loss seen so far; INFINITY before the first */
    int num_bad;       /* consecutive non-improving updates, cooldown aside */
    int cooldown_left; /* updates of cooldown still to go */
    int num_cuts;      /* how many times the rate has been cut */
} Plateau;

/* Starts a plateau schedule at rate lr0: best = INFINITY, counters 0. */
void plateau_init(Plateau *p, const PlateauConfig *cfg, double lr0);

/* Takes the latest validation loss (once per epoch, say) and returns the
 * rate to use from now on. In this order: the loss improves if
 * loss < best * (1 - threshold), which makes it the new best and sets
 * num_bad to 0; otherwise num_bad grows by 1. During cooldown
 * (cooldown_left > 0), cooldown_left drops by 1 and num_bad is reset to 0.
 * Then, if num_bad > patience, the rate is cut to max(lr * factor, min_lr),
 * num_cuts grows by 1, cooldown_left = cooldown and num_bad = 0.
 * So `patience` bad updates in a row are tolerated and the next one cuts. */
double plateau_update(Plateau *p, double loss);
//< plateau

//> schedule
/* Any of the step-indexed schedules above, behind one type, so that a
 * training loop can take "a schedule" (the capstone does). */
typedef enum {
    LR_CONSTANT,
    LR_STEP,
    LR_MULTISTEP,
    LR_EXP,
    LR_GAMMA,
    LR_INVERSE_TIME,
    LR_COSINE,
    LR_WARMUP,
    LR_WARMUP_COSINE
} ScheduleKind;

typedef struct {
    ScheduleKind kind;
    union { /* the member that kind names */
        double constant;
        StepDecay step;
        MultiStepDecay multistep;
        ExpDecay exp;
        GammaDecay gamma;
        InverseTimeDecay inverse_time;
        CosineSchedule cosine;
        WarmupSchedule warmup;
        WarmupCosine warmup_cosine;
    };
} Schedule;

/* The learning rate of step t under schedule s. */
static inline double schedule_lr(const Schedule *s, int t) {
    switch (s->kind) {
    case LR_CONSTANT: return s->constant;
    case LR_STEP: return lr_step_decay(&s->step, t);
    case LR_MULTISTEP: return lr_multistep_decay(&s->multistep, t);
    case LR_EXP: return lr_exp_decay(&s->exp, t);
    case LR_GAMMA: return lr_gamma_decay(&s->gamma, t);
    case LR_INVERSE_TIME: return lr_inverse_time(&s->inverse_time, t);
    case LR_COSINE: return lr_cosine(&s->cosine, t);
    case LR_WARMUP: return lr_warmup(&s->warmup, t);
    case LR_WARMUP_COSINE: return lr_warmup_cosine(&s->warmup_cosine, t);
    }
    return 0.0; /* not a ScheduleKind */
}
//< schedule

//> noisy_gd_run
/* Gradient descent with a schedule and noisy gradients, the way a
 * mini-batch sees them. At each step t = 0, 1, ..., steps - 1: evaluate the
 * gradient g at x, add noise * z_i to each g[i], where z_i = rng_gaussian(rng)
 * is drawn for i = 0, 1, ..., n - 1 in that order, then take
 * gd_step(x, g, n, schedule_lr(sched, t)).
 *
 * losses, when not NULL, holds steps + 1 doubles and receives the noiseless
 * losses[k] = obj->f(x_k) for k = 0..steps (x_0 is the starting point).
 * Requires obj->n <= GRAD_CHECK_MAX_N. */
void noisy_gd_run(double *x, const Objective *obj, const Schedule *sched,
                  int steps, double noise, Rng *rng, double *losses);
//< noisy_gd_run

#endif /* SCHEDULES_H */
