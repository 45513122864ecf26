/*
 * results/reader.c — portus's native NDJSON read back into a result_set (result_file.h).
 *
 * Each line goes through the strict reader of src/results/jsonread.h, then
 * through one function per record type that checks every key portus reads
 * against the writer's schema (data/schemas/native-*.schema.json). Keys it
 * does not read are ignored. Errors name the file, the line and the key.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "namelist.h"
#include "portus.h"
#include "result_file.h"
#include "results/jsonread.h"
#include "scan_record.h"
#include "table.h"
#include "tls_record.h"

/* What one record's checks need: the type name for messages, the error. */
struct rec_ctx {
	const char *type;
	char *err;
	size_t errlen;
};

static int rec_fail(struct rec_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rec_fail(struct rec_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s record ", c->type);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct jr_value *need(struct rec_ctx *c, const struct jr_value *o, const char *key)
{
	const struct jr_value *v = jr_get(o, key);

	if (v == NULL)
		rec_fail(c, "without \"%s\"", key);
	return v;
}

static int bad(struct rec_ctx *c, const char *key, const char *what)
{
	return rec_fail(c, "with a bad \"%s\" (%s expected)", key, what);
}

static int digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" exactly (json_append_time) -> Unix microseconds. */
static int parse_time(const char *s, size_t len, int64_t *out)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, se, us;
	struct tm tm;

	if (len != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    digits(s + 20, 6, &us))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
		return -1;
	tm = (struct tm){ .tm_year = (int)y - 1900,
			  .tm_mon = (int)mo - 1,
			  .tm_mday = (int)d,
			  .tm_hour = (int)h,
			  .tm_min = (int)mi,
			  .tm_sec = (int)se };
	/* timegm: UTC, proleptic Gregorian (29 February of a common year rolls
	 * over to 1 March, as the writers never print it) */
	*out = (int64_t)timegm(&tm) * 1000000 + us;
	return 0;
}

/*
 * An address as the writers print it: a dotted quad (strict: no leading
 * zeros, which some readers take for octal), or IPv6 text. The writers give
 * IPv6 in RFC 5952 form; any RFC 4291 form is taken (addr_parse: "2001:DB8:0::1"
 * is the same address, "::ffff:198.18.0.1" is the IPv4 address 198.18.0.1),
 * as a file may have passed through another tool. Never "::": zero means
 * "none" in the records (reason_ip), so it could not be written back.
 */
static int get_ip(struct rec_ctx *c, const struct jr_value *o, const char *key, ip_addr *ip)
{
	const struct jr_value *v = need(c, o, key);
	char canon[ADDR_STR_MAX];
	const char *why;

	*ip = addr_zero();
	if (v == NULL)
		return -1;
	if (v->type == JR_STRING && addr_looks_v6(v->s, v->len)) {
		if (addr_parse(v->s, v->len, ip, &why) != 0 || addr_is_zero(*ip))
			return bad(c, key, "an IPv6 address in RFC 4291 text form");
		return 0;
	}
	/* A dotted quad exactly as addr_to_str prints it (no leading zeros). */
	if (v->type != JR_STRING || addr_parse(v->s, v->len, ip, &why) != 0 || !addr_is_v4(*ip) ||
	    addr_to_str(*ip, canon) != v->len || strcmp(canon, v->s) != 0)
		return bad(c, key, "a dotted-quad IPv4 address");
	return 0;
}

static int get_time(struct rec_ctx *c, const struct jr_value *o, const char *key, int64_t *t)
{
	const struct jr_value *v = need(c, o, key);

	if (v == NULL)
		return -1;
	if (v->type != JR_STRING || parse_time(v->s, v->len, t) != 0)
		return bad(c, key, "an RFC 3339 UTC time with microseconds");
	return 0;
}

static int get_int(struct rec_ctx *c, const struct jr_value *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out)
{
	const struct jr_value *v = need(c, o, key);

	if (v == NULL)
		return -1;
	if (jr_int(v, lo, hi, out) != 0)
		return bad(c, key, "an integer in range");
	return 0;
}

static int get_count(struct rec_ctx *c, const struct jr_value *o, const char *key, uint64_t *out)
{
	const struct jr_value *v = need(c, o, key);

	if (v == NULL)
		return -1;
	if (jr_u64(v, out) != 0)
		return bad(c, key, "a count");
	return 0;
}

/* An optional count: 0 when absent. */
static int opt_count(struct rec_ctx *c, const struct jr_value *o, const char *key, uint64_t *out)
{
	*out = 0;
	return jr_get(o, key) == NULL ? 0 : get_count(c, o, key, out);
}

/* true/false into *out; with nullable, null gives -1. */
static int get_bool(struct rec_ctx *c, const struct jr_value *o, const char *key, int nullable,
		    int *out)
{
	const struct jr_value *v = need(c, o, key);

	if (v == NULL)
		return -1;
	if (v->type == JR_TRUE || v->type == JR_FALSE)
		*out = v->type == JR_TRUE;
	else if (nullable && v->type == JR_NULL)
		*out = -1;
	else
		return bad(c, key, nullable ? "true, false or null" : "true or false");
	return 0;
}

/* Index of s in names[0..n) or -1. */
static int name_index(const char *s, const char *(*name)(int), int n)
{
	for (int i = 0; i < n; i++) {
		const char *ni = name(i);

		if (ni[0] == s[0] && strcmp(s, ni) == 0)
			return i;
	}
	return -1;
}

static const char *reason_at(int i)
{
	return reason_name((enum reason)i);
}

static const char *state_at(int i)
{
	return state_name((enum port_state)i);
}

static int get_reason(struct rec_ctx *c, const struct jr_value *o, uint8_t *out)
{
	const struct jr_value *v = need(c, o, "reason");
	int i;

	if (v == NULL)
		return -1;
	/* R_NONE ("none") is never written. */
	if (v->type != JR_STRING || (i = name_index(v->s, reason_at, R_COUNT)) <= R_NONE)
		return bad(c, "reason", "a reason name");
	*out = (uint8_t)i;
	return 0;
}

/* An owned copy of an optional string (absent or null: NULL). -1 on a wrong type or OOM. */
static int get_str(struct rec_ctx *c, const struct jr_value *o, const char *key, char **out)
{
	const struct jr_value *v = jr_get(o, key);

	*out = NULL;
	if (v == NULL || v->type == JR_NULL)
		return 0;
	if (v->type != JR_STRING)
		return bad(c, key, "a string or null");
	if ((*out = strdup(v->s)) == NULL)
		return rec_fail(c, "too big: out of memory");
	return 0;
}

/* An owned array of owned strings from an optional list of strings. */
static int get_str_list(struct rec_ctx *c, const struct jr_value *o, const char *key, char ***out,
			size_t *n)
{
	const struct jr_value *v = jr_get(o, key), *e;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (v == NULL)
		return 0;
	if (v->type != JR_ARRAY)
		return bad(c, key, "a list of strings");
	if (v->n == 0)
		return 0;
	if ((*out = calloc(v->n, sizeof(**out))) == NULL)
		return rec_fail(c, "too big: out of memory");
	for (e = v->child; e != NULL; e = e->next, i++) {
		if (e->type != JR_STRING)
			return bad(c, key, "a list of strings");
		if (((*out)[i] = strdup(e->s)) == NULL)
			return rec_fail(c, "too big: out of memory");
		*n = i + 1;
	}
	return 0;
}

/* A host name as the writers print one (namelist.h, no trailing dot). */
static int is_shown_name(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && s[len - 1] != '.' && namelist_is_name(s, len);
}

/*
 * The optional "hostname" (the first name) and "hostnames" (all, when more
 * than one) of a port or host record, added to rs->names for ip.
 */
static int read_names(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o,
		      ip_addr ip)
{
	const struct jr_value *v = jr_get(o, "hostname"), *list = jr_get(o, "hostnames"), *e;

	if (v != NULL && (v->type != JR_STRING || !is_shown_name(v->s)))
		return bad(c, "hostname", "a host name");
	if (list != NULL) {
		if (v == NULL)
			return rec_fail(c, "with \"hostnames\" but without \"hostname\"");
		if (list->type != JR_ARRAY || list->n == 0)
			return bad(c, "hostnames", "a list of host names");
		for (e = list->child; e != NULL; e = e->next)
			if (e->type != JR_STRING || !is_shown_name(e->s))
				return bad(c, "hostnames", "a list of host names");
		if (list->child == NULL || strcmp(list->child->s, v->s) != 0)
			return rec_fail(c, "whose \"hostname\" is not the first of \"hostnames\"");
	}
	if (v != NULL && hostnames_add(&rs->names, ip, v->s) != 0)
		return rec_fail(c, "kept: out of memory");
	for (e = list != NULL ? list->child : NULL; e != NULL; e = e->next)
		if (hostnames_add(&rs->names, ip, e->s) != 0)
			return rec_fail(c, "kept: out of memory");
	return 0;
}

static int read_port(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o)
{
	struct rs_port p = { .ttl = -1 };
	const struct jr_value *v;
	ip_addr ip = addr_zero(), rip = addr_zero();
	int64_t x;
	int i;

	if (get_ip(c, o, "ip", &ip) || get_int(c, o, "port", 0, 65535, &x))
		return -1;
	p.port = (uint16_t)x;
	if ((v = need(c, o, "proto")) == NULL)
		return -1;
	if (v->type != JR_STRING || strcmp(v->s, "tcp") != 0)
		return bad(c, "proto", "\"tcp\"");
	if ((v = need(c, o, "state")) == NULL)
		return -1;
	if (v->type != JR_STRING || (i = name_index(v->s, state_at, PS_OPEN + 1)) <= PS_UNKNOWN)
		return bad(c, "state", "open, closed or filtered");
	p.state = (uint8_t)i;
	if (get_reason(c, o, &p.reason))
		return -1;
	if ((v = need(c, o, "ttl")) == NULL)
		return -1;
	if (v->type != JR_NULL) {
		if (jr_int(v, 0, 255, &x) != 0)
			return bad(c, "ttl", "an integer 0-255 or null");
		p.ttl = (int16_t)x;
	}
	if (jr_get(o, "reason_ip") != NULL) {
		if (get_ip(c, o, "reason_ip", &rip))
			return -1;
		if (addrpool_intern(&rs->rips, rip, &p.rip) != 0)
			return rec_fail(c, "kept: out of memory (or 2^32 distinct addresses)");
		p.rip++;
	}
	if (get_time(c, o, "time", &p.time_us) || read_names(rs, c, o, ip))
		return -1;
	if ((p.v6 = rs_v6_kind(ip)) == 0)
		p.addr = addr_v4(ip);
	else if (addrpool_intern(&rs->addr6, ip, &p.addr) != 0)
		return rec_fail(c, "kept: out of memory (or 2^32 distinct addresses)");
	if (portus_grow((void **)&rs->ports, &rs->capports, rs->nports, sizeof(p)))
		return rec_fail(c, "kept: out of memory");
	rs->ports[rs->nports++] = p;
	return 0;
}

static int read_host(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o)
{
	struct rs_host h = { 0 };
	const struct jr_value *v;

	if (get_ip(c, o, "ip", &h.ip))
		return -1;
	if ((v = need(c, o, "state")) == NULL)
		return -1;
	if (v->type != JR_STRING || (strcmp(v->s, "up") != 0 && strcmp(v->s, "down") != 0))
		return bad(c, "state", "up or down");
	h.up = strcmp(v->s, "up") == 0;
	if (get_reason(c, o, &h.reason) || get_time(c, o, "time", &h.time_us) ||
	    read_names(rs, c, o, h.ip))
		return -1;
	if (portus_grow((void **)&rs->hosts, &rs->caphosts, rs->nhosts, sizeof(h)))
		return rec_fail(c, "kept: out of memory");
	rs->hosts[rs->nhosts++] = h;
	return 0;
}

/* Room for one more summary in sums and in the parallel sum_files. */
static int grow_sums(struct result_set *rs)
{
	size_t cap = rs->capsums;
	void *p;

	if (rs->nsums < cap)
		return 0;
	cap = cap ? cap * 2 : 8;
	if ((p = realloc(rs->sums, cap * sizeof(*rs->sums))) == NULL)
		return -1;
	rs->sums = p;
	if ((p = realloc(rs->sum_files, cap * sizeof(*rs->sum_files))) == NULL)
		return -1;
	rs->sum_files = p;
	rs->capsums = cap;
	return 0;
}

/* "k/n" with 1 <= k <= n. */
static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	unsigned long a, b;
	char *end;

	if (*s < '1' || *s > '9')
		return -1;
	errno = 0;
	a = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '1' || end[1] > '9' || errno)
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || errno || a > b || b > 0xffffffu)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

