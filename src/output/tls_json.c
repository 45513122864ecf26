/*
 * tls_json.c — a TLS endpoint record as one NDJSON object (layout and size
 * cap in include/tls_json.h).
 *
 * The record is rendered at the loosest level of a table of caps; if it is
 * over TLS_JSON_MAX_RECORD it is rendered again at the next level. The last
 * level is small enough for any input (every string and list is bounded
 * there), which tests/unit/test_tls_json.c checks with a maximal record.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "tls_hello.h"
#include "tls_json.h"

/* Fields named in truncated_fields / invalid_utf8_fields, in output order. */
enum tj_field {
	F_SNI,
	F_ALERT,
	F_DETAIL,
	F_TLS_VERSION,
	F_CIPHER,
	F_ALPN,
	F_GROUP,
	F_VERIFY_ERROR,
	F_SUBJECT,
	F_ISSUER,
	F_SUBJECT_CN,
	F_SAN_DNS,
	F_SAN_IP,
	F_SERIAL,
	F_SIG_ALG,
	F_KEY_ALG,
	F_KEY_CURVE,
	F_CHAIN,
	F_HTTP_STATUS,
	F_HTTP_SERVER,
	F_PEM,
	F_CIPHERS,
	F_COUNT
};

static const char *const field_name[F_COUNT] = {
	[F_SNI] = "sni",
	[F_ALERT] = "alert",
	[F_DETAIL] = "detail",
	[F_TLS_VERSION] = "tls_version",
	[F_CIPHER] = "cipher",
	[F_ALPN] = "alpn",
	[F_GROUP] = "group",
	[F_VERIFY_ERROR] = "verify_error",
	[F_SUBJECT] = "subject",
	[F_ISSUER] = "issuer",
	[F_SUBJECT_CN] = "subject_cn",
	[F_SAN_DNS] = "san_dns",
	[F_SAN_IP] = "san_ip",
	[F_SERIAL] = "serial",
	[F_SIG_ALG] = "signature_algorithm",
	[F_KEY_ALG] = "key_algorithm",
	[F_KEY_CURVE] = "key_curve",
	[F_CHAIN] = "chain",
	[F_HTTP_STATUS] = "http_status",
	[F_HTTP_SERVER] = "http_server",
	[F_PEM] = "pem",
	[F_CIPHERS] = "ciphers",
};

_Static_assert(F_COUNT <= 32, "field bits must fit the uint32_t masks of struct tj");

#define NO_CAP SIZE_MAX

/* One rendering level; each is tighter than the one before. */
struct tj_level {
	int drop_pem;
	size_t chain_cap; /* chain entries listed */
	size_t list_cap;  /* subject_cn / san_dns / san_ip entries listed */
	size_t str_cap;   /* bytes of any one string */
	size_t cipher_cap; /* --tls-ciphers: suites listed per version, groups listed */
};

static const struct tj_level levels[] = {
	{ 0, NO_CAP, NO_CAP, NO_CAP, NO_CAP },
	{ 1, NO_CAP, NO_CAP, NO_CAP, NO_CAP },
	{ 1, 1, NO_CAP, NO_CAP, NO_CAP },
	{ 1, 1, 10, NO_CAP, NO_CAP },
	/* A server accepting nearly every suite of every version. */
	{ 1, 1, 10, NO_CAP, 40 },
	/* Only hostile records get here: many long names full of escaped bytes. */
	{ 1, 1, 10, 256, 16 },
	{ 1, 1, 1, 64, 4 },
	/* Bounded for any input: 21 strings of <= 32 bytes escaped to <= 6 each,
	 * lists of one entry, two suites per version and two groups; the worst
	 * record the unit test builds is checked against TLS_JSON_MAX_RECORD. */
	{ 1, 1, 1, 32, 2 },
};

#define N_LEVELS (sizeof(levels) / sizeof(levels[0]))

