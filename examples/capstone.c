/* examples/capstone.c: chapter 8's demo -- a digit classifier trained with
 * the exercises of every chapter: the comparison of SGD, momentum and Adam,
 * the schedule, the learning-rate sweep, and the data behind the figures.
 *
 * Usage: capstone-demo [DIR]   (figure data goes to DIR, default ".") */
#include "capstone.h"
#include "demo.h"
#include "gd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { P = 10 * 64 + 10, EPOCHS = CAPSTONE_EPOCHS };
static const char *const NAMES[3] = {"SGD", "momentum", "Adam"};

/* One whole training run from theta = 0; theta[P] gets the result. */
static int train_from_zero(double *theta, EpochStats *history,
                           const Dataset *train, const Dataset *val,
                           const TrainConfig *cfg) {
    for (int i = 0; i < P; i++)
        theta[i] = 0.0;
    return capstone_train(theta, history, train, val, cfg);
}

/* The mini-batch objective as chapter 1's Objective, for grad_check. */
typedef struct {
    const Dataset *data;
    const int *idx;
    int batch;
    double lambda;
} BatchObjective;

static double batch_f(const double *theta, void *ctx) {
    static double grad[P];
    const BatchObjective *o = ctx;
    return classifier_loss_grad(grad, theta, o->data, o->idx, o->batch,
                                o->lambda);
}

static void batch_grad(double *grad, const double *theta, void *ctx) {
    const BatchObjective *o = ctx;
    classifier_loss_grad(grad, theta, o->data, o->idx, o->batch, o->lambda);
}

static void gradient_check(const Dataset *train) {
    demo_heading("checking the gradient: batch of 8, lambda = 0.1");
    static double theta[P];
    Rng rng;
    rng_seed(&rng, 1);
    for (int i = 0; i < P; i++) /* a random point, not the easy theta = 0 */
        theta[i] = 0.1 * rng_gaussian(&rng);
    const int idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    BatchObjective ctx = {train, idx, 8, 0.1};
    const Objective obj = {batch_f, batch_grad, &ctx, P};
    printf("grad_check (chapter 1), h = 1e-5: max relative error %.1e\n",
           grad_check(&obj, theta, 1e-5));
}

//> comparison
/* Trains each optimizer with the chapter's recipe; h[k] gets run k's
 * history. */
static void comparison(EpochStats h[3][EPOCHS + 1], const Dataset *train,
                       const Dataset *val) {
    demo_heading("30 epochs, batch 32, lambda 1e-4, cosine schedule");
    static double theta[P];
    printf("%-9s %5s %6s %10s %9s %9s %8s\n", "optimizer", "lr0", "steps",
           "train loss", "train acc", "val loss", "val acc");
    for (int k = 0; k < 3; k++) {
        const TrainConfig cfg = capstone_recipe((OptimizerKind)k);
        int steps = train_from_zero(theta, h[k], train, val, &cfg);
        const EpochStats *end = &h[k][EPOCHS];
        printf("%-9s %5.2g %6d %10.5f %9.4f %9.5f %8.4f\n", NAMES[k],
               cfg.schedule.cosine.lr0, steps, end->train_loss,
               end->train_acc, end->val_loss, end->val_acc);
    }
}
//< comparison

static void curves(const char *dir, EpochStats h[3][EPOCHS + 1]) {
    demo_heading("validation accuracy after each epoch (the figure)");
    printf("%5s %9s %9s %9s\n", "epoch", NAMES[0], NAMES[1], NAMES[2]);
    const int shown[] = {0, 1, 2, 3, 5, 10, 20, 30};
    for (int i = 0; i < 8; i++) {
        int e = shown[i];
        printf("%5d %9.4f %9.4f %9.4f\n", e, h[0][e].val_acc, h[1][e].val_acc,
               h[2][e].val_acc);
    }
    FILE *f = demo_open_data(dir, "curves.dat");
    if (!f) return;
    fprintf(f, "# epoch, then for SGD, momentum, Adam: train_loss val_acc\n");
    for (int e = 0; e <= EPOCHS; e++) {
        fprintf(f, "%d", e);
        for (int k = 0; k < 3; k++)
            fprintf(f, " %.8g %.6f", h[k][e].train_loss, h[k][e].val_acc);
        fprintf(f, "\n");
    }
    fclose(f);
}

/* Over the last 10 epochs of a run: the range of validation accuracy and
 * of training loss, a measure of how settled the end of the run is. */
static void print_last_epochs(const char *label, const EpochStats *h) {
    double acc_lo = 1, acc_hi = 0, loss_lo = INFINITY, loss_hi = 0;
    for (int e = EPOCHS - 9; e <= EPOCHS; e++) {
        acc_lo = fmin(acc_lo, h[e].val_acc);
        acc_hi = fmax(acc_hi, h[e].val_acc);
        loss_lo = fmin(loss_lo, h[e].train_loss);
        loss_hi = fmax(loss_hi, h[e].train_loss);
    }
    printf("%-15s %.4f .. %.4f   %.4f .. %.4f   %.4f\n", label, acc_lo,
           acc_hi, loss_lo, loss_hi, h[EPOCHS].val_acc);
}

