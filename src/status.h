/*
 * status.h — the one-line progress status on stderr (rate, percent done,
 * ETA, open found, receive drops), rewritten in place once a second.
 */
#ifndef PORTUS_STATUS_H
#define PORTUS_STATUS_H

#include <stdint.h>

struct engine;

struct status {
	int enabled;
	uint64_t planned; /* probes in pass 1 */
	unsigned pass, passes;
	int64_t start_us, last_us;
	uint64_t last_sent;
	int printed;
};

/* mode: 1 on, 0 off, -1 on when stderr is a terminal. */
void status_init(struct status *st, int mode, uint64_t planned, unsigned passes);
/* Redraws at most once a second. */
void status_tick(struct status *st, struct engine *e, uint64_t open);
/* Clears the line. */
void status_done(struct status *st);

#endif
