/* tests/held/adaptive.c: chapter 4, adaptive methods -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check runs one optimizer of include/adaptive.h for several steps on
 * a random gradient sequence, the student's state and the reference's side
 * by side, and compares x and every state field the header documents after
 * every step. Every seed runs each optimizer in four regimes, so that each
 * field of the configuration matters somewhere:
 *
 *   - eps as large as the gradients (where eps goes changes every step),
 *   - eps = 0, the end of its domain (Adadelta: eps near 0, since it asks
 *     for eps > 0),
 *   - a tiny eps, with zero gradients (a coordinate whose first gradient is
 *     0 among them),
 *   - every field of the configuration redrawn before every step (the
 *     header lets it change between steps).
 *
 * The gradients are drawn, not computed from x: the optimizers treat each
 * coordinate on its own, so a sequence with magnitudes that rise and fall
 * over three decades, sign changes and zeros reaches every branch (AMSGrad's
 * maximum, the moments forgetting). */
#include "adaptive.h"
#include "held.h"

#include <stdio.h>
#include <string.h>

#define SEE_ADAGRAD "chapter 4, section 4.2 'Adagrad'"
#define SEE_RMSPROP "chapter 4, section 4.3 'RMSprop'"
#define SEE_ADAM "chapter 4, section 4.4 'Adam'"
#define SEE_ADAMW "chapter 4, section 4.6 'AdamW and decoupled weight decay'"
#define SEE_AMSGRAD "chapter 4, section 4.7 'AMSGrad'"
#define SEE_ADADELTA "chapter 4, section 4.8 'Adadelta'"

enum { MAX_N = 8, MAX_STEPS = 16, MAX_INIT_N = 64 };

/* Tolerances. A correct implementation may accumulate its averages and sums
 * in float (tests/mistakes: *-float-*): each stored value is then rounded
 * to float (relative 6e-8) at every step, and over at most 16 steps a
 * positive average or sum (v, u, sum_sq, v_max) is off by at most 16 * 6e-8
 * = 1e-6 of itself, m by 1e-6 of the largest |m| or |g| so far, and each
 * step of x by about 1e-6 of the length of its parts (Scales, below). 1e-5
 * of those scales accepts that several times over (the largest seen over
 * 300 seeds is a third of it); every mistake below moves them by far more (the
 * regimes are drawn so that it does: eps as large as the gradients, a decay
 * that moves x by 0.1% to 50% a step...). Orderings that are algebraically
 * equal (PyTorch's lerp, Adam's "efficient form" with eps scaled to match, the
 * decay written x *= 1 - lr wd) differ by rounding only, which the 1e-12
 * terms cover. */
#define REL_FLOAT 1e-5

typedef enum { WIDE_EPS, NO_EPS, TINY_EPS, DRIFTING, N_REGIMES } Regime;
static const char *const REGIME[N_REGIMES] = {
    "eps as large as the gradients", "eps at its lower end",
    "a tiny eps and zero gradients", "the config redrawn before each step"};

/* The optimizers, behind one interface, so that one runner serves all.
 * A configuration field plays one of these roles, which say how it is
 * drawn. */
typedef enum { ADAGRAD, RMSPROP, ADAM, ADAMW, AMSGRAD, ADADELTA } Method;
typedef enum { LR, BETA1, BETA, EPS, DECAY } Role;

typedef struct {
    const char *init, *step, *see;
    int n_fields; /* the Config's fields, in its order */
    const char *field[5];
    Role role[5];
    int n_buffers; /* the State's buffers that a run compares */
    const char *buffer[3];
} MethodInfo;

static const MethodInfo METHOD[] = {
    [ADAGRAD] = {"adagrad_init",
                 "adagrad_step",
                 SEE_ADAGRAD,
                 2,
                 {"lr", "eps"},
                 {LR, EPS},
                 1,
                 {"sum_sq"}},
    [RMSPROP] = {"rmsprop_init",
                 "rmsprop_step",
                 SEE_RMSPROP,
                 3,
                 {"lr", "beta", "eps"},
                 {LR, BETA, EPS},
                 1,
                 {"v"}},
    /* v_max is compared for amsgrad_step only: the header says only
     * AMSGrad uses it, which leaves open whether adam_step keeps it up to
     * date (a shared update may) */
    [ADAM] = {"adam_init",
              "adam_step",
              SEE_ADAM,
              5,
              {"lr", "beta1", "beta2", "eps", "weight_decay"},
              {LR, BETA1, BETA, EPS, DECAY},
              2,
              {"m", "v"}},
    [ADAMW] = {"adam_init",
               "adamw_step",
               SEE_ADAMW,
               5,
               {"lr", "beta1", "beta2", "eps", "weight_decay"},
               {LR, BETA1, BETA, EPS, DECAY},
               2,
               {"m", "v"}},
    [AMSGRAD] = {"adam_init",
                 "amsgrad_step",
                 SEE_AMSGRAD,
                 5,
                 {"lr", "beta1", "beta2", "eps", "weight_decay"},
                 {LR, BETA1, BETA, EPS, DECAY},
                 3,
                 {"m", "v", "v_max"}},
    [ADADELTA] = {"adadelta_init",
                  "adadelta_step",
                  SEE_ADADELTA,
                  3,
                  {"lr", "rho", "eps"},
                  {LR, BETA, EPS},
                  2,
                  {"v", "u"}},
};

