/* collect.c — results from receiver events to writers (see collect.h). */
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "permute.h"

void collect_init(struct collector *c, struct writer **writers, size_t nwriters)
{
	memset(c, 0, sizeof(*c));
	c->writers = writers;
	c->nwriters = nwriters;
}

void collect_free(struct collector *c)
{
	free(c->held);
	free(c->held_index);
	c->held = NULL;
	c->held_index = NULL;
}

void collect_write_port(struct collector *c, const struct port_record *r)
{
	struct port_record rr = *r;

	if (c->ck != NULL)
		rr.sport = cookie_for(c->ck, c->src_ip, c->src_ip6, r->ip, r->port).sport;
	for (size_t i = 0; i < c->nwriters; i++)
		if (c->writers[i]->ops->port(c->writers[i], &rr) != 0)
			c->write_failed = 1;
}

static void write_host(struct collector *c, const struct host_record *h)
{
	for (size_t i = 0; i < c->nwriters; i++)
		if (c->writers[i]->ops->host(c->writers[i], h) != 0)
			c->write_failed = 1;
}

void collect_enable_tls(struct collector *c, struct tls_stage *tls, const struct port_list *ports,
			const struct sni_map *sni)
{
	c->tls = tls;
	c->sni = sni;
	memset(c->tls_port_bits, 0, sizeof(c->tls_port_bits));
	for (uint32_t i = 0; i < ports->n; i++)
		c->tls_port_bits[ports->ports[i] >> 3] |= (uint8_t)(1u << (ports->ports[i] & 7));
}

void collect_tls_result(void *ctx, const struct tls_result *r)
{
	struct collector *c = ctx;

	c->tls_written++;
	c->tls_ok += r->outcome == TLS_OK;
	for (size_t i = 0; i < c->nwriters; i++)
		if (c->writers[i]->ops->tls != NULL &&
		    c->writers[i]->ops->tls(c->writers[i], r) != 0)
			c->write_failed = 1;
}

/* Queues the TLS stage on an open port: one endpoint per name the SNI file
 * gives for the address, or one without SNI. */
