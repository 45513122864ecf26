/*
 * receiver.c — the receive path: libpcap (immediate mode, large buffer, BPF
 * for replies to our address) -> bounded parse -> cookie check -> table.
 * ARP answers pass the ARP guard (include/onlink.h), which the receiver owns.
 * The receiver never formats results: it queues an event when it changes a
 * state (or believes an ARP answer) and the main thread does the rest; its
 * only output is the guard's conflict warnings on stderr when it ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "json.h"
#include "onlink.h"
#include "portus.h"
#include "reply.h"
#include "scan.h"
#include "scan_record.h"

/* IPv4: Ethernet + IP with options + ICMP + quoted IP + 8 < 200. IPv6: the
 * parser follows up to REPLY_IP6_EXT_MAX extension headers, in the reply and
 * in an ICMPv6 quote: room for a few small ones each. */
#define RX_SNAPLEN 512
#define RX_BUFFER (64 << 20) /* kernel ring: absorbs bursts while we parse */

int rx_open(struct engine *e, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", ip[16], ip6[ADDR_STR_MAX], filter[256];
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
	/* IPv6: everything to our address, so the parser can walk extension
	 * headers (BPF's "tcp" only sees a TCP header right after the fixed
	 * one); solicited Neighbor Advertisements come to it too. */
	ip_to_str(e->src_ip, ip);
	addr_to_str(e->src_ip6, ip6);
	if (e->np->has_v4 && e->np->has_v6)
		snprintf(filter, sizeof(filter),
			 "arp or (dst host %s and (tcp or icmp)) or ip6 dst host %s", ip, ip6);
	else if (e->np->has_v6)
		snprintf(filter, sizeof(filter), "ip6 dst host %s", ip6);
	else
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
	c = cookie_for(&e->ck, e->src_ip, e->src_ip6, r->target_ip, r->target_port);
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
		why = r->type == REPLY_ICMP6 ? reason_from_icmp6(r->icmp_type, r->icmp_code)
					     : reason_from_icmp(r->icmp_type, r->icmp_code);
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
	ev.reason_ip = r->type == REPLY_TCP ? addr_zero() : r->responder_ip;
	ev.time_us = wall_us();
	push_event(e, &ev);
}

/* What the capture callback needs: the engine and the receiver's ARP guard. */
struct rx_ctx {
	struct engine *e;
	struct arp_guard arp;
};

/* The addresses the ARP/NDP phase asks about: every on-link target, and the
 * routers whose MACs are to be learnt. Called before any ARP event exists,
 * so the on-link table is not being written. Returns 0 or -1 (ENOMEM). */
static int arp_guard_setup(struct arp_guard *g, const struct engine *e)
{
	ip_addr *ips = malloc((e->nonlink + 2) * sizeof(*ips));
	size_t n = 0;
	int rc;

	if (ips == NULL)
		return -1;
	for (size_t i = 0; i < e->nonlink; i++)
		ips[n++] = e->onlink[i].ip;
	if (e->np->has_offlink && !e->np->gateway_mac_known)
		ips[n++] = addr_from_v4(e->np->gateway_ip);
	if (e->np->has_offlink6 && !e->np->gateway6_mac_known)
		ips[n++] = e->np->gateway_ip6;
	rc = arp_guard_init(g, ips, n);
	free(ips);
	return rc;
}

/* The checks of a Neighbor Advertisement that need our MAC (reply_parse did
 * the rest): unicast to us, not claiming our MAC, and carrying the target's
 * link-layer address, which RFC 4861 7.2.5 requires of an answer to a
 * multicast solicitation (ours all are). Returns 0 when believable. */
static int na_to_us(const struct reply *r, const uint8_t our_mac[6])
{
	if (memcmp(r->eth_dst, our_mac, 6) != 0 || memcmp(r->mac, our_mac, 6) == 0)
		return -1;
	return r->na_tlla ? 0 : -1;
}

/* An ARP reply or a Neighbor Advertisement: past the guard, an EV_ARP. */
static void handle_neighbour_reply(struct rx_ctx *x, const struct reply *r)
{
	struct engine *e = x->e;
	struct scan_event ev;

	if (r->type == REPLY_ARP ? reply_arp_to_us(r, e->np->src_mac) != 0
				 : na_to_us(r, e->np->src_mac) != 0)
		return;
	/* The driver sends no probe before the ARP phase is over, so the first
	 * probe sent closes it: from then on an answer could only change whom we
	 * probe or which host we call down. */
	if (!x->arp.closed && atomic_load_explicit(&e->sent, memory_order_relaxed) != 0)
		arp_guard_close(&x->arp);
	if (arp_guard_judge(&x->arp, r->target_ip, r->mac) != ARP_LEARN)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_ARP;
	ev.ip = r->target_ip;
	memcpy(ev.mac, r->mac, 6);
	ev.time_us = wall_us();
	push_event(e, &ev);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct rx_ctx *x = (struct rx_ctx *)user;
	struct reply r;

	if (reply_parse(bytes, h->caplen, x->e->src_ip, x->e->src_ip6, &r) != 0)
		return;
	if (r.type == REPLY_ARP || r.type == REPLY_NA)
		handle_neighbour_reply(x, &r);
	else
		handle_ip_reply(x->e, &r);
}

void *rx_thread(void *arg)
{
	struct rx_ctx x = { .e = arg };
	struct engine *e = x.e;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(e->pcap), .events = POLLIN };

	if (arp_guard_setup(&x.arp, e) != 0) {
		/* Without the guard no ARP answer is believed (an empty guard asks
		 * about nothing): stop rather than call every on-link host down. */
		fputs("portus: error: out of memory for the ARP guard, stopping the scan\n",
		      stderr);
		atomic_store(&portus_interrupted, 1);
	}
	while (!atomic_load_explicit(&e->rx_stop, memory_order_acquire)) {
		int n = pcap_dispatch(e->pcap, 4096, on_packet, (u_char *)&x);
		if (n == PCAP_ERROR)
			break;
		if (n == 0)
			(void)poll(&pfd, 1, 20);
	}
	/* Drain what the kernel already holds, so nothing that arrived is lost. */
	while (pcap_dispatch(e->pcap, 4096, on_packet, (u_char *)&x) > 0)
		;
	(void)arp_guard_report(&x.arp, stderr);
	arp_guard_free(&x.arp);
	/* Release pairs with the main thread's acquire load before it joins. */
	atomic_store_explicit(&e->rx_exited, 1, memory_order_release);
	return NULL;
}
