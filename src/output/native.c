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

static void nat_ip(struct strbuf *b, const char *key, uint32_t ip)
{
	char s[16];

	ip_to_str(ip, s);
	sb_printf(b, ",\"%s\":\"%s\"", key, s);
}

void native_port_format(struct strbuf *b, const struct port_record *r)
{
	sb_puts(b, "{\"type\":\"port\"");
	nat_ip(b, "ip", r->ip);
	sb_printf(b, ",\"port\":%u,\"proto\":\"tcp\"", (unsigned)r->port);
	nat_str(b, "state", state_name((enum port_state)r->state));
	nat_str(b, "reason", reason_name((enum reason)r->reason));
	if (r->has_reply) {
		sb_printf(b, ",\"ttl\":%u", (unsigned)r->ttl);
		if (r->reason_ip != 0)
			nat_ip(b, "reason_ip", r->reason_ip);
	} else {
		sb_puts(b, ",\"ttl\":null");
	}
	sb_puts(b, ",\"time\":");
	json_append_time(b, r->time_us);
	sb_puts(b, "}");
}

void native_host_format(struct strbuf *b, const struct host_record *h)
{
	sb_puts(b, "{\"type\":\"host\"");
	nat_ip(b, "ip", h->ip);
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
	sb_printf(b,
		  ",\"pcap_received\":%" PRIu64 ",\"pcap_dropped\":%" PRIu64
		  ",\"if_dropped\":%" PRIu64 ",\"passes\":%u,\"seed\":%" PRIu64
		  ",\"shard\":\"%u/%u\",\"interrupted\":%s}",
		  s->pcap_received, s->pcap_dropped, s->if_dropped, s->passes, s->seed,
		  s->shard_k, s->shard_n, s->interrupted ? "true" : "false");
}
