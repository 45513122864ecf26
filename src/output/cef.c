/*
 * cef.c — ArcSight CEF:0 lines (layout, escaping and size cap in cef.h) and
 * the writer behind `-oJ FILE --format cef`.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/cef.h"
#include "portus.h"
#include "utf8.h"

enum cef_part { CEF_HEADER, CEF_VALUE };

/*
 * Appends data[0..len) escaped for a header field or an extension value (the
 * rules in cef.h), writing at most cap bytes: the character that would pass
 * cap and everything after it are left out. Returns 1 when something was cut.
 */
static int cef_escape(struct strbuf *b, const void *data, size_t len, enum cef_part part,
		      size_t cap)
{
	const unsigned char *s = data;
	size_t i = 0, out = 0;

	while (i < len) {
		unsigned char c = s[i];
		const char *rep = (const char *)s + i;
		size_t replen = 1, adv = 1, bad = 1;

		if (c == '\\') {
			rep = "\\\\", replen = 2;
		} else if (c == '|' && part == CEF_HEADER) {
			rep = "\\|", replen = 2;
		} else if (c == '=' && part == CEF_VALUE) {
			rep = "\\=", replen = 2;
		} else if (c == '\r' && part == CEF_VALUE) {
			rep = "\\r", replen = 2;
		} else if (c == '\n' && part == CEF_VALUE) {
			rep = "\\n", replen = 2;
		} else if (c < 0x20 || c == 0x7f) {
			rep = UTF8_REPLACEMENT, replen = 3;
		} else if (c >= 0x80) {
			size_t k = utf8_decode(s + i, len - i, NULL, &bad);

			if (k == 0) {
				rep = UTF8_REPLACEMENT, replen = 3, adv = bad;
			} else if (k == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
				/* C1 controls U+0080-U+009F (0x9B is a terminal CSI). */
				rep = UTF8_REPLACEMENT, replen = 3, adv = 2;
			} else {
				replen = adv = k;
			}
		}
		if (replen > cap - out)
			return 1;
		sb_append(b, rep, replen);
		out += replen;
		i += adv;
	}
	return 0;
}

/* ---- the line's parts ---- */

static void cef_header(struct strbuf *b, const char *sig, const char *name, int severity)
{
	sb_puts(b, "CEF:0|");
	cef_escape(b, "portus", 6, CEF_HEADER, SIZE_MAX);
	sb_puts(b, "|");
	cef_escape(b, "portus", 6, CEF_HEADER, SIZE_MAX);
	sb_puts(b, "|");
	cef_escape(b, PORTUS_VERSION, strlen(PORTUS_VERSION), CEF_HEADER, SIZE_MAX);
	sb_puts(b, "|");
	cef_escape(b, sig, strlen(sig), CEF_HEADER, SIZE_MAX);
	sb_puts(b, "|");
	cef_escape(b, name, strlen(name), CEF_HEADER, SIZE_MAX);
	sb_printf(b, "|%d|", severity);
}

/* The extension being built: key=value pairs separated by one space. */
struct ext {
	struct strbuf *b;
	int any; /* a pair was written: the next one starts with a space */
};

static void ext_key(struct ext *e, const char *key)
{
	if (e->any)
		sb_append(e->b, " ", 1);
	sb_puts(e->b, key);
	sb_append(e->b, "=", 1);
	e->any = 1;
}

/* key=value for value[0..len), escaped and cut at cap; nothing when len is 0.
 * Returns 1 when the value was cut. */
static int ext_bytes(struct ext *e, const char *key, const void *val, size_t len, size_t cap)
{
	if (len == 0)
		return 0;
	ext_key(e, key);
	return cef_escape(e->b, val, len, CEF_VALUE, cap);
}

static void ext_str(struct ext *e, const char *key, const char *val)
{
	(void)ext_bytes(e, key, val, strlen(val), SIZE_MAX);
}

