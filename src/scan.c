/*
 * scan.c — the scan driver: set up the engine, resolve MACs by ARP, run the
 * passes (send, then wait per measured RTT), and collect results.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "engine.h"
#include "json.h"
#include "portus.h"
#include "privdrop.h"
#include "resume.h"
#include "scan.h"
#include "status.h"

atomic_int portus_interrupted;

#define ARP_ROUNDS 3
#define ONLINK_MAX (1u << 24) /* on-link targets resolved by ARP/NDP, one entry each */
#define ARP_ROUND_WAIT_US 300000
/* The last pass waits at least WAIT_MIN_US for late replies: what has not
 * answered then is reported filtered. Between passes a late reply costs only
 * a duplicate probe (the next pass skips what has answered by then), so the
 * floor there is lower. Both stretch while replies keep arriving (QUIET_US). */
#define WAIT_MIN_US 250000
#define WAIT_MIN_BETWEEN_US 100000
#define WAIT_MAX_US 3000000
#define QUIET_US 50000 /* keep waiting while replies still arrive this recently */
#define RING_EVENTS (1u << 20)

static int interrupted(void)
{
	return atomic_load_explicit(&portus_interrupted, memory_order_relaxed) != 0;
}

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Waits about `us` microseconds, serving TLS connections meanwhile. */
static void idle(struct collector *c, long us)
{
	if (c->tls != NULL && tls_stage_pending(c->tls) > 0)
		(void)tls_stage_run(c->tls, (int)(us / 1000));
	else
		nap_us(us);
}

/* Drains receiver events. ARP answers fill the on-link table (only while no
 * sender runs: the sender reads it). Returns 0 or -1 on out of memory. */
static int drain(struct engine *e, struct collector *c)
{
	struct scan_event ev;

	while (ring_pop(&e->ring, &ev)) {
		if (ev.kind == EV_PORT) {
			if (collect_port_event(c, e, &ev) != 0)
				return -1;
		} else if (ev.kind == EV_ARP && e->pass == 0) {
			/* Only during the ARP phase (pass 0): a reply that reaches us
			 * later, or after a run with nothing to probe, is not believed,
			 * and the on-link table is never written while the sender reads it. */
			struct onlink_host *h = onlink_find(e, ev.ip);
			if (h != NULL && !h->up) {
				memcpy(h->mac, ev.mac, 6);
				h->up = 1;
			}
			/* Only while a router's MAC is still to be learnt: never over
			 * a --gateway-mac, never twice. */
			if (e->gateway_pending && addr_eq(ev.ip, addr_from_v4(e->np->gateway_ip))) {
				memcpy(e->tmpl.frame, ev.mac, 6); /* template's destination MAC */
				e->gateway_pending = 0;
			}
			if (e->gateway6_pending && addr_eq(ev.ip, e->np->gateway_ip6)) {
				memcpy(e->tmpl6.frame, ev.mac, 6);
				e->gateway6_pending = 0;
			}
		}
	}
	return 0;
}

/* Appends ip to the on-link table. Returns 0 or -1 with err. */
static int onlink_push(struct engine *e, size_t *cap, ip_addr ip, char *err, size_t errlen)
{
	if (e->nonlink == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct onlink_host *nh;
		if (ncap > ONLINK_MAX) {
			portus_err(err, errlen, "more than %u targets on the local subnet",
				   (unsigned)ONLINK_MAX);
			return -1;
		}
		nh = realloc(e->onlink, ncap * sizeof(*nh));
		if (nh == NULL) {
			portus_err(err, errlen, "out of memory");
			return -1;
		}
		e->onlink = nh;
		*cap = ncap;
	}
	memset(&e->onlink[e->nonlink], 0, sizeof(e->onlink[e->nonlink]));
	e->onlink[e->nonlink++].ip = ip;
	return 0;
}

/* Lists the plan's addresses on our IPv4 subnet and IPv6 prefix, in plan
 * (address) order, so the table is sorted. */
