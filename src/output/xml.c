/*
 * xml.c — -oX: nmap's XML (nmap.dtd, xmloutputversion 1.05), as nmap 7.93
 * writes it for `nmap -sS -n --reason`, so that ndiff, Metasploit's db_import,
 * DefectDojo and every other nmap XML reader take portus results as they are:
 *
 *   <nmaprun scanner="portus" args= start= startstr= version= xmloutputversion="1.05">
 *   <scaninfo type="syn" protocol="tcp" numservices= services="22,80,8080-8081"/>
 *   <host starttime= endtime=><status state="up" reason="syn-ack" reason_ttl="64"/>
 *   <address addr= addrtype="ipv4"|"ipv6"/> <hostnames> <ports>
 *     <extraports state="closed" count="101"><extrareasons reason= count= proto= ports=/>
 *     <port protocol="tcp" portid="22"><state state= reason= reason_ttl= [reason_ip=]/>
 *       <service name="ssh" method="table" conf="3"/></port>
 *   <runstats><finished time= timestr= summary= elapsed= exit=/><hosts up= down= total=/>
 *
 * Hosts are listed as hostgroup.h decides (up; on-link down; silent hosts only
 * counted). Every attribute value is escaped and valid UTF-8 (args is the
 * user's command line). TLS records have no place in nmap's schema.
 *
 * A host's ports are complete only at the end of the scan, so the whole file
 * is written at close (hostgroup.h keeps the answers and counts the silence,
 * so that costs memory for what answered only): main closes the writers on SIGINT and SIGTERM too, but
 * a SIGKILL leaves the file empty (as nmap's buffered output loses its tail).
 * -oJ streams each record for that reason.
 */
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/hostgroup.h"
#include "output/lines.h"
#include "portus.h"
#include "utf8.h"
#include "writer.h"

struct xml {
	struct line_out lo;
	struct hostgroup g;
	const struct run_info *ri; /* borrowed, outlives the writer */
	struct run_summary sum;
	int has_sum;
	int failed; /* a record could not be kept (out of memory) */
};

/* ---- escaping ---- */

/*
 * Appends s as attribute (or comment) text: & < > " ' as entities, the second
 * '-' of "--" as &#45; (nmap's escape, so the same text is safe in a comment),
 * tab, newline and CR as character references; other control characters,
 * invalid UTF-8, and U+FFFE/U+FFFF (not XML characters) become U+FFFD.
 */
static void xml_text(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t c = 0;
	int prev_dash = 0;

	while (left > 0) {
		n = utf8_decode(p, left, &c, NULL);
		if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE ||
		    c == 0xFFFF) {
			sb_puts(b, "\xEF\xBF\xBD");
			n = n == 0 ? 1 : n;
			c = 0xFFFD;
		} else if (c == '&') {
			sb_puts(b, "&amp;");
		} else if (c == '<') {
			sb_puts(b, "&lt;");
		} else if (c == '>') {
			sb_puts(b, "&gt;");
		} else if (c == '"') {
			sb_puts(b, "&quot;");
		} else if (c == '\'') {
			sb_puts(b, "&apos;");
		} else if (c == '-' && prev_dash) {
			sb_puts(b, "&#45;");
		} else if (c < 0x20) {
			sb_printf(b, "&#%u;", (unsigned)c);
		} else {
			sb_append(b, p, n);
		}
		prev_dash = c == '-';
		p += n;
		left -= n;
	}
}

/* ---- port ranges: "1-21,23,8080-8081" ---- */

struct ranges {
	struct strbuf *b;
	int have;
	unsigned lo, hi;
};

static void range_flush(struct ranges *r)
{
	if (!r->have)
		return;
	if (r->lo == r->hi)
		sb_printf(r->b, "%s%u", r->have > 1 ? "," : "", r->lo);
	else
		sb_printf(r->b, "%s%u-%u", r->have > 1 ? "," : "", r->lo, r->hi);
}

/* Ports must come in ascending order. */
static void range_add(struct ranges *r, unsigned port)
{
	if (r->have && port == r->hi + 1) {
		r->hi = port;
		return;
	}
	range_flush(r);
	r->have++;
	r->lo = r->hi = port;
}

static void range_end(struct ranges *r)
{
	range_flush(r);
	r->have = 0;
}

/* ---- the document ---- */

static void write_header(struct xml *x)
{
	const struct run_info *ri = x->ri;
	struct strbuf *b = &x->lo.sb;
	const char *args = ri->args != NULL ? ri->args : "";
	struct ranges r = { .b = b };
	char when[32];
	uint32_t i, n = ri->ports != NULL ? ri->ports->n : 0;

	hg_ctime(ri->start_us, when);
	sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n");
	sb_printf(b, "<!-- portus %s scan initiated %s as: ", PORTUS_VERSION, when);
	xml_text(b, args);
	sb_puts(b, " -->\n<nmaprun scanner=\"portus\" args=\"");
	xml_text(b, args);
	sb_printf(b,
		  "\" start=\"%" PRId64 "\" startstr=\"%s\" version=\"%s\" "
		  "xmloutputversion=\"1.05\">\n",
		  ri->start_us / 1000000, when, PORTUS_VERSION);
	sb_printf(b,
		  "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"%" PRIu32 "\" services=\"",
		  n);
	for (i = 0; i < n; i++)
		range_add(&r, ri->ports->ports[i]);
	range_end(&r);
	sb_puts(b, "\"/>\n<verbose level=\"0\"/>\n<debugging level=\"0\"/>");
}

