/* tests/held/regularization.c: chapter 7, regularization -- held-back
 * checks (instructor only; see tests/support/held.h).
 *
 * Each check draws instances from what include/regularization.h promises
 * and compares the student's results with the reference solution's: the
 * penalties and their gradients on weights with exact zeros, the proximal
 * step at and around its threshold, dropout in both modes with the Rng
 * state it leaves, early stopping as a state machine (every field after
 * every update, on losses with ties, NaN and gains of exactly min_delta),
 * fit_train with every regularizer and both ways a run ends, and the
 * backward pass through a chain of layers. A sum of k terms may be
 * accumulated in float by a correct implementation
 * (tests/mistakes/regularization-*float*): it is then off by (k + 1) 2^-24
 * of the sum of its terms' sizes at most, and float_sum gives twice that. */
#include "regularization.h"
#include "held.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SEE_OVERFIT "chapter 7, section 7.1 'Overfitting'"
#define SEE_L2 "chapter 7, section 7.2 'L2 regularization and weight decay'"
#define SEE_L1 "chapter 7, section 7.3 'L1 regularization and exact zeros'"
#define SEE_EARLY "chapter 7, section 7.4 'Early stopping'"
#define SEE_DROPOUT "chapter 7, section 7.5 'Dropout'"
#define SEE_CHAIN "chapter 7, section 7.6 'Vanishing and exploding gradients'"

enum { MAX_N = 64 };

/* The relative error of a sum of `terms` terms accumulated in float, with
 * a factor 2 of margin (see above). */
static double float_sum(int terms) {
    return 1.2e-7 * (terms + 1);
}

static void fill(double *v, int n, double value) {
    for (int i = 0; i < n; i++)
        v[i] = value;
}

/* Weights with exact zeros of both signs (-0.0 is what a correct
 * soft-thresholding may leave: copysign(0, w)) among values drawn in
 * [-10, 10]. */
static void draw_weights(double *w, int n) {
    held_vector(w, n, -10.0, 10.0);
    if (n < 3) return;
    int zero = held_int(0, n - 1);
    w[zero] = 0.0;
    w[(zero + held_int(1, n - 1)) % n] = -0.0;
}

/* ---- L2 and weight decay ------------------------------------------------- */

/* A penalty and the function that adds its gradient, on weights w[n] and a
 * data gradient drawn for them: the student's against the reference's. */
typedef double (*Penalty)(const double *w, int n, double lambda);
typedef void (*PenaltyGrad)(double *g, const double *w, int n, double lambda);

static void check_penalty(Penalty penalty, PenaltyGrad grad_add,
                          const char *names, const char *see, int n,
                          double lambda) {
    double w[MAX_N], g0[MAX_N], g[MAX_N], gr[MAX_N];
    draw_weights(w, n);
    held_vector(g0, n, -10.0, 10.0); /* the data gradient, added to */
    memcpy(g, g0, (size_t)n * sizeof *g);
    memcpy(gr, g0, (size_t)n * sizeof *g);
    double got = STUDENT(penalty(w, n, lambda));
    double want = REFERENCE(penalty(w, n, lambda));
    HELD_NEAR(got, want, float_sum(n) * want, see,
              "the penalty of %s (n=%d, lambda=%.17g) at w=%s", names, n,
              lambda, held_show(w, n));
    STUDENT(grad_add(g, w, n, lambda));
    REFERENCE(grad_add(gr, w, n, lambda));
    for (int i = 0; i < n; i++) /* g + lambda w, g + lambda sign(w) */
        HELD_NEAR(g[i], gr[i],
                  1e-15 * (fabs(g0[i]) + lambda * fmax(1, fabs(w[i]))), see,
                  "g[%d] after the gradient of %s (n=%d, lambda=%.17g) is "
                  "added to g=%s at w=%s (sign(0) = 0 for 0.0 and -0.0 alike)",
                  i, names, n, lambda, held_show_at_most(g0, n, 280),
                  held_show_at_most(w, n, 280));
}

HELD(held_regularization, l2_penalty_and_gradient_match_the_reference, 1) {
    for (int trial = 0; trial < 3; trial++) { /* n = 1, n > 1, lambda = 0 */
        int n = trial == 0 ? 1 : held_int(3, MAX_N);
        double lambda = trial == 2 ? 0.0 : held_log_uniform(1e-4, 10.0);
        check_penalty(l2_penalty, l2_grad_add, "l2_penalty/l2_grad_add", SEE_L2,
                      n, lambda);
    }
}

