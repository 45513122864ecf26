/*
 * replay.c — receive-path replay benchmark (issue 5): a capture of realistic
 * replies fed through the receiver's own per-frame code, no network.
 *
 * 1. Generates a pcap (DLT_EN10MB) of what the lab's target namespace answers
 *    to a scan of PREFIX x 22,80,443,8080,8081 (bench/README.md, lab truth),
 *    in the order the probes go out (the scan's permutation): SYN-ACKs, RSTs,
 *    ICMP unreachables quoting the probe exactly as probe_build made it, a few
 *    retransmitted SYN-ACKs, plus garbage (forged cookies, other hosts and
 *    ports, frames not for us, truncated frames, fragments, ARP requests,
 *    IPv6, ICMP echo, plain ACKs and ICMP codes that carry no state).
 *    Cookies come from cookie_make with a fixed seed, so they validate.
 * 2. Reads the file back into memory (libpcap offline) and, pinned to one CPU,
 *    hands every frame to on_packet() — the receiver's callback, compiled from
 *    src/receiver.c itself (included below) with the context rx_thread gives
 *    it (struct rx_ctx: engine + ARP guard), so the parse -> plan_encode ->
 *    cookie check -> table_raise -> event sequence is the code the receiver
 *    thread runs, not a copy. Frames go in batches of 4096 as pcap_dispatch
 *    hands them; between batches the event ring is drained the way the main
 *    thread does (outside the timed part: that is the main thread's work).
 * 3. Checks after every replay that each table cell holds the state the
 *    generated replies imply, the per-state counts, the number of events and
 *    the valid-reply counter; any difference is a failure (exit 1).
 *
 * Usage: replay [--prefix CIDR] [--runs N] [--reps N] [--cpu N] [--pcap FILE]
 *               [--garbage PERMILLE] [--dups PERMILLE] [--gen-only]
 * Build and run: bench/replay.sh (it also runs callgrind).
 */
#include "../src/receiver.c" /* on_packet, handle_ip_reply: the code under test */

#include <sched.h>
#include <stdlib.h>

#include "cookie.h"
#include "extract.h"
#include "ipset.h"
#include "options.h"
#include "packet.h"
#include "plan.h"
#include "ports.h"
#include "table.h"

#define BENCH_SEED 0x706f72747573ull /* fixed: the cookies in the file validate */
#define BATCH 4096                   /* pcap_dispatch's count in rx_thread */
#define FRAME_MAX 128

static const uint32_t scanner_ip = 0xc6120001; /* 198.18.0.1 */
static const uint32_t gateway_ip = 0xc61200fe; /* 198.18.0.254 */
static const uint8_t scanner_mac[6] = { 0x02, 0x70, 0x6f, 0x00, 0x00, 0x01 };
static const uint8_t gateway_mac[6] = { 0x02, 0x70, 0x6f, 0x00, 0x00, 0xfe };
static const char *const scan_ports = "22,80,443,8080,8081";

/* What a target answers: the lab's truth (tests/lab/README.md), applied to
 * every /16 of the prefix by the third octet. */
enum answer { A_NONE, A_SYNACK, A_RST, A_ICMP_ADMIN, A_ICMP_HOST };

static enum answer lab_answer(uint32_t ip, uint16_t port)
{
	unsigned c = (ip >> 8) & 0xff;

	if (c == 2)
		return A_ICMP_HOST;
	switch (port) {
	case 22:
		return A_RST;
	case 80:
		return c == 3 ? A_RST : A_SYNACK;
	case 443:
		return c == 1 ? A_NONE : A_SYNACK;
	case 8080:
		return A_NONE;
	case 8081:
		return A_ICMP_ADMIN;
	default:
		return A_RST;
	}
}

static enum port_state answer_state(enum answer a)
{
	switch (a) {
	case A_SYNACK:
		return PS_OPEN;
	case A_RST:
		return PS_CLOSED;
	case A_ICMP_ADMIN:
	case A_ICMP_HOST:
		return PS_FILTERED;
	default:
		return PS_UNKNOWN;
	}
}

/* xorshift64*: deterministic choices for the generator. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void die(const char *what)
{
	fprintf(stderr, "replay: %s\n", what);
	exit(2);
}

/* ---- frame builders (network byte order, byte by byte) ---- */

static void eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put_be16(f + 12, type);
}