static void schedule_effect(const Dataset *train, const Dataset *val) {
    demo_heading("Adam at lr 0.1: constant rate or cosine, last 10 epochs");
    static double theta[P];
    static EpochStats h[EPOCHS + 1];
    printf("%-15s %-16s   %-16s   %s\n", "schedule", "val acc range",
           "train loss range", "final val acc");
    TrainConfig cfg = capstone_recipe(OPT_ADAM);
    cfg.schedule = (Schedule){.kind = LR_CONSTANT, .constant = 0.1};
    train_from_zero(theta, h, train, val, &cfg);
    print_last_epochs("constant 0.1", h);
    cfg = capstone_recipe(OPT_ADAM);
    train_from_zero(theta, h, train, val, &cfg);
    print_last_epochs("cosine from 0.1", h);
}

static void sweep(const char *dir, const Dataset *train, const Dataset *val) {
    demo_heading("the learning rate: train loss and val acc after 30 epochs");
    enum { RATES = 5 };
    const double rates[RATES] = {1e-3, 1e-2, 1e-1, 1.0, 10.0};
    static double theta[P];
    static EpochStats h[EPOCHS + 1];
    double loss[RATES][3], acc[RATES][3];
    for (int r = 0; r < RATES; r++)
        for (int k = 0; k < 3; k++) {
            TrainConfig cfg = capstone_recipe((OptimizerKind)k);
            cfg.schedule.cosine.lr0 = rates[r];
            train_from_zero(theta, h, train, val, &cfg);
            loss[r][k] = h[EPOCHS].train_loss;
            acc[r][k] = h[EPOCHS].val_acc;
        }
    printf("%6s %16s %16s %16s\n", "lr0", NAMES[0], NAMES[1], NAMES[2]);
    for (int r = 0; r < RATES; r++) {
        printf("%6g", rates[r]);
        for (int k = 0; k < 3; k++)
            printf("  %7.4f %.4f", loss[r][k], acc[r][k]);
        printf("\n");
    }
    FILE *f = demo_open_data(dir, "sweep.dat");
    if (!f) return;
    fprintf(f, "# lr0, then for SGD, momentum, Adam: train_loss val_acc\n");
    for (int r = 0; r < RATES; r++) {
        fprintf(f, "%g", rates[r]);
        for (int k = 0; k < 3; k++)
            fprintf(f, " %.8g %.6f", loss[r][k], acc[r][k]);
        fprintf(f, "\n");
    }
    fclose(f);
}

/* Writes W[10][64] as ten 8x8 blocks, one per digit, for the figure. */
static void write_templates(FILE *f, const double *theta) {
    for (int c = 0; c < 10; c++) {
        for (int r = 0; r < 8; r++)
            for (int j = 0; j < 8; j++)
                fprintf(f, "%.5g%s", theta[c * 64 + r * 8 + j],
                        j == 7 ? "\n" : " ");
        fprintf(f, "\n\n");
    }
}

/* The root mean square and the largest magnitude of the weights W[640]. */
static void weight_sizes(double *rms, double *largest, const double *W) {
    double sum = 0.0;
    *largest = 0.0;
    for (int i = 0; i < 640; i++) {
        sum += W[i] * W[i];
        *largest = fmax(*largest, fabs(W[i]));
    }
    *rms = sqrt(sum / 640);
}

static void inspect(const char *dir, const Dataset *train,
                    const Dataset *val) {
    static double sgd[P], adam[P];
    TrainConfig cfg = capstone_recipe(OPT_SGD);
    train_from_zero(sgd, NULL, train, val, &cfg);
    cfg = capstone_recipe(OPT_ADAM);
    train_from_zero(adam, NULL, train, val, &cfg);

    demo_heading("Adam's classifier on the validation set: true vs predicted");
    int confusion[10][10] = {{0}};
    for (int i = 0; i < val->n; i++) {
        double z[10];
        classifier_forward(z, adam, val, &i, 1);
        int best = 0;
        for (int c = 1; c < 10; c++)
            if (z[c] > z[best]) best = c;
        confusion[val->y[i]][best]++;
    }
    printf("true\\pred");
    for (int c = 0; c < 10; c++)
        printf("%4d", c);
    printf("\n");
    for (int t = 0; t < 10; t++) {
        printf("%9d", t);
        for (int c = 0; c < 10; c++)
            printf("%4d", confusion[t][c]);
        printf("\n");
    }

    demo_heading("the weights W: root mean square and largest magnitude");
    double rms, largest;
    weight_sizes(&rms, &largest, sgd);
    printf("SGD:  rms %.3f, largest %.3f\n", rms, largest);
    weight_sizes(&rms, &largest, adam);
    printf("Adam: rms %.3f, largest %.3f\n", rms, largest);
    FILE *f = demo_open_data(dir, "weights.dat");
    if (!f) return;
    fprintf(f, "# W[c] as 8x8 images: c = 0..9 after SGD, then after Adam\n");
    write_templates(f, sgd);
    write_templates(f, adam);
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = demo_output_dir(argc, argv);
    Dataset train, val;
    if (capstone_load(&train, &val) != 0) {
        fprintf(stderr, "capstone-demo: %s\n", dataset_error());
        return 1;
    }
    demo_heading("the digits, split with seed 2024");
    printf("train: %d examples, validation: %d, %d pixels, %d classes\n",
           train.n, val.n, train.features, train.classes);
    printf("softmax regression: %d parameters, %d steps per epoch\n",
           classifier_params(train.features, train.classes),
           capstone_steps_per_epoch(train.n, CAPSTONE_BATCH));
    gradient_check(&train);
    static EpochStats h[3][EPOCHS + 1];
    comparison(h, &train, &val);
    curves(dir, h);
    schedule_effect(&train, &val);
    sweep(dir, &train, &val);
    inspect(dir, &train, &val);
    dataset_free(&train);
    dataset_free(&val);
    return 0;
}
