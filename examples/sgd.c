/* examples/sgd.c: chapter 2's demo -- batch, mini-batch and stochastic
 * gradient descent on a least-squares regression, the noise floor, and
 * noise against a saddle point, computed with the exercises of sgd.c (and
 * gd.c from chapter 1).
 *
 * Usage: sgd-demo [DIR]   (figure data goes to DIR, default ".") */
#include "demo.h"
#include "gd.h"
#include "sgd.h"

#include <math.h>
#include <stdio.h>

enum { N = SGD_DATA_N, D = SGD_DATA_D, EPOCHS = 20 };

static double X[N * D], Y[N]; /* the chapter's data set: X[N][D], Y[N] */
static const LsqData DATA = {X, Y, N, D};
static double w_star[D];      /* the least-squares optimum */
static double loss_star;      /* lsq_loss at w_star */

//> normal_equations
/* The least-squares optimum in closed form: the gradient X^T (X w - y) / n
 * vanishes where (X^T X) w = X^T y, the normal equations. A D x D system,
 * solved by Gaussian elimination with partial pivoting. */
static void solve_normal_equations(double *w, const LsqData *data) {
    double A[D][D + 1] = {{0}}; /* [X^T X | X^T y] */
    for (int i = 0; i < data->n; i++) {
        const double *x = &data->X[i * D];
        for (int a = 0; a < D; a++) {
            for (int b = 0; b < D; b++)
                A[a][b] += x[a] * x[b];
            A[a][D] += x[a] * data->y[i];
        }
    }
    for (int c = 0; c < D; c++) {
        int p = c; /* the largest pivot keeps the rounding small */
        for (int r = c + 1; r < D; r++)
            if (fabs(A[r][c]) > fabs(A[p][c])) p = r;
        for (int k = 0; k <= D; k++) {
            double t = A[c][k];
            A[c][k] = A[p][k];
            A[p][k] = t;
        }
        for (int r = c + 1; r < D; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k <= D; k++)
                A[r][k] -= f * A[c][k];
        }
    }
    for (int c = D - 1; c >= 0; c--) { /* back substitution */
        double s = A[c][D];
        for (int k = c + 1; k < D; k++)
            s -= A[c][k] * w[k];
        w[c] = s / A[c][c];
    }
}
//< normal_equations

static double distance_to_optimum(const double *w) {
    double s = 0.0;
    for (int j = 0; j < D; j++)
        s += (w[j] - w_star[j]) * (w[j] - w_star[j]);
    return sqrt(s);
}

static void print_vector(const char *label, const double *w) {
    printf("%s(%.8f, %.8f, %.8f, %.8f)\n", label, w[0], w[1], w[2], w[3]);
}

/* The eigenvalues of the symmetric D x D matrix A, ascending, by Jacobi
 * rotations: each one zeroes an off-diagonal pair, until none is left. */
