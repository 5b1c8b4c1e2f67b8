/* examples/momentum.c: chapter 3's demo -- every number the chapter shows,
 * and the data behind its figures, computed with the exercises of
 * momentum.c (and gd.c for the gradient-descent baselines).
 *
 * Usage: momentum-demo [DIR]   (figure data goes to DIR, default ".") */
#include "momentum.h"
#include "demo.h"
#include "gd.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>

static const Objective ROSENBROCK = {rosenbrock, rosenbrock_grad, NULL, 2};

/* The velocity on a constant slope, g = 1, from rest: the EMA form settles
 * at g, the heavy ball at g / (1 - beta). */
static void constant_slope(void) {
    demo_heading("velocity on a constant slope g = 1, beta = 0.9");
    const MomentumConfig cfg = {.lr = 1.0, .beta = 0.9};
    MomentumState ema, hb;
    if (momentum_init(&ema, 1) != 0 || momentum_init(&hb, 1) != 0) {
        printf("momentum_init failed\n");
        return;
    }
    double x_ema = 0.0, x_hb = 0.0;
    const double g = 1.0;
    printf("%4s %12s %12s\n", "k", "v (EMA)", "v (heavy)");
    for (int k = 1; k <= 50; k++) {
        momentum_ema_step(&ema, &x_ema, &g, &cfg);
        heavy_ball_step(&hb, &x_hb, &g, &cfg);
        if (k <= 3 || k == 10 || k == 20 || k == 50)
            printf("%4d %12.6f %12.6f\n", k, ema.v[0], hb.v[0]);
    }
    momentum_free(&ema);
    momentum_free(&hb);
}

//> equivalence
/* EMA momentum with (lr, beta) against the heavy ball with
 * (lr * (1 - beta), beta): the largest difference between the two
 * trajectories, point by point, relative to the size of the point. */
static void equivalence(void) {
    demo_heading("EMA (lr = 1e-4) vs heavy ball (lr = 1e-4 * (1 - 0.9))");
    static double a[(1000 + 1) * 2], b[(1000 + 1) * 2]; /* 1001 points */
    double xa[2] = {-1.5, -1.5}, xb[2] = {-1.5, -1.5};
    const MomentumRunConfig ema = {.method = MOMENTUM_EMA,
                                   .step = {.lr = 1e-4, .beta = 0.9},
                                   .max_steps = 1000};
    const MomentumRunConfig hb = {.method = MOMENTUM_HEAVY_BALL,
                                  .step = {.lr = 1e-4 * (1 - 0.9), .beta = 0.9},
                                  .max_steps = 1000};
    int na = momentum_run(xa, &ROSENBROCK, &ema, a, NULL);
    int nb = momentum_run(xb, &ROSENBROCK, &hb, b, NULL);
    double worst = 0.0;
    for (int k = 0; k <= na && na == nb; k++)
        worst = fmax(worst,
                     hypot(a[2 * k] - b[2 * k], a[2 * k + 1] - b[2 * k + 1]) /
                         hypot(a[2 * k], a[2 * k + 1]));
    printf("steps: %d and %d\n", na, nb);
    printf("final points: (%.8f, %.8f) and (%.8f, %.8f)\n", xa[0], xa[1], xb[0],
           xb[1]);
    printf("largest relative difference over the trajectories: %.1e\n", worst);
}
//< equivalence

//> lookahead
/* Nesterov's method as it is usually written: the gradient is taken at
 * the look-ahead point y = x - lr beta v, where momentum alone would carry
 * x. nesterov_step stores y itself; the two must agree, point by point. */
static void nesterov_lookahead(double *x, double *v, const Objective *obj,
                               const MomentumConfig *cfg) {
    double y[2], g[2];
    for (int i = 0; i < 2; i++)
        y[i] = x[i] - cfg->lr * cfg->beta * v[i];
    obj->grad(g, y, obj->ctx);
    for (int i = 0; i < 2; i++) {
        v[i] = cfg->beta * v[i] + g[i];
        x[i] -= cfg->lr * v[i];
    }
}
//< lookahead

