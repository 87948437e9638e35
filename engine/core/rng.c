/* rng: xoshiro256** seeded by splitmix64 (see rng.h). */
#include "engine/core/rng.h"

#include <math.h>

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rf_rng_seed(rf_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rf_rng_next(rf_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t
rf_rng_below(rf_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift; the bias is below 2^-32 and irrelevant here. */
	return (uint32_t)(((rf_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double
rf_rng_uniform(rf_rng *r)
{
	return (rf_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double
rf_rng_normal(rf_rng *r)
{
	double u1, u2;

	do
		u1 = rf_rng_uniform(r);
	while (u1 <= 1e-300);
	u2 = rf_rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
