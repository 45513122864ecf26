/*
 * clock.h — the two clocks portus reads, in microseconds.
 *
 * mono_us: CLOCK_MONOTONIC, for deadlines, rates and durations (it never
 * jumps when the wall clock is set). wall_us: CLOCK_REALTIME, only for the
 * time stamps written into records. Both are async-signal-safe.
 */
#ifndef PORTUS_CLOCK_H
#define PORTUS_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_us(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static inline int64_t wall_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

#endif