static int onlink_build(struct engine *e, char *err, size_t errlen)
{
	const struct plan *pl = e->pl;
	const struct net_path *np = e->np;
	size_t cap = 0;

	e->nonlink = 0;
	for (size_t k = 0; k < pl->nranges; k++) {
		u128 first = pl->ranges[k].first.v, last = pl->ranges[k].last.v, lo, hi;

		if (addr_is_v4(pl->ranges[k].first) && addr_is_v4(pl->ranges[k].last)) {
			if (np->onlink_mask == 0)
				continue;
			lo = addr_from_v4(np->onlink_net).v;
			hi = addr_from_v4(np->onlink_net | ~np->onlink_mask).v;
		} else {
			if (np->onlink6_bits == 0)
				continue;
			lo = np->onlink6_net.v;
			hi = lo | (np->onlink6_bits >= 128 ? 0 : ~(u128)0 >> np->onlink6_bits);
		}
		if (last < lo || first > hi)
			continue;
		first = first > lo ? first : lo;
		last = last < hi ? last : hi;
		for (u128 v = first;; v++) {
			ip_addr ip = { v };
			if (onlink_push(e, &cap, ip, err, errlen) != 0)
				return -1;
			if (v == last)
				break;
		}
	}
	return 0;
}

/* ARP (IPv4) or Neighbor Solicitations (IPv6) for the routers whose MACs
 * are unknown and every on-link target: a few rounds, each asking only those
 * still silent. */
static int neighbour_phase(struct engine *e, struct collector *c, char *err, size_t errlen)
{
	ip_addr *ask;
	size_t cap = e->nonlink + 2;

	if (e->nonlink == 0 && !e->gateway_pending && !e->gateway6_pending)
		return 0;
	ask = malloc(cap * sizeof(*ask));
	if (ask == NULL) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	for (int round = 0; round < ARP_ROUNDS && !interrupted(); round++) {
		size_t n = 0;
		int64_t deadline;

		if (e->gateway_pending)
			ask[n++] = addr_from_v4(e->np->gateway_ip);
		if (e->gateway6_pending)
			ask[n++] = e->np->gateway_ip6;
		for (size_t i = 0; i < e->nonlink; i++)
			if (!e->onlink[i].up)
				ask[n++] = e->onlink[i].ip;
		if (n == 0)
			break;
		(void)tx_neighbour(e, ask, n);
		deadline = mono_us() + ARP_ROUND_WAIT_US;
		while (mono_us() < deadline && !interrupted()) {
			size_t silent = 0;
			if (drain(e, c) != 0)
				break;
			for (size_t i = 0; i < e->nonlink; i++)
				silent += !e->onlink[i].up;
			if (silent == 0 && !e->gateway_pending && !e->gateway6_pending)
				break;
			nap_us(2000);
		}
	}
	free(ask);
	if (e->gateway_pending && !interrupted()) {
		char gw[16];
		ip_to_str(e->np->gateway_ip, gw);
		portus_err(err, errlen, "gateway %s did not answer ARP on %s (use --gateway-mac)",
			   gw, e->np->ifname);
		return -1;
	}
	if (e->gateway6_pending && !interrupted()) {
		char gw[ADDR_STR_MAX];
		addr_to_str(e->np->gateway_ip6, gw);
		portus_err(
			err, errlen,
			"IPv6 router %s did not answer Neighbor Solicitation on %s (use --gateway-mac)",
			gw, e->np->ifname);
		return -1;
	}
	return 0;
}

/* How long to wait for late replies after a pass. */
static int64_t pass_wait_us(const struct engine *e, int wait_ms, int last_pass)
{
	const int64_t min_us = last_pass ? WAIT_MIN_US : WAIT_MIN_BETWEEN_US;
	int64_t srtt, var, w;

	if (wait_ms >= 0)
		return (int64_t)wait_ms * 1000;
	srtt = atomic_load_explicit(&e->rtt_srtt_us, memory_order_relaxed);
	var = atomic_load_explicit(&e->rtt_var_us, memory_order_relaxed);
	w = srtt + 4 * var;
	if (w < min_us)
		w = min_us;
	if (w > WAIT_MAX_US)
		w = WAIT_MAX_US;
	return w;
}

