/* held.h: how a held-back check is written (instructor only: the checks
 * in tests/held/ are not in the student release).
 *
 * A held-back check draws an instance from the whole domain its header
 * promises, runs the student's function and the reference solution on it
 * (each in a driver of its own: judge.h) and compares what they leave.
 * The instance comes from a seed drawn anew for every submission and
 * printed with the grade (GRADE_SEED): the same seed gives the same
 * instances and the same score. A failing check shows the inputs and both
 * values; showing them gives nothing away, since the next submission draws
 * others.
 *
 *     HELD(held_gd, step_matches_the_reference, 2) {
 *         int n = held_int(1, 40);
 *         double x[40], xr[40], g[40];
 *         held_vector(x, n, -10, 10);
 *         held_vector(g, n, -10, 10);
 *         memcpy(xr, x, sizeof x);
 *         double lr = held_log_uniform(1e-4, 1);
 *         STUDENT(gd_step(x, g, n, lr));
 *         REFERENCE(gd_step(xr, g, n, lr));
 *         for (int i = 0; i < n; i++)
 *             HELD_NEAR(x[i], xr[i], 1e-12 * (1 + fabs(xr[i])), SEE_UPDATE,
 *                       "x[%d] after gd_step(n=%d, lr=%.17g)", i, n, lr);
 *     }
 *
 * For the course's own proofs (make test), GRADE_SEEDS=A-B runs the body
 * once per seed in one test process, with fresh drivers for each, and
 * records each seed's outcome in the grader's record of the test. */
#ifndef HELD_H
#define HELD_H

#include "grading.h"
#include "judge.h"
#include "rng.h"

#include <stdbool.h>
#include <stdint.h>

/* Seconds one seed of a held-back check may run. */
#define HELD_SEED_TIMEOUT 5
/* Criterion's limit for the whole test: every seed of a proof run. */
#define HELD_TIMEOUT 600.0

/* A held-back check worth `points`. */
#define HELD(suite, name, points)                                              \
    static void held_body_##suite##_##name(void);                              \
    Test(suite, name, .description = "points=" #points,                        \
         .timeout = HELD_TIMEOUT, .init = grading_test_started,                \
         .fini = grading_test_finished) {                                      \
        held_run(held_body_##suite##_##name);                                  \
    }                                                                          \
    static void held_body_##suite##_##name(void)

/* The call, made on the student's code, or on the reference solution: the
 * next call of a function of include/ goes to the reference, the ones
 * after it to the student again. For a provided inline helper that makes
 * several calls (optimizer_free), or a block of calls, ON_REFERENCE. */
#define STUDENT(call) (judge_use(JUDGE_STUDENT), (call))
#define REFERENCE(call) (judge_use_once(JUDGE_REFERENCE), (call))
#define ON_REFERENCE                                                           \
    for (int held_once_ = (judge_use(JUDGE_REFERENCE), 1); held_once_;         \
         held_once_ = 0, judge_use(JUDGE_STUDENT))

/* Checks that do not end the test but the seed: got (the student's) must be
 * within tol of want (the reference's); the message says both, the inputs
 * (a printf format), the seed, and where the rule is. */
#define HELD_NEAR(got, want, tol, see, ...)                                    \
    held_near((got), (want), (tol), (see), __VA_ARGS__)
#define HELD_INT(got, want, see, ...)                                          \
    held_int_equal((long long)(got), (long long)(want), (see), __VA_ARGS__)
#define HELD_CHECK(cond, see, ...) held_check((cond), (see), __VA_ARGS__)

/* Runs body for each seed (GRADE_SEEDS, else GRADE_SEED): the test's
 * verdict is the first failing seed's message, or a pass. */
void held_run(void (*body)(void));

/* Draws from the instance's stream (the seed's and the check's). */
Rng *held_rng(void);
double held_uniform(double lo, double hi);
double held_log_uniform(double lo, double hi); /* lo > 0 */
int held_int(int lo, int hi);                  /* lo..hi inclusive */
bool held_coin(double p_true);
void held_vector(double *v, int n, double lo, double hi);
/* A text of v[n] for messages: "(1.5, -2, ...)", at most ~600 bytes. */
const char *held_show(const double *v, int n);
/* The same, cut after about `chars` characters (at most 560), for a message
 * that shows several arrays: the message of a check holds GRADING_MSG_MAX
 * bytes, inputs and both values included. The seed replays the rest. */
const char *held_show_at_most(const double *v, int n, int chars);

/* The judge's own objective for runs: f(x) = 1/2 sum_i l_i (x_i - c_i)^2
 * through ctx (its gradient norms along a run are the judge's to compute),
 * with, for a wrong gradient, grad_0 scaled by (1 + tilt). Called with any
 * other ctx, it fails the seed (the header passes obj->ctx to f and grad). */
#define HELD_BOWL_MAX 16
typedef struct {
    int n;
    double l[HELD_BOWL_MAX], c[HELD_BOWL_MAX];
    double tilt;
} HeldBowl;
double held_bowl(const double *x, void *ctx);
void held_bowl_grad(double *g, const double *x, void *ctx);

void held_near(double got, double want, double tol, const char *see,
               const char *what, ...) __attribute__((format(printf, 5, 6)));
void held_int_equal(long long got, long long want, const char *see,
                    const char *what, ...) __attribute__((format(printf, 4, 5)));
void held_check(bool ok, const char *see, const char *what, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* HELD_H */