typedef struct {
    Method method;
    union {
        AdagradState ag;
        RmspropState rp;
        AdamState ad;
        AdadeltaState dd;
    };
} State;

/* Each makes one call of include/adaptive.h, so that REFERENCE() sends
 * exactly it to the reference. */
static int state_init(State *s, Method method, int n) {
    s->method = method;
    switch (method) {
    case ADAGRAD:
        return adagrad_init(&s->ag, n);
    case RMSPROP:
        return rmsprop_init(&s->rp, n);
    case ADADELTA:
        return adadelta_init(&s->dd, n);
    default:
        return adam_init(&s->ad, n);
    }
}

/* One step with the configuration whose fields (in the Config's order)
 * are c[]. */
static void state_step(State *s, double *x, const double *g, const double *c) {
    switch (s->method) {
    case ADAGRAD: {
        const AdagradConfig cfg = {.lr = c[0], .eps = c[1]};
        adagrad_step(&s->ag, x, g, &cfg);
        break;
    }
    case RMSPROP: {
        const RmspropConfig cfg = {.lr = c[0], .beta = c[1], .eps = c[2]};
        rmsprop_step(&s->rp, x, g, &cfg);
        break;
    }
    case ADADELTA: {
        const AdadeltaConfig cfg = {.lr = c[0], .rho = c[1], .eps = c[2]};
        adadelta_step(&s->dd, x, g, &cfg);
        break;
    }
    default: {
        const AdamConfig cfg = {.lr = c[0],
                                .beta1 = c[1],
                                .beta2 = c[2],
                                .eps = c[3],
                                .weight_decay = c[4]};
        if (s->method == ADAM) adam_step(&s->ad, x, g, &cfg);
        if (s->method == ADAMW) adamw_step(&s->ad, x, g, &cfg);
        if (s->method == AMSGRAD) amsgrad_step(&s->ad, x, g, &cfg);
    }
    }
}

static void state_free(State *s) {
    switch (s->method) {
    case ADAGRAD:
        adagrad_free(&s->ag);
        break;
    case RMSPROP:
        rmsprop_free(&s->rp);
        break;
    case ADADELTA:
        adadelta_free(&s->dd);
        break;
    default:
        adam_free(&s->ad);
    }
}

/* The state's n, t and buffers (all of them: every one init allocates). */
static int state_view(const State *s, int *n, long *t, const double *buf[3]) {
    switch (s->method) {
    case ADAGRAD:
        *n = s->ag.n, *t = s->ag.t, buf[0] = s->ag.sum_sq;
        return 1;
    case RMSPROP:
        *n = s->rp.n, *t = s->rp.t, buf[0] = s->rp.v;
        return 1;
    case ADADELTA:
        *n = s->dd.n, *t = s->dd.t, buf[0] = s->dd.v, buf[1] = s->dd.u;
        return 2;
    default:
        *n = s->ad.n, *t = s->ad.t;
        buf[0] = s->ad.m, buf[1] = s->ad.v, buf[2] = s->ad.v_max;
        return 3;
    }
}

/* ---- init and free ---------------------------------------------------- */

/* For each state type, every seed: n <= 0 returns -1 with *s zeroed; n > 0
 * returns 0 with every buffer all zero, s->n = n and t = 0; free zeroes
 * the struct, and a second free is harmless. (The driver fills the struct
 * an init is given with non-zero bytes, so a field init forgets shows.) */