static int read_summary(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o,
			const char *path)
{
	struct rs_summary s = { 0 };
	const struct jr_value *v;
	uint64_t passes, merged;
	char *file;

	if (get_time(c, o, "start", &s.start_us) || get_time(c, o, "end", &s.end_us) ||
	    get_count(c, o, "targets", &s.targets) || get_count(c, o, "hosts", &s.hosts) ||
	    get_count(c, o, "hosts_down", &s.hosts_down) || get_count(c, o, "open", &s.open) ||
	    get_count(c, o, "closed", &s.closed) || get_count(c, o, "filtered", &s.filtered) ||
	    get_count(c, o, "probes_sent", &s.probes_sent) || get_count(c, o, "passes", &passes) ||
	    get_count(c, o, "seed", &s.seed) || get_bool(c, o, "interrupted", 0, &s.interrupted) ||
	    opt_count(c, o, "tls_endpoints", &s.tls_endpoints) ||
	    opt_count(c, o, "tls_ok", &s.tls_ok) ||
	    opt_count(c, o, "pcap_received", &s.pcap_received) ||
	    opt_count(c, o, "pcap_dropped", &s.pcap_dropped) ||
	    opt_count(c, o, "if_dropped", &s.if_dropped) ||
	    opt_count(c, o, "shards_merged", &merged))
		return -1;
	if (passes > 0xffffffu || merged > 0xffffffu)
		return bad(c, passes > 0xffffffu ? "passes" : "shards_merged", "a small count");
	s.passes = (unsigned)passes;
	s.shards_merged = (unsigned)merged;
	if ((v = need(c, o, "shard")) == NULL)
		return -1;
	if (v->type != JR_STRING || parse_shard(v->s, &s.shard_k, &s.shard_n) != 0)
		return bad(c, "shard", "\"k/n\" with 1 <= k <= n");
	if ((v = jr_get(o, "rate_pps")) != NULL) {
		if (v->type != JR_NUMBER || v->d < 0)
			return bad(c, "rate_pps", "a number >= 0");
		s.rate_pps = v->d;
	}
	if ((v = jr_get(o, "shards_missing")) != NULL) {
		if (v->type != JR_ARRAY)
			return bad(c, "shards_missing", "a list of shard numbers");
		s.shards_missing = (unsigned)(v->n > 0xffffff ? 0xffffff : v->n);
	}
	if (grow_sums(rs) != 0 || (file = strdup(path)) == NULL)
		return rec_fail(c, "kept: out of memory");
	rs->sums[rs->nsums] = s;
	rs->sum_files[rs->nsums++] = file;
	return 0;
}

