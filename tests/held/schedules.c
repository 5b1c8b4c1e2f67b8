/* tests/held/schedules.c: chapter 5, learning-rate schedules -- held-back
 * checks (instructor only; see tests/support/held.h).
 *
 * The step-indexed schedules are compared with the reference at every step
 * t from 0 to past their end, on configurations drawn from the whole of
 * their domain, the ends included (step_size 1, gamma 1, lambda 0, T 1,
 * W 1, 0 to LR_MAX_MILESTONES milestones). Reduce-on-plateau is a state
 * machine: every field of the Plateau is compared after every update, on
 * loss sequences built to hold plateaus, ties, losses exactly at the
 * relative threshold, improvements by the smallest step, cuts during and
 * after cooldowns, and the floor min_lr. noisy_gd_run runs every schedule
 * kind, with and without noise and losses, on the judge's own quadratics. */
#include "schedules.h"
#include "held.h"

#include <stdio.h>
#include <string.h>

#define SEE_STEP "chapter 5, section 5.2 'Step and multi-step decay'"
#define SEE_EXP "chapter 5, section 5.3 'Exponential and inverse-time decay'"
#define SEE_COSINE "chapter 5, section 5.4 'Cosine annealing'"
#define SEE_WARMUP "chapter 5, section 5.5 'Warm-up'"
#define SEE_PLATEAU "chapter 5, section 5.6 'Reduce on plateau'"
#define SEE_LOOP "chapter 5, section 5.7 'Schedules in a training loop'"

/* A rate lr0 * gamma^m may be computed as pow, as a running product of m
 * factors (tests/mistakes: *-running-product) or as exp(m log gamma): the
 * first is within an ulp or two, the second within m ulps, the third within
 * m |log gamma| ulps of the true value. Bounded with t >= m. */
static double power_tol(double want, int t, double gamma) {
    return 1e-15 * (4.0 + t * (1.0 + fabs(log(gamma)))) * fabs(want);
}

/* ---- step and multi-step decay ---------------------------------------- */

HELD(held_schedules, step_and_multistep_decay_match_the_reference, 2) {
    /* step_size 1, gamma 1, and two drawn anywhere */
    for (int trial = 0; trial < 4; trial++) {
        StepDecay s = {.lr0 = held_log_uniform(1e-4, 10.0),
                       .step_size = trial == 0 ? 1 : held_int(2, 20),
                       .gamma =
                           trial == 1 ? 1.0 : held_log_uniform(0.01, 0.95)};
        for (int t = 0; t <= 4 * s.step_size + 3; t++) {
            double lr = STUDENT(lr_step_decay(&s, t));
            double want = REFERENCE(lr_step_decay(&s, t));
            HELD_NEAR(lr, want, power_tol(want, t, s.gamma), SEE_STEP,
                      "lr_step_decay(lr0=%.17g, step_size=%d, gamma=%.17g) "
                      "at t=%d",
                      s.lr0, s.step_size, s.gamma, t);
        }
    }
    /* every count of milestones from 0 to LR_MAX_MILESTONES, increasing,
     * in [0, 60] (0 included: the first step already has the lower rate);
     * the slots past n_milestones hold values of the same range, which the
     * header says are not milestones */
    for (int n = 0; n <= LR_MAX_MILESTONES; n++) {
        MultiStepDecay s = {.lr0 = held_log_uniform(1e-4, 10.0),
                            .n_milestones = n,
                            .gamma =
                                n == 1 ? 1.0 : held_log_uniform(0.01, 0.95)};
        int chosen = 0;
        for (int v = 0; v <= 60 && chosen < n; v++) /* n of 0..60, sorted */
            if (held_coin((double)(n - chosen) / (61 - v)))
                s.milestones[chosen++] = v;
        for (int i = n; i < LR_MAX_MILESTONES; i++)
            s.milestones[i] = held_int(0, 60);
        double shown[LR_MAX_MILESTONES];
        for (int i = 0; i < n; i++)
            shown[i] = s.milestones[i];
        for (int t = 0; t <= 64; t++) {
            double lr = STUDENT(lr_multistep_decay(&s, t));
            double want = REFERENCE(lr_multistep_decay(&s, t));
            HELD_NEAR(lr, want, power_tol(want, t, s.gamma), SEE_STEP,
                      "lr_multistep_decay(lr0=%.17g, gamma=%.17g, "
                      "n_milestones=%d, milestones=%s) at t=%d",
                      s.lr0, s.gamma, n, n ? held_show(shown, n) : "()", t);
        }
    }
}