static void nesterov_forms(void) {
    demo_heading("Nesterov: look-ahead form vs nesterov_step, Rosenbrock");
    const MomentumConfig cfg = {.lr = 1e-4, .beta = 0.9};
    double x[2] = {-1.5, -1.5}, v[2] = {0.0, 0.0}; /* the classic form */
    double y[2] = {-1.5, -1.5}, g[2];              /* nesterov_step's */
    MomentumState s;
    if (momentum_init(&s, 2) != 0) {
        printf("momentum_init failed\n");
        return;
    }
    double worst = 0.0;
    for (int k = 1; k <= 1000; k++) {
        nesterov_lookahead(x, v, &ROSENBROCK, &cfg);
        rosenbrock_grad(g, y, NULL);
        nesterov_step(&s, y, g, &cfg);
        double look[2] = {x[0] - cfg.lr * cfg.beta * v[0],
                          x[1] - cfg.lr * cfg.beta * v[1]};
        worst = fmax(worst, hypot(y[0] - look[0], y[1] - look[1]) /
                                hypot(look[0], look[1]));
    }
    printf("textbook form, x after 1000 steps:   (%.8f, %.8f)\n", x[0], x[1]);
    printf("its look-ahead point x - lr beta v:  (%.8f, %.8f)\n",
           x[0] - cfg.lr * cfg.beta * v[0], x[1] - cfg.lr * cfg.beta * v[1]);
    printf("nesterov_step's y after 1000 steps:  (%.8f, %.8f)\n", y[0], y[1]);
    printf("largest relative difference in y over the run: %.1e\n", worst);
    momentum_free(&s);
}

