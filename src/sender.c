/*
 * sender.c — the send path: permutation -> probe frames -> batched AF_PACKET
 * sends (sendmmsg, qdisc bypassed), paced by the token bucket.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "pacer.h"
#include "portus.h"

#define TX_BATCH 64

/* Opens one AF_PACKET socket bound to the interface. Returns the fd or -1. */
static int tx_socket(const struct net_path *np, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	int fd, one = 1, sndbuf = 4 << 20;

	/* Protocol 0: this socket only sends; replies are read through pcap. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			portus_err(err, errlen,
				   "cannot open a raw socket: needs root or CAP_NET_RAW "
				   "(sudo setcap cap_net_raw+ep portus)");
		else
			portus_err(err, errlen, "cannot open a raw socket: %s", strerror(errno));
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = np->ifindex;
	sll.sll_protocol = 0;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		portus_err(err, errlen, "cannot bind to %s: %s", np->ifname, strerror(errno));
		close(fd);
		return -1;
	}
	/* Best effort: skipping the qdisc saves a lock per packet; older kernels lack it. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
}

int tx_open(struct engine *e, char *err, size_t errlen)
{
	/* A socket per sender thread: they share no socket lock or send buffer. */
	for (unsigned t = 0; t < e->ntx; t++) {
		e->tx_fd[t] = tx_socket(e->np, err, errlen);
		if (e->tx_fd[t] < 0) {
			tx_close(e);
			return -1;
		}
	}
	return 0;
}

void tx_close(struct engine *e)
{
	for (unsigned t = 0; t < MAX_SEND_THREADS; t++) {
		if (e->tx_fd[t] >= 0)
			close(e->tx_fd[t]);
		e->tx_fd[t] = -1;
	}
}

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
/* One slot of a send batch: big enough for any frame portus sends (an IPv4
 * or IPv6 probe, an ARP request, a Neighbor Solicitation). */
typedef uint8_t frame_t[MAX2(MAX2(PROBE_LEN, PROBE6_LEN), MAX2(ARP_FRAME_LEN, NS_FRAME_LEN))];

