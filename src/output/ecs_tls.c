/*
 * ecs_tls.c — a TLS endpoint as one ECS record (field list in ecs.h).
 *
 * Like tls_json.c the record is rendered at the loosest of a table of caps
 * and again at the next level while it is over ECS_MAX_RECORD; the last level
 * bounds every string and list, so any input fits. truncated_fields and
 * invalid_utf8_fields name ECS field paths ("tls.server.x509.subject.common_name").
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "dn.h"
#include "ecs.h"
#include "json.h"
#include "tls_json.h"

enum et_field {
	EF_SNI,
	EF_ALERT,
	EF_DETAIL,
	EF_CIPHER,
	EF_ALPN,
	EF_GROUP,
	EF_VERIFY_ERROR,
	EF_SUBJECT,
	EF_ISSUER,
	EF_SUBJECT_ATTRS,
	EF_ISSUER_ATTRS,
	EF_SAN,
	EF_SERIAL,
	EF_SIG_ALG,
	EF_KEY_ALG,
	EF_KEY_CURVE,
	EF_CHAIN,
	EF_HTTP_STATUS,
	EF_HTTP_SERVER,
	EF_PEM,
	EF_CIPHERS,
	EF_COUNT
};

static const char *const et_name[EF_COUNT] = {
	[EF_SNI] = "tls.client.server_name",
	[EF_ALERT] = "portus.tls.alert",
	[EF_DETAIL] = "portus.tls.detail",
	[EF_CIPHER] = "tls.cipher",
	[EF_ALPN] = "tls.next_protocol",
	[EF_GROUP] = "tls.curve",
	[EF_VERIFY_ERROR] = "portus.tls.verify.error",
	[EF_SUBJECT] = "tls.server.subject",
	[EF_ISSUER] = "tls.server.issuer",
	[EF_SUBJECT_ATTRS] = "tls.server.x509.subject",
	[EF_ISSUER_ATTRS] = "tls.server.x509.issuer",
	[EF_SAN] = "tls.server.x509.alternative_names",
	[EF_SERIAL] = "tls.server.x509.serial_number",
	[EF_SIG_ALG] = "tls.server.x509.signature_algorithm",
	[EF_KEY_ALG] = "tls.server.x509.public_key_algorithm",
	[EF_KEY_CURVE] = "tls.server.x509.public_key_curve",
	[EF_CHAIN] = "portus.tls.chain",
	[EF_HTTP_STATUS] = "portus.tls.http_status",
	[EF_HTTP_SERVER] = "portus.tls.http_server",
	[EF_PEM] = "tls.server.certificate",
	[EF_CIPHERS] = "portus.tls.ciphers",
};

_Static_assert(EF_COUNT <= 32, "field bits must fit uint32_t");

#define NO_CAP SIZE_MAX

struct et_level {
	int drop_pem;
	size_t chain_cap, list_cap, str_cap;
	size_t cipher_cap; /* --tls-ciphers: suites per version, groups (as tls_json.h) */
};

static const struct et_level et_levels[] = {
	{ 0, NO_CAP, NO_CAP, NO_CAP, NO_CAP }, { 1, NO_CAP, NO_CAP, NO_CAP, NO_CAP },
	{ 1, 1, NO_CAP, NO_CAP, NO_CAP },      { 1, 1, 10, NO_CAP, NO_CAP },
	{ 1, 1, 10, NO_CAP, 40 },              { 1, 1, 10, 256, 16 },
	{ 1, 1, 1, 64, 4 },                    { 1, 1, 1, 32, 2 },
};

#define ET_LEVELS (sizeof(et_levels) / sizeof(et_levels[0]))

struct et {
	struct strbuf *b;
	const struct et_level *lv;
	uint32_t cut, bad;
	int first; /* the next key opens an object */
};