struct tj {
	struct strbuf *b;
	const struct tj_level *lv;
	uint32_t cut; /* fields this level cut (1u << enum tj_field) */
	uint32_t bad; /* fields whose bytes were replaced by U+FFFD */
	int first;    /* the next key opens an object: no comma */
};

/* Appends a string as a JSON string, applying the level's string cap. */
static void tj_string(struct tj *t, enum tj_field f, const void *p, size_t len)
{
	if (len > t->lv->str_cap) {
		len = json_cut_len(p, len, t->lv->str_cap);
		t->cut |= 1u << f;
	}
	if (json_append_string(t->b, p, len))
		t->bad |= 1u << f;
}

/* ,"key": — without the comma right after an object opens. */
static void tj_key(struct tj *t, const char *key)
{
	sb_printf(t->b, "%s\"%s\":", t->first ? "" : ",", key);
	t->first = 0;
}

/* ,"key":"value" — or ,"key":null when the value is empty. */
static void tj_bytes(struct tj *t, const char *key, enum tj_field f, const void *p, size_t len)
{
	tj_key(t, key);
	if (p == NULL || len == 0)
		sb_puts(t->b, "null");
	else
		tj_string(t, f, p, len);
}

/* A fixed char array of the record: NUL-terminated, but never read past its size. */
static void tj_chars(struct tj *t, const char *key, enum tj_field f, const char *s, size_t size)
{
	tj_bytes(t, key, f, s, strnlen(s, size));
}

static void tj_bool(struct tj *t, const char *key, int v)
{
	tj_key(t, key);
	sb_puts(t->b, v ? "true" : "false");
}

static void tj_hex(struct tj *t, const char *key, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char out[2 * 64 + 1];
	size_t i;

	for (i = 0; i < n && i < 64; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * i] = '\0';
	tj_key(t, key);
	sb_printf(t->b, "\"%s\"", out);
}

/* Unix seconds as RFC 3339 (json_append_time clamps to years 0000-9999). */
static void tj_time(struct tj *t, const char *key, int64_t unix_s)
{
	const int64_t lim = INT64_MAX / 1000000;

	tj_key(t, key);
	json_append_time(t->b, (unix_s > lim ? lim : unix_s < -lim ? -lim : unix_s) * 1000000);
}

static void tj_list(struct tj *t, const char *key, enum tj_field f, const struct tls_name_list *l)
{
	size_t n = l->n;

	if (n > t->lv->list_cap) {
		n = t->lv->list_cap;
		t->cut |= 1u << f;
	}
	tj_key(t, key);
	sb_puts(t->b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(t->b, ",");
		tj_string(t, f, l->v[i].p, l->v[i].p != NULL ? l->v[i].len : 0);
	}
	sb_puts(t->b, "]");
}

static void tj_cert(struct tj *t, const struct tls_cert_info *c)
{
	struct strbuf *b = t->b;

	tj_key(t, "cert");
	sb_puts(b, "{");
	t->first = 1;
	tj_bytes(t, "subject", F_SUBJECT, c->subject_dn.p, c->subject_dn.len);
	tj_bytes(t, "issuer", F_ISSUER, c->issuer_dn.p, c->issuer_dn.len);
	tj_list(t, "subject_cn", F_SUBJECT_CN, &c->subject_cn);
	tj_list(t, "san_dns", F_SAN_DNS, &c->san_dns);
	tj_list(t, "san_ip", F_SAN_IP, &c->san_ip);
	tj_chars(t, "serial", F_SERIAL, c->serial_hex, sizeof(c->serial_hex));
	tj_time(t, "not_before", c->not_before);
	tj_time(t, "not_after", c->not_after);
	tj_key(t, "days_to_expiry");
	sb_printf(b, "%" PRId64, c->days_to_expiry);
	tj_bool(t, "expired", c->expired);
	tj_bool(t, "not_yet_valid", c->not_yet_valid);
	tj_bool(t, "self_signed", c->self_signed);
	tj_chars(t, "signature_algorithm", F_SIG_ALG, c->sig_alg, sizeof(c->sig_alg));
	tj_chars(t, "key_algorithm", F_KEY_ALG, c->key_alg, sizeof(c->key_alg));
	tj_key(t, "key_bits");
	if (c->key_bits > 0)
		sb_printf(b, "%d", c->key_bits);
	else
		sb_puts(b, "null");
	tj_chars(t, "key_curve", F_KEY_CURVE, c->key_curve, sizeof(c->key_curve));
	tj_hex(t, "sha256", c->sha256, sizeof(c->sha256));
	tj_hex(t, "sha1", c->sha1, sizeof(c->sha1));
	sb_puts(b, "}");
}