HELD(held_regularization, weight_decay_step_matches_the_reference, 1) {
    for (int trial = 0; trial < 3; trial++) { /* n = 1, n > 1, lambda = 0 */
        int n = trial == 0 ? 1 : held_int(2, MAX_N);
        double lr = held_log_uniform(1e-3, 0.5);
        double lambda = trial == 2 ? 0.0 : held_log_uniform(1e-3, 1.0);
        double w0[MAX_N], w[MAX_N], wr[MAX_N], g[MAX_N];
        draw_weights(w0, n);
        held_vector(g, n, -10.0, 10.0);
        memcpy(w, w0, (size_t)n * sizeof *w);
        memcpy(wr, w0, (size_t)n * sizeof *w);
        STUDENT(weight_decay_step(w, g, n, lr, lambda));
        REFERENCE(weight_decay_step(wr, g, n, lr, lambda));
        for (int i = 0; i < n; i++)
            /* (1 - lr lambda) w - lr g, or w - lr (g + lambda w): a few
             * ulps of the terms */
            HELD_NEAR(w[i], wr[i], 4e-15 * (fabs(w0[i]) + lr * fabs(g[i])),
                      SEE_L2,
                      "w[%d] after weight_decay_step(n=%d, lr=%.17g, "
                      "lambda=%.17g) from w=%s with g=%s",
                      i, n, lr, lambda, held_show_at_most(w0, n, 280),
                      held_show_at_most(g, n, 280));
    }
}

/* ---- L1 ------------------------------------------------------------------ */

HELD(held_regularization, l1_penalty_and_subgradient_match_the_reference, 1) {
    for (int trial = 0; trial < 2; trial++) { /* n = 1, and n > 1 with 0s */
        int n = trial == 0 ? 1 : held_int(3, MAX_N);
        double lambda = held_log_uniform(1e-3, 10.0);
        check_penalty(l1_penalty, l1_subgrad_add, "l1_penalty/l1_subgrad_add",
                      SEE_L1, n, lambda);
    }
}

/* Where a weight lies against the threshold t, each on every seed: on it
 * (+-t), one ulp inside or outside it, at 0 (either sign), inside the dead
 * zone, and beyond it. */
typedef enum { AT, ULP_IN, ULP_OUT, ZERO, DEAD, BEYOND, N_PLACES } Place;

static double draw_place(Place place, double t) {
    double sign = held_coin(0.5) ? 1.0 : -1.0;
    switch (place) {
    case AT:
        return sign * t;
    case ULP_IN:
        return sign * nextafter(t, 0.0);
    case ULP_OUT:
        return sign * nextafter(t, INFINITY);
    case ZERO:
        return sign * 0.0;
    case DEAD:
        return held_uniform(-t, t);
    default:
        return sign * (t + held_uniform(0.0, 10.0));
    }
}

HELD(held_regularization, l1_prox_matches_the_reference_at_the_threshold, 2) {
    /* every place at drawn positions; threshold 0 (nothing moves); n = 1 */
    for (int trial = 0; trial < 3; trial++) {
        int n = trial == 2 ? 1 : held_int(N_PLACES, MAX_N);
        double t = trial == 1 ? 0.0 : held_log_uniform(1e-3, 10.0);
        double w0[MAX_N], w[MAX_N], wr[MAX_N];
        for (int i = 0; i < n; i++)
            w0[i] = draw_place(i < N_PLACES && n > 1
                                   ? (Place)i
                                   : (Place)held_int(0, N_PLACES - 1),
                               t);
        for (int i = n - 1; i > 0; i--) { /* the places at drawn positions */
            int j = held_int(0, i);
            double swap = w0[i];
            w0[i] = w0[j], w0[j] = swap;
        }
        memcpy(w, w0, (size_t)n * sizeof *w);
        memcpy(wr, w0, (size_t)n * sizeof *w);
        STUDENT(l1_prox(w, n, t));
        REFERENCE(l1_prox(wr, n, t));
        for (int i = 0; i < n; i++) {
            if (wr[i] == 0.0)
                HELD_CHECK(w[i] == 0.0, SEE_L1,
                           "w[%d] after l1_prox(n=%d, threshold=%.17g) from "
                           "w=%s: got %.17g, want exactly 0 (|w[%d]| = "
                           "%.17g <= threshold)",
                           i, n, t, held_show_at_most(w0, n, 500), w[i], i,
                           fabs(w0[i]));
            else /* |w| - t is exact near t; a few ulps of |w| elsewhere */
                HELD_NEAR(w[i], wr[i], 1e-15 * fabs(w0[i]), SEE_L1,
                          "w[%d] after l1_prox(n=%d, threshold=%.17g) from "
                          "w=%s",
                          i, n, t, held_show_at_most(w0, n, 500));
        }
    }
}

