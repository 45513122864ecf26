/*
 * record_format.c — the cost of formatting one JSON record, no I/O: an ECS
 * port record, a native host record, a native TLS record and an ECS TLS
 * record (a plain TLS 1.3 answer without a certificate), each formatted N
 * times into one reused buffer (N/10 times for the TLS records).
 *
 * Wall time on a shared VM is noise; the comparison in bench/README.md
 * ("JSON records") counts instructions with callgrind instead:
 *
 *   cc -std=c11 -O2 -g -D_GNU_SOURCE -Iinclude -Isrc -Ibuild/gen \
 *      -o /tmp/record_format bench/record_format.c build/libportus.a \
 *      -pthread -lpcap -ldumbnet -lcurl -lssl -lcrypto -lcares -lm
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out /tmp/record_format 10000
 *   callgrind_annotate --inclusive=yes /tmp/cg.out | grep -E '_format \['
 *
 * (inclusive instructions of each *_format function, over N = 10,000 records,
 * 1,000 for the TLS ones). Without valgrind it prints ns per record.
 *
 * Usage: record_format [N]   (default 1,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/ecs.h"
#include "output/native.h"
#include "strbuf.h"
#include "tls_json.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000000;
	struct port_record p;
	struct host_record h;
	struct tls_result r;
	struct run_info ri;
	struct ecs_ctx ec;
	struct strbuf b;
	double t[5];
	int oom;

	if (n < 10) {
		fprintf(stderr, "usage: record_format [N >= 10]\n");
		return 2;
	}
	memset(&ri, 0, sizeof(ri));
	ri.scanner_ip = 0xc6120002; /* 198.18.0.2 */
	strcpy(ri.ifname, "eth0");
	strcpy(ri.hostname, "scanner");
	memset(&p, 0, sizeof(p));
	p.ip = addr_from_v4(0xc6120010); /* 198.18.0.16 */
	p.port = 443;
	p.sport = 61000;
	p.state = PS_OPEN;
	p.reason = 1;
	p.has_reply = 1;
	p.ttl = 64;
	p.time_us = 1767225600000000LL;
	memset(&h, 0, sizeof(h));
	h.ip = p.ip;
	h.up = 1;
	h.time_us = p.time_us;
	memset(&r, 0, sizeof(r));
	r.ip = p.ip;
	r.port = 443;
	strcpy(r.version, "TLSv1.3");
	strcpy(r.cipher, "TLS_AES_256_GCM_SHA384");
	strcpy(r.sni, "www.example.test");
	r.end_us = p.time_us;
	sb_init(&b);
	if (ecs_ctx_init(&ec, &ri) != 0)
		return 1;

	t[0] = now();
	for (int i = 0; i < n; i++) {
		sb_reset(&b);
		ecs_port_format(&b, &ec, &p);
	}
	t[1] = now();
	for (int i = 0; i < n; i++) {
		sb_reset(&b);
		native_host_format(&b, &h);
	}
	t[2] = now();
	for (int i = 0; i < n / 10; i++) {
		sb_reset(&b);
		tls_json_format(&b, &r);
	}
	t[3] = now();
	for (int i = 0; i < n / 10; i++) {
		sb_reset(&b);
		ecs_tls_format(&b, &ec, &r);
	}
	t[4] = now();
	printf("ns per record: ecs port %.0f, native host %.0f, native tls %.0f, ecs tls %.0f\n",
	       (t[1] - t[0]) * 1e9 / n, (t[2] - t[1]) * 1e9 / n, (t[3] - t[2]) * 1e9 / (n / 10),
	       (t[4] - t[3]) * 1e9 / (n / 10));
	oom = b.oom;
	ecs_ctx_free(&ec);
	sb_free(&b);
	return oom;
}
