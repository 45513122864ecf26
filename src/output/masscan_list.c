/*
 * masscan_list.c — masscan's -oL list format: "#portus", then one
 * "open tcp PORT ADDRESS UNIX-SECONDS" line per open port, then "# end".
 * ADDRESS is a dotted quad or, as masscan writes it, an IPv6 address in its
 * compressed form without brackets ("open tcp 80 2001:db8::1 1763890000").
 * Only open ports are written; every line is flushed as it is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/stream.h"
#include "portus.h"
#include "writer.h"

static int list_flush(struct writer *w, int printed)
{
	return printed < 0 || fflush(w->fp) != 0 ? -1 : 0;
}

static int list_port(struct writer *w, const struct port_record *r)
{
	int64_t sec = r->time_us / 1000000;
	char ip[ADDR_STR_MAX];

	if (r->state != PS_OPEN)
		return 0;
	if (r->time_us < 0 && r->time_us % 1000000 != 0)
		sec--; /* floor, for clocks set before 1970 */
	addr_to_str(r->ip, ip);
	return list_flush(
		w, fprintf(w->fp, "open tcp %u %s %" PRId64 "\n", (unsigned)r->port, ip, sec));
}

static int list_host(struct writer *w, const struct host_record *h)
{
	(void)w;
	(void)h;
	return 0;
}

static int list_summary(struct writer *w, const struct run_summary *s)
{
	(void)s;
	return list_flush(w, fputs("# end\n", w->fp));
}

static int list_close(struct writer *w)
{
	int r = 0;

	if (fflush(w->fp) != 0 || ferror(w->fp))
		r = -1;
	if (w->owns_fp && fclose(w->fp) != 0)
		r = -1;
	free(w);
	return r;
}

static const struct writer_ops list_ops = {
	.name = "list",
	.port = list_port,
	.host = list_host,
	.summary = list_summary,
	.close = list_close,
};

struct writer *writer_list_open(const char *path, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	if (writer_open_stream(w, path, err, errlen) != 0) {
		free(w);
		return NULL;
	}
	w->ops = &list_ops;
	w->open_only = 1;
	if (list_flush(w, fputs("#portus\n", w->fp)) != 0) {
		portus_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (w->owns_fp)
			fclose(w->fp);
		free(w);
		return NULL;
	}
	return w;
}