/* ---- exponential, gamma and inverse-time decay ------------------------ */

HELD(held_schedules, exp_gamma_and_inverse_time_decay_match_the_reference, 2) {
    /* trial 0 at the end of each domain (lambda 0, gamma 1, k 0) */
    for (int trial = 0; trial < 4; trial++) {
        const double lr0 = held_log_uniform(1e-4, 10.0);
        const ExpDecay e = {lr0, trial ? held_log_uniform(1e-3, 1.0) : 0.0};
        const GammaDecay g = {lr0, trial ? held_log_uniform(0.01, 0.99) : 1.0};
        const InverseTimeDecay v = {lr0,
                                    trial ? held_log_uniform(1e-3, 10.0) : 0};
        for (int t = 0; t <= 60; t++) {
            double lr = STUDENT(lr_exp_decay(&e, t));
            double want = REFERENCE(lr_exp_decay(&e, t));
            /* exp(-lambda t), or exp(-lambda)^t: within (1 + t) ulps,
             * and lambda t ulps for the rounding of the exponent */
            HELD_NEAR(lr, want, 1e-15 * (4 + t * (1 + e.lambda)) * want,
                      SEE_EXP, "lr_exp_decay(lr0=%.17g, lambda=%.17g) at t=%d",
                      lr0, e.lambda, t);
            lr = STUDENT(lr_gamma_decay(&g, t));
            want = REFERENCE(lr_gamma_decay(&g, t));
            HELD_NEAR(lr, want, power_tol(want, t, g.gamma), SEE_EXP,
                      "lr_gamma_decay(lr0=%.17g, gamma=%.17g) at t=%d", lr0,
                      g.gamma, t);
            lr = STUDENT(lr_inverse_time(&v, t));
            want = REFERENCE(lr_inverse_time(&v, t));
            HELD_NEAR(lr, want, 1e-14 * want, SEE_EXP,
                      "lr_inverse_time(lr0=%.17g, k=%.17g) at t=%d", lr0, v.k,
                      t);
        }
    }
}

/* ---- cosine and warm-up ----------------------------------------------- */

/* The steps a schedule ending at `end` is checked at: every t from 0 to
 * end + 5, and three far past it. */
static int steps_to_check(int end, int *ts) {
    int count = 0;
    for (int t = 0; t <= end + 5; t++)
        ts[count++] = t;
    for (int j = 0; j < 3; j++)
        ts[count++] = end + held_int(6, 5000);
    return count;
}