/* IPv4 header at p, 20 bytes, checksum filled. */
static void ip4(uint8_t *p, uint16_t tot, uint8_t proto, uint32_t src, uint32_t dst, uint8_t ttl,
		uint16_t frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put_be16(p + 2, tot);
	put_be16(p + 4, (uint16_t)rng());
	put_be16(p + 6, frag);
	p[8] = ttl;
	p[9] = proto;
	put_be32(p + 12, src);
	put_be32(p + 16, dst);
	put_be16(p + 10, inet_checksum(p, 20));
}

/* TCP checksum over the pseudo-header and segment p[0..len) (len even). */
static void tcp_csum(uint8_t *p, size_t len, uint32_t src, uint32_t dst)
{
	uint8_t buf[12 + 64];

	put_be32(buf, src);
	put_be32(buf + 4, dst);
	buf[8] = 0;
	buf[9] = 6;
	put_be16(buf + 10, (uint16_t)len);
	p[16] = p[17] = 0;
	memcpy(buf + 12, p, len);
	put_be16(p + 16, inet_checksum(buf, 12 + len));
}

/* A TCP answer from ip:port to our sport, ack = seq + 1 (Linux's SYN-ACK
 * carries MSS; its RST to a SYN has seq 0). Returns the frame length. */
static size_t tcp_reply(uint8_t *f, uint32_t ip, uint16_t port, uint16_t sport, uint32_t seq,
			uint8_t flags, uint32_t dst_ip)
{
	int syn = (flags & TCPF_SYN) != 0;
	size_t tl = syn ? 24 : 20;
	uint8_t *t = f + 34;

	memset(f, 0, 60);
	eth(f, scanner_mac, gateway_mac, 0x0800);
	ip4(f + 14, (uint16_t)(20 + tl), 6, ip, dst_ip, 64, 0x4000);
	put_be16(t, port);
	put_be16(t + 2, sport);
	put_be32(t + 4, syn ? (uint32_t)rng() : 0);
	put_be32(t + 8, seq + 1u);
	t[12] = (uint8_t)((tl / 4) << 4);
	t[13] = flags;
	put_be16(t + 14, syn ? 64240 : 0);
	if (syn) {
		t[20] = 2;
		t[21] = 4;
		put_be16(t + 22, 1460);
	}
	tcp_csum(t, tl, ip, dst_ip);
	return 60; /* 14 + 20 + 24 padded to the Ethernet minimum */
}

/* ICMP destination unreachable from `from`, quoting probe (our SYN as sent). */
static size_t icmp_reply(uint8_t *f, uint32_t from, uint8_t type, uint8_t code,
			 const uint8_t probe[PROBE_LEN])
{
	uint8_t *m = f + 34;
	size_t qlen = PROBE_LEN - ETH_HDR_LEN; /* Linux quotes the whole 44-byte probe */

	eth(f, scanner_mac, gateway_mac, 0x0800);
	ip4(f + 14, (uint16_t)(20 + 8 + qlen), 1, from, scanner_ip, 64, 0);
	memset(m, 0, 8);
	m[0] = type;
	m[1] = code;
	memcpy(m + 8, probe + ETH_HDR_LEN, qlen);
	put_be16(m + 2, inet_checksum(m, 8 + qlen));
	return 34 + 8 + qlen;
}

/* ---- the capture ---- */

struct expect {
	uint8_t *state;     /* per plan index: enum port_state */
	uint64_t count[4];  /* cells per state */
	uint64_t valid;     /* frames handle_ip_reply counts in rx_valid */
	uint64_t frames;    /* frames written */
	uint64_t kinds[16]; /* frames per kind, for the report */
};

enum kind {
	K_SYNACK,
	K_RST,
	K_ICMP,
	K_DUP,
	K_FORGED,
	K_OTHER_PORT,
	K_OTHER_HOST,
	K_NOT_US,
	K_TRUNC,
	K_FRAG,
	K_ARPREQ,
	K_IPV6,
	K_ECHO,
	K_ACK,
	K_ICMP_NOSTATE,
	K_NKINDS
};
static const char *const kind_name[K_NKINDS] = {
	"syn-ack",          "rst",           "icmp-unreach",
	"dup-syn-ack",      "forged-cookie", "port-not-scanned",
	"host-not-scanned", "not-to-us",     "truncated",
	"fragment",         "arp-request",   "ipv6",
	"icmp-echo",        "ack-no-state",  "icmp-code-no-state",
};