static void et_string(struct et *t, enum et_field f, const void *p, size_t len)
{
	if (len > t->lv->str_cap) {
		len = json_cut_len(p, len, t->lv->str_cap);
		t->cut |= 1u << f;
	}
	if (json_append_string(t->b, p, len))
		t->bad |= 1u << f;
}

static void et_key(struct et *t, const char *key)
{
	sb_printf(t->b, "%s\"%s\":", t->first ? "" : ",", key);
	t->first = 0;
}

static void et_open(struct et *t, const char *key)
{
	et_key(t, key);
	sb_puts(t->b, "{");
	t->first = 1;
}

static void et_close(struct et *t)
{
	sb_puts(t->b, "}");
	t->first = 0;
}

/* A string field, left out when empty (ECS: absent rather than null). */
static void et_bytes(struct et *t, const char *key, enum et_field f, const void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
	et_key(t, key);
	et_string(t, f, p, len);
}

static void et_chars(struct et *t, const char *key, enum et_field f, const char *s, size_t size)
{
	et_bytes(t, key, f, s, strnlen(s, size));
}

static void et_bool(struct et *t, const char *key, int v)
{
	et_key(t, key);
	sb_puts(t->b, v ? "true" : "false");
}

/* Uppercase hex of p[0..n), n <= 32, into out (2n + 1 bytes). */
static void hex_upper(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * i] = '\0';
}

static void et_hex(struct et *t, const char *key, const uint8_t *p, size_t n)
{
	char out[2 * 32 + 1];

	hex_upper(p, n, out);
	et_key(t, key);
	sb_printf(t->b, "\"%s\"", out);
}

static void et_time(struct et *t, const char *key, int64_t unix_s)
{
	const int64_t lim = INT64_MAX / 1000000;

	et_key(t, key);
	json_append_time(t->b, (unix_s > lim ? lim : unix_s < -lim ? -lim : unix_s) * 1000000);
}

/* Appends the entries of l to an open JSON list; returns entries written. */
static size_t et_list_items(struct et *t, enum et_field f, const struct tls_name_list *l,
			    size_t written)
{
	size_t n = l->n;

	if (written + n > t->lv->list_cap) {
		n = t->lv->list_cap > written ? t->lv->list_cap - written : 0;
		t->cut |= 1u << f;
	}
	for (size_t i = 0; i < n; i++) {
		if (written + i > 0)
			sb_puts(t->b, ",");
		et_string(t, f, l->v[i].p, l->v[i].p != NULL ? l->v[i].len : 0);
	}
	return written + n;
}

/* DN attribute types and their ECS x509 names. */
static const struct {
	const char *type, *ecs;
} dn_fields[] = {
	{ "CN", "common_name" },        { "O", "organization" }, { "OU", "organizational_unit" },
	{ "C", "country" },             { "L", "locality" },     { "ST", "state_or_province" },
};

struct dn_pick {
	struct et *t; /* NULL: only count */
	enum et_field f;
	const char *type;
	size_t n;
};

static void dn_pick_one(void *ctx, const char *type, size_t type_len, const unsigned char *val,
			size_t val_len)
{
	struct dn_pick *d = ctx;

	if (strlen(d->type) != type_len || memcmp(d->type, type, type_len) != 0)
		return;
	if (d->t == NULL) {
		d->n++;
		return;
	}
	if (d->n >= d->t->lv->list_cap) {
		d->t->cut |= 1u << d->f;
		return;
	}
	if (d->n++ > 0)
		sb_puts(d->t->b, ",");
	et_string(d->t, d->f, val, val_len);
}

/* x509.subject / x509.issuer: distinguished_name and the attribute lists
 * (each list only when the DN has that attribute). */