HELD(held_adaptive, init_and_free_keep_their_contract, 2) {
    const Method types[] = {ADAGRAD, RMSPROP, AMSGRAD, ADADELTA};
    for (int j = 0; j < 4; j++) {
        const Method method = types[j];
        const char *init = METHOD[method].init, *see = METHOD[method].see;
        const int bad = -held_int(0, 5), good = held_int(1, MAX_INIT_N);
        State s, sr;
        const double *buf[3];
        int n;
        long t;
        for (int pass = 0; pass < 2; pass++) {
            const int size = pass ? good : bad;
            int rc = STUDENT(state_init(&s, method, size));
            int rc_r = REFERENCE(state_init(&sr, method, size));
            HELD_INT(rc, rc_r, see, "%s(&s, %d) return value", init, size);
            int count = state_view(&s, &n, &t, buf);
            HELD_CHECK(n == (pass ? size : 0) && t == 0, see,
                       "after %s(&s, %d): want n = %d, t = 0; got n = %d, "
                       "t = %ld",
                       init, size, pass ? size : 0, n, t);
            for (int b = 0; b < count; b++) {
                HELD_CHECK(pass ? buf[b] != NULL : buf[b] == NULL, see,
                           "after %s(&s, %d): want buffer %d of %d %s, got "
                           "%s",
                           init, size, b + 1, count,
                           pass ? "allocated" : "NULL (*s zeroed)",
                           buf[b] ? "a pointer" : "NULL");
                for (int i = 0; pass && i < size; i++)
                    HELD_CHECK(buf[b][i] == 0.0, see,
                               "after %s(&s, %d): buffer %d of %d, element "
                               "%d: got %.17g, want 0 (calloc, or set every "
                               "element)",
                               init, size, b + 1, count, i, buf[b][i]);
            }
        }
        for (int call = 1; call <= 2; call++) {
            STUDENT(state_free(&s));
            int count = state_view(&s, &n, &t, buf);
            bool zeroed = n == 0 && t == 0;
            for (int b = 0; b < count; b++)
                zeroed = zeroed && buf[b] == NULL;
            HELD_CHECK(zeroed, see,
                       "free (call %d) after %s(&s, %d) must leave *s zeroed "
                       "(NULL buffers, n = 0, t = 0): got n = %d, t = %ld",
                       call, init, good, n, t);
        }
        REFERENCE(state_free(&sr));
    }
}

/* ---- runs ------------------------------------------------------------- */

/* One run: n coordinates, `steps` gradients, and the configuration of each
 * step (cfg[field][k], the same at every step unless the regime is
 * DRIFTING). */
typedef struct {
    Method method;
    Regime regime;
    int n, steps;
    double scale; /* the gradients' order of magnitude */
    double x0[MAX_N];
    double g[MAX_STEPS][MAX_N];
    double cfg[5][MAX_STEPS];
} Run;

/* n, the steps, x0 and the gradients of a run in `regime`: each coordinate
 * has a scale of its own, each step a magnitude from 1e-2 to 10 times it
 * and a random sign; outside eps = 0 (where a zero gradient with nothing
 * accumulated yet gives 0/0, which the header leaves undefined), about one
 * gradient in six is 0, and with a tiny eps one coordinate starts at 0. */
static void draw_gradients(Run *r) {
    r->n = held_int(1, MAX_N);
    r->steps = held_int(2, MAX_STEPS);
    r->scale = held_log_uniform(1e-3, 1e3);
    held_vector(r->x0, r->n, -10.0, 10.0);
    double c[MAX_N];
    for (int i = 0; i < r->n; i++)
        c[i] = r->scale * held_log_uniform(0.1, 10.0);
    for (int k = 0; k < r->steps; k++)
        for (int i = 0; i < r->n; i++) {
            r->g[k][i] = c[i] * held_log_uniform(1e-2, 10.0) *
                         (held_coin(0.5) ? -1.0 : 1.0);
            if (r->regime != NO_EPS && held_coin(1.0 / 6.0)) r->g[k][i] = 0.0;
        }
    if (r->regime == TINY_EPS) r->g[0][held_int(0, r->n - 1)] = 0.0;
}