static void put_frame(pcap_dumper_t *d, struct expect *x, enum kind k, const uint8_t *f, size_t len,
		      size_t caplen)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(1700000000 + x->frames / 1000000);
	h.ts.tv_usec = (suseconds_t)(x->frames % 1000000);
	h.caplen = (bpf_u_int32)caplen;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)d, &h, f);
	x->frames++;
	x->kinds[k]++;
}

/* One garbage frame that must not change any state. */
static void put_garbage(pcap_dumper_t *d, struct expect *x, const struct plan *pl,
			const struct cookie_key *ck, const struct probe_template *tmpl)
{
	uint8_t f[FRAME_MAX], probe[PROBE_LEN];
	uint64_t idx = rng() % pl->n;
	uint32_t ip;
	uint16_t port;
	struct cookie c;
	size_t len;
	enum kind k = (enum kind)(K_FORGED + rng() % (K_NKINDS - K_FORGED));

	plan_decode(pl, idx, &ip, &port);
	c = cookie_make(ck, scanner_ip, ip, port);
	memset(f, 0, sizeof(f));
	switch (k) {
	case K_FORGED: /* right target and port, ack off by a random amount */
		len = tcp_reply(f, ip, port, c.sport, c.seq + 1u + (uint32_t)(rng() | 1),
				TCPF_SYN | TCPF_ACK, scanner_ip);
		break;
	case K_OTHER_PORT: /* port 3306 is not in the plan */
		len = tcp_reply(f, ip, 3306, c.sport, c.seq, TCPF_SYN | TCPF_ACK, scanner_ip);
		break;
	case K_OTHER_HOST: /* a lab host that is not a target */
		len = tcp_reply(f, 0xc612000a, port, c.sport, c.seq, TCPF_RST | TCPF_ACK,
				scanner_ip);
		break;
	case K_NOT_US:
		len = tcp_reply(f, ip, port, c.sport, c.seq, TCPF_SYN | TCPF_ACK, 0xc6120002);
		break;
	case K_TRUNC: /* cut inside the TCP header */
		tcp_reply(f, ip, port, c.sport, c.seq, TCPF_SYN | TCPF_ACK, scanner_ip);
		put_frame(d, x, k, f, 60, 14 + 20 + 10);
		return;
	case K_FRAG:
		len = tcp_reply(f, ip, port, c.sport, c.seq, TCPF_SYN | TCPF_ACK, scanner_ip);
		put_be16(f + 14 + 6, 0x2000); /* MF */
		break;
	case K_ARPREQ:
		arp_request_build(f, gateway_mac, gateway_ip, scanner_ip);
		len = 60;
		break;
	case K_IPV6:
		tcp_reply(f, ip, port, c.sport, c.seq, TCPF_SYN | TCPF_ACK, scanner_ip);
		put_be16(f + 12, 0x86dd);
		len = 60;
		break;
	case K_ECHO: /* ICMP echo reply */
		len = icmp_reply(f, ip, 0, 0, tmpl->frame);
		break;
	case K_ACK: /* valid cookie, but flags say nothing about the port */
		len = tcp_reply(f, ip, port, c.sport, c.seq, TCPF_ACK, scanner_ip);
		break;
	default: /* K_ICMP_NOSTATE: fragmentation needed, quoting our real probe */
		probe_build(tmpl, probe, NULL, ip, port, c.sport, c.seq, 1);
		len = icmp_reply(f, gateway_ip, 3, 4, probe);
		break;
	}
	put_frame(d, x, k, f, len, len);
}

