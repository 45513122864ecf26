/*
 * fuzz_hsts.c — libFuzzer harness for the Strict-Transport-Security parser
 * (src/tls/hsts.c) and the banner parser that finds the header
 * (src/tls/banner.c).
 *   make build-fuzz/fuzz_hsts && build-fuzz/fuzz_hsts -max_total_time=60
 * Aborts unless, for any bytes:
 *  - tls_hsts_parse sets present, and valid exactly when error is NULL;
 *    a valid header has 0 <= max_age <= 2^31 - 1; an invalid one names a
 *    non-empty error;
 *  - the verdict does not depend on bytes past len (the input is copied into
 *    a buffer of exactly its size, so ASan catches any read beyond);
 *  - banner_parse of "HTTP/1.1 200 OK\r\nStrict-Transport-Security:" + bytes
 *    gives the same verdict as parsing the bytes up to the first line end
 *    (minus a trailing CR and whitespace).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/banner.h"
#include "tls_hsts.h"
#include "tls_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_verdict(const struct tls_hsts *h)
{
	if (!h->present || h->valid != (h->error == NULL))
		abort();
	if (h->valid && (h->max_age < 0 || h->max_age > TLS_HSTS_MAX_AGE_CAP))
		abort();
	if (!h->valid && h->error[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nStrict-Transport-Security:";
	unsigned char *copy = malloc(size > 0 ? size : 1);
	unsigned char *resp = malloc(sizeof(head) - 1 + size);
	struct tls_hsts direct, line;
	struct tls_result r;
	size_t n = 0;

	if (copy == NULL || resp == NULL)
		abort();
	memcpy(copy, data, size);
	(void)tls_hsts_parse(copy, size, &direct);
	check_verdict(&direct);

	/* The header as the banner carries it: one line, trimmed. */
	while (n < size && copy[n] != '\n')
		n++;
	if (n > 0 && copy[n - 1] == '\r')
		n--;
	memcpy(resp, head, sizeof(head) - 1);
	memcpy(resp + sizeof(head) - 1, data, size);
	memset(&r, 0, sizeof(r));
	if (banner_parse(&r, resp, sizeof(head) - 1 + size, 0) == 0) {
		size_t s = 0, e = n;

		while (s < e && (copy[s] == ' ' || copy[s] == '\t'))
			s++;
		while (e > s && (copy[e - 1] == ' ' || copy[e - 1] == '\t'))
			e--;
		(void)tls_hsts_parse(copy + s, e - s, &line);
		if (!r.hsts.present || r.hsts.valid != line.valid ||
		    r.hsts.max_age != line.max_age ||
		    r.hsts.include_subdomains != line.include_subdomains ||
		    r.hsts.preload != line.preload)
			abort();
		check_verdict(&r.hsts);
	}
	tls_result_free(&r);
	free(resp);
	free(copy);
	return 0;
}
