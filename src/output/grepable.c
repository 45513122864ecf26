/*
 * grepable.c — -oG: nmap's grepable lines, byte for byte as nmap 7.93 writes
 * them for `nmap -sS -n --reason -oG`, so that existing grep/awk/cut scripts
 * keep working:
 *
 *   # portus 0.1.0 scan initiated Mon Nov 23 11:22:47 2026 as: portus -p 22,80 ...
 *   Host: 198.18.0.10 ()	Status: Up
 *   Host: 198.18.0.30 (www.lab.test)	Status: Up   (an address from a host name)
 *   Host: 198.18.0.10 ()	Ports: 22/open/tcp//ssh///, 80/open/tcp//http///	Ignored State: closed (101)
 *   Host: 198.18.0.13 ()	Status: Down
 *   Host: 2001:db8::1 ()	Status: Up
 *   # portus done at Mon Nov 23 11:22:48 2026 -- 4 IP addresses (3 hosts up) scanned in 1.25 seconds
 *
 * IPv6 hosts are written as nmap -6 writes them: the address in its RFC 5952
 * form where the dotted quad goes. Fields are tab-separated; a port is PORT/STATE/tcp//SERVICE/// ('/' in a
 * service name becomes '|', as nmap does). As in nmap, "Ignored State" is
 * written only when exactly one state is summarised (hostgroup.h says which).
 * Hosts are listed as hostgroup.h decides; control bytes in the command line
 * become '?', so every record stays one line. TLS records are not written.
 *
 * Written at close, like -oX: a SIGKILL leaves the file empty (SIGINT and
 * SIGTERM still write it); -oJ streams.
 */
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/hostgroup.h"
#include "output/lines.h"
#include "portus.h"
#include "writer.h"

struct grepable {
	struct line_out lo;
	struct hostgroup g;
	const struct run_info *ri; /* borrowed, outlives the writer */
	struct run_summary sum;
	int has_sum;
	int failed; /* a record could not be kept (out of memory) */
};

/* Appends s with control bytes as '?' and, in a field, '/' as '|'. */
static void put_clean(struct strbuf *b, const char *s, int field)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7F)
			c = '?';
		else if (field && c == '/')
			c = '|';
		sb_append(b, &c, 1);
	}
}

/* "Host: IP (NAME)": nmap's form, with the first name the address came from
 * ("()" for a literal). A name's ')' or tab would break the line's fields:
 * control bytes become '?' as elsewhere, and names from portus are DNS names. */
static void put_host(struct strbuf *b, const char *ip, const char *const *names)
{
	sb_printf(b, "Host: %s (", ip);
	if (names != NULL && names[0] != NULL)
		put_clean(b, names[0], 0);
	sb_puts(b, ")");
}

static void write_ports(struct grepable *gr, const struct hg_host *h)
{
	struct strbuf *b = &gr->lo.sb;
	const char *sep = "";
	const struct port_record *p;
	struct hg_port_iter it;
	const char *svc;
	char ip[ADDR_STR_MAX];

	addr_to_str(h->ip, ip);
	put_host(b, ip, h->names);
	sb_puts(b, "\tPorts: ");
	for (p = hg_port_first(&it, h); p != NULL; p = hg_port_next(&it)) {
		if (hg_is_ignored(h, hg_state(p)))
			continue;
		sb_printf(b, "%s%u/%s/tcp//", sep, (unsigned)p->port,
			  state_name((enum port_state)hg_state(p)));
		svc = hg_service(&gr->g, p->port);
		if (svc != NULL)
			put_clean(b, svc, 1);
		sb_puts(b, "///");
		sep = ", ";
	}
	if (h->nignored == 1)
		sb_printf(b, "\tIgnored State: %s (%zu)",
			  state_name((enum port_state)h->ignored[0]), h->ignored_count[0]);
}

