/* grading.h: how a graded test is declared and how it checks a number.
 *
 * Every graded test is declared with GRADED (or GRADED_SLOW), which carries
 * its points next to it; tools/grade.py reads the points from this source
 * line and the verdict from Criterion's JSON report, never from anything
 * the exercise prints.
 *
 * Every check prints what was computed, what was expected, the inputs, and
 * where in the book the rule is, because Criterion's JSON report keeps only
 * the assertion's message:
 *
 *     MISTAKE(-0.6, "the step was added instead of subtracted");
 *     CHECK_NEAR(theta, 0.6, 1e-12, SEE_GD_UPDATE,
 *                "theta after one step from theta=0, g=-6, lr=0.1");
 *
 * prints, on a student's wrong sign:
 *
 *     theta after one step from theta=0, g=-6, lr=0.1: got -0.6, want 0.6
 *     (tolerance 1e-12). This is what you get when the step was added
 *     instead of subtracted. See chapter 1, "The update rule".
 */
#ifndef GRADING_H
#define GRADING_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* Seconds a graded test may run before it fails as "timed out". The grader
 * also kills the whole runner a few seconds after that. */
#define GRADE_TIMEOUT 5.0
#define GRADE_SLOW_TIMEOUT 20.0

/* A graded test worth `points` points (an integer literal). The .fini hook
 * runs only when the test body returns, so an exercise that exits the
 * process early leaves no "finished" mark and scores 0. The .init hook
 * fills the stack below the test with garbage, so that a variable the
 * exercise reads before writing it holds garbage too, not a lucky 0. */
#define GRADED(suite, name, points)                                            \
    Test(suite, name, .description = "points=" #points,                        \
         .timeout = GRADE_TIMEOUT, .init = grading_test_started,               \
         .fini = grading_test_finished)

/* The same, for a test that trains a model and needs more time. */
#define GRADED_SLOW(suite, name, points)                                       \
    Test(suite, name, .description = "points=" #points,                        \
         .timeout = GRADE_SLOW_TIMEOUT, .init = grading_test_started,          \
         .fini = grading_test_finished)

/* Records a value that a typical mistake produces, with its likely cause,
 * for the next CHECK_NEAR or CHECK_INT only: when the student's value
 * matches it, the failure message names the cause; when several match (two
 * slips that give the same value on the test's inputs), it names them all:
 * "This is what you get when A, or when B." Up to 8 per check. */
#define MISTAKE(value, cause) grading_expect_mistake((value), (cause))

/* Passes when got is finite and |got - want| <= tol. `see` names the place
 * in the book; the rest is a printf format for what was computed, with its
 * inputs. */
#define CHECK_NEAR(got, want, tol, see, ...)                                   \
    do {                                                                       \
        char grading_msg_[GRADING_MSG_MAX];                                    \
        bool grading_ok_ = grading_near(grading_msg_, (got), (want), (tol),    \
                                        (see), __VA_ARGS__);                   \
        cr_assert(grading_ok_, "%s", grading_msg_);                            \
    } while (0)

/* The same with a tolerance relative to |want| (for large values). */
#define CHECK_REL(got, want, rel, see, ...)                                    \
    CHECK_NEAR((got), (want), (rel) * fabs((double)(want)), (see), __VA_ARGS__)

/* Passes when cond holds; the message says what was expected. */
#define CHECK(cond, see, ...)                                                  \
    do {                                                                       \
        char grading_msg_[GRADING_MSG_MAX];                                    \
        grading_format(grading_msg_, (see), __VA_ARGS__);                      \
        cr_assert((cond), "%s", grading_msg_);                                 \
    } while (0)

/* Passes when got == want exactly (counts, indices, step numbers). */
#define CHECK_INT(got, want, see, ...)                                         \
    do {                                                                       \
        char grading_msg_[GRADING_MSG_MAX];                                    \
        long long grading_got_ = (got), grading_want_ = (want);                \
        grading_int_message(grading_msg_, grading_got_, grading_want_, (see),  \
                            __VA_ARGS__);                                      \
        cr_assert(grading_got_ == grading_want_, "%s", grading_msg_);          \
    } while (0)

#define GRADING_MSG_MAX 1024

void grading_test_started(void);
void grading_test_finished(void);
void grading_expect_mistake(double value, const char *cause);
bool grading_near(char msg[GRADING_MSG_MAX], double got, double want,
                  double tol, const char *see, const char *what, ...)
    __attribute__((format(printf, 6, 7)));
void grading_format(char msg[GRADING_MSG_MAX], const char *see,
                    const char *what, ...)
    __attribute__((format(printf, 3, 4)));
void grading_int_message(char msg[GRADING_MSG_MAX], long long got,
                         long long want, const char *see, const char *what,
                         ...) __attribute__((format(printf, 5, 6)));

/* A trusted numerical gradient for checking the students' analytic ones:
 * the five-point stencil (error O(h^4)), independent of the chapter 1
 * exercise so that a wrong student checker cannot hide a wrong gradient.
 * grad[n] receives df/dx at x[n]; f may read ctx. x is restored. */
typedef double (*GradingFn)(const double *x, void *ctx);
void grading_numeric_gradient(double *grad, GradingFn f, void *ctx, double *x,
                              int n, double h);

#endif /* GRADING_H */