/* Starts the pass's sender threads. Returns how many started; on a failure
 * the ones started are stopped and joined, and 0 is returned. */
static unsigned start_senders(struct engine *e, pthread_t *tx, struct tx_worker *w)
{
	for (unsigned t = 0; t < e->ntx; t++) {
		w[t].e = e;
		w[t].index = t;
		if (pthread_create(&tx[t], NULL, tx_pass_thread, &w[t]) != 0) {
			atomic_store(&e->tx_stop, 1);
			while (t > 0)
				pthread_join(tx[--t], NULL);
			return 0;
		}
	}
	return e->ntx;
}

static int run_pass(struct engine *e, struct collector *c, struct status *st, int wait_ms,
		    int last_pass)
{
	pthread_t tx[MAX_SEND_THREADS];
	struct tx_worker w[MAX_SEND_THREADS];
	int64_t deadline, cap, started;

	atomic_store(&e->tx_finished, 0);
	atomic_store(&e->pass_sent, 0);
	started = mono_us();
	if (start_senders(e, tx, w) == 0)
		return -1;
	/* Acquire pairs with each sender's release increment of tx_finished. */
	while (atomic_load_explicit(&e->tx_finished, memory_order_acquire) < e->ntx) {
		if (interrupted())
			atomic_store(&e->tx_stop, 1);
		if (drain(e, c) != 0)
			atomic_store(&e->tx_stop, 1);
		status_tick(st, e, c->open_written);
		idle(c, 1000);
	}
	for (unsigned t = 0; t < e->ntx; t++)
		pthread_join(tx[t], NULL);
	/* The pass's send time, start of the first thread to end of the last. */
	e->send_us += (uint64_t)(mono_us() - started);
	if (atomic_load(&e->pass_sent) == 0 || interrupted())
		return 0;
	/* Wait for late replies: per RTT, longer while replies keep arriving. */
	deadline = mono_us() + pass_wait_us(e, wait_ms, last_pass);
	cap = mono_us() + 4 * pass_wait_us(e, wait_ms, last_pass);
	for (;;) {
		int64_t now = mono_us();
		int64_t last = atomic_load_explicit(&e->last_reply_us, memory_order_relaxed);
		if (interrupted() || now >= cap)
			break;
		if (now >= deadline && (wait_ms >= 0 || now - last > QUIET_US))
			break;
		if (drain(e, c) != 0)
			break;
		status_tick(st, e, c->open_written);
		idle(c, 2000);
	}
	return 0;
}

static void stop_receiver(struct engine *e, struct collector *c, pthread_t rx)
{
	/* Release pairs with the receiver's acquire load of rx_stop. */
	atomic_store_explicit(&e->rx_stop, 1, memory_order_release);
	/* Keep draining: the receiver may be waiting for ring space. */
	while (!atomic_load_explicit(&e->rx_exited, memory_order_acquire)) {
		(void)drain(e, c);
		idle(c, 1000);
	}
	pthread_join(rx, NULL);
	(void)drain(e, c);
}