/* A field of `role` for the run's method and regime; lr is the step's. */
static double draw_field(const Run *r, Role role, double lr) {
    const bool adadelta = r->method == ADADELTA;
    switch (role) {
    case LR: /* Adam moves x about lr a step; Adadelta's lr is a multiplier */
        return r->method >= ADAM && !adadelta ? held_log_uniform(1e-3, 3.0)
               : adadelta                     ? held_log_uniform(1e-2, 10.0)
                                              : held_log_uniform(1e-3, 10.0);
    case BETA1:
        return 1.0 - held_log_uniform(1e-3, 1.0);
    case BETA: /* anywhere in [0, 1): averages over 1 to 10^4 steps */
        return 1.0 - held_log_uniform(1e-4, 1.0);
    case EPS: {
        /* next to sqrt(v) ~ scale, or inside Adadelta's roots next to v ~
         * scale^2 (where it must be > 0: its "lower end" is 1e-16 v) */
        const double s = adadelta ? r->scale * r->scale : r->scale;
        switch (r->regime) {
        case WIDE_EPS:
            return s * held_log_uniform(1e-2, 10.0);
        case NO_EPS:
            return adadelta ? s * held_log_uniform(1e-16, 1e-12) : 0;
        case TINY_EPS:
            return s * held_log_uniform(1e-12, 1e-6);
        default:
            return s * held_log_uniform(1e-12, 10.0);
        }
    }
    default:
        /* weight_decay, drawn so that it matters: as an L2 term (adam_step,
         * amsgrad_step), wd |x| from 1e-2 to 10 times the gradients'
         * scale (|x| is up to 10); decoupled (adamw_step), lr wd from 1e-3
         * to 0.5, a shrink of x by 0.1% to 50% a step. 0, its default,
         * where eps is at its lower end. */
        if (r->regime == NO_EPS) return 0.0;
        if (r->method == ADAMW) return held_log_uniform(1e-3, 0.5) / lr;
        return r->scale * held_log_uniform(1e-3, 1.0);
    }
}

static Run draw_run(Method method, Regime regime) {
    Run r = {.method = method, .regime = regime};
    draw_gradients(&r);
    const MethodInfo *m = &METHOD[method];
    for (int k = 0; k < r.steps; k++)
        for (int j = 0; j < m->n_fields; j++)
            r.cfg[j][k] = k == 0 || regime == DRIFTING
                              ? draw_field(&r, m->role[j], r.cfg[0][k])
                              : r.cfg[j][0];
    return r;
}

/* The text of a run's setting for messages: the regime, the configuration
 * (each field's value at steps 1..k when it drifts), coordinate i's start
 * and its gradients at steps 1..k. Kept under 700 bytes, so that the
 * message's got/want part is never cut off. */
static const char *setting(const Run *r, int i, int k) {
    static char text[700];
    const MethodInfo *m = &METHOD[r->method];
    size_t used = (size_t)snprintf(text, sizeof text,
                                   "%s on n=%d coordinates (%s):", m->step,
                                   r->n, REGIME[r->regime]);
    for (int j = 0; j < m->n_fields && used < sizeof text; j++)
        used += (size_t)snprintf(
            text + used, sizeof text - used, " %s=%s", m->field[j],
            held_show(r->cfg[j], r->regime == DRIFTING ? k : 1));
    double gi[MAX_STEPS];
    for (int s = 0; s < k; s++)
        gi[s] = r->g[s][i];
    if (used < sizeof text)
        snprintf(text + used, sizeof text - used,
                 "; x[%d] from %.17g with g[%d] at steps 1..%d = %s", i,
                 r->x0[i], i, k, held_show(gi, k));
    return text;
}

/* The scales a run's state is compared at, per coordinate, REL_FLOAT of
 * which is allowed (see REL_FLOAT):
 *   - x: the path the reference's x has travelled so far, each step
 *     counted at the length of its parts (for Adam's family: the step
 *     lr m / (1 - beta1^t) / (sqrt(v / (1 - beta2^t)) + eps) with m at
 *     the largest |m| so far, since a rounded m is off by a fraction of
 *     that, and AdamW's decay apart, which may cancel the step);
 *   - Adagrad's, RMSprop's and Adadelta's buffers: themselves (sums and
 *     averages of squares of the given g);
 *   - Adam's m: the largest |m| or |g| (the L2 term included) so far; its
 *     v and v_max: the largest v so far. With an L2 term, the error x is
 *     allowed (REL_FLOAT of its path) comes back into g times
 *     weight_decay: what that moves m and v by is added (m_fed, v_fed). */
typedef struct {
    double path[MAX_N], m[MAX_N], v[MAX_N], m_max[MAX_N], m_fed[MAX_N],
        v_fed[MAX_N];
} Scales;

