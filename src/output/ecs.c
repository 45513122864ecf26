/*
 * ecs.c — Elastic Common Schema records for ports, hosts and the run, and the
 * --format ecs writer (layout in ecs.h; TLS records in ecs_tls.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "jsonw.h"
#include "output/ecs.h"
#include "output/lines.h"
#include "portus.h"

/* First n bytes of SHA-256(data) as lowercase hex into out (2n + 1 bytes). */
static void sha256_hex(const void *data, size_t len, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32] = { 0 };
	unsigned int mdlen = 0;

	/* EVP_Digest only fails on allocation failure: the id is then all zero,
	 * still well-formed. */
	(void)EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (size_t i = 0; i < n && i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* observer.ip's items: the IPv4 source (as ever), the IPv6 one after it;
 * an IPv6-only run lists only its IPv6 source. */
static void scanner_ips(struct jsonw *w, const struct ecs_ctx *c, const char *key)
{
	jw_arr(w, key);
	if (c->scanner_ip6[0] == '\0' || c->ri->scanner_ip != 0)
		jw_strz(w, NULL, c->scanner_ip);
	if (c->scanner_ip6[0] != '\0')
		jw_strz(w, NULL, c->scanner_ip6);
	jw_close(w);
}

int ecs_ctx_init(struct ecs_ctx *c, const struct run_info *ri)
{
	char seed_text[512], mac[18];
	const uint8_t *m = ri->scanner_mac;
	struct jsonw w;
	int n;

	memset(c, 0, sizeof(*c));
	c->ri = ri;
	ip_to_str(ri->scanner_ip, c->scanner_ip);
	if (!addr_is_zero(ri->scanner_ip6))
		addr_to_str(ri->scanner_ip6, c->scanner_ip6);
	/* The IPv6 source joins the run id's input only when there is one, so
	 * IPv4 runs keep the ids they always had. */
	n = snprintf(seed_text, sizeof(seed_text), "portus|%" PRIu64 "|%" PRId64 "|%s|%u/%u|%s%s%s",
		     ri->seed, ri->start_us, c->scanner_ip, ri->shard_k, ri->shard_n, ri->hostname,
		     c->scanner_ip6[0] != '\0' ? "|" : "", c->scanner_ip6);
	sha256_hex(seed_text, n > 0 ? strnlen(seed_text, sizeof(seed_text)) : 0, 8, c->run_id);

	/* observer: the same in every record, made once. */
	sb_init(&c->observer);
	jw_begin(&w, &c->observer);
	if (ri->hostname[0] != '\0')
		jw_str(&w, "hostname", ri->hostname, strnlen(ri->hostname, sizeof(ri->hostname)));
	else
		jw_null(&w, "hostname");
	scanner_ips(&w, c, "ip");
	/* ECS: uppercase, hyphen-separated (RFC 7042). */
	snprintf(mac, sizeof(mac), "%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	jw_arr(&w, "mac");
	jw_strz(&w, NULL, mac);
	jw_close(&w);
	jw_obj(&w, "ingress");
	jw_obj(&w, "interface");
	jw_str(&w, "name", ri->ifname, strnlen(ri->ifname, sizeof(ri->ifname)));
	jw_close(&w);
	jw_close(&w);
	jw_strz(&w, "type", "scanner");
	jw_strz(&w, "vendor", "portus");
	jw_strz(&w, "product", "portus");
	jw_strz(&w, "version", PORTUS_VERSION);
	return jw_end(&w);
}

void ecs_ctx_free(struct ecs_ctx *c)
{
	sb_free(&c->observer);
}

void ecs_open_event(struct jsonw *w, const struct ecs_ctx *c, int64_t time_us, const char *kind,
		    const char *type, const char *action, const char *dataset, const char *key)
{
	char idsrc[512], id[33];
	int n;

	n = snprintf(idsrc, sizeof(idsrc), "%s|%s|%s", c->run_id, dataset, key);
	sha256_hex(idsrc, n > 0 ? strnlen(idsrc, sizeof(idsrc)) : 0, 16, id);
	jw_obj(w, NULL);
	jw_time(w, "@timestamp", time_us);
	jw_obj(w, "ecs");
	jw_strz(w, "version", ECS_VERSION);
	jw_close(w);
	jw_obj(w, "event");
	jw_strz(w, "kind", kind);
	jw_arr(w, "category");
	jw_strz(w, NULL, "network");
	jw_close(w);
	jw_arr(w, "type");
	jw_strz(w, NULL, type);
	jw_close(w);
	jw_strz(w, "action", action);
	jw_strz(w, "module", "portus");
	jw_strz(w, "dataset", dataset);
	jw_strz(w, "id", id);
}

void ecs_common_tail(struct jsonw *w, const struct ecs_ctx *c)
{
	jw_raw(w, "observer", c->observer.p != NULL ? c->observer.p : "null");
	jw_obj(w, "portus");
	jw_obj(w, "run");
	jw_strz(w, "id", c->run_id);
}

const char *ecs_scanner_for(const struct ecs_ctx *c, ip_addr dst)
{
	return addr_is_v4(dst) ? c->scanner_ip : c->scanner_ip6;
}

/* ,"domain":first name — inside destination; nothing for no names. */
static void ecs_domain(struct jsonw *w, const char *const *names)
{
	if (record_nnames(names) > 0)
		jw_strz(w, "domain", names[0]);
}

/* ,"hosts":[names] — inside related; nothing for no names. */
static void ecs_related_hosts(struct jsonw *w, const char *const *names)
{
	uint32_t n = record_nnames(names);

	if (n == 0)
		return;
	jw_arr(w, "hosts");
	for (uint32_t i = 0; i < n; i++)
		jw_strz(w, NULL, names[i]);
	jw_close(w);
}

void ecs_network_related(struct jsonw *w, ip_addr dst, int tcp, const char *ip, const char *src)
{
	jw_obj(w, "network");
	if (tcp)
		jw_strz(w, "transport", "tcp");
	jw_strz(w, "type", addr_is_v4(dst) ? "ipv4" : "ipv6");
	jw_close(w);
	jw_obj(w, "related");
	jw_arr(w, "ip");
	jw_strz(w, NULL, ip);
	if (src[0] != '\0')
		jw_strz(w, NULL, src);
}

/* dns.response_code when the status is certainly one; NULL for the others
 * (a timeout got no response; SERVFAIL also stands for a server c-ares could
 * not reach, resolve.h). */
static const char *dns_rcode(const char *error)
{
	if (strcmp(error, "NXDOMAIN") == 0 || strcmp(error, "REFUSED") == 0)
		return error;
	if (strcmp(error, "NODATA") == 0)
		return "NOERROR"; /* the name exists, without an address of the family */
	return NULL;
}

void ecs_resolve_format(struct strbuf *b, const struct ecs_ctx *c, const struct resolve_record *r)
{
	const char *rcode = dns_rcode(r->error);
	struct jsonw w;

	jw_init(&w, b);
	ecs_open_event(&w, c, r->time_us, "event", "info", "name-unresolved", "portus.resolve",
		       r->name);
	jw_strz(&w, "outcome", "failure");
	jw_strz(&w, "reason", r->error);
	jw_close(&w);
	jw_obj(&w, "dns");
	jw_obj(&w, "question");
	jw_strz(&w, "name", r->name);
	jw_close(&w);
	if (rcode != NULL)
		jw_strz(&w, "response_code", rcode);
	jw_close(&w);
	jw_obj(&w, "destination");
	jw_strz(&w, "domain", r->name);
	jw_close(&w);
	jw_obj(&w, "related");
	jw_arr(&w, "hosts");
	jw_strz(&w, NULL, r->name);
	jw_close(&w);
	jw_close(&w);
	ecs_common_tail(&w, c);
	jw_close(&w);
	jw_obj(&w, "resolve");
	jw_strz(&w, "error", r->error);
	if (r->detail != NULL && r->detail[0] != '\0')
		jw_strz(&w, "detail", r->detail);
	jw_strz(&w, "family", r->family);
	jw_end(&w);
}

void ecs_port_format(struct strbuf *b, const struct ecs_ctx *c, const struct port_record *r)
{
	const char *state = state_name((enum port_state)r->state);
	const char *why = reason_name((enum reason)r->reason);
	const char *src = ecs_scanner_for(c, r->ip);
	char ip[ADDR_STR_MAX], rip[ADDR_STR_MAX], key[ADDR_STR_MAX + 8], action[32];
	struct jsonw w;

	addr_to_str(r->ip, ip);
	snprintf(key, sizeof(key), "%s|%u", ip, (unsigned)r->port);
	snprintf(action, sizeof(action), "port-%s", state);
	jw_init(&w, b);
	ecs_open_event(&w, c, r->time_us, "state", "info", action, "portus.port", key);
	jw_strz(&w, "reason", why);
	jw_close(&w);
	jw_obj(&w, "destination");
	jw_strz(&w, "ip", ip);
	jw_uint(&w, "port", r->port);
	ecs_domain(&w, r->names);
	jw_close(&w);
	if (src[0] != '\0' || r->sport != 0) {
		jw_obj(&w, "source");
		if (src[0] != '\0')
			jw_strz(&w, "ip", src);
		if (r->sport != 0)
			jw_uint(&w, "port", r->sport);
		jw_close(&w);
	}
	ecs_network_related(&w, r->ip, 1, ip, src);
	if (r->has_reply && !addr_is_zero(r->reason_ip) && !addr_eq(r->reason_ip, r->ip)) {
		addr_to_str(r->reason_ip, rip);
		if (src[0] == '\0' || strcmp(rip, src) != 0)
			jw_strz(&w, NULL, rip);
	}
	jw_close(&w);
	ecs_related_hosts(&w, r->names);
	jw_close(&w);
	ecs_common_tail(&w, c);
	jw_close(&w);
	jw_strz(&w, "state", state);
	jw_strz(&w, "reason", why);
	if (r->has_reply) {
		jw_uint(&w, "ttl", r->ttl);
		if (!addr_is_zero(r->reason_ip)) {
			addr_to_str(r->reason_ip, rip);
			jw_strz(&w, "reason_ip", rip);
		}
	}
	jw_end(&w);
}

void ecs_host_format(struct strbuf *b, const struct ecs_ctx *c, const struct host_record *h)
{
	const char *why = reason_name((enum reason)h->reason);
	const char *src = ecs_scanner_for(c, h->ip);
	char ip[ADDR_STR_MAX];
	struct jsonw w;

	addr_to_str(h->ip, ip);
	jw_init(&w, b);
	ecs_open_event(&w, c, h->time_us, "state", "info", h->up ? "host-up" : "host-down",
		       "portus.host", ip);
	jw_strz(&w, "reason", why);
	jw_close(&w);
	jw_obj(&w, "destination");
	jw_strz(&w, "ip", ip);
	ecs_domain(&w, h->names);
	jw_close(&w);
	ecs_network_related(&w, h->ip, 0, ip, src);
	jw_close(&w);
	ecs_related_hosts(&w, h->names);
	jw_close(&w);
	ecs_common_tail(&w, c);
	jw_close(&w);
	jw_strz(&w, "state", h->up ? "up" : "down");
	jw_strz(&w, "reason", why);
	jw_end(&w);
}

/* "related":{"ip":[the scanner]}, observer, portus.run and the run's
 * settings: shared by the start and end records (portus.run left open). */
static void run_common(struct jsonw *w, const struct ecs_ctx *c)
{
	const struct run_info *ri = c->ri;
	char shard[24];

	jw_obj(w, "related");
	scanner_ips(w, c, "ip");
	jw_close(w);
	ecs_common_tail(w, c);
	snprintf(shard, sizeof(shard), "%u/%u", ri->shard_k, ri->shard_n);
	jw_uint(w, "seed", ri->seed);
	jw_strz(w, "shard", shard);
	jw_uint(w, "targets", ri->targets);
	jw_uint(w, "hosts", ri->hosts);
	jw_uint(w, "ports", ri->ports != NULL ? (unsigned)ri->ports->n : 0);
	jw_uint(w, "rate", ri->rate);
	jw_uint(w, "retries", ri->retries);
}

void ecs_run_start_format(struct strbuf *b, const struct ecs_ctx *c)
{
	struct jsonw w;

	jw_init(&w, b);
	ecs_open_event(&w, c, c->ri->start_us, "event", "start", "scan-started", "portus.run",
		       "start");
	jw_time(&w, "start", c->ri->start_us);
	jw_close(&w);
	run_common(&w, c);
	jw_end(&w);
}

void ecs_run_end_format(struct strbuf *b, const struct ecs_ctx *c, const struct run_summary *s)
{
	/* From the start record's time, so event.duration = event.end - event.start. */
	int64_t el = s->end_us - c->ri->start_us;
	struct jsonw w;

	jw_init(&w, b);
	ecs_open_event(&w, c, s->end_us, "event", "end",
		       s->interrupted ? "scan-interrupted" : "scan-finished", "portus.run", "end");
	jw_strz(&w, "outcome", s->interrupted ? "failure" : "success");
	jw_time(&w, "start", c->ri->start_us);
	jw_time(&w, "end", s->end_us);
	jw_int(&w, "duration", (el > 0 ? el : 0) * 1000);
	jw_close(&w);
	run_common(&w, c);
	jw_uint(&w, "hosts_down", s->hosts_down);
	jw_uint(&w, "open", s->open);
	jw_uint(&w, "closed", s->closed);
	jw_uint(&w, "filtered", s->filtered);
	jw_uint(&w, "probes_sent", s->probes_sent);
	jw_fixed(&w, "rate_pps", isfinite(s->rate_pps) ? s->rate_pps : 0.0, 1);
	jw_uint(&w, "passes", s->passes);
	jw_uint(&w, "tls_endpoints", s->tls_endpoints);
	jw_uint(&w, "tls_ok", s->tls_ok);
	jw_uint(&w, "pcap_received", s->pcap_received);
	jw_uint(&w, "pcap_dropped", s->pcap_dropped);
	jw_uint(&w, "if_dropped", s->if_dropped);
	jw_uint(&w, "plan_bytes", s->plan_bytes);
	jw_uint(&w, "table_bytes", s->table_bytes);
	jw_bool(&w, "interrupted", s->interrupted);
	jw_end(&w);
}

/* ---- the writer ---- */

struct ecs_writer {
	struct line_out lo;
	struct ecs_ctx ctx;
};

static struct ecs_writer *ew(struct writer *w)
{
	return w->priv;
}

static int ecs_w_port(struct writer *w, const struct port_record *r)
{
	if (w->open_only && r->state != PS_OPEN)
		return 0;
	ecs_port_format(&ew(w)->lo.sb, &ew(w)->ctx, r);
	return lo_end(&ew(w)->lo, r->state == PS_OPEN);
}

static int ecs_w_host(struct writer *w, const struct host_record *h)
{
	if (w->open_only && !h->up)
		return 0;
	ecs_host_format(&ew(w)->lo.sb, &ew(w)->ctx, h);
	return lo_end(&ew(w)->lo, 1);
}

static int ecs_w_tls(struct writer *w, const struct tls_result *r)
{
	ecs_tls_format(&ew(w)->lo.sb, &ew(w)->ctx, r);
	return lo_end(&ew(w)->lo, 1);
}

static int ecs_w_resolve(struct writer *w, const struct resolve_record *r)
{
	ecs_resolve_format(&ew(w)->lo.sb, &ew(w)->ctx, r);
	return lo_end(&ew(w)->lo, 1);
}

static int ecs_w_summary(struct writer *w, const struct run_summary *s)
{
	ecs_run_end_format(&ew(w)->lo.sb, &ew(w)->ctx, s);
	return lo_end(&ew(w)->lo, 1);
}

static int ecs_w_close(struct writer *w)
{
	int r = lo_close(&ew(w)->lo);

	ecs_ctx_free(&ew(w)->ctx);
	free(w->priv);
	free(w);
	return r;
}

static const struct writer_ops ecs_ops = {
	.name = "ecs",
	.port = ecs_w_port,
	.host = ecs_w_host,
	.tls = ecs_w_tls,
	.summary = ecs_w_summary,
	.close = ecs_w_close,
	.resolve = ecs_w_resolve,
};

struct writer *writer_ecs_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct ecs_writer *e = calloc(1, sizeof(*e));
	struct line_sink *sink;

	if (w == NULL || e == NULL || ecs_ctx_init(&e->ctx, ri) != 0) {
		portus_err(err, errlen, "out of memory");
		goto fail;
	}
	if ((sink = line_sink_file(path, err, errlen)) == NULL)
		goto fail;
	lo_init(&e->lo, sink, 0);
	w->ops = &ecs_ops;
	w->open_only = ri->open_only;
	w->priv = e;
	/* The start record: a SIEM sees the run begin even if it is killed. */
	ecs_run_start_format(&e->lo.sb, &e->ctx);
	if (lo_end(&e->lo, 1) != 0) {
		portus_err(err, errlen, "cannot write %s", path);
		lo_close(&e->lo);
		goto fail;
	}
	return w;
fail:
	if (e != NULL)
		ecs_ctx_free(&e->ctx);
	free(e);
	free(w);
	return NULL;
}