static int engine_init(struct engine *e, const struct options *o, const struct plan *pl,
		       const struct net_path *np, char *err, size_t errlen)
{
	uint64_t cookie_secret;

	memset(e, 0, sizeof(*e));
	for (unsigned t = 0; t < MAX_SEND_THREADS; t++)
		e->tx_fd[t] = -1;
	e->ntx = o->send_threads;
	e->pl = pl;
	e->np = np;
	e->src_ip = np->src_ip;
	e->src_ip6 = np->src_ip6;
	e->rate = o->rate;
	e->shard_index = o->shard_k - 1;
	e->shard_count = o->shard_n;
	permute_init(&e->pm, pl->n, o->seed);
	/* The cookie key is secret and per run, not derived from --seed: a seed is
	 * shared between shards and may be published, and anyone who knows the
	 * key can forge replies that pass validation. */
	if (getrandom(&cookie_secret, sizeof(cookie_secret), 0) != sizeof(cookie_secret)) {
		portus_err(err, errlen, "cannot read random bytes for the probe cookie key");
		return -1;
	}
	cookie_key_init(&e->ck, cookie_secret, o->sport_base, o->sport_count);
	probe_template_init(&e->tmpl, np->src_mac, np->gateway_mac, np->src_ip, 64, 1024, 1460);
	/* MSS 1440: a 1500-byte MTU less the 40-byte IPv6 header, as kernels offer. */
	probe6_template_init(&e->tmpl6, np->src_mac, np->gateway6_mac, np->src_ip6, 64, 1024, 1440);
	e->gateway_pending = np->has_offlink && !np->gateway_mac_known;
	e->gateway6_pending = np->has_offlink6 && !np->gateway6_mac_known;
	if (table_init(&e->table, pl->n) != 0 || ring_init(&e->ring, RING_EVENTS) != 0) {
		portus_err(err, errlen, "out of memory for a table of %llu targets",
			   (unsigned long long)pl->n);
		return -1;
	}
	return onlink_build(e, err, errlen);
}

static void engine_free(struct engine *e)
{
	tx_close(e);
	rx_close(e);
	table_free(&e->table);
	ring_free(&e->ring);
	free(e->onlink);
}

/* --resume: what the interrupted run answered is final — set in the table
 * (never probed, never written again: collect_finish writes only held
 * records and unanswered targets) — and its host records are not repeated. */
static void resume_preload(struct engine *e, struct collector *c, const struct resume_plan *rp)
{
	for (size_t i = 0; i < rp->rs.nports; i++) {
		const struct rs_port *r = &rp->rs.ports[i];
		uint64_t idx;

		/* main checked that every record is in the plan */
		if (r->state != PS_UNKNOWN &&
		    plan_encode(e->pl, rs_port_ip(&rp->rs, r), r->port, &idx) == 0)
			(void)table_raise(&e->table, idx, (enum port_state)r->state);
	}
	e->skip_known = 1;
	c->hosts_done = rp->hosts_done;
	c->nhosts_done = rp->nhosts_done;
}

/* --resume: open TLS ports the interrupted run found but whose TLS record it
 * did not finish get the TLS stage now. */
static int resume_queue_tls(struct collector *c, const struct resume_plan *rp)
{
	for (size_t i = 0; i < rp->rs.nports; i++) {
		const struct rs_port *r = &rp->rs.ports[i];
		ip_addr ip = rs_port_ip(&rp->rs, r);

		if (r->state == PS_OPEN && !resume_tls_done(rp, ip, r->port) &&
		    collect_queue_tls(c, ip, r->port) != 0)
			return -1;
	}
	return 0;
}

