/* examples/adaptive.c: chapter 4's demo -- every number the chapter shows,
 * and the data behind its figures, computed with the exercises of
 * adaptive.c (and gd.c, momentum.c for the comparison).
 *
 * Usage: adaptive-demo [DIR]   (figure data goes to DIR, default ".") */
#include "adaptive.h"
#include "demo.h"
#include "gd.h"
#include "momentum.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

/* ---- one interface over every optimizer of chapters 1 to 4 ------------ */

//> optimizer
typedef enum {
    M_GD, M_EMA, M_HEAVY_BALL, M_NESTEROV, /* chapters 1 and 3 */
    M_ADAGRAD, M_RMSPROP, M_ADAM, M_AMSGRAD, M_ADADELTA, /* chapter 4 */
    N_METHODS
} Method;

static const char *const METHOD_NAME[N_METHODS] = {
    "GD", "EMA momentum", "heavy ball", "Nesterov",
    "Adagrad", "RMSprop", "Adam", "AMSGrad", "Adadelta"};

/* Any of the methods behind one init / step / free, with lr as its only
 * setting: beta = 0.9 for momentum, PyTorch's defaults for the rest. */
typedef struct {
    Method method;
    double lr;
    MomentumState mom; /* the state of whichever method is in use */
    AdagradState adagrad;
    RmspropState rmsprop;
    AdamState adam;
    AdadeltaState adadelta;
} Optimizer;

static int optimizer_init(Optimizer *o, Method method, double lr, int n) {
    *o = (Optimizer){.method = method, .lr = lr};
    switch (method) {
    case M_GD: return 0;
    case M_EMA: case M_HEAVY_BALL: case M_NESTEROV:
        return momentum_init(&o->mom, n);
    case M_ADAGRAD: return adagrad_init(&o->adagrad, n);
    case M_RMSPROP: return rmsprop_init(&o->rmsprop, n);
    case M_ADAM: case M_AMSGRAD: return adam_init(&o->adam, n);
    case M_ADADELTA: return adadelta_init(&o->adadelta, n);
    default: return -1;
    }
}

//< optimizer

//> optimizer_step
static void optimizer_step(Optimizer *o, double *x, const double *g, int n) {
    const MomentumConfig mom = {.lr = o->lr, .beta = 0.9};
    AdagradConfig adagrad = ADAGRAD_DEFAULTS;
    RmspropConfig rmsprop = RMSPROP_DEFAULTS;
    AdamConfig adam = ADAM_DEFAULTS;
    AdadeltaConfig adadelta = ADADELTA_DEFAULTS;
    adagrad.lr = rmsprop.lr = adam.lr = adadelta.lr = o->lr;
    switch (o->method) {
    case M_GD: gd_step(x, g, n, o->lr); break;
    case M_EMA: momentum_ema_step(&o->mom, x, g, &mom); break;
    case M_HEAVY_BALL: heavy_ball_step(&o->mom, x, g, &mom); break;
    case M_NESTEROV: nesterov_step(&o->mom, x, g, &mom); break;
    case M_ADAGRAD: adagrad_step(&o->adagrad, x, g, &adagrad); break;
    case M_RMSPROP: rmsprop_step(&o->rmsprop, x, g, &rmsprop); break;
    case M_ADAM: adam_step(&o->adam, x, g, &adam); break;
    case M_AMSGRAD: amsgrad_step(&o->adam, x, g, &adam); break;
    case M_ADADELTA: adadelta_step(&o->adadelta, x, g, &adadelta); break;
    default: break;
    }
}

static void optimizer_free(Optimizer *o) {
    momentum_free(&o->mom); /* every free accepts a zeroed state */
    adagrad_free(&o->adagrad);
    rmsprop_free(&o->rmsprop);
    adam_free(&o->adam);
    adadelta_free(&o->adadelta);
}
//< optimizer_step

static void not_implemented(const char *what) {
    printf("(%s: init returned -1 -- not implemented yet?)\n", what);
}

/* ---- 4.1: one step size for every coordinate --------------------------- */