static void et_dn_object(struct et *t, const char *key, enum et_field dn_f, enum et_field attr_f,
			 const struct tls_bytes *dn)
{
	unsigned char scratch[TLS_MAX_NAME_BYTES + 1];

	et_open(t, key);
	et_bytes(t, "distinguished_name", dn_f, dn->p, dn->len);
	if (dn->p != NULL && dn->len <= TLS_MAX_NAME_BYTES) {
		for (size_t i = 0; i < sizeof(dn_fields) / sizeof(dn_fields[0]); i++) {
			struct dn_pick count = { NULL, attr_f, dn_fields[i].type, 0 };
			struct dn_pick d = { t, attr_f, dn_fields[i].type, 0 };

			dn_walk(dn->p, dn->len, scratch, dn_pick_one, &count);
			if (count.n == 0)
				continue;
			et_key(t, dn_fields[i].ecs);
			sb_puts(t->b, "[");
			dn_walk(dn->p, dn->len, scratch, dn_pick_one, &d);
			sb_puts(t->b, "]");
		}
	}
	et_close(t);
}

static void et_x509(struct et *t, const struct tls_cert_info *c)
{
	size_t n;

	et_open(t, "x509");
	et_key(t, "alternative_names");
	sb_puts(t->b, "[");
	n = et_list_items(t, EF_SAN, &c->san_dns, 0);
	(void)et_list_items(t, EF_SAN, &c->san_ip, n);
	sb_puts(t->b, "]");
	et_chars(t, "serial_number", EF_SERIAL, c->serial_hex, sizeof(c->serial_hex));
	et_chars(t, "signature_algorithm", EF_SIG_ALG, c->sig_alg, sizeof(c->sig_alg));
	et_chars(t, "public_key_algorithm", EF_KEY_ALG, c->key_alg, sizeof(c->key_alg));
	if (c->key_bits > 0) {
		et_key(t, "public_key_size");
		sb_printf(t->b, "%d", c->key_bits);
	}
	et_chars(t, "public_key_curve", EF_KEY_CURVE, c->key_curve, sizeof(c->key_curve));
	et_time(t, "not_before", c->not_before);
	et_time(t, "not_after", c->not_after);
	et_dn_object(t, "subject", EF_SUBJECT, EF_SUBJECT_ATTRS, &c->subject_dn);
	et_dn_object(t, "issuer", EF_ISSUER, EF_ISSUER_ATTRS, &c->issuer_dn);
	et_close(t);
}

/* "TLSv1.3" -> "1.3", "TLSv1" -> "1.0"; protocol "tls" (or "ssl" for SSLv3). */
static void et_version(struct et *t, const char *v)
{
	if (strcmp(v, "TLSv1") == 0)
		v = "TLSv1.0";
	if (strncmp(v, "TLSv", 4) == 0 && v[4] != '\0') {
		et_key(t, "version");
		json_append_string(t->b, v + 4, strlen(v + 4));
		et_key(t, "version_protocol");
		sb_puts(t->b, "\"tls\"");
	} else if (strcmp(v, "SSLv3") == 0) {
		et_key(t, "version");
		sb_puts(t->b, "\"3.0\"");
		et_key(t, "version_protocol");
		sb_puts(t->b, "\"ssl\"");
	}
}

