/*
 * fuzz_json.c — libFuzzer harness for json_append_string.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude \
 *         tests/fuzz/fuzz_json.c src/json.c src/strbuf.c -o fuzz_json
 *   ./fuzz_json -max_total_time=30
 * Aborts unless the output is one quoted string with no raw control byte or
 * DEL, and is valid UTF-8 by a decoder independent of json.c's table.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at s (n >= 1 bytes left), else 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out;
	const unsigned char *p;
	size_t i, k;

	sb_init(&out);
	json_append_string(&out, data, size);
	if (out.oom || out.len < 2 || out.p[0] != '"' || out.p[out.len - 1] != '"')
		abort();
	p = (const unsigned char *)out.p;
	for (i = 1; i < out.len - 1; i += k) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"')
			abort();
		if (p[i] == '\\') { /* the escaper emits only \" \\ \b \f \n \r \t \u00XX */
			k = p[i + 1] == 'u' ? 6 : 2;
			if (i + k > out.len - 1)
				abort();
			continue;
		}
		if ((k = utf8_len(p + i, out.len - 1 - i)) == 0)
			abort();
	}
	sb_free(&out);
	return 0;
}
