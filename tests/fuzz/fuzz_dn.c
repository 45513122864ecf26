/*
 * fuzz_dn.c — libFuzzer harness for dn_walk (src/tls/dn.c), which walks
 * the RFC 4514 subject/issuer text of hostile certificates for ECS. The
 * scratch buffer is exactly the input's size (ASan catches a write past it);
 * aborts when an attribute's type lies outside the input, a value is longer
 * than the input, or more attributes are reported than the input has bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/dn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	const unsigned char *in;
	size_t len, calls;
};

static void on_attr(void *ctx, const char *type, size_t type_len, const unsigned char *val,
		    size_t val_len)
{
	struct walk *w = ctx;
	const unsigned char *t = (const unsigned char *)type;

	w->calls++;
	if (type_len == 0 || t < w->in || t + type_len > w->in + w->len || val_len > w->len)
		abort();
	if (val_len > 0 && val == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = malloc(size ? size : 1), *scratch = malloc(size ? size : 1);
	struct walk w = { in, size, 0 };
	size_t n;

	if (in == NULL || scratch == NULL)
		abort();
	memcpy(in, data, size);
	n = dn_walk(in, size, scratch, on_attr, &w);
	if (n != w.calls || n > size)
		abort();
	free(in);
	free(scratch);
	return 0;
}