static void symmetric_eigenvalues(double *eig, double A[D][D]) {
    for (int sweep = 0; sweep < 50; sweep++)
        for (int p = 0; p < D; p++)
            for (int q = p + 1; q < D; q++) {
                if (A[p][q] == 0.0) continue;
                double th = (A[q][q] - A[p][p]) / (2.0 * A[p][q]);
                double t = (th >= 0 ? 1.0 : -1.0) /
                           (fabs(th) + sqrt(th * th + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < D; k++) { /* A <- A J, then J^T A */
                    double kp = A[k][p], kq = A[k][q];
                    A[k][p] = c * kp - s * kq;
                    A[k][q] = s * kp + c * kq;
                }
                for (int k = 0; k < D; k++) {
                    double pk = A[p][k], qk = A[q][k];
                    A[p][k] = c * pk - s * qk;
                    A[q][k] = s * pk + c * qk;
                }
            }
    for (int i = 0; i < D; i++)
        eig[i] = A[i][i];
    for (int i = 1; i < D; i++) /* insertion sort, ascending */
        for (int j = i; j > 0 && eig[j - 1] > eig[j]; j--) {
            double t = eig[j];
            eig[j] = eig[j - 1];
            eig[j - 1] = t;
        }
}

static void the_data(void) {
    demo_heading("the data: 200 examples, features (1, u1, u2, u3)");
    sgd_make_data(X, Y, SGD_DATA_SEED);
    const double w_true[D] = {2.0, -1.0, 3.0, 0.5};
    const double zero[D] = {0.0, 0.0, 0.0, 0.0};
    solve_normal_equations(w_star, &DATA);
    loss_star = lsq_loss(&DATA, w_star);
    print_vector("weights that made the data:  ", w_true);
    print_vector("least-squares optimum w*:    ", w_star);
    printf("L(w*) = %.8f   L(0) = %.8f\n", loss_star, lsq_loss(&DATA, zero));
    double mean_sq = 0.0, max_sq = 0.0; /* |x_i|^2: one example's curvature */
    for (int i = 0; i < N; i++) {
        double sq = 0.0;
        for (int j = 0; j < D; j++)
            sq += X[i * D + j] * X[i * D + j];
        mean_sq += sq / N;
        max_sq = fmax(max_sq, sq);
    }
    printf("|x_i|^2: mean %.2f, largest %.2f\n", mean_sq, max_sq);
    printf("the Hessian X^T X / n:\n");
    double H[D][D], eig[D];
    for (int a = 0; a < D; a++) {
        for (int b = 0; b < D; b++) {
            double h = 0.0;
            for (int i = 0; i < N; i++)
                h += X[i * D + a] * X[i * D + b] / N;
            H[a][b] = h;
            printf(" %7.3f", h);
        }
        printf("\n");
    }
    symmetric_eigenvalues(eig, H);
    printf("its eigenvalues: %.3f %.3f %.3f %.3f, condition number %.2f\n",
           eig[0], eig[1], eig[2], eig[3], eig[D - 1] / eig[0]);
}

//> shuffle_demo
static void shuffle_demo(void) {
    demo_heading("Fisher-Yates: 0..9 shuffled three times, seed 42");
    int perm[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    Rng rng;
    rng_seed(&rng, 42);
    for (int round = 1; round <= 3; round++) {
        sgd_shuffle(perm, 10, &rng);
        printf("epoch %d:", round);
        for (int i = 0; i < 10; i++)
            printf(" %d", perm[i]);
        printf("\n");
    }
}
//< shuffle_demo

//> methods
typedef struct {
    const char *name; /* also names the figure's data file */
    SgdConfig cfg;
} Method;

static const Method METHODS[3] = {
    {"batch", {.lr = 1.0, .batch_size = N, .epochs = EPOCHS}},
    {"minibatch", {.lr = 0.15, .batch_size = 16, .epochs = EPOCHS}},
    {"sgd", {.lr = 0.02, .batch_size = 1, .epochs = EPOCHS}},
};
//< methods

/* history for the longest run, SGD: EPOCHS * N steps, plus the start. */
static double history[3][EPOCHS * N + 1];
static int steps_taken[3];

/* Writes "epoch step excess-loss" per step; the epoch is fractional, the
 * examples seen so far over N, so that a smaller last batch counts less. */
static void write_curve(const char *dir, int m) {
    char name[64];
    snprintf(name, sizeof name, "loss-%s.dat", METHODS[m].name);
    FILE *f = demo_open_data(dir, name);
    if (!f) return;
    int b = METHODS[m].cfg.batch_size, per_epoch = (N + b - 1) / b;
    int steps = steps_taken[m]; /* a broken exercise may return anything */
    if (steps < 0 || steps > EPOCHS * N) steps = 0;
    fprintf(f, "# epoch step L(w)-L(w*), %s, b = %d, lr = %g\n",
            METHODS[m].name, b, METHODS[m].cfg.lr);
    for (int s = 0; s <= steps; s++) {
        /* step s ends batch k of its epoch (k = 1..per_epoch) */
        int epoch = s == 0 ? 0 : (s - 1) / per_epoch;
        int k = s - epoch * per_epoch;
        int seen = epoch * N + (k * b < N ? k * b : N);
        fprintf(f, "%.6f %d %.6e\n", (double)seen / N, s,
                history[m][s] - loss_star);
    }
    fclose(f);
}

//> three_runs
static void three_runs(const char *dir) {
    demo_heading("20 epochs from w = 0, shuffling with seed 1");
    printf("%-9s %3s %4s %5s  %-39s  %7s\n", "method", "b", "lr", "steps",
           "w after 20 epochs", "|w-w*|");
    for (int m = 0; m < 3; m++) {
        double w[D] = {0.0, 0.0, 0.0, 0.0};
        int perm[N];
        for (int i = 0; i < N; i++)
            perm[i] = i; /* a fresh run starts from the identity */
        Rng rng;
        rng_seed(&rng, 1);
        int steps = sgd_run(w, &DATA, &METHODS[m].cfg, &rng, perm,
                            history[m]);
        steps_taken[m] = steps;
        printf("%-9s %3d %4.2f %5d  %9.6f %9.6f %9.6f %9.6f  %7.1e\n",
               METHODS[m].name, METHODS[m].cfg.batch_size, METHODS[m].cfg.lr,
               steps, w[0], w[1], w[2], w[3],
               distance_to_optimum(w));
        write_curve(dir, m);
    }
}
//< three_runs

/* The excess loss after `epochs` epochs of method m, from its history. */
static double excess_after_epochs(int m, int epochs) {
    int b = METHODS[m].cfg.batch_size;
    return history[m][epochs * ((N + b - 1) / b)] - loss_star;
}

static void cost_tables(void) {
    demo_heading("L(w) - L(w*) after the same number of epochs");
    const int at_epochs[5] = {1, 2, 5, 10, 20};
    printf("%-10s", "epochs");
    for (int c = 0; c < 5; c++)
        printf(" %10d", at_epochs[c]);
    printf("\n");
    for (int m = 0; m < 3; m++) {
        printf("%-10s", METHODS[m].name);
        for (int c = 0; c < 5; c++)
            printf(" %10.2e", excess_after_epochs(m, at_epochs[c]));
        printf("\n");
    }
    demo_heading("L(w) - L(w*) after the same number of steps");
    const int at_steps[4] = {1, 5, 10, 20};
    printf("%-10s", "steps");
    for (int c = 0; c < 4; c++)
        printf(" %10d", at_steps[c]);
    printf("\n");
    for (int m = 0; m < 3; m++) {
        printf("%-10s", METHODS[m].name);
        for (int c = 0; c < 4; c++)
            printf(" %10.2e", history[m][at_steps[c]] - loss_star);
        printf("\n");
    }
}

/* SGD with a constant learning rate does not converge: it settles into a
 * cloud around w* whose size grows with lr and shrinks with b. Started AT
 * w*, any loss above L(w*) is that cloud: its mean over 20 epochs. */
static double floor_reshuffled(double lr, int batch_size) {
    static double h[EPOCHS * N + 1];
    const SgdConfig cfg = {lr, batch_size, EPOCHS};
    double w[D];
    for (int j = 0; j < D; j++)
        w[j] = w_star[j];
    int perm[N];
    for (int i = 0; i < N; i++)
        perm[i] = i;
    Rng rng;
    rng_seed(&rng, 1);
    int steps = sgd_run(w, &DATA, &cfg, &rng, perm, h);
    if (steps < 1 || steps > EPOCHS * N) steps = 1; /* a broken run */
    double mean = 0.0;
    for (int k = 1; k <= steps; k++)
        mean += (h[k] - loss_star) / steps;
    return mean;
}

//> with_replacement
/* The same, drawing every example of every batch independently, with
 * replacement, instead of walking a shuffled order. */
static double floor_with_replacement(double lr, int batch_size) {
    double w[D], grad[D];
    for (int j = 0; j < D; j++)
        w[j] = w_star[j];
    int idx[N];
    Rng rng;
    rng_seed(&rng, 1);
    int steps = EPOCHS * N / batch_size; /* as many example gradients */
    double mean = 0.0;
    for (int k = 0; k < steps; k++) {
        for (int b = 0; b < batch_size; b++)
            idx[b] = (int)rng_below(&rng, N);
        lsq_batch_grad(grad, &DATA, w, idx, batch_size);
        gd_step(w, grad, D, lr);
        mean += (lsq_loss(&DATA, w) - loss_star) / steps;
    }
    return mean;
}
//< with_replacement

static void noise_floor(void) {
    const double rates[3] = {0.04, 0.02, 0.01};
    const int sizes[3] = {1, 4, 16};
    for (int t = 0; t < 2; t++) {
        demo_heading(t == 0 ? "noise floor: mean L(w) - L(w*) over 20 "
                              "epochs from w*, reshuffled"
                            : "the same, batches drawn with replacement");
        printf("%-8s %10s %10s %10s\n", "lr", "b = 1", "b = 4", "b = 16");
        for (int r = 0; r < 3; r++) {
            printf("%-8.2f", rates[r]);
            for (int s = 0; s < 3; s++)
                printf(" %10.2e",
                       t == 0 ? floor_reshuffled(rates[r], sizes[s])
                              : floor_with_replacement(rates[r], sizes[s]));
            printf("\n");
        }
    }
}

//> saddle
/* f(x, y) = x^2 - y^2 + y^4 / 2: a saddle at the origin, minima at
 * (0, 1) and (0, -1) where f = -1/2. On the ridge y = 0 the gradient has
 * no y component, so plain gradient descent never leaves it. */
static double saddle(const double *p, void *ctx) {
    (void)ctx;
    return p[0] * p[0] - p[1] * p[1] + 0.5 * p[1] * p[1] * p[1] * p[1];
}

static void saddle_grad(double *g, const double *p, void *ctx) {
    (void)ctx;
    g[0] = 2.0 * p[0];
    g[1] = -2.0 * p[1] + 2.0 * p[1] * p[1] * p[1];
}
//< saddle

static void write_saddle_grid(const char *dir) {
    FILE *f = demo_open_data(dir, "saddle-grid.dat");
    if (!f) return;
    fprintf(f, "# x y f(x,y) on [-1.2,1.2] x [-1.5,1.5], grid blocks\n");
    for (int i = 0; i <= 60; i++) {
        for (int j = 0; j <= 75; j++) {
            double p[2] = {-1.2 + 2.4 * i / 60.0, -1.5 + 3.0 * j / 75.0};
            fprintf(f, "%.6g %.6g %.6g\n", p[0], p[1], saddle(p, NULL));
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static void write_point(FILE *f, int k, const double *p) {
    fprintf(f, "%d %.6g %.6g %.6g\n", k, p[0], p[1], saddle(p, NULL));
}

//> plain_gd
/* Chapter 1's gd_run from (1, 0), stopping once |grad f| < 1e-6. */
static void plain_gd(const char *dir) {
    const Objective obj = {saddle, saddle_grad, NULL, 2};
    double p[2] = {1.0, 0.0};
    static double traj[(100 + 1) * 2]; /* (max_steps + 1) points */
    const GdConfig cfg = {.lr = 0.1, .max_steps = 100, .grad_tol = 1e-6};
    bool converged = false;
    int steps = gd_run(p, &obj, &cfg, traj, &converged);
    printf("plain GD: %d steps, converged = %s, (%.3g, %.3g), f = %.3g\n",
           steps, converged ? "yes" : "no", p[0], p[1], saddle(p, NULL));
    FILE *f = demo_open_data(dir, "saddle-gd.dat");
    if (!f) return;
    fprintf(f, "# step x y f(x,y)\n");
    for (int k = 0; k <= steps && k <= 100; k++)
        write_point(f, k, &traj[2 * k]);
    fclose(f);
}
//< plain_gd

//> noisy_run
/* 100 steps of gradient descent with noise from q = (1, 0), lr = 0.1,
 * sigma = 0.01; returns the first step with |y| > 1/2, or -1. */
static int noisy_run(double *q, uint64_t seed, FILE *path) {
    Rng rng;
    rng_seed(&rng, seed);
    double g[2];
    int escaped = -1;
    q[0] = 1.0;
    q[1] = 0.0;
    for (int k = 1; k <= 100; k++) {
        saddle_grad(g, q, NULL);
        sgd_noisy_step(q, g, 2, 0.1, 0.01, &rng);
        if (escaped < 0 && fabs(q[1]) > 0.5) escaped = k;
        if (path) write_point(path, k, q);
    }
    return escaped;
}
//< noisy_run

static void saddle_runs(const char *dir) {
    demo_heading("f = x^2 - y^2 + y^4/2 from (1, 0), lr = 0.1, sigma = 0.01");
    plain_gd(dir);
    FILE *f = demo_open_data(dir, "saddle-noisy.dat");
    int up = 0, down = 0;
    for (int seed = 1; seed <= 100; seed++) {
        FILE *path = seed <= 10 ? f : NULL; /* the figure shows ten */
        if (path) fprintf(path, "# seed %d: step x y f(x,y)\n0 1 0 1\n",
                          seed);
        double q[2];
        int escaped = noisy_run(q, (uint64_t)seed, path);
        if (path) fprintf(path, "\n\n"); /* one gnuplot index per seed */
        up += q[1] > 0.5;
        down += q[1] < -0.5;
        if (seed <= 3 || seed == 7)
            printf("noisy, seed %d: |y| > 1/2 at step %2d, x_100 = "
                   "(%.8f, %.8f)\n",
                   seed, escaped, q[0], q[1]);
    }
    printf("seeds 1 to 100: %d end near (0, 1), %d near (0, -1)\n", up, down);
    if (f) fclose(f);
    write_saddle_grid(dir);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    the_data();
    shuffle_demo();
    three_runs(dir);
    cost_tables();
    noise_floor();
    saddle_runs(dir);
    return 0;
}
