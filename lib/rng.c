/* rng.c: splitmix64 and the draws built on it (see rng.h). */
#include "rng.h"

#include <assert.h>
#include <math.h>

void rng_seed(Rng *rng, uint64_t seed) {
    rng->state = seed;
    rng->has_spare = false;
    rng->spare = 0.0;
}

uint64_t rng_next_u64(Rng *rng) {
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double rng_uniform(Rng *rng) {
    /* The top 53 bits, scaled by 2^-53: every value is exactly k * 2^-53. */
    return (double)(rng_next_u64(rng) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(Rng *rng, uint64_t n) {
    assert(n > 0);
    /* Reject the top sliver of the range that would make small values more
     * likely than large ones (2^64 is rarely a multiple of n). */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do {
        r = rng_next_u64(rng);
    } while (r >= limit);
    return r % n;
}

double rng_gaussian(Rng *rng) {
    if (rng->has_spare) {
        rng->has_spare = false;
        return rng->spare;
    }
    /* A uniform point in the unit disc, then a radial rescale makes both
     * coordinates independent standard normals. */
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(rng) - 1.0;
        v = 2.0 * rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double scale = sqrt(-2.0 * log(s) / s);
    rng->spare = v * scale;
    rng->has_spare = true;
    return u * scale;
}