/* Writes the capture and fills *x with what it implies. */
static void generate(const char *path, const struct plan *pl, const struct cookie_key *ck,
		     unsigned garbage_pm, unsigned dups_pm, struct expect *x)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	struct probe_template tmpl;
	struct permute pm;

	if (dead == NULL || (d = pcap_dump_open(dead, path)) == NULL)
		die("cannot write the capture file");
	probe_template_init(&tmpl, scanner_mac, gateway_mac, scanner_ip, 64, 1024, 1460);
	permute_init(&pm, pl->n, BENCH_SEED);
	x->state = calloc((size_t)pl->n, 1);
	if (x->state == NULL)
		die("out of memory");
	for (uint64_t pos = 0; pos < pl->n; pos++) {
		uint64_t idx = permute_at(&pm, pos);
		uint8_t f[FRAME_MAX], probe[PROBE_LEN];
		uint32_t ip;
		uint16_t port;
		enum answer a;
		struct cookie c;
		size_t len;

		plan_decode(pl, idx, &ip, &port);
		a = lab_answer(ip, port);
		c = cookie_make(ck, scanner_ip, ip, port);
		x->state[idx] = (uint8_t)answer_state(a);
		x->count[x->state[idx]]++;
		switch (a) {
		case A_SYNACK:
			len = tcp_reply(f, ip, port, c.sport, c.seq, TCPF_SYN | TCPF_ACK,
					scanner_ip);
			put_frame(d, x, K_SYNACK, f, len, len);
			x->valid++;
			if (rng() % 1000 < dups_pm) { /* a retransmitted SYN-ACK */
				put_frame(d, x, K_DUP, f, len, len);
				x->valid++;
			}
			break;
		case A_RST:
			len = tcp_reply(f, ip, port, c.sport, c.seq, TCPF_RST | TCPF_ACK,
					scanner_ip);
			put_frame(d, x, K_RST, f, len, len);
			x->valid++;
			break;
		case A_ICMP_ADMIN:
		case A_ICMP_HOST:
			probe_build(&tmpl, probe, NULL, ip, port, c.sport, c.seq,
				    (uint16_t)((c.seq >> 16) ^ c.seq ^ 0x9e37u));
			len = icmp_reply(f, a == A_ICMP_ADMIN ? ip : gateway_ip, 3,
					 a == A_ICMP_ADMIN ? 13 : 1, probe);
			put_frame(d, x, K_ICMP, f, len, len);
			x->valid++;
			break;
		default:
			break;
		}
		if (rng() % 1000 < garbage_pm)
			put_garbage(d, x, pl, ck, &tmpl);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* ---- the replay ---- */

struct capture {
	struct pcap_pkthdr *hdr;
	const u_char **data;
	size_t n;
};

static void load(const char *path, struct capture *cap)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, ebuf);
	struct pcap_pkthdr *h;
	const u_char *b;
	size_t cap_n = 1 << 16;

	if (p == NULL)
		die(ebuf);
	cap->hdr = malloc(cap_n * sizeof(*cap->hdr));
	cap->data = malloc(cap_n * sizeof(*cap->data));
	cap->n = 0;
	while (cap->hdr && cap->data && pcap_next_ex(p, &h, &b) == 1) {
		u_char *copy;

		if (cap->n == cap_n) {
			cap_n *= 2;
			cap->hdr = realloc(cap->hdr, cap_n * sizeof(*cap->hdr));
			cap->data = realloc(cap->data, cap_n * sizeof(*cap->data));
			if (cap->hdr == NULL || cap->data == NULL)
				break;
		}
		copy = malloc(h->caplen ? h->caplen : 1);
		if (copy == NULL)
			die("out of memory");
		memcpy(copy, b, h->caplen);
		cap->hdr[cap->n] = *h;
		cap->data[cap->n++] = copy;
	}
	if (cap->hdr == NULL || cap->data == NULL)
		die("out of memory");
	pcap_close(p);
}

static struct engine eng;           /* large (RTT slots): static */
static struct net_path path_to_lab; /* what the engine's receiver reads of the route */
static struct rx_ctx rx;            /* on_packet's argument, as rx_thread sets it up */
static uint64_t events_popped;