static unsigned version_bits(struct rec_ctx *c, const struct jr_value *list, int *ok)
{
	unsigned bits = 0;

	*ok = list->type == JR_ARRAY;
	for (const struct jr_value *e = *ok ? list->child : NULL; e != NULL; e = e->next) {
		unsigned i;

		for (i = 0; i < TLS_NVERSIONS; i++)
			if (e->type == JR_STRING && strcmp(e->s, tls_version_name(i)) == 0)
				break;
		if (i == TLS_NVERSIONS) {
			*ok = 0;
			break;
		}
		bits |= 1u << i;
	}
	if (!*ok)
		bad(c, list->key, "a list of TLS versions");
	return bits;
}

void rs_tls_free(struct rs_tls *t)
{
	char **strs[] = { &t->sni,          &t->outcome,     &t->alert,       &t->detail,
			  &t->version,      &t->cipher,      &t->alpn,        &t->group,
			  &t->verify_error, &t->subject,     &t->issuer,      &t->serial,
			  &t->sha256,       &t->sha1,        &t->sig_alg,     &t->key_alg,
			  &t->key_curve,    &t->http_status, &t->http_server, &t->line };
	char ***lists[] = { &t->san_dns, &t->san_ip, &t->subject_cn };
	size_t ns[] = { t->n_san_dns, t->n_san_ip, t->n_subject_cn };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < 3; i++) {
		for (size_t k = 0; k < ns[i]; k++)
			free((*lists[i])[k]);
		free(*lists[i]);
		*lists[i] = NULL;
	}
}

