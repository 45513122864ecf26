/*
 * ecs_tls.c — a TLS endpoint as one ECS record (field list in ecs.h).
 *
 * Like tls_json.c the record is rendered at the loosest of the same table of
 * caps (tls_json_levels) and again at the next level while it is over
 * ECS_MAX_RECORD; the last level bounds every string and list, so any input
 * fits. truncated_fields and invalid_utf8_fields name ECS field paths
 * ("tls.server.x509.subject.common_name").
 */
#include <stdint.h>
#include <string.h>

#include "jsonw.h"
#include "output/ecs.h"
#include "tls/dn.h"
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

/* The entries of l into the open JSON list, at most cap of them counting the
 * `written` ones before; returns entries written. */
static size_t et_list_items(struct jsonw *w, enum et_field f, const struct tls_name_list *l,
			    size_t written, size_t cap)
{
	size_t n = l->n;

	if (written + n > cap) {
		n = cap > written ? cap - written : 0;
		w->cut |= 1u << f;
	}
	for (size_t i = 0; i < n; i++) {
		struct jw_mark m = jw_mark(w);

		jw_field(w, NULL, f, l->v[i].p, l->v[i].p != NULL ? l->v[i].len : 0);
		if (!jw_keep(w, &m, f))
			return written + i;
	}
	return written + n;
}

/* DN attribute types and their ECS x509 names. */
static const struct {
	const char *type, *ecs;
} dn_fields[] = {
	{ "CN", "common_name" }, { "O", "organization" }, { "OU", "organizational_unit" },
	{ "C", "country" },      { "L", "locality" },     { "ST", "state_or_province" },
};

struct dn_pick {
	struct jsonw *w; /* NULL: only count */
	enum et_field f;
	const char *type;
	size_t n, cap;
};

static void dn_pick_one(void *ctx, const char *type, size_t type_len, const unsigned char *val,
			size_t val_len)
{
	struct dn_pick *d = ctx;
	struct jw_mark m;

	if (strlen(d->type) != type_len || memcmp(d->type, type, type_len) != 0)
		return;
	if (d->w == NULL) {
		d->n++;
		return;
	}
	if (d->n >= d->cap) {
		d->w->cut |= 1u << d->f;
		return;
	}
	m = jw_mark(d->w);
	jw_field(d->w, NULL, d->f, val, val_len);
	if (jw_keep(d->w, &m, d->f))
		d->n++;
	else
		d->cap = d->n; /* over budget: no more entries */
}

/* x509.subject / x509.issuer: distinguished_name and the attribute lists
 * (each list only when the DN has that attribute). */
static void et_dn_object(struct jsonw *w, const char *key, enum et_field dn_f, enum et_field attr_f,
			 const struct tls_bytes *dn, size_t cap)
{
	unsigned char scratch[TLS_MAX_NAME_BYTES + 1];

	jw_obj(w, key);
	jw_text(w, "distinguished_name", dn_f, dn->p, dn->len);
	if (dn->p != NULL && dn->len <= TLS_MAX_NAME_BYTES) {
		for (size_t i = 0; i < sizeof(dn_fields) / sizeof(dn_fields[0]); i++) {
			struct dn_pick count = { NULL, attr_f, dn_fields[i].type, 0, cap };
			struct dn_pick d = { w, attr_f, dn_fields[i].type, 0, cap };

			dn_walk(dn->p, dn->len, scratch, dn_pick_one, &count);
			if (count.n == 0)
				continue;
			jw_arr(w, dn_fields[i].ecs);
			dn_walk(dn->p, dn->len, scratch, dn_pick_one, &d);
			jw_close(w);
		}
	}
	jw_close(w);
}

static void et_x509(struct jsonw *w, const struct tls_cert_info *c, size_t list_cap)
{
	size_t n;

	jw_obj(w, "x509");
	jw_arr(w, "alternative_names");
	n = et_list_items(w, EF_SAN, &c->san_dns, 0, list_cap);
	(void)et_list_items(w, EF_SAN, &c->san_ip, n, list_cap);
	jw_close(w);
	jw_chars(w, "serial_number", EF_SERIAL, c->serial_hex, sizeof(c->serial_hex));
	jw_chars(w, "signature_algorithm", EF_SIG_ALG, c->sig_alg, sizeof(c->sig_alg));
	jw_chars(w, "public_key_algorithm", EF_KEY_ALG, c->key_alg, sizeof(c->key_alg));
	if (c->key_bits > 0)
		jw_int(w, "public_key_size", c->key_bits);
	jw_chars(w, "public_key_curve", EF_KEY_CURVE, c->key_curve, sizeof(c->key_curve));
	jw_time_s(w, "not_before", c->not_before);
	jw_time_s(w, "not_after", c->not_after);
	et_dn_object(w, "subject", EF_SUBJECT, EF_SUBJECT_ATTRS, &c->subject_dn, list_cap);
	et_dn_object(w, "issuer", EF_ISSUER, EF_ISSUER_ATTRS, &c->issuer_dn, list_cap);
	jw_close(w);
}