static void write_host(struct grepable *gr, const struct hg_host *h)
{
	struct strbuf *b = &gr->lo.sb;
	char ip[ADDR_STR_MAX];

	addr_to_str(h->ip, ip);
	put_host(b, ip, h->names);
	if (h->status == HG_DOWN) {
		sb_puts(b, "\tStatus: Down");
		return;
	}
	sb_puts(b, "\tStatus: Up\n");
	write_ports(gr, h);
}

static void write_done(struct grepable *gr, uint64_t up)
{
	int64_t start = gr->has_sum ? gr->sum.start_us : gr->ri->start_us;
	int64_t end = gr->has_sum ? gr->sum.end_us : start;
	uint64_t total = gr->has_sum ? gr->sum.hosts : gr->ri->hosts;
	double elapsed = end > start ? (double)(end - start) / 1e6 : 0.0;
	char when[32];

	if (total < up)
		total = up;
	hg_ctime(end, when);
	sb_printf(&gr->lo.sb,
		  "# portus done at %s -- %" PRIu64 " IP address%s (%" PRIu64
		  " host%s up) scanned in %.2f seconds%s",
		  when, total, total == 1 ? "" : "es", up, up == 1 ? "" : "s", elapsed,
		  !gr->has_sum          ? " (no summary: the scan stopped early)"
		  : gr->sum.interrupted ? " (interrupted)"
					: "");
}

static int write_all(struct writer *w)
{
	struct grepable *gr = w->priv;
	struct hg_host h;
	uint64_t up = 0;
	char when[32];
	int r = 0;

	hg_ctime(gr->ri->start_us, when);
	sb_printf(&gr->lo.sb, "# portus %s scan initiated %s as: ", PORTUS_VERSION, when);
	put_clean(&gr->lo.sb, gr->ri->args != NULL ? gr->ri->args : "", 0);
	r |= lo_end(&gr->lo, 0);
	setservent(1);
	if (hg_begin(&gr->g) != 0)
		gr->failed = 1;
	while (hg_next(&gr->g, w->open_only, &h)) {
		up += h.status == HG_UP;
		if (!hg_listed(&h, w->open_only))
			continue;
		write_host(gr, &h);
		r |= lo_end(&gr->lo, 0);
	}
	endservent();
	write_done(gr, up);
	r |= lo_end(&gr->lo, 0);
	return r != 0 || gr->failed ? -1 : 0;
}

static int gr_port(struct writer *w, const struct port_record *r)
{
	struct grepable *gr = w->priv;

	if (hg_add_port(&gr->g, r) != 0) {
		gr->failed = 1;
		return -1;
	}
	return 0;
}

static int gr_host(struct writer *w, const struct host_record *h)
{
	struct grepable *gr = w->priv;

	if (hg_add_host(&gr->g, h) != 0) {
		gr->failed = 1;
		return -1;
	}
	return 0;
}

static int gr_summary(struct writer *w, const struct run_summary *s)
{
	struct grepable *gr = w->priv;

	gr->sum = *s;
	gr->has_sum = 1;
	return 0;
}

static int gr_close(struct writer *w)
{
	struct grepable *gr = w->priv;
	int r = write_all(w);

	if (lo_close(&gr->lo) != 0)
		r = -1;
	hg_free(&gr->g);
	free(gr);
	free(w);
	return r;
}

static const struct writer_ops grepable_ops = {
	.name = "grepable",
	.port = gr_port,
	.host = gr_host,
	.tls = NULL,
	.summary = gr_summary,
	.close = gr_close,
};

struct writer *writer_grepable_open(const char *path, const struct run_info *ri, char *err,
				    size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct grepable *gr = calloc(1, sizeof(*gr));
	struct line_sink *sink;

	if (w == NULL || gr == NULL) {
		portus_err(err, errlen, "out of memory");
		goto fail;
	}
	if ((sink = line_sink_file(path, err, errlen)) == NULL)
		goto fail;
	lo_init(&gr->lo, sink, 0);
	hg_init(&gr->g);
	gr->ri = ri;
	w->ops = &grepable_ops;
	w->open_only = ri->open_only;
	w->priv = gr;
	return w;
fail:
	free(gr);
	free(w);
	return NULL;
}
