/*
 * table.h — the lock-free target table: 2 bits of state per plan index.
 *
 * Encoding is the precedence rank, so "raise" is an atomic max per 2-bit cell:
 * unknown (0) < filtered by ICMP (1) < closed (2) < open (3) — as nmap: open
 * beats everything, an ICMP error never overrides a TCP answer. One writer
 * (receiver) and any number of readers (sender, main) need no lock; several
 * writers are also safe (CAS loop on the 64-bit word holding the cell).
 */
#ifndef PORTUS_TABLE_H
#define PORTUS_TABLE_H

#include <stdatomic.h>
#include <stdint.h>

enum port_state {
	PS_UNKNOWN = 0,
	PS_FILTERED = 1,
	PS_CLOSED = 2,
	PS_OPEN = 3,
};

struct state_table {
	_Atomic uint64_t *words; /* owned; 32 cells per word */
	uint64_t n;
};

/* Allocates a zeroed (all unknown) table of n cells. Returns 0 or -1 (ENOMEM). */
int table_init(struct state_table *t, uint64_t n);
void table_free(struct state_table *t);

/* i < t->n. Relaxed load: a reader may see a slightly stale state, never a torn one. */
enum port_state table_get(const struct state_table *t, uint64_t i);

/* Raises cell i to s if s ranks higher. Returns 1 if this call changed it, else 0. */
int table_raise(struct state_table *t, uint64_t i, enum port_state s);

/* Counts cells in state s (a full scan; for summaries, not the hot path). */
uint64_t table_count(const struct state_table *t, enum port_state s);

/* Bytes allocated for n cells. */
uint64_t table_bytes(uint64_t n);

#endif
