/*
 * pacer.h — token bucket for --rate (packets per second).
 *
 * Pure integer arithmetic on caller-supplied monotonic timestamps, so it is
 * exact over long runs and unit-testable without a clock. Tokens are counted
 * in millionths so one microsecond at `rate` pps adds exactly `rate` units.
 * The bucket holds at most one millisecond's worth of packets (at least 2, so
 * a sleep that overshoots a little is not lost as rate): a fast sender never
 * bursts more than 1 ms of traffic at a receiver.
 */
#ifndef PORTUS_PACER_H
#define PORTUS_PACER_H

#include <stdint.h>

struct pacer {
	uint64_t rate;     /* tokens per second, >= 1 */
	uint64_t burst_u;  /* capacity, in millionths of a token */
	uint64_t tokens_u; /* current fill, in millionths of a token */
	int64_t last_us;
};

/* Starts with one token at now_us. */
void pacer_init(struct pacer *p, uint64_t rate, int64_t now_us);

/* Refills for the time since the last call and grants up to `want` whole
 * tokens (possibly 0). */
unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want);

/* Returns tokens granted but not used (a short send). */
void pacer_refund(struct pacer *p, unsigned n);

/* Microseconds until at least one token is available (0 if one is now). */
int64_t pacer_wait_us(const struct pacer *p, int64_t now_us);

#endif
