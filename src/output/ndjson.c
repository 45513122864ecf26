/*
 * ndjson.c — the -oJ default: one flat JSON object per line (native.h), put
 * out through lines.h so that only whole lines reach the file.
 */
#include <stdlib.h>

#include "output/lines.h"
#include "output/native.h"
#include "portus.h"
#include "tls_json.h"
#include "writer.h"

static struct line_out *out(struct writer *w)
{
	return w->priv;
}

static int nd_port(struct writer *w, const struct port_record *r)
{
	if (w->open_only && r->state != PS_OPEN)
		return 0;
	native_port_format(&out(w)->sb, r);
	return lo_end(out(w), r->state == PS_OPEN);
}

static int nd_host(struct writer *w, const struct host_record *h)
{
	if (w->open_only && !h->up)
		return 0;
	native_host_format(&out(w)->sb, h);
	return lo_end(out(w), 1);
}

static int nd_resolve(struct writer *w, const struct resolve_record *r)
{
	native_resolve_format(&out(w)->sb, r);
	return lo_end(out(w), 1);
}

static int nd_summary(struct writer *w, const struct run_summary *s)
{
	native_summary_format(&out(w)->sb, s);
	return lo_end(out(w), 1);
}

static int nd_tls(struct writer *w, const struct tls_result *r)
{
	tls_json_format(&out(w)->sb, r);
	return lo_end(out(w), 1);
}

static int nd_close(struct writer *w)
{
	int r = lo_close(out(w));

	free(w->priv);
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
	.resolve = nd_resolve,
};

struct writer *writer_ndjson_open(const char *path, int open_only, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct line_out *lo = calloc(1, sizeof(*lo));
	struct line_sink *sink;

	if (w == NULL || lo == NULL) {
		portus_err(err, errlen, "out of memory");
		goto fail;
	}
	if ((sink = line_sink_file(path, err, errlen)) == NULL)
		goto fail;
	lo_init(lo, sink, 0);
	w->ops = &ndjson_ops;
	w->open_only = open_only;
	w->priv = lo;
	return w;
fail:
	free(lo);
	free(w);
	return NULL;
}
