/*
 * hello.c — raw ClientHello, bounded ServerHello/alert reader, JA3S/JA4S
 * (include/tls_hello.h).
 *
 * Parsing follows tcpdump's discipline: every read goes through a cursor
 * that knows how many bytes are left and fails instead of reading past them;
 * nested lengths (extensions block, one extension, a list inside it) open a
 * sub-cursor that must be consumed exactly.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls_hello.h"

/* ---- tables ---- */

struct suite {
	uint16_t id;
	const char *name;
};

/* IANA names. PSK, SRP and Kerberos suites are left out: a server picks them
 * only for a client holding a PSK / SRP identity. */
static const struct suite suites[] = {
	/* TLS 1.3 */
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
	/* ECDHE, AEAD */
	{ 0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
	{ 0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
	{ 0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
	{ 0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
	{ 0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256" },
	{ 0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384" },
	{ 0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256" },
	{ 0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384" },
	/* ECDHE, CBC */
	{ 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384" },
	{ 0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384" },
	{ 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA" },
	{ 0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA" },
	{ 0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA" },
	{ 0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA" },
	/* DHE */
	{ 0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256" },
	{ 0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384" },
	{ 0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM" },
	{ 0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM" },
	{ 0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8" },
	{ 0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8" },
	{ 0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256" },
	{ 0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384" },
	{ 0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256" },
	{ 0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384" },
	{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256" },
	{ 0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256" },
	{ 0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA" },
	{ 0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA" },
	{ 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA" },
	{ 0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA" },
	{ 0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	/* static RSA */
	{ 0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xC09C, "TLS_RSA_WITH_AES_128_CCM" },
	{ 0xC09D, "TLS_RSA_WITH_AES_256_CCM" },
	{ 0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8" },
	{ 0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8" },
	{ 0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256" },
	{ 0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384" },
	{ 0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0096, "TLS_RSA_WITH_SEED_CBC_SHA" },
	{ 0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA" },
	{ 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0009, "TLS_RSA_WITH_DES_CBC_SHA" },
	{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA" },
	{ 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
	{ 0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5" },
	{ 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5" },
	{ 0x003B, "TLS_RSA_WITH_NULL_SHA256" },
	{ 0x0002, "TLS_RSA_WITH_NULL_SHA" },
	{ 0x0001, "TLS_RSA_WITH_NULL_MD5" },
	/* static (EC)DH */
	{ 0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA" },
	{ 0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA" },
	{ 0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA" },
	{ 0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA" },
	{ 0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA" },
	{ 0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA" },
	{ 0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	/* anonymous */
	{ 0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA" },
	{ 0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA" },
	{ 0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA" },
	{ 0xC015, "TLS_ECDH_anon_WITH_NULL_SHA" },
	{ 0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256" },
	{ 0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384" },
	{ 0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256" },
	{ 0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256" },
	{ 0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256" },
	{ 0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256" },
	{ 0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA" },
	{ 0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA" },
	{ 0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA" },
	{ 0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA" },
	{ 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5" },
	{ 0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5" },
};

#define NSUITES (sizeof(suites) / sizeof(suites[0]))

struct group {
	uint16_t id;
	const char *name;
};

static const struct group groups[] = {
	{ 0x0013, "prime192v1" },
	{ 0x0015, "secp224r1" },
	{ 0x0017, "secp256r1" },
	{ 0x0018, "secp384r1" },
	{ 0x0019, "secp521r1" },
	{ 0x001A, "brainpoolP256r1" },
	{ 0x001B, "brainpoolP384r1" },
	{ 0x001C, "brainpoolP512r1" },
	{ 0x001D, "x25519" },
	{ 0x001E, "x448" },
	{ 0x001F, "brainpoolP256r1tls13" },
	{ 0x0020, "brainpoolP384r1tls13" },
	{ 0x0021, "brainpoolP512r1tls13" },
	{ 0x0100, "ffdhe2048" },
	{ 0x0101, "ffdhe3072" },
	{ 0x0102, "ffdhe4096" },
	{ 0x0103, "ffdhe6144" },
	{ 0x0104, "ffdhe8192" },
	{ 0x11EB, "SecP256r1MLKEM768" },
	{ 0x11EC, "X25519MLKEM768" },
	{ 0x11ED, "SecP384r1MLKEM1024" },
};

const uint16_t tlsh_default_sigalgs[] = {
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
	0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301,
	0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
};
const size_t tlsh_default_nsigalgs = sizeof(tlsh_default_sigalgs) / sizeof(tlsh_default_sigalgs[0]);

const char *tlsh_suite_name(uint16_t id)
{
	for (size_t i = 0; i < NSUITES; i++)
		if (suites[i].id == id)
			return suites[i].name;
	return NULL;
}

size_t tlsh_suite_count(void)
{
	return NSUITES;
}

uint16_t tlsh_suite_at(size_t i)
{
	return i < NSUITES ? suites[i].id : 0;
}

int tlsh_suite_is_tls13(uint16_t id)
{
	return (id >> 8) == 0x13;
}

int tlsh_suite_needs_tls12(uint16_t id)
{
	const char *n = tlsh_suite_name(id);

	if (n == NULL || tlsh_suite_is_tls13(id))
		return 0;
	return strstr(n, "_SHA256") != NULL || strstr(n, "_SHA384") != NULL ||
	       strstr(n, "_GCM") != NULL || strstr(n, "_CCM") != NULL ||
	       strstr(n, "CHACHA20") != NULL;
}

int tlsh_suite_is_ecdhe(uint16_t id)
{
	const char *n = tlsh_suite_name(id);

	return n != NULL && strncmp(n, "TLS_ECDHE_", 10) == 0;
}

const char *tlsh_group_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return groups[i].name;
	return NULL;
}

size_t tlsh_group_count(void)
{
	return sizeof(groups) / sizeof(groups[0]);
}

uint16_t tlsh_group_at(size_t i)
{
	return i < tlsh_group_count() ? groups[i].id : 0;
}

/* RFC 8446 6 (and RFC 5246 7.2 for the retired ones) names; the TLS stage's
 * alert records use the same table. */
const char *tlsh_alert_name(int d)
{
	static const struct {
		int code;
		const char *name;
	} t[] = {
		{ 0, "close_notify" },
		{ 10, "unexpected_message" },
		{ 20, "bad_record_mac" },
		{ 21, "decryption_failed" },
		{ 22, "record_overflow" },
		{ 30, "decompression_failure" },
		{ 40, "handshake_failure" },
		{ 41, "no_certificate" },
		{ 42, "bad_certificate" },
		{ 43, "unsupported_certificate" },
		{ 44, "certificate_revoked" },
		{ 45, "certificate_expired" },
		{ 46, "certificate_unknown" },
		{ 47, "illegal_parameter" },
		{ 48, "unknown_ca" },
		{ 49, "access_denied" },
		{ 50, "decode_error" },
		{ 51, "decrypt_error" },
		{ 60, "export_restriction" },
		{ 70, "protocol_version" },
		{ 71, "insufficient_security" },
		{ 80, "internal_error" },
		{ 86, "inappropriate_fallback" },
		{ 90, "user_canceled" },
		{ 100, "no_renegotiation" },
		{ 109, "missing_extension" },
		{ 110, "unsupported_extension" },
		{ 111, "certificate_unobtainable" },
		{ 112, "unrecognized_name" },
		{ 113, "bad_certificate_status_response" },
		{ 114, "bad_certificate_hash_value" },
		{ 115, "unknown_psk_identity" },
		{ 116, "certificate_required" },
		{ 120, "no_application_protocol" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == d)
			return t[i].name;
	return NULL;
}

/* ---- ClientHello ---- */

/* A bounded writer: every put checks the room; a failed put sticks. */
struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

static void put8(struct wbuf *w, unsigned v)
{
	if (w->bad || w->len + 1 > w->cap) {
		w->bad = 1;
		return;
	}
	w->p[w->len++] = (uint8_t)v;
}

static void put16(struct wbuf *w, unsigned v)
{
	put8(w, (v >> 8) & 0xff);
	put8(w, v & 0xff);
}

static void put_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

/* Reserves an n-byte length field; returns its offset. */
static size_t len_open(struct wbuf *w, unsigned n)
{
	size_t at = w->len;

	while (n-- > 0)
		put8(w, 0);
	return at;
}

/* Fills the n-byte length field at `at` with the bytes written after it. */
static void len_close(struct wbuf *w, size_t at, unsigned n)
{
	size_t v;

	if (w->bad)
		return;
	v = w->len - at - n;
	if (n < 3 && v >> (8 * n) != 0) {
		w->bad = 1;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		w->p[at + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void put_list16(struct wbuf *w, const uint16_t *v, size_t n)
{
	size_t at = len_open(w, 2);

	for (size_t i = 0; i < n; i++)
		put16(w, v[i]);
	len_close(w, at, 2);
}

size_t tlsh_build_client_hello(const struct tlsh_client *c, uint8_t *out, size_t cap)
{
	struct wbuf w = { out, 0, cap < TLSH_HELLO_MAX ? cap : TLSH_HELLO_MAX, 0 };
	size_t rec, hs, exts, e, e2;
	size_t sni_len = c->sni != NULL ? strlen(c->sni) : 0;
	unsigned legacy;

	if (c->min_version < TLSH_TLS10 || c->max_version > TLSH_TLS13 ||
	    c->min_version > c->max_version || c->random == NULL || c->nsuites == 0 ||
	    c->nsuites > TLSH_MAX_OFFER || c->ngroups > TLSH_MAX_OFFER ||
	    c->nsigalgs > TLSH_MAX_OFFER || sni_len > 255)
		return 0;
	legacy = c->max_version > TLSH_TLS12 ? TLSH_TLS12 : c->max_version;

	put8(&w, 22);          /* handshake */
	put16(&w, TLSH_TLS10); /* record version: 1.0, what most clients send */
	rec = len_open(&w, 2);
	put8(&w, 1); /* client_hello */
	hs = len_open(&w, 3);
	put16(&w, legacy);
	put_bytes(&w, c->random, 32);
	put8(&w, 32); /* session id: the middlebox-compatible 32 bytes (RFC 8446 D.4) */
	put_bytes(&w, c->random, 32);
	put_list16(&w, c->suites, c->nsuites);
	put8(&w, 1);
	put8(&w, 0); /* null compression */

	exts = len_open(&w, 2);
	if (sni_len > 0) {
		put16(&w, 0x0000);
		e = len_open(&w, 2);
		e2 = len_open(&w, 2);
		put8(&w, 0); /* host_name */
		put16(&w, (unsigned)sni_len);
		put_bytes(&w, c->sni, sni_len);
		len_close(&w, e2, 2);
		len_close(&w, e, 2);
	}
	if (c->ngroups > 0) {
		put16(&w, 0x000a); /* supported_groups */
		e = len_open(&w, 2);
		put_list16(&w, c->groups, c->ngroups);
		len_close(&w, e, 2);
		put16(&w, 0x000b); /* ec_point_formats: uncompressed */
		put16(&w, 2);
		put8(&w, 1);
		put8(&w, 0);
	}
	if (c->max_version >= TLSH_TLS12 && c->nsigalgs > 0) {
		put16(&w, 0x000d); /* signature_algorithms */
		e = len_open(&w, 2);
		put_list16(&w, c->sigalgs, c->nsigalgs);
		len_close(&w, e, 2);
	}
	put16(&w, 0xff01); /* renegotiation_info, empty */
	put16(&w, 1);
	put8(&w, 0);
	if (c->max_version >= TLSH_TLS13) {
		put16(&w, 0x002b); /* supported_versions, highest first */
		e = len_open(&w, 2);
		e2 = len_open(&w, 1);
		for (unsigned v = c->max_version; v >= c->min_version; v--)
			put16(&w, v);
		len_close(&w, e2, 1);
		len_close(&w, e, 2);
		put16(&w, 0x002d); /* psk_key_exchange_modes: psk_dhe_ke */
		put16(&w, 2);
		put8(&w, 1);
		put8(&w, 1);
		put16(&w, 0x0033); /* key_share */
		e = len_open(&w, 2);
		e2 = len_open(&w, 2);
		if (c->x25519_share != NULL) {
			put16(&w, 0x001d);
			put16(&w, 32);
			put_bytes(&w, c->x25519_share, 32);
		}
		len_close(&w, e2, 2);
		len_close(&w, e, 2);
	}
	len_close(&w, exts, 2);
	len_close(&w, hs, 3);
	len_close(&w, rec, 2);
	if (w.bad || w.len - 5 > 16384)
		return 0;
	return w.len;
}

/* ---- ServerHello ---- */

struct cur {
	const uint8_t *p;
	size_t left;
};

static int get8(struct cur *c, unsigned *v)
{
	if (c->left < 1)
		return -1;
	*v = c->p[0];
	c->p++;
	c->left--;
	return 0;
}

static int get16(struct cur *c, unsigned *v)
{
	if (c->left < 2)
		return -1;
	*v = (unsigned)c->p[0] << 8 | c->p[1];
	c->p += 2;
	c->left -= 2;
	return 0;
}

/* A sub-cursor over the next n bytes (which c then skips). */
static int sub(struct cur *c, size_t n, struct cur *s)
{
	if (c->left < n)
		return -1;
	s->p = c->p;
	s->left = n;
	c->p += n;
	c->left -= n;
	return 0;
}

static const uint8_t hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
	0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
	0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

#define FAIL(msg)             \
	do {                  \
		*why = (msg); \
		return -1;    \
	} while (0)

static int parse_ext(struct tlsh_server_hello *sh, unsigned type, struct cur *d, const char **why)
{
	unsigned v, n;
	struct cur l;

	switch (type) {
	case 0x002b: /* supported_versions: one version */
		if (get16(d, &v) != 0 || d->left != 0)
			FAIL("bad supported_versions extension");
		sh->version = (uint16_t)v;
		sh->has_supported_versions = 1;
		break;
	case 0x0033: /* key_share: group (HRR) or group + key_exchange<1..2^16-1> */
		if (get16(d, &v) != 0)
			FAIL("bad key_share extension");
		sh->key_share_group = (uint16_t)v;
		if (d->left == 0)
			break; /* the HRR form; checked against hrr below */
		if (get16(d, &n) != 0 || n == 0 || d->left != n)
			FAIL("bad key_share extension");
		break;
	case 0x0010: /* ALPN: a list of exactly one protocol */
		if (get16(d, &n) != 0 || sub(d, n, &l) != 0 || d->left != 0 || get8(&l, &v) != 0 ||
		    v == 0 || l.left != v)
			FAIL("bad ALPN extension");
		memcpy(sh->alpn, l.p, v);
		sh->alpn_len = v;
		break;
	default:
		break;
	}
	return 0;
}

int tlsh_parse_server_hello(const uint8_t *msg, size_t len, struct tlsh_server_hello *sh,
			    const char **why)
{
	struct cur c = { msg, len }, body, exts, d;
	unsigned v, n, type;
	size_t blen;
	uint32_t seen_lo = 0; /* extension types < 32 seen, for duplicates */

	memset(sh, 0, sizeof(*sh));
	if (len < 4 || msg[0] != 2)
		FAIL("not a ServerHello");
	blen = (size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3];
	c.p += 4;
	c.left -= 4;
	if (blen != c.left)
		FAIL("ServerHello length does not match");
	body = c;
	if (get16(&body, &v) != 0)
		FAIL("ServerHello truncated");
	sh->legacy_version = sh->version = (uint16_t)v;
	if ((v >> 8) != 3)
		FAIL("ServerHello version is not 3.x");
	if (body.left < 32)
		FAIL("ServerHello truncated");
	sh->hrr = memcmp(body.p, hrr_random, 32) == 0;
	body.p += 32;
	body.left -= 32;
	if (get8(&body, &n) != 0 || n > 32 || body.left < n)
		FAIL("bad ServerHello session id");
	sh->session_id_len = (uint8_t)n;
	body.p += n;
	body.left -= n;
	if (get16(&body, &v) != 0 || get8(&body, &n) != 0)
		FAIL("ServerHello truncated");
	sh->cipher = (uint16_t)v;
	sh->compression = (uint8_t)n;
	if (body.left == 0)
		return sh->hrr ? (*why = "HelloRetryRequest without extensions", -1) : 0;
	if (get16(&body, &n) != 0 || sub(&body, n, &exts) != 0 || body.left != 0)
		FAIL("bad ServerHello extensions length");
	while (exts.left > 0) {
		if (get16(&exts, &type) != 0 || get16(&exts, &n) != 0 || sub(&exts, n, &d) != 0)
			FAIL("bad ServerHello extension");
		if (type < 32) {
			if (seen_lo & (1u << type))
				FAIL("duplicate ServerHello extension");
			seen_lo |= 1u << type;
		} else {
			for (size_t i = 0; i < sh->next && i < TLSH_MAX_EXTS; i++)
				if (sh->ext[i] == type)
					FAIL("duplicate ServerHello extension");
		}
		if (sh->next < TLSH_MAX_EXTS)
			sh->ext[sh->next] = (uint16_t)type;
		sh->next++;
		if (parse_ext(sh, type, &d, why) != 0)
			return -1;
	}
	if (sh->hrr && !sh->has_supported_versions)
		FAIL("HelloRetryRequest without supported_versions");
	return 0;
}

#undef FAIL

/* ---- the reader ---- */

void tlsh_reader_init(struct tlsh_reader *r)
{
	memset(r, 0, sizeof(*r));
}

static enum tlsh_status rd_fail(struct tlsh_reader *r, const char *why)
{
	r->why = why;
	return r->status = TLSH_ERROR;
}

/* The first handshake message is whole: it must be a ServerHello. */
static enum tlsh_status rd_message(struct tlsh_reader *r)
{
	const char *why = NULL;

	if (r->msg[0] != 2)
		return rd_fail(r, "first handshake message is not a ServerHello");
	if (tlsh_parse_server_hello(r->msg, r->msg_len, &r->sh, &why) != 0)
		return rd_fail(r, why);
	return r->status = TLSH_SERVER_HELLO;
}

enum tlsh_status tlsh_feed(struct tlsh_reader *r, const uint8_t *p, size_t len)
{
	if (r->status != TLSH_MORE)
		return r->status;
	if (len > TLSH_READ_MAX - r->total) {
		len = TLSH_READ_MAX - r->total; /* what fits; then the limit below */
		if (len == 0)
			return rd_fail(r, "no ServerHello in the first 64 KiB");
	}
	r->total += len;
	while (len > 0) {
		size_t k;

		if (r->hdr_len < 5) {
			r->hdr[r->hdr_len++] = *p++;
			len--;
			if (r->hdr_len == 1 && (r->hdr[0] < 20 || r->hdr[0] > 23))
				return rd_fail(r, "not a TLS record");
			if (r->hdr_len == 2 && r->hdr[1] != 3)
				return rd_fail(r, "not a TLS record (major version)");
			if (r->hdr_len < 5)
				continue;
			r->rec_left = (size_t)r->hdr[3] << 8 | r->hdr[4];
			if (r->rec_left > 16384 + 2048)
				return rd_fail(r, "TLS record too long");
			if (r->rec_left == 0 && r->hdr[0] != 23)
				return rd_fail(r, "empty TLS record");
			if (r->hdr[0] != 22 && r->hdr[0] != 21)
				return rd_fail(r, r->hdr[0] == 20
							  ? "ChangeCipherSpec before ServerHello"
							  : "application data before ServerHello");
			continue;
		}
		k = r->rec_left < len ? r->rec_left : len;
		if (r->hdr[0] == 21) { /* alert: the first two bytes decide */
			for (size_t i = 0; i < k && r->alert_len < 2; i++)
				r->alert[r->alert_len++] = p[i];
			if (r->alert_len == 2) {
				r->alert_level = r->alert[0];
				r->alert_desc = r->alert[1];
				return r->status = TLSH_ALERT;
			}
		} else { /* handshake */
			for (size_t i = 0; i < k; i++) {
				if (r->msg_len < 4) {
					r->msg[r->msg_len++] = p[i];
					if (r->msg_len == 4) {
						size_t body = (size_t)r->msg[1] << 16 |
							      (size_t)r->msg[2] << 8 | r->msg[3];

						if (r->msg[0] != 2)
							return rd_fail(
								r,
								"first handshake message is not a ServerHello");
						if (body > TLSH_MSG_MAX - 4)
							return rd_fail(r, "ServerHello too long");
						r->msg_need = 4 + body;
					}
				} else if (r->msg_len < r->msg_need) {
					r->msg[r->msg_len++] = p[i];
				}
				if (r->msg_need > 0 && r->msg_len == r->msg_need)
					return rd_message(r);
			}
		}
		p += k;
		len -= k;
		r->rec_left -= k;
		if (r->rec_left == 0) {
			if (r->hdr[0] == 21)
				return rd_fail(r, "alert record shorter than an alert");
			r->hdr_len = 0;
		}
	}
	if (r->total >= TLSH_READ_MAX)
		return rd_fail(r, "no ServerHello in the first 64 KiB");
	return TLSH_MORE;
}

/* ---- fingerprints ---- */

static int digest_hex(const char *md, const char *in, size_t len, char *out, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_MD *m = EVP_MD_fetch(NULL, md, NULL);
	int ok = m != NULL && EVP_Digest(in, len, d, &dlen, m, NULL) == 1 &&
		 (size_t)dlen * 2 >= nhex;

	EVP_MD_free(m);
	if (!ok)
		return -1;
	for (size_t i = 0; i < nhex; i++)
		out[i] = hex[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
	return 0;
}

int tlsh_ja3s(const struct tlsh_server_hello *sh, char out[33], char *str, size_t strcap)
{
	char s[16 + TLSH_MAX_EXTS * 6];
	size_t n;

	out[0] = '\0';
	if (str != NULL && strcap > 0)
		str[0] = '\0';
	if (sh->next > TLSH_MAX_EXTS)
		return -1;
	n = (size_t)snprintf(s, sizeof(s), "%u,%u,", sh->legacy_version, sh->cipher);
	for (size_t i = 0; i < sh->next; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%u", i ? "-" : "", sh->ext[i]);
	if (str != NULL && strcap > 0)
		snprintf(str, strcap, "%s", s);
	return digest_hex("MD5", s, n, out, 32);
}

static int alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int tlsh_ja4s(const struct tlsh_server_hello *sh, char out[26])
{
	static const char hex[] = "0123456789abcdef";
	char s[TLSH_MAX_EXTS * 5 + 1], a[3] = "00";
	const char *ver;
	size_t n = 0;

	out[0] = '\0';
	if (sh->next > TLSH_MAX_EXTS)
		return -1;
	switch (sh->version) {
	case TLSH_TLS13:
		ver = "13";
		break;
	case TLSH_TLS12:
		ver = "12";
		break;
	case TLSH_TLS11:
		ver = "11";
		break;
	case TLSH_TLS10:
		ver = "10";
		break;
	case 0x0300:
		ver = "s3";
		break;
	default:
		ver = "00";
		break;
	}
	if (sh->alpn_len > 0) {
		uint8_t f = sh->alpn[0], l = sh->alpn[sh->alpn_len - 1];

		if (alnum(f) && alnum(l)) {
			a[0] = (char)f;
			a[1] = (char)l;
		} else { /* JA4: first and last hex digits of the value instead */
			a[0] = hex[f >> 4];
			a[1] = hex[l & 0xf];
		}
	}
	for (size_t i = 0; i < sh->next; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%04x", i ? "," : "", sh->ext[i]);
	snprintf(out, 26, "t%s%02u%s_%04x_", ver, (unsigned)(sh->next > 99 ? 99 : sh->next), a,
		 sh->cipher);
	if (sh->next == 0) {
		memcpy(out + 13, "000000000000", 13);
		return 0;
	}
	return digest_hex("SHA256", s, n, out + 13, 12);
}
