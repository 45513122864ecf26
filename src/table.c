/*
 * table.c — the target table: 2-bit states packed 32 per 64-bit atomic word.
 *
 * Cell i lives in words[i / 32] at bits 2*(i % 32) and 2*(i % 32) + 1. The
 * value is the precedence rank (table.h), so raising a cell is an atomic max
 * done with a compare-exchange loop on its word.
 *
 * Memory order: relaxed everywhere, on purpose. The table is the only datum
 * the threads share through these calls — no other memory is published by a
 * write here, so there is nothing for an acquire/release pair to order. The
 * atomicity of each word is what matters, and relaxed RMWs on one word are
 * totally ordered (its modification order), so no raise is ever lost and a
 * reader never sees a torn word. Readers during the scan (the sender skipping
 * resolved indices on a retry pass) tolerate a stale state: at worst one
 * extra probe. The end-of-scan reader joins the receiver thread first;
 * pthread_join synchronises with the thread's end, which makes every raise
 * visible to it.
 */
#include <errno.h>
#include <stdlib.h>

#include "table.h"

#define CELLS_PER_WORD 32
#define LO_BITS 0x5555555555555555ull /* the low bit of every cell */

static uint64_t nwords(uint64_t n)
{
	return n / CELLS_PER_WORD + (n % CELLS_PER_WORD != 0);
}

uint64_t table_bytes(uint64_t n)
{
	return nwords(n) * sizeof(uint64_t);
}

int table_init(struct state_table *t, uint64_t n)
{
	uint64_t w = nwords(n);
	_Atomic uint64_t *words;

	if (w == 0)
		w = 1; /* calloc(0) may return NULL */
	if (w > SIZE_MAX / sizeof(*words)) {
		errno = ENOMEM;
		return -1;
	}
	/* calloc's zero bytes are the all-unknown table: an all-zero
	 * _Atomic uint64_t is 0 on every platform with lock-free 64-bit atomics,
	 * and large tables come straight from mmap, so untouched pages stay
	 * unallocated (all IPv4 x 1 port is 1 GiB of address space). */
	words = calloc((size_t)w, sizeof(*words));
	if (words == NULL)
		return -1; /* errno = ENOMEM from calloc */
	t->words = words;
	t->n = n;
	return 0;
}

void table_free(struct state_table *t)
{
	free(t->words);
	t->words = NULL;
	t->n = 0;
}

enum port_state table_get(const struct state_table *t, uint64_t i)
{
	unsigned shift = (unsigned)(i % CELLS_PER_WORD) * 2;
	uint64_t w = atomic_load_explicit(&t->words[i / CELLS_PER_WORD], memory_order_relaxed);

	return (enum port_state)((w >> shift) & 3);
}

int table_raise(struct state_table *t, uint64_t i, enum port_state s)
{
	_Atomic uint64_t *word = &t->words[i / CELLS_PER_WORD];
	unsigned shift = (unsigned)(i % CELLS_PER_WORD) * 2;
	uint64_t want = (uint64_t)s & 3;
	uint64_t old = atomic_load_explicit(word, memory_order_relaxed);
	uint64_t next;

	do {
		if (((old >> shift) & 3) >= want)
			return 0; /* already at this rank or above */
		next = (old & ~(3ull << shift)) | want << shift;
		/* On failure `old` is reloaded and the rank test runs again: another
		 * writer may have raised this cell (or a neighbour) meanwhile. */
	} while (!atomic_compare_exchange_weak_explicit(word, &old, next, memory_order_relaxed,
							memory_order_relaxed));
	return 1;
}

/* One bit (the low bit of its cell) for every cell of word w in state s. */
static uint64_t cells_in_state(uint64_t w, enum port_state s)
{
	uint64_t lo = w & LO_BITS, hi = (w >> 1) & LO_BITS;

	switch (s) {
	case PS_UNKNOWN:
		return ~lo & ~hi & LO_BITS;
	case PS_FILTERED:
		return lo & ~hi;
	case PS_CLOSED:
		return ~lo & hi;
	case PS_OPEN:
		return lo & hi;
	}
	return 0;
}

uint64_t table_count(const struct state_table *t, enum port_state s)
{
	uint64_t full = t->n / CELLS_PER_WORD, tail = t->n % CELLS_PER_WORD;
	uint64_t count = 0;

	for (uint64_t k = 0; k < full; k++) {
		uint64_t w = atomic_load_explicit(&t->words[k], memory_order_relaxed);

		count += (uint64_t)__builtin_popcountll(cells_in_state(w, s));
	}
	if (tail != 0) {
		/* Cells past n are never raised, so they read as unknown: mask them. */
		uint64_t w = atomic_load_explicit(&t->words[full], memory_order_relaxed);
		uint64_t valid = (1ull << (2 * tail)) - 1;

		count += (uint64_t)__builtin_popcountll(cells_in_state(w, s) & valid);
	}
	return count;
}
