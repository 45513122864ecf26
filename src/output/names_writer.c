/*
 * names_writer.c — a writer in front of another that adds the host names of
 * each record's address (see writer_names_wrap in writer.h). One lookup per
 * record per writer: a binary search over the resolved addresses only.
 */
#include <stdlib.h>

#include "hostnames.h"
#include "writer.h"

struct names_writer {
	struct writer *inner;
	const struct hostnames *h;
};

static struct names_writer *nw(struct writer *w)
{
	return w->priv;
}

static int nw_port(struct writer *w, const struct port_record *r)
{
	struct port_record rr = *r;
	const char *const *names;

	if (hostnames_find(nw(w)->h, r->ip, &names) > 0)
		rr.names = names;
	return nw(w)->inner->ops->port(nw(w)->inner, &rr);
}

static int nw_host(struct writer *w, const struct host_record *hr)
{
	struct host_record h = *hr;
	const char *const *names;

	if (hostnames_find(nw(w)->h, hr->ip, &names) > 0)
		h.names = names;
	return nw(w)->inner->ops->host(nw(w)->inner, &h);
}

static int nw_tls(struct writer *w, const struct tls_result *r)
{
	struct writer *in = nw(w)->inner;

	return in->ops->tls != NULL ? in->ops->tls(in, r) : 0;
}

static int nw_summary(struct writer *w, const struct run_summary *s)
{
	return nw(w)->inner->ops->summary(nw(w)->inner, s);
}

static int nw_resolve(struct writer *w, const struct resolve_record *r)
{
	struct writer *in = nw(w)->inner;

	return in->ops->resolve != NULL ? in->ops->resolve(in, r) : 0;
}

static int nw_close(struct writer *w)
{
	int r = nw(w)->inner->ops->close(nw(w)->inner);

	free(w->priv);
	free(w);
	return r;
}

static const struct writer_ops names_ops = {
	.name = "names",
	.port = nw_port,
	.host = nw_host,
	.tls = nw_tls,
	.summary = nw_summary,
	.close = nw_close,
	.resolve = nw_resolve,
};

struct writer *writer_names_wrap(struct writer *inner, const struct hostnames *h)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct names_writer *n = calloc(1, sizeof(*n));

	if (w == NULL || n == NULL) {
		free(w);
		free(n);
		return NULL;
	}
	n->inner = inner;
	n->h = h;
	w->ops = &names_ops;
	w->fp = inner->fp;
	w->open_only = inner->open_only;
	w->priv = n;
	return w;
}
