/*
 * engine.h — internals shared by the sender, receiver and scan driver.
 * Not a public interface: see include/scan.h.
 */
#ifndef PORTUS_ENGINE_H
#define PORTUS_ENGINE_H

#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clock.h"
#include "cookie.h"
#include "netroute.h"
#include "options.h"
#include "packet.h"
#include "permute.h"
#include "plan.h"
#include "ring.h"
#include "table.h"

/* An on-link target: its MAC once ARP (IPv4) or a Neighbor Advertisement
 * (IPv6) answered. Sorted by addr_order of ip. */
struct onlink_host {
	ip_addr ip;
	uint8_t mac[6];
	uint8_t up;
};

/* A few probes' send times, so replies give RTT samples without per-probe state. */
#define RTT_SLOTS 4096
#define RTT_SAMPLE_EVERY 61 /* sample indices divisible by this (a prime: no aliasing with ports) */

struct engine {
	/* Read-only after setup. */
	const struct plan *pl;
	struct permute pm;
	struct cookie_key ck;
	struct probe_template tmpl;   /* IPv4 probes; destination MAC: the IPv4 gateway's */
	struct probe6_template tmpl6; /* IPv6 probes; destination MAC: the IPv6 router's */
	uint32_t src_ip;              /* IPv4 source (0 when the run has no IPv4 target) */
	ip_addr src_ip6;              /* IPv6 source (zero when the run has no IPv6 target) */
	uint64_t rate;
	unsigned shard_index, shard_count; /* 0-based */
	unsigned ntx;   /* sender threads (--send-threads), each with its own socket */
	int skip_known; /* --resume: targets answered in the interrupted run are never probed */
	struct onlink_host *onlink; /* owned, sorted by ip */
	size_t nonlink;
	const struct net_path *np;

	/* Link. tx_fd[0] also sends the ARP requests. */
	int tx_fd[MAX_SEND_THREADS];
	pcap_t *pcap;

	/* Shared between threads. */
	struct state_table table;
	struct event_ring ring;
	atomic_int rx_stop;                /* main -> receiver */
	atomic_int tx_stop;                /* main -> sender (interrupt) */
	atomic_uint tx_finished;           /* senders -> main: threads done with this pass */
	atomic_int rx_exited;              /* receiver -> main: drained and returned */
	atomic_uint_fast64_t resolved;     /* indices that left unknown (receiver only writes) */
	atomic_uint_fast64_t sent;         /* probes sent, all passes (relaxed counter) */
	atomic_uint_fast64_t pass_sent;    /* probes sent in this pass */
	atomic_uint_fast64_t rx_valid;     /* replies that passed the cookie check */
	atomic_uint_fast64_t ring_full;    /* times the receiver waited for the ring */
	atomic_int_fast64_t last_reply_us; /* monotonic time of the last valid reply */
	_Atomic uint64_t rtt_tag[RTT_SLOTS];
	_Atomic int64_t rtt_sent_us[RTT_SLOTS];
	atomic_int_fast64_t rtt_srtt_us, rtt_var_us; /* written by the receiver only */
	unsigned pass;                               /* 1-based, written by main between passes */
	uint64_t send_us;     /* main only: time spent in send passes (for the achieved rate) */
	int gateway_pending;  /* main only: gateway MAC still to be learnt by ARP */
	int gateway6_pending; /* main only: IPv6 router's MAC still to be learnt by NDP */
};

/* Monotonic and wall clocks in microseconds. */

/* sender.c */
/* Opens e->ntx sockets (all before the privilege drop). Returns 0 or -1 with err. */
int tx_open(struct engine *e, char *err, size_t errlen);
void tx_close(struct engine *e);

/* One sender thread's share of a pass: of this shard's positions
 * shard_index + k * shard_count (k = 0, 1, ...), the ones with k % ntx == index,
 * paced at its share of the rate. */
struct tx_worker {
	struct engine *e;
	unsigned index; /* 0 .. e->ntx - 1 */
};

/* Thread body (arg: a struct tx_worker): one pass over the worker's positions
 * (skipping answered indices after pass 1). Increments tx_finished (release)
 * when done. */
void *tx_pass_thread(void *arg);
/* Sends, at the engine's rate, an ARP request for each IPv4(-mapped) address
 * of ips[0..n) and a Neighbor Solicitation for each IPv6 one. Returns 0, or
 * -1 on a send error. */
int tx_neighbour(struct engine *e, const ip_addr *ips, size_t n);

/* receiver.c */
int rx_open(struct engine *e, char *err, size_t errlen);
void rx_close(struct engine *e);
void *rx_thread(void *arg);
/* pcap statistics: received, dropped by pcap, dropped by interface. */
void rx_stats(struct engine *e, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);

/* onlink.c */
/* Looks up an on-link target by ip; NULL when not on-link. */
struct onlink_host *onlink_find(const struct engine *e, ip_addr ip);

#endif