static void ext_u64(struct ext *e, const char *key, uint64_t v)
{
	ext_key(e, key);
	sb_printf(e->b, "%" PRIu64, v);
}

static void ext_i64(struct ext *e, const char *key, int64_t v)
{
	ext_key(e, key);
	sb_printf(e->b, "%" PRId64, v);
}

static void ext_ip(struct ext *e, const char *key, uint32_t ip)
{
	char s[16];

	ip_to_str(ip, s);
	ext_str(e, key, s);
}

/* A CEF timestamp: milliseconds since the epoch (floor, also before 1970). */
static void ext_ms(struct ext *e, const char *key, int64_t time_us)
{
	int64_t ms = time_us / 1000;

	if (time_us % 1000 < 0)
		ms--;
	ext_i64(e, key, ms);
}

/* A custom field: "<key>Label=<label> <key>=" then the caller's value. */
static void ext_label(struct ext *e, const char *key, const char *label)
{
	char k[32];

	snprintf(k, sizeof(k), "%sLabel", key);
	ext_str(e, k, label);
	ext_key(e, key);
}

/* An address in its text form (dotted quad, RFC 5952) as a custom field. */
static void ext_label_addr(struct ext *e, const char *key, const char *label, ip_addr ip)
{
	char s[ADDR_STR_MAX];

	addr_to_str(ip, s);
	ext_label(e, key, label);
	sb_puts(e->b, s);
}

/* The CEF dictionary's IPv6 fields (deviceCustomIPv6Address2/3) with the
 * labels the spec gives them; src and dst take IPv4 addresses only. */
#define CEF_SRC6 "c6a2"
#define CEF_SRC6_LABEL "Source IPv6 Address"
#define CEF_DST6 "c6a3"
#define CEF_DST6_LABEL "Destination IPv6 Address"

/* The scanned address: dst (IPv4) or c6a3 (IPv6). */
static void ext_dst(struct ext *e, ip_addr ip)
{
	if (addr_is_v4(ip))
		ext_ip(e, "dst", addr_v4(ip));
	else
		ext_label_addr(e, CEF_DST6, CEF_DST6_LABEL, ip);
}

/* rt, dvchost, and the scanner's address (src; c6a2 for a record of an IPv6
 * target, left out when the run has no IPv6 source): what every record starts
 * with. The summary (dst zero) gives src, and c6a2 when the run sent IPv6 too. */
static void ext_common(struct ext *e, int64_t time_us, const struct run_info *ri, ip_addr dst)
{
	int has6 = !addr_is_zero(ri->scanner_ip6);

	ext_ms(e, "rt", time_us);
	ext_str(e, "dvchost", ri->hostname);
	if (addr_is_zero(dst)) {
		if (ri->scanner_ip != 0 || !has6)
			ext_ip(e, "src", ri->scanner_ip);
		if (has6)
			ext_label_addr(e, CEF_SRC6, CEF_SRC6_LABEL, ri->scanner_ip6);
	} else if (addr_is_v4(dst)) {
		ext_ip(e, "src", ri->scanner_ip);
	} else if (has6) {
		ext_label_addr(e, CEF_SRC6, CEF_SRC6_LABEL, ri->scanner_ip6);
	}
}

/* ---- port, host, summary ---- */

#define CEF_NAMES_CAP 2048 /* bytes of cs2 "hostnames": keeps a line under CEF_MAX_LINE */

/* dhost: the first name an address came from; cs2 "hostnames": all of
 * them, comma-separated, when there are several (whole names only, up to
 * CEF_NAMES_CAP bytes). */
static void ext_names(struct ext *e, const char *const *names)
{
	uint32_t n = record_nnames(names);
	struct strbuf list;

	if (n == 0)
		return;
	ext_str(e, "dhost", names[0]);
	if (n == 1)
		return;
	sb_init(&list);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (list.len + len + 1 > CEF_NAMES_CAP)
			break;
		if (i > 0)
			sb_append(&list, ",", 1);
		sb_append(&list, names[i], len);
	}
	if (!list.oom && list.len > 0) {
		ext_str(e, "cs2Label", "hostnames");
		(void)ext_bytes(e, "cs2", list.p, list.len, SIZE_MAX);
	}
	sb_free(&list);
}