/* nmap lists a state's reasons by count; on a tie the one seen last comes
 * first (its merge sort takes the right-hand run on equal counts). */
static void write_extrareasons(struct xml *x, const struct hg_host *h, unsigned state)
{
	struct strbuf *b = &x->lo.sb;
	size_t cnt[R_COUNT] = { 0 }, first[R_COUNT] = { 0 };
	unsigned char order[R_COUNT], done[R_COUNT] = { 0 };
	unsigned nr = 0, i, j, best;
	const struct port_record *p;
	struct hg_port_iter it;
	size_t k = 0;

	for (p = hg_port_first(&it, h); p != NULL; p = hg_port_next(&it), k++) {
		unsigned why = hg_reason(p);

		if (hg_state(p) != state)
			continue;
		if (cnt[why]++ == 0)
			first[why] = k;
	}
	for (i = 0; i < R_COUNT; i++) {
		best = R_COUNT;
		for (j = 0; j < R_COUNT; j++)
			if (cnt[j] > 0 && !done[j] &&
			    (best == R_COUNT || cnt[j] > cnt[best] ||
			     (cnt[j] == cnt[best] && first[j] > first[best])))
				best = j;
		if (best == R_COUNT)
			break;
		done[best] = 1;
		order[nr++] = (unsigned char)best;
	}
	for (i = 0; i < nr; i++) {
		struct ranges r = { .b = b };
		const unsigned why = order[i];

		sb_printf(b, "<extrareasons reason=\"%s\" count=\"%zu\" proto=\"tcp\" ports=\"",
			  reason_name((enum reason)why), cnt[why]);
		for (p = hg_port_first(&it, h); p != NULL; p = hg_port_next(&it))
			if (hg_state(p) == state && hg_reason(p) == why)
				range_add(&r, p->port);
		range_end(&r);
		sb_puts(b, "\"/>\n");
	}
}

static void write_port(struct xml *x, const struct port_record *p)
{
	struct strbuf *b = &x->lo.sb;
	const char *svc = hg_service(&x->g, p->port);
	char ip[ADDR_STR_MAX];

	sb_printf(b,
		  "<port protocol=\"tcp\" portid=\"%u\"><state state=\"%s\" reason=\"%s\" "
		  "reason_ttl=\"%u\"",
		  (unsigned)p->port, state_name((enum port_state)hg_state(p)),
		  reason_name((enum reason)hg_reason(p)), p->has_reply ? (unsigned)p->ttl : 0u);
	if (p->has_reply && !addr_is_zero(p->reason_ip) && !addr_eq(p->reason_ip, p->ip)) {
		addr_to_str(p->reason_ip, ip);
		sb_printf(b, " reason_ip=\"%s\"", ip);
	}
	sb_puts(b, "/>");
	if (svc != NULL) {
		sb_puts(b, "<service name=\"");
		xml_text(b, svc);
		sb_puts(b, "\" method=\"table\" conf=\"3\"/>");
	}
	sb_puts(b, "</port>\n");
}

/* nmap's <hostnames>: each name the address came from as type="user" (the
 * name the user gave, as nmap marks it; nmap's "PTR" is reverse DNS, which
 * portus does not do). Empty, as nmap writes it, for a literal. */
static void write_hostnames(struct strbuf *b, const char *const *names)
{
	sb_puts(b, "<hostnames>\n");
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		sb_puts(b, "<hostname name=\"");
		xml_text(b, names[i]);
		sb_puts(b, "\" type=\"user\"/>\n");
	}
	sb_puts(b, "</hostnames>\n");
}

