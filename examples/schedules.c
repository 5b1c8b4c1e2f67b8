/* examples/schedules.c: chapter 5's demo -- every number the chapter shows,
 * and the data behind its figures, computed with the exercises of
 * schedules.c (and gd.c, chapter 1).
 *
 * Usage: schedules-demo [DIR]   (figure data goes to DIR, default ".") */
#include "demo.h"
#include "rng.h"
#include "schedules.h"

#include <math.h>
#include <stdio.h>

/* ---- the schedules' values at the steps where off-by-ones live ---- */

static void boundaries(void) {
    demo_heading("step decay, lr0 = 0.1, step_size = 10, gamma = 0.5");
    //> boundaries
    const StepDecay step = {.lr0 = 0.1, .step_size = 10, .gamma = 0.5};
    const int ts[] = {0, 9, 10, 19, 20};
    for (int i = 0; i < 5; i++)
        printf("t = %2d: lr = %g\n", ts[i], lr_step_decay(&step, ts[i]));
    //< boundaries

    demo_heading("exponential decay, lr0 = 0.1, lambda = 0.05");
    const ExpDecay ex = {.lr0 = 0.1, .lambda = 0.05};
    const GammaDecay gm = {.lr0 = 0.1, .gamma = exp(-0.05)};
    printf("%4s %22s %22s\n", "t", "lr0 exp(-lambda t)", "lr0 gamma^t");
    for (int t = 0; t <= 40; t += 20)
        printf("%4d %22.16g %22.16g\n", t, lr_exp_decay(&ex, t),
               lr_gamma_decay(&gm, t));

    demo_heading("cosine, lr0 = 0.1, lr_min = 0.001, T = 100");
    const CosineSchedule cos_s = {.lr0 = 0.1, .lr_min = 0.001, .T = 100};
    const int cs[] = {0, 25, 50, 75, 100, 150};
    for (int i = 0; i < 6; i++)
        printf("t = %3d: lr = %.10f\n", cs[i], lr_cosine(&cos_s, cs[i]));

    demo_heading("linear warm-up, lr0 = 0.1, start_factor = 0.1, W = 5");
    const WarmupSchedule w = {.lr0 = 0.1, .start_factor = 0.1,
                              .warmup_steps = 5};
    for (int t = 0; t <= 6; t++)
        printf("t = %d: lr = %.12g\n", t, lr_warmup(&w, t));
}

/* ---- the plateau schedule, one epoch at a time ---- */

static void plateau_trace(void) {
    demo_heading("reduce on plateau: factor 0.5, patience 2, threshold 0.01");
    //> plateau_trace
    const PlateauConfig cfg = {.factor = 0.5, .patience = 2,
                               .threshold = 0.01, .cooldown = 0,
                               .min_lr = 0.0};
    const double val_loss[] = {1.0, 0.8, 0.799, 0.85, 0.81, 0.7, 0.75, 0.7};
    Plateau p;
    plateau_init(&p, &cfg, 0.1);
    printf("%5s %6s %6s %8s %6s\n", "epoch", "loss", "best", "num_bad", "lr");
    for (int e = 0; e < 8; e++) {
        double lr = plateau_update(&p, val_loss[e]);
        printf("%5d %6.3f %6.3f %8d %6.3f\n", e, val_loss[e], p.best,
               p.num_bad, lr);
    }
    //< plateau_trace
}


/* ---- warm-up where the start is the steepest part ---- */

//> quartic
/* f(x) = x^4 / 4: the curvature 3 x^2 is largest far from the minimum,
 * so a rate that is safe near x = 0 overshoots from x = 5. */
static double quartic(const double *x, void *ctx) {
    (void)ctx;
    return x[0] * x[0] * x[0] * x[0] / 4.0;
}

static void quartic_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    grad[0] = x[0] * x[0] * x[0];
}
//< quartic