static int queue_tls(struct collector *c, ip_addr ip, uint16_t port)
{
	const struct sni_entry *names = NULL;
	size_t n;

	if (c->tls == NULL || !(c->tls_port_bits[port >> 3] & (1u << (port & 7))))
		return 0;
	n = sni_map_find(c->sni, ip, &names);
	if (n == 0) {
		c->tls_queued++;
		return tls_stage_add(c->tls, ip, port, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (tls_stage_add(c->tls, ip, port, names[i].name) != 0)
			return -1;
		c->tls_queued++;
	}
	return 0;
}

int collect_queue_tls(struct collector *c, ip_addr ip, uint16_t port)
{
	return queue_tls(c, ip, port);
}

static int cmp_addr(const void *a, const void *b)
{
	return addr_order(*(const ip_addr *)a, *(const ip_addr *)b);
}

static int host_done(const struct collector *c, ip_addr ip)
{
	return c->nhosts_done > 0 &&
	       bsearch(&ip, c->hosts_done, c->nhosts_done, sizeof(ip), cmp_addr) != NULL;
}

int collect_port_event(struct collector *c, const struct engine *e, const struct scan_event *ev)
{
	struct port_record r;

	memset(&r, 0, sizeof(r));
	plan_decode(e->pl, ev->index, &r.ip, &r.port);
	r.state = ev->state;
	r.reason = ev->reason;
	r.has_reply = 1;
	r.ttl = ev->ttl;
	r.reason_ip = ev->reason_ip;
	r.time_us = ev->time_us;
	if (r.state == PS_OPEN) {
		/* Open is the top rank: final as soon as seen. */
		collect_write_port(c, &r);
		c->open_written++;
		return queue_tls(c, r.ip, r.port);
	}
	if (c->nheld == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4096;
		struct port_record *nr = realloc(c->held, ncap * sizeof(*nr));
		uint64_t *ni;
		if (nr == NULL)
			return -1;
		c->held = nr;
		ni = realloc(c->held_index, ncap * sizeof(*ni));
		if (ni == NULL)
			return -1;
		c->held_index = ni;
		c->cap = ncap;
	}
	c->held[c->nheld] = r;
	c->held_index[c->nheld] = ev->index;
	c->nheld++;
	return 0;
}

/* Orders held records by plan index, later arrivals after earlier ones. */
struct held_ref {
	uint64_t index;
	size_t pos;
};

static int cmp_held(const void *a, const void *b)
{
	const struct held_ref *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int in_shard(const struct engine *e, uint64_t idx)
{
	if (e->shard_count == 1)
		return 1;
	return permute_position(&e->pm, idx) % e->shard_count == e->shard_index;
}

void collect_finish(struct collector *c, const struct engine *e, int complete, int64_t end_us,
		    struct run_summary *sum)
{
	const struct plan *pl = e->pl;
	const size_t nheld = c->nheld; /* no events arrive any more */
	/* At least one element, so refs is never NULL below. */
	struct held_ref *refs = malloc((nheld ? nheld : 1) * sizeof(*refs));
	size_t k = 0;

	if (refs == NULL) {
		c->write_failed = 1;
		return;
	}
	for (size_t i = 0; i < nheld; i++) {
		refs[i].index = c->held_index[i];
		refs[i].pos = i;
	}
	if (nheld > 0)
		qsort(refs, nheld, sizeof(*refs), cmp_held);
	sum->open = c->open_written;
	for (uint64_t h = 0; h < pl->nhosts; h++) {
		ip_addr ip = plan_host_ip(pl, h);
		const struct onlink_host *oh = NULL;
		/* A host record belongs to the shard that owns the host's first port,
		 * so shards together write it exactly once. */
		const int host_in_shard = in_shard(e, h * pl->nports);

		uint32_t nin = 0, nopen = 0; /* this shard's ports of the host, open ones */

		if (e->nonlink && netroute_onlink(e->np, ip))
			oh = onlink_find(e, ip);
		for (uint32_t s = 0; s < pl->nports; s++) {
			uint64_t idx = h * pl->nports + s;
			enum port_state st = table_get(&e->table, idx);
			struct port_record r;

			/* Skip held details for indices before this one. */
			while (k < nheld && refs[k].index < idx)
				k++;
			if (!in_shard(e, idx))
				continue;
			nin++;
			nopen += st == PS_OPEN;
			if (oh != NULL && !oh->up)
				continue;
			if (st == PS_OPEN)
				continue; /* written when found */
			if (st == PS_UNKNOWN) {
				if (!complete)
					continue;
				memset(&r, 0, sizeof(r));
				r.ip = ip;
				r.port = pl->ports[s];
				r.state = PS_FILTERED;
				r.reason = R_NO_RESPONSE;
				r.time_us = end_us;
				collect_write_port(c, &r);
				sum->filtered++;
				continue;
			}
			/* The last held record for idx carries the winning state. */
			while (k + 1 < nheld && refs[k + 1].index == idx)
				k++;
			if (k < nheld && refs[k].index == idx) {
				r = c->held[refs[k].pos];
				if (st == PS_CLOSED)
					sum->closed++;
				else
					sum->filtered++;
				collect_write_port(c, &r);
			}
		}
		if (oh != NULL && !oh->up && host_in_shard && !host_done(c, ip)) {
			struct host_record hr = { .ip = ip,
						  .up = 0,
						  .reason = addr_is_v4(ip) ? R_NO_ARP : R_NO_ND,
						  .time_us = end_us };
			write_host(c, &hr);
			sum->hosts_down++;
		}
		/* Only a complete scan can say every port answered. */
		if (complete && host_in_shard && nin >= ALL_OPEN_MIN_PORTS && nopen == nin &&
		    !host_done(c, ip)) {
			struct host_record hr = {
				.ip = ip, .up = 1, .reason = R_ALL_PORTS_OPEN, .time_us = end_us
			};
			write_host(c, &hr);
		}
	}
	free(refs);
}