static void write_host(struct xml *x, const struct hg_host *h)
{
	struct strbuf *b = &x->lo.sb;
	/* nmap's addrtype: "ipv4" or "ipv6" (nmap -6 writes the RFC 5952 form). */
	const char *type = addr_is_v4(h->ip) ? "ipv4" : "ipv6";
	const struct port_record *p;
	struct hg_port_iter it;
	char ip[ADDR_STR_MAX];
	unsigned i;

	addr_to_str(h->ip, ip);
	if (h->status == HG_DOWN) {
		sb_printf(b,
			  "<host><status state=\"down\" reason=\"%s\" reason_ttl=\"0\"/>\n"
			  "<address addr=\"%s\" addrtype=\"%s\"/>\n",
			  h->reason, ip, type);
		if (h->names != NULL)
			write_hostnames(b, h->names);
		sb_puts(b, "</host>");
		return;
	}
	sb_printf(b,
		  "<host starttime=\"%" PRId64 "\" endtime=\"%" PRId64 "\"><status state=\"up\" "
		  "reason=\"%s\" reason_ttl=\"%u\"/>\n<address addr=\"%s\" addrtype=\"%s\"/>\n",
		  h->start_us / 1000000, h->end_us / 1000000, h->reason, h->reason_ttl, ip, type);
	write_hostnames(b, h->names);
	sb_puts(b, "<ports>");
	for (i = 0; i < h->nignored; i++) {
		sb_printf(b, "<extraports state=\"%s\" count=\"%zu\">\n",
			  state_name((enum port_state)h->ignored[i]), h->ignored_count[i]);
		write_extrareasons(x, h, h->ignored[i]);
		sb_puts(b, "</extraports>\n");
	}
	for (p = hg_port_first(&it, h); p != NULL; p = hg_port_next(&it))
		if (!hg_is_ignored(h, hg_state(p)))
			write_port(x, p);
	sb_puts(b, "</ports>\n</host>");
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void write_runstats(struct xml *x, uint64_t up)
{
	struct strbuf *b = &x->lo.sb;
	int64_t start = x->has_sum ? x->sum.start_us : x->ri->start_us;
	int64_t end = x->has_sum ? x->sum.end_us : start;
	uint64_t total = x->has_sum ? x->sum.hosts : x->ri->hosts;
	double elapsed = end > start ? (double)(end - start) / 1e6 : 0.0;
	char when[32];

	if (total < up)
		total = up;
	hg_ctime(end, when);
	sb_printf(b,
		  "<runstats><finished time=\"%" PRId64 "\" timestr=\"%s\" summary=\"portus done "
		  "at %s; %" PRIu64 " %s (%" PRIu64 " %s up) scanned in %.2f seconds\" "
		  "elapsed=\"%.2f\" exit=\"%s\"",
		  end / 1000000, when, when, total, plural(total, "IP address", "IP addresses"), up,
		  plural(up, "host", "hosts"), elapsed, elapsed,
		  x->has_sum && !x->sum.interrupted ? "success" : "error");
	if (!x->has_sum)
		sb_puts(b, " errormsg=\"the scan stopped before its summary\"");
	else if (x->sum.interrupted)
		sb_puts(b, " errormsg=\"interrupted\"");
	sb_printf(b,
		  "/><hosts up=\"%" PRIu64 "\" down=\"%" PRIu64 "\" total=\"%" PRIu64 "\"/>\n"
		  "</runstats>\n</nmaprun>",
		  up, total - up, total);
}

static int write_document(struct writer *w)
{
	struct xml *x = w->priv;
	struct hg_host h;
	uint64_t up = 0;
	int r = 0;

	write_header(x);
	r |= lo_end(&x->lo, 0);
	setservent(1);
	if (hg_begin(&x->g) != 0)
		x->failed = 1;
	while (hg_next(&x->g, w->open_only, &h)) {
		up += h.status == HG_UP;
		if (!hg_listed(&h, w->open_only))
			continue;
		write_host(x, &h);
		r |= lo_end(&x->lo, 0);
	}
	endservent();
	write_runstats(x, up);
	r |= lo_end(&x->lo, 0);
	return r != 0 || x->failed ? -1 : 0;
}

/* ---- writer ops ---- */

static int xml_port(struct writer *w, const struct port_record *r)
{
	struct xml *x = w->priv;

	if (hg_add_port(&x->g, r) != 0) {
		x->failed = 1;
		return -1;
	}
	return 0;
}

static int xml_host(struct writer *w, const struct host_record *h)
{
	struct xml *x = w->priv;

	if (hg_add_host(&x->g, h) != 0) {
		x->failed = 1;
		return -1;
	}
	return 0;
}

static int xml_summary(struct writer *w, const struct run_summary *s)
{
	struct xml *x = w->priv;

	x->sum = *s;
	x->has_sum = 1;
	return 0;
}

static int xml_close(struct writer *w)
{
	struct xml *x = w->priv;
	int r = write_document(w);

	if (lo_close(&x->lo) != 0)
		r = -1;
	hg_free(&x->g);
	free(x);
	free(w);
	return r;
}

static const struct writer_ops xml_ops = {
	.name = "xml",
	.port = xml_port,
	.host = xml_host,
	.tls = NULL,
	.summary = xml_summary,
	.close = xml_close,
};

struct writer *writer_xml_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct xml *x = calloc(1, sizeof(*x));
	struct line_sink *sink;

	if (w == NULL || x == NULL) {
		portus_err(err, errlen, "out of memory");
		goto fail;
	}
	if ((sink = line_sink_file(path, err, errlen)) == NULL)
		goto fail;
	lo_init(&x->lo, sink, 0);
	hg_init(&x->g);
	x->ri = ri;
	w->ops = &xml_ops;
	w->open_only = ri->open_only;
	w->priv = x;
	return w;
fail:
	free(x);
	free(w);
	return NULL;
}
