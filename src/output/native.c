/* native.c — portus's flat JSON records (see native.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"
#include "native.h"

/* Appends ,"key":"value" with value escaped. */
static void nat_str(struct strbuf *b, const char *key, const char *val)
{
	sb_printf(b, ",\"%s\":", key);
	json_append_string(b, val, strlen(val));
}

static void nat_ip(struct strbuf *b, const char *key, ip_addr ip)
{
	char s[ADDR_STR_MAX];

	addr_to_str(ip, s);
	sb_printf(b, ",\"%s\":\"%s\"", key, s);
}

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

void native_names_format(struct strbuf *b, const char *const *names)
{
	uint32_t n = record_nnames(names);

	if (n == 0)
		return;
	nat_str(b, "hostname", names[0]);
	if (n == 1)
		return;
	sb_puts(b, ",\"hostnames\":[");
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(b, ",");
		json_append_string(b, names[i], strlen(names[i]));
	}
	sb_puts(b, "]");
}

void native_resolve_format(struct strbuf *b, const struct resolve_record *r)
{
	sb_puts(b, "{\"type\":\"resolve\"");
	nat_str(b, "hostname", r->name);
	nat_str(b, "error", r->error);
	if (r->detail != NULL && r->detail[0] != '\0')
		nat_str(b, "detail", r->detail);
	nat_str(b, "family", r->family);
	sb_puts(b, ",\"time\":");
	json_append_time(b, r->time_us);
	sb_puts(b, "}");
}

void native_host_format(struct strbuf *b, const struct host_record *h)
{
	sb_puts(b, "{\"type\":\"host\"");
	nat_ip(b, "ip", h->ip);
	native_names_format(b, h->names);
	nat_str(b, "state", h->up ? "up" : "down");
	nat_str(b, "reason", reason_name((enum reason)h->reason));
	sb_puts(b, ",\"time\":");
	json_append_time(b, h->time_us);
	sb_puts(b, "}");
}

void native_summary_format(struct strbuf *b, const struct run_summary *s)
{
	int64_t el = s->end_us - s->start_us;
	double rate = isfinite(s->rate_pps) ? s->rate_pps : 0.0;

	sb_puts(b, "{\"type\":\"summary\",\"start\":");
	json_append_time(b, s->start_us);
	sb_puts(b, ",\"end\":");
	json_append_time(b, s->end_us);
	sb_printf(b, ",\"elapsed_s\":%.3f", el > 0 ? (double)el / 1e6 : 0.0);
	sb_printf(b,
		  ",\"targets\":%" PRIu64 ",\"hosts\":%" PRIu64 ",\"hosts_down\":%" PRIu64
		  ",\"open\":%" PRIu64 ",\"closed\":%" PRIu64 ",\"filtered\":%" PRIu64
		  ",\"probes_sent\":%" PRIu64,
		  s->targets, s->hosts, s->hosts_down, s->open, s->closed, s->filtered,
		  s->probes_sent);
	sb_printf(b, ",\"rate_pps\":%.1f", rate);
	/* Only in runs with --tls, so scans without it keep their exact schema. */
	if (s->tls_endpoints > 0)
		sb_printf(b, ",\"tls_endpoints\":%" PRIu64 ",\"tls_ok\":%" PRIu64, s->tls_endpoints,
			  s->tls_ok);
	/* Only from a scan: a merged summary spans several processes' memory. */
	if (s->table_bytes > 0)
		sb_printf(b, ",\"plan_bytes\":%" PRIu64 ",\"table_bytes\":%" PRIu64, s->plan_bytes,
			  s->table_bytes);
	sb_printf(b,
		  ",\"pcap_received\":%" PRIu64 ",\"pcap_dropped\":%" PRIu64
		  ",\"if_dropped\":%" PRIu64 ",\"passes\":%u,\"seed\":%" PRIu64
		  ",\"shard\":\"%u/%u\",\"interrupted\":%s}",
		  s->pcap_received, s->pcap_dropped, s->if_dropped, s->passes, s->seed,
		  s->shard_k, s->shard_n, s->interrupted ? "true" : "false");
}