static void sleep_us(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* A batch of frames and the message headers that point at them: built once
 * per thread (the kernel writes only msg_len back), not once per batch. */
struct tx_batch {
	frame_t frames[TX_BATCH];
	struct mmsghdr msgs[TX_BATCH];
	struct iovec iov[TX_BATCH];
};

/* Points every message of b at its frame. Each frame's length is set as it
 * is built (IPv4 and IPv6 probes differ in a mixed batch). */
static void tx_batch_init(struct tx_batch *b)
{
	memset(b->msgs, 0, sizeof(b->msgs));
	for (unsigned i = 0; i < TX_BATCH; i++) {
		b->iov[i].iov_base = b->frames[i];
		b->iov[i].iov_len = 0;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Sends b's frames[0..n), retrying on a full device queue. Returns frames
 * sent, or -1 on a hard error (errno set). */
static int send_batch(int fd, struct tx_batch *b, unsigned n, const atomic_int *stop)
{
	struct mmsghdr *msgs = b->msgs;
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(fd, msgs + done, n - done, 0);
		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			return -1;
		if (atomic_load_explicit(stop, memory_order_relaxed))
			break;
		sleep_us(50); /* device queue full: let it drain */
	}
	return (int)done;
}

/* Remembers when a sampled index was sent (see RTT_SAMPLE_EVERY). */
static void rtt_mark(struct engine *e, uint64_t idx, int64_t now)
{
	size_t slot = (size_t)((idx / RTT_SAMPLE_EVERY) % RTT_SLOTS);

	atomic_store_explicit(&e->rtt_sent_us[slot], now, memory_order_relaxed);
	/* Release pairs with the receiver's acquire load of the tag: the time is
	 * visible before the tag naming it. With several sender threads two
	 * stores to one slot can interleave (tag of one, time of the other): that
	 * needs both within the same few nanoseconds, so the time is still right
	 * to well under a microsecond. */
	atomic_store_explicit(&e->rtt_tag[slot], idx + 1, memory_order_release);
}

/* Builds the probe for idx into out. Returns its length, or 0 to skip it (an
 * on-link host that did not answer ARP/NDP: down). */
static size_t build_probe(struct engine *e, uint64_t idx, uint8_t *out)
{
	ip_addr addr;
	uint16_t port;
	const uint8_t *mac = NULL;
	struct cookie c;

	plan_decode(e->pl, idx, &addr, &port);
	if (e->nonlink != 0 && netroute_onlink(e->np, addr)) {
		const struct onlink_host *h = onlink_find(e, addr);
		if (h == NULL || !h->up)
			return 0;
		mac = h->mac;
	}
	c = cookie_for(&e->ck, e->src_ip, e->src_ip6, addr, port);
	if (!addr_is_v4(addr)) {
		/* Flow label: varies per probe and pass like the IPv4 ID below. */
		probe6_build(&e->tmpl6, out, mac, addr, port, c.sport, c.seq,
			     (c.seq >> 12) ^ c.seq ^ (e->pass * 0x9e37u));
		return PROBE6_LEN;
	}
	/* IP ID: varies per probe and per pass, derived from the cookie so it
	 * costs nothing and reveals no counter. */
	probe_build(&e->tmpl, out, mac, addr_v4(addr), port, c.sport, c.seq,
		    (uint16_t)((c.seq >> 16) ^ c.seq ^ (e->pass * 0x9e37u)));
	return PROBE_LEN;
}

/* This worker's share of the rate: rate / ntx, the remainder spread over the
 * first workers, so the shares add up to exactly --rate (options make rate >= ntx). */
static uint64_t worker_rate(const struct engine *e, unsigned index)
{
	return e->rate / e->ntx + (index < e->rate % e->ntx);
}

void *tx_pass_thread(void *arg)
{
	const struct tx_worker *w = arg;
	struct engine *e = w->e;
	static _Thread_local struct tx_batch b;
	uint64_t indices[TX_BATCH];
	struct pacer pc;
	const uint64_t n = e->pl->n;
	/* Interleaved slices: worker t of ntx takes every ntx-th position of this
	 * shard, so each worker's probes are spread over the whole (permuted)
	 * target space like a single sender's, and together they cover the shard
	 * exactly once. */
	const uint64_t step = (uint64_t)e->shard_count * e->ntx;
	uint64_t pos = e->shard_index + (uint64_t)w->index * e->shard_count;
	const int fd = e->tx_fd[w->index];
	/* Retries and resumed runs probe only what is still unanswered. */
	const int retry_pass = e->pass > 1 || e->skip_known;

	tx_batch_init(&b);
	pacer_init(&pc, worker_rate(e, w->index), mono_us());
	while (pos < n && !atomic_load_explicit(&e->tx_stop, memory_order_relaxed)) {
		int64_t now = mono_us();
		unsigned want = pacer_take(&pc, now, TX_BATCH), nb = 0;
		int sent;

		if (want == 0) {
			int64_t wait = pacer_wait_us(&pc, now);
			if (wait > 60)
				sleep_us(wait);
			continue;
		}
		while (nb < want && pos < n) {
			uint64_t idx = permute_at(&e->pm, pos);
			size_t len;
			pos += step;
			if (retry_pass && table_get(&e->table, idx) != PS_UNKNOWN)
				continue;
			if ((len = build_probe(e, idx, b.frames[nb])) == 0)
				continue;
			b.iov[nb].iov_len = len;
			indices[nb++] = idx;
		}
		if (nb == 0)
			continue;
		now = mono_us();
		for (unsigned i = 0; i < nb; i++)
			if (indices[i] % RTT_SAMPLE_EVERY == 0)
				rtt_mark(e, indices[i], now);
		sent = send_batch(fd, &b, nb, &e->tx_stop);
		if (sent < 0) {
			atomic_store(&e->tx_stop, 1);
			break;
		}
		if ((unsigned)sent < want)
			pacer_refund(&pc, want - (unsigned)sent);
		atomic_fetch_add_explicit(&e->sent, (uint64_t)sent, memory_order_relaxed);
		atomic_fetch_add_explicit(&e->pass_sent, (uint64_t)sent, memory_order_relaxed);
	}
	/* Release pairs with the main thread's acquire load: counters are final. */
	atomic_fetch_add_explicit(&e->tx_finished, 1, memory_order_release);
	return NULL;
}

int tx_neighbour(struct engine *e, const ip_addr *ips, size_t n)
{
	static _Thread_local struct tx_batch b;
	struct pacer pc;
	size_t i = 0;

	tx_batch_init(&b);
	pacer_init(&pc, e->rate, mono_us());
	while (i < n && !atomic_load_explicit(&e->tx_stop, memory_order_relaxed)) {
		int64_t now = mono_us();
		unsigned want = pacer_take(&pc, now, TX_BATCH), nb;
		int sent;

		if (want == 0) {
			int64_t w = pacer_wait_us(&pc, now);
			if (w > 60)
				sleep_us(w);
			continue;
		}
		for (nb = 0; nb < want && i < n; nb++, i++) {
			if (addr_is_v4(ips[i])) {
				arp_request_build(b.frames[nb], e->np->src_mac, e->src_ip,
						  addr_v4(ips[i]));
				b.iov[nb].iov_len = ARP_FRAME_LEN;
			} else {
				ns_build(b.frames[nb], e->np->src_mac, e->src_ip6, ips[i]);
				b.iov[nb].iov_len = NS_FRAME_LEN;
			}
		}
		sent = send_batch(e->tx_fd[0], &b, nb, &e->tx_stop);
		if (sent < 0)
			return -1;
	}
	return 0;
}
