/* examples/regularization.c: chapter 7's demo -- every number the chapter
 * shows, and the data behind its figures, computed with the exercises of
 * regularization.c (and gd_step from chapter 1).
 *
 * Usage: regularization-demo [DIR]   (figure data goes to DIR, default ".")
 */
#include "demo.h"
#include "gd.h"
#include "regularization.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//> experiment
/* The overfitting experiment: 12 noisy training points, 100 validation
 * points from the same distribution, noise standard deviation 0.2. */
enum { TRAIN_POINTS = 12, VAL_POINTS = 100 };
static const double NOISE = 0.2;
static const uint64_t TRAIN_SEED = 1, VAL_SEED = 2;

/* Plain gradient descent, 100000 steps, evaluated every 100. */
static const FitConfig BASE = {.lr = 0.05, .max_steps = 100000,
                               .reg = REG_NONE, .eval_every = 100};
//< experiment

enum { EVALS = 100000 / 100 + 1, RUNS = 4 };

typedef struct {
    const char *name;
    FitConfig cfg;
    double w[POLY_N];
    double train[EVALS], val[EVALS];
    FitResult res;
} Run;

static PolyData train_set, val_set;

static void run_fit(Run *run) {
    memset(run->w, 0, sizeof run->w);
    run->res = fit_train(run->w, &train_set, &val_set, &run->cfg, run->train,
                         run->val);
}

static int count_zeros(const double *w, int n) {
    int zeros = 0;
    for (int i = 0; i < n; i++)
        zeros += w[i] == 0.0;
    return zeros;
}

static void print_losses(const Run *run) {
    printf("%-22s train %.6f   validation %.6f\n", run->name,
           polyfit_mse(run->w, &train_set), polyfit_mse(run->w, &val_set));
}

static void overfitting(Run *none) {
    demo_heading("degree-9 polynomial, 12 noisy points, plain GD");
    printf("lr %g, %d steps; noise variance %.2f\n",
           BASE.lr, BASE.max_steps, NOISE * NOISE);
    double lo = 1.0, hi = 0.0;
    for (int i = 0; i < train_set.m; i++) {
        lo = fmin(lo, train_set.x[i]);
        hi = fmax(hi, train_set.x[i]);
    }
    printf("training points between x = %.3f and x = %.3f\n", lo, hi);
    printf("%6s %12s %12s\n", "step", "train MSE", "val MSE");
    const int shown[] = {0, 100, 500, 1000, 10000, 100000};
    for (int s = 0; s < 6; s++) {
        int e = shown[s] / BASE.eval_every;
        printf("%6d %12.6f %12.6f\n", shown[s], none->train[e], none->val[e]);
    }
}

/* w after `steps` GD steps on the training MSE with the L2 gradient added,
 * and the same with decoupled weight decay: the largest difference. */
static double l2_vs_weight_decay(double lambda, int steps) {
    double a[POLY_N] = {0}, b[POLY_N] = {0}, g[POLY_N];
    for (int s = 0; s < steps; s++) {
        polyfit_mse_grad(g, a, &train_set);
        l2_grad_add(g, a, POLY_N, lambda);
        gd_step(a, g, POLY_N, BASE.lr);
        polyfit_mse_grad(g, b, &train_set);
        weight_decay_step(b, g, POLY_N, BASE.lr, lambda);
    }
    double worst = 0.0;
    for (int j = 0; j < POLY_N; j++)
        worst = fmax(worst, fabs(a[j] - b[j]));
    return worst;
}

static void l2_sweep(void) {
    demo_heading("L2: validation MSE against lambda (100000 steps)");
    const double lambdas[] = {0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};
    printf("%8s %12s %12s %12s\n", "lambda", "train MSE", "val MSE",
           "||w[1..]||");
    for (int i = 0; i < 6; i++) {
        static Run run;
        run.cfg = BASE;
        run.cfg.reg = REG_L2;
        run.cfg.lambda = lambdas[i];
        run_fit(&run);
        printf("%8g %12.6f %12.6f %12.6f\n", lambdas[i],
               polyfit_mse(run.w, &train_set), polyfit_mse(run.w, &val_set),
               sqrt(2.0 * l2_penalty(run.w + 1, POLY_N - 1, 1.0)));
    }
    demo_heading("L2 gradient vs decoupled weight decay, plain GD");
    printf("lambda 0.1, lr 0.05, 1000 steps: max |w_L2 - w_decay| = %.1e\n",
           l2_vs_weight_decay(0.1, 1000));
    printf("decay factor per step 1 - lr*lambda = %.4f\n", 1.0 - 0.05 * 0.1);
}

