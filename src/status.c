/* status.c — progress line on stderr (see status.h). */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "engine.h"
#include "status.h"

void status_init(struct status *st, int mode, uint64_t planned, unsigned passes)
{
	st->enabled = mode < 0 ? isatty(STDERR_FILENO) : mode;
	st->planned = planned ? planned : 1;
	st->pass = 1;
	st->passes = passes;
	st->start_us = st->last_us = mono_us();
	st->last_sent = 0;
	st->printed = 0;
}

void status_tick(struct status *st, struct engine *e, uint64_t open)
{
	int64_t now = mono_us();
	uint64_t sent, pass_sent, recv, drop, ifdrop;
	double rate, pct, eta;

	if (!st->enabled || now - st->last_us < 1000000)
		return;
	sent = atomic_load_explicit(&e->sent, memory_order_relaxed);
	pass_sent = atomic_load_explicit(&e->pass_sent, memory_order_relaxed);
	rate = (double)(sent - st->last_sent) * 1e6 / (double)(now - st->last_us);
	pct = st->pass == 1 ? 100.0 * (double)pass_sent / (double)st->planned : 100.0;
	if (pct > 100.0)
		pct = 100.0;
	eta = rate > 0 && st->pass == 1
		      ? (double)(st->planned -
				 (pass_sent < st->planned ? pass_sent : st->planned)) /
				rate
		      : 0;
	rx_stats(e, &recv, &drop, &ifdrop);
	fprintf(stderr,
		"\r\033[Kpass %u/%u %5.1f%% %8.0f pps  ETA %4.0fs  open %" PRIu64
		"  drops %" PRIu64,
		st->pass, st->passes, pct, rate, eta, open, drop + ifdrop);
	fflush(stderr);
	st->last_us = now;
	st->last_sent = sent;
	st->printed = 1;
}

void status_done(struct status *st)
{
	if (st->enabled && st->printed) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}
