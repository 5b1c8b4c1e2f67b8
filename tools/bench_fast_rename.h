/* bench_fast_rename.h: chapter 9's benchmark (tools/bench_fast.py) builds
 * solutions/fast.c several times, once per set of compiler flags, into one
 * program: this header, forced in front of it with -include and
 * -DVARIANT=_o2 (say), gives each build's functions names of their own
 * (fast_adam_step_o2, ...). */
#define BENCH_CAT2(a, b) a##b
#define BENCH_CAT(a, b) BENCH_CAT2(a, b)
#define fast_momentum_init BENCH_CAT(fast_momentum_init, VARIANT)
#define fast_heavy_ball_step BENCH_CAT(fast_heavy_ball_step, VARIANT)
#define fast_momentum_free BENCH_CAT(fast_momentum_free, VARIANT)
#define fast_adam_init BENCH_CAT(fast_adam_init, VARIANT)
#define fast_adam_step BENCH_CAT(fast_adam_step, VARIANT)
#define fast_adamw_step BENCH_CAT(fast_adamw_step, VARIANT)
#define fast_adam_free BENCH_CAT(fast_adam_free, VARIANT)
#define fast_softmax_xent BENCH_CAT(fast_softmax_xent, VARIANT)
