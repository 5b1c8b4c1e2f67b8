/* rng.h: the course's seeded pseudo-random numbers (every chapter).
 *
 * Never rand(): its sequence differs between C libraries, and the course
 * documents numbers that must come out the same on every machine. This is
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): 64 bits of state, one addition and three
 * xor-shift-multiply rounds per draw, and it passes BigCrush. */
#ifndef RNG_H
#define RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t state;     /* advanced by a fixed odd constant per draw */
    bool has_spare;     /* rng_gaussian makes normals in pairs */
    double spare;       /* the second of the pair, when has_spare */
} Rng;

/* Starts the generator; the same seed gives the same sequence everywhere. */
void rng_seed(Rng *rng, uint64_t seed);

/* The next 64 uniformly distributed bits. */
uint64_t rng_next_u64(Rng *rng);

/* A double uniform on [0, 1), with 53 random bits. */
double rng_uniform(Rng *rng);

/* An integer uniform on [0, n), without modulo bias. Requires n > 0. */
uint64_t rng_below(Rng *rng, uint64_t n);

/* A standard normal draw (mean 0, variance 1), by Marsaglia's polar method. */
double rng_gaussian(Rng *rng);

#endif /* RNG_H */
