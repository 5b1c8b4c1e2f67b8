/* judge.h: the judge's side of a graded test (the grader's own code).
 *
 * The proxies that tools/rpcgen.py generates for every function of
 * the headers in include/ call these: judge_begin() starts a call in the driver that
 * runs the student's code (spawned at the first call of a test, see
 * wire.h), the judge_put_* functions send the arguments, judge_wait()
 * serves the student's calls back into the test until the call returns,
 * and the judge_take_* functions read the results into the test's own
 * memory. The judge never runs student code and never follows an address
 * the driver sends.
 *
 * When the driver dies (a crash, an exit, the sandbox), the test process
 * dies the same way, so that the grader reports it as it always has; when
 * the driver breaks the header's contract in a way that would make the
 * judge read or write outside the test's arrays (a state whose size field
 * changed), the test fails with a message that says so. */
#ifndef JUDGE_H
#define JUDGE_H

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>

/* Which driver the proxies call: the student's code, or (held-back checks
 * only) the reference solution, in a driver of its own. */
typedef enum { JUDGE_STUDENT, JUDGE_REFERENCE } JudgeTarget;
void judge_use(JudgeTarget target);
/* The same for the next call only: when it returns, the student again. */
void judge_use_once(JudgeTarget target);

/* The signatures a function pointer argument may have (gd.h). */
typedef enum { JUDGE_OBJECTIVE = 1, JUDGE_GRADIENT = 2 } JudgeSignature;

/* A proxy of the student's function, by its address in the judge: when
 * the test passes one as a callback, the driver calls the student's own
 * function directly. (The table is generated.) */
typedef struct {
    void (*fn)(void);
    unsigned id;
    JudgeSignature signature;
} JudgeProxy;
extern const JudgeProxy judge_proxies[];
extern const unsigned judge_proxy_count;

/* Starts a call of function `fn` (a generated id). `name` is the C name,
 * for messages. */
Wire *judge_begin(unsigned fn, const char *name);

/* count elements of `size` bytes from p (count < 0 counts as 0); p may be
 * NULL only when `nullable`. A pointer equal to an earlier array argument
 * of the same call, with as many bytes, is sent as that argument again (the
 * student's code sees one array, as it would in one process). */
void judge_put_array(Wire *w, const void *p, long long count, size_t size,
                     bool nullable, const char *what);
/* A struct or scalar pointed to, of `size` bytes, sent by the generated
 * field-by-field code: only whether p is NULL is sent here. */
void judge_put_presence(Wire *w, const void *p);
/* A group of function pointer arguments that share one ctx (an
 * Objective's f and grad, or grad_numeric's f): each is a callback into the
 * test, or the student's own function when it is a proxy (a test may pass
 * rosenbrock itself); x has n doubles. */
void judge_put_callbacks(Wire *w, int count, void (*const fns[])(void),
                         const JudgeSignature signatures[], long long n,
                         void *ctx);
/* A buffer that a state struct owns (AdamState.m, ...): NULL, or count
 * elements, with the driver's handle when the judge's copy mirrors a
 * buffer the student's code allocated. */
void judge_put_owned(Wire *w, const void *p, long long count, size_t size);

/* Sends the call and serves callbacks until it returns. */
void judge_wait(Wire *w);

/* Results, read into the test's memory (a dead driver: see above). */
void judge_take(Wire *w, void *p, size_t n);
bool judge_take_bool(Wire *w);
/* count elements into p, which the test passed with that many: the array
 * as the student's code left it. Not for const arguments. */
void judge_take_array(Wire *w, void *p, long long count, size_t size);
/* The new value of an owned-buffer field whose old value was `sent`
 * (judge_put_owned): NULL, `sent` updated in place, or a new judge copy of
 * a buffer the student's code allocated, of count elements. */
void *judge_take_owned(Wire *w, void *sent, long long count, size_t size);

/* Ends the call. */
void judge_end(Wire *w);

/* Fails the test: the call broke its header's contract in a way the judge
 * cannot follow (printf format). Does not return. */
_Noreturn void judge_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Checks that a state's size field is what the judge sent (or 0 after a
 * free, or the n an init was given): the judge sizes the arrays it reads
 * with it. */
void judge_check_size(const char *fn, const char *field, long long got,
                      long long want, bool zero_ok);

/* The test is over: each driver is told so and waited for. */
void judge_close(void);

/* A line in the grader's record of this test (a file only the judge
 * writes): "!sandbox", "!overrun TEXT", "seed N pass", ... */
void judge_note(const char *fate);

/* Instead of ending the test, judge_fail() and a dead driver call hook with
 * the message (held-back checks fail one seed and go on); hook must not
 * return. NULL restores the default. */
void judge_on_fail(void (*hook)(const char *message));

#endif /* JUDGE_H */