static void drain(struct engine *e)
{
	struct scan_event ev;

	while (ring_pop(&e->ring, &ev))
		events_popped++;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One replay of the whole capture, as rx_thread's pcap_dispatch loop would
 * hand it over. Returns the nanoseconds spent inside on_packet batches.
 * noinline: callgrind's --toggle-collect names it. */
__attribute__((noinline)) int64_t replay_frames(struct rx_ctx *x, const struct capture *cap);
__attribute__((noinline)) int64_t replay_frames(struct rx_ctx *x, const struct capture *cap)
{
	struct engine *e = x->e;
	int64_t spent = 0;

	for (size_t i = 0; i < cap->n;) {
		size_t end = cap->n - i > BATCH ? i + BATCH : cap->n;
		int64_t t0 = now_ns();

		for (; i < end; i++)
			on_packet((u_char *)x, &cap->hdr[i], cap->data[i]);
		spent += now_ns() - t0;
		drain(e);
	}
	return spent;
}

/* Fresh scan state: all unknown, no events, counters zero. The RTT tags are
 * set for the sampled indices, as the sender's rtt_mark would have. */
static void reset(struct engine *e)
{
	for (uint64_t w = 0; w < table_bytes(e->table.n) / sizeof(uint64_t); w++)
		atomic_store_explicit(&e->table.words[w], 0, memory_order_relaxed);
	drain(e);
	events_popped = 0;
	atomic_store(&e->rx_valid, 0);
	atomic_store(&e->resolved, 0);
	atomic_store(&e->rtt_srtt_us, 0);
	atomic_store(&e->rtt_var_us, 0);
	for (uint64_t idx = 0; idx < e->pl->n; idx += RTT_SAMPLE_EVERY) {
		size_t slot = (size_t)((idx / RTT_SAMPLE_EVERY) % RTT_SLOTS);
		atomic_store(&e->rtt_sent_us[slot], mono_us());
		atomic_store(&e->rtt_tag[slot], idx + 1);
	}
}

/* Compares the table with the expectation. Returns the number of differences. */
static uint64_t verify(const struct engine *e, const struct expect *x)
{
	uint64_t bad = 0, changed = 0;
	static const char *const sname[4] = { "unknown", "filtered", "closed", "open" };

	for (uint64_t i = 0; i < e->pl->n; i++) {
		enum port_state s = table_get(&e->table, i);
		if ((uint8_t)s != x->state[i]) {
			if (bad < 5)
				fprintf(stderr, "replay: index %llu is %s, expected %s\n",
					(unsigned long long)i, sname[s], sname[x->state[i]]);
			bad++;
		}
	}
	for (int s = 0; s < 4; s++) {
		uint64_t got = table_count(&e->table, (enum port_state)s);
		if (got != x->count[s]) {
			fprintf(stderr, "replay: %llu %s cells, expected %llu\n",
				(unsigned long long)got, sname[s], (unsigned long long)x->count[s]);
			bad++;
		}
		if (s != PS_UNKNOWN)
			changed += x->count[s];
	}
	if (events_popped != changed) {
		fprintf(stderr, "replay: %llu events, expected %llu\n",
			(unsigned long long)events_popped, (unsigned long long)changed);
		bad++;
	}
	if (atomic_load(&e->rx_valid) != x->valid) {
		fprintf(stderr, "replay: rx_valid %llu, expected %llu\n",
			(unsigned long long)atomic_load(&e->rx_valid),
			(unsigned long long)x->valid);
		bad++;
	}
	if (atomic_load(&e->resolved) != changed) {
		fprintf(stderr, "replay: resolved %llu, expected %llu\n",
			(unsigned long long)atomic_load(&e->resolved), (unsigned long long)changed);
		bad++;
	}
	return bad;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static unsigned long arg_num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > max)
		die("bad number in arguments");
	return v;
}

