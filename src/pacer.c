/* pacer.c — token bucket (see include/pacer.h). */
#include "pacer.h"

#define UNIT 1000000u /* millionths per token */

static uint64_t fill_after(const struct pacer *p, int64_t now_us)
{
	uint64_t t = p->tokens_u;

	if (now_us > p->last_us) {
		uint64_t dt = (uint64_t)(now_us - p->last_us);
		/* Past a full bucket the exact time does not matter; capping dt keeps
		 * dt * rate far from overflow (1 s * 1e8 pps = 1e14). */
		if (dt > UNIT)
			dt = UNIT;
		t += dt * p->rate;
	}
	return t > p->burst_u ? p->burst_u : t;
}

void pacer_init(struct pacer *p, uint64_t rate, int64_t now_us)
{
	uint64_t per_ms;

	p->rate = rate ? rate : 1;
	per_ms = p->rate / 1000;
	p->burst_u = (per_ms < 2 ? 2 : per_ms) * UNIT;
	p->tokens_u = UNIT;
	p->last_us = now_us;
}

unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want)
{
	uint64_t whole;
	unsigned n;

	p->tokens_u = fill_after(p, now_us);
	if (now_us > p->last_us)
		p->last_us = now_us;
	whole = p->tokens_u / UNIT;
	n = whole < want ? (unsigned)whole : want;
	p->tokens_u -= (uint64_t)n * UNIT;
	return n;
}

void pacer_refund(struct pacer *p, unsigned n)
{
	p->tokens_u += (uint64_t)n * UNIT;
	if (p->tokens_u > p->burst_u)
		p->tokens_u = p->burst_u;
}

int64_t pacer_wait_us(const struct pacer *p, int64_t now_us)
{
	uint64_t t = fill_after(p, now_us);

	if (t >= UNIT)
		return 0;
	/* Round up: the first microsecond at which a whole token is there. */
	return (int64_t)((UNIT - t + p->rate - 1) / p->rate);
}