static void update_scales(Scales *sc, Method method, const double *g,
                          const double *c, long t, const double *const buf[3],
                          const double *before, const double *after, int n) {
    const bool adam = method == ADAM || method == ADAMW || method == AMSGRAD;
    for (int i = 0; i < n; i++) {
        const double path_before = sc->path[i];
        sc->path[i] += fabs(after[i] - before[i]);
        if (!adam) continue;
        const double lr = c[0], b1 = c[1], b2 = c[2], eps = c[3], wd = c[4];
        const double l2 = method == ADAMW ? 0.0 : wd * fabs(before[i]);
        if (method != ADAMW) {
            sc->m_fed[i] += (1.0 - b1) * wd * path_before;
            sc->v_fed[i] +=
                2.0 * (1.0 - b2) * (fabs(g[i]) + l2) * wd * path_before;
        }
        const double v = method == AMSGRAD ? buf[2][i] : buf[1][i];
        sc->m_max[i] = fmax(sc->m_max[i], fabs(buf[0][i]));
        sc->m[i] = fmax(sc->m_max[i], fmax(sc->m[i], fabs(g[i]) + l2));
        sc->v[i] = fmax(sc->v[i], fmax(buf[1][i], buf[2][i]));
        const double bc1 = 1.0 - pow(b1, (double)t),
                     bc2 = 1.0 - pow(b2, (double)t);
        const double denom = sqrt(v / bc2) + eps;
        if (denom > 0) sc->path[i] += lr * sc->m_max[i] / bc1 / denom;
        if (method == ADAMW) sc->path[i] += lr * wd * fabs(before[i]);
    }
}

/* A run of `method` in each regime, the student's and the reference's
 * side by side; after every step, t exactly, and x and each buffer within
 * REL_FLOAT of their Scales. */
static void runs_match(Method method) {
    const MethodInfo *m = &METHOD[method];
    const bool adam = method == ADAM || method == ADAMW || method == AMSGRAD;
    for (Regime regime = 0; regime < N_REGIMES; regime++) {
        const Run r = draw_run(method, regime);
        State s, sr;
        HELD_INT(STUDENT(state_init(&s, method, r.n)), 0, m->see,
                 "%s(&s, %d) return value", m->init, r.n);
        REFERENCE(state_init(&sr, method, r.n));
        double x[MAX_N], xr[MAX_N];
        Scales sc;
        memset(&sc, 0, sizeof sc);
        memcpy(x, r.x0, sizeof x);
        memcpy(xr, r.x0, sizeof xr);
        for (int k = 0; k < r.steps; k++) {
            double c[5], before[MAX_N];
            for (int j = 0; j < m->n_fields; j++)
                c[j] = r.cfg[j][k];
            memcpy(before, xr, sizeof before);
            STUDENT(state_step(&s, x, r.g[k], c));
            REFERENCE(state_step(&sr, xr, r.g[k], c));
            int n, n_r;
            long t, t_r;
            const double *buf[3], *buf_r[3];
            state_view(&s, &n, &t, buf);
            state_view(&sr, &n_r, &t_r, buf_r);
            HELD_INT(t, t_r, m->see,
                     "s->t after step %d (t counts the steps), %s", k + 1,
                     setting(&r, 0, k + 1));
            update_scales(&sc, method, r.g[k], c, t_r, buf_r, before, xr, r.n);
            for (int i = 0; i < r.n; i++) {
                for (int b = 0; b < m->n_buffers; b++) {
                    const double scale = !adam    ? fabs(buf_r[b][i])
                                         : b == 0 ? sc.m[i] + sc.m_fed[i]
                                                  : sc.v[i] + sc.v_fed[i];
                    HELD_NEAR(buf[b][i], buf_r[b][i],
                              1e-300 + REL_FLOAT * scale, m->see,
                              "s->%s[%d] after step %d, %s", m->buffer[b], i,
                              k + 1, setting(&r, i, k + 1));
                }
                HELD_NEAR(x[i], xr[i],
                          1e-12 * (1 + fabs(xr[i])) + REL_FLOAT * sc.path[i],
                          m->see, "x[%d] after step %d, %s", i, k + 1,
                          setting(&r, i, k + 1));
            }
        }
        STUDENT(state_free(&s));
        REFERENCE(state_free(&sr));
    }
}

HELD(held_adaptive, adagrad_runs_match_the_reference, 2) {
    runs_match(ADAGRAD);
}

HELD(held_adaptive, rmsprop_runs_match_the_reference, 2) {
    runs_match(RMSPROP);
}

HELD(held_adaptive, adam_runs_match_the_reference, 3) {
    runs_match(ADAM);
}

HELD(held_adaptive, adamw_runs_match_the_reference, 3) {
    runs_match(ADAMW);
}

HELD(held_adaptive, amsgrad_runs_match_the_reference, 2) {
    runs_match(AMSGRAD);
}

HELD(held_adaptive, adadelta_runs_match_the_reference, 2) {
    runs_match(ADADELTA);
}
