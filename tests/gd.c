/* tests/gd.c: chapter 1, gradient descent -- graded tests. */
#include "gd.h"
#include "grading.h"

#include <string.h>

#define SEE_UPDATE "chapter 1, section 1.2 'The update rule'"
#define SEE_QUADRATIC "chapter 1, section 1.4 'Quadratics, exactly'"
#define SEE_RUN "chapter 1, section 1.5 'Running to convergence'"
#define SEE_ROSENBROCK "chapter 1, section 1.6 'A harder valley'"
#define SEE_CHECK "chapter 1, section 1.7 'Checking gradients numerically'"

/* L(theta) = (theta - 3)^2, the chapter's first example. */
static double parabola(const double *x, void *ctx) {
    (void)ctx;
    return (x[0] - 3.0) * (x[0] - 3.0);
}
static void parabola_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 2.0 * (x[0] - 3.0);
}
static const Objective PARABOLA = {parabola, parabola_grad, NULL, 1};

//> example_test
GRADED(gd, step_moves_against_the_gradient, 2) {
    double theta = 0.0;
    const double g = -6.0; /* the gradient of (theta-3)^2 at 0 */
    gd_step(&theta, &g, 1, 0.1);
    MISTAKE(-0.6, "the step is added instead of subtracted");
    MISTAKE(0.06, "the learning rate is applied twice");
    MISTAKE(6.0, "the learning rate is left out");
    CHECK_NEAR(theta, 0.6, 1e-12, SEE_UPDATE,
               "theta after gd_step(theta=0, grad=-6, lr=0.1)");
}
//< example_test

GRADED(gd, step_updates_every_coordinate, 1) {
    double x[3] = {1.0, 2.0, 3.0};
    const double g[3] = {10.0, -20.0, 30.0};
    gd_step(x, g, 3, 0.01);
    const double want[3] = {0.9, 2.2, 2.7};
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(x[i], want[i], 1e-12, SEE_UPDATE,
                   "x[%d] after gd_step(x=(1,2,3), grad=(10,-20,30), "
                   "lr=0.01)",
                   i);
}

GRADED(gd, run_reaches_documented_theta_after_100_steps, 3) {
    double theta = 0.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = 100, .grad_tol = 0.0};
    int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, NULL);
    CHECK_INT(steps, 100, SEE_RUN,
              "steps taken on (theta-3)^2 with max_steps=100, grad_tol=0");
    MISTAKE(2.9999999992361115, "the loop takes 99 steps instead of 100");
    MISTAKE(2.9999999995111115, "the loop takes 101 steps instead of 100");
    CHECK_NEAR(theta, 2.9999999993888893, 1e-6, SEE_RUN,
               "theta after 100 steps on (theta-3)^2 from 0, lr=0.1");
}

GRADED(gd, run_takes_exactly_max_steps, 2) {
    double theta = 0.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = 10, .grad_tol = 0.0};
    bool converged = true;
    int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, &converged);
    MISTAKE(2.597346816, "the loop takes 9 steps instead of 10");
    MISTAKE(2.74230196224, "the loop takes 11 steps instead of 10");
    CHECK_NEAR(theta, 2.6778774528, 1e-9, SEE_RUN,
               "theta after 10 steps on (theta-3)^2 from 0, lr=0.1 "
               "(= 3 - 3 * 0.8^10)");
    CHECK_INT(steps, 10, SEE_RUN, "the step count gd_run returns");
    CHECK(!converged, SEE_RUN,
          "*converged must be false when the run stops at max_steps");
}

GRADED(gd, run_records_the_trajectory, 2) {
    enum { STEPS = 5 };
    double traj[STEPS + 2];
    for (int i = 0; i < STEPS + 2; i++)
        traj[i] = NAN;
    double theta = 0.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = STEPS, .grad_tol = 0.0};
    gd_run(&theta, &PARABOLA, &cfg, traj, NULL);
    double want = 0.0;
    for (int k = 0; k <= STEPS; k++) {
        CHECK_NEAR(traj[k], want, 1e-12, SEE_RUN,
                   "trajectory[%d] (x_%d) on (theta-3)^2 from 0, lr=0.1; "
                   "trajectory[0] must be the starting point",
                   k, k);
        want = 3.0 - 0.8 * (3.0 - want);
    }
    CHECK(isnan(traj[STEPS + 1]), SEE_RUN,
          "gd_run wrote trajectory[%d], past the last point x_%d", STEPS + 1,
          STEPS);
}