static int is_upper_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static int read_cert(struct rs_tls *t, struct rec_ctx *c, const struct jr_value *o)
{
	const struct jr_value *v;
	int64_t x;

	if (get_str(c, o, "subject", &t->subject) || get_str(c, o, "issuer", &t->issuer) ||
	    get_str_list(c, o, "subject_cn", &t->subject_cn, &t->n_subject_cn) ||
	    get_str_list(c, o, "san_dns", &t->san_dns, &t->n_san_dns) ||
	    get_str_list(c, o, "san_ip", &t->san_ip, &t->n_san_ip) ||
	    get_str(c, o, "serial", &t->serial) ||
	    get_str(c, o, "signature_algorithm", &t->sig_alg) ||
	    get_str(c, o, "key_algorithm", &t->key_alg) ||
	    get_str(c, o, "key_curve", &t->key_curve) || get_str(c, o, "sha1", &t->sha1))
		return -1;
	if (get_time(c, o, "not_before", &x))
		return -1;
	t->not_before = x / 1000000;
	if (get_time(c, o, "not_after", &x))
		return -1;
	t->not_after = x / 1000000;
	if (get_int(c, o, "days_to_expiry", INT64_MIN, INT64_MAX, &t->days_to_expiry) ||
	    get_bool(c, o, "expired", 0, &t->expired) ||
	    get_bool(c, o, "not_yet_valid", 0, &t->not_yet_valid) ||
	    get_bool(c, o, "self_signed", 0, &t->self_signed))
		return -1;
	if ((v = jr_get(o, "key_bits")) != NULL && v->type != JR_NULL) {
		if (jr_int(v, 1, 1 << 20, &x) != 0)
			return bad(c, "key_bits", "a positive integer or null");
		t->key_bits = (int)x;
	}
	if ((v = need(c, o, "sha256")) == NULL)
		return -1;
	if (v->type != JR_STRING || v->len != 64 || !is_upper_hex(v->s, v->len))
		return bad(c, "sha256", "64 uppercase hex digits");
	if ((t->sha256 = strdup(v->s)) == NULL)
		return rec_fail(c, "too big: out of memory");
	t->has_cert = 1;
	return 0;
}

