/*
 * hec.c — Splunk HTTP Event Collector envelopes around the native records
 * (see hec.h), written to a file by -oJ FILE --format splunk-hec and to a
 * collector by --hec-url (the same writer on the HTTP sink of hec_http.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/hec.h"
#include "output/native.h"
#include "portus.h"
#include "tls_json.h"
#include "utf8.h"

struct hec_writer {
	struct line_out lo;
	char host[HEC_HOST_MAX + 1];
	char index[HEC_INDEX_MAX + 1];
	int has_index;
};

int hec_index_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HEC_INDEX_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Length of host cut to HEC_HOST_MAX bytes without splitting a UTF-8 sequence. */
static size_t host_len(const char *host)
{
	return utf8_cut(host, strnlen(host, HEC_HOST_MAX + 1), HEC_HOST_MAX);
}

void hec_envelope_begin(struct strbuf *b, int64_t time_us, const char *host, const char *sourcetype,
			const char *index)
{
	int64_t sec = time_us / 1000000, frac = time_us % 1000000;

	/* Floor division, so a (theoretical) pre-1970 time still reads right. */
	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	if (sec < 0 && frac != 0)
		sb_printf(b, "{\"time\":-%" PRId64 ".%06" PRId64, -(sec + 1), 1000000 - frac);
	else
		sb_printf(b, "{\"time\":%" PRId64 ".%06" PRId64, sec, frac);
	sb_puts(b, ",\"host\":");
	json_append_string(b, host, host_len(host));
	sb_puts(b, ",\"source\":\"" HEC_SOURCE "\",\"sourcetype\":\"");
	sb_puts(b, sourcetype);
	sb_puts(b, "\"");
	if (index != NULL) {
		sb_puts(b, ",\"index\":");
		json_append_string(b, index, strlen(index));
	}
	sb_puts(b, ",\"event\":");
}

static struct hec_writer *hw(struct writer *w)
{
	return w->priv;
}

static void begin(struct writer *w, int64_t time_us, const char *sourcetype)
{
	struct hec_writer *h = hw(w);

	hec_envelope_begin(&h->lo.sb, time_us, h->host, sourcetype, h->has_index ? h->index : NULL);
}

static int end(struct writer *w, int urgent)
{
	sb_puts(&hw(w)->lo.sb, "}");
	return lo_end(&hw(w)->lo, urgent);
}

static int hec_port(struct writer *w, const struct port_record *r)
{
	if (w->open_only && r->state != PS_OPEN)
		return 0;
	begin(w, r->time_us, "portus:port");
	native_port_format(&hw(w)->lo.sb, r);
	return end(w, r->state == PS_OPEN);
}

static int hec_host(struct writer *w, const struct host_record *hr)
{
	if (w->open_only && !hr->up)
		return 0;
	begin(w, hr->time_us, "portus:host");
	native_host_format(&hw(w)->lo.sb, hr);
	return end(w, 1);
}

static int hec_tls(struct writer *w, const struct tls_result *r)
{
	begin(w, r->end_us, "portus:tls");
	tls_json_format(&hw(w)->lo.sb, r);
	return end(w, 1);
}

static int hec_resolve(struct writer *w, const struct resolve_record *r)
{
	begin(w, r->time_us, "portus:resolve");
	native_resolve_format(&hw(w)->lo.sb, r);
	return end(w, 1);
}

static int hec_summary(struct writer *w, const struct run_summary *s)
{
	begin(w, s->end_us, "portus:summary");
	native_summary_format(&hw(w)->lo.sb, s);
	return end(w, 1);
}

static int hec_close(struct writer *w)
{
	int r = lo_close(&hw(w)->lo);

	free(w->priv);
	free(w);
	return r;
}

static const struct writer_ops hec_ops = {
	.name = "splunk-hec",
	.port = hec_port,
	.host = hec_host,
	.tls = hec_tls,
	.summary = hec_summary,
	.close = hec_close,
	.resolve = hec_resolve,
};

struct writer *hec_writer_new(struct line_sink *sink, const struct run_info *ri, const char *index,
			      size_t batch, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct hec_writer *h = calloc(1, sizeof(*h));

	if (w == NULL || h == NULL) {
		portus_err(err, errlen, "out of memory");
		free(h);
		free(w);
		sink->close(sink);
		return NULL;
	}
	if (ri->hostname[0] != '\0') {
		size_t n = host_len(ri->hostname);

		memcpy(h->host, ri->hostname, n);
		h->host[n] = '\0';
	} else if (ri->scanner_ip == 0 && !addr_is_zero(ri->scanner_ip6)) {
		addr_to_str(ri->scanner_ip6, h->host); /* an IPv6-only run */
	} else {
		ip_to_str(ri->scanner_ip, h->host); /* an address beats an empty host */
	}
	if (index != NULL) {
		snprintf(h->index, sizeof(h->index), "%s", index);
		h->has_index = 1;
	}
	lo_init(&h->lo, sink, batch);
	w->ops = &hec_ops;
	w->open_only = ri->open_only;
	w->priv = h;
	return w;
}

struct writer *writer_hec_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen)
{
	struct line_sink *sink = line_sink_file(path, err, errlen);

	if (sink == NULL)
		return NULL;
	return hec_writer_new(sink, ri, NULL, 0, err, errlen);
}