/* "TLSv1.3" -> "1.3", "TLSv1" -> "1.0"; protocol "tls" (or "ssl" for SSLv3). */
static void et_version(struct jsonw *w, const char *v)
{
	if (strcmp(v, "TLSv1") == 0)
		v = "TLSv1.0";
	if (strncmp(v, "TLSv", 4) == 0 && v[4] != '\0') {
		jw_strz(w, "version", v + 4);
		jw_strz(w, "version_protocol", "tls");
	} else if (strcmp(v, "SSLv3") == 0) {
		jw_strz(w, "version", "3.0");
		jw_strz(w, "version_protocol", "ssl");
	}
}

static void et_tls(struct jsonw *w, const struct tls_result *r, const struct tls_json_level *lv)
{
	const struct tls_chain_info *ci = &r->certs;

	jw_obj(w, "tls");
	et_version(w, r->version);
	jw_chars(w, "cipher", EF_CIPHER, r->cipher, sizeof(r->cipher));
	jw_chars(w, "curve", EF_GROUP, r->group, sizeof(r->group));
	jw_bool(w, "established", r->outcome == TLS_OK);
	jw_chars(w, "next_protocol", EF_ALPN, r->alpn, sizeof(r->alpn));
	if (r->sni[0] != '\0') {
		jw_obj(w, "client");
		jw_chars(w, "server_name", EF_SNI, r->sni, sizeof(r->sni));
		jw_close(w);
	}
	if (ci->has_leaf || r->ja3s[0] != '\0') {
		jw_obj(w, "server");
		if (strnlen(r->ja3s, sizeof(r->ja3s)) == 32)
			jw_str(w, "ja3s", r->ja3s, 32);
	}
	if (ci->has_leaf) {
		const struct tls_cert_info *c = &ci->leaf;

		jw_obj(w, "hash");
		jw_hex(w, "sha256", c->sha256, sizeof(c->sha256), 1);
		jw_hex(w, "sha1", c->sha1, sizeof(c->sha1), 1);
		jw_close(w);
		jw_time_s(w, "not_before", c->not_before);
		jw_time_s(w, "not_after", c->not_after);
		jw_text(w, "subject", EF_SUBJECT, c->subject_dn.p, c->subject_dn.len);
		jw_text(w, "issuer", EF_ISSUER, c->issuer_dn.p, c->issuer_dn.len);
		if (ci->pem != NULL) {
			struct jw_mark m = jw_mark(w);

			if (lv->drop_pem)
				w->cut |= 1u << EF_PEM;
			else
				jw_text(w, "certificate", EF_PEM, ci->pem, strlen(ci->pem));
			(void)jw_keep(w, &m, EF_PEM);
		}
		et_x509(w, c, lv->list_cap);
	}
	if (ci->has_leaf || r->ja3s[0] != '\0')
		jw_close(w);
	jw_close(w);
}

/* http.version / http.response.status_code from a well-formed "HTTP/1.1 200 ..." line. */
static void et_http(struct jsonw *w, const struct tls_bytes *status)
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
	code = (unsigned)(p[9] - '0') * 100 + (unsigned)(p[10] - '0') * 10 +
	       (unsigned)(p[11] - '0');
	jw_obj(w, "http");
	jw_strz(w, "version", ver);
	jw_obj(w, "response");
	jw_uint(w, "status_code", code);
	jw_close(w);
	jw_close(w);
}