static void et_tls(struct et *t, const struct tls_result *r)
{
	const struct tls_chain_info *ci = &r->certs;

	et_open(t, "tls");
	et_version(t, r->version);
	et_chars(t, "cipher", EF_CIPHER, r->cipher, sizeof(r->cipher));
	et_chars(t, "curve", EF_GROUP, r->group, sizeof(r->group));
	et_bool(t, "established", r->outcome == TLS_OK);
	et_chars(t, "next_protocol", EF_ALPN, r->alpn, sizeof(r->alpn));
	if (r->sni[0] != '\0') {
		et_open(t, "client");
		et_chars(t, "server_name", EF_SNI, r->sni, sizeof(r->sni));
		et_close(t);
	}
	if (ci->has_leaf || r->ja3s[0] != '\0') {
		et_open(t, "server");
		if (strnlen(r->ja3s, sizeof(r->ja3s)) == 32) {
			et_key(t, "ja3s");
			sb_printf(t->b, "\"%s\"", r->ja3s);
		}
	}
	if (ci->has_leaf) {
		const struct tls_cert_info *c = &ci->leaf;

		et_open(t, "hash");
		et_hex(t, "sha256", c->sha256, sizeof(c->sha256));
		et_hex(t, "sha1", c->sha1, sizeof(c->sha1));
		et_close(t);
		et_time(t, "not_before", c->not_before);
		et_time(t, "not_after", c->not_after);
		et_bytes(t, "subject", EF_SUBJECT, c->subject_dn.p, c->subject_dn.len);
		et_bytes(t, "issuer", EF_ISSUER, c->issuer_dn.p, c->issuer_dn.len);
		if (ci->pem != NULL) {
			if (t->lv->drop_pem)
				t->cut |= 1u << EF_PEM;
			else
				et_bytes(t, "certificate", EF_PEM, ci->pem, strlen(ci->pem));
		}
		et_x509(t, c);
	}
	if (ci->has_leaf || r->ja3s[0] != '\0')
		et_close(t);
	et_close(t);
}

/* http.version / http.response.status_code from a well-formed "HTTP/1.1 200 ..." line. */
static void et_http(struct et *t, const struct tls_bytes *status)
{
	const unsigned char *p = status->p;
	size_t len = status->len;
	char ver[4];
	unsigned code;

	if (p == NULL || len < 12 || memcmp(p, "HTTP/", 5) != 0)
		return;
	if (!(p[5] >= '0' && p[5] <= '9' && p[6] == '.' && p[7] >= '0' && p[7] <= '9' &&
	      p[8] == ' '))
		return;
	if (!(p[9] >= '1' && p[9] <= '5' && p[10] >= '0' && p[10] <= '9' && p[11] >= '0' &&
	      p[11] <= '9') ||
	    (len > 12 && p[12] != ' '))
		return;
	ver[0] = (char)p[5];
	ver[1] = '.';
	ver[2] = (char)p[7];
	ver[3] = '\0';
	code = (unsigned)(p[9] - '0') * 100 + (unsigned)(p[10] - '0') * 10 + (unsigned)(p[11] - '0');
	et_open(t, "http");
	et_key(t, "version");
	sb_printf(t->b, "\"%s\"", ver);
	et_open(t, "response");
	et_key(t, "status_code");
	sb_printf(t->b, "%u", code);
	et_close(t);
	et_close(t);
}

static void et_versions(struct et *t, const char *key, unsigned bits)
{
	et_key(t, key);
	tls_json_versions(t->b, bits);
}

static void et_chain(struct et *t, const struct tls_chain_info *ci)
{
	size_t n = ci->chain != NULL ? ci->chain_len : 0;

	if (n > t->lv->chain_cap) {
		n = t->lv->chain_cap;
		t->cut |= 1u << EF_CHAIN;
	}
	et_key(t, "chain");
	sb_puts(t->b, "[");
	for (size_t i = 0; i < n; i++) {
		const struct tls_chain_entry *e = &ci->chain[i];

		sb_puts(t->b, i > 0 ? ",{" : "{");
		t->first = 1;
		et_bytes(t, "subject", EF_CHAIN, e->subject_dn.p, e->subject_dn.len);
		et_bytes(t, "issuer", EF_CHAIN, e->issuer_dn.p, e->issuer_dn.len);
		et_hex(t, "sha256", e->sha256, sizeof(e->sha256));
		et_close(t);
	}
	sb_puts(t->b, "]");
	et_key(t, "chain_length");
	sb_printf(t->b, "%zu", ci->chain_total);
}