/* ---- Dropout ------------------------------------------------------------- */

/* The calls, one of each on every seed: training with p in the middle on
 * many units (the mask tells the order of the draws apart), p = 0 (every
 * unit kept, a draw each still), p near 1, in place (out == in) without a
 * mask, and evaluation with a mask, and in place without one and with
 * rng NULL (the header allows it at evaluation). */
typedef enum {
    TRAIN,
    TRAIN_P0,
    TRAIN_NEAR_1,
    TRAIN_IN_PLACE,
    EVAL,
    EVAL_IN_PLACE,
    N_DROPS
} Drop;
static const char *const DROP[N_DROPS] = {
    "training",
    "training, p = 0",
    "training, p near 1",
    "training, in place (out == in), mask NULL",
    "evaluation (training false)",
    "evaluation (training false), in place (out == in), mask NULL, rng NULL"};

static Rng draw_rng(void) {
    Rng rng;
    rng_seed(&rng, rng_next_u64(held_rng()));
    if (held_coin(0.5)) { /* a Gaussian's spare, which dropout leaves alone */
        rng.has_spare = true;
        rng.spare = held_uniform(-3.0, 3.0);
    }
    return rng;
}

HELD(held_regularization, dropout_forward_matches_the_reference, 2) {
    for (Drop d = 0; d < N_DROPS; d++) {
        int n = d == TRAIN ? held_int(48, MAX_N) : held_int(1, MAX_N);
        double p = d == TRAIN          ? held_uniform(0.35, 0.65)
                   : d == TRAIN_P0     ? 0.0
                   : d == TRAIN_NEAR_1 ? 1.0 - held_log_uniform(1e-12, 1e-2)
                                       : held_uniform(0.05, 0.95);
        bool training = d < EVAL;
        bool in_place = d == TRAIN_IN_PLACE || d == EVAL_IN_PLACE;
        double in[MAX_N], out[MAX_N], out_r[MAX_N];
        unsigned char mask[MAX_N], mask_r[MAX_N];
        held_vector(in, n, -10.0, 10.0);
        fill(out, n, NAN);
        memset(mask, 7, sizeof mask); /* neither 0 nor 1 */
        Rng rng0 = draw_rng(), rng = rng0, rng_r = rng0;
        bool no_rng = d == EVAL_IN_PLACE;
        if (in_place) {
            memcpy(out, in, (size_t)n * sizeof *in);
            STUDENT(dropout_forward(out, NULL, out, n, p, no_rng ? NULL : &rng,
                                    training));
        } else {
            STUDENT(dropout_forward(out, mask, in, n, p, &rng, training));
        }
        REFERENCE(dropout_forward(out_r, mask_r, in, n, p, no_rng ? NULL : &rng_r,
                                  training));
        char setting[1200];
        snprintf(setting, sizeof setting,
                 "dropout_forward (%s), n=%d, p=%.17g, Rng state %" PRIu64
                 ", in=%s",
                 DROP[d], n, p, rng0.state, held_show_at_most(in, n, 400));
        for (int i = 0; i < n; i++) {
            /* in / (1 - p) or in * (1 / (1 - p)): an ulp or two; at
             * evaluation out = in exactly */
            HELD_NEAR(out[i], out_r[i], training ? 1e-15 * fabs(out_r[i]) : 0,
                      SEE_DROPOUT, "out[%d] of %s", i, setting);
            if (!in_place)
                HELD_INT(mask[i], mask_r[i], SEE_DROPOUT, "mask[%d] of %s", i,
                         setting);
        }
        HELD_CHECK(rng.state == rng_r.state, SEE_DROPOUT,
                   "the Rng state after %s: got %" PRIu64 ", the reference "
                   "solution leaves %" PRIu64 " (one rng_uniform per unit "
                   "in training, none at evaluation)",
                   setting, rng.state, rng_r.state);
        HELD_CHECK(rng.has_spare == rng_r.has_spare &&
                       (!rng.has_spare || rng.spare == rng_r.spare),
                   SEE_DROPOUT,
                   "the Rng's Gaussian spare after %s: got has_spare=%d, "
                   "spare=%.17g; the reference leaves %d, %.17g",
                   setting, rng.has_spare, rng.spare, rng_r.has_spare,
                   rng_r.spare);
    }
}