static void tj_chain(struct tj *t, const struct tls_chain_info *ci)
{
	size_t n = ci->chain != NULL ? ci->chain_len : 0;

	if (n > t->lv->chain_cap) {
		n = t->lv->chain_cap;
		t->cut |= 1u << F_CHAIN;
	}
	tj_key(t, "chain");
	sb_puts(t->b, "[");
	for (size_t i = 0; i < n; i++) {
		const struct tls_chain_entry *e = &ci->chain[i];

		sb_puts(t->b, i > 0 ? ",{" : "{");
		t->first = 1;
		tj_bytes(t, "subject", F_CHAIN, e->subject_dn.p, e->subject_dn.len);
		tj_bytes(t, "issuer", F_CHAIN, e->issuer_dn.p, e->issuer_dn.len);
		tj_hex(t, "sha256", e->sha256, sizeof(e->sha256));
		sb_puts(t->b, "}");
	}
	sb_puts(t->b, "]");
	tj_key(t, "chain_length");
	sb_printf(t->b, "%zu", ci->chain_total);
}

void tls_json_versions(struct strbuf *b, unsigned bits)
{
	int first = 1;

	sb_puts(b, "[");
	for (unsigned i = 0; i < TLS_NVERSIONS; i++) {
		if (!(bits & (1u << i)))
			continue;
		sb_printf(b, "%s\"%s\"", first ? "" : ",", tls_version_name(i));
		first = 0;
	}
	sb_puts(b, "]");
}

static void tj_versions(struct tj *t, const char *key, unsigned bits)
{
	tj_key(t, key);
	tls_json_versions(t->b, bits);
}

/* Writes name into a JSON list unless it is among seen[0..*n); adds it there. */
static void list_name(struct strbuf *b, const char *name, size_t len, const char **seen,
		      size_t *seen_len, size_t *n, size_t max)
{
	for (size_t i = 0; i < *n; i++)
		if (seen_len[i] == len && memcmp(seen[i], name, len) == 0)
			return;
	if (*n > 0)
		sb_puts(b, ",");
	json_append_string(b, name, len);
	if (*n < max) {
		seen[*n] = name;
		seen_len[*n] = len;
		(*n)++;
	}
}

/* "truncated" and "truncated_fields": the extractor's, the stage's, this level's. */
static void tj_truncation(struct tj *t, const struct tls_result *r)
{
	enum { MAX_NAMES = 64 };
	const char *seen[MAX_NAMES];
	size_t seen_len[MAX_NAMES], n = 0;
	const char *p = r->certs.truncated_fields;
	const char *end = p + strnlen(p, sizeof(r->certs.truncated_fields));

	tj_bool(t, "truncated", r->certs.truncated || r->banner_truncated || t->cut != 0);
	tj_key(t, "truncated_fields");
	sb_puts(t->b, "[");
	while (p < end) {
		const char *e = memchr(p, ',', (size_t)(end - p));

		if (e == NULL)
			e = end;
		if (e > p)
			list_name(t->b, p, (size_t)(e - p), seen, seen_len, &n, MAX_NAMES);
		p = e + 1;
	}
	if (r->banner_truncated)
		list_name(t->b, "banner", strlen("banner"), seen, seen_len, &n, MAX_NAMES);
	for (unsigned f = 0; f < F_COUNT; f++)
		if (t->cut & (1u << f))
			list_name(t->b, field_name[f], strlen(field_name[f]), seen, seen_len, &n,
				  MAX_NAMES);
	sb_puts(t->b, "]");
}

