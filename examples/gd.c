/* examples/gd.c: chapter 1's demo -- every number the chapter shows, and
 * the data behind its figures, computed with the exercises of gd.c.
 *
 * Usage: gd-demo [DIR]   (figure data goes to DIR, default ".") */
#include "demo.h"
#include "gd.h"

#include <math.h>
#include <stdio.h>

//> parabola
/* L(theta) = (theta - 3)^2 and dL/dtheta = 2 (theta - 3). */
static double parabola(const double *theta, void *ctx) {
    (void)ctx;
    return (theta[0] - 3.0) * (theta[0] - 3.0);
}

static void parabola_grad(double *grad, const double *theta, void *ctx) {
    (void)ctx;
    grad[0] = 2.0 * (theta[0] - 3.0);
}
//< parabola

static const Objective PARABOLA = {parabola, parabola_grad, NULL, 1};

//> first_run
static void first_run(void) {
    demo_heading("(theta - 3)^2 from theta = 0, lr = 0.1");
    double theta = 0.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = 100, .grad_tol = 0.0};
    int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, NULL);
    printf("after %d steps: theta = %.17g\n", steps, theta);
}
//< first_run

static void step_sizes(const char *dir) {
    demo_heading("how large a step? theta after 20 steps from 0");
    enum { STEPS = 20, RATES = 5 };
    const double rates[RATES] = {0.1, 0.5, 0.9, 1.0, 1.1};
    static double traj[RATES][STEPS + 1];
    printf("%6s %14s %14s\n", "lr", "theta", "|theta - 3|");
    for (int r = 0; r < RATES; r++) {
        double theta = 0.0;
        const GdConfig cfg = {.lr = rates[r], .max_steps = STEPS};
        gd_run(&theta, &PARABOLA, &cfg, traj[r], NULL);
        printf("%6.2f %14.6f %14.6g\n", rates[r], theta, fabs(theta - 3.0));
    }
    FILE *f = demo_open_data(dir, "stability.dat");
    if (!f) return;
    fprintf(f, "# step, then theta for lr = 0.1 0.5 0.9 1.0 1.1\n");
    for (int k = 0; k <= STEPS; k++) {
        fprintf(f, "%d", k);
        for (int r = 0; r < RATES; r++)
            fprintf(f, " %.10g", traj[r][k]);
        fprintf(f, "\n");
    }
    fclose(f);
}

/* f(x) = (x^2 + 10 y^2) / 2: eigenvalues mu = 1 and L = 10, kappa = 10. */
static double ellipse(const double *x, void *ctx) {
    (void)ctx;
    return 0.5 * (x[0] * x[0] + 10.0 * x[1] * x[1]);
}

static void ellipse_grad(double *grad, const double *x, void *ctx) {
    (void)ctx;
    grad[0] = x[0];
    grad[1] = 10.0 * x[1];
}

static void quadratic_law(void) {
    demo_heading("f = (x^2 + 10 y^2)/2 from (1, 1): measured vs formula");
    const Objective obj = {ellipse, ellipse_grad, NULL, 2};
    const double lr = 2.0 / (1.0 + 10.0); /* the best fixed step 2/(mu+L) */
    const int checkpoints[] = {0, 5, 10, 20, 40};
    printf("lr = 2/(mu+L) = %.6f\n", lr);
    printf("per step: distance times (kappa-1)/(kappa+1) = %.6f, "
           "f times %.6f\n",
           9.0 / 11.0, (9.0 / 11.0) * (9.0 / 11.0));
    printf("%4s %14s %14s\n", "k", "f(x_k)", "formula");
    for (int c = 0; c < 5; c++) {
        int k = checkpoints[c];
        double x[2] = {1.0, 1.0};
        const GdConfig cfg = {.lr = lr, .max_steps = k};
        gd_run(x, &obj, &cfg, NULL, NULL);
        double formula = 0.5 * pow(1.0 - lr, 2.0 * k) +
                         0.5 * 10.0 * pow(1.0 - 10.0 * lr, 2.0 * k);
        printf("%4d %14.6e %14.6e\n", k, ellipse(x, NULL), formula);
    }
}