HELD(held_schedules, cosine_and_warmup_match_the_reference, 3) {
    int ts[128];
    /* Values are at most lr0 (and lr_min <= lr0); equal forms (lr0 - (lr0 -
     * lr_min)(1 - cos)/2, lr0 f + (lr0 - lr0 f) t / W) differ from the
     * header's by a few ulps of lr0, not of the value: the tolerance is
     * relative to lr0. */
    for (int trial = 0; trial < 4; trial++) {
        /* T = 1 and lr_min = 0 at the ends of the domain */
        const double lr0 = held_log_uniform(1e-4, 10.0);
        const CosineSchedule c = {
            .lr0 = lr0,
            .lr_min = trial < 2 ? 0.0 : lr0 * held_uniform(0.01, 0.9),
            .T = trial == 0 ? 1 : held_int(2, 60)};
        int count = steps_to_check(c.T, ts);
        for (int j = 0; j < count; j++) {
            double lr = STUDENT(lr_cosine(&c, ts[j]));
            double want = REFERENCE(lr_cosine(&c, ts[j]));
            HELD_NEAR(lr, want, 1e-14 * lr0, SEE_COSINE,
                      "lr_cosine(lr0=%.17g, lr_min=%.17g, T=%d) at t=%d", lr0,
                      c.lr_min, c.T, ts[j]);
        }
    }
    for (int trial = 0; trial < 4; trial++) {
        /* W = 1 and start_factor = 1 at the ends of the domain */
        const WarmupSchedule w = {
            .lr0 = held_log_uniform(1e-4, 10.0),
            .start_factor = trial == 1 ? 1.0 : held_uniform(0.01, 0.95),
            .warmup_steps = trial == 0 ? 1 : held_int(2, 40)};
        int count = steps_to_check(w.warmup_steps, ts);
        for (int j = 0; j < count; j++) {
            double lr = STUDENT(lr_warmup(&w, ts[j]));
            double want = REFERENCE(lr_warmup(&w, ts[j]));
            HELD_NEAR(lr, want, 1e-14 * w.lr0, SEE_WARMUP,
                      "lr_warmup(lr0=%.17g, start_factor=%.17g, "
                      "warmup_steps=%d) at t=%d",
                      w.lr0, w.start_factor, w.warmup_steps, ts[j]);
        }
    }
    for (int trial = 0; trial < 4; trial++) {
        /* W = 1 with T = W + 1 (the shortest of each part), then any */
        const double lr0 = held_log_uniform(1e-4, 10.0);
        const int W = trial == 0 ? 1 : held_int(1, 30);
        const WarmupCosine w = {
            .lr0 = lr0,
            .lr_min = trial == 1 ? 0.0 : lr0 * held_uniform(0.01, 0.9),
            .start_factor = held_uniform(0.01, 1.0),
            .warmup_steps = W,
            .T = trial == 0 ? W + 1 : W + held_int(1, 50)};
        int count = steps_to_check(w.T, ts);
        for (int j = 0; j < count; j++) {
            double lr = STUDENT(lr_warmup_cosine(&w, ts[j]));
            double want = REFERENCE(lr_warmup_cosine(&w, ts[j]));
            HELD_NEAR(lr, want, 1e-14 * lr0, SEE_WARMUP,
                      "lr_warmup_cosine(lr0=%.17g, lr_min=%.17g, "
                      "start_factor=%.17g, warmup_steps=%d, T=%d) at t=%d",
                      lr0, w.lr_min, w.start_factor, W, w.T, ts[j]);
        }
    }
}

/* ---- reduce on plateau ------------------------------------------------ */

static int imin(int a, int b) {
    return a < b ? a : b;
}

/* The losses fed to a plateau. Relative to the reference's best and bar
 * (best * (1 - threshold)) before the update: */
typedef enum {
    IMPROVE,       /* well below the bar */
    BELOW_BAR,     /* below the bar by the smallest step drawn */
    AT_BAR,        /* exactly the bar: not an improvement */
    INSIDE_MARGIN, /* between the bar and best: lower, but not enough */
    TIE,           /* equal to best */
    WORSE,         /* above best */
    N_KINDS
} LossKind;

/* The kinds of story each seed tells, one of each:
 *   EVERY_BAD_CUTS  patience 0, cooldown 0, threshold 0;
 *   GRID            threshold j/64, with losses at the bar and the
 *                   smallest improvements, patience >= 1, cooldown >= 1;
 *   NO_THRESHOLD    threshold 0 (ties are the bar), patience >= 1, no
 *                   cooldown;
 *   REAL            a threshold anywhere in [1e-6, 0.3], any losses kept
 *                   at least 1e-9 (relative) from the bar and from best.
 * In the first three, every loss is a multiple of 2^-10 below 2^8 and the
 * threshold a multiple of 2^-6, so that best * (1 - threshold), best -
 * best * threshold and loss / (1 - threshold) are all exact: every correct
 * way of writing the test gives the same verdict, at the bar too. Losses
 * are positive, as a validation loss is (below 0 the relative bar would lie
 * above best, a case the header does not discuss), and min_lr is at most
 * lr0 (the rate "never goes below" it). */
typedef enum { EVERY_BAD_CUTS, GRID, NO_THRESHOLD, REAL, N_STORIES } Story;
static const char *const STORY[N_STORIES] = {
    "every bad update cuts", "losses on a grid, threshold j/64", "threshold 0",
    "a real-valued threshold"};

enum { UPDATES = 48 };
#define GRID_UNIT (1.0 / 1024.0)

static double on_grid_below(double v) { /* largest multiple < v */
    return (ceil(v / GRID_UNIT) - 1.0) * GRID_UNIT;
}