HELD(held_regularization, dropout_backward_matches_the_reference, 1) {
    /* p in the middle, p = 0, p near 1, and in place (grad_in == grad_out) */
    for (int trial = 0; trial < 4; trial++) {
        int n = held_int(2, MAX_N);
        double p = trial == 1   ? 0.0
                   : trial == 2 ? 1.0 - held_log_uniform(1e-12, 1e-2)
                                : held_uniform(0.05, 0.95);
        unsigned char mask[MAX_N];
        double grad_out[MAX_N], got[MAX_N], want[MAX_N];
        for (int i = 0; i < n; i++)
            mask[i] = held_coin(0.5);
        int kept = held_int(0, n - 1), dropped = (kept + 1) % n;
        mask[kept] = 1, mask[dropped] = 0; /* both kinds on every seed */
        held_vector(grad_out, n, -10.0, 10.0);
        if (trial == 3) {
            memcpy(got, grad_out, (size_t)n * sizeof *got);
            STUDENT(dropout_backward(got, mask, got, n, p));
        } else {
            fill(got, n, NAN);
            STUDENT(dropout_backward(got, mask, grad_out, n, p));
        }
        REFERENCE(dropout_backward(want, mask, grad_out, n, p));
        double m[MAX_N];
        for (int i = 0; i < n; i++)
            m[i] = mask[i];
        for (int i = 0; i < n; i++)
            HELD_NEAR(got[i], want[i], 1e-15 * fabs(want[i]), SEE_DROPOUT,
                      "grad_in[%d] of dropout_backward(n=%d, p=%.17g%s) with "
                      "mask=%s, grad_out=%s",
                      i, n, p, trial == 3 ? ", grad_in == grad_out" : "",
                      held_show(m, n), held_show_at_most(grad_out, n, 400));
    }
}

/* ---- Early stopping ------------------------------------------------------ */

/* The next validation loss, against the reference's state: a new best
 * (below best - min_delta), exactly best - min_delta (no new best: the
 * test is strict), a tie with the best, strictly between best - min_delta
 * and best, worse, NaN and +inf. Losses and min_delta are multiples of
 * 2^-10 below 32, so that best - min_delta and best - val_loss are exact:
 * every way of writing the test decides the same. */
typedef enum {
    NEW_BEST,
    AT_MARGIN,
    TIE,
    WITHIN,
    WORSE,
    NOT_A_NUMBER,
    INFINITE,
    N_MOVES
} Move;
#define GRID (1.0 / 1024)

static double next_loss(Move move, const EarlyStopping *es) {
    double best = es->best, delta = es->min_delta;
    if (move == NOT_A_NUMBER) return NAN;
    if (move == INFINITE) return INFINITY;
    if (isinf(best)) /* nothing seen yet but NaN and inf */
        return move == NEW_BEST ? GRID * held_int(8 * 1024, 16 * 1024)
                                : INFINITY;
    switch (move) {
    case NEW_BEST: /* one grid step beyond the margin, or more */
        return best - delta - GRID * (held_coin(0.3) ? 1 : held_int(1, 256));
    case AT_MARGIN:
        return best - delta;
    case WITHIN:
        if (delta >= 2 * GRID)
            return best - delta + GRID * held_int(1, (int)(delta / GRID) - 1);
        return best; /* no room between: a tie */
    case WORSE:
        return best + GRID * held_int(1, 256);
    default:
        return best;
    }
}