static void first_steps_by_coordinate(void) {
    demo_heading("f = (x^2 + 1000 y^2)/2 at (1, 0.5): the first step");
    const double x0[2] = {1.0, 0.5};
    const double g[2] = {1.0, 500.0}; /* the gradient (x, 1000 y) */
    printf("%-22s %12s %12s\n", "method", "step in x", "step in y");
    double x[2] = {x0[0], x0[1]};
    gd_step(x, g, 2, 1.9e-3); /* just under the stability limit 2/1000 */
    printf("%-22s %12.6f %12.6f\n", "GD, lr 1.9e-3", x[0] - x0[0],
           x[1] - x0[1]);
    AdamState s;
    if (adam_init(&s, 2) != 0) {
        not_implemented("adam_init");
        return;
    }
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    x[0] = x0[0], x[1] = x0[1];
    adam_step(&s, x, g, &cfg);
    printf("%-22s %12.6f %12.6f\n", "Adam, lr 0.1", x[0] - x0[0],
           x[1] - x0[1]);
    adam_free(&s);
}

/* ---- 4.2 Adagrad, 4.3 RMSprop: how the step size evolves ---------------- */

static void adagrad_steps(void) {
    demo_heading("Adagrad, lr 0.1: the step under a constant gradient");
    const double scales[2] = {1.0, 1000.0};
    double steps[2][6];
    for (int c = 0; c < 2; c++) {
        AdagradState s;
        if (adagrad_init(&s, 1) != 0) {
            not_implemented("adagrad_init");
            return;
        }
        const AdagradConfig cfg = {.lr = 0.1, .eps = 1e-10};
        double x = 0.0;
        for (int k = 0; k < 100; k++) {
            double before = x;
            adagrad_step(&s, &x, &scales[c], &cfg);
            int slot = k == 0 ? 0 : k == 1 ? 1 : k == 3 ? 2 : k == 8 ? 3
                     : k == 24 ? 4 : k == 99 ? 5 : -1;
            if (slot >= 0) steps[c][slot] = before - x;
        }
        adagrad_free(&s);
    }
    const int at[6] = {1, 2, 4, 9, 25, 100};
    printf("%5s %12s %12s %14s\n", "step", "g = 1", "g = 1000",
           "lr / sqrt(k)");
    for (int i = 0; i < 6; i++)
        printf("%5d %12.6f %12.6f %14.6f\n", at[i], steps[0][i], steps[1][i],
               0.1 / sqrt(at[i]));
}

static void rmsprop_vs_adam_steps(void) {
    demo_heading("constant gradient g = 1, lr 0.01: step / lr at step k");
    RmspropState r;
    AdamState a;
    if (rmsprop_init(&r, 1) != 0 || adam_init(&a, 1) != 0) {
        not_implemented("rmsprop_init or adam_init");
        rmsprop_free(&r);
        return;
    }
    const RmspropConfig rc = RMSPROP_DEFAULTS;
    AdamConfig ac = ADAM_DEFAULTS;
    ac.lr = 0.01;
    const int at[7] = {1, 2, 5, 10, 100, 500, 1000};
    printf("%5s %14s %14s\n", "k", "RMSprop", "Adam");
    double xr = 0.0, xa = 0.0;
    const double g = 1.0;
    for (int k = 1, i = 0; k <= 1000; k++) {
        double br = xr, ba = xa;
        rmsprop_step(&r, &xr, &g, &rc);
        adam_step(&a, &xa, &g, &ac);
        if (k == at[i]) {
            printf("%5d %14.6f %14.6f\n", k, (br - xr) / rc.lr,
                   (ba - xa) / ac.lr);
            i++;
        }
    }
    rmsprop_free(&r);
    adam_free(&a);
}

/* ---- 4.4 Adam: the first step ------------------------------------------ */

//> adam_first_step
static void adam_first_step(void) {
    demo_heading("Adam's first step, lr 0.01, from x = 0");
    printf("%12s %14s\n", "g", "x after 1");
    const double scales[5] = {1e-6, 1e-3, 1.0, 1e3, -1e6};
    for (int i = 0; i < 5; i++) {
        AdamState s;
        if (adam_init(&s, 1) != 0) {
            not_implemented("adam_init");
            return;
        }
        AdamConfig cfg = ADAM_DEFAULTS;
        cfg.lr = 0.01;
        double x = 0.0;
        adam_step(&s, &x, &scales[i], &cfg);
        printf("%12g %14.8f\n", scales[i], x);
        adam_free(&s);
    }
}
//< adam_first_step

/* ---- 4.5 a tutorial's Adam run ------------------------------------------ */

/* theta after `steps` Adam steps on scale * (theta - 3)^2 from 0; the
 * trajectory goes to traj[steps + 1] when not NULL. NAN if Adam is missing. */
