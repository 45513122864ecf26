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
#include "tx_common.h"

#define MAX_BATCH 1024

int main(int argc, char **argv)
{
	static uint8_t frames[MAX_BATCH][FRAME_LEN];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct tx_args a = { .batch = 64 };
	uint8_t smac[6];
	struct sockaddr_ll sll;
	double t0, t;
	uint64_t sent = 0, next = 0;
	int fd, one = 1, ifindex, rc;

	rc = tx_parse_args(argc, argv, "tx_ceiling", MAX_BATCH, &a);
	if (rc != 0)
		return rc;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("tx_ceiling: socket");
		return 1;
	}
	if (tx_interface(fd, argv[1], "tx_ceiling", smac, &ifindex) != 0)
		return 1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("tx_ceiling: bind");
		return 1;
	}
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (unsigned i = 0; i < a.batch; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	do {
		int r;

		for (unsigned i = 0; i < a.batch; i++, next++)
			build(frames[i], a.dmac, smac, a.src, a.net + (uint32_t)(next % a.hosts),
			      (uint16_t)(32768 + next % 16384));
		r = sendmmsg(fd, msgs, a.batch, 0);
		if (r > 0)
			sent += (uint64_t)r;
		t = now_s();
	} while (t - t0 < a.secs);
	printf("frames %llu seconds %.3f pps %.0f\n", (unsigned long long)sent, t - t0,
	       (double)sent / (t - t0));
	close(fd);
	return 0;
}
