/* pacer.c — token bucket (see include/pacer.h). */
#include "pacer.h"

static void refill(struct pacer *p, int64_t now_us)
{
	if (now_us > p->last_us) {
		p->tokens += (double)(now_us - p->last_us) * (double)p->rate / 1e6;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last_us = now_us;
	}
}

void pacer_init(struct pacer *p, uint64_t rate, unsigned max_batch, int64_t now_us)
{
	double per_ms = (double)rate / 1000.0;

	p->rate = rate ? rate : 1;
	p->burst = per_ms < 1.0 ? 1.0 : per_ms;
	if (p->burst > (double)max_batch)
		p->burst = max_batch ? (double)max_batch : 1.0;
	p->tokens = 1.0;
	p->last_us = now_us;
}

unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want)
{
	unsigned n;

	refill(p, now_us);
	n = p->tokens >= (double)want ? want : (unsigned)p->tokens;
	p->tokens -= (double)n;
	return n;
}

void pacer_refund(struct pacer *p, unsigned n)
{
	p->tokens += (double)n;
	if (p->tokens > p->burst)
		p->tokens = p->burst;
}

int64_t pacer_wait_us(const struct pacer *p, int64_t now_us)
{
	double tokens = p->tokens;

	if (now_us > p->last_us)
		tokens += (double)(now_us - p->last_us) * (double)p->rate / 1e6;
	if (tokens >= 1.0)
		return 0;
	return (int64_t)((1.0 - tokens) * 1e6 / (double)p->rate) + 1;
}