GRADED(gd, run_stops_before_stepping_once_gradient_is_small, 3) {
    double theta = 0.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = 1000, .grad_tol = 1e-3};
    bool converged = false;
    int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, &converged);
    /* |g_k| = 6 * 0.8^k first drops below 1e-3 at k = 39. */
    MISTAKE(40, "the run steps once more after the gradient is already "
                "small: test the norm before stepping");
    if (fabs(theta - 3.0) <= 3.0) /* it did approach the minimum */
        MISTAKE(1000, "the gradient-norm test never stops the run");
    else
        MISTAKE(1000, "the run moves away from the minimum, so the gradient "
                      "never gets small: check gd_step's sign first (test "
                      "step_moves_against_the_gradient)");
    CHECK_INT(steps, 39, SEE_RUN,
              "steps on (theta-3)^2 from 0, lr=0.1, grad_tol=1e-3");
    CHECK(converged, SEE_RUN,
          "*converged must be true when the gradient test stopped the run");
    CHECK_NEAR(theta, 3.0 - 3.0 * pow(0.8, 39), 1e-9, SEE_RUN,
               "theta when the run stops");
}

GRADED(gd, run_at_the_minimum_takes_no_step, 1) {
    double theta = 3.0;
    const GdConfig cfg = {.lr = 0.1, .max_steps = 50, .grad_tol = 1e-8};
    bool converged = false;
    int steps = gd_run(&theta, &PARABOLA, &cfg, NULL, &converged);
    CHECK(steps == 0 && converged, SEE_RUN,
          "started at the minimum theta=3: want 0 steps and converged, got "
          "%d steps and converged=%d",
          steps, (int)converged);
}

/* f(x) = 1/2 sum_i l_i x_i^2: a quadratic with eigenvalues l_i. */
static const double EIGEN[3] = {1.0, 4.0, 10.0};
static double quad(const double *x, void *ctx) {
    (void)ctx;
    double f = 0.0;
    for (int i = 0; i < 3; i++)
        f += 0.5 * EIGEN[i] * x[i] * x[i];
    return f;
}
static void quad_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    for (int i = 0; i < 3; i++)
        g[i] = EIGEN[i] * x[i];
}

/* f(x_k) - f* = sum_i (1 - lr l_i)^(2k) l_i x0_i^2 / 2, from x0 = (1,1,1). */
static double quad_error_formula(double lr, int k) {
    double sum = 0.0;
    for (int i = 0; i < 3; i++)
        sum += pow(1.0 - lr * EIGEN[i], 2.0 * k) * EIGEN[i] / 2.0;
    return sum;
}

GRADED(gd, run_matches_the_closed_form_on_a_quadratic, 3) {
    const Objective obj = {quad, quad_grad, NULL, 3};
    /* lr * l_max = 1.5 converges; 2.1 diverges: both must follow the law. */
    const double rates[2] = {0.15, 0.21};
    for (int r = 0; r < 2; r++) {
        double x[3] = {1.0, 1.0, 1.0};
        const GdConfig cfg = {.lr = rates[r], .max_steps = 25, .grad_tol = 0};
        gd_run(x, &obj, &cfg, NULL, NULL);
        double want = quad_error_formula(rates[r], 25);
        CHECK_REL(quad(x, NULL), want, 1e-9, SEE_QUADRATIC,
                  "f(x_25) on f = (x^2 + 4y^2 + 10z^2)/2 from (1,1,1), "
                  "lr=%g",
                  rates[r]);
    }
}

GRADED(gd, rosenbrock_value, 2) {
    const double pts[4][2] = {{1, 1}, {-1.5, -1.5}, {0.5, 2.0}, {0, 0}};
    const double want[4] = {0.0, 1412.5, 306.5, 1.0};
    for (int i = 0; i < 4; i++) {
        MISTAKE(100 * (1 - pts[i][0]) * (1 - pts[i][0]) +
                    (pts[i][1] - pts[i][0] * pts[i][0]) *
                        (pts[i][1] - pts[i][0] * pts[i][0]),
                "the factor 100 multiplies the wrong term");
        CHECK_NEAR(rosenbrock(pts[i], NULL), want[i], 1e-9, SEE_ROSENBROCK,
                   "rosenbrock(%g, %g)", pts[i][0], pts[i][1]);
    }
}

