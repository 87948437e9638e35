/* rng: the seedable generator every model, split and sampler uses, so
 * that a run is the same under a seed on every platform. */
#ifndef RF_RNG_H
#define RF_RNG_H

#include <stdint.h>

/* A small, fast, seedable PRNG (splitmix64-seeded xoshiro256**) so every
 * model is deterministic under a seed on every platform. */
typedef struct rf_rng {
	uint64_t s[4];
} rf_rng;

void rf_rng_seed(rf_rng *r, uint64_t seed);
uint64_t rf_rng_next(rf_rng *r);
/* Uniform in [0, n). */
uint32_t rf_rng_below(rf_rng *r, uint32_t n);
/* Uniform in [0, 1). */
double rf_rng_uniform(rf_rng *r);
/* Standard normal (Box-Muller). */
double rf_rng_normal(rf_rng *r);

#endif