static int read_tls_fields(struct rs_tls *t, struct rec_ctx *c, const struct jr_value *o)
{
	const struct jr_value *v, *acc, *rej;
	int64_t x;
	int ok;

	if (get_ip(c, o, "ip", &t->ip) || get_int(c, o, "port", 1, 65535, &x))
		return -1;
	t->port = (uint16_t)x;
	if ((v = need(c, o, "outcome")) == NULL)
		return -1;
	if (v->type != JR_STRING)
		return bad(c, "outcome", "a TLS outcome name");
	for (x = TLS_OK; x <= TLS_ERROR; x++)
		if (strcmp(v->s, tls_outcome_name((enum tls_outcome)x)) == 0)
			break;
	if (x > TLS_ERROR)
		return bad(c, "outcome", "a TLS outcome name");
	if (get_str(c, o, "outcome", &t->outcome) || get_str(c, o, "sni", &t->sni) ||
	    get_str(c, o, "alert", &t->alert) || get_str(c, o, "detail", &t->detail) ||
	    get_str(c, o, "tls_version", &t->version) || get_str(c, o, "cipher", &t->cipher) ||
	    get_str(c, o, "alpn", &t->alpn) || get_str(c, o, "group", &t->group) ||
	    get_str(c, o, "verify_error", &t->verify_error) ||
	    get_str(c, o, "http_status", &t->http_status) ||
	    get_str(c, o, "http_server", &t->http_server) ||
	    get_bool(c, o, "verify_ok", 1, &t->verify_ok) ||
	    get_bool(c, o, "hostname_match", 1, &t->hostname_match))
		return -1;
	if ((v = need(c, o, "cert")) == NULL)
		return -1;
	if (v->type == JR_OBJECT) {
		if (read_cert(t, c, v))
			return -1;
	} else if (v->type != JR_NULL) {
		return bad(c, "cert", "an object or null");
	}
	if ((v = jr_get(o, "chain_length")) != NULL) {
		if (jr_int(v, 0, INT32_MAX, &x) != 0)
			return bad(c, "chain_length", "a count");
		t->chain_length = (size_t)x;
	}
	acc = jr_get(o, "versions_accepted");
	rej = jr_get(o, "versions_rejected");
	if ((acc == NULL) != (rej == NULL))
		return rec_fail(c, "with only one of versions_accepted / versions_rejected");
	if (acc != NULL) {
		t->versions_accepted = version_bits(c, acc, &ok);
		if (!ok)
			return -1;
		t->versions_tested = t->versions_accepted | version_bits(c, rej, &ok);
		if (!ok)
			return -1;
	}
	return get_time(c, o, "time", &t->time_us);
}