static void check_tracker(const EarlyStopping *es, const EarlyStopping *ref,
                          const char *when) {
    HELD_INT(es->patience, ref->patience, SEE_EARLY, "es.patience %s", when);
    HELD_NEAR(es->min_delta, ref->min_delta, 0.0, SEE_EARLY, "es.min_delta %s",
              when);
    HELD_NEAR(es->best, ref->best, 0.0, SEE_EARLY, "es.best %s", when);
    HELD_INT(es->best_eval, ref->best_eval, SEE_EARLY,
             "es.best_eval %s (evaluations are numbered from 0)", when);
    HELD_INT(es->evals, ref->evals, SEE_EARLY, "es.evals %s", when);
    HELD_INT(es->bad_evals, ref->bad_evals, SEE_EARLY, "es.bad_evals %s", when);
}

HELD(held_regularization, early_stopping_tracks_the_reference_state, 3) {
    enum { MAX_LEN = 2 * N_MOVES + 8 + 1 + 7 };
    /* patience 1 and more, min_delta 0 and more; the first loss NaN, +inf,
     * or a number */
    for (int run = 0; run < 4; run++) {
        int patience = run % 2 ? held_int(2, 5) : 1;
        double min_delta = run < 2 ? 0.0 : GRID * held_int(2, 256);
        Move moves[MAX_LEN];
        int len = 0;
        for (int k = 0; k < 2 * N_MOVES; k++) /* every move, twice */
            moves[len++] = (Move)(k % N_MOVES);
        for (int k = held_int(0, 8); k > 0; k--)
            moves[len++] = (Move)held_int(0, N_MOVES - 1);
        for (int i = len - 1; i > 0; i--) {
            int j = held_int(0, i);
            Move swap = moves[i];
            moves[i] = moves[j], moves[j] = swap;
        }
        moves[0] = run == 0 ? NOT_A_NUMBER : run == 1 ? INFINITE : NEW_BEST;
        /* then a new best and patience + 1 bad evaluations: a stop, and
         * an update after it */
        moves[len++] = NEW_BEST;
        for (int k = 0; k <= patience; k++)
            moves[len++] = (Move)held_int(TIE, NOT_A_NUMBER);
        EarlyStopping es, ref;
        STUDENT(early_stopping_init(&es, patience, min_delta));
        REFERENCE(early_stopping_init(&ref, patience, min_delta));
        char when[1200];
        snprintf(when, sizeof when,
                 "after early_stopping_init(patience=%d, min_delta=%.17g) "
                 "(best is INFINITY, best_eval -1 at first)",
                 patience, min_delta);
        check_tracker(&es, &ref, when);
        double losses[MAX_LEN];
        for (int e = 0; e < len; e++) {
            losses[e] = next_loss(moves[e], &ref);
            bool stop = STUDENT(early_stopping_update(&es, losses[e]));
            bool stop_r = REFERENCE(early_stopping_update(&ref, losses[e]));
            snprintf(when, sizeof when,
                     "after early_stopping_update #%d, val_loss %.17g, with "
                     "patience=%d, min_delta=%.17g and the losses %s before "
                     "(a new best is below best - min_delta, strictly; NaN "
                     "is none)",
                     e, losses[e], patience, min_delta,
                     held_show_at_most(losses, e, 400));
            check_tracker(&es, &ref, when);
            HELD_INT(stop, stop_r, SEE_EARLY,
                     "the value returned by early_stopping_update (1: stop) "
                     "%s",
                     when);
        }
    }
}

/* ---- The training loop --------------------------------------------------- */

/* The runs of fit_train, one of each on every seed: each regularizer with
 * early stopping off (ended by the step budget, eval_every 1 among them),
 * early stopping that ends the run after a best in its course and after a
 * best at the first evaluation, early stopping on a run that the budget
 * ends at its best evaluation and on one that the budget ends after its
 * best (w is set back to the best weights then too: include/
 * regularization.h), and a budget of 0 steps. The curves are passed both,
 * one or none. */
typedef enum {
    PLAIN,
    RIDGE,
    SUBGRADIENT,
    PROXIMAL,
    STOPS,
    STOPS_AT_START,
    BUDGET_AT_BEST,
    BUDGET_AFTER_BEST,
    NO_STEP,
    N_RUNS
} Run;
static const char *const RUN[N_RUNS] = {
    "no early stopping, ended by the step budget",
    "no early stopping, eval_every 1",
    "no early stopping, ended by the step budget",
    "no early stopping, ended by the step budget",
    "stopped early",
    "stopped early after a best at the first evaluation",
    "early stopping on, ended by the step budget at its best evaluation",
    "early stopping on, ended by the step budget after its best evaluation",
    "max_steps 0"};
