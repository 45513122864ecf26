/* native.c — portus's flat JSON records (see native.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonw.h"
#include "output/native.h"

/* Port records are most of a large scan's output: a complete scan writes one
 * for every target, and the no-response ones (nearly all of them on the
 * Internet) share the scan's end time. So a port record is built in a local
 * buffer without printf and appended once, and the time string is reused
 * while it does not change: ~500 ns -> 45-80 ns a record with printf gone
 * (bench/README.md, "Scale"), byte for byte the same output. */
static char *put_str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

static char *put_u32(char *p, uint32_t v)
{
	char t[10];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = t[--n];
	return p;
}

/* The address as text: a dotted quad (IPv4), RFC 5952 (IPv6). */
static char *put_ip(char *p, ip_addr ip)
{
	return p + addr_to_str(ip, p);
}

/* Appends json_append_time(time_us), from a per-thread copy of the last one. */
static void append_time_cached(struct strbuf *b, int64_t time_us)
{
	static _Thread_local int64_t last_us;
	static _Thread_local char last[48];
	static _Thread_local size_t last_len; /* 0: nothing cached yet */
	size_t start = b->len;

	if (last_len > 0 && time_us == last_us) {
		sb_append(b, last, last_len);
		return;
	}
	json_append_time(b, time_us);
	if (!b->oom && b->len - start < sizeof(last)) {
		last_len = b->len - start;
		memcpy(last, b->p + start, last_len);
		last_us = time_us;
	}
}

void native_port_format(struct strbuf *b, const struct port_record *r)
{
	/* Longest: 21 + 39 + 9 + 5 + 24 + state + 12 + reason + 8 + 3 + 14 + 39
	 * + 9 bytes = 183 + the two names (short static strings, result.c; at
	 * most 96 here), an IPv6 address being at most 39 characters; put_ip's
	 * addr_to_str also writes a NUL after the address, overwritten next. */
	char buf[192 + 96 + ADDR_STR_MAX], *p = buf;
	const char *state = state_name((enum port_state)r->state);
	const char *reason = reason_name((enum reason)r->reason);

	if (strlen(state) + strlen(reason) > 96) { /* cannot happen; never overflow */
		state = "unknown";
		reason = "unknown";
	}
	/* The names need no JSON escaping: lowercase letters and '-' only. */
	p = put_str(p, "{\"type\":\"port\",\"ip\":\"");
	p = put_ip(p, r->ip);
	*p++ = '"';
	if (r->names != NULL) {
		sb_append(b, buf, (size_t)(p - buf));
		p = buf;
		native_names_format(b, r->names);
	}
	p = put_str(p, ",\"port\":");
	p = put_u32(p, r->port);
	p = put_str(p, ",\"proto\":\"tcp\",\"state\":\"");
	p = put_str(p, state);
	p = put_str(p, "\",\"reason\":\"");
	p = put_str(p, reason);
	if (r->has_reply) {
		p = put_str(p, "\",\"ttl\":");
		p = put_u32(p, r->ttl);
		if (!addr_is_zero(r->reason_ip)) {
			p = put_str(p, ",\"reason_ip\":\"");
			p = put_ip(p, r->reason_ip);
			*p++ = '"';
		}
	} else {
		p = put_str(p, "\",\"ttl\":null");
	}
	p = put_str(p, ",\"time\":");
	sb_append(b, buf, (size_t)(p - buf));
	append_time_cached(b, r->time_us);
	sb_puts(b, "}");
}

void native_names_fields(struct jsonw *w, const char *const *names)
{
	uint32_t n = record_nnames(names);

	if (n == 0)
		return;
	jw_strz(w, "hostname", names[0]);
	if (n == 1)
		return;
	jw_arr(w, "hostnames");
	for (uint32_t i = 0; i < n; i++)
		jw_strz(w, NULL, names[i]);
	jw_close(w);
}

void native_names_format(struct strbuf *b, const char *const *names)
{
	struct jsonw w;

	jw_continue(&w, b);
	native_names_fields(&w, names);
}

void native_resolve_format(struct strbuf *b, const struct resolve_record *r)
{
	struct jsonw w;

	jw_begin(&w, b);
	jw_strz(&w, "type", "resolve");
	jw_strz(&w, "hostname", r->name);
	jw_strz(&w, "error", r->error);
	if (r->detail != NULL && r->detail[0] != '\0')
		jw_strz(&w, "detail", r->detail);
	jw_strz(&w, "family", r->family);
	jw_time(&w, "time", r->time_us);
	jw_end(&w);
}

void native_host_format(struct strbuf *b, const struct host_record *h)
{
	char ip[ADDR_STR_MAX];
	struct jsonw w;

	addr_to_str(h->ip, ip);
	jw_begin(&w, b);
	jw_strz(&w, "type", "host");
	jw_strz(&w, "ip", ip);
	native_names_fields(&w, h->names);
	jw_strz(&w, "state", h->up ? "up" : "down");
	jw_strz(&w, "reason", reason_name((enum reason)h->reason));
	jw_time(&w, "time", h->time_us);
	jw_end(&w);
}

void native_summary_fields(struct jsonw *w, const struct run_summary *s)
{
	int64_t el = s->end_us - s->start_us;
	char shard[24];

	jw_strz(w, "type", "summary");
	jw_time(w, "start", s->start_us);
	jw_time(w, "end", s->end_us);
	jw_fixed(w, "elapsed_s", el > 0 ? (double)el / 1e6 : 0.0, 3);
	jw_uint(w, "targets", s->targets);
	jw_uint(w, "hosts", s->hosts);
	jw_uint(w, "hosts_down", s->hosts_down);
	jw_uint(w, "open", s->open);
	jw_uint(w, "closed", s->closed);
	jw_uint(w, "filtered", s->filtered);
	jw_uint(w, "probes_sent", s->probes_sent);
	jw_fixed(w, "rate_pps", isfinite(s->rate_pps) ? s->rate_pps : 0.0, 1);
	/* Only in runs with --tls, so scans without it keep their exact schema. */
	if (s->tls_endpoints > 0) {
		jw_uint(w, "tls_endpoints", s->tls_endpoints);
		jw_uint(w, "tls_ok", s->tls_ok);
	}
	/* Only from a scan: a merged summary spans several processes' memory. */
	if (s->table_bytes > 0) {
		jw_uint(w, "plan_bytes", s->plan_bytes);
		jw_uint(w, "table_bytes", s->table_bytes);
	}
	jw_uint(w, "pcap_received", s->pcap_received);
	jw_uint(w, "pcap_dropped", s->pcap_dropped);
	jw_uint(w, "if_dropped", s->if_dropped);
	jw_uint(w, "passes", s->passes);
	jw_uint(w, "seed", s->seed);
	snprintf(shard, sizeof(shard), "%u/%u", s->shard_k, s->shard_n);
	jw_strz(w, "shard", shard);
	jw_bool(w, "interrupted", s->interrupted);
}

void native_summary_format(struct strbuf *b, const struct run_summary *s)
{
	struct jsonw w;

	jw_begin(&w, b);
	native_summary_fields(&w, s);
	jw_end(&w);
}
