/*
 * fuzz_utf8.c — libFuzzer harness for the UTF-8 module (src/utf8.c) and the
 * escapers built on it (json_append_string, html_append).
 *   make build-fuzz/fuzz_utf8 && build-fuzz/fuzz_utf8 -max_total_time=60
 * Aborts unless, for any bytes:
 *  - walking the input with utf8_decode, each sequence it accepts is the
 *    shortest encoding of a scalar value (utf8_encode gives the same bytes
 *    back, so no overlong, surrogate or value above U+10FFFF passes), and
 *    each rejection names a maximal subpart of 1-3 bytes within the input;
 *  - utf8_valid agrees with that walk;
 *  - utf8_cut never passes the cap, keeps valid text valid and loses at most
 *    3 bytes to the cap;
 *  - json_append_string and html_append write valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report/html.h"
#include "strbuf.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cut(const uint8_t *data, size_t size, size_t cap, int valid)
{
	size_t cut = utf8_cut(data, size, cap);

	if (size <= cap) {
		if (cut != size)
			abort();
		return;
	}
	if (cut > cap || cap - cut > 3)
		abort();
	if (valid && !utf8_valid(data, cut))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out;
	unsigned char enc[4];
	size_t i = 0, k, bad;
	uint32_t cp;
	int valid = 1;
	char *z;

	while (i < size) {
		k = utf8_decode(data + i, size - i, &cp, &bad);
		if (k > 0) {
			if (utf8_encode(cp, enc) != k || memcmp(enc, data + i, k) != 0)
				abort();
			i += k;
			continue;
		}
		if (bad < 1 || bad > 3 || bad > size - i)
			abort();
		valid = 0;
		i += bad;
	}
	if (utf8_valid(data, size) != valid)
		abort();
	for (size_t cap = 0; cap <= size && cap < 16; cap++)
		check_cut(data, size, cap, valid);
	check_cut(data, size, size / 2, valid);

	sb_init(&out);
	json_append_string(&out, data, size);
	if (out.oom || !utf8_valid(out.p, out.len))
		abort();
	sb_reset(&out);
	z = malloc(size + 1); /* html_append reads a C string */
	if (z == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	html_append(&out, z, HTML_TEXT_MAX);
	if (out.oom || !utf8_valid(out.p, out.len))
		abort();
	free(z);
	sb_free(&out);
	return 0;
}
