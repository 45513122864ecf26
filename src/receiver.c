/*
 * receiver.c — the receive path: libpcap (immediate mode, large buffer, BPF
 * for replies to our address) -> bounded parse -> cookie check -> table.
 * The receiver never formats output: it queues an event when it changes a
 * state (or sees an ARP answer) and the main thread does the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "json.h"
#include "portus.h"
#include "reply.h"
#include "result.h"

#define RX_SNAPLEN 256          /* Ethernet + IP with options + ICMP + quoted IP + 8: < 200 */
#define RX_BUFFER (64 << 20)    /* kernel ring: absorbs bursts while we parse */

int rx_open(struct engine *e, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", ip[16], filter[128];
	struct bpf_program prog;
	int rc;

	e->pcap = pcap_create(e->np->ifname, ebuf);
	if (e->pcap == NULL) {
		portus_err(err, errlen, "cannot capture on %s: %s", e->np->ifname, ebuf);
		return -1;
	}
	pcap_set_snaplen(e->pcap, RX_SNAPLEN);
	pcap_set_promisc(e->pcap, 0);
	pcap_set_buffer_size(e->pcap, RX_BUFFER);
	pcap_set_immediate_mode(e->pcap, 1);
	rc = pcap_activate(e->pcap);
	if (rc < 0) {
		if (rc == PCAP_ERROR_PERM_DENIED)
			portus_err(err, errlen, "cannot capture on %s: needs root or CAP_NET_RAW",
				   e->np->ifname);
		else
			portus_err(err, errlen, "cannot capture on %s: %s", e->np->ifname,
				   pcap_geterr(e->pcap));
		goto fail;
	}
	if (pcap_datalink(e->pcap) != DLT_EN10MB) {
		portus_err(err, errlen, "%s is not an Ethernet interface", e->np->ifname);
		goto fail;
	}
	/* Inbound only: our own probes and ARP requests are not replies. */
	(void)pcap_setdirection(e->pcap, PCAP_D_IN);
	ip_to_str(e->src_ip, ip);
	snprintf(filter, sizeof(filter), "arp or (dst host %s and (tcp or icmp))", ip);
	if (pcap_compile(e->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(e->pcap, &prog) < 0) {
		portus_err(err, errlen, "cannot set capture filter on %s: %s", e->np->ifname,
			   pcap_geterr(e->pcap));
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(e->pcap, 1, ebuf) < 0) {
		portus_err(err, errlen, "cannot set capture non-blocking: %s", ebuf);
		goto fail;
	}
	return 0;
fail:
	pcap_close(e->pcap);
	e->pcap = NULL;
	return -1;
}

void rx_close(struct engine *e)
{
	if (e->pcap)
		pcap_close(e->pcap);
	e->pcap = NULL;
}

void rx_stats(struct engine *e, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	struct pcap_stat st;

	*recv = *drop = *ifdrop = 0;
	if (e->pcap && pcap_stats(e->pcap, &st) == 0) {
		*recv = st.ps_recv;
		*drop = st.ps_drop;
		*ifdrop = st.ps_ifdrop;
	}
}

/* Queues an event; if the main thread is behind, waits for room rather than
 * losing a result (the kernel capture buffer absorbs the pause). */
static void push_event(struct engine *e, const struct scan_event *ev)
{
	while (!ring_push(&e->ring, ev)) {
		struct timespec ts = { 0, 100000 };
		atomic_fetch_add_explicit(&e->ring_full, 1, memory_order_relaxed);
		if (atomic_load_explicit(&e->rx_stop, memory_order_relaxed) > 1)
			return; /* shutting down hard: main no longer drains */
		nanosleep(&ts, NULL);
	}
}

/* RTT estimate from a sampled probe (nmap/RFC 6298 smoothing, in microseconds). */
static void rtt_sample(struct engine *e, uint64_t idx, int64_t now)
{
	size_t slot = (size_t)((idx / RTT_SAMPLE_EVERY) % RTT_SLOTS);
	int64_t sent, rtt, srtt, var, delta;

	/* Acquire pairs with the sender's release store in rtt_mark. */
	if (atomic_load_explicit(&e->rtt_tag[slot], memory_order_acquire) != idx + 1)
		return;
	sent = atomic_load_explicit(&e->rtt_sent_us[slot], memory_order_relaxed);
	if (atomic_load_explicit(&e->rtt_tag[slot], memory_order_relaxed) != idx + 1)
		return; /* overwritten meanwhile */
	rtt = now - sent;
	if (rtt < 0 || rtt > 10000000)
		return;
	srtt = atomic_load_explicit(&e->rtt_srtt_us, memory_order_relaxed);
	var = atomic_load_explicit(&e->rtt_var_us, memory_order_relaxed);
	if (srtt == 0) {
		srtt = rtt;
		var = rtt / 2;
	} else {
		delta = rtt - srtt;
		srtt += delta / 8;
		var += ((delta < 0 ? -delta : delta) - var) / 4;
	}
	atomic_store_explicit(&e->rtt_srtt_us, srtt, memory_order_relaxed);
	atomic_store_explicit(&e->rtt_var_us, var, memory_order_relaxed);
}

static void handle_ip_reply(struct engine *e, const struct reply *r)
{
	struct scan_event ev;
	struct cookie c;
	uint64_t idx;
	enum port_state st;
	enum reason why;
	int64_t now;

	if (plan_encode(e->pl, r->target_ip, r->target_port, &idx) != 0)
		return; /* not a target of ours */
	c = cookie_make(&e->ck, e->src_ip, r->target_ip, r->target_port);
	if (c.seq != r->probe_seq || c.sport != r->probe_sport)
		return; /* not an answer to our probe (forged, stale or someone else's) */
	if (r->type == REPLY_TCP) {
		if ((r->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == (TCPF_SYN | TCPF_ACK)) {
			st = PS_OPEN;
			why = R_SYN_ACK;
		} else if (r->tcp_flags & TCPF_RST) {
			st = PS_CLOSED;
			why = R_RESET;
		} else {
			return;
		}
	} else {
		why = reason_from_icmp(r->icmp_type, r->icmp_code);
		if (why == R_NONE)
			return;
		st = PS_FILTERED;
	}
	now = mono_us();
	atomic_fetch_add_explicit(&e->rx_valid, 1, memory_order_relaxed);
	atomic_store_explicit(&e->last_reply_us, now, memory_order_relaxed);
	if (idx % RTT_SAMPLE_EVERY == 0)
		rtt_sample(e, idx, now);
	/* The receiver is the table's only writer, so get-then-raise sees the
	 * state the raise replaced. */
	if (table_get(&e->table, idx) == PS_UNKNOWN)
		atomic_fetch_add_explicit(&e->resolved, 1, memory_order_relaxed);
	if (!table_raise(&e->table, idx, st))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_PORT;
	ev.index = idx;
	ev.state = (uint8_t)st;
	ev.reason = (uint8_t)why;
	ev.ttl = r->ttl;
	ev.reason_ip = r->type == REPLY_ICMP ? r->responder_ip : 0;
	ev.time_us = wall_us();
	push_event(e, &ev);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct engine *e = (struct engine *)user;
	struct reply r;

	if (reply_parse(bytes, h->caplen, e->src_ip, &r) != 0)
		return;
	if (r.type == REPLY_ARP) {
		struct scan_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_ARP;
		ev.ip = r.target_ip;
		memcpy(ev.mac, r.mac, 6);
		ev.time_us = wall_us();
		push_event(e, &ev);
		return;
	}
	handle_ip_reply(e, &r);
}

void *rx_thread(void *arg)
{
	struct engine *e = arg;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(e->pcap), .events = POLLIN };

	while (!atomic_load_explicit(&e->rx_stop, memory_order_acquire)) {
		int n = pcap_dispatch(e->pcap, 4096, on_packet, (u_char *)e);
		if (n == PCAP_ERROR)
			break;
		if (n == 0)
			(void)poll(&pfd, 1, 20);
	}
	/* Drain what the kernel already holds, so nothing that arrived is lost. */
	while (pcap_dispatch(e->pcap, 4096, on_packet, (u_char *)e) > 0)
		;
	/* Release pairs with the main thread's acquire load before it joins. */
	atomic_store_explicit(&e->rx_exited, 1, memory_order_release);
	return NULL;
}