static void l1_compare(const Run *prox) {
    demo_heading("L1, lambda 0.03: subgradient vs proximal step");
    static Run sub;
    sub.name = "L1 subgradient";
    sub.cfg = prox->cfg;
    sub.cfg.reg = REG_L1_SUBGRAD;
    run_fit(&sub);
    print_losses(&sub);
    print_losses(prox);
    printf("%3s %14s %14s\n", "j", "w (subgrad)", "w (prox)");
    for (int j = 0; j < POLY_N; j++)
        printf("%3d %14.6g %14.6g\n", j, sub.w[j], prox->w[j]);
    printf("exact zeros among w[1..9]: subgradient %d, proximal %d\n",
           count_zeros(sub.w + 1, POLY_N - 1),
           count_zeros(prox->w + 1, POLY_N - 1));
    int best = 0;
    for (int e = 1; e < prox->res.evals; e++)
        if (prox->val[e] < prox->val[best]) best = e;
    printf("lowest validation MSE of the prox run: %.6f at step %d\n",
           prox->val[best], best * prox->cfg.eval_every);
}

static void early_stopping(const Run *es) {
    demo_heading("early stopping: patience 10 evaluations (1000 steps)");
    printf("stopped after %d steps; best validation loss at step %d\n",
           es->res.steps, es->res.best_step);
    print_losses(es);
}

static void summary(const Run *runs, const char *dir) {
    demo_heading("final losses (early stopping: at its best step)");
    for (int r = 0; r < RUNS; r++)
        print_losses(&runs[r]);
    FILE *f = demo_open_data(dir, "curves.dat");
    if (f) {
        fprintf(f, "# step, then train and val MSE for: none, L2 0.1, "
                   "L1 prox 0.03, early stopping (NaN after it stops)\n");
        for (int e = 0; e < EVALS; e++) {
            fprintf(f, "%d", e * BASE.eval_every);
            for (int r = 0; r < RUNS; r++) {
                bool have = e < runs[r].res.evals;
                fprintf(f, " %.6g %.6g", have ? runs[r].train[e] : NAN,
                        have ? runs[r].val[e] : NAN);
            }
            fprintf(f, "\n");
        }
        fclose(f);
    }
    f = demo_open_data(dir, "fits.dat");
    if (f) {
        fprintf(f, "# x sin(2 pi x), then the fitted curve of: none, L2, "
                   "L1 prox, early stopping\n");
        for (int i = 0; i <= 200; i++) {
            double x = i / 200.0;
            fprintf(f, "%.4f %.6g", x, sin(6.283185307179586 * x));
            for (int r = 0; r < RUNS; r++)
                fprintf(f, " %.6g", polyfit_predict(runs[r].w, x));
            fprintf(f, "\n");
        }
        fclose(f);
    }
    f = demo_open_data(dir, "points.dat");
    if (f) {
        fprintf(f, "# the training points: x y\n");
        for (int i = 0; i < train_set.m; i++)
            fprintf(f, "%.6f %.6f\n", train_set.x[i], train_set.y[i]);
        fclose(f);
    }
}

static void dropout_demo(void) {
    demo_heading("inverted dropout, p = 0.5, seed 3");
    const double in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double out[8];
    unsigned char mask[8];
    Rng rng;
    rng_seed(&rng, 3);
    dropout_forward(out, mask, in, 8, 0.5, &rng, true);
    printf("mask (training): ");
    for (int i = 0; i < 8; i++)
        printf("%d", mask[i]);
    printf("\nout  (training):");
    for (int i = 0; i < 8; i++)
        printf(" %g", out[i]);
    dropout_forward(out, mask, in, 8, 0.5, NULL, false);
    printf("\nout  (evaluation):");
    for (int i = 0; i < 8; i++)
        printf(" %g", out[i]);
    printf("\n");
}