static void stopping_rule(void) {
    demo_heading("stopping on the gradient norm: (theta - 3)^2, lr = 0.1");
    const double tols[3] = {1e-3, 1e-6, 1e-9};
    for (int i = 0; i < 3; i++) {
        double theta = 0.0;
        bool converged = false;
        const GdConfig cfg = {.lr = 0.1, .max_steps = 1000,
                              .grad_tol = tols[i]};
        int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, &converged);
        printf("grad_tol %.0e: %3d steps, converged = %s, theta = %.12f\n",
               tols[i], steps, converged ? "yes" : "no", theta);
    }
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

static void write_path(const char *dir, const char *name, const double *traj,
                       int points) {
    FILE *f = demo_open_data(dir, name);
    if (!f) return;
    fprintf(f, "# step x y f(x,y)\n");
    for (int k = 0; k < points; k++)
        fprintf(f, "%d %.10g %.10g %.10g\n", k, traj[2 * k], traj[2 * k + 1],
                rosenbrock(&traj[2 * k], NULL));
    fclose(f);
}

//> rosenbrock_run
static void rosenbrock_run(const char *dir) {
    demo_heading("Rosenbrock from (-1.5, -1.5), lr = 1e-4, at most 1000 steps");
    static double traj[(1000 + 1) * 2]; /* (max_steps + 1) points of (x, y) */
    double x[2] = {-1.5, -1.5};
    const Objective obj = {rosenbrock, rosenbrock_grad, NULL, 2};
    const GdConfig cfg = {.lr = 1e-4, .max_steps = 1000, .grad_tol = 1e-6};
    bool converged = false;
    int steps = gd_run(x, &obj, &cfg, traj, &converged);
    printf("steps: %d (%s), %d points in the trajectory\n", steps,
           converged ? "gradient test" : "hit the cap", steps + 1);
    printf("final point: (%.8f, %.8f), f = %.8f\n", x[0], x[1],
           rosenbrock(x, NULL));
    write_path(dir, "rosenbrock-gd.dat", traj, steps + 1);
    write_rosenbrock_grid(dir);
}
//< rosenbrock_run

static void rosenbrock_progress(void) {
    demo_heading("the same run: f after k steps");
    static double traj[(1000 + 1) * 2];
    double x[2] = {-1.5, -1.5};
    const Objective obj = {rosenbrock, rosenbrock_grad, NULL, 2};
    const GdConfig cfg = {.lr = 1e-4, .max_steps = 1000, .grad_tol = 1e-6};
    int steps = gd_run(x, &obj, &cfg, traj, NULL);
    const int ks[] = {0, 10, 100, 200, 500, 1000};
    for (int i = 0; i < 6 && ks[i] <= steps; i++)
        printf("k = %4d: f = %.6g\n", ks[i], rosenbrock(&traj[2 * ks[i]], NULL));
}

/* The Rosenbrock gradient with a typical slip: dy = 100 (y - x^2). */
static void rosenbrock_grad_buggy(double *grad, const double *x, void *ctx) {
    rosenbrock_grad(grad, x, ctx);
    grad[1] *= 0.5;
}

static void gradient_check(void) {
    demo_heading("gradient check at (-1.5, -1.5), h = 1e-5");
    double x[2] = {-1.5, -1.5};
    const Objective good = {rosenbrock, rosenbrock_grad, NULL, 2};
    const Objective bad = {rosenbrock, rosenbrock_grad_buggy, NULL, 2};
    printf("rosenbrock_grad:          max relative error %.1e\n",
           grad_check(&good, x, 1e-5));
    printf("with dy missing its 2:    max relative error %.1e\n",
           grad_check(&bad, x, 1e-5));
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    first_run();
    step_sizes(dir);
    quadratic_law();
    stopping_rule();
    rosenbrock_run(dir);
    rosenbrock_progress();
    gradient_check();
    return 0;
}
