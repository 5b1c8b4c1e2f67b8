/* driver.h: the driver's side of a graded test (the grader's own code).
 *
 * A driver is a program made of the student's code, lib/, driver.c and the
 * serve code that tools/rpcgen.py generates for a chapter. It installs a
 * seccomp filter (memory, its pipes, stdout and stderr, exit: nothing
 * else), then calls the student's functions on the arguments the judge
 * sends and sends back what they left in them (wire.h). It holds no
 * expected value, no reference code and no test. */
#ifndef DRIVER_H
#define DRIVER_H

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>

/* Generated: serves a call of function `fn`; -1 if this driver has no such
 * function. */
int driver_dispatch(Wire *w, uint32_t fn);
/* Generated: the student's function with id `fn`, for a callback the test
 * passes as a proxy of it (signature 1: ObjectiveFn, 2: GradientFn). */
void (*driver_direct(uint32_t fn, int signature))(void);

/* Arguments, as judge_put_* sent them (a dead judge ends the driver). */
void drv_take(Wire *w, void *p, size_t n);
bool drv_take_bool(Wire *w);
/* An array argument of count elements (NULL when the judge sent NULL; the
 * same array as an earlier argument when the judge's was the same). */
void *drv_take_array(Wire *w, long long count, size_t size);
/* A buffer owned by a state struct: the student's own buffer when the
 * judge's copy mirrors it, else a fresh one; count set to its length. */
void *drv_take_owned(Wire *w, long long *count, size_t size);
/* `count` function pointers sharing one ctx (judge_put_callbacks), with
 * their signatures; sets fns[] and *ctx to what the student's code gets. */
void drv_take_callbacks(Wire *w, int count, const int signatures[],
                        void (*fns[])(void), void **ctx);
/* A ctx argument the student's function must not follow (rosenbrock's):
 * NULL when the test passed NULL, else the address of a dummy byte. */
void *drv_take_opaque(Wire *w);

/* Results: RETURN, with the first array argument written past its end. */
void drv_begin_return(Wire *w);
void drv_put(Wire *w, const void *p, size_t n);
void drv_put_bool(Wire *w, bool b);
void drv_put_array(Wire *w, const void *p, long long count, size_t size);
/* An owned buffer after the call: `now` is the field's value, `sent` what
 * drv_take_owned gave the student's code. */
void drv_put_owned(Wire *w, const void *now, const void *sent,
                   long long count, size_t size);

#endif /* DRIVER_H */