/* The extractor's own caps (tls_cert.h names) as ECS field bits. */
static uint32_t extractor_cuts(const struct tls_result *r)
{
	static const struct {
		const char *name;
		enum et_field f;
	} map[] = {
		{ "subject", EF_SUBJECT },
		{ "issuer", EF_ISSUER },
		{ "subject_cn", EF_SUBJECT_ATTRS },
		{ "san_dns", EF_SAN },
		{ "san_ip", EF_SAN },
		{ "serial", EF_SERIAL },
		{ "signature_algorithm", EF_SIG_ALG },
		{ "key_algorithm", EF_KEY_ALG },
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

struct et_arg {
	const struct ecs_ctx *c;
	const struct tls_result *r;
};

static void et_render(struct jsonw *w, size_t level, const void *arg)
{
	const struct ecs_ctx *c = ((const struct et_arg *)arg)->c;
	const struct tls_result *r = ((const struct et_arg *)arg)->r;
	const struct tls_json_level *lv = &tls_json_levels[level];
	const struct tls_chain_info *ci = &r->certs;
	const char *src = ecs_scanner_for(c, r->ip);
	char ip[ADDR_STR_MAX], key[ADDR_STR_MAX + 8 + sizeof(r->sni)], reason[80];
	uint32_t cuts;
	int64_t dur = r->end_us - r->start_us;

	w->empty = JW_EMPTY_OMIT;
	w->str_cap = lv->str_cap;
	/* The tail: "truncated" and the two field lists. */
	jw_reserve(w, 2 * jw_names_size(et_name, EF_COUNT) + 64);
	addr_to_str(r->ip, ip);
	snprintf(key, sizeof(key), "%s|%u|%.*s", ip, (unsigned)r->port,
		 (int)strnlen(r->sni, sizeof(r->sni)), r->sni);
	ecs_open_event(w, c, r->end_us, "state", "info", "tls-handshake", "portus.tls", key);
	if (r->outcome == TLS_ALERT && r->alert[0] != '\0')
		snprintf(reason, sizeof(reason), "alert: %.*s",
			 (int)strnlen(r->alert, sizeof(r->alert)), r->alert);
	else
		snprintf(reason, sizeof(reason), "%s", tls_outcome_name(r->outcome));
	jw_strz(w, "outcome", r->outcome == TLS_OK ? "success" : "failure");
	jw_strz(w, "reason", reason);
	jw_time(w, "start", r->start_us);
	jw_time(w, "end", r->end_us);
	jw_int(w, "duration", (dur > 0 ? dur : 0) * 1000);
	jw_close(w);
	jw_obj(w, "destination");
	jw_strz(w, "ip", ip);
	jw_uint(w, "port", r->port);
	jw_close(w);
	if (src[0] != '\0') {
		jw_obj(w, "source");
		jw_strz(w, "ip", src);
		jw_close(w);
	}
	ecs_network_related(w, r->ip, 1, ip, src);
	jw_close(w);
	if (ci->has_leaf) {
		jw_arr(w, "hash");
		jw_hex(w, NULL, ci->leaf.sha256, sizeof(ci->leaf.sha256), 1);
		jw_close(w);
	}
	if (r->sni[0] != '\0') {
		jw_arr(w, "hosts");
		jw_field(w, NULL, EF_SNI, r->sni, strnlen(r->sni, sizeof(r->sni)));
		jw_close(w);
	}
	jw_close(w);
	et_tls(w, r, lv);
	if (r->banner_done)
		et_http(w, &r->http_status);
	ecs_common_tail(w, c);
	jw_close(w);
	jw_obj(w, "tls");
	jw_strz(w, "outcome", tls_outcome_name(r->outcome));
	jw_chars(w, "alert", EF_ALERT, r->alert, sizeof(r->alert));
	jw_chars(w, "detail", EF_DETAIL, r->detail, sizeof(r->detail));
	if (r->outcome == TLS_OK || ci->has_leaf) {
		jw_obj(w, "verify");
		jw_bool(w, "ok", r->verify_ok);
		jw_chars(w, "error", EF_VERIFY_ERROR, r->verify_error, sizeof(r->verify_error));
		jw_close(w);
	}
	if (r->hostname_checked)
		jw_bool(w, "hostname_match", r->hostname_match);
	if (ci->has_leaf) {
		jw_int(w, "days_to_expiry", ci->leaf.days_to_expiry);
		jw_bool(w, "expired", ci->leaf.expired);
		jw_bool(w, "not_yet_valid", ci->leaf.not_yet_valid);
		jw_bool(w, "self_signed", ci->leaf.self_signed);
	}
	tls_json_chain(w, ci, lv->chain_cap, EF_CHAIN);
	jw_text(w, "http_status", EF_HTTP_STATUS, r->http_status.p, r->http_status.len);
	jw_text(w, "http_server", EF_HTTP_SERVER, r->http_server.p, r->http_server.len);
	tls_json_checks(w, r);
	if (tls_result_findings(r) != 0)
		jw_int(w, "severity", tls_findings_worst(tls_result_findings(r)));
	if (r->versions_tested != 0) {
		unsigned acc = r->versions_tested & r->versions_accepted;

		tls_json_versions(w, "versions_accepted", acc);
		tls_json_versions(w, "versions_rejected",
				  r->versions_tested & ~r->versions_accepted);
		/* TLS 1.0 and 1.1 are deprecated (RFC 8996). */
		tls_json_versions(w, "weak_versions_accepted", acc & (TLS_V10 | TLS_V11));
	}
	if (strnlen(r->ja4s, sizeof(r->ja4s)) == 25)
		jw_str(w, "ja4s", r->ja4s, 25);
	if (r->ciphers != NULL)
		tls_json_ciphers(w, r->ciphers, lv->cipher_cap, 1, EF_CIPHERS);
	jw_reserve(w, 0);
	cuts = extractor_cuts(r) | w->cut;
	jw_bool(w, "truncated", r->certs.truncated || r->banner_truncated || cuts != 0);
	jw_names(w, "truncated_fields", cuts, et_name, EF_COUNT);
	jw_names(w, "invalid_utf8_fields", w->bad, et_name, EF_COUNT);
	jw_end(w);
}

void ecs_tls_format(struct strbuf *b, const struct ecs_ctx *c, const struct tls_result *r)
{
	struct et_arg a = { c, r };

	jw_levels(b, ECS_MAX_RECORD, tls_json_nlevels, et_render, &a);
}
