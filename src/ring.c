/* ring.c — SPSC event ring (see include/ring.h). */
#include <stdlib.h>

#include "ring.h"

int ring_init(struct event_ring *r, uint64_t capacity)
{
	uint64_t cap = 2;

	while (cap < capacity)
		cap <<= 1;
	r->slots = calloc(cap, sizeof(*r->slots));
	if (r->slots == NULL)
		return -1;
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_free(struct event_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

int ring_push(struct event_ring *r, const struct scan_event *ev)
{
	/* Our own head: only we write it, relaxed is enough. */
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	/* Acquire pairs with the consumer's release store of tail in ring_pop:
	 * once we see a slot freed, the consumer has finished reading it. */
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask)
		return 0;
	r->slots[head & r->mask] = *ev;
	/* Release pairs with the consumer's acquire load of head: the slot's
	 * contents are visible before the new head is. */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 1;
}

int ring_pop(struct event_ring *r, struct scan_event *ev)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	/* Acquire pairs with the release store of head in ring_push. */
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (tail == head)
		return 0;
	*ev = r->slots[tail & r->mask];
	/* Release pairs with the producer's acquire load of tail. */
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return 1;
}