void cef_resolve_format(struct strbuf *b, const struct resolve_record *r, const struct run_info *ri)
{
	struct ext e = { b, 0 };

	cef_header(b, "name-unresolved", "Host name not resolved", 2);
	ext_common(&e, r->time_us, ri, addr_zero());
	ext_str(&e, "dhost", r->name);
	ext_str(&e, "outcome", r->error);
	ext_str(&e, "reason", r->detail != NULL && r->detail[0] != '\0' ? r->detail : r->error);
	ext_label(&e, "cs1", "family");
	cef_escape(b, r->family, strlen(r->family), CEF_VALUE, SIZE_MAX);
}

void cef_port_format(struct strbuf *b, const struct port_record *r, const struct run_info *ri)
{
	struct ext e = { b, 0 };

	switch ((enum port_state)r->state) {
	case PS_OPEN:
		cef_header(b, "port-open", "TCP port open", 3);
		break;
	case PS_CLOSED:
		cef_header(b, "port-closed", "TCP port closed", 1);
		break;
	default:
		cef_header(b, "port-filtered", "TCP port filtered", 1);
		break;
	}
	ext_common(&e, r->time_us, ri, r->ip);
	if (r->sport != 0)
		ext_u64(&e, "spt", r->sport);
	ext_dst(&e, r->ip);
	ext_names(&e, r->names);
	ext_u64(&e, "dpt", r->port);
	ext_str(&e, "proto", "TCP");
	ext_str(&e, "act", state_name((enum port_state)r->state));
	ext_str(&e, "reason", reason_name((enum reason)r->reason));
	if (r->has_reply) {
		ext_label(&e, "cn1", "ttl");
		sb_printf(b, "%u", (unsigned)r->ttl);
		/* An IPv6 sender goes in the one IPv6 field the dictionary leaves
		 * free (deviceCustomIPv6Address4), under the same label. */
		if (addr_is_v4(r->reason_ip))
			ext_label_addr(&e, "cs1", "reasonIp", r->reason_ip);
		else if (!addr_is_zero(r->reason_ip))
			ext_label_addr(&e, "c6a4", "reasonIp", r->reason_ip);
	}
}

void cef_host_format(struct strbuf *b, const struct host_record *h, const struct run_info *ri)
{
	struct ext e = { b, 0 };

	if (h->up)
		cef_header(b, "host-up", "Host up", 1);
	else
		cef_header(b, "host-down", "Host down", 1);
	ext_common(&e, h->time_us, ri, h->ip);
	ext_dst(&e, h->ip);
	ext_names(&e, h->names);
	ext_str(&e, "act", h->up ? "up" : "down");
	ext_str(&e, "reason", reason_name((enum reason)h->reason));
}