int scan_run(const struct options *o, const struct plan *pl, const struct net_path *np,
	     struct writer **writers, size_t nwriters, struct run_summary *sum, char *err,
	     size_t errlen)
{
	struct engine *e;
	struct collector c;
	struct status st;
	pthread_t rx;
	struct tls_stage *tls = NULL;
	int rx_started = 0, ret = -1, complete = 0;

	memset(sum, 0, sizeof(*sum));
	sum->start_us = wall_us();
	sum->seed = o->seed;
	sum->shard_k = o->shard_k;
	sum->shard_n = o->shard_n;
	sum->hosts = pl->nhosts;
	sum->ports = pl->nports;
	/* What grows with the target space. */
	sum->plan_bytes = plan_bytes(pl);
	sum->table_bytes = table_bytes(pl->n);
	/* This shard's positions are k-1, k-1+n, ... below the plan size. */
	sum->targets = pl->n > o->shard_k - 1
			       ? (pl->n - (o->shard_k - 1) + o->shard_n - 1) / o->shard_n
			       : 0;
	collect_init(&c, writers, nwriters);
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	if (engine_init(e, o, pl, np, err, errlen) != 0)
		goto out;
	c.ck = &e->ck;
	c.src_ip = e->src_ip;
	c.src_ip6 = e->src_ip6;
	if (o->resume != NULL)
		resume_preload(e, &c, o->resume);
	if (tx_open(e, err, errlen) != 0 || rx_open(e, err, errlen) != 0)
		goto out;
	if (o->tls) {
		/* Before the privilege drop: the stage raises RLIMIT_NOFILE. */
		struct tls_stage_opts to = {
			.concurrency = o->tls_concurrency,
			.per_host = o->tls_per_host,
			.timeout_ms = o->tls_timeout_ms,
			.banner = o->tls_banner,
			.want_pem = o->tls_pem,
			.test_versions = o->tls_versions,
			.test_ciphers = o->tls_ciphers,
			.ca_file = o->ca_file,
		};
		tls = tls_stage_new(&to, collect_tls_result, &c, err, errlen);
		if (tls == NULL)
			goto out;
		collect_enable_tls(&c, tls, &o->tls_ports, &o->sni);
		if (o->resume != NULL && resume_queue_tls(&c, o->resume) != 0) {
			portus_err(err, errlen, "out of memory");
			goto out;
		}
	}
	/* Everything privileged is open: no packet is parsed as root. */
	if (privdrop(PRIVDROP_DEFAULT_USER, err, errlen) != 0)
		goto out;
	if (pthread_create(&rx, NULL, rx_thread, e) != 0) {
		portus_err(err, errlen, "cannot start the receive thread: %s", strerror(errno));
		goto out;
	}
	rx_started = 1;
	status_init(&st, o->status, pl->n / o->shard_n + 1, 1 + o->retries);
	if (neighbour_phase(e, &c, err, errlen) != 0)
		goto out;
	for (unsigned p = 1; p <= 1 + o->retries && !interrupted(); p++) {
		e->pass = p;
		st.pass = p;
		if (run_pass(e, &c, &st, o->wait_ms, p == 1 + o->retries) != 0) {
			portus_err(err, errlen, "cannot start the send thread");
			goto out;
		}
		sum->passes = p;
		if (p == 1 + o->retries && !interrupted())
			complete = 1;
	}
	status_done(&st);
	ret = 0;
out:
	if (rx_started)
		stop_receiver(e, &c, rx);
	/* Finish the TLS connections already queued: each has its deadline. */
	while (tls != NULL && tls_stage_pending(tls) > 0 && !interrupted())
		(void)tls_stage_run(tls, 100);
	sum->tls_endpoints = c.tls_written;
	sum->tls_ok = c.tls_ok;
	sum->interrupted = interrupted();
	sum->end_us = wall_us();
	sum->probes_sent = atomic_load(&e->sent);
	if (e->send_us > 0)
		sum->rate_pps = (double)sum->probes_sent * 1e6 / (double)e->send_us;
	rx_stats(e, &sum->pcap_received, &sum->pcap_dropped, &sum->if_dropped);
	/* Results only from passes that ran; the summary whenever the scan got
	 * going, so a run interrupted even during the ARP phase says so (and can
	 * be resumed with its seed). */
	if (sum->passes > 0)
		collect_finish(&c, e, complete, sum->end_us, sum);
	if (rx_started && (sum->passes > 0 || interrupted()))
		for (size_t i = 0; i < nwriters; i++)
			if (writers[i]->ops->summary(writers[i], sum) != 0)
				c.write_failed = 1;
	if (ret == 0 && c.write_failed) {
		portus_err(err, errlen, "writing results failed (disk full?)");
		ret = -1;
	}
	if (tls != NULL)
		tls_stage_free(tls);
	collect_free(&c);
	engine_free(e);
	free(e);
	return ret;
}
