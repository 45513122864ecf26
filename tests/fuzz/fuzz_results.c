/*
 * fuzz_results.c — libFuzzer harness for the result-file reader: the strict
 * JSON parser (src/results/jsonread.c) on the raw input, then results_load
 * (src/results/reader.c) on the same bytes as a file, then merge's and diff's
 * normalisation on what was read.
 *   make fuzz   (builds build-fuzz/fuzz_results with the rest)
 * Aborts if a parse that succeeded left a string that is not NUL-terminated
 * where its length says, if a loaded set is out of order after
 * sweep_normalize, or if an address read does not survive text and back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "addr.h"
#include "result_file.h"
#include "results/jsonread.h"
#include "sweep/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct jr_value *v, int depth)
{
	if (depth > JR_MAX_DEPTH + 1)
		abort();
	if (v->type == JR_STRING && v->s[v->len] != '\0')
		abort();
	for (const struct jr_value *c = v->child; c != NULL; c = c->next)
		walk(c, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct jr_doc doc;
	struct result_set rs;
	char err[512];
	FILE *fp;

	if (jr_parse(&doc, (const char *)data, size, err, sizeof(err)) == 0)
		walk(doc.root, 1);
	jr_free(&doc);

	/* An in-memory file, reopened by path through /proc: nothing on disk. */
	if (path[0] == '\0') {
		int fd = memfd_create("fuzz_results", 0);

		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
	results_init(&rs);
	(void)results_load(&rs, path, err, sizeof(err));
	sweep_normalize(&rs);
	for (size_t i = 1; i < rs.nports; i++) {
		int c = addr_order(rs_port_ip(&rs, &rs.ports[i - 1]),
				   rs_port_ip(&rs, &rs.ports[i]));

		/* the compact order (v6, pool index) is the address order */
		if (c != rs_port_addr_cmp(&rs.ports[i - 1], &rs.ports[i]))
			abort();

		if (c > 0 || (c == 0 && rs.ports[i - 1].port >= rs.ports[i].port))
			abort();
	}
	/* Every address read (IPv4 or IPv6, any spelling) prints as text that
	 * reads back as the same address: what merge writes, diff and report
	 * show, --resume matches. */
	for (size_t i = 0; i < rs.nports + rs.nhosts; i++) {
		ip_addr a = i < rs.nports ? rs_port_ip(&rs, &rs.ports[i])
					  : rs.hosts[i - rs.nports].ip,
			b;
		char text[ADDR_STR_MAX];
		const char *why;
		size_t n = addr_to_str(a, text);

		if (n != strlen(text) || addr_parse(text, n, &b, &why) != 0 || !addr_eq(a, b))
			abort();
	}
	for (size_t i = 1; i < rs.ntls; i++)
		if (sweep_tls_cmp(&rs.tls[i - 1], &rs.tls[i]) >= 0)
			abort();
	results_free(&rs);
	return 0;
}
