/*
 * ring.h — single-producer single-consumer ring of scan events.
 *
 * The receiver thread produces (one event per state change it wins in the
 * table, and one per ARP answer); the main thread consumes and hands results
 * to the writers. Head and tail live on separate cache lines; the only
 * synchronisation is one acquire/release pair per side (see ring.c).
 */
#ifndef PORTUS_RING_H
#define PORTUS_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "addr.h"

enum event_kind { EV_PORT = 1, EV_ARP = 2 };

struct scan_event {
	uint64_t index;    /* EV_PORT: plan index */
	int64_t time_us;   /* when the reply was seen (Unix epoch, microseconds) */
	ip_addr ip;        /* EV_ARP: the answering address */
	ip_addr reason_ip; /* ICMP sender, else zero */
	uint8_t kind;      /* enum event_kind */
	uint8_t state;     /* EV_PORT: enum port_state */
	uint8_t reason;    /* EV_PORT: enum reason */
	uint8_t ttl;
	uint8_t mac[6]; /* EV_ARP: sender hardware address */
};

struct event_ring {
	alignas(64) _Atomic uint64_t head;    /* next slot to write; written by producer only */
	alignas(64) _Atomic uint64_t tail;    /* next slot to read; written by consumer only */
	alignas(64) struct scan_event *slots; /* owned */
	uint64_t mask;                        /* capacity - 1 (capacity is a power of two) */
};

/* capacity is rounded up to a power of two (>= 2). Returns 0 or -1 (ENOMEM). */
int ring_init(struct event_ring *r, uint64_t capacity);
void ring_free(struct event_ring *r);

/* Producer side. Returns 1 if queued, 0 if the ring is full (nothing written). */
int ring_push(struct event_ring *r, const struct scan_event *ev);

/* Consumer side. Returns 1 and copies the oldest event into *ev, or 0 if empty. */
int ring_pop(struct event_ring *r, struct scan_event *ev);

#endif