static double adam_on_parabola(double lr, int steps, double scale,
                               double *traj) {
    AdamState s;
    if (adam_init(&s, 1) != 0) return NAN;
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = lr;
    double theta = 0.0;
    if (traj) traj[0] = theta;
    for (int k = 0; k < steps; k++) {
        const double g = scale * 2.0 * (theta - 3.0);
        adam_step(&s, &theta, &g, &cfg);
        if (traj) traj[k + 1] = theta;
    }
    adam_free(&s);
    return theta;
}

//> tutorial_run
static void tutorial_run(void) {
    demo_heading("a tutorial's Adam run: (theta - 3)^2 from 0, lr 0.01");
    AdamState s;
    if (adam_init(&s, 1) != 0) {
        not_implemented("adam_init");
        return;
    }
    AdamConfig cfg = ADAM_DEFAULTS; /* betas (0.9, 0.999), eps 1e-8 */
    cfg.lr = 0.01;
    double theta = 0.0;
    for (int k = 0; k < 100; k++) {
        const double g = 2.0 * (theta - 3.0); /* d/dtheta (theta - 3)^2 */
        adam_step(&s, &theta, &g, &cfg);
    }
    adam_free(&s);
    printf("after 100 steps, double:     theta = %.10f\n", theta);
    printf("as printed, float32 PyTorch: theta = %.10f\n", 0.9375530481338501);
    printf("distance travelled / (100 * lr) = %.6f\n", theta / (100 * 0.01));
}
//< tutorial_run

static void tutorial_run_scales(void) {
    demo_heading("the same run with the loss multiplied by a constant");
    const double scales[4] = {1e-3, 1.0, 1e3, 1e6};
    for (int i = 0; i < 4; i++)
        printf("loss x %-6g theta after 100 steps = %.10f\n", scales[i],
               adam_on_parabola(0.01, 100, scales[i], NULL));
}

static void tutorial_run_settings(const char *dir) {
    demo_heading("theta after k Adam steps on (theta - 3)^2 from 0");
    const double rates[4] = {0.01, 0.03, 0.1, 0.3};
    const int steps[4] = {100, 300, 1000, 3000};
    printf("%6s", "lr");
    for (int j = 0; j < 4; j++) {
        char label[16];
        snprintf(label, sizeof label, "k = %d", steps[j]);
        printf(" %14s", label);
    }
    printf("\n");
    for (int i = 0; i < 4; i++) {
        printf("%6.2f", rates[i]);
        for (int j = 0; j < 4; j++)
            printf(" %14.8f", adam_on_parabola(rates[i], steps[j], 1.0, NULL));
        printf("\n");
    }
    /* the figure: theta_t for Adam at two rates and chapter 1's GD */
    enum { T = 300 };
    static double slow[T + 1], fast[T + 1], gd[T + 1];
    adam_on_parabola(0.01, T, 1.0, slow);
    adam_on_parabola(0.1, T, 1.0, fast);
    int passes = -1, peak = 0; /* where lr 0.1 first passes 3, its top */
    for (int k = 1; k <= T; k++) {
        if (passes < 0 && fast[k] > 3.0) passes = k;
        if (fast[k] > fast[peak]) peak = k;
    }
    printf("lr 0.1: theta passes 3 at step %d and peaks at %.4f at step %d\n",
           passes, fast[peak], peak);
    gd[0] = 0.0;
    for (int k = 0; k < T; k++) {
        const double g = 2.0 * (gd[k] - 3.0);
        gd[k + 1] = gd[k];
        gd_step(&gd[k + 1], &g, 1, 0.1);
    }
    FILE *f = demo_open_data(dir, "tutorial-run.dat");
    if (!f) return;
    fprintf(f, "# step, theta: Adam lr 0.01, Adam lr 0.1, GD lr 0.1\n");
    for (int k = 0; k <= T; k++)
        fprintf(f, "%d %.10g %.10g %.10g\n", k, slow[k], fast[k], gd[k]);
    fclose(f);
}

/* ---- 4.6 weight decay --------------------------------------------------- */