static int read_tls(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o,
		    const char *line, size_t len)
{
	struct rs_tls t = { .verify_ok = -1, .hostname_match = -1 };

	if (read_tls_fields(&t, c, o) != 0) {
		rs_tls_free(&t);
		return -1;
	}
	if ((t.line = strndup(line, len)) == NULL ||
	    portus_grow((void **)&rs->tls, &rs->captls, rs->ntls, sizeof(t))) {
		rs_tls_free(&t);
		return rec_fail(c, "kept: out of memory");
	}
	rs->tls[rs->ntls++] = t;
	return 0;
}

void rs_resolve_free(struct rs_resolve *r)
{
	free(r->hostname);
	free(r->error);
	free(r->family);
	free(r->line);
}

/* Picks s from the NULL-terminated list; -1 when it is not one of them. */
static int one_of(const char *s, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

static int read_resolve(struct result_set *rs, struct rec_ctx *c, const struct jr_value *o,
			const char *line, size_t len)
{
	static const char *const errors[] = { "NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED",
					      "TIMEOUT",  "ERROR",  NULL };
	static const char *const families[] = { "any", "ipv4", "ipv6", NULL };
	struct rs_resolve r = { 0 };
	const struct jr_value *v;

	if ((v = need(c, o, "hostname")) == NULL)
		return -1;
	if (v->type != JR_STRING || !is_shown_name(v->s))
		return bad(c, "hostname", "a host name");
	if ((v = need(c, o, "error")) == NULL)
		return -1;
	if (v->type != JR_STRING || one_of(v->s, errors) < 0)
		return bad(c, "error", "NXDOMAIN, NODATA, SERVFAIL, REFUSED, TIMEOUT or ERROR");
	if ((v = need(c, o, "family")) == NULL)
		return -1;
	if (v->type != JR_STRING || one_of(v->s, families) < 0)
		return bad(c, "family", "any, ipv4 or ipv6");
	if (get_time(c, o, "time", &r.time_us))
		return -1;
	r.hostname = strdup(jr_get(o, "hostname")->s);
	r.error = strdup(jr_get(o, "error")->s);
	r.family = strdup(jr_get(o, "family")->s);
	r.line = strndup(line, len);
	if (r.hostname == NULL || r.error == NULL || r.family == NULL || r.line == NULL ||
	    portus_grow((void **)&rs->resolves, &rs->capresolves, rs->nresolves, sizeof(r))) {
		rs_resolve_free(&r);
		return rec_fail(c, "kept: out of memory");
	}
	rs->resolves[rs->nresolves++] = r;
	return 0;
}

/* One line: a JSON object of a known type, appended to rs. Returns 0, -1 for a
 * bad record, -2 for text that is not JSON at all (a cut line, when last). */
static int read_record(struct result_set *rs, const char *line, size_t len, const char *path,
		       char *err, size_t errlen)
{
	struct jr_doc doc;
	struct rec_ctx c = { .type = "a", .err = err, .errlen = errlen };
	const struct jr_value *type;
	char jerr[128];
	int r = -1;

	if (jr_parse(&doc, line, len, jerr, sizeof(jerr)) != 0) {
		snprintf(err, errlen, "invalid JSON: %s", jerr);
		r = -2;
		goto out;
	}
	if (doc.root->type != JR_OBJECT) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	type = jr_get(doc.root, "type");
	if (type == NULL || type->type != JR_STRING) {
		snprintf(err, errlen, "record without a \"type\" string");
		goto out;
	}
	c.type = type->s;
	if (strcmp(type->s, "port") == 0)
		r = read_port(rs, &c, doc.root);
	else if (strcmp(type->s, "host") == 0)
		r = read_host(rs, &c, doc.root);
	else if (strcmp(type->s, "tls") == 0)
		r = read_tls(rs, &c, doc.root, line, len);
	else if (strcmp(type->s, "summary") == 0)
		r = read_summary(rs, &c, doc.root, path);
	else if (strcmp(type->s, "resolve") == 0)
		r = read_resolve(rs, &c, doc.root, line, len);
	else
		snprintf(err, errlen, "unknown record type \"%.40s\" (not portus native NDJSON?)",
			 type->s);
out:
	jr_free(&doc);
	return r;
}

void results_init(struct result_set *rs)
{
	memset(rs, 0, sizeof(*rs));
}

/* Lines out of a FILE through one buffer of twice the longest line: memchr
 * finds each newline, instead of a call per byte (10^8 lines a file). */
struct line_reader {
	FILE *fp;
	char *buf;
	size_t start, end; /* unread bytes: buf[start .. end) */
	int eof;
	int error; /* errno of a failed read, 0 none */
};

#define LINE_BUF (2 * (size_t)RESULTS_MAX_LINE)

/* The next line (without its newline) at *line, *len: 1 a whole line, 2 a
 * last line without its newline, 0 end of file, -1 a line longer than
 * RESULTS_MAX_LINE, -2 a read error (r->error its errno). *line is valid
 * until the next call. */
static int read_line(struct line_reader *r, char **line, size_t *len)
{
	for (;;) {
		char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start)
					     : NULL;
		size_t got;

		if (nl != NULL || r->eof) {
			size_t n = nl != NULL ? (size_t)(nl - (r->buf + r->start))
					      : r->end - r->start;

			if (n > RESULTS_MAX_LINE)
				return -1;
			/* A read error is never a cut last line: the rest of the
			 * file was not read. */
			if (nl == NULL && r->error != 0)
				return -2;
			if (nl == NULL && n == 0)
				return 0;
			*line = r->buf + r->start;
			*len = n;
			r->start += n + (nl != NULL);
			return nl != NULL ? 1 : 2;
		}
		if (r->end - r->start > RESULTS_MAX_LINE)
			return -1;
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		got = fread(r->buf + r->end, 1, LINE_BUF - r->end, r->fp);
		r->end += got;
		if (got == 0) {
			r->eof = 1;
			if (ferror(r->fp))
				r->error = errno != 0 ? errno : EIO;
		}
	}
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int results_load(struct result_set *rs, const char *path, char *err, size_t errlen)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct line_reader lr = { .fp = fp };
	char *buf, rerr[256];
	size_t len, lineno = 0;
	int r = -1, got, rr;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((lr.buf = malloc(LINE_BUF)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((got = read_line(&lr, &buf, &len)) > 0) {
		lineno++;
		if (blank(buf, len))
			continue;
		if ((rr = read_record(rs, buf, len, path, rerr, sizeof(rerr))) == 0)
			continue;
		if (got == 2 && rr == -2) {
			/* A cut last line (a killed run). A prefix of an object that
			 * parses is the whole object, so nothing complete is lost. */
			fprintf(stderr,
				"portus: warning: %s:%zu: last line cut (killed run?), skipped\n",
				path, lineno);
			rs->warnings++;
			break;
		}
		snprintf(err, errlen, "%s:%zu: %s", path, lineno, rerr);
		goto out;
	}
	if (got == -1) {
		snprintf(err, errlen, "%s:%zu: line longer than %u bytes", path, lineno + 1,
			 RESULTS_MAX_LINE);
		goto out;
	}
	if (got == -2) {
		snprintf(err, errlen, "%s:%zu: read error: %s", path, lineno + 1,
			 strerror(lr.error));
		goto out;
	}
	r = 0;
out:
	/* The names of what was read, also of the records before a bad line. */
	if (hostnames_finish(&rs->names) != 0 && r == 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		r = -1;
	}
	free(lr.buf);
	if (fp != stdin)
		fclose(fp);
	return r;
}

void results_free(struct result_set *rs)
{
	for (size_t i = 0; i < rs->ntls; i++)
		rs_tls_free(&rs->tls[i]);
	for (size_t i = 0; i < rs->nsums; i++)
		free(rs->sum_files[i]);
	for (size_t i = 0; i < rs->nresolves; i++)
		rs_resolve_free(&rs->resolves[i]);
	free(rs->resolves);
	hostnames_free(&rs->names);
	addrpool_free(&rs->addr6);
	addrpool_free(&rs->rips);
	free(rs->ports);
	free(rs->hosts);
	free(rs->tls);
	free(rs->sums);
	free(rs->sum_files);
	results_init(rs);
}