void cef_summary_format(struct strbuf *b, const struct run_summary *s, const struct run_info *ri)
{
	struct ext e = { b, 0 };
	int64_t el = s->end_us - s->start_us;
	double rate = isfinite(s->rate_pps) ? s->rate_pps : 0.0;
	char line[512];
	int n;

	cef_header(b, "run-summary", "Scan summary", 1);
	ext_common(&e, s->end_us, ri, addr_zero());
	ext_str(&e, "deviceOutboundInterface", ri->ifname);
	ext_ms(&e, "start", s->start_us);
	ext_ms(&e, "end", s->end_us);
	ext_str(&e, "outcome", s->interrupted ? "interrupted" : "completed");
	n = snprintf(line, sizeof(line),
		     "%" PRIu64 " targets on %" PRIu64 " hosts: %" PRIu64 " open, %" PRIu64
		     " closed, %" PRIu64 " filtered, %" PRIu64 " hosts down; %" PRIu64
		     " probes in %.3f s, %u passes",
		     s->targets, s->hosts, s->open, s->closed, s->filtered, s->hosts_down,
		     s->probes_sent, el > 0 ? (double)el / 1e6 : 0.0, s->passes);
	if (n > 0 && (size_t)n < sizeof(line) && s->tls_endpoints > 0)
		snprintf(line + n, sizeof(line) - (size_t)n,
			 "; %" PRIu64 " TLS endpoints, %" PRIu64 " handshakes ok", s->tls_endpoints,
			 s->tls_ok);
	ext_str(&e, "msg", line);
	ext_label(&e, "cn1", "open");
	sb_printf(b, "%" PRIu64, s->open);
	ext_label(&e, "cn2", "closed");
	sb_printf(b, "%" PRIu64, s->closed);
	ext_label(&e, "cn3", "filtered");
	sb_printf(b, "%" PRIu64, s->filtered);
	ext_label(&e, "flexNumber1", "hostsDown");
	sb_printf(b, "%" PRIu64, s->hosts_down);
	ext_label(&e, "flexNumber2", "targets");
	sb_printf(b, "%" PRIu64, s->targets);
	ext_label(&e, "cs1", "seed");
	sb_printf(b, "%" PRIu64, s->seed);
	ext_label(&e, "cs2", "shard");
	sb_printf(b, "%u/%u", s->shard_k, s->shard_n);
	ext_label(&e, "cfp1", "probesPerSecond");
	sb_printf(b, "%.1f", rate);
}

/* ---- TLS ---- */

/* Strings from the server or its certificate: the ones a level may cut.
 * Names as in the NDJSON record's truncated_fields. */
enum tls_field {
	TF_SNI,
	TF_ALERT,
	TF_DETAIL,
	TF_VERSION,
	TF_CIPHER,
	TF_SUBJECT,
	TF_ISSUER,
	TF_VERIFY_ERROR,
	TF_COUNT
};

static const char *const tls_field_name[TF_COUNT] = {
	[TF_SNI] = "sni",       [TF_ALERT] = "alert",
	[TF_DETAIL] = "detail", [TF_VERSION] = "tls_version",
	[TF_CIPHER] = "cipher", [TF_SUBJECT] = "subject",
	[TF_ISSUER] = "issuer", [TF_VERIFY_ERROR] = "verify_error",
};

/* Bytes of one hostile string at each rendering level (see cef.h). */
static const size_t tls_caps[] = { SIZE_MAX, 1024, 256, 64 };

#define EXPIRY_WARN_DAYS 30

/* Does the comma-separated list hold name as one whole item? */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Did the TLS stage name field in truncated_fields (cut, or unreadable)? */
static int stage_listed(const struct tls_chain_info *ci, const char *field)
{
	char list[sizeof(ci->truncated_fields) + 1];
	size_t n = strnlen(ci->truncated_fields, sizeof(ci->truncated_fields));

	memcpy(list, ci->truncated_fields, n);
	list[n] = '\0';
	return list_has(list, field);
}

static int weak_version(const char *v)
{
	return strcmp(v, "TLSv1") == 0 || strcmp(v, "TLSv1.1") == 0 || strncmp(v, "SSL", 3) == 0;
}

static void finding(struct strbuf *msg, int *sev, int level, const char *what)
{
	if (msg->len > 0)
		sb_puts(msg, "; ");
	sb_puts(msg, what);
	if (level > *sev)
		*sev = level;
}

