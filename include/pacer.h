/*
 * pacer.h — token buckets for --rate (packets per second).
 *
 * Pure integer arithmetic on caller-supplied monotonic timestamps, so it is
 * exact over long runs and unit-testable without a clock. Tokens are counted
 * in millionths so one microsecond at `rate` pps adds exactly `rate` units.
 *
 * Two buckets, and a packet needs a token from both:
 *   credit  fills at `rate`, holds PACER_CREDIT_MS of traffic: time the
 *           sender lost (descheduled, a slow send) is made up afterwards, so
 *           every 100 ms window gets its rate, not only the long-run mean;
 *   peak    fills at 5/4 of `rate`, holds PACER_PEAK_US of traffic: the
 *           make-up happens at no more than 1.25x the rate, and no 1 ms
 *           window carries more than 1.75x its share — no burst that
 *           overflows a receiver.
 * Both hold at least 2 tokens, so a sleep that overshoots a little at slow
 * rates is not lost as rate.
 */
#ifndef PORTUS_PACER_H
#define PORTUS_PACER_H

#include <stdint.h>

#define PACER_CREDIT_MS 20
#define PACER_PEAK_US 500

struct pacer {
	uint64_t rate;                   /* tokens per second, >= 1 */
	uint64_t peak_rate;              /* rate * 5 / 4 (at least rate + 1) */
	uint64_t credit_cap_u, credit_u; /* in millionths of a token */
	uint64_t peak_cap_u, peak_u;
	int64_t last_us;
};

/* Starts with one token in each bucket at now_us. */
void pacer_init(struct pacer *p, uint64_t rate, int64_t now_us);

/* Refills for the time since the last call and grants up to `want` whole
 * tokens (possibly 0). */
unsigned pacer_take(struct pacer *p, int64_t now_us, unsigned want);

/* Returns tokens granted but not used (a short send). */
void pacer_refund(struct pacer *p, unsigned n);

/* Microseconds until a token is available in both buckets (0 if now). */
int64_t pacer_wait_us(const struct pacer *p, int64_t now_us);

#endif
