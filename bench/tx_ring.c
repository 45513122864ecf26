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
#include <errno.h>
#include <sys/mman.h>

#include "tx_common.h"

#define RING_FRAME 128 /* TPACKET2_HDRLEN + 58, aligned */
#define RING_FRAMES 8192
#define RING_BLOCK 4096

int main(int argc, char **argv)
{
	struct tx_args a = { .batch = 256 };
	uint8_t smac[6];
	struct sockaddr_ll sll;
	struct tpacket_req req;
	unsigned slot = 0;
	double t0, t;
	uint64_t queued = 0, next = 0;
	int fd, one = 1, ver = TPACKET_V2, ifindex, rc;
	uint8_t *ring;

	rc = tx_parse_args(argc, argv, "tx_ring", RING_FRAMES / 2, &a);
	if (rc != 0)
		return rc;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("tx_ring: socket");
		return 1;
	}
	if (tx_interface(fd, argv[1], "tx_ring", smac, &ifindex) != 0)
		return 1;
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
	ring = mmap(NULL, (size_t)RING_FRAMES * RING_FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
	if (ring == MAP_FAILED) {
		perror("tx_ring: mmap");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("tx_ring: bind");
		return 1;
	}
	t0 = now_s();
	do {
		unsigned filled = 0;

		while (filled < a.batch) {
			struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring +
									 (size_t)slot * RING_FRAME);
			uint8_t *data = (uint8_t *)h + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);

			if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
				break; /* the kernel still owns this slot: kick and wait */
			build(data, a.dmac, smac, a.src, a.net + (uint32_t)(next % a.hosts),
			      (uint16_t)(32768 + next % 16384));
			next++;
			h->tp_len = FRAME_LEN;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			slot = (slot + 1) % RING_FRAMES;
			filled++;
		}
		queued += filled;
		if (send(fd, NULL, 0, filled < a.batch ? 0 : MSG_DONTWAIT) < 0 && errno != EAGAIN &&
		    errno != ENOBUFS) {
			perror("tx_ring: send");
			return 1;
		}
		t = now_s();
	} while (t - t0 < a.secs);
	/* Blocking send: returns when every queued frame has left the ring. */
	(void)send(fd, NULL, 0, 0);
	t = now_s();
	printf("frames %llu seconds %.3f pps %.0f\n", (unsigned long long)queued, t - t0,
	       (double)queued / (t - t0));
	return 0;
}