/* Field paths in a JSON list: the extractor's cuts (native names, mapped), then ours. */
static void et_field_list(struct et *t, const char *key, uint32_t bits, const char *extra)
{
	int first = 1;

	et_key(t, key);
	sb_puts(t->b, "[");
	if (extra != NULL) {
		sb_printf(t->b, "\"%s\"", extra);
		first = 0;
	}
	for (unsigned f = 0; f < EF_COUNT; f++) {
		if (!(bits & (1u << f)))
			continue;
		sb_printf(t->b, "%s\"%s\"", first ? "" : ",", et_name[f]);
		first = 0;
	}
	sb_puts(t->b, "]");
}

/* The extractor's own caps (tls_cert.h names) as ECS field bits. */
static uint32_t extractor_cuts(const struct tls_result *r)
{
	static const struct {
		const char *name;
		enum et_field f;
	} map[] = {
		{ "subject", EF_SUBJECT },   { "issuer", EF_ISSUER },   { "subject_cn", EF_SUBJECT_ATTRS },
		{ "san_dns", EF_SAN },       { "san_ip", EF_SAN },      { "serial", EF_SERIAL },
		{ "signature_algorithm", EF_SIG_ALG },                  { "key_algorithm", EF_KEY_ALG },
		{ "chain", EF_CHAIN },
	};
	const char *p = r->certs.truncated_fields;
	const char *end = p + strnlen(p, sizeof(r->certs.truncated_fields));
	uint32_t bits = 0;

	while (p < end) {
		const char *e = memchr(p, ',', (size_t)(end - p));
		size_t len;

		if (e == NULL)
			e = end;
		len = (size_t)(e - p);
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strlen(map[i].name) == len && memcmp(map[i].name, p, len) == 0)
				bits |= 1u << map[i].f;
		p = e + 1;
	}
	if (r->banner_truncated)
		bits |= 1u << EF_HTTP_STATUS | 1u << EF_HTTP_SERVER;
	return bits;
}

