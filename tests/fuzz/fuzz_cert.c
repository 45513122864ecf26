/*
 * fuzz_cert.c — libFuzzer harness for the certificate-to-record path: the
 * input is DER for d2i_X509; the certificate goes through tls_chain_extract
 * (src/tls/cert.c) alone and as a 12-deep chain, then every format that
 * carries certificate strings: tls_json_format (src/output/tls_json.c), the
 * ECS record (ecs_tls.c, which also walks the DNs) and the CEF line (cef.c). Built by `make fuzz`. A seed: any DER certificate,
 *   openssl x509 -in cert.pem -outform DER -out corpus/seed.der
 * Aborts when a promise breaks: caps kept, each record is one line under its
 * format's cap, with no raw control byte, and valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "addr.h"
#include "output/cef.h"
#include "output/ecs.h"
#include "strbuf.h"
#include "tls_json.h"
#include "tls_record.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1800000000LL /* fixed, so a crash replays */

static void check_caps(const struct tls_chain_info *ci)
{
	const struct tls_cert_info *c = &ci->leaf;
	const struct tls_name_list *lists[] = { &c->subject_cn, &c->san_dns, &c->san_ip };

	if (ci->chain_len > TLS_MAX_CHAIN || ci->chain_len > ci->chain_total ||
	    c->subject_dn.len > TLS_MAX_NAME_BYTES || c->issuer_dn.len > TLS_MAX_NAME_BYTES ||
	    strlen(c->serial_hex) > 2 * TLS_MAX_SERIAL_BYTES + 1 ||
	    memchr(ci->truncated_fields, '\0', sizeof(ci->truncated_fields)) == NULL)
		abort();
	for (size_t i = 0; i < 3; i++) {
		if (lists[i]->n > TLS_MAX_NAMES)
			abort();
		for (size_t j = 0; j < lists[i]->n; j++)
			if (lists[i]->v[j].len > TLS_MAX_NAME_BYTES ||
			    lists[i]->v[j].p[lists[i]->v[j].len] != '\0')
				abort();
	}
}

/* One output line: within cap, starting with `head`, no raw control byte, valid UTF-8. */
static void check_line(const struct strbuf *b, size_t cap, const char *head)
{
	const unsigned char *p = (const unsigned char *)b->p;
	size_t i, k, hl = strlen(head);

	if (b->oom || b->len < hl || b->len > cap || memcmp(b->p, head, hl) != 0)
		abort();
	for (i = 0; i < b->len; i += k) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
		if ((k = utf8_decode(p + i, b->len - i, NULL, NULL)) == 0)
			abort();
	}
}

/* The same record through every format that carries certificate strings. */
static void check_record(const struct tls_result *r)
{
	static struct run_info ri = { .scanner_ip = 0xc6120001, /* 198.18.0.1 */
				      .scanner_ip6 = { (u128)0x20010db8 << 96 |
						       1 }, /* 2001:db8::1 */
				      .hostname = "fuzz" };
	struct ecs_ctx ctx;
	struct strbuf b;

	sb_init(&b);
	tls_json_format(&b, r);
	check_line(&b, TLS_JSON_MAX_RECORD, "{");
	if (b.p[b.len - 1] != '}')
		abort();
	sb_reset(&b);
	if (ecs_ctx_init(&ctx, &ri) != 0)
		abort();
	ecs_tls_format(&b, &ctx, r);
	ecs_ctx_free(&ctx);
	check_line(&b, ECS_MAX_RECORD, "{\"@timestamp\":");
	sb_reset(&b);
	cef_tls_format(&b, r, &ri);
	check_line(&b, CEF_MAX_LINE, "CEF:0|portus|");
	sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *in = data;
	STACK_OF(X509) * sk;
	struct tls_result r;
	X509 *x;

	if (size > 64 * 1024 || size > (size_t)INT32_MAX)
		return 0;
	x = d2i_X509(NULL, &in, (long)size);
	if (x == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(0xc612000a); /* 198.18.0.10 */
	r.port = 443;
	r.outcome = TLS_OK;
	if (tls_chain_extract(&r.certs, x, NULL, FUZZ_NOW, 1) == 0) {
		check_caps(&r.certs);
		check_record(&r);
	}
	tls_result_free(&r);

	/* The same certificate as every link of a too-long chain. */
	sk = sk_X509_new_null();
	for (int i = 0; sk != NULL && i < TLS_MAX_CHAIN + 2; i++)
		if (!sk_X509_push(sk, x))
			break;
	if (sk != NULL) {
		memset(&r, 0, sizeof(r));
		r.ip.v = (u128)0x20010db8 << 96 | 0xa; /* 2001:db8::a: the IPv6 record path */
		r.port = 8443;
		r.outcome = TLS_OK;
		if (tls_chain_extract(&r.certs, NULL, sk, FUZZ_NOW, 0) == 0) {
			check_caps(&r.certs);
			if (r.certs.chain_total != TLS_MAX_CHAIN + 2 || !r.certs.truncated)
				abort();
			check_record(&r);
		}
		tls_result_free(&r);
		sk_X509_free(sk); /* borrowed entries: x is freed once below */
	}
	X509_free(x);
	return 0;
}
