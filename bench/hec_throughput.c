/*
 * hec_throughput.c — events per second through the --hec-url writer (HEC
 * envelopes, batching, the sender thread and its HTTP client) to a collector.
 *
 * Feeds N open-port records (distinct addresses and ports, as a scan makes
 * them) to writer_hec_http_open, then closes it: close() returns when the
 * queue is drained, so N / (time from the first record to close()) is what
 * the collector accepted per second, end to end. Exit 1 when close() reports
 * undelivered events.
 *
 * Usage: hec_throughput URL TOKEN N
 * Run by bench/hec_throughput.sh (a namespace of its own, the test receiver
 * tests/lab/hec_receiver.py, which checks every event it gets).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "portus.h"
#include "scan_record.h"
#include "writer.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct hec_target t = { 0 };
	struct run_info ri;
	struct writer *w;
	char err[PORTUS_ERRLEN];
	uint64_t n;
	double t0, t1;
	int rc;

	if (argc != 4 || (n = strtoull(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "usage: hec_throughput URL TOKEN N\n");
		return 2;
	}
	t.url = argv[1];
	t.token = argv[2];
	memset(&ri, 0, sizeof(ri));
	ri.scanner_ip = 0xc6120002u; /* 198.18.0.2 */
	snprintf(ri.hostname, sizeof(ri.hostname), "bench-scanner");
	if ((w = writer_hec_http_open(&t, &ri, err, sizeof(err))) == NULL) {
		fprintf(stderr, "hec_throughput: %s\n", err);
		return 1;
	}
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		struct port_record r;

		memset(&r, 0, sizeof(r));
		r.ip = addr_from_v4(0xc6130000u + (uint32_t)(i / 5)); /* 198.19.0.0/16 on */
		r.port = (uint16_t)(80 + i % 5);
		r.state = PS_OPEN;
		r.reason = R_SYN_ACK;
		r.has_reply = 1;
		r.ttl = 64;
		r.time_us = 1764990000000000LL + (int64_t)i;
		if (w->ops->port(w, &r) != 0) {
			fprintf(stderr, "hec_throughput: write failed at event %" PRIu64 "\n", i);
			return 1;
		}
	}
	rc = w->ops->close(w);
	t1 = now_s();
	printf("events %" PRIu64 " seconds %.3f events_per_s %.0f close %d\n", n, t1 - t0,
	       (double)n / (t1 - t0), rc);
	return rc == 0 ? 0 : 1;
}