/* The severity of a TLS record (table in cef.h) and the findings behind it. */
static int tls_findings(const struct tls_result *r, struct strbuf *msg)
{
	const struct tls_chain_info *ci = &r->certs;
	const struct tls_cert_info *c = &ci->leaf;
	int sev = r->outcome == TLS_OK ? 3 : 2;
	uint32_t found;
	char s[64];

	if (ci->has_leaf && !stage_listed(ci, "not_after")) {
		if (c->expired) {
			finding(msg, &sev, 7, "certificate expired");
		} else if (c->days_to_expiry < EXPIRY_WARN_DAYS) {
			snprintf(s, sizeof(s), "certificate expires in %" PRId64 " days",
				 c->days_to_expiry);
			finding(msg, &sev, 4, s);
		}
	}
	if (ci->has_leaf && c->not_yet_valid && !stage_listed(ci, "not_before"))
		finding(msg, &sev, 6, "certificate not yet valid");
	if (ci->has_leaf && c->self_signed)
		finding(msg, &sev, 6, "self-signed certificate");
	if ((r->outcome == TLS_OK || ci->has_leaf) && !r->verify_ok)
		finding(msg, &sev, 5, "certificate not verified");
	if (r->hostname_checked && !r->hostname_match)
		finding(msg, &sev, 5, "hostname mismatch");
	if (r->outcome == TLS_OK && weak_version(r->version)) {
		snprintf(s, sizeof(s), "%.16s negotiated", r->version);
		finding(msg, &sev, 6, s);
	}
	if (r->versions_accepted & TLS_V10)
		finding(msg, &sev, 6, "TLSv1 accepted");
	if (r->versions_accepted & TLS_V11)
		finding(msg, &sev, 6, "TLSv1.1 accepted");
	/* The certificate and handshake checks, by token (tls_checks.h table). */
	found = tls_result_findings(r);
	for (unsigned f = 0; f < TLS_FIND_COUNT; f++)
		if (found & (1u << f))
			finding(msg, &sev, tls_finding_severity(f), tls_finding_name(f));
	return sev;
}

static void versions_accepted(char *out, size_t len, unsigned accepted)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < TLS_NVERSIONS; i++)
		if (accepted & (1u << i))
			n += (size_t)snprintf(out + n, len - n, "%s%s", n > 0 ? "," : "",
					      tls_version_name(i));
	if (n == 0)
		snprintf(out, len, "none");
}

/* A C array holding a string, as bytes up to its NUL (or its end). */
#define FIELD_LEN(a) strnlen((a), sizeof(a))

/* One rendering of the TLS line with hostile strings cut at cap; returns the
 * bits of the fields that were cut. */