static double rosenbrock_trusted(const double *x, void *ctx) {
    (void)ctx;
    return (1 - x[0]) * (1 - x[0]) +
           100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]);
}

GRADED(gd, rosenbrock_gradient_matches_finite_differences, 3) {
    const double pts[4][2] = {{-1.5, -1.5}, {0.3, -0.7}, {1, 1}, {2, 1}};
    for (int i = 0; i < 4; i++) {
        double x[2] = {pts[i][0], pts[i][1]}, g[2] = {NAN, NAN}, want[2];
        rosenbrock_grad(g, x, NULL);
        grading_numeric_gradient(want, rosenbrock_trusted, NULL, x, 2, 1e-4);
        for (int j = 0; j < 2; j++)
            CHECK_NEAR(g[j], want[j], 1e-6 * fmax(1.0, fabs(want[j])),
                       SEE_ROSENBROCK, "d f / d %s at (%g, %g)",
                       j ? "y" : "x", x[0], x[1]);
    }
}

GRADED(gd, rosenbrock_run_reaches_documented_point, 3) {
    double x[2] = {-1.5, -1.5};
    static double traj[1001 * 2];
    const Objective obj = {rosenbrock, rosenbrock_grad, NULL, 2};
    const GdConfig cfg = {.lr = 1e-4, .max_steps = 1000, .grad_tol = 1e-6};
    bool converged = true;
    int steps = gd_run(x, &obj, &cfg, traj, &converged);
    CHECK(steps == 1000 && !converged, SEE_ROSENBROCK,
          "GD from (-1.5,-1.5) with lr=1e-4 hits the 1000-step cap: got %d "
          "steps, converged=%d",
          steps, (int)converged);
    CHECK_NEAR(x[0], 0.11120148, 1e-6, SEE_ROSENBROCK,
               "x after 1000 GD steps on Rosenbrock from (-1.5,-1.5), "
               "lr=1e-4");
    CHECK_NEAR(x[1], 0.01059534, 1e-6, SEE_ROSENBROCK, "y after the same run");
    CHECK_NEAR(rosenbrock_trusted(x, NULL), 0.79027626, 1e-6, SEE_ROSENBROCK,
               "f at the end of the same run");
    CHECK_NEAR(traj[2 * 1000], x[0], 0.0, SEE_ROSENBROCK,
               "the last trajectory point (index 1000) must be the final x");
}

/* f(x) = x0^3 + x1^3, whose central differences are 3 x^2 + h^2 exactly,
 * forward differences 3 x^2 + 3 x h + h^2. */
static double cubes(const double *x, void *ctx) {
    (void)ctx;
    return x[0] * x[0] * x[0] + x[1] * x[1] * x[1];
}

GRADED(gd, grad_numeric_uses_central_differences, 3) {
    const double h = 1e-3;
    double x[2] = {1.0, 2.0}, g[2] = {NAN, NAN};
    grad_numeric(g, cubes, NULL, x, 2, h);
    for (int i = 0; i < 2; i++) {
        double xi = x[i], central = 3 * xi * xi + h * h;
        MISTAKE(3 * xi * xi + 3 * xi * h + h * h,
                "forward differences (f(x+h) - f(x)) / h are used");
        MISTAKE(3 * xi * xi - 3 * xi * h + h * h,
                "backward differences (f(x) - f(x-h)) / h are used");
        MISTAKE(2 * central, "the difference is divided by h, not 2h");
        CHECK_NEAR(g[i], central, 1e-7, SEE_CHECK,
                   "grad_numeric of x^3 + y^3 at (1, 2), h=1e-3, coordinate "
                   "%d (central differences give 3x^2 + h^2)",
                   i);
    }
}

/* x0^3: cubes with y = 0 fixed, a function of x[0] alone (a function the
 * student's code calls sees x[0..n) only). */
static double cube(const double *x, void *ctx) {
    (void)ctx;
    return x[0] * x[0] * x[0];
}

