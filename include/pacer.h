/*
 * pacer.h — token bucket for --rate (packets per second).
 *
 * Pure arithmetic on caller-supplied monotonic timestamps, so it is unit-
 * testable without a clock. The bucket holds at most `burst` tokens: at most
 * one millisecond's worth of packets (and at most one send batch) leaves at
 * once, so a fast sender never floods a receiver in bursts.
 */
#ifndef PORTUS_PACER_H
#define PORTUS_PACER_H

#include <stdint.h>

struct pacer {
	uint64_t rate;   /* tokens per second, >= 1 */
	double burst;    /* bucket capacity, >= 1 */
	double tokens;
	int64_t last_us;
};

/* Starts with one token at now_us. max_batch >= 1 caps the burst. */
void pacer_init(struct pacer *p, uint64_t rate, unsigned max_batch, int64_t now_us);

/* Refills for the time since the last call and grants up to `want` whole
 * tokens (possibly 0). */
unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want);

/* Returns back tokens granted but not used (a short send). */
void pacer_refund(struct pacer *p, unsigned n);

/* Microseconds until at least one token is available (0 if one is now). */
int64_t pacer_wait_us(const struct pacer *p, int64_t now_us);

#endif
