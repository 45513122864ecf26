/*
 * collector_order.h — for the writer tests: the order collect.c hands records
 * over in (writer.h, src/output/hostgroup.h): every open port record first (as
 * given), then host after host in address order, each host's other port
 * records by port and its host records after them. The per-host writers keep
 * only what answered in that order, and must print the same bytes as for any
 * other order.
 */
#ifndef PORTUS_TEST_COLLECTOR_ORDER_H
#define PORTUS_TEST_COLLECTOR_ORDER_H

#include <stdlib.h>

#include "scan_record.h"
#include "writer.h"

struct co_item {
	const struct port_record *p; /* one of p and h */
	const struct host_record *h;
	size_t given; /* position in the caller's arrays */
};

static int co_cmp(const void *a, const void *b)
{
	const struct co_item *x = a, *y = b;
	const int xo = x->p != NULL && x->p->state == PS_OPEN,
		  yo = y->p != NULL && y->p->state == PS_OPEN;
	ip_addr xi = x->p != NULL ? x->p->ip : x->h->ip, yi = y->p != NULL ? y->p->ip : y->h->ip;
	int c;

	if (xo != yo)
		return xo ? -1 : 1;
	if (!xo) {
		c = addr_order(xi, yi);
		if (c != 0)
			return c;
		if ((x->h != NULL) != (y->h != NULL))
			return x->h != NULL ? 1 : -1; /* ports before host records */
		if (x->p != NULL && x->p->port != y->p->port)
			return x->p->port < y->p->port ? -1 : 1;
	}
	return (x->given > y->given) - (x->given < y->given);
}

/* Hands the records to w in collect.c's order; returns the first non-zero
 * result of a writer call, else 0. */
static int co_feed(struct writer *w, const struct port_record *p, size_t np,
		   const struct host_record *h, size_t nh)
{
	struct co_item *it = calloc(np + nh + 1, sizeof(*it));
	int r = 0;

	if (it == NULL)
		return -1;
	for (size_t i = 0; i < np; i++)
		it[i] = (struct co_item){ .p = &p[i], .given = i };
	for (size_t i = 0; i < nh; i++)
		it[np + i] = (struct co_item){ .h = &h[i], .given = np + i };
	qsort(it, np + nh, sizeof(*it), co_cmp);
	for (size_t i = 0; i < np + nh && r == 0; i++)
		r = it[i].p != NULL ? w->ops->port(w, it[i].p) : w->ops->host(w, it[i].h);
	free(it);
	return r;
}

/* The records as given (ports, then hosts), or in collect.c's order. */
static int co_feed_as(int collector, struct writer *w, const struct port_record *p, size_t np,
		      const struct host_record *h, size_t nh)
{
	int r = 0;

	if (collector)
		return co_feed(w, p, np, h, nh);
	for (size_t i = 0; i < np && r == 0; i++)
		r = w->ops->port(w, &p[i]);
	for (size_t i = 0; i < nh && r == 0; i++)
		r = w->ops->host(w, &h[i]);
	return r;
}

#endif
