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

#include "ecs.h"
#include "json.h"
#include "lines.h"
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

int ecs_ctx_init(struct ecs_ctx *c, const struct run_info *ri)
{
	char seed_text[512];
	const uint8_t *m = ri->scanner_mac;
	int n;

	memset(c, 0, sizeof(*c));
	c->ri = ri;
	ip_to_str(ri->scanner_ip, c->scanner_ip);
	if (!addr_is_zero(ri->scanner_ip6))
		addr_to_str(ri->scanner_ip6, c->scanner_ip6);
	/* observer.ip: the IPv4 source (as ever), the IPv6 one after it; an
	 * IPv6-only run lists only its IPv6 source. */
	if (c->scanner_ip6[0] == '\0')
		snprintf(c->scanner_ips, sizeof(c->scanner_ips), "\"%s\"", c->scanner_ip);
	else if (ri->scanner_ip == 0)
		snprintf(c->scanner_ips, sizeof(c->scanner_ips), "\"%s\"", c->scanner_ip6);
	else
		snprintf(c->scanner_ips, sizeof(c->scanner_ips), "\"%s\",\"%s\"", c->scanner_ip,
			 c->scanner_ip6);
	/* The IPv6 source joins the run id's input only when there is one, so
	 * IPv4 runs keep the ids they always had. */
	n = snprintf(seed_text, sizeof(seed_text), "portus|%" PRIu64 "|%" PRId64 "|%s|%u/%u|%s%s%s",
		     ri->seed, ri->start_us, c->scanner_ip, ri->shard_k, ri->shard_n, ri->hostname,
		     c->scanner_ip6[0] != '\0' ? "|" : "", c->scanner_ip6);
	sha256_hex(seed_text, n > 0 ? strnlen(seed_text, sizeof(seed_text)) : 0, 8, c->run_id);

	sb_init(&c->common);
	sb_puts(&c->common, ",\"observer\":{\"hostname\":");
	if (ri->hostname[0] != '\0')
		json_append_string(&c->common, ri->hostname, strnlen(ri->hostname, sizeof(ri->hostname)));
	else
		sb_puts(&c->common, "null");
	sb_printf(&c->common, ",\"ip\":[%s]", c->scanner_ips);
	/* ECS: uppercase, hyphen-separated (RFC 7042). */
	sb_printf(&c->common, ",\"mac\":[\"%02X-%02X-%02X-%02X-%02X-%02X\"]", m[0], m[1], m[2], m[3],
		  m[4], m[5]);
	sb_puts(&c->common, ",\"ingress\":{\"interface\":{\"name\":");
	json_append_string(&c->common, ri->ifname, strnlen(ri->ifname, sizeof(ri->ifname)));
	sb_puts(&c->common, "}},\"type\":\"scanner\",\"vendor\":\"portus\",\"product\":\"portus\","
			    "\"version\":\"" PORTUS_VERSION "\"}");
	sb_printf(&c->common, ",\"portus\":{\"run\":{\"id\":\"%s\"", c->run_id);
	return c->common.oom ? -1 : 0;
}

void ecs_ctx_free(struct ecs_ctx *c)
{
	sb_free(&c->common);
}

void ecs_open_event(struct strbuf *b, const struct ecs_ctx *c, int64_t time_us, const char *kind,
		    const char *type, const char *action, const char *dataset, const char *key)
{
	char idsrc[512], id[33];
	int n;

	n = snprintf(idsrc, sizeof(idsrc), "%s|%s|%s", c->run_id, dataset, key);
	sha256_hex(idsrc, n > 0 ? strnlen(idsrc, sizeof(idsrc)) : 0, 16, id);
	sb_puts(b, "{\"@timestamp\":");
	json_append_time(b, time_us);
	sb_printf(b,
		  ",\"ecs\":{\"version\":\"" ECS_VERSION "\"},\"event\":{\"kind\":\"%s\","
		  "\"category\":[\"network\"],\"type\":[\"%s\"],\"action\":\"%s\","
		  "\"module\":\"portus\",\"dataset\":\"%s\",\"id\":\"%s\"",
		  kind, type, action, dataset, id);
}

void ecs_common_tail(struct strbuf *b, const struct ecs_ctx *c)
{
	sb_append(b, c->common.p, c->common.len);
}

const char *ecs_scanner_for(const struct ecs_ctx *c, ip_addr dst)
{
	return addr_is_v4(dst) ? c->scanner_ip : c->scanner_ip6;
}

const char *ecs_network_type(ip_addr dst)
{
	return addr_is_v4(dst) ? "ipv4" : "ipv6";
}