/* "ja3s" and "ja4s": lowercase hex and [a-z0-9_] made here, never raw bytes. */
static void tj_fingerprints(struct tj *t, const struct tls_result *r)
{
	tj_key(t, "ja3s");
	if (r->ja3s[0] != '\0' && strnlen(r->ja3s, sizeof(r->ja3s)) == 32)
		sb_printf(t->b, "\"%s\"", r->ja3s);
	else
		sb_puts(t->b, "null");
	tj_key(t, "ja4s");
	if (r->ja4s[0] != '\0' && strnlen(r->ja4s, sizeof(r->ja4s)) == 25)
		json_append_string(t->b, r->ja4s, 25); /* the ALPN characters come from the server */
	else
		sb_puts(t->b, "null");
}

/* A suite's IANA name, or "0x1234" for one outside portus's table. */
static void tj_suite(struct strbuf *b, uint16_t id)
{
	const char *n = tlsh_suite_name(id);

	if (n != NULL)
		sb_printf(b, "\"%s\"", n);
	else
		sb_printf(b, "\"0x%04x\"", (unsigned)id);
}

void tls_json_group(struct strbuf *b, uint16_t id)
{
	const char *n = tlsh_group_name(id);

	if (n != NULL)
		sb_printf(b, "\"%s\"", n);
	else
		sb_printf(b, "\"0x%04x\"", (unsigned)id);
}

/* --tls-ciphers: "ciphers", "cipher_order", "groups", "ciphers_complete",
 * "cipher_handshakes" (tls_json.h). */
int tls_json_ciphers(struct strbuf *b, const struct tls_ciphers *c, size_t cap, int ecs_keys)
{
	static const char *const ecs_name[TLS_NVERSIONS] = { "tls1_0", "tls1_1", "tls1_2", "tls1_3" };
	int first = 1, cut = 0;

	sb_puts(b, "\"ciphers\":{");
	for (unsigned v = 0; v < TLS_NVERSIONS; v++) {
		size_t n = c->n[v];

		if (!(c->tested & (1u << v)))
			continue;
		if (n > cap) {
			n = cap;
			cut = 1;
		}
		sb_printf(b, "%s\"%s\":[", first ? "" : ",",
			  ecs_keys ? ecs_name[v] : tls_version_name(v));
		first = 0;
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				sb_puts(b, ",");
			tj_suite(b, c->suite[v][i]);
		}
		sb_puts(b, "]");
	}
	sb_puts(b, "},\"cipher_order\":");
	sb_puts(b, c->order == TLS_ORDER_SERVER   ? "\"server\""
		   : c->order == TLS_ORDER_CLIENT ? "\"client\""
						  : "null");
	sb_puts(b, ",\"groups\":");
	if (!c->groups_tested) {
		sb_puts(b, "null");
	} else {
		size_t n = c->ngroups;

		if (n > cap) {
			n = cap;
			cut = 1;
		}
		sb_puts(b, "[");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				sb_puts(b, ",");
			tls_json_group(b, c->group[i]);
		}
		sb_puts(b, "]");
	}
	sb_printf(b, ",\"ciphers_complete\":%s,\"cipher_handshakes\":%u",
		  c->incomplete ? "false" : "true", c->handshakes);
	return cut;
}

static void tj_ciphers(struct tj *t, const struct tls_ciphers *c)
{
	sb_puts(t->b, t->first ? "" : ",");
	t->first = 0;
	if (tls_json_ciphers(t->b, c, t->lv->cipher_cap, 0))
		t->cut |= 1u << F_CIPHERS;
}