/* The next loss of kind `kind`, given the reference's plateau p. */
static double next_loss(Story story, LossKind kind, const Plateau *p) {
    const double best = p->best, thr = p->cfg.threshold;
    const double bar = best * (1.0 - thr);
    if (isinf(best)) /* the first update: any finite loss improves */
        return story == REAL ? held_uniform(1.0, 100.0)
                             : held_int(1 << 16, 1 << 17) * GRID_UNIT;
    if (story == REAL) {
        switch (kind) {
        case IMPROVE:
            return bar * (1.0 - held_log_uniform(1e-6, 0.3));
        case BELOW_BAR:
            return bar * (1.0 - held_log_uniform(1e-9, 1e-6));
        case AT_BAR: /* not exact here: just above it, in the margin */
        case INSIDE_MARGIN:
            return bar + (best - bar) * held_uniform(1e-3, 0.999);
        case TIE:
            return best;
        default:
            return best * (1.0 + held_log_uniform(1e-9, 0.5));
        }
    }
    switch (kind) {
    case IMPROVE:
        return on_grid_below(bar * held_uniform(0.85, 0.99));
    case BELOW_BAR:
        return on_grid_below(bar);
    case AT_BAR:
        return bar;
    case INSIDE_MARGIN: {
        /* a multiple of the unit strictly between bar and best, if any */
        long lo = (long)floor(bar / GRID_UNIT) + 1,
             hi = (long)(best / GRID_UNIT) - 1;
        if (lo <= hi) return held_int((int)lo, (int)hi) * GRID_UNIT;
        return best;
    }
    case TIE:
        return best;
    default:
        return best + held_int(1, (int)(best / GRID_UNIT / 2)) * GRID_UNIT;
    }
}

static PlateauConfig draw_plateau(Story story) {
    PlateauConfig c = {.factor = held_log_uniform(0.05, 0.95)};
    switch (story) {
    case EVERY_BAD_CUTS:
        break;
    case GRID:
        c.patience = held_int(1, 4);
        c.cooldown = held_int(1, 3);
        c.threshold = held_int(1, 4) / 64.0;
        break;
    case NO_THRESHOLD:
        c.patience = held_int(1, 4);
        break;
    default:
        c.patience = held_int(0, 4);
        c.cooldown = held_int(0, 3);
        c.threshold = held_log_uniform(1e-6, 0.3);
    }
    return c;
}

/* A story's losses, made against the reference as it goes (each kind is
 * relative to its best), in phases: one or two improving losses, then a
 * plateau of losses that are not. The first two plateaus are long enough
 * to cut (patience + 1 bad updates) and go on through the whole cooldown
 * and one or two updates past it; the others last 0 to patience +
 * cooldown + 3 updates, so that some end in cuts and some just short of
 * one. Within each group the kinds come round in turn from a random
 * start, so that every kind appears. Returns the number of cuts the
 * reference made (with min_lr 0): 2 at least. */
static int tell_story(Story story, const PlateauConfig *cfg, double lr0,
                      double losses[UPDATES]) {
    static const LossKind good[] = {IMPROVE, BELOW_BAR};
    static const LossKind bad[] = {AT_BAR, INSIDE_MARGIN, TIE, WORSE};
    int next_good = held_int(0, 1), next_bad = held_int(0, 3);
    Plateau p;
    REFERENCE(plateau_init(&p, cfg, lr0));
    int u = 0;
    for (int phase = 0; u < UPDATES; phase++) {
        const int longest = cfg->patience + cfg->cooldown + 3;
        const int improving = held_int(1, 2);
        const int plateau =
            phase < 2 ? longest - held_int(0, 1) : held_int(0, longest);
        for (int j = 0; j < improving + plateau && u < UPDATES; j++, u++) {
            LossKind kind =
                j < improving ? good[next_good++ % 2] : bad[next_bad++ % 4];
            losses[u] = next_loss(story, kind, &p);
            REFERENCE(plateau_update(&p, losses[u]));
        }
    }
    return p.num_cuts;
}

/* The text of a plateau's setting, for messages: the config, the update,
 * its loss and the reference's state before it (all an update reads). */
static const char *plateau_setting(Story story, const PlateauConfig *c,
                                   double lr0, int u, double loss,
                                   const Plateau *before) {
    static char text[700];
    snprintf(text, sizeof text,
             "update %d (%s) of a plateau from lr0=%.17g with factor=%.17g, "
             "patience=%d, threshold=%.17g, cooldown=%d, min_lr=%.17g: "
             "plateau_update(p, %.17g) with the reference's p before it at "
             "lr=%.17g, best=%.17g, num_bad=%d, cooldown_left=%d, "
             "num_cuts=%d",
             u, STORY[story], lr0, c->factor, c->patience, c->threshold,
             c->cooldown, c->min_lr, loss, before->lr, before->best,
             before->num_bad, before->cooldown_left, before->num_cuts);
    return text;
}