static void warmup_quartic(void) {
    demo_heading("f = x^4/4 from x = 5: the loss f(x_k), no noise");
    const Objective obj = {quartic, quartic_grad, NULL, 1};
    //> warmup_runs
    const Schedule runs[3] = {
        {.kind = LR_CONSTANT, .constant = 0.1},
        {.kind = LR_CONSTANT, .constant = 0.01},
        {.kind = LR_WARMUP,
         .warmup = {.lr0 = 0.1, .start_factor = 0.1, .warmup_steps = 10}},
    };
    static double losses[3][100 + 1];
    for (int r = 0; r < 3; r++) {
        double x = 5.0;
        Rng unused; /* noise 0: its draws are multiplied by 0 */
        rng_seed(&unused, 0);
        noisy_gd_run(&x, &obj, &runs[r], 100, 0.0, &unused, losses[r]);
    }
    //< warmup_runs
    printf("%5s %14s %14s %20s\n", "step", "lr 0.1", "lr 0.01",
           "warm-up to 0.1");
    const int ks[] = {0, 1, 2, 3, 4, 100};
    for (int i = 0; i < 6; i++) {
        printf("%5d", ks[i]);
        for (int r = 0; r < 3; r++) {
            double f = losses[r][ks[i]];
            if (isfinite(f))
                printf(r == 2 ? " %20.6g" : " %14.6g", f);
            else
                printf(r == 2 ? " %20s" : " %14s", "overflow");
        }
        printf("\n");
    }
}

/* ---- the effect of a schedule on one noisy run ---- */

//> noisy_quadratic
/* f(x) = 1/2 sum_i l_i x_i^2 with l_i = 100^(i/9), i = 0..9: curvatures
 * log-spaced from 1 to 100 (condition number 100), minimum f(0) = 0. */
enum { NQ = 10 };
static double curvature(int i) { return pow(100.0, i / 9.0); }

static double quadratic(const double *x, void *ctx) {
    (void)ctx;
    double f = 0.0;
    for (int i = 0; i < NQ; i++)
        f += 0.5 * curvature(i) * x[i] * x[i];
    return f;
}

static void quadratic_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    for (int i = 0; i < NQ; i++)
        grad[i] = curvature(i) * x[i];
}
//< noisy_quadratic

static const Objective QUADRATIC = {quadratic, quadratic_grad, NULL, NQ};

//> the_runs
enum { STEPS = 1000, EPOCH = 25 };
static const double LR0 = 0.01, NOISE = 1.0;
static const uint64_t SEED = 5;

/* The schedules of the experiment, all starting from LR0 over STEPS. */
static const Schedule CONSTANT = {.kind = LR_CONSTANT, .constant = LR0};
static const Schedule STEP = {
    .kind = LR_STEP, .step = {.lr0 = LR0, .step_size = 250, .gamma = 0.5}};
static const Schedule MULTISTEP = {
    .kind = LR_MULTISTEP,
    .multistep = {.lr0 = LR0, .milestones = {500, 750}, .n_milestones = 2,
                  .gamma = 0.1}};
static const Schedule INVERSE_TIME = {
    .kind = LR_INVERSE_TIME, .inverse_time = {.lr0 = LR0, .k = 0.01}};
static const Schedule COSINE = {
    .kind = LR_COSINE, .cosine = {.lr0 = LR0, .lr_min = 0.0, .T = STEPS}};
static const Schedule WARMUP = {
    .kind = LR_WARMUP,
    .warmup = {.lr0 = LR0, .start_factor = 0.1, .warmup_steps = 50}};
static const Schedule WARMUP_COSINE = {
    .kind = LR_WARMUP_COSINE,
    .warmup_cosine = {.lr0 = LR0, .lr_min = 0.0, .start_factor = 0.1,
                      .warmup_steps = 50, .T = STEPS}};
static const PlateauConfig PLATEAU = {.factor = 0.5, .patience = 2,
                                      .threshold = 0.01, .cooldown = 0,
                                      .min_lr = 0.0};

/* One run: x_0 = (1, ..., 1), the noise stream seeded with SEED.
 * losses[STEPS + 1]; returns the final loss. */
static double run(const Schedule *s, double *losses) {
    double x[NQ];
    for (int i = 0; i < NQ; i++)
        x[i] = 1.0;
    Rng rng;
    rng_seed(&rng, SEED);
    noisy_gd_run(x, &QUADRATIC, s, STEPS, NOISE, &rng, losses);
    return losses[STEPS];
}
//< the_runs

//> plateau_run
/* The same run under reduce-on-plateau: EPOCH steps at the current rate,
 * then the plateau schedule sees the loss and picks the next rate.
 * losses[STEPS + 1], lrs[STEPS] (the rate of each step). */
static double run_plateau(double *losses, double *lrs) {
    double x[NQ];
    for (int i = 0; i < NQ; i++)
        x[i] = 1.0;
    Rng rng;
    rng_seed(&rng, SEED);
    Plateau p;
    plateau_init(&p, &PLATEAU, LR0);
    for (int start = 0; start < STEPS; start += EPOCH) {
        const Schedule now = {.kind = LR_CONSTANT, .constant = p.lr};
        for (int t = start; t < start + EPOCH; t++)
            lrs[t] = p.lr;
        /* losses[start] is rewritten with the value it already holds */
        noisy_gd_run(x, &QUADRATIC, &now, EPOCH, NOISE, &rng, losses + start);
        plateau_update(&p, losses[start + EPOCH]);
    }
    return losses[STEPS];
}
//< plateau_run

