/*
 * tls_json.c — a TLS endpoint record as one NDJSON object (layout and size
 * cap in include/tls_json.h).
 *
 * The record is rendered at the loosest level of a table of caps; if it is
 * over TLS_JSON_MAX_RECORD it is rendered again at the next level (jw_levels).
 * The last level is small enough for any input (every string and list is
 * bounded there), which tests/unit/test_tls_json.c checks with a maximal
 * record; the emitter's budget would still drop list entries if it were not.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
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

_Static_assert(F_COUNT <= 32, "field bits must fit the uint32_t masks of struct jsonw");

const struct tls_json_level tls_json_levels[] = {
	{ 0, JW_NO_CAP, JW_NO_CAP, JW_NO_CAP, JW_NO_CAP },
	{ 1, JW_NO_CAP, JW_NO_CAP, JW_NO_CAP, JW_NO_CAP },
	{ 1, 1, JW_NO_CAP, JW_NO_CAP, JW_NO_CAP },
	{ 1, 1, 10, JW_NO_CAP, JW_NO_CAP },
	/* A server accepting nearly every suite of every version. */
	{ 1, 1, 10, JW_NO_CAP, 40 },
	/* Only hostile records get here: many long names full of escaped bytes. */
	{ 1, 1, 10, 256, 16 },
	{ 1, 1, 1, 64, 4 },
	/* Bounded for any input: 21 strings of <= 32 bytes escaped to <= 6 each,
	 * lists of one entry, two suites per version and two groups; the worst
	 * record the unit test builds is checked against TLS_JSON_MAX_RECORD. */
	{ 1, 1, 1, 32, 2 },
};

const size_t tls_json_nlevels = sizeof(tls_json_levels) / sizeof(tls_json_levels[0]);

/* A certificate name list: at most cap entries, each dropped whole over budget. */
static void tj_list(struct jsonw *w, const char *key, int field, const struct tls_name_list *l,
		    size_t cap)
{
	size_t n = l->n;

	if (n > cap) {
		n = cap;
		w->cut |= 1u << field;
	}
	jw_arr(w, key);
	for (size_t i = 0; i < n; i++) {
		struct jw_mark m = jw_mark(w);

		jw_field(w, NULL, field, l->v[i].p, l->v[i].p != NULL ? l->v[i].len : 0);
		if (!jw_keep(w, &m, field))
			break;
	}
	jw_close(w);
}

static void tj_cert(struct jsonw *w, const struct tls_cert_info *c, size_t list_cap)
{
	jw_obj(w, "cert");
	jw_text(w, "subject", F_SUBJECT, c->subject_dn.p, c->subject_dn.len);
	jw_text(w, "issuer", F_ISSUER, c->issuer_dn.p, c->issuer_dn.len);
	tj_list(w, "subject_cn", F_SUBJECT_CN, &c->subject_cn, list_cap);
	tj_list(w, "san_dns", F_SAN_DNS, &c->san_dns, list_cap);
	tj_list(w, "san_ip", F_SAN_IP, &c->san_ip, list_cap);
	jw_chars(w, "serial", F_SERIAL, c->serial_hex, sizeof(c->serial_hex));
	jw_time_s(w, "not_before", c->not_before);
	jw_time_s(w, "not_after", c->not_after);
	jw_int(w, "days_to_expiry", c->days_to_expiry);
	jw_bool(w, "expired", c->expired);
	jw_bool(w, "not_yet_valid", c->not_yet_valid);
	jw_bool(w, "self_signed", c->self_signed);
	jw_chars(w, "signature_algorithm", F_SIG_ALG, c->sig_alg, sizeof(c->sig_alg));
	jw_chars(w, "key_algorithm", F_KEY_ALG, c->key_alg, sizeof(c->key_alg));
	if (c->key_bits > 0)
		jw_int(w, "key_bits", c->key_bits);
	else
		jw_null(w, "key_bits");
	jw_chars(w, "key_curve", F_KEY_CURVE, c->key_curve, sizeof(c->key_curve));
	jw_hex(w, "sha256", c->sha256, sizeof(c->sha256), 1);
	jw_hex(w, "sha1", c->sha1, sizeof(c->sha1), 1);
	jw_close(w);
}