int main(int argc, char **argv)
{
	const char *prefix = "198.19.0.0/16", *path = "/tmp/portus-replay.pcap";
	unsigned runs = 5, reps = 10, garbage_pm = 100, dups_pm = 20, gen_only = 0;
	long cpu = 1;
	char err[PORTUS_ERRLEN];
	struct ip_set set;
	struct port_list ports;
	struct plan pl;
	struct expect x;
	struct capture cap;
	double rate[64];
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--gen-only") == 0) {
			gen_only = 1;
			continue;
		}
		if (v == NULL)
			die("usage: replay [--prefix CIDR] [--runs N] [--reps N] [--cpu N] "
			    "[--pcap FILE] [--garbage PERMILLE] [--dups PERMILLE] [--gen-only]");
		if (strcmp(argv[i], "--prefix") == 0)
			prefix = v;
		else if (strcmp(argv[i], "--runs") == 0)
			runs = (unsigned)arg_num(v, 64);
		else if (strcmp(argv[i], "--reps") == 0)
			reps = (unsigned)arg_num(v, 100000);
		else if (strcmp(argv[i], "--cpu") == 0)
			cpu = (long)arg_num(v, 1023);
		else if (strcmp(argv[i], "--pcap") == 0)
			path = v;
		else if (strcmp(argv[i], "--garbage") == 0)
			garbage_pm = (unsigned)arg_num(v, 1000);
		else if (strcmp(argv[i], "--dups") == 0)
			dups_pm = (unsigned)arg_num(v, 1000);
		else
			die("unknown option");
		i++;
	}
	if (runs == 0 || reps == 0)
		die("--runs and --reps must be >= 1");

	ipset_init(&set);
	ports_init(&ports);
	if (ipset_add_list(&set, prefix, err, sizeof(err)) != 0 ||
	    ports_parse(&ports, scan_ports, err, sizeof(err)) != 0)
		die(err);
	ipset_normalize(&set);
	if (plan_init(&pl, &set, &ports, err, sizeof(err)) != 0)
		die(err);

	memset(&eng, 0, sizeof(eng));
	eng.pl = &pl;
	eng.src_ip = scanner_ip;
	cookie_key_init(&eng.ck, BENCH_SEED, DEFAULT_SPORT_BASE, DEFAULT_SPORT_COUNT);
	if (table_init(&eng.table, pl.n) != 0 || ring_init(&eng.ring, 1u << 20) != 0)
		die("out of memory");
	/* Off-link targets behind a gateway whose MAC is known: no ARP phase.
	 * The ARP guard is built by the receiver's own setup. */
	memcpy(path_to_lab.src_mac, scanner_mac, 6);
	path_to_lab.has_offlink = 1;
	path_to_lab.gateway_ip = gateway_ip;
	path_to_lab.gateway_mac_known = 1;
	eng.np = &path_to_lab;
	rx.e = &eng;
	if (arp_guard_setup(&rx.arp, &eng) != 0)
		die("out of memory");

	memset(&x, 0, sizeof(x));
	generate(path, &pl, &eng.ck, garbage_pm, dups_pm, &x);
	printf("capture: %s, %llu frames for %s x %s (%llu targets): ", path,
	       (unsigned long long)x.frames, prefix, scan_ports, (unsigned long long)pl.n);
	for (int k = 0; k < K_NKINDS; k++)
		printf("%s%s %llu", k ? ", " : "", kind_name[k], (unsigned long long)x.kinds[k]);
	printf("\nexpected: open %llu, closed %llu, filtered %llu, unknown %llu, valid replies %llu\n",
	       (unsigned long long)x.count[PS_OPEN], (unsigned long long)x.count[PS_CLOSED],
	       (unsigned long long)x.count[PS_FILTERED], (unsigned long long)x.count[PS_UNKNOWN],
	       (unsigned long long)x.valid);
	if (gen_only)
		return 0;

	load(path, &cap);
	if (cap.n != x.frames)
		die("the capture read back differs from what was written");

	{
		cpu_set_t set1;
		CPU_ZERO(&set1);
		CPU_SET((int)cpu, &set1);
		if (sched_setaffinity(0, sizeof(set1), &set1) != 0)
			die("sched_setaffinity failed (--cpu)");
	}
	/* Warm-up replay (page faults, caches), checked like the others. */
	reset(&eng);
	(void)replay_frames(&rx, &cap);
	if (verify(&eng, &x) != 0)
		failed = 1;

	for (unsigned r = 0; r < runs && !failed; r++) {
		int64_t ns = 0;

		for (unsigned k = 0; k < reps; k++) {
			reset(&eng);
			ns += replay_frames(&rx, &cap);
			if (verify(&eng, &x) != 0) {
				failed = 1;
				break;
			}
		}
		rate[r] = (double)cap.n * reps / ((double)ns / 1e9);
		printf("run %u: %llu frames in %.3f s on cpu %ld: %.0f frames/s, %.1f ns/frame\n",
		       r + 1, (unsigned long long)cap.n * reps, (double)ns / 1e9, cpu, rate[r],
		       (double)ns / ((double)cap.n * reps));
	}
	if (failed) {
		fprintf(stderr, "replay: FAILED: the table differs from the replies' truth\n");
		return 1;
	}
	printf("verify: every replay left open %llu, closed %llu, filtered %llu, unknown %llu "
	       "(all %llu cells as generated), %llu events, rx_valid %llu: OK\n",
	       (unsigned long long)x.count[PS_OPEN], (unsigned long long)x.count[PS_CLOSED],
	       (unsigned long long)x.count[PS_FILTERED], (unsigned long long)x.count[PS_UNKNOWN],
	       (unsigned long long)pl.n, (unsigned long long)events_popped,
	       (unsigned long long)x.valid);
	qsort(rate, runs, sizeof(rate[0]), cmp_double);
	printf("median of %u runs: %.0f frames/s, %.1f ns/frame (valid replies are %.1f%% of "
	       "frames)\n",
	       runs, rate[runs / 2], 1e9 / rate[runs / 2],
	       100.0 * (double)x.valid / (double)x.frames);
	return 0;
}