static const char *const REG[4] = {"REG_NONE", "REG_L2", "REG_L1_SUBGRAD",
                                   "REG_L1_PROX"};

enum { MAX_EVALS = 120 };

/* The evaluation at which early stopping (min_delta 0) with `patience`
 * stops on the validation curve v[0..evals), or -1; *decided is false when
 * a comparison of a loss with the best comes within 1e-9 of it, where
 * runs that round differently could decide it differently (correct runs
 * agree to ~1e-13 here: gradient descent below its stability limit does
 * not amplify rounding). */
static int stop_of(const double *v, int evals, int patience, bool *decided) {
    double best = INFINITY;
    int bad = 0;
    *decided = true;
    for (int e = 0; e < evals; e++) {
        if (isfinite(best) && fabs(v[e] - best) <= 1e-9 * fabs(best))
            *decided = false;
        if (v[e] < best)
            best = v[e], bad = 0;
        else if (++bad >= patience)
            return e;
    }
    return -1;
}

/* The longest run of evaluations without a new best on v[0..evals). */
static int longest_wait(const double *v, int evals) {
    double best = INFINITY;
    int bad = 0, longest = 0;
    for (int e = 0; e < evals; e++) {
        if (v[e] < best)
            best = v[e], bad = 0;
        else
            longest = bad + 1 > longest ? bad + 1 : longest, bad++;
    }
    return longest;
}

typedef struct {
    PolyData train, val;
    FitConfig cfg;
    double w0[POLY_N];
    char data[300]; /* how train and val were made, for messages */
} FitCase;

static void draw_fit(FitCase *f, Regularizer reg, int patience) {
    int m = held_int(8, 24), m_val = held_int(1, 60);
    double noise = held_uniform(0.05, 0.5), noise_val = held_uniform(0.05, 0.5);
    uint64_t seed = rng_next_u64(held_rng()),
             seed_val = rng_next_u64(held_rng());
    polyfit_data(&f->train, m, noise, seed);
    polyfit_data(&f->val, m_val, noise_val, seed_val);
    snprintf(f->data, sizeof f->data,
             "train = polyfit_data(m=%d, noise=%.17g, seed=%" PRIu64
             "), val = polyfit_data(m=%d, noise=%.17g, seed=%" PRIu64 ")",
             m, noise, seed, m_val, noise_val, seed_val);
    held_vector(f->w0, POLY_N, -1.0, 1.0);
    /* |P_j| <= 1 on [-1, 1]: the Hessian of the MSE is at most 2 * 10,
     * plus lambda <= 1 for L2; lr < 2 / 21 is stable */
    f->cfg = (FitConfig){.reg = reg, .patience = patience};
    /* one draw a statement: the same order with every compiler */
    f->cfg.lr = held_uniform(0.005, 0.09);
    f->cfg.lambda = held_log_uniform(1e-3, 1.0);
    f->cfg.eval_every = held_int(1, 30);
    f->cfg.max_steps = f->cfg.eval_every * held_int(1, MAX_EVALS - 1);
}

/* The validation curve of f's run without early stopping, by the
 * reference: where early stopping would stop it. */
static int probe(const FitCase *f, double *v) {
    FitConfig cfg = f->cfg;
    cfg.patience = 0;
    double w[POLY_N];
    memcpy(w, f->w0, sizeof w);
    return REFERENCE(fit_train(w, &f->train, &f->val, &cfg, NULL, v)).evals;
}

/* A run that early stopping ends strictly before the budget: a patience
 * drawn among those that do, on a curve whose comparisons are decided. */
static bool plan_stop(FitCase *f) {
    double v[MAX_EVALS];
    int evals = probe(f, v), choices[MAX_EVALS], count = 0;
    for (int patience = 1; patience < evals; patience++) {
        bool decided;
        int stop = stop_of(v, evals, patience, &decided);
        if (stop >= 0 && stop < evals - 1 && decided)
            choices[count++] = patience;
    }
    if (count) f->cfg.patience = choices[held_int(0, count - 1)];
    return count > 0;
}

/* A run whose last evaluation is its strict best, with a patience that
 * early stopping never reaches: whether the weights are restored when the
 * budget ends a run is left open by the header ("training stops when it
 * says so and w is set back"), but here both readings return the last
 * weights. */