void tls_json_chain(struct jsonw *w, const struct tls_chain_info *ci, size_t cap, int field)
{
	size_t n = ci->chain != NULL ? ci->chain_len : 0;

	if (n > cap) {
		n = cap;
		w->cut |= 1u << field;
	}
	jw_arr(w, "chain");
	for (size_t i = 0; i < n; i++) {
		const struct tls_chain_entry *e = &ci->chain[i];
		struct jw_mark m = jw_mark(w);

		jw_obj(w, NULL);
		jw_text(w, "subject", field, e->subject_dn.p, e->subject_dn.len);
		jw_text(w, "issuer", field, e->issuer_dn.p, e->issuer_dn.len);
		jw_hex(w, "sha256", e->sha256, sizeof(e->sha256), 1);
		jw_close(w);
		if (!jw_keep(w, &m, field))
			break;
	}
	jw_close(w);
	jw_uint(w, "chain_length", ci->chain_total);
}

void tls_json_versions(struct jsonw *w, const char *key, unsigned bits)
{
	jw_arr(w, key);
	for (unsigned i = 0; i < TLS_NVERSIONS; i++)
		if (bits & (1u << i))
			jw_strz(w, NULL, tls_version_name(i));
	jw_close(w);
}

/* Names seen[0..*n) of a truncated_fields list: each name is listed once. */
struct name_set {
	const char *v[64];
	size_t len[64], n;
};

static void list_name(struct jsonw *w, struct name_set *seen, const char *name, size_t len)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->len[i] == len && memcmp(seen->v[i], name, len) == 0)
			return;
	jw_str(w, NULL, name, len);
	if (seen->n < sizeof(seen->v) / sizeof(seen->v[0])) {
		seen->v[seen->n] = name;
		seen->len[seen->n++] = len;
	}
}

/* "truncated" and "truncated_fields": the extractor's, the stage's, this level's. */
static void tj_truncation(struct jsonw *w, const struct tls_result *r)
{
	struct name_set seen = { .n = 0 };
	const char *p = r->certs.truncated_fields;
	const char *end = p + strnlen(p, sizeof(r->certs.truncated_fields));

	jw_bool(w, "truncated", r->certs.truncated || r->banner_truncated || w->cut != 0);
	jw_arr(w, "truncated_fields");
	while (p < end) {
		const char *e = memchr(p, ',', (size_t)(end - p));

		if (e == NULL)
			e = end;
		if (e > p)
			list_name(w, &seen, p, (size_t)(e - p));
		p = e + 1;
	}
	if (r->banner_truncated)
		list_name(w, &seen, "banner", strlen("banner"));
	for (unsigned f = 0; f < F_COUNT; f++)
		if (w->cut & (1u << f))
			list_name(w, &seen, field_name[f], strlen(field_name[f]));
	jw_close(w);
}

/* "ja3s" and "ja4s": lowercase hex and [a-z0-9_] made here, never raw bytes. */
static void tj_fingerprints(struct jsonw *w, const struct tls_result *r)
{
	if (r->ja3s[0] != '\0' && strnlen(r->ja3s, sizeof(r->ja3s)) == 32)
		jw_str(w, "ja3s", r->ja3s, 32);
	else
		jw_null(w, "ja3s");
	if (r->ja4s[0] != '\0' && strnlen(r->ja4s, sizeof(r->ja4s)) == 25)
		jw_str(w, "ja4s", r->ja4s, 25); /* the ALPN characters come from the server */
	else
		jw_null(w, "ja4s");
}

/* A suite's IANA name or a group's name, else "0x1234" for a value outside
 * portus's tables; dropped whole over budget. */
static void code_point(struct jsonw *w, const char *name, uint16_t id, int field)
{
	struct jw_mark m = jw_mark(w);
	char hex[8];

	if (name == NULL) {
		snprintf(hex, sizeof(hex), "0x%04x", (unsigned)id);
		name = hex;
	}
	jw_strz(w, NULL, name);
	(void)jw_keep(w, &m, field);
}