static uint32_t tls_render(struct strbuf *b, const struct tls_result *r, const struct run_info *ri,
			   size_t cap)
{
	const struct tls_chain_info *ci = &r->certs;
	const struct tls_cert_info *c = &ci->leaf;
	struct ext e = { b, 0 };
	struct strbuf msg;
	uint32_t cut = 0;
	int sev;

	sb_init(&msg);
	sev = tls_findings(r, &msg);
	cef_header(b, "tls-endpoint", "TLS endpoint", sev);
	ext_common(&e, r->end_us, ri, r->ip);
	ext_dst(&e, r->ip);
	ext_u64(&e, "dpt", r->port);
	ext_str(&e, "proto", "TCP");
	cut |= (uint32_t)ext_bytes(&e, "dhost", r->sni, FIELD_LEN(r->sni), cap) << TF_SNI;
	ext_str(&e, "outcome", tls_outcome_name(r->outcome));
	if (r->outcome == TLS_ALERT && r->alert[0] != '\0')
		cut |= (uint32_t)ext_bytes(&e, "reason", r->alert, FIELD_LEN(r->alert), cap)
		       << TF_ALERT;
	else
		cut |= (uint32_t)ext_bytes(&e, "reason", r->detail, FIELD_LEN(r->detail), cap)
		       << TF_DETAIL;
	if (msg.len > 0 && !msg.oom)
		ext_str(&e, "msg", msg.p);
	sb_free(&msg);
	if (r->version[0] != '\0') {
		ext_label(&e, "cs1", "tlsVersion");
		cut |= (uint32_t)cef_escape(b, r->version, FIELD_LEN(r->version), CEF_VALUE, cap)
		       << TF_VERSION;
	}
	if (r->cipher[0] != '\0') {
		ext_label(&e, "cs2", "tlsCipher");
		cut |= (uint32_t)cef_escape(b, r->cipher, FIELD_LEN(r->cipher), CEF_VALUE, cap)
		       << TF_CIPHER;
	}
	if (ci->has_leaf && c->subject_dn.len > 0) {
		ext_label(&e, "cs3", "certSubject");
		cut |= (uint32_t)cef_escape(b, c->subject_dn.p, c->subject_dn.len, CEF_VALUE, cap)
		       << TF_SUBJECT;
	}
	if (ci->has_leaf && c->issuer_dn.len > 0) {
		ext_label(&e, "cs4", "certIssuer");
		cut |= (uint32_t)cef_escape(b, c->issuer_dn.p, c->issuer_dn.len, CEF_VALUE, cap)
		       << TF_ISSUER;
	}
	if (ci->has_leaf && !stage_listed(ci, "sha256")) {
		ext_label(&e, "cs5", "certSha256");
		for (size_t i = 0; i < sizeof(c->sha256); i++)
			sb_printf(b, "%02X", c->sha256[i]);
	}
	if (r->outcome == TLS_OK || ci->has_leaf) {
		ext_label(&e, "cs6", "verifyResult");
		if (r->verify_ok)
			sb_puts(b, "ok");
		else if (r->verify_error[0] != '\0')
			cut |= (uint32_t)cef_escape(b, r->verify_error, FIELD_LEN(r->verify_error),
						    CEF_VALUE, cap)
			       << TF_VERIFY_ERROR;
		else
			sb_puts(b, "failed");
	}
	if (ci->has_leaf && !stage_listed(ci, "not_after")) {
		ext_label(&e, "cn1", "certDaysToExpiry");
		sb_printf(b, "%" PRId64, c->days_to_expiry);
		ext_label(&e, "deviceCustomDate1", "certNotAfter");
		sb_printf(b, "%" PRId64, c->not_after * 1000);
	}
	if (r->checks.done) {
		ext_label(&e, "cn2", "sctCount");
		sb_printf(b, "%u", r->checks.sct_embedded + r->checks.sct_tls + r->checks.sct_ocsp);
	}
	if (r->hsts.present && r->hsts.valid) {
		ext_label(&e, "cn3", "hstsMaxAge");
		sb_printf(b, "%" PRId64, r->hsts.max_age);
	}
	if (r->versions_tested != 0) {
		char v[48];

		versions_accepted(v, sizeof(v), r->versions_accepted);
		ext_label(&e, "flexString1", "tlsVersionsAccepted");
		sb_puts(b, v);
	}
	return cut;
}

/* flexString2: the fields the TLS stage cut or could not read, then ours. */
static void tls_truncated(struct strbuf *b, const struct tls_result *r, uint32_t cut)
{
	const char *stage = r->certs.truncated_fields;
	struct strbuf list;
	struct ext e = { b, 1 };

	sb_init(&list);
	sb_append(&list, stage, FIELD_LEN(r->certs.truncated_fields));
	for (int f = 0; f < TF_COUNT; f++) {
		if (!(cut & (1u << f)) || list_has(list.p != NULL ? list.p : "", tls_field_name[f]))
			continue;
		if (list.len > 0)
			sb_puts(&list, ",");
		sb_puts(&list, tls_field_name[f]);
	}
	if (list.len > 0 && !list.oom) {
		ext_label(&e, "flexString2", "truncated");
		cef_escape(b, list.p, list.len, CEF_VALUE, SIZE_MAX);
	}
	sb_free(&list);
}