/* The noise floor of a constant rate lr: sum_i lr s^2 / (2 (2 - lr l_i)). */
static double noise_floor(double lr) {
    double sum = 0.0;
    for (int i = 0; i < NQ; i++)
        sum += lr * NOISE * NOISE / (2.0 * (2.0 - lr * curvature(i)));
    return sum;
}

static double tail_mean(const double *losses) {
    double sum = 0.0;
    for (int k = STEPS - 99; k <= STEPS; k++)
        sum += losses[k];
    return sum / 100.0;
}

static void write_curves(const char *dir, const double *plateau_lrs) {
    FILE *f = demo_open_data(dir, "curves.dat");
    if (!f) return;
    fprintf(f, "# t, then lr(t) for: constant step multistep exponential "
               "inverse-time cosine warmup warmup-cosine plateau\n");
    const ExpDecay exp_s = {.lr0 = LR0, .lambda = log(100.0) / STEPS};
    const Schedule *s[] = {&CONSTANT, &STEP,   &MULTISTEP,    &INVERSE_TIME,
                           &COSINE,   &WARMUP, &WARMUP_COSINE};
    for (int t = 0; t < STEPS; t++) {
        fprintf(f, "%d %.6g %.6g %.6g %.6g", t, schedule_lr(s[0], t),
                schedule_lr(s[1], t), schedule_lr(s[2], t),
                lr_exp_decay(&exp_s, t));
        for (int i = 3; i < 7; i++)
            fprintf(f, " %.6g", schedule_lr(s[i], t));
        fprintf(f, " %.6g\n", plateau_lrs[t]);
    }
    fclose(f);
}

static void noisy_runs(const char *dir) {
    demo_heading("noisy GD on a quadratic, kappa = 100, 1000 steps");
    static double losses[4][STEPS + 1], plateau_lrs[STEPS];
    printf("lr0 = %g, gradient noise sd = %g, seed = %d\n", LR0, NOISE,
           (int)SEED);
    double x0[NQ];
    for (int i = 0; i < NQ; i++)
        x0[i] = 1.0;
    printf("loss at x_0 = (1, ..., 1): %.6f\n", quadratic(x0, NULL));
    printf("noise floor of a constant lr0: %.6f\n", noise_floor(LR0));
    printf("%-22s %12s %16s\n", "schedule", "final loss", "mean, last 100");
    const Schedule *s[] = {&CONSTANT, &STEP, &MULTISTEP, &INVERSE_TIME,
                           &COSINE, &WARMUP_COSINE};
    const char *names[] = {"constant",     "step (250, 0.5)",
                           "multi-step",   "inverse time",
                           "cosine",       "warm-up + cosine"};
    static double scratch[STEPS + 1];
    for (int r = 0; r < 6; r++) {
        double *out = r == 0   ? losses[0]
                      : r == 1 ? losses[1]
                      : r == 4 ? losses[2]
                               : scratch;
        double final = run(s[r], out);
        printf("%-22s %12.6f %16.6f\n", names[r], final, tail_mean(out));
    }
    double final = run_plateau(losses[3], plateau_lrs);
    printf("%-22s %12.6f %16.6f\n", "reduce on plateau", final,
           tail_mean(losses[3]));
    /* the steps that first use a lower rate (a cut after the last epoch
     * changes no step, so it does not show here) */
    printf("reduce on plateau lowered the rate at steps:");
    for (int t = 1; t < STEPS; t++)
        if (plateau_lrs[t] < plateau_lrs[t - 1]) printf(" %d", t);
    printf("\n");

    FILE *f = demo_open_data(dir, "noisy.dat");
    if (f) {
        fprintf(f, "# step, loss for: constant step cosine plateau; "
                   "the constant's noise floor\n");
        for (int k = 0; k <= STEPS; k++)
            fprintf(f, "%d %.6g %.6g %.6g %.6g %.6g\n", k, losses[0][k],
                    losses[1][k], losses[2][k], losses[3][k],
                    noise_floor(LR0));
        fclose(f);
    }
    write_curves(dir, plateau_lrs);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    boundaries();
    plateau_trace();
    warmup_quartic();
    noisy_runs(dir);
    return 0;
}