void tls_json_ciphers(struct jsonw *w, const struct tls_ciphers *c, size_t cap, int ecs_keys,
		      int field)
{
	static const char *const ecs_name[TLS_NVERSIONS] = { "tls1_0", "tls1_1", "tls1_2",
							     "tls1_3" };

	jw_obj(w, "ciphers");
	for (unsigned v = 0; v < TLS_NVERSIONS; v++) {
		size_t n = c->n[v];

		if (!(c->tested & (1u << v)))
			continue;
		if (n > cap) {
			n = cap;
			w->cut |= 1u << field;
		}
		jw_arr(w, ecs_keys ? ecs_name[v] : tls_version_name(v));
		for (size_t i = 0; i < n; i++)
			code_point(w, tlsh_suite_name(c->suite[v][i]), c->suite[v][i], field);
		jw_close(w);
	}
	jw_close(w);
	if (c->order == TLS_ORDER_SERVER)
		jw_strz(w, "cipher_order", "server");
	else if (c->order == TLS_ORDER_CLIENT)
		jw_strz(w, "cipher_order", "client");
	else
		jw_null(w, "cipher_order");
	if (!c->groups_tested) {
		jw_null(w, "groups");
	} else {
		size_t n = c->ngroups;

		if (n > cap) {
			n = cap;
			w->cut |= 1u << field;
		}
		jw_arr(w, "groups");
		for (size_t i = 0; i < n; i++)
			code_point(w, tlsh_group_name(c->group[i]), c->group[i], field);
		jw_close(w);
	}
	jw_bool(w, "ciphers_complete", !c->incomplete);
	jw_uint(w, "cipher_handshakes", c->handshakes);
}

/* A value or, when absent, null (native) or nothing (ECS: w->empty). */
static int tj_absent(struct jsonw *w, const char *key, int present)
{
	if (!present && w->empty == JW_EMPTY_NULL)
		jw_null(w, key);
	return present;
}

static void tj_opt_time(struct jsonw *w, const char *key, int64_t unix_s)
{
	if (tj_absent(w, key, unix_s != 0))
		jw_time_s(w, key, unix_s);
}

static void tj_opt_str(struct jsonw *w, const char *key, const char *s)
{
	if (tj_absent(w, key, s != NULL))
		jw_strz(w, key, s);
}

static const char *ocsp_status_name(enum tls_ocsp_status s)
{
	switch (s) {
	case TLS_OCSP_GOOD:
		return "good";
	case TLS_OCSP_REVOKED:
		return "revoked";
	case TLS_OCSP_UNKNOWN:
		return "unknown";
	case TLS_OCSP_NONE:
		break;
	}
	return NULL;
}

void tls_json_checks(struct jsonw *w, const struct tls_result *r)
{
	const struct tls_checks *k = &r->checks;
	const struct tls_hsts *h = &r->hsts;
	uint32_t found = tls_result_findings(r);

	if (tj_absent(w, "ocsp_stapled", k->done))
		jw_bool(w, "ocsp_stapled", k->ocsp_stapled);
	if (tj_absent(w, "ocsp", k->done && k->ocsp_stapled)) {
		jw_obj(w, "ocsp");
		jw_bool(w, "valid", k->ocsp_error == NULL);
		tj_opt_str(w, "status", ocsp_status_name(k->ocsp_status));
		jw_bool(w, "signature_ok", k->ocsp_signature_ok);
		jw_bool(w, "time_ok", k->ocsp_time_ok);
		tj_opt_time(w, "this_update", k->ocsp_this_update);
		tj_opt_time(w, "next_update", k->ocsp_next_update);
		tj_opt_str(w, "error", k->ocsp_error);
		jw_close(w);
	}
	if (tj_absent(w, "must_staple", k->done))
		jw_bool(w, "must_staple", k->must_staple);
	if (tj_absent(w, "sct_count", k->done))
		jw_uint(w, "sct_count", (uint64_t)k->sct_embedded + k->sct_tls + k->sct_ocsp);
	if (tj_absent(w, "scts", k->done)) {
		jw_obj(w, "scts");
		jw_uint(w, "embedded", k->sct_embedded);
		jw_uint(w, "tls_extension", k->sct_tls);
		jw_uint(w, "ocsp", k->sct_ocsp);
		jw_close(w);
	}
	if (tj_absent(w, "tmp_key", k->done && k->tmp_key_type[0] != '\0')) {
		jw_obj(w, "tmp_key");
		jw_chars(w, "type", JW_NO_FIELD, k->tmp_key_type, sizeof(k->tmp_key_type));
		if (tj_absent(w, "bits", k->tmp_key_bits > 0))
			jw_int(w, "bits", k->tmp_key_bits);
		jw_close(w);
	}
	if (tj_absent(w, "hsts", h->present)) {
		jw_obj(w, "hsts");
		jw_bool(w, "valid", h->valid);
		if (tj_absent(w, "max_age", h->max_age >= 0))
			jw_int(w, "max_age", h->max_age);
		jw_bool(w, "include_subdomains", h->include_subdomains);
		jw_bool(w, "preload", h->preload);
		tj_opt_str(w, "error", h->error);
		jw_close(w);
	}
	if (found == 0 && w->empty == JW_EMPTY_OMIT)
		return; /* ECS: no empty list */
	jw_arr(w, "findings");
	for (unsigned f = 0; f < TLS_FIND_COUNT; f++)
		if (found & (1u << f))
			jw_strz(w, NULL, tls_finding_name(f));
	jw_close(w);
}

