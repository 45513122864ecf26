/*
 * fuzz_json.c — libFuzzer harness for json_append_string.
 *   make build-fuzz/fuzz_json && build-fuzz/fuzz_json -max_total_time=30
 * Aborts unless the output is one quoted string with no raw control byte or
 * DEL, and is valid UTF-8 (utf8_decode, which fuzz_utf8.c and test_utf8.c
 * check on their own).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "strbuf.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		if ((k = utf8_decode(p + i, out.len - 1 - i, NULL, NULL)) == 0)
			abort();
	}
	sb_free(&out);
	return 0;
}
