/* dataset.h: loading and splitting the small data sets of data/ (chapter 8).
 *
 * A Dataset holds n examples of `features` doubles each, row-major, and an
 * integer class label per example. Loading and splitting return a status
 * instead of exiting: 0 on success, -1 on failure (the file is missing or
 * malformed, or memory ran out), with the reason in dataset_error(). */
#ifndef DATASET_H
#define DATASET_H

#include <stdint.h>

typedef struct {
    int n;        /* number of examples */
    int features; /* values per example */
    int classes;  /* labels are 0 .. classes-1 */
    double *x;    /* [n * features], example i at x + i * features */
    int *y;       /* [n] */
} Dataset;

/* The folder of the course's data files, fixed at build time; the
 * environment variable COURSE_DATA_DIR, when set, takes precedence. */
#ifndef COURSE_DATA_DIR
#define COURSE_DATA_DIR "data"
#endif

/* Reads a headerless CSV whose rows are `features` numbers then a label in
 * 0 .. classes-1 (data/digits.csv: 64 pixels in 0..16, then the digit). */
int dataset_load_csv(Dataset *d, const char *path, int features, int classes);

/* Loads digits.csv from the data folder (1797 images of 8x8 pixels, 10 classes) and scales
 * the pixels from 0..16 to 0..1. */
int dataset_load_digits(Dataset *d);

/* Splits all into train and validation sets: a seeded Fisher-Yates
 * permutation of the examples, the first round(val_fraction * n) of which
 * go to val. The same seed gives the same split on every machine. */
int dataset_split(Dataset *train, Dataset *val, const Dataset *all,
                  double val_fraction, uint64_t seed);

/* Frees the buffers; d is left empty (all zero) and may be freed again. */
void dataset_free(Dataset *d);

/* Why the last load or split failed. */
const char *dataset_error(void);

#endif /* DATASET_H */