GRADED(gd, grad_numeric_restores_x_exactly, 1) {
    /* 0.5 + 1e-5 - 1e-5 is not 0.5 in double precision: save and restore. */
    double x[1] = {0.5}, g[1] = {NAN};
    grad_numeric(g, cube, NULL, x, 1, 1e-5);
    CHECK_NEAR(g[0], 0.75, 1e-6, SEE_CHECK,
               "grad_numeric of x^3 at 0.5 (y=0 fixed), h=1e-5");
    CHECK(x[0] == 0.5, SEE_CHECK,
          "x[0] after grad_numeric: got %.17g, want exactly 0.5; adding and "
          "subtracting h does not give x back, save x[i] and restore it",
          x[0]);
}

/* f = x0^2 + 3 x1^2 with a deliberately wrong gradient (2 x0, 3 x1). */
static double bowl(const double *x, void *ctx) {
    (void)ctx;
    return x[0] * x[0] + 3 * x[1] * x[1];
}
static void bowl_wrong_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 2 * x[0];
    g[1] = 3 * x[1];
}
static void bowl_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 2 * x[0];
    g[1] = 6 * x[1];
}

GRADED(gd, grad_check_measures_relative_error, 3) {
    double x[2] = {1.0, 2.0};
    const Objective wrong = {bowl, bowl_wrong_grad, NULL, 2};
    /* analytic (2, 6), numeric (2, 12): |6 - 12| / max(6, 12, 1) = 0.5 */
    MISTAKE(1.0, "the error is divided by |analytic| only, not by "
                 "max(|a|, |d|, 1)");
    MISTAKE(6.0, "the absolute error is returned, not the relative one");
    CHECK_NEAR(grad_check(&wrong, x, 1e-5), 0.5, 1e-6, SEE_CHECK,
               "grad_check of x^2 + 3y^2 at (1, 2) against the wrong "
               "gradient (2x, 3y)");
    const Objective right = {bowl, bowl_grad, NULL, 2};
    double err = grad_check(&right, x, 1e-5);
    CHECK(err >= 0 && err < 1e-8, SEE_CHECK,
          "grad_check of x^2 + 3y^2 at (1, 2) against its right gradient: "
          "got %g, want below 1e-8",
          err);
}

GRADED(gd, grad_check_floors_the_scale_at_one, 2) {
    /* Tiny gradients: a = (2e-3, 3e-3), d = (2e-3, 6e-3): 3e-3 / 1. */
    double x[2] = {1e-3, 1e-3};
    const Objective wrong = {bowl, bowl_wrong_grad, NULL, 2};
    MISTAKE(0.5, "the scale max(|a|, |d|, 1) is missing its floor of 1");
    MISTAKE(1.0, "the error is divided by |analytic| only, without the "
                 "floor of 1");
    CHECK_NEAR(grad_check(&wrong, x, 1e-6), 3e-3, 1e-7, SEE_CHECK,
               "grad_check of x^2 + 3y^2 at (1e-3, 1e-3) against the wrong "
               "gradient (2x, 3y)");
}

GRADED(gd, step_size_decides_convergence_on_the_parabola, 2) {
    /* theta_20 = 3 - 3 (1 - 2 lr)^20: converges for lr < 1, diverges above */
    const double rates[5] = {0.1, 0.5, 0.9, 1.0, 1.1};
    for (int r = 0; r < 5; r++) {
        double theta = 0.0;
        const GdConfig cfg = {.lr = rates[r], .max_steps = 20, .grad_tol = 0};
        gd_run(&theta, &PARABOLA, &cfg, NULL, NULL);
        double want = 3.0 - 3.0 * pow(1.0 - 2.0 * rates[r], 20);
        CHECK_NEAR(theta, want, 1e-9 * fmax(1.0, fabs(want)),
                   "chapter 1, section 1.3 'How large a step?'",
                   "theta after 20 steps on (theta-3)^2 from 0, lr=%g", rates[r]);
    }
}

/* The demo's f = (x^2 + 10 y^2)/2: mu = 1, L = 10. */
static double ellipse(const double *x, void *ctx) {
    (void)ctx;
    return 0.5 * (x[0] * x[0] + 10.0 * x[1] * x[1]);
}
static void ellipse_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = x[0];
    g[1] = 10.0 * x[1];
}