HELD(held_schedules, plateau_matches_the_reference_after_every_update, 5) {
    for (Story story = 0; story < N_STORIES; story++) {
        PlateauConfig cfg = draw_plateau(story);
        const double lr0 = held_log_uniform(1e-4, 1.0);
        double losses[UPDATES];
        int cuts = tell_story(story, &cfg, lr0, losses);
        /* min_lr: halfway (geometrically) between two rates of the
         * reference's run, lr0 factor^(c + 1/2), so that the floor is
         * reached at cut c + 1 and held at the cuts after it, and no
         * rounding of lr * factor can put a rate on its other side (a
         * story makes two cuts at least); 0 in half the real-valued
         * stories, the end of its domain */
        if (cuts >= 2 && (story != REAL || held_coin(0.5)))
            cfg.min_lr =
                lr0 * pow(cfg.factor, held_int(0, imin(cuts - 2, 4)) + 0.5);
        Plateau p, pr;
        STUDENT(plateau_init(&p, &cfg, lr0));
        REFERENCE(plateau_init(&pr, &cfg, lr0));
        const char *init = plateau_setting(story, &cfg, lr0, 0, NAN, &pr);
        HELD_CHECK(p.lr == lr0 && isinf(p.best) && p.best > 0 &&
                       p.num_bad == 0 && p.cooldown_left == 0 &&
                       p.num_cuts == 0,
                   SEE_PLATEAU,
                   "plateau_init must set lr = lr0, best = INFINITY and the "
                   "counters to 0; got lr=%.17g, best=%.17g, num_bad=%d, "
                   "cooldown_left=%d, num_cuts=%d (%s)",
                   p.lr, p.best, p.num_bad, p.cooldown_left, p.num_cuts, init);
        HELD_CHECK(
            p.cfg.factor == cfg.factor && p.cfg.patience == cfg.patience &&
                p.cfg.threshold == cfg.threshold &&
                p.cfg.cooldown == cfg.cooldown && p.cfg.min_lr == cfg.min_lr,
            SEE_PLATEAU, "plateau_init must copy cfg into p->cfg (%s)", init);
        for (int u = 0; u < UPDATES; u++) {
            const Plateau before = pr;
            double lr = STUDENT(plateau_update(&p, losses[u]));
            double lr_r = REFERENCE(plateau_update(&pr, losses[u]));
            const char *what =
                plateau_setting(story, &cfg, lr0, u, losses[u], &before);
            /* one multiplication and a max: the same in every form */
            HELD_NEAR(lr, lr_r, 1e-14 * lr_r, SEE_PLATEAU,
                      "the rate returned by %s", what);
            HELD_NEAR(p.lr, pr.lr, 1e-14 * pr.lr, SEE_PLATEAU, "p->lr after %s",
                      what);
            HELD_NEAR(p.best, pr.best, 0.0, SEE_PLATEAU, "p->best after %s",
                      what);
            HELD_INT(p.num_bad, pr.num_bad, SEE_PLATEAU, "p->num_bad after %s",
                     what);
            HELD_INT(p.cooldown_left, pr.cooldown_left, SEE_PLATEAU,
                     "p->cooldown_left after %s", what);
            HELD_INT(p.num_cuts, pr.num_cuts, SEE_PLATEAU,
                     "p->num_cuts after %s", what);
        }
    }
}

/* ---- noisy_gd_run ----------------------------------------------------- */

/* n up to 8, and up to GRAD_CHECK_MAX_N (the largest the header allows)
 * in one short run */
enum { MAX_N = 8, MAX_RUN = 40 };

/* f(x) = 1/2 sum_i l_i (x_i - c_i)^2, passed through ctx. */
typedef struct {
    int n;
    double l[GRAD_CHECK_MAX_N], c[GRAD_CHECK_MAX_N];
} Bowl;