//> weight_decay
/* x[0] is pulled to 1 by the loss 50 (x0 - 1)^2; x[1] gets no gradient. */
static void weight_decay_demo(void) {
    demo_heading("L2 in Adam vs AdamW: lr 0.01, 1000 steps from (0, 1)");
    printf("%-6s %-6s %12s %12s %12s\n", "decay", "wd", "x0 (busy)",
           "x1 @ 100", "x1 @ 1000");
    const double wds[3] = {1e-3, 1e-2, 1e-1};
    for (int decoupled = 0; decoupled < 2; decoupled++) {
        for (int w = 0; w < 3; w++) {
            AdamState s;
            if (adam_init(&s, 2) != 0) {
                not_implemented("adam_init");
                return;
            }
            AdamConfig cfg = ADAM_DEFAULTS;
            cfg.lr = 0.01;
            cfg.weight_decay = wds[w];
            double x[2] = {0.0, 1.0}, x1_at_100 = NAN;
            for (int k = 1; k <= 1000; k++) {
                const double g[2] = {100.0 * (x[0] - 1.0), 0.0};
                if (decoupled)
                    adamw_step(&s, x, g, &cfg);
                else
                    adam_step(&s, x, g, &cfg);
                if (k == 100) x1_at_100 = x[1];
            }
            adam_free(&s);
            /* fabs: L2's x1 ends within 1e-20 of 0, on either side */
            printf("%-6s %-6g %12.8f %12.6f %12.6f\n",
                   decoupled ? "AdamW" : "L2", wds[w], x[0], fabs(x1_at_100),
                   fabs(x[1]));
        }
    }
}
//< weight_decay

/* ---- 4.7 AMSGrad: the step after one large gradient ---------------------- */

static void amsgrad_demo(void) {
    demo_heading("one gradient of 1, then 0.01 for ever: step / lr at step k");
    AdamState a, m;
    if (adam_init(&a, 1) != 0 || adam_init(&m, 1) != 0) {
        not_implemented("adam_init");
        adam_free(&a);
        return;
    }
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    const int at[7] = {1, 2, 10, 100, 1000, 3000, 10000};
    printf("%6s %12s %12s\n", "k", "Adam", "AMSGrad");
    double xa = 0.0, xm = 0.0;
    for (int k = 1, i = 0; k <= 10000; k++) {
        const double g = k == 1 ? 1.0 : 0.01;
        double ba = xa, bm = xm;
        adam_step(&a, &xa, &g, &cfg);
        amsgrad_step(&m, &xm, &g, &cfg);
        if (k == at[i]) {
            printf("%6d %12.6f %12.6f\n", k, (ba - xa) / cfg.lr,
                   (bm - xm) / cfg.lr);
            i++;
        }
    }
    adam_free(&a);
    adam_free(&m);
}

/* ---- 4.8 Adadelta: the first steps do not depend on g's scale ------------ */

static void adadelta_demo(void) {
    demo_heading(
        "Adadelta, defaults (lr 1, rho 0.9, eps 1e-6): the first steps");
    const double scales[3] = {1e-2, 1.0, 1e3};
    printf("%5s %12s %12s %12s\n", "k", "g = 0.01", "g = 1", "g = 1000");
    double x[3] = {0.0, 0.0, 0.0}, before[3];
    AdadeltaState s[3];
    for (int c = 0; c < 3; c++)
        if (adadelta_init(&s[c], 1) != 0) {
            not_implemented("adadelta_init");
            for (int d = 0; d < c; d++)
                adadelta_free(&s[d]);
            return;
        }
    const AdadeltaConfig cfg = ADADELTA_DEFAULTS;
    for (int k = 1; k <= 100; k++) {
        for (int c = 0; c < 3; c++) {
            before[c] = x[c];
            adadelta_step(&s[c], &x[c], &scales[c], &cfg);
        }
        if (k <= 3 || k == 10 || k == 100)
            printf("%5d %12.3e %12.3e %12.3e\n", k, before[0] - x[0],
                   before[1] - x[1], before[2] - x[2]);
    }
    for (int c = 0; c < 3; c++)
        adadelta_free(&s[c]);
}

/* ---- 4.9 every method on Rosenbrock ------------------------------------- */

enum { CMP_STEPS = 20000, CMP_RATES = 21 };
static const double CMP_TOL = 1e-6;

/* The learning-rate grid: 10^(-5 + i/4), from 1e-5 to 1. */
static double cmp_rate(int i) { return pow(10.0, -5.0 + i / 4.0); }

typedef struct {
    int hit;      /* first step with f < CMP_TOL, or -1 */
    bool stays;   /* f < CMP_TOL at every step after the first hit */
    int left;     /* first step after the hit with f >= CMP_TOL, or -1 */
    double f_min; /* lowest f seen */
} CmpResult;