static bool plan_budget(FitCase *f) {
    double v[MAX_EVALS];
    int evals = probe(f, v);
    bool decided;
    int wait = longest_wait(v, evals);
    stop_of(v, evals, wait + 1, &decided);
    for (int e = 0; e + 1 < evals; e++)
        if (!(v[evals - 1] < v[e] * (1 - 1e-9))) return false;
    f->cfg.patience = wait + 1 + held_int(0, 2);
    return decided;
}

/* A run whose best evaluation comes before its last, with a patience that
 * early stopping never reaches: the budget ends it, and w is set back to
 * the best evaluation's weights. The best is the strict best by a margin no
 * rounding can close. */
static bool plan_budget_after_best(FitCase *f) {
    double v[MAX_EVALS];
    int evals = probe(f, v), best = 0;
    for (int e = 1; e < evals; e++)
        if (v[e] < v[best]) best = e;
    if (best == evals - 1) return false;
    for (int e = 0; e < evals; e++)
        if (e != best && !(v[e] - v[best] > 1e-9 * fmax(fabs(v[best]), 1e-3)))
            return false;
    f->cfg.patience = longest_wait(v, evals) + 1 + held_int(0, 2);
    bool decided;
    return stop_of(v, evals, f->cfg.patience, &decided) < 0 && decided;
}

/* val's targets set to the predictions of w0: its loss is 0 at the first
 * evaluation and positive once training moves w, so that the first
 * evaluation is the best. */
static void fit_val_to_start(FitCase *f) {
    for (int i = 0; i < f->val.m; i++)
        f->val.y[i] = polyfit_predict(f->w0, f->val.x[i]);
    size_t used = strlen(f->data);
    snprintf(f->data + used, sizeof f->data - used,
             " with y = the starting w's predictions");
}

static FitCase draw_run(Run run) {
    FitCase f;
    Regularizer reg =
        run <= PROXIMAL ? (Regularizer)run : (Regularizer)held_int(0, 3);
    draw_fit(&f, reg, run == NO_STEP ? held_int(0, 3) : 0);
    if (run == RIDGE) { /* eval_every 1 */
        f.cfg.eval_every = 1;
        f.cfg.max_steps = held_int(1, MAX_EVALS - 1);
    }
    if (run == NO_STEP) f.cfg.max_steps = 0;
    if (run != STOPS && run != STOPS_AT_START && run != BUDGET_AT_BEST &&
        run != BUDGET_AFTER_BEST)
        return f;
    /* a few draws, then runs sure to do what is asked: val fitted to the
     * start (it stops after a best at the first evaluation), or val =
     * train without a penalty, whose training loss falls at every
     * evaluation (the budget ends it at its best) */
    for (int attempt = 0; attempt < 40; attempt++) {
        if (attempt) draw_fit(&f, reg, 0);
        if (run == STOPS_AT_START || (run == STOPS && attempt >= 4) ||
            (run == BUDGET_AFTER_BEST && attempt >= 4))
            fit_val_to_start(&f);
        if (run == BUDGET_AT_BEST && attempt >= 4) {
            f.cfg.reg = REG_NONE;
            f.val = f.train;
            *strstr(f.data, ", val") = '\0';
            strcat(f.data, ", val = train");
        }
        bool planned = run == BUDGET_AT_BEST      ? plan_budget(&f)
                       : run == BUDGET_AFTER_BEST ? plan_budget_after_best(&f)
                                                  : plan_stop(&f);
        if (planned) return f;
    }
    HELD_CHECK(false, SEE_EARLY, "test bug: no run of the kind '%s' drawn",
               RUN[run]);
    return f;
}