void cef_tls_format(struct strbuf *b, const struct tls_result *r, const struct run_info *ri)
{
	size_t start = b->len;

	for (size_t i = 0; i < sizeof(tls_caps) / sizeof(tls_caps[0]); i++) {
		uint32_t cut;

		if (i > 0) { /* drop the rendering that was too long */
			b->len = start;
			b->p[start] = '\0';
		}
		cut = tls_render(b, r, ri, tls_caps[i]);
		tls_truncated(b, r, cut);
		if (b->oom || b->len - start <= CEF_MAX_LINE)
			return;
	}
}

/* ---- header peek (for the syslog sink) ---- */

int cef_header_peek(const char *p, size_t len, const char **sig, size_t *siglen, int *severity)
{
	size_t start[8], field = 0, i;
	uint64_t v;

	if (len < 6 || memcmp(p, "CEF:0|", 6) != 0)
		return -1;
	start[0] = 0;
	for (i = 0; i < len && field < 7; i++) {
		if (p[i] == '\\') {
			i++; /* the escaped character, whatever it is */
		} else if (p[i] == '|') {
			start[++field] = i + 1;
		}
	}
	if (field < 7)
		return -1;
	/* start[k] .. start[k + 1] - 1 is header field k ("CEF:0", vendor, ...). */
	if (portus_parse_decimal(p + start[6], start[7] - 1 - start[6], 10, &v) != 0)
		return -1;
	*sig = p + start[4];
	*siglen = start[5] - 1 - start[4];
	*severity = (int)v;
	return 0;
}

/* ---- the writer ---- */

struct cef_writer {
	struct line_out lo;
	const struct run_info *ri;
};

static struct cef_writer *cw(struct writer *w)
{
	return w->priv;
}

static int cef_port(struct writer *w, const struct port_record *r)
{
	if (w->open_only && r->state != PS_OPEN)
		return 0;
	cef_port_format(&cw(w)->lo.sb, r, cw(w)->ri);
	return lo_end(&cw(w)->lo, r->state == PS_OPEN);
}

static int cef_host(struct writer *w, const struct host_record *h)
{
	if (w->open_only && !h->up)
		return 0;
	cef_host_format(&cw(w)->lo.sb, h, cw(w)->ri);
	return lo_end(&cw(w)->lo, 1);
}

static int cef_tls(struct writer *w, const struct tls_result *r)
{
	cef_tls_format(&cw(w)->lo.sb, r, cw(w)->ri);
	return lo_end(&cw(w)->lo, 1);
}

static int cef_summary(struct writer *w, const struct run_summary *s)
{
	cef_summary_format(&cw(w)->lo.sb, s, cw(w)->ri);
	return lo_end(&cw(w)->lo, 1);
}

static int cef_resolve(struct writer *w, const struct resolve_record *r)
{
	cef_resolve_format(&cw(w)->lo.sb, r, cw(w)->ri);
	return lo_end(&cw(w)->lo, 1);
}

static int cef_close(struct writer *w)
{
	int r = lo_close(&cw(w)->lo);

	free(w->priv);
	free(w);
	return r;
}

static const struct writer_ops cef_ops = {
	.name = "cef",
	.port = cef_port,
	.host = cef_host,
	.tls = cef_tls,
	.summary = cef_summary,
	.close = cef_close,
	.resolve = cef_resolve,
};

struct writer *cef_writer_new(struct line_sink *sink, size_t batch, const struct run_info *ri,
			      char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct cef_writer *c = calloc(1, sizeof(*c));

	if (w == NULL || c == NULL) {
		portus_err(err, errlen, "out of memory");
		free(c);
		free(w);
		(void)sink->close(sink);
		return NULL;
	}
	lo_init(&c->lo, sink, batch);
	c->ri = ri;
	w->ops = &cef_ops;
	w->open_only = ri->open_only;
	w->priv = c;
	return w;
}

struct writer *writer_cef_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen)
{
	struct line_sink *sink = line_sink_file(path, err, errlen);

	if (sink == NULL)
		return NULL;
	return cef_writer_new(sink, 0, ri, err, errlen);
}