void ecs_domain(struct strbuf *b, const char *const *names)
{
	uint32_t n = record_nnames(names);

	if (n == 0)
		return;
	sb_puts(b, ",\"domain\":");
	json_append_string(b, names[0], strlen(names[0]));
}

void ecs_related_hosts(struct strbuf *b, const char *const *names)
{
	uint32_t n = record_nnames(names);

	if (n == 0)
		return;
	sb_puts(b, ",\"hosts\":[");
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(b, ",");
		json_append_string(b, names[i], strlen(names[i]));
	}
	sb_puts(b, "]");
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

	ecs_open_event(b, c, r->time_us, "event", "info", "name-unresolved", "portus.resolve",
		       r->name);
	sb_puts(b, ",\"outcome\":\"failure\",\"reason\":");
	json_append_string(b, r->error, strlen(r->error));
	sb_puts(b, "},\"dns\":{\"question\":{\"name\":");
	json_append_string(b, r->name, strlen(r->name));
	sb_puts(b, "}");
	if (rcode != NULL)
		sb_printf(b, ",\"response_code\":\"%s\"", rcode);
	sb_puts(b, "},\"destination\":{\"domain\":");
	json_append_string(b, r->name, strlen(r->name));
	sb_puts(b, "},\"related\":{\"hosts\":[");
	json_append_string(b, r->name, strlen(r->name));
	sb_puts(b, "]}");
	ecs_common_tail(b, c);
	sb_puts(b, "},\"resolve\":{\"error\":");
	json_append_string(b, r->error, strlen(r->error));
	if (r->detail != NULL && r->detail[0] != '\0') {
		sb_puts(b, ",\"detail\":");
		json_append_string(b, r->detail, strlen(r->detail));
	}
	sb_puts(b, ",\"family\":");
	json_append_string(b, r->family, strlen(r->family));
	sb_puts(b, "}}}");
}

void ecs_port_format(struct strbuf *b, const struct ecs_ctx *c, const struct port_record *r)
{
	const char *state = state_name((enum port_state)r->state);
	const char *why = reason_name((enum reason)r->reason);
	const char *src = ecs_scanner_for(c, r->ip);
	char ip[ADDR_STR_MAX], rip[ADDR_STR_MAX], key[ADDR_STR_MAX + 8], action[32];

	addr_to_str(r->ip, ip);
	snprintf(key, sizeof(key), "%s|%u", ip, (unsigned)r->port);
	snprintf(action, sizeof(action), "port-%s", state);
	ecs_open_event(b, c, r->time_us, "state", "info", action, "portus.port", key);
	sb_printf(b, ",\"reason\":\"%s\"}", why);
	sb_printf(b, ",\"destination\":{\"ip\":\"%s\",\"port\":%u", ip, (unsigned)r->port);
	ecs_domain(b, r->names);
	sb_puts(b, "}");
	if (src[0] != '\0') {
		sb_printf(b, ",\"source\":{\"ip\":\"%s\"", src);
		if (r->sport != 0)
			sb_printf(b, ",\"port\":%u", (unsigned)r->sport);
		sb_puts(b, "}");
	} else if (r->sport != 0) {
		sb_printf(b, ",\"source\":{\"port\":%u}", (unsigned)r->sport);
	}
	sb_printf(b, ",\"network\":{\"transport\":\"tcp\",\"type\":\"%s\"}",
		  ecs_network_type(r->ip));
	sb_printf(b, ",\"related\":{\"ip\":[\"%s\"", ip);
	if (src[0] != '\0')
		sb_printf(b, ",\"%s\"", src);
	if (r->has_reply && !addr_is_zero(r->reason_ip) && !addr_eq(r->reason_ip, r->ip)) {
		addr_to_str(r->reason_ip, rip);
		if (src[0] == '\0' || strcmp(rip, src) != 0)
			sb_printf(b, ",\"%s\"", rip);
	}
	sb_puts(b, "]");
	ecs_related_hosts(b, r->names);
	sb_puts(b, "}");
	ecs_common_tail(b, c);
	sb_printf(b, "},\"state\":\"%s\",\"reason\":\"%s\"", state, why);
	if (r->has_reply) {
		sb_printf(b, ",\"ttl\":%u", (unsigned)r->ttl);
		if (!addr_is_zero(r->reason_ip)) {
			addr_to_str(r->reason_ip, rip);
			sb_printf(b, ",\"reason_ip\":\"%s\"", rip);
		}
	}
	sb_puts(b, "}}");
}

