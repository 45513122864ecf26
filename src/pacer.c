/* pacer.c — credit and peak token buckets (see include/pacer.h). */
#include "pacer.h"

#define UNIT 1000000u /* millionths per token */

/* Fill of a bucket after the time since last_us at `rate`, capped. */
static uint64_t fill(uint64_t have, uint64_t cap, uint64_t rate, int64_t last_us, int64_t now_us)
{
	if (now_us > last_us) {
		uint64_t dt = (uint64_t)(now_us - last_us);
		/* Past a full bucket the exact time does not matter; capping dt keeps
		 * dt * rate far from overflow (1 s * 1.25e8 pps = 1.25e14). */
		if (dt > UNIT)
			dt = UNIT;
		have += dt * rate;
	}
	return have > cap ? cap : have;
}

/* `us` microseconds of traffic at rate, in millionths, at least 2 tokens. */
static uint64_t capacity(uint64_t rate, uint64_t us)
{
	uint64_t u = rate * us; /* rate <= ~1e8 by --rate's limit: no overflow */

	return u < 2 * (uint64_t)UNIT ? 2 * (uint64_t)UNIT : u;
}

void pacer_init(struct pacer *p, uint64_t rate, int64_t now_us)
{
	p->rate = rate ? rate : 1;
	p->peak_rate = p->rate + (p->rate / 4 > 0 ? p->rate / 4 : 1);
	p->credit_cap_u = capacity(p->rate, (uint64_t)PACER_CREDIT_MS * 1000);
	p->peak_cap_u = capacity(p->rate, PACER_PEAK_US);
	p->credit_u = UNIT;
	p->peak_u = UNIT;
	p->last_us = now_us;
}

unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want)
{
	uint64_t whole;
	unsigned n;

	p->credit_u = fill(p->credit_u, p->credit_cap_u, p->rate, p->last_us, now_us);
	p->peak_u = fill(p->peak_u, p->peak_cap_u, p->peak_rate, p->last_us, now_us);
	if (now_us > p->last_us)
		p->last_us = now_us;
	whole = p->credit_u < p->peak_u ? p->credit_u / UNIT : p->peak_u / UNIT;
	n = whole < want ? (unsigned)whole : want;
	p->credit_u -= (uint64_t)n * UNIT;
	p->peak_u -= (uint64_t)n * UNIT;
	return n;
}

void pacer_refund(struct pacer *p, unsigned n)
{
	p->credit_u += (uint64_t)n * UNIT;
	if (p->credit_u > p->credit_cap_u)
		p->credit_u = p->credit_cap_u;
	p->peak_u += (uint64_t)n * UNIT;
	if (p->peak_u > p->peak_cap_u)
		p->peak_u = p->peak_cap_u;
}

/* Microseconds until the bucket holds a whole token (rounded up). */
static int64_t wait_for(uint64_t have, uint64_t rate)
{
	if (have >= UNIT)
		return 0;
	return (int64_t)((UNIT - have + rate - 1) / rate);
}

int64_t pacer_wait_us(const struct pacer *p, int64_t now_us)
{
	int64_t a = wait_for(fill(p->credit_u, p->credit_cap_u, p->rate, p->last_us, now_us),
			     p->rate);
	int64_t b = wait_for(fill(p->peak_u, p->peak_cap_u, p->peak_rate, p->last_us, now_us),
			     p->peak_rate);

	return a > b ? a : b;
}