static void et_render(struct et *t, const struct ecs_ctx *c, const struct tls_result *r)
{
	const struct tls_chain_info *ci = &r->certs;
	struct strbuf *b = t->b;
	const char *src = ecs_scanner_for(c, r->ip);
	char ip[ADDR_STR_MAX], key[ADDR_STR_MAX + 8 + sizeof(r->sni)], reason[80];
	uint32_t cuts;
	int64_t dur = r->end_us - r->start_us;

	addr_to_str(r->ip, ip);
	snprintf(key, sizeof(key), "%s|%u|%.*s", ip, (unsigned)r->port,
		 (int)strnlen(r->sni, sizeof(r->sni)), r->sni);
	ecs_open_event(b, c, r->end_us, "state", "info", "tls-handshake", "portus.tls", key);
	if (r->outcome == TLS_ALERT && r->alert[0] != '\0')
		snprintf(reason, sizeof(reason), "alert: %.*s", (int)strnlen(r->alert, sizeof(r->alert)),
			 r->alert);
	else
		snprintf(reason, sizeof(reason), "%s", tls_outcome_name(r->outcome));
	sb_printf(b, ",\"outcome\":\"%s\",\"reason\":", r->outcome == TLS_OK ? "success" : "failure");
	json_append_string(b, reason, strlen(reason));
	sb_puts(b, ",\"start\":");
	json_append_time(b, r->start_us);
	sb_puts(b, ",\"end\":");
	json_append_time(b, r->end_us);
	sb_printf(b, ",\"duration\":%" PRId64 "}", (dur > 0 ? dur : 0) * 1000);
	sb_printf(b, ",\"destination\":{\"ip\":\"%s\",\"port\":%u}", ip, (unsigned)r->port);
	if (src[0] != '\0')
		sb_printf(b, ",\"source\":{\"ip\":\"%s\"}", src);
	sb_printf(b, ",\"network\":{\"transport\":\"tcp\",\"type\":\"%s\"}",
		  ecs_network_type(r->ip));
	sb_printf(b, ",\"related\":{\"ip\":[\"%s\"", ip);
	if (src[0] != '\0')
		sb_printf(b, ",\"%s\"", src);
	sb_puts(b, "]");
	t->first = 0;
	if (ci->has_leaf) {
		char h[65];

		hex_upper(ci->leaf.sha256, sizeof(ci->leaf.sha256), h);
		et_key(t, "hash");
		sb_printf(b, "[\"%s\"]", h);
	}
	if (r->sni[0] != '\0') {
		et_key(t, "hosts");
		sb_puts(b, "[");
		et_string(t, EF_SNI, r->sni, strnlen(r->sni, sizeof(r->sni)));
		sb_puts(b, "]");
	}
	sb_puts(b, "}");
	t->first = 0;
	et_tls(t, r);
	if (r->banner_done)
		et_http(t, &r->http_status);
	ecs_common_tail(b, c);
	sb_puts(b, "}");
	t->first = 0;
	et_open(t, "tls");
	et_key(t, "outcome");
	sb_printf(b, "\"%s\"", tls_outcome_name(r->outcome));
	et_chars(t, "alert", EF_ALERT, r->alert, sizeof(r->alert));
	et_chars(t, "detail", EF_DETAIL, r->detail, sizeof(r->detail));
	if (r->outcome == TLS_OK || ci->has_leaf) {
		et_open(t, "verify");
		et_bool(t, "ok", r->verify_ok);
		et_chars(t, "error", EF_VERIFY_ERROR, r->verify_error, sizeof(r->verify_error));
		et_close(t);
	}
	if (r->hostname_checked)
		et_bool(t, "hostname_match", r->hostname_match);
	if (ci->has_leaf) {
		et_key(t, "days_to_expiry");
		sb_printf(b, "%" PRId64, ci->leaf.days_to_expiry);
		et_bool(t, "expired", ci->leaf.expired);
		et_bool(t, "not_yet_valid", ci->leaf.not_yet_valid);
		et_bool(t, "self_signed", ci->leaf.self_signed);
	}
	et_chain(t, ci);
	et_bytes(t, "http_status", EF_HTTP_STATUS, r->http_status.p, r->http_status.len);
	et_bytes(t, "http_server", EF_HTTP_SERVER, r->http_server.p, r->http_server.len);
	if (r->versions_tested != 0) {
		unsigned acc = r->versions_tested & r->versions_accepted;

		et_versions(t, "versions_accepted", acc);
		et_versions(t, "versions_rejected", r->versions_tested & ~r->versions_accepted);
		/* TLS 1.0 and 1.1 are deprecated (RFC 8996). */
		et_versions(t, "weak_versions_accepted", acc & (TLS_V10 | TLS_V11));
	}
	if (strnlen(r->ja4s, sizeof(r->ja4s)) == 25) {
		et_key(t, "ja4s");
		json_append_string(b, r->ja4s, 25);
	}
	if (r->ciphers != NULL) {
		sb_puts(b, ",");
		if (tls_json_ciphers(b, r->ciphers, t->lv->cipher_cap, 1))
			t->cut |= 1u << EF_CIPHERS;
	}
	cuts = extractor_cuts(r) | t->cut;
	et_bool(t, "truncated", r->certs.truncated || r->banner_truncated || cuts != 0);
	et_field_list(t, "truncated_fields", cuts, NULL);
	et_field_list(t, "invalid_utf8_fields", t->bad, NULL);
	sb_puts(b, "}}}");
}

void ecs_tls_format(struct strbuf *b, const struct ecs_ctx *c, const struct tls_result *r)
{
	struct strbuf tmp;

	sb_init(&tmp);
	for (size_t i = 0; i < ET_LEVELS; i++) {
		struct et t = { .b = &tmp, .lv = &et_levels[i] };

		sb_reset(&tmp);
		et_render(&t, c, r);
		if (tmp.oom || tmp.len <= ECS_MAX_RECORD)
			break;
	}
	if (tmp.oom)
		b->oom = 1;
	else
		sb_append(b, tmp.p, tmp.len);
	sb_free(&tmp);
}