/* Runs method at lr on obj from x0 for CMP_STEPS steps; f_path, when not
 * NULL, receives f at every step, f_path[CMP_STEPS + 1] (NAN once the run
 * has diverged). Returns -1 if init failed. */
static int cmp_run(CmpResult *r, Method method, double lr,
                   const Objective *obj, const double *x0, double *f_path) {
    Optimizer o;
    if (optimizer_init(&o, method, lr, obj->n) != 0) {
        optimizer_free(&o);
        return -1;
    }
    double x[2] = {x0[0], x0[1]}, g[2];
    *r = (CmpResult){.hit = -1, .stays = true, .left = -1,
                     .f_min = INFINITY};
    for (int k = 0; k <= CMP_STEPS; k++) {
        double f = obj->f(x, obj->ctx);
        if (!isfinite(f)) { /* diverged: no hit from here on */
            r->stays = false;
            for (int j = k; f_path && j <= CMP_STEPS; j++)
                f_path[j] = NAN;
            break;
        }
        if (f_path) f_path[k] = f;
        r->f_min = fmin(r->f_min, f);
        if (f < CMP_TOL && r->hit < 0) r->hit = k;
        if (f >= CMP_TOL && r->hit >= 0 && r->stays) {
            r->stays = false;
            r->left = k;
        }
        if (k == CMP_STEPS) break;
        obj->grad(g, x, obj->ctx);
        optimizer_step(&o, x, g, obj->n);
    }
    optimizer_free(&o);
    return 0;
}

/* The best rate of the grid: the fewest steps to CMP_TOL, or, if no rate
 * gets there, the lowest f. Returns the index, or -1 if init failed. */
static int cmp_best(CmpResult *best, Method method, const Objective *obj,
                    const double *x0) {
    int arg = -1;
    for (int i = 0; i < CMP_RATES; i++) {
        CmpResult r;
        if (cmp_run(&r, method, cmp_rate(i), obj, x0, NULL) != 0) return -1;
        bool better =
            arg < 0 ||
            (r.hit >= 0 && (best->hit < 0 || r.hit < best->hit)) ||
            (r.hit < 0 && best->hit < 0 && r.f_min < best->f_min);
        if (better) *best = r, arg = i;
    }
    return arg;
}

static void compare_on_rosenbrock(const char *dir) {
    demo_heading("Rosenbrock from (-1.5, -1.5): steps to f < 1e-6, best lr "
                 "of the grid");
    const Objective obj = {rosenbrock, rosenbrock_grad, NULL, 2};
    const double x0[2] = {-1.5, -1.5};
    static double paths[N_METHODS][CMP_STEPS + 1];
    printf("%-13s %9s %8s %7s %10s\n", "method", "lr", "steps", "stays",
           "lowest f");
    CmpResult left[N_METHODS]; /* the runs that got there but left again */
    for (int m = 0; m < N_METHODS; m++) {
        CmpResult r;
        left[m].left = -1;
        int best = cmp_best(&r, (Method)m, &obj, x0);
        if (best < 0) {
            printf("%-13s (init returned -1)\n", METHOD_NAME[m]);
            for (int j = 0; j <= CMP_STEPS; j++)
                paths[m][j] = NAN;
            continue;
        }
        cmp_run(&r, (Method)m, cmp_rate(best), &obj, x0, paths[m]);
        left[m] = r;
        if (r.hit >= 0) /* f_min is then rounding noise: not shown */
            printf("%-13s %9.2g %8d %7s\n", METHOD_NAME[m], cmp_rate(best),
                   r.hit, r.stays ? "yes" : "no");
        else
            printf("%-13s %9.2g %8s %7s %10.1e\n", METHOD_NAME[m],
                   cmp_rate(best), "never", "-", r.f_min);
    }
    for (int m = 0; m < N_METHODS; m++)
        if (left[m].left >= 0)
            printf("%s: f < 1e-6 from step %d, back above at step %d\n",
                   METHOD_NAME[m], left[m].hit, left[m].left);
    FILE *f = demo_open_data(dir, "compare.dat");
    if (!f) return;
    fprintf(f, "# step, then f for:");
    for (int m = 0; m < N_METHODS; m++)
        fprintf(f, " %s;", METHOD_NAME[m]);
    fprintf(f, "\n# each at its best lr; every step to 100, then every 10th\n");
    for (int k = 0; k <= CMP_STEPS; k++) {
        if (k > 100 && k % 10 != 0) continue; /* keeps the file small */
        fprintf(f, "%d", k);
        for (int m = 0; m < N_METHODS; m++)
            fprintf(f, " %.4g", paths[m][k]);
        fprintf(f, "\n");
    }
    fclose(f);
}

