/* grading.c: the checks behind grading.h, shared by every chapter's tests. */
#define _POSIX_C_SOURCE 200809L
#include "grading.h"
#include "judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fills the stack that the test body and the exercise will use with the
 * byte 0x7e (as a double 1e301, as an int 2122219134, as a pointer an
 * address that crashes), the same byte that the grader's MALLOC_PERTURB_
 * gives fresh heap blocks: an uninitialised variable or buffer then gives a
 * wrong answer every time instead of passing by luck on a zeroed page. */
#define GRADING_POISON_BYTES (256 * 1024)
__attribute__((noinline)) void grading_test_started(void) {
    volatile unsigned char garbage[GRADING_POISON_BYTES];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = 0x7e;
    /* Line by line, so that what a test printed before it crashed is kept. */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* The grader passes a per-run token and a file; a test that reaches its end
 * appends "token suite/name". A test whose process exits early (exit(0) in
 * an exercise, say) never gets here, and the grader scores it 0 even when
 * Criterion calls it passed. Without the grader (a test binary run by hand)
 * this does nothing. */
void grading_test_finished(void) {
    judge_close(); /* the driver of the student's code ends with the test */
    const char *path = getenv("GRADE_SENTINEL");
    const char *token = getenv("GRADE_TOKEN");
    if (!path || !token) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s %s/%s\n", token, criterion_current_suite->name,
            criterion_current_test->name);
    fclose(f);
}

#define MAX_MISTAKES 8
struct mistake {
    double value;
    const char *cause;
};
static struct mistake mistakes[MAX_MISTAKES];
static int n_mistakes;

void grading_expect_mistake(double value, const char *cause) {
    if (n_mistakes < MAX_MISTAKES)
        mistakes[n_mistakes++] = (struct mistake){value, cause};
}

static size_t append(char *msg, size_t used, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t append(char *msg, size_t used, const char *fmt, ...) {
    if (used >= GRADING_MSG_MAX) return used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg + used, GRADING_MSG_MAX - used, fmt, ap);
    va_end(ap);
    return n < 0 ? used : used + (size_t)n;
}

/* Whether registered mistake i gives got: within tol, or within a relative
 * 1e-9 of its value. */
static bool mistake_fits(int i, double got, double tol) {
    double d = fabs(got - mistakes[i].value);
    return d <= tol || d <= 1e-9 * fabs(mistakes[i].value);
}

/* Appends " This is what you get when A, or when B." naming every
 * registered mistake that gives got, in the order of registration (each
 * cause once): two slips may give the same value on a test's inputs, and
 * naming only the first would blame the wrong one. Nothing when none fits. */
static size_t append_mistakes(char *msg, size_t used, double got, double tol) {
    int shown = 0;
    for (int i = 0; i < n_mistakes; i++) {
        bool named = false;
        for (int j = 0; j < i; j++)
            named |= mistake_fits(j, got, tol) &&
                     strcmp(mistakes[j].cause, mistakes[i].cause) == 0;
        if (!mistake_fits(i, got, tol) || named) continue;
        used = append(msg, used,
                      shown++ ? ", or when %s" : " This is what you get when %s",
                      mistakes[i].cause);
    }
    return shown ? append(msg, used, ".") : used;
}

static size_t append_what(char *msg, const char *what, va_list ap) {
    int n = vsnprintf(msg, GRADING_MSG_MAX, what, ap);
    return n < 0 ? 0 : (size_t)n;
}

/* The shortest "%.Ng" with N >= 6 that reads back as exactly v: 0.9, not
 * 0.90000000000000002; and 10, not 1e+01. */
static const char *shortest(char buf[32], double v) {
    for (int precision = 6; precision <= 17; precision++) {
        snprintf(buf, 32, "%.*g", precision, v);
        if (strtod(buf, NULL) == v || !isfinite(v)) break;
    }
    return buf;
}

bool grading_near(char msg[GRADING_MSG_MAX], double got, double want,
                  double tol, const char *see, const char *what, ...) {
    va_list ap;
    va_start(ap, what);
    size_t used = append_what(msg, what, ap);
    va_end(ap);
    bool ok = isfinite(got) && fabs(got - want) <= tol;
    char got_text[32], want_text[32];
    used = append(msg, used, ": got %s, want %s (tolerance %.3g).",
                  shortest(got_text, got), shortest(want_text, want), tol);
    if (!ok && !isfinite(got))
        used = append(msg, used, " That is not a finite number: look for a "
                                 "division by zero, a log of 0, a step that "
                                 "diverged or an output never written.");
    if (!ok) used = append_mistakes(msg, used, got, tol);
    append(msg, used, " See %s.", see);
    n_mistakes = 0;
    return ok;
}

void grading_format(char msg[GRADING_MSG_MAX], const char *see,
                    const char *what, ...) {
    va_list ap;
    va_start(ap, what);
    size_t used = append_what(msg, what, ap);
    va_end(ap);
    append(msg, used, ". See %s.", see);
    n_mistakes = 0;
}

void grading_int_message(char msg[GRADING_MSG_MAX], long long got,
                         long long want, const char *see, const char *what,
                         ...) {
    va_list ap;
    va_start(ap, what);
    size_t used = append_what(msg, what, ap);
    va_end(ap);
    used = append(msg, used, ": got %lld, want %lld.", got, want);
    if (got != want) used = append_mistakes(msg, used, (double)got, 0);
    append(msg, used, " See %s.", see);
    n_mistakes = 0;
}

void grading_numeric_gradient(double *grad, GradingFn f, void *ctx, double *x,
                              int n, double h) {
    for (int i = 0; i < n; i++) {
        double xi = x[i];
        x[i] = xi + 2 * h;
        double f2p = f(x, ctx);
        x[i] = xi + h;
        double f1p = f(x, ctx);
        x[i] = xi - h;
        double f1m = f(x, ctx);
        x[i] = xi - 2 * h;
        double f2m = f(x, ctx);
        x[i] = xi;
        grad[i] = (-f2p + 8 * f1p - 8 * f1m + f2m) / (12 * h);
    }
}