static void write_rosenbrock_grid(const char *dir) {
    FILE *f = demo_open_data(dir, "rosenbrock-grid.dat");
    if (!f) return;
    fprintf(f, "# x y f(x,y) on [-2,2] x [-2,3], gnuplot grid blocks\n");
    for (int i = 0; i <= 120; i++) {
        for (int j = 0; j <= 150; j++) {
            double p[2] = {-2.0 + 4.0 * i / 120.0, -2.0 + 5.0 * j / 150.0};
            fprintf(f, "%.6g %.6g %.8g\n", p[0], p[1], rosenbrock(p, NULL));
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

/* Writes k, x, y, f(x, y) for each of points[0..count) of a 2-D path. */
static void write_path(const char *dir, const char *name, const double *traj,
                       int count, ObjectiveFn fn) {
    FILE *f = demo_open_data(dir, name);
    if (!f) return;
    fprintf(f, "# step x y f(x,y)\n");
    for (int k = 0; k < count; k++)
        fprintf(f, "%d %.10g %.10g %.10g\n", k, traj[2 * k], traj[2 * k + 1],
                fn(&traj[2 * k], NULL));
    fclose(f);
}

/* Whether a row printed so far carries the star: the legend is printed
 * only under a table where it means something. */
static bool any_starred;

static void print_result(const char *name, double lr, int steps, bool converged,
                         const double *x) {
    printf("%-11s %7.0e %5d%s (%10.8f, %10.8f) %10.8f\n", name, lr, steps,
           converged ? "*" : " ", x[0], x[1], rosenbrock(x, NULL));
    any_starred |= converged;
}

enum { RACE_STEPS = 1000, RACE_RUNS = 4 };

//> race
/* The race after gradient descent (gd_run, lr = 1e-4, same budget): */
static const MomentumRunConfig RACE[RACE_RUNS] = {
    {MOMENTUM_EMA, {.lr = 1e-4, .beta = 0.9}, RACE_STEPS, 1e-6},
    {MOMENTUM_HEAVY_BALL, {.lr = 1e-5, .beta = 0.9}, RACE_STEPS, 1e-6},
    {MOMENTUM_HEAVY_BALL, {.lr = 1e-4, .beta = 0.9}, RACE_STEPS, 1e-6},
    {MOMENTUM_NESTEROV, {.lr = 1e-4, .beta = 0.9}, RACE_STEPS, 1e-6},
};
static const char *const RACE_NAMES[RACE_RUNS] = {"EMA", "heavy ball",
                                                  "heavy ball", "Nesterov"};
//< race

/* The last two lines of the race's output, and the figures' data. */
static void race_details(const char *dir, const double *gd_traj, int gd_steps,
                         double (*traj)[(RACE_STEPS + 1) * 2],
                         const int *steps) {
    puts(any_starred ? "(beta = 0.9; * = stopped by the gradient test)"
                     : "(beta = 0.9; no run stopped by the gradient test)");
    printf("x at step 50: GD %.8f, EMA %.8f\n", gd_traj[2 * 50],
           traj[0][2 * 50]);
    int far = 0; /* Nesterov's furthest point along x */
    for (int k = 1; k <= steps[3]; k++)
        if (traj[3][2 * k] > traj[3][2 * far]) far = k;
    printf("Nesterov's largest x: (%.8f, %.8f) at step %d\n", traj[3][2 * far],
           traj[3][2 * far + 1], far);
    write_rosenbrock_grid(dir);
    write_path(dir, "rosenbrock-gd.dat", gd_traj, gd_steps + 1, rosenbrock);
    write_path(dir, "rosenbrock-ema.dat", traj[0], steps[0] + 1, rosenbrock);
    write_path(dir, "rosenbrock-nesterov.dat", traj[3], steps[3] + 1,
               rosenbrock);
}

static void rosenbrock_race(const char *dir) {
    demo_heading("Rosenbrock from (-1.5, -1.5), at most 1000 steps");
    static double gd_traj[(RACE_STEPS + 1) * 2],
        traj[RACE_RUNS][(RACE_STEPS + 1) * 2];
    printf("%-11s %7s %6s %23s %10s\n", "method", "lr", "steps", "final point",
           "f");
    double x[2] = {-1.5, -1.5};
    bool converged = false;
    const GdConfig gd = {.lr = 1e-4, .max_steps = RACE_STEPS, .grad_tol = 1e-6};
    int gd_steps = gd_run(x, &ROSENBROCK, &gd, gd_traj, &converged);
    print_result("GD", gd.lr, gd_steps, converged, x);
    int steps[RACE_RUNS];
    //> race_loop
    for (int r = 0; r < RACE_RUNS; r++) {
        x[0] = x[1] = -1.5; /* and momentum_run starts at rest */
        steps[r] = momentum_run(x, &ROSENBROCK, &RACE[r], traj[r], &converged);
        print_result(RACE_NAMES[r], RACE[r].step.lr, steps[r], converged, x);
    }
    //< race_loop
    race_details(dir, gd_traj, gd_steps, traj, steps);
}

/* The ill-conditioned bowl f = 0.1 x^2 + 2 y^2: Hessian eigenvalues 0.2 and
 * 4, condition number 20. */
enum { BOWL_STEPS = 200 };

static double bowl(const double *x, void *ctx) {
    (void)ctx;
    return 0.1 * x[0] * x[0] + 2.0 * x[1] * x[1];
}

static void bowl_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    grad[0] = 0.2 * x[0];
    grad[1] = 4.0 * x[1];
}

/* The factor by which one eigen-direction (curvature h, step lr) shrinks
 * per step, asymptotically: the largest root modulus of the recurrence's
 * characteristic polynomial z^2 - p z + q. For the heavy ball
 * p = 1 + beta - lr h, q = beta; for Nesterov p = (1 + beta)(1 - lr h),
 * q = beta (1 - lr h); gradient descent is beta = 0 of either. */
static double root_modulus(double p, double q) {
    double complex d = csqrt((double complex)(p * p - 4.0 * q));
    return fmax(cabs((p + d) / 2.0), cabs((p - d) / 2.0));
}

static void bowl_rates(double lr, double beta) {
    const double curv[2] = {0.2, 4.0};
    printf("%-16s %8s %8s %8s\n", "per-step factor", "GD", "heavy", "Nesterov");
    for (int i = 0; i < 2; i++) {
        double h = lr * curv[i];
        printf("curvature %-6g %8.4f %8.4f %8.4f\n", curv[i], fabs(1 - h),
               root_modulus(1 + beta - h, beta),
               root_modulus((1 + beta) * (1 - h), beta * (1 - h)));
    }
}

/* f over the runs for every method, and the paths of the first 100 steps
 * of GD, heavy ball and Nesterov. traj[4][(steps + 1) * 2]. */
static void write_bowl_data(const char *dir,
                            double (*traj)[(BOWL_STEPS + 1) * 2], int steps) {
    FILE *f = demo_open_data(dir, "bowl-f.dat");
    if (f) {
        fprintf(f, "# step, then f for GD, EMA, heavy ball, Nesterov\n");
        for (int k = 0; k <= steps; k++) {
            fprintf(f, "%d", k);
            for (int m = 0; m < 4; m++)
                fprintf(f, " %.10g", bowl(&traj[m][2 * k], NULL));
            fprintf(f, "\n");
        }
        fclose(f);
    }
    const char *names[4] = {"bowl-gd.dat", "bowl-ema.dat", "bowl-heavy.dat",
                            "bowl-nesterov.dat"};
    for (int m = 0; m < 4; m++)
        write_path(dir, names[m], traj[m], 100 + 1, bowl);
    f = demo_open_data(dir, "bowl-grid.dat");
    if (!f) return;
    fprintf(f, "# x y f(x,y) on [-11,4] x [-2.5,2.5], gnuplot grid blocks\n");
    for (int i = 0; i <= 150; i++) {
        for (int j = 0; j <= 100; j++) {
            double p[2] = {-11.0 + 15.0 * i / 150.0, -2.5 + 5.0 * j / 100.0};
            fprintf(f, "%.6g %.6g %.8g\n", p[0], p[1], bowl(p, NULL));
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

/* The table of f at the printed steps, the per-step factors, and the
 * figures' data. traj[4][(BOWL_STEPS + 1) * 2]: GD, EMA, heavy, NAG. */
static void bowl_report(const char *dir, double (*traj)[(BOWL_STEPS + 1) * 2],
                        double lr, double beta) {
    const int ks[] = {0, 25, 50, 100, 200};
    printf("%4s %11s %11s %11s %11s\n", "k", "GD", "EMA", "heavy ball",
           "Nesterov");
    for (int c = 0; c < 5; c++) {
        printf("%4d", ks[c]);
        for (int m = 0; m < 4; m++)
            printf(" %11.4e", bowl(&traj[m][2 * ks[c]], NULL));
        printf("\n");
    }
    bowl_rates(lr, beta);
    write_bowl_data(dir, traj, BOWL_STEPS);
}

static void ill_conditioned_bowl(const char *dir) {
    demo_heading("f = 0.1 x^2 + 2 y^2 from (-10, 1), lr = 0.1, beta = 0.9");
    static double traj[4][(BOWL_STEPS + 1) * 2]; /* GD, EMA, heavy, NAG */
    const Objective obj = {bowl, bowl_grad, NULL, 2};
    //> bowl
    const GdConfig gd = {.lr = 0.1, .max_steps = BOWL_STEPS};
    double x[2] = {-10.0, 1.0};
    gd_run(x, &obj, &gd, traj[0], NULL);
    for (int m = 1; m < 4; m++) { /* the three MomentumMethods, in order */
        const MomentumRunConfig cfg = {.method = (MomentumMethod)(m - 1),
                                       .step = {.lr = 0.1, .beta = 0.9},
                                       .max_steps = BOWL_STEPS};
        x[0] = -10.0, x[1] = 1.0;
        momentum_run(x, &obj, &cfg, traj[m], NULL);
    }
    //< bowl
    bowl_report(dir, traj, gd.lr, 0.9);
}

/* f = (x^2 + 100 y^2) / 2: mu = 1, L = 100, kappa = 100; minimum at 0. */
static double kappa100(const double *x, void *ctx) {
    (void)ctx;
    return 0.5 * (x[0] * x[0] + 100.0 * x[1] * x[1]);
}

static void kappa100_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    grad[0] = x[0];
    grad[1] = 100.0 * x[1];
}

/* ||x_k - x*|| / ||x_0 - x*|| for the tuned heavy ball from (1, 1), in
 * closed form: each eigen-direction i has a double root +-rho, so its
 * error is (1 + 2 sqrt(l_i) k / (sqrt(mu) + sqrt(L))) rho^k. */
static double tuned_heavy_ball_error(int k) {
    double a = 1.0, b = 10.0, rho = (b - a) / (b + a); /* sqrt(mu), sqrt(L) */
    double e1 = 1.0 + 2.0 * a * k / (a + b), e2 = 1.0 + 2.0 * b * k / (a + b);
    return pow(rho, k) * sqrt((e1 * e1 + e2 * e2) / 2.0);
}

/* The first k with traj point k within tol * ||x_0|| of the minimum 0. */
static int steps_to(const double *traj, int steps, double tol) {
    double r0 = hypot(traj[0], traj[1]);
    for (int k = 0; k <= steps; k++)
        if (hypot(traj[2 * k], traj[2 * k + 1]) <= tol * r0) return k;
    return -1;
}

static void tuned_table(const char *dir, const double *gd_traj,
                        const double *hb_traj, double q_gd, double q_hb);

//> tuned
static void tuned(const char *dir) {
    demo_heading("f = (x^2 + 100 y^2)/2 from (1, 1): kappa = 100");
    enum { STEPS = 1000 };
    static double gd_traj[(STEPS + 1) * 2], hb_traj[(STEPS + 1) * 2];
    const Objective obj = {kappa100, kappa100_grad, NULL, 2};
    const double mu = 1.0, L = 100.0, kappa = L / mu;
    const GdConfig gd = {.lr = 2.0 / (mu + L), .max_steps = STEPS};
    const MomentumRunConfig hb = {.method = MOMENTUM_HEAVY_BALL,
                                  .step = heavy_ball_tuned(mu, L),
                                  .max_steps = STEPS};
    double x[2] = {1.0, 1.0};
    gd_run(x, &obj, &gd, gd_traj, NULL);
    x[0] = x[1] = 1.0;
    momentum_run(x, &obj, &hb, hb_traj, NULL);
    double q_gd = (kappa - 1) / (kappa + 1);
    double q_hb = (sqrt(kappa) - 1) / (sqrt(kappa) + 1);
    printf("%-10s %9s %9s %9s\n", "", "lr", "beta", "rate");
    printf("%-10s %9.6f %9.6f %9.6f  (kappa-1)/(kappa+1)\n", "GD", gd.lr, 0.0,
           q_gd);
    printf("%-10s %9.6f %9.6f %9.6f  (sqrt(kappa)-1)/(sqrt(kappa)+1)\n",
           "heavy ball", hb.step.lr, hb.step.beta, q_hb);
    printf("steps until ||x_k - x*|| <= 1e-6 ||x_0 - x*||:\n");
    printf("  GD:         measured %3d, rate formula %6.2f\n",
           steps_to(gd_traj, STEPS, 1e-6), log(1e-6) / log(q_gd));
    int exact = 0;
    while (tuned_heavy_ball_error(exact) > 1e-6)
        exact++;
    printf("  heavy ball: measured %3d, rate formula %6.2f, exact formula "
           "%d\n",
           steps_to(hb_traj, STEPS, 1e-6), log(1e-6) / log(q_hb), exact);
    tuned_table(dir, gd_traj, hb_traj, q_gd, q_hb);
}
//< tuned

static void tuned_table(const char *dir, const double *gd_traj,
                        const double *hb_traj, double q_gd, double q_hb) {
    printf("%4s %14s %14s %14s\n", "k", "heavy ball", "exact formula",
           "rate^k");
    const int ks[] = {0, 1, 10, 20, 50, 69, 93};
    for (int c = 0; c < 7; c++) {
        int k = ks[c];
        printf("%4d %14.6e %14.6e %14.6e\n", k,
               hypot(hb_traj[2 * k], hb_traj[2 * k + 1]) / sqrt(2.0),
               tuned_heavy_ball_error(k), pow(q_hb, k));
    }
    int k = 1; /* the ball speeds up before it brakes */
    while (k <= 750 && hypot(hb_traj[2 * k], hb_traj[2 * k + 1]) > sqrt(2.0))
        k++;
    printf("the heavy ball is further from x* than x_0 at steps 1 to %d\n",
           k - 1);
    FILE *f = demo_open_data(dir, "tuned.dat");
    if (!f) return;
    fprintf(f, "# k, relative error of GD, its formula, heavy ball, its "
               "exact formula, rate^k\n");
    for (int k = 0; k <= 750; k++)
        fprintf(f, "%d %.6e %.6e %.6e %.6e %.6e\n", k,
                hypot(gd_traj[2 * k], gd_traj[2 * k + 1]) / sqrt(2.0),
                pow(q_gd, k),
                hypot(hb_traj[2 * k], hb_traj[2 * k + 1]) / sqrt(2.0),
                tuned_heavy_ball_error(k), pow(q_hb, k));
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    constant_slope();
    equivalence();
    nesterov_forms();
    rosenbrock_race(dir);
    ill_conditioned_bowl(dir);
    tuned(dir);
    return 0;
}