static void tj_render(struct tj *t, const struct tls_result *r)
{
	const struct tls_chain_info *ci = &r->certs;
	struct strbuf *b = t->b;
	char ip[ADDR_STR_MAX];

	addr_to_str(r->ip, ip);
	sb_printf(b, "{\"type\":\"tls\",\"ip\":\"%s\",\"port\":%u", ip, (unsigned)r->port);
	tj_chars(t, "sni", F_SNI, r->sni, sizeof(r->sni));
	tj_key(t, "outcome");
	sb_printf(b, "\"%s\"", tls_outcome_name(r->outcome));
	tj_chars(t, "alert", F_ALERT, r->alert, sizeof(r->alert));
	tj_chars(t, "detail", F_DETAIL, r->detail, sizeof(r->detail));
	tj_chars(t, "tls_version", F_TLS_VERSION, r->version, sizeof(r->version));
	tj_chars(t, "cipher", F_CIPHER, r->cipher, sizeof(r->cipher));
	tj_chars(t, "alpn", F_ALPN, r->alpn, sizeof(r->alpn));
	tj_chars(t, "group", F_GROUP, r->group, sizeof(r->group));
	tj_fingerprints(t, r);
	tj_key(t, "verify_ok");
	if (r->outcome == TLS_OK || ci->has_leaf)
		sb_puts(b, r->verify_ok ? "true" : "false");
	else
		sb_puts(b, "null");
	tj_chars(t, "verify_error", F_VERIFY_ERROR, r->verify_error, sizeof(r->verify_error));
	tj_key(t, "hostname_match");
	if (r->hostname_checked)
		sb_puts(b, r->hostname_match ? "true" : "false");
	else
		sb_puts(b, "null");
	if (ci->has_leaf) {
		tj_cert(t, &ci->leaf);
	} else {
		tj_key(t, "cert");
		sb_puts(b, "null");
	}
	tj_chain(t, ci);
	tj_bytes(t, "http_status", F_HTTP_STATUS, r->http_status.p, r->http_status.len);
	tj_bytes(t, "http_server", F_HTTP_SERVER, r->http_server.p, r->http_server.len);
	if (r->versions_tested != 0) {
		tj_versions(t, "versions_accepted", r->versions_tested & r->versions_accepted);
		tj_versions(t, "versions_rejected", r->versions_tested & ~r->versions_accepted);
	}
	if (r->ciphers != NULL)
		tj_ciphers(t, r->ciphers);
	if (ci->pem != NULL) {
		if (t->lv->drop_pem)
			t->cut |= 1u << F_PEM;
		else
			tj_bytes(t, "pem", F_PEM, ci->pem, strlen(ci->pem));
	}
	tj_truncation(t, r);
	tj_key(t, "invalid_utf8_fields");
	sb_puts(b, "[");
	for (unsigned f = 0, first = 1; f < F_COUNT; f++) {
		if (!(t->bad & (1u << f)))
			continue;
		sb_printf(b, "%s\"%s\"", first ? "" : ",", field_name[f]);
		first = 0;
	}
	sb_puts(b, "]");
	tj_key(t, "time");
	json_append_time(b, r->end_us);
	sb_puts(b, "}");
}

void tls_json_format(struct strbuf *b, const struct tls_result *r)
{
	struct strbuf tmp;

	sb_init(&tmp);
	for (size_t i = 0; i < N_LEVELS; i++) {
		struct tj t = { .b = &tmp, .lv = &levels[i] };

		sb_reset(&tmp);
		tj_render(&t, r);
		if (tmp.oom || tmp.len <= TLS_JSON_MAX_RECORD)
			break;
	}
	if (tmp.oom)
		b->oom = 1;
	else
		sb_append(b, tmp.p, tmp.len);
	sb_free(&tmp);
}
