/*
 * tx_common.h — what the bare senders (tx_ceiling.c, tx_ring.c) share: their
 * command line, the lab-only address check, the interface lookup and the SYN
 * frame they send. A header of static functions: each is one small program.
 *
 *   PROG IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]
 */
#ifndef PORTUS_BENCH_TX_COMMON_H
#define PORTUS_BENCH_TX_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
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

struct tx_args {
	uint8_t dmac[6];
	uint32_t src, net, hosts; /* host order; targets net .. net + hosts - 1 */
	double secs;
	unsigned batch;
};

/* Parses the command line into *a. Returns 0, or 2 (the exit code) after a
 * message: bad syntax, or any address outside 198.18.0.0/15 (the lab's). */
static int tx_parse_args(int argc, char **argv, const char *prog, unsigned max_batch,
			 struct tx_args *a)
{
	struct in_addr in;
	unsigned len;
	char *slash;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: %s IFNAME DST_MAC SRC_IP PREFIX/LEN SECONDS [BATCH]\n", prog);
		return 2;
	}
	slash = strchr(argv[4], '/');
	if (parse_mac(argv[2], a->dmac) != 0 || inet_pton(AF_INET, argv[3], &in) != 1 || slash == NULL) {
		fprintf(stderr, "%s: bad MAC, source address or prefix\n", prog);
		return 2;
	}
	a->src = ntohl(in.s_addr);
	*slash = '\0';
	len = (unsigned)atoi(slash + 1);
	a->secs = atof(argv[5]);
	if (argc == 7)
		a->batch = (unsigned)atoi(argv[6]);
	if (inet_pton(AF_INET, argv[4], &in) != 1 || len < 15 || len > 32 || a->secs <= 0 ||
	    a->secs > 60 || a->batch == 0 || a->batch > max_batch) {
		fprintf(stderr, "%s: prefix length 15..32, seconds 0..60, batch 1..%u\n", prog, max_batch);
		return 2;
	}
	a->net = ntohl(in.s_addr) & (len == 32 ? ~0u : ~((1u << (32 - len)) - 1));
	a->hosts = len == 32 ? 1 : 1u << (32 - len);
	if (!in_lab(a->src) || !in_lab(a->net) || !in_lab(a->net + a->hosts - 1)) {
		fprintf(stderr, "%s: only 198.18.0.0/15 addresses (the lab's)\n", prog);
		return 2;
	}
	return 0;
}

/* The MAC and index of interface ifname, through any socket fd. 0 or -1 (perror'd). */
static int tx_interface(int fd, const char *ifname, const char *prog, uint8_t *smac, int *ifindex)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	/* Two calls: the MAC and the index share the ifreq union. */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		fprintf(stderr, "%s: interface %s: %s\n", prog, ifname, strerror(errno));
		return -1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		fprintf(stderr, "%s: interface %s: %s\n", prog, ifname, strerror(errno));
		return -1;
	}
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

#endif
