/* regularization.c: chapter 7, regularization -- reference solution. */
#include "regularization.h"

#include "gd.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

double l2_penalty(const double *w, int n, double lambda) {
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += w[i] * w[i];
    return 0.5 * lambda * sum; /* the 1/2 makes the gradient lambda * w */
}

void l2_grad_add(double *g, const double *w, int n, double lambda) {
    for (int i = 0; i < n; i++)
        g[i] += lambda * w[i];
}

void weight_decay_step(double *w, const double *g, int n, double lr,
                       double lambda) {
    const double decay = 1.0 - lr * lambda; /* shrink first, then step */
    for (int i = 0; i < n; i++)
        w[i] = decay * w[i] - lr * g[i];
}

double l1_penalty(const double *w, int n, double lambda) {
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += fabs(w[i]);
    return lambda * sum;
}

void l1_subgrad_add(double *g, const double *w, int n, double lambda) {
    for (int i = 0; i < n; i++) {
        if (w[i] > 0)
            g[i] += lambda;
        else if (w[i] < 0)
            g[i] -= lambda;
        /* at exactly 0, the subgradient 0 is a valid choice: add nothing */
    }
}

void l1_prox(double *w, int n, double threshold) {
    assert(threshold >= 0);
    for (int i = 0; i < n; i++) {
        if (w[i] > threshold)
            w[i] -= threshold;
        else if (w[i] < -threshold)
            w[i] += threshold;
        else
            w[i] = 0.0; /* inside the dead zone: an exact zero */
    }
}

void dropout_forward(double *out, unsigned char *mask, const double *in,
                     int n, double p, Rng *rng, bool training) {
    assert(p >= 0 && p < 1);
    if (!training) { /* evaluation: every unit, unscaled, no draws */
        for (int i = 0; i < n; i++) {
            out[i] = in[i];
            if (mask) mask[i] = 1;
        }
        return;
    }
    const double keep_scale = 1.0 / (1.0 - p); /* keeps E[out] = in */
    for (int i = 0; i < n; i++) {
        bool keep = rng_uniform(rng) >= p; /* dropped when u < p */
        if (mask) mask[i] = keep;
        out[i] = keep ? in[i] * keep_scale : 0.0;
    }
}

void dropout_backward(double *grad_in, const unsigned char *mask,
                      const double *grad_out, int n, double p) {
    assert(p >= 0 && p < 1);
    const double keep_scale = 1.0 / (1.0 - p);
    for (int i = 0; i < n; i++)
        grad_in[i] = mask[i] ? grad_out[i] * keep_scale : 0.0;
}

void early_stopping_init(EarlyStopping *es, int patience, double min_delta) {
    assert(patience >= 1 && min_delta >= 0);
    es->patience = patience;
    es->min_delta = min_delta;
    es->best = INFINITY;
    es->best_eval = -1;
    es->evals = 0;
    es->bad_evals = 0;
}

bool early_stopping_update(EarlyStopping *es, double val_loss) {
    /* A NaN fails this comparison: it counts as no improvement. */
    if (val_loss < es->best - es->min_delta) {
        es->best = val_loss;
        es->best_eval = es->evals;
        es->bad_evals = 0;
    } else {
        es->bad_evals++;
    }
    es->evals++;
    return es->bad_evals >= es->patience;
}

static void record(double *curve, int e, double value) {
    if (curve) curve[e] = value;
}

FitResult fit_train(double *w, const PolyData *train, const PolyData *val,
                    const FitConfig *cfg, double *train_curve,
                    double *val_curve) {
    assert(cfg->eval_every >= 1 && cfg->max_steps % cfg->eval_every == 0);
    const bool early = cfg->patience > 0;
    EarlyStopping es;
    if (early) early_stopping_init(&es, cfg->patience, 0.0);
    double g[POLY_N], best_w[POLY_N];
    FitResult res = {0, 0, 0};
    for (int step = 0;; step++) {
        if (step % cfg->eval_every == 0) {
            double val_loss = polyfit_mse(w, val);
            record(train_curve, res.evals, polyfit_mse(w, train));
            record(val_curve, res.evals, val_loss);
            res.evals++;
            if (early) {
                bool stop = early_stopping_update(&es, val_loss);
                if (es.bad_evals == 0) { /* a new best: keep these weights */
                    memcpy(best_w, w, sizeof best_w);
                    res.best_step = step;
                }
                if (stop) break;
            }
        }
        if (step == cfg->max_steps) break;
        polyfit_mse_grad(g, w, train);
        /* The penalties skip w[0], the bias: shifting the curve up or down
         * is not what makes it wiggle. */
        if (cfg->reg == REG_L2)
            l2_grad_add(g + 1, w + 1, POLY_N - 1, cfg->lambda);
        else if (cfg->reg == REG_L1_SUBGRAD)
            l1_subgrad_add(g + 1, w + 1, POLY_N - 1, cfg->lambda);
        gd_step(w, g, POLY_N, cfg->lr);
        if (cfg->reg == REG_L1_PROX)
            l1_prox(w + 1, POLY_N - 1, cfg->lr * cfg->lambda);
        res.steps++;
    }
    if (early)
        memcpy(w, best_w, sizeof best_w);
    else
        res.best_step = res.steps;
    return res;
}

void backprop_linear_chain(double *norms, double *g, const double *W, int k,
                           int n) {
    assert(n > 0 && n <= CHAIN_MAX_N && k >= 0);
    double next[CHAIN_MAX_N];
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += g[i] * g[i];
    norms[0] = sqrt(sum);
    for (int j = 1; j <= k; j++) {
        /* The j-th layer backpropagated is W_t with t = k - j + 1. */
        const double *Wt = W + (size_t)(k - j) * (size_t)n * (size_t)n;
        for (int c = 0; c < n; c++)
            next[c] = 0.0;
        for (int r = 0; r < n; r++) /* next = W_t^T g: row r adds g[r] */
            for (int c = 0; c < n; c++)
                next[c] += Wt[(size_t)r * (size_t)n + (size_t)c] * g[r];
        sum = 0.0;
        for (int c = 0; c < n; c++) {
            g[c] = next[c];
            sum += g[c] * g[c];
        }
        norms[j] = sqrt(sum);
    }
}