static void tj_render(struct jsonw *w, size_t level, const void *arg)
{
	const struct tls_result *r = arg;
	const struct tls_json_level *lv = &tls_json_levels[level];
	const struct tls_chain_info *ci = &r->certs;
	char ip[ADDR_STR_MAX];

	/* What the tail needs at most: the two field lists (the extractor's
	 * names escaped in the worst way), "truncated" and "time". */
	jw_reserve(w,
		   6 * sizeof(ci->truncated_fields) + 2 * jw_names_size(field_name, F_COUNT) + 128);
	w->str_cap = lv->str_cap;
	addr_to_str(r->ip, ip);
	jw_obj(w, NULL);
	jw_strz(w, "type", "tls");
	jw_strz(w, "ip", ip);
	jw_uint(w, "port", r->port);
	jw_chars(w, "sni", F_SNI, r->sni, sizeof(r->sni));
	jw_strz(w, "outcome", tls_outcome_name(r->outcome));
	jw_chars(w, "alert", F_ALERT, r->alert, sizeof(r->alert));
	jw_chars(w, "detail", F_DETAIL, r->detail, sizeof(r->detail));
	jw_chars(w, "tls_version", F_TLS_VERSION, r->version, sizeof(r->version));
	jw_chars(w, "cipher", F_CIPHER, r->cipher, sizeof(r->cipher));
	jw_chars(w, "alpn", F_ALPN, r->alpn, sizeof(r->alpn));
	jw_chars(w, "group", F_GROUP, r->group, sizeof(r->group));
	tj_fingerprints(w, r);
	if (r->outcome == TLS_OK || ci->has_leaf)
		jw_bool(w, "verify_ok", r->verify_ok);
	else
		jw_null(w, "verify_ok");
	jw_chars(w, "verify_error", F_VERIFY_ERROR, r->verify_error, sizeof(r->verify_error));
	if (r->hostname_checked)
		jw_bool(w, "hostname_match", r->hostname_match);
	else
		jw_null(w, "hostname_match");
	if (ci->has_leaf)
		tj_cert(w, &ci->leaf, lv->list_cap);
	else
		jw_null(w, "cert");
	tls_json_chain(w, ci, lv->chain_cap, F_CHAIN);
	jw_text(w, "http_status", F_HTTP_STATUS, r->http_status.p, r->http_status.len);
	jw_text(w, "http_server", F_HTTP_SERVER, r->http_server.p, r->http_server.len);
	tls_json_checks(w, r);
	if (r->versions_tested != 0) {
		tls_json_versions(w, "versions_accepted",
				  r->versions_tested & r->versions_accepted);
		tls_json_versions(w, "versions_rejected",
				  r->versions_tested & ~r->versions_accepted);
	}
	if (r->ciphers != NULL)
		tls_json_ciphers(w, r->ciphers, lv->cipher_cap, 0, F_CIPHERS);
	if (ci->pem != NULL) {
		struct jw_mark m = jw_mark(w);

		if (lv->drop_pem)
			w->cut |= 1u << F_PEM;
		else
			jw_text(w, "pem", F_PEM, ci->pem, strlen(ci->pem));
		(void)jw_keep(w, &m, F_PEM);
	}
	jw_reserve(w, 0);
	tj_truncation(w, r);
	jw_names(w, "invalid_utf8_fields", w->bad, field_name, F_COUNT);
	jw_time(w, "time", r->end_us);
	jw_end(w);
}

void tls_json_format(struct strbuf *b, const struct tls_result *r)
{
	jw_levels(b, TLS_JSON_MAX_RECORD, tls_json_nlevels, tj_render, r);
}
