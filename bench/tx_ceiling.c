/*
 * tx_ceiling.c — the send path's ceiling on this machine: the same SYN frame
 * (only the destination address and source port vary; both checksums summed
 * from scratch, a few hundred instructions, small beside the kernel's cost per
 * frame) sent in sendmmsg batches on an AF_PACKET socket with the qdisc
 * bypassed, as fast as the kernel takes it. No permutation, cookie,
 * pacing or table: what is left is the kernel's cost per frame, the floor
 * under portus's own send path (bench/send_path.sh runs both).
 *
 *   tx_ceiling IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]
 *
 * Refuses any address outside 198.18.0.0/15 (the lab's; see the traffic
 * rules in README.md). Prints "frames N seconds S pps P".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 58 /* Ethernet 14 + IPv4 20 + TCP 24 (MSS option) */
#define MAX_BATCH 1024

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

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	return s;
}

/* Writes a SYN from src to dst:dport with sport into f (checksums computed). */
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
	tcp[3] = 9; /* port 9 (discard) */
	tcp[12] = 6 << 4;
	tcp[13] = 0x02;
	tcp[14] = 0x04; /* window 1024 */
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
	static uint8_t frames[MAX_BATCH][FRAME_LEN];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	uint8_t dmac[6], smac[6];
	struct in_addr a;
	struct ifreq ifr;
	struct sockaddr_ll sll;
	uint32_t src, net, hosts;
	unsigned len, batch = 64;
	double secs, t0, t;
	uint64_t sent = 0, next = 0;
	int fd, one = 1;
	char *slash;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: tx_ceiling IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]\n");
		return 2;
	}
	slash = strchr(argv[4], '/');
	if (parse_mac(argv[2], dmac) != 0 || inet_pton(AF_INET, argv[3], &a) != 1 || slash == NULL) {
		fprintf(stderr, "tx_ceiling: bad MAC, source address or prefix\n");
		return 2;
	}
	src = ntohl(a.s_addr);
	*slash = '\0';
	len = (unsigned)atoi(slash + 1);
	secs = atof(argv[5]);
	if (argc == 7)
		batch = (unsigned)atoi(argv[6]);
	if (inet_pton(AF_INET, argv[4], &a) != 1 || len < 15 || len > 32 || secs <= 0 || secs > 60 ||
	    batch == 0 || batch > MAX_BATCH) {
		fprintf(stderr, "tx_ceiling: prefix length 15..32, seconds 0..60, batch 1..%d\n", MAX_BATCH);
		return 2;
	}
	net = ntohl(a.s_addr) & (len == 32 ? ~0u : ~((1u << (32 - len)) - 1));
	hosts = len == 32 ? 1 : 1u << (32 - len);
	if (!in_lab(src) || !in_lab(net) || !in_lab(net + hosts - 1)) {
		fprintf(stderr, "tx_ceiling: only 198.18.0.0/15 addresses (the lab's)\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("tx_ceiling: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	/* Two calls: the MAC and the index share the ifreq union. */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		perror("tx_ceiling: interface");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		perror("tx_ceiling: interface");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("tx_ceiling: bind");
		return 1;
	}
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (unsigned i = 0; i < batch; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	do {
		int r;

		for (unsigned i = 0; i < batch; i++, next++)
			build(frames[i], dmac, smac, src, net + (uint32_t)(next % hosts),
			      (uint16_t)(32768 + next % 16384));
		r = sendmmsg(fd, msgs, batch, 0);
		if (r > 0)
			sent += (uint64_t)r;
		t = now_s();
	} while (t - t0 < secs);
	printf("frames %llu seconds %.3f pps %.0f\n", (unsigned long long)sent, t - t0,
	       (double)sent / (t - t0));
	close(fd);
	return 0;
}