static const Bowl *bowl_of(void *ctx) {
    if (!ctx)
        judge_fail("the objective was called with a ctx other than obj->ctx "
                   "(include/gd.h: ctx is passed to f and grad)");
    return ctx;
}

static double bowl(const double *x, void *ctx) {
    const Bowl *b = bowl_of(ctx);
    double f = 0.0;
    for (int i = 0; i < b->n; i++)
        f += 0.5 * b->l[i] * (x[i] - b->c[i]) * (x[i] - b->c[i]);
    return f;
}

static void bowl_grad(double *g, const double *x, void *ctx) {
    const Bowl *b = bowl_of(ctx);
    for (int i = 0; i < b->n; i++)
        g[i] = b->l[i] * (x[i] - b->c[i]);
}

/* A schedule of `kind` whose rates stay at most lr0, any of its fields
 * drawn; its text for messages. */
static Schedule draw_schedule(ScheduleKind kind, double lr0, int steps,
                              char *text, size_t size) {
    Schedule s = {.kind = kind};
    switch (kind) {
    case LR_CONSTANT:
        s.constant = lr0;
        snprintf(text, size, "constant %.17g", lr0);
        break;
    case LR_STEP:
        s.step = (StepDecay){lr0, held_int(1, 10), held_uniform(0.1, 0.9)};
        snprintf(text, size, "step decay lr0=%.17g, step_size=%d, gamma=%.17g",
                 lr0, s.step.step_size, s.step.gamma);
        break;
    case LR_MULTISTEP: {
        MultiStepDecay *m = &s.multistep;
        *m = (MultiStepDecay){.lr0 = lr0,
                              .gamma = held_uniform(0.1, 0.9),
                              .n_milestones = held_int(1, LR_MAX_MILESTONES)};
        double shown[LR_MAX_MILESTONES];
        for (int i = 0; i < m->n_milestones; i++)
            shown[i] = m->milestones[i] =
                (i ? m->milestones[i - 1] : 0) + held_int(1, 6);
        snprintf(text, size, "multi-step lr0=%.17g, gamma=%.17g, milestones=%s",
                 lr0, m->gamma, held_show(shown, m->n_milestones));
        break;
    }
    case LR_EXP:
        s.exp = (ExpDecay){lr0, held_log_uniform(1e-3, 0.3)};
        snprintf(text, size, "exp decay lr0=%.17g, lambda=%.17g", lr0,
                 s.exp.lambda);
        break;
    case LR_GAMMA:
        s.gamma = (GammaDecay){lr0, held_uniform(0.7, 0.99)};
        snprintf(text, size, "gamma decay lr0=%.17g, gamma=%.17g", lr0,
                 s.gamma.gamma);
        break;
    case LR_INVERSE_TIME:
        s.inverse_time = (InverseTimeDecay){lr0, held_log_uniform(1e-2, 1.0)};
        snprintf(text, size, "inverse time lr0=%.17g, k=%.17g", lr0,
                 s.inverse_time.k);
        break;
    case LR_COSINE:
        s.cosine = (CosineSchedule){lr0, lr0 * held_uniform(0.0, 0.5),
                                    held_int(1, steps + 2)};
        snprintf(text, size, "cosine lr0=%.17g, lr_min=%.17g, T=%d", lr0,
                 s.cosine.lr_min, s.cosine.T);
        break;
    case LR_WARMUP:
        s.warmup = (WarmupSchedule){lr0, held_uniform(0.05, 1.0),
                                    held_int(1, steps + 2)};
        snprintf(text, size, "warm-up lr0=%.17g, start_factor=%.17g, W=%d", lr0,
                 s.warmup.start_factor, s.warmup.warmup_steps);
        break;
    case LR_WARMUP_COSINE: {
        int W = held_int(1, steps / 2 + 1);
        s.warmup_cosine = (WarmupCosine){lr0, lr0 * held_uniform(0.0, 0.5),
                                         held_uniform(0.05, 1.0), W,
                                         W + held_int(1, steps + 2)};
        snprintf(text, size,
                 "warm-up cosine lr0=%.17g, lr_min=%.17g, start_factor=%.17g, "
                 "W=%d, T=%d",
                 lr0, s.warmup_cosine.lr_min, s.warmup_cosine.start_factor, W,
                 s.warmup_cosine.T);
        break;
    }
    }
    return s;
}