static void dropout_mean(void) {
    demo_heading("dropout keeps the mean: 100000 units of value 1, seed 11");
    enum { UNITS = 100000 };
    static double ones[UNITS], out[UNITS];
    for (int i = 0; i < UNITS; i++)
        ones[i] = 1.0;
    printf("%5s %10s %10s %12s %10s\n", "p", "kept", "mean", "std. error",
           "|mean-1|");
    const double ps[] = {0.1, 0.5, 0.9};
    for (int k = 0; k < 3; k++) {
        Rng rng;
        rng_seed(&rng, 11);
        dropout_forward(out, NULL, ones, UNITS, ps[k], &rng, true);
        double sum = 0.0;
        int kept = 0;
        for (int i = 0; i < UNITS; i++) {
            sum += out[i];
            kept += out[i] != 0.0;
        }
        double mean = sum / UNITS;
        double se = sqrt(ps[k] / (1.0 - ps[k]) / UNITS);
        printf("%5.1f %10d %10.5f %12.5f %10.5f\n", ps[k], kept, mean, se,
               fabs(mean - 1.0));
    }
}

static void gradient_chain(const char *dir) {
    demo_heading("||dL/dh_0|| through k Gaussian layers (n = 64), seed 3");
    enum { K = 50, N = 64, SCALES = 3 };
    const double scales[SCALES] = {0.5, 1.0, 1.5};
    static double W[K * N * N], norms[SCALES][K + 1];
    for (int s = 0; s < SCALES; s++) {
        Rng rng;
        rng_seed(&rng, 3);
        chain_gaussian_layers(W, K, N, scales[s], &rng);
        double g[N];
        for (int i = 0; i < N; i++)
            g[i] = 1.0 / sqrt((double)N); /* a unit upstream gradient */
        backprop_linear_chain(norms[s], g, W, K, N);
    }
    printf("%4s %12s %12s %12s %12s\n", "k", "scale 0.5", "scale 1.0",
           "scale 1.5", "0.25^k");
    for (int k = 0; k <= K; k += 10)
        printf("%4d %12.4e %12.4e %12.4e %12.4e\n", k, norms[0][k],
               norms[1][k], norms[2][k], pow(0.25, k));
    FILE *f = demo_open_data(dir, "chain.dat");
    if (!f) return;
    fprintf(f, "# k, ||g|| after k layers for scale 0.5 1.0 1.5, 0.25^k\n");
    for (int k = 0; k <= K; k++)
        fprintf(f, "%d %.6e %.6e %.6e %.6e\n", k, norms[0][k], norms[1][k],
                norms[2][k], pow(0.25, k));
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    polyfit_data(&train_set, TRAIN_POINTS, NOISE, TRAIN_SEED);
    polyfit_data(&val_set, VAL_POINTS, NOISE, VAL_SEED);
    static Run runs[RUNS];
    runs[0] = (Run){.name = "none", .cfg = BASE};
    runs[1] = (Run){.name = "L2, lambda 0.1", .cfg = BASE};
    runs[1].cfg.reg = REG_L2;
    runs[1].cfg.lambda = 0.1;
    runs[2] = (Run){.name = "L1 prox, lambda 0.03", .cfg = BASE};
    runs[2].cfg.reg = REG_L1_PROX;
    runs[2].cfg.lambda = 0.03;
    runs[3] = (Run){.name = "early stopping", .cfg = BASE};
    runs[3].cfg.patience = 10;
    for (int r = 0; r < RUNS; r++)
        run_fit(&runs[r]);

    overfitting(&runs[0]);
    l2_sweep();
    l1_compare(&runs[2]);
    early_stopping(&runs[3]);
    summary(runs, dir);
    dropout_demo();
    dropout_mean();
    gradient_chain(dir);
    return 0;
}
