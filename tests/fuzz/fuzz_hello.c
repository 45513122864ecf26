/*
 * fuzz_hello.c — libFuzzer harness for the raw TLS answer parser
 * (src/tls/hello.c): the input is what a server sends after a ClientHello.
 * The first byte picks the read size (1-256 bytes per tlsh_feed call, as
 * records split across reads would come); the rest goes through the reader,
 * and, whole, through tlsh_parse_server_hello. Every parsed ServerHello gets
 * JA3S and JA4S and is handed to the --tls-ciphers algorithm
 * (src/tls/enumerate.c) as the answer of each chain. Built by `make fuzz`.
 * Aborts when a promise breaks: the status is sticky, a ServerHello holds
 * only what its header allowed, fingerprints have their fixed shapes.
 * A seed: a server's first flight, e.g. the ServerHello of test_tls_hello.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/enumerate.h"
#include "tls_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fingerprints(const struct tlsh_server_hello *sh)
{
	char ja3[33], ja4[26], str[512];

	if (sh->alpn_len > sizeof(sh->alpn))
		abort();
	if (tlsh_ja3s(sh, ja3, str, sizeof(str)) == 0) {
		if (strlen(ja3) != 32 || strspn(ja3, "0123456789abcdef") != 32)
			abort();
	} else if (sh->next <= TLSH_MAX_EXTS) {
		abort();
	}
	if (tlsh_ja4s(sh, ja4) == 0) {
		if (strlen(ja4) != 25 || ja4[7] != '_' || ja4[12] != '_' ||
		    strspn(ja4,
			   "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != 25)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsh_reader r;
	static struct tls_enum e;
	static struct tls_ciphers out;
	static const uint8_t rnd[64];
	uint8_t hello[TLSH_HELLO_MAX];
	struct tlsh_server_hello sh;
	const char *why = NULL;
	size_t step, off;
	enum tlsh_status st = TLSH_MORE;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;

	tlsh_reader_init(&r);
	for (off = 0; off < size; off += step) {
		size_t k = size - off < step ? size - off : step;
		enum tlsh_status s2 = tlsh_feed(&r, data + off, k);

		if (st != TLSH_MORE && s2 != st)
			abort(); /* sticky */
		st = s2;
	}
	if (st == TLSH_ERROR && r.why == NULL)
		abort();
	if (r.msg_len > sizeof(r.msg) || r.total > TLSH_READ_MAX)
		abort();
	if (st == TLSH_SERVER_HELLO)
		check_fingerprints(&r.sh);

	if (tlsh_parse_server_hello(data, size, &sh, &why) == 0)
		check_fingerprints(&sh);
	else if (why == NULL)
		abort();

	/* Each chain of the enumeration, answered with what was read. */
	tls_enum_init(&e, &out, step % 2 ? TLSH_TLS13 : TLSH_TLS12, "fuzz.test");
	for (int k = 0; k < TLS_ENUM_CHAINS; k++)
		for (int i = 0; i < 3 && tls_enum_next(&e, k, rnd, hello, sizeof(hello)) > 0; i++)
			tls_enum_answer(&e, k, st, &r.sh);
	for (int v = 0; v < 4; v++)
		if (out.n[v] > TLS_ENUM_MAX_SUITES)
			abort();
	if (out.ngroups > TLS_ENUM_MAX_GROUPS)
		abort();
	return 0;
}
