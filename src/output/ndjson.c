/*
 * ndjson.c — one flat JSON object per line (port, host and summary records).
 *
 * Records are built in memory and reach the kernel only as whole lines: the
 * stream is unbuffered and each fwrite holds complete records, so one write(2)
 * never ends mid-line and a killed run leaves only complete lines. Records that
 * matter as soon as they are known (open ports, hosts, TLS, the summary) are
 * written at once; the bulk of closed/filtered records written at the end of a
 * scan is batched up to ND_BATCH bytes per write (a /16 x 5 scan would
 * otherwise make 200,000 system calls).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "portus.h"
#include "strbuf.h"
#include "stream.h"
#include "tls_json.h"
#include "writer.h"

#define ND_BATCH ((size_t)64 << 10)

struct ndjson {
	struct strbuf sb; /* complete lines not yet written, then the record being built */
	size_t done;      /* bytes of sb that are complete lines */
};

/* Writes the complete lines held. */
static int nd_flush(struct writer *w)
{
	struct ndjson *nd = w->priv;
	int r = 0;

	if (nd->sb.oom || (nd->done > 0 && fwrite(nd->sb.p, 1, nd->done, w->fp) != nd->done))
		r = -1;
	sb_reset(&nd->sb);
	nd->done = 0;
	return r;
}

/* Ends the record being built; writes now when urgent or the batch is full. */
static int nd_emit_batched(struct writer *w, int urgent)
{
	struct ndjson *nd = w->priv;

	sb_append(&nd->sb, "\n", 1);
	nd->done = nd->sb.len;
	if (urgent || nd->done >= ND_BATCH || nd->sb.oom)
		return nd_flush(w);
	return 0;
}

static int nd_emit(struct writer *w)
{
	return nd_emit_batched(w, 1);
}

/* Appends ,"key":"value" with value escaped. */
static void nd_str(struct strbuf *b, const char *key, const char *val)
{
	sb_printf(b, ",\"%s\":", key);
	json_append_string(b, val, strlen(val));
}

static void nd_ip(struct strbuf *b, const char *key, uint32_t ip)
{
	char s[16];

	ip_to_str(ip, s);
	sb_printf(b, ",\"%s\":\"%s\"", key, s);
}

static int nd_port(struct writer *w, const struct port_record *r)
{
	struct strbuf *b = &((struct ndjson *)w->priv)->sb;

	if (w->open_only && r->state != PS_OPEN)
		return 0;
	sb_puts(b, "{\"type\":\"port\"");
	nd_ip(b, "ip", r->ip);
	sb_printf(b, ",\"port\":%u,\"proto\":\"tcp\"", (unsigned)r->port);
	nd_str(b, "state", state_name((enum port_state)r->state));
	nd_str(b, "reason", reason_name((enum reason)r->reason));
	if (r->has_reply) {
		sb_printf(b, ",\"ttl\":%u", (unsigned)r->ttl);
		if (r->reason_ip != 0)
			nd_ip(b, "reason_ip", r->reason_ip);
	} else {
		sb_puts(b, ",\"ttl\":null");
	}
	sb_puts(b, ",\"time\":");
	json_append_time(b, r->time_us);
	sb_puts(b, "}");
	return nd_emit_batched(w, r->state == PS_OPEN);
}

static int nd_host(struct writer *w, const struct host_record *h)
{
	struct strbuf *b = &((struct ndjson *)w->priv)->sb;

	if (w->open_only && !h->up)
		return 0;
	sb_puts(b, "{\"type\":\"host\"");
	nd_ip(b, "ip", h->ip);
	nd_str(b, "state", h->up ? "up" : "down");
	nd_str(b, "reason", reason_name((enum reason)h->reason));
	sb_puts(b, ",\"time\":");
	json_append_time(b, h->time_us);
	sb_puts(b, "}");
	return nd_emit(w);
}

static int nd_summary(struct writer *w, const struct run_summary *s)
{
	struct strbuf *b = &((struct ndjson *)w->priv)->sb;
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
	return nd_emit(w);
}

static int nd_tls(struct writer *w, const struct tls_result *r)
{
	struct strbuf *b = &((struct ndjson *)w->priv)->sb;

	tls_json_format(b, r);
	return nd_emit(w);
}

static int nd_close(struct writer *w)
{
	struct ndjson *nd = w->priv;
	int r = nd_flush(w);

	if (fflush(w->fp) != 0 || ferror(w->fp))
		r = -1;
	if (w->owns_fp && fclose(w->fp) != 0)
		r = -1;
	sb_free(&nd->sb);
	free(nd);
	free(w);
	return r;
}

static const struct writer_ops ndjson_ops = {
	.name = "ndjson",
	.port = nd_port,
	.host = nd_host,
	.tls = nd_tls,
	.summary = nd_summary,
	.close = nd_close,
};

struct writer *writer_ndjson_open(const char *path, int open_only, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct ndjson *nd = calloc(1, sizeof(*nd));

	if (w == NULL || nd == NULL) {
		portus_err(err, errlen, "out of memory");
		goto fail;
	}
	if (writer_open_stream(w, path, err, errlen) != 0)
		goto fail;
	/* Unbuffered: our own buffer decides where writes end (line boundaries). */
	setvbuf(w->fp, NULL, _IONBF, 0);
	sb_init(&nd->sb);
	w->ops = &ndjson_ops;
	w->open_only = open_only;
	w->priv = nd;
	return w;
fail:
	free(nd);
	free(w);
	return NULL;
}