void ecs_host_format(struct strbuf *b, const struct ecs_ctx *c, const struct host_record *h)
{
	const char *why = reason_name((enum reason)h->reason);
	const char *src = ecs_scanner_for(c, h->ip);
	char ip[ADDR_STR_MAX];

	addr_to_str(h->ip, ip);
	ecs_open_event(b, c, h->time_us, "state", "info", h->up ? "host-up" : "host-down",
		       "portus.host", ip);
	sb_printf(b, ",\"reason\":\"%s\"}", why);
	sb_printf(b, ",\"destination\":{\"ip\":\"%s\"", ip);
	ecs_domain(b, h->names);
	sb_puts(b, "}");
	sb_printf(b, ",\"network\":{\"type\":\"%s\"}", ecs_network_type(h->ip));
	sb_printf(b, ",\"related\":{\"ip\":[\"%s\"", ip);
	if (src[0] != '\0')
		sb_printf(b, ",\"%s\"", src);
	sb_puts(b, "]");
	ecs_related_hosts(b, h->names);
	sb_puts(b, "}");
	ecs_common_tail(b, c);
	sb_printf(b, "},\"state\":\"%s\",\"reason\":\"%s\"}}", h->up ? "up" : "down", why);
}

/* The run's settings: shared by the start and end records (inside portus.run). */
static void run_settings(struct strbuf *b, const struct ecs_ctx *c)
{
	const struct run_info *ri = c->ri;

	sb_printf(b,
		  ",\"seed\":%" PRIu64 ",\"shard\":\"%u/%u\",\"targets\":%" PRIu64
		  ",\"hosts\":%" PRIu64 ",\"ports\":%u,\"rate\":%" PRIu64 ",\"retries\":%u",
		  ri->seed, ri->shard_k, ri->shard_n, ri->targets, ri->hosts,
		  ri->ports != NULL ? (unsigned)ri->ports->n : 0, ri->rate, ri->retries);
}

void ecs_run_start_format(struct strbuf *b, const struct ecs_ctx *c)
{
	ecs_open_event(b, c, c->ri->start_us, "event", "start", "scan-started", "portus.run",
		       "start");
	sb_puts(b, ",\"start\":");
	json_append_time(b, c->ri->start_us);
	sb_puts(b, "}");
	sb_printf(b, ",\"related\":{\"ip\":[%s]}", c->scanner_ips);
	ecs_common_tail(b, c);
	run_settings(b, c);
	sb_puts(b, "}}}");
}

void ecs_run_end_format(struct strbuf *b, const struct ecs_ctx *c, const struct run_summary *s)
{
	/* From the start record's time, so event.duration = event.end - event.start. */
	int64_t el = s->end_us - c->ri->start_us;
	double rate = isfinite(s->rate_pps) ? s->rate_pps : 0.0;

	ecs_open_event(b, c, s->end_us, "event", "end",
		       s->interrupted ? "scan-interrupted" : "scan-finished", "portus.run", "end");
	sb_printf(b, ",\"outcome\":\"%s\",\"start\":", s->interrupted ? "failure" : "success");
	json_append_time(b, c->ri->start_us);
	sb_puts(b, ",\"end\":");
	json_append_time(b, s->end_us);
	sb_printf(b, ",\"duration\":%" PRId64 "}", (el > 0 ? el : 0) * 1000);
	sb_printf(b, ",\"related\":{\"ip\":[%s]}", c->scanner_ips);
	ecs_common_tail(b, c);
	run_settings(b, c);
	sb_printf(b,
		  ",\"hosts_down\":%" PRIu64 ",\"open\":%" PRIu64 ",\"closed\":%" PRIu64
		  ",\"filtered\":%" PRIu64 ",\"probes_sent\":%" PRIu64 ",\"rate_pps\":%.1f"
		  ",\"passes\":%u,\"tls_endpoints\":%" PRIu64 ",\"tls_ok\":%" PRIu64
		  ",\"pcap_received\":%" PRIu64 ",\"pcap_dropped\":%" PRIu64
		  ",\"if_dropped\":%" PRIu64 ",\"plan_bytes\":%" PRIu64 ",\"table_bytes\":%" PRIu64
		  ",\"interrupted\":%s}}}",
		  s->hosts_down, s->open, s->closed, s->filtered, s->probes_sent, rate, s->passes,
		  s->tls_endpoints, s->tls_ok, s->pcap_received, s->pcap_dropped, s->if_dropped,
		  s->plan_bytes, s->table_bytes, s->interrupted ? "true" : "false");
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