/* One run of each schedule kind on every seed, one of 0 steps, and a
 * short one with n from 9 to GRAD_CHECK_MAX_N; noise 0 or not and losses
 * NULL or not in turn from a random start, so that each of the four pairs
 * comes up twice (the large run has both). One draw per coordinate can only
 * be told from one per step with two coordinates or more: a noisy run has
 * n >= 2. The rng is compared after noisy runs only: with noise 0 the
 * header leaves open whether the draws (multiplied by 0) are made. */
enum { KINDS = LR_WARMUP_COSINE + 1, NO_STEPS = KINDS, LARGE, RUNS };

HELD(held_schedules, noisy_gd_run_matches_the_reference, 4) {
    const int turn = held_int(0, 3);
    static Bowl b;
    static double x0[GRAD_CHECK_MAX_N], x[GRAD_CHECK_MAX_N],
        xr[GRAD_CHECK_MAX_N];
    for (int run = 0; run < RUNS; run++) {
        const ScheduleKind kind = run < KINDS
                                      ? (ScheduleKind)run
                                      : (ScheduleKind)held_int(0, KINDS - 1);
        const bool noisy = run == LARGE || (run + turn) % 2,
                   record = run == LARGE || (run + turn) / 2 % 2 == 0;
        const int steps = run == NO_STEPS ? 0
                          : run == LARGE  ? held_int(1, 8)
                                          : held_int(1, MAX_RUN);
        b.n = run == LARGE ? held_int(MAX_N + 1, GRAD_CHECK_MAX_N)
                           : held_int(noisy ? 2 : 1, MAX_N);
        double lmax = 0.0;
        for (int i = 0; i < b.n; i++) {
            b.l[i] = held_log_uniform(0.1, 10.0);
            b.c[i] = held_uniform(-5.0, 5.0);
            lmax = fmax(lmax, b.l[i]);
        }
        const Objective obj = {bowl, bowl_grad, &b, b.n};
        /* rates up to 1.5 / lmax: every step contracts, so rounding
         * differences do not grow */
        char sched_text[300];
        const Schedule sched =
            draw_schedule(kind, held_uniform(0.05, 1.5) / lmax, steps,
                          sched_text, sizeof sched_text);
        const double noise = noisy ? held_log_uniform(0.01, 2.0) : 0.0;
        held_vector(x0, b.n, -10.0, 10.0);
        memcpy(x, x0, sizeof x);
        memcpy(xr, x0, sizeof xr);
        Rng rng, rng_r;
        rng_seed(&rng, rng_next_u64(held_rng()));
        rng_r = rng;
        double losses[MAX_RUN + 1], losses_r[MAX_RUN + 1];
        for (int k = 0; k <= steps; k++)
            losses[k] = NAN;
        STUDENT(noisy_gd_run(x, &obj, &sched, steps, noise, &rng,
                             record ? losses : NULL));
        REFERENCE(noisy_gd_run(xr, &obj, &sched, steps, noise, &rng_r,
                               record ? losses_r : NULL));
        char setting[700];
        snprintf(setting, sizeof setting,
                 "noisy_gd_run of %d steps with noise=%.17g, losses %s, "
                 "schedule %s, on 1/2 sum l_i (x_i - c_i)^2 with n=%d, l=%s, "
                 "c=%s, from x0=%s",
                 steps, noise, record ? "recorded" : "NULL", sched_text, b.n,
                 held_show(b.l, b.n), held_show(b.c, b.n), held_show(x0, b.n));
        for (int i = 0; i < b.n; i++)
            HELD_NEAR(x[i], xr[i], 1e-10 * (1 + fabs(xr[i])), SEE_LOOP,
                      "x[%d] at the end of %s", i, setting);
        for (int k = 0; record && k <= steps; k++)
            HELD_NEAR(losses[k], losses_r[k], 1e-10 * (1 + fabs(losses_r[k])),
                      SEE_LOOP, "losses[%d] (f(x_%d)) of %s", k, k, setting);
        if (noisy)
            HELD_CHECK(rng.state == rng_r.state &&
                           rng.has_spare == rng_r.has_spare &&
                           (!rng.has_spare || rng.spare == rng_r.spare),
                       SEE_LOOP,
                       "the rng after %s: its stream must have given exactly "
                       "one rng_gaussian draw per coordinate per step, as "
                       "the reference's did",
                       setting);
    }
}