/* ---- 4.10 when each method helps: scaled or rotated quadratic ------------ */

/* f = (u^2 + 1000 w^2) / 2 in coordinates (u, w) turned by `angle` from
 * (x, y): eigenvalues 1 and 1000 along axes at that angle. */
typedef struct {
    double c, s; /* cos and sin of the angle */
} Turn;

static double turned_quadratic(const double *x, void *ctx) {
    const Turn *t = ctx;
    double u = t->c * x[0] + t->s * x[1], w = -t->s * x[0] + t->c * x[1];
    return 0.5 * (u * u + 1000.0 * w * w);
}

static void turned_quadratic_grad(double *g, const double *x, void *ctx) {
    const Turn *t = ctx;
    double u = t->c * x[0] + t->s * x[1], w = -t->s * x[0] + t->c * x[1];
    g[0] = t->c * u - t->s * 1000.0 * w; /* back to (x, y): R^T (u, 1000 w) */
    g[1] = t->s * u + t->c * 1000.0 * w;
}

/* Steps of a fixed-setting method (GD or tuned heavy ball) to CMP_TOL. */
static int fixed_run(const Objective *obj, const double *x0, bool heavy) {
    MomentumState s;
    if (momentum_init(&s, 2) != 0) return -1;
    const MomentumConfig hb = heavy_ball_tuned(1.0, 1000.0);
    double x[2] = {x0[0], x0[1]}, g[2];
    int k;
    for (k = 0; k < CMP_STEPS; k++) {
        if (obj->f(x, obj->ctx) < CMP_TOL) break;
        obj->grad(g, x, obj->ctx);
        if (heavy)
            heavy_ball_step(&s, x, g, &hb);
        else
            gd_step(x, g, 2, 2.0 / (1.0 + 1000.0)); /* 2 / (mu + L) */
    }
    momentum_free(&s);
    return k < CMP_STEPS ? k : -1;
}

static void print_steps(int steps) {
    if (steps >= 0)
        printf(" %12d", steps);
    else
        printf(" %12s", "never");
}

static void scaled_vs_rotated(void) {
    demo_heading("f = (u^2 + 1000 w^2)/2 from (1, 0.5): steps to f < 1e-6");
    const double angles[2] = {0.0, 30.0};
    Turn turns[2];
    Objective objs[2];
    for (int a = 0; a < 2; a++) {
        double rad = angles[a] * 3.14159265358979323846 / 180.0;
        turns[a] = (Turn){cos(rad), sin(rad)};
        objs[a] = (Objective){turned_quadratic, turned_quadratic_grad,
                              &turns[a], 2};
    }
    const double x0[2] = {1.0, 0.5};
    printf("%-28s %12s %12s\n", "method", "axes at 0", "axes at 30");
    printf("%-28s", "GD, lr 2/(mu+L)");
    for (int a = 0; a < 2; a++)
        print_steps(fixed_run(&objs[a], x0, false));
    printf("\n%-28s", "heavy ball, tuned (ch. 3)");
    for (int a = 0; a < 2; a++)
        print_steps(fixed_run(&objs[a], x0, true));
    printf("\n");
    const Method adaptive[3] = {M_ADAGRAD, M_ADAM, M_AMSGRAD};
    for (int i = 0; i < 3; i++) {
        char label[40];
        snprintf(label, sizeof label, "%s, best lr of the grid",
                 METHOD_NAME[adaptive[i]]);
        printf("%-28s", label);
        for (int a = 0; a < 2; a++) {
            CmpResult r;
            if (cmp_best(&r, adaptive[i], &objs[a], x0) < 0) r.hit = -1;
            print_steps(r.hit);
        }
        printf("\n");
    }
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    first_steps_by_coordinate();
    adagrad_steps();
    rmsprop_vs_adam_steps();
    adam_first_step();
    tutorial_run();
    tutorial_run_scales();
    tutorial_run_settings(dir);
    weight_decay_demo();
    amsgrad_demo();
    adadelta_demo();
    compare_on_rosenbrock(dir);
    scaled_vs_rotated();
    return 0;
}