GRADED(gd, best_fixed_step_follows_the_quadratic_law, 2) {
    const Objective obj = {ellipse, ellipse_grad, NULL, 2};
    /* With the best step both coordinates shrink by (kappa-1)/(kappa+1) =
     * 9/11 in size, so f = 5.5 at (1, 1) shrinks by (9/11)^2 per step. */
    double x1[2] = {1.0, 1.0};
    const GdConfig one = {.lr = 2.0 / 11.0, .max_steps = 1};
    gd_run(x1, &obj, &one, NULL, NULL);
    CHECK_REL(ellipse(x1, NULL) / 5.5, 81.0 / 121.0, 1e-9, SEE_QUADRATIC,
              "f(x_1) / f(x_0) on (x^2 + 10 y^2)/2 from (1, 1), lr=2/11 "
              "(the distance factor 9/11, squared)");
    const int ks[4] = {5, 10, 20, 40};
    const double shown[4] = {7.393685e-01, 9.939377e-02, 1.796204e-03,
                             5.866089e-07};
    for (int i = 0; i < 4; i++) {
        double x[2] = {1.0, 1.0};
        const GdConfig cfg = {.lr = 2.0 / 11.0, .max_steps = ks[i]};
        gd_run(x, &obj, &cfg, NULL, NULL);
        CHECK_REL(ellipse(x, NULL), shown[i], 1e-6, SEE_QUADRATIC,
                  "f(x_%d) on (x^2 + 10 y^2)/2 from (1, 1), lr=2/(mu+L)=2/11",
                  ks[i]);
    }
}

GRADED(gd, tighter_tolerances_cost_about_31_steps_per_factor_1000, 1) {
    const double tols[2] = {1e-6, 1e-9};
    const int want[2] = {70, 101};
    for (int i = 0; i < 2; i++) {
        double theta = 0.0;
        const GdConfig cfg = {.lr = 0.1, .max_steps = 1000,
                              .grad_tol = tols[i]};
        CHECK_INT(gd_run(&theta, &PARABOLA, &cfg, NULL, NULL), want[i],
                  SEE_RUN, "steps on (theta-3)^2 from 0, lr=0.1, grad_tol=%g",
                  tols[i]);
    }
}

GRADED(gd, rosenbrock_run_falls_fast_then_crawls, 2) {
    static double traj[1001 * 2];
    double x[2] = {-1.5, -1.5};
    const Objective obj = {rosenbrock, rosenbrock_grad, NULL, 2};
    const GdConfig cfg = {.lr = 1e-4, .max_steps = 1000, .grad_tol = 1e-6};
    gd_run(x, &obj, &cfg, traj, NULL);
    const int ks[4] = {10, 100, 200, 500};
    const double shown[4] = {198.451, 3.5308, 1.12203, 0.961463};
    for (int i = 0; i < 4; i++)
        CHECK_REL(rosenbrock_trusted(&traj[2 * ks[i]], NULL), shown[i], 1e-5,
                  SEE_ROSENBROCK,
                  "f after %d GD steps on Rosenbrock from (-1.5,-1.5), "
                  "lr=1e-4",
                  ks[i]);
}

static void rosenbrock_grad_half_dy(double *g, const double *x, void *ctx) {
    (void)ctx;
    double b = x[1] - x[0] * x[0];
    g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * b;
    g[1] = 100.0 * b; /* the slip: the factor 2 of 200 forgotten */
}

GRADED(gd, grad_check_finds_the_missing_factor_two, 2) {
    double x[2] = {-1.5, -1.5};
    const Objective bad = {rosenbrock_trusted, rosenbrock_grad_half_dy, NULL,
                           2};
    /* a_y = -375, d_y = -750: 375 / 750 */
    CHECK_NEAR(grad_check(&bad, x, 1e-5), 0.5, 1e-6, SEE_CHECK,
               "grad_check of Rosenbrock at (-1.5,-1.5) against a gradient "
               "whose dy lacks its factor 2");
    const Objective good = {rosenbrock, rosenbrock_grad, NULL, 2};
    double err = grad_check(&good, x, 1e-5);
    CHECK(err >= 0 && err < 1e-8, SEE_CHECK,
          "grad_check of your rosenbrock_grad at (-1.5,-1.5): got %g, want "
          "below 1e-8 (the chapter shows about 3e-11)",
          err);
}