HELD(held_regularization, fit_train_matches_the_reference_on_every_run, 3) {
    for (Run run = 0; run < N_RUNS; run++) {
        FitCase f = draw_run(run);
        const FitConfig *cfg = &f.cfg;
        int room = cfg->max_steps / cfg->eval_every + 1;
        bool train_on = run % 4 == 0 || run % 4 == 1;
        bool val_on = run % 4 == 0 || run % 4 == 2;
        double w[POLY_N], wr[POLY_N];
        double tc[MAX_EVALS], vc[MAX_EVALS], tc_r[MAX_EVALS], vc_r[MAX_EVALS];
        memcpy(w, f.w0, sizeof w);
        memcpy(wr, f.w0, sizeof wr);
        fill(tc, room, NAN);
        fill(vc, room, NAN);
        FitResult res =
            STUDENT(fit_train(w, &f.train, &f.val, cfg, train_on ? tc : NULL,
                              val_on ? vc : NULL));
        FitResult ref =
            REFERENCE(fit_train(wr, &f.train, &f.val, cfg, tc_r, vc_r));
        char setting[1600];
        snprintf(setting, sizeof setting,
                 "fit_train (%s) with %s, lambda=%.17g, lr=%.17g, "
                 "max_steps=%d, eval_every=%d, patience=%d, train_curve "
                 "%s, val_curve %s, from w=%s, on %s",
                 RUN[run], REG[cfg->reg], cfg->lambda, cfg->lr, cfg->max_steps,
                 cfg->eval_every, cfg->patience, train_on ? "given" : "NULL",
                 val_on ? "given" : "NULL", held_show(f.w0, POLY_N), f.data);
        HELD_INT(res.steps, ref.steps, SEE_OVERFIT, "FitResult.steps of %s",
                 setting);
        HELD_INT(res.evals, ref.evals, SEE_OVERFIT, "FitResult.evals of %s",
                 setting);
        HELD_INT(res.best_step, ref.best_step, SEE_EARLY,
                 "FitResult.best_step (the step whose weights w holds) of %s",
                 setting);
        /* 1e-9: correct runs agree to ~1e-13 (rounding, not amplified) */
        for (int j = 0; j < POLY_N; j++)
            HELD_NEAR(w[j], wr[j], 1e-9 * (1 + fabs(wr[j])), SEE_OVERFIT,
                      "w[%d] returned by %s", j, setting);
        for (int e = 0; e < ref.evals; e++) {
            if (train_on)
                HELD_NEAR(tc[e], tc_r[e], 1e-9 * (1 + tc_r[e]), SEE_OVERFIT,
                          "train_curve[%d] (after %d steps) of %s", e,
                          e * cfg->eval_every, setting);
            if (val_on)
                HELD_NEAR(vc[e], vc_r[e], 1e-9 * (1 + vc_r[e]), SEE_OVERFIT,
                          "val_curve[%d] (after %d steps) of %s", e,
                          e * cfg->eval_every, setting);
        }
    }
}

/* ---- Gradients through many layers --------------------------------------- */

HELD(held_regularization, backprop_linear_chain_matches_the_reference, 1) {
    enum { MAX_K = 8, MAX_W = 32 };
    static double W[MAX_K * MAX_W * MAX_W];
    /* no layer; one unit; several layers of several units */
    for (int trial = 0; trial < 3; trial++) {
        int k = trial == 0 ? 0 : held_int(trial == 1 ? 1 : 2, MAX_K);
        int n = trial == 1 ? 1 : held_int(2, MAX_W);
        double scale = held_uniform(0.5, 1.5);
        chain_gaussian_layers(W, k, n, scale, held_rng());
        double g0[MAX_W], g[MAX_W], gr[MAX_W];
        double norms[MAX_K + 1], norms_r[MAX_K + 1];
        held_vector(g0, n, -1.0, 1.0);
        memcpy(g, g0, (size_t)n * sizeof *g);
        memcpy(gr, g0, (size_t)n * sizeof *g);
        fill(norms, k + 1, NAN);
        STUDENT(backprop_linear_chain(norms, g, W, k, n));
        REFERENCE(backprop_linear_chain(norms_r, gr, W, k, n));
        char setting[1200];
        snprintf(setting, sizeof setting,
                 "backprop_linear_chain(k=%d, n=%d) through Gaussian layers "
                 "of scale %.17g from g=%s",
                 k, n, scale, held_show_at_most(g0, n, 450));
        /* float accumulation: each layer's products off by float_sum(n) of
         * the sum of their sizes, at most ||W_col|| ||g||; a few layers
         * carry that error as they carry g */
        for (int j = 0; j <= k; j++)
            HELD_NEAR(norms[j], norms_r[j],
                      float_sum(n) * n * (j + 1) * norms_r[j], SEE_CHAIN,
                      "norms[%d] (||g|| after %d layers) of %s", j, j, setting);
        for (int i = 0; i < n; i++)
            HELD_NEAR(g[i], gr[i], float_sum(n) * n * (k + 1) * norms_r[k],
                      SEE_CHAIN, "g[%d] (dL/dh_0) returned by %s", i, setting);
    }
}
