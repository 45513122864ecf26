/*
 * tx_ring.c — the PACKET_TX_RING variant of tx_ceiling: the same SYN frames
 * written into a memory-mapped TPACKET_V2 transmit ring (qdisc bypassed),
 * one send() kick per BATCH frames, so it measures whether the ring beats
 * sendmmsg batches on this kernel (bench/send_path.sh reports both).
 *
 *   tx_ring IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]
 *
 * Refuses any address outside 198.18.0.0/15 (the lab's). Prints
 * "frames N seconds S pps P".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 58 /* Ethernet 14 + IPv4 20 + TCP 24 (MSS option) */
#define RING_FRAME 128 /* TPACKET2_HDRLEN + 58, aligned */
#define RING_FRAMES 8192
#define RING_BLOCK 4096

static int in_lab(uint32_t ip)
{
	return (ip & 0xfffe0000u) == 0xc6120000u; /* 198.18.0.0/15 */
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Writes a SYN from src to dst:9 with sport into f (checksums computed). */
static void build(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
		  uint16_t sport)
{
	uint8_t *ip = f + 14, *tcp = f + 34, ph[12];
	uint32_t s;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 44;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &(uint32_t){ htonl(src) }, 4);
	memcpy(ip + 16, &(uint32_t){ htonl(dst) }, 4);
	s = csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(s >> 8);
	ip[11] = (uint8_t)s;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[3] = 9;
	tcp[12] = 6 << 4;
	tcp[13] = 0x02;
	tcp[14] = 0x04;
	tcp[20] = 2;
	tcp[21] = 4;
	tcp[22] = 0x05;
	tcp[23] = 0xb4;
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = 0;
	ph[11] = 24;
	s = csum_fold(csum_add(csum_add(0, ph, 12), tcp, 24));
	tcp[16] = (uint8_t)(s >> 8);
	tcp[17] = (uint8_t)s;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t dmac[6], smac[6];
	struct in_addr a;
	struct ifreq ifr;
	struct sockaddr_ll sll;
	struct tpacket_req req;
	uint32_t src, net, hosts;
	unsigned len, batch = 256, slot = 0;
	double secs, t0, t;
	uint64_t queued = 0, next = 0;
	int fd, one = 1, ver = TPACKET_V2;
	uint8_t *ring;
	char *slash;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: tx_ring IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]\n");
		return 2;
	}
	slash = strchr(argv[4], '/');
	if (parse_mac(argv[2], dmac) != 0 || inet_pton(AF_INET, argv[3], &a) != 1 || slash == NULL) {
		fprintf(stderr, "tx_ring: bad MAC, source address or prefix\n");
		return 2;
	}
	src = ntohl(a.s_addr);
	*slash = '\0';
	len = (unsigned)atoi(slash + 1);
	secs = atof(argv[5]);
	if (argc == 7)
		batch = (unsigned)atoi(argv[6]);
	if (inet_pton(AF_INET, argv[4], &a) != 1 || len < 15 || len > 32 || secs <= 0 || secs > 60 ||
	    batch == 0 || batch > RING_FRAMES / 2) {
		fprintf(stderr, "tx_ring: prefix length 15..32, seconds 0..60, batch 1..%d\n", RING_FRAMES / 2);
		return 2;
	}
	net = ntohl(a.s_addr) & (len == 32 ? ~0u : ~((1u << (32 - len)) - 1));
	hosts = len == 32 ? 1 : 1u << (32 - len);
	if (!in_lab(src) || !in_lab(net) || !in_lab(net + hosts - 1)) {
		fprintf(stderr, "tx_ring: only 198.18.0.0/15 addresses (the lab's)\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("tx_ring: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		perror("tx_ring: interface");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		perror("tx_ring: interface");
		return 1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) != 0) {
		perror("tx_ring: PACKET_VERSION");
		return 1;
	}
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(&req, 0, sizeof(req));
	req.tp_block_size = RING_BLOCK;
	req.tp_frame_size = RING_FRAME;
	req.tp_block_nr = RING_FRAMES * RING_FRAME / RING_BLOCK;
	req.tp_frame_nr = RING_FRAMES;
	if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) != 0) {
		perror("tx_ring: PACKET_TX_RING");
		return 1;
	}
	ring = mmap(NULL, (size_t)RING_FRAMES * RING_FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		perror("tx_ring: mmap");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("tx_ring: bind");
		return 1;
	}
	t0 = now_s();
	do {
		unsigned filled = 0;

		while (filled < batch) {
			struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring + (size_t)slot * RING_FRAME);
			uint8_t *data = (uint8_t *)h + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);

			if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
				break; /* the kernel still owns this slot: kick and wait */
			build(data, dmac, smac, src, net + (uint32_t)(next % hosts), (uint16_t)(32768 + next % 16384));
			next++;
			h->tp_len = FRAME_LEN;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			slot = (slot + 1) % RING_FRAMES;
			filled++;
		}
		queued += filled;
		if (send(fd, NULL, 0, filled < batch ? 0 : MSG_DONTWAIT) < 0 && errno != EAGAIN &&
		    errno != ENOBUFS) {
			perror("tx_ring: send");
			return 1;
		}
		t = now_s();
	} while (t - t0 < secs);
	/* Blocking send: returns when every queued frame has left the ring. */
	(void)send(fd, NULL, 0, 0);
	t = now_s();
	printf("frames %llu seconds %.3f pps %.0f\n", (unsigned long long)queued, t - t0,
	       (double)queued / (t - t0));
	return 0;
}
