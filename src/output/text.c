/*
 * text.c — the nmap-like terminal report. Records are grouped per host
 * (hostgroup.h: answers kept, silence only counted, so memory grows with what
 * answered) and printed at close, one block per host in address order:
 *
 *   portus scan report for 198.18.0.1
 *   Host is up (ttl 64).
 *   Not shown: 30 filtered tcp ports (no-response)
 *   PORT     STATE    SERVICE  REASON
 *   80/tcp   open     http     syn-ack ttl 64
 *
 * An address that came from host names is headed as nmap heads a name
 * ("portus scan report for www.lab.test (198.18.0.30)"), its other names
 * on the next line ("Other names: api.lab.test").
 * An IPv6 host is headed as nmap -6 heads it ("portus scan report for
 * 2001:db8::1"); its TTLs are hop limits. Addresses only appear in the
 * heading, in the last column (an ICMP error's sender: "no-route from
 * 2001:db8::fe ttl 63") and in the TLS lines, none of them padded, so no
 * column depends on an address's length.
 *
 * As nmap does, the most common non-open (state, reason) group of a host is
 * collapsed into the "Not shown" line when it has more than TEXT_COLLAPSE
 * ports; with --open every non-open port is collapsed and hosts without an
 * open port are left out. Hosts that never answered on any port are only
 * counted.
 */
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output/hostgroup.h"
#include "portus.h"
#include "tls_line.h"
#include "writer.h"

#define TEXT_COLLAPSE HG_COLLAPSE /* nmap's default: collapse a group above 25 ports */
#define TEXT_MINCOL 8             /* narrowest table column, so short tables line up */
#define NSTATES HG_NSTATES        /* enum port_state values */

struct text_tls {
	ip_addr ip;
	uint16_t port;
	char *line; /* owned, printable ASCII only */
};

struct text {
	struct hostgroup g; /* port and host records, grouped per host at close */
	struct run_summary sum;
	int has_sum;
	struct text_tls *tls; /* TLS summary lines, printed after the hosts */
	size_t ntls, captls;
	int failed; /* a record could not be kept (hostgroup.h) */
};

static int text_port(struct writer *w, const struct port_record *r)
{
	struct text *t = w->priv;

	if (hg_add_port(&t->g, r) != 0) {
		t->failed = 1;
		return -1;
	}
	return 0;
}

static int text_host(struct writer *w, const struct host_record *h)
{
	struct text *t = w->priv;

	if (hg_add_host(&t->g, h) != 0) {
		t->failed = 1;
		return -1;
	}
	return 0;
}

static int text_tls(struct writer *w, const struct tls_result *r)
{
	struct text *t = w->priv;
	struct strbuf b;

	if (portus_grow((void **)&t->tls, &t->captls, t->ntls, sizeof(*t->tls)) != 0)
		return -1;
	sb_init(&b);
	tls_line_format(&b, r);
	if (b.oom || b.p == NULL) {
		sb_free(&b);
		return -1;
	}
	t->tls[t->ntls].ip = r->ip;
	t->tls[t->ntls].port = r->port;
	t->tls[t->ntls].line = b.p; /* ownership moves to the table */
	t->ntls++;
	return 0;
}

static int cmp_tls(const void *a, const void *b)
{
	const struct text_tls *x = a, *y = b;
	int c = addr_order(x->ip, y->ip);

	if (c != 0)
		return c;
	return (x->port > y->port) - (x->port < y->port);
}

static void print_tls(FILE *fp, struct text *t)
{
	char ip[ADDR_STR_MAX];

	if (t->ntls == 0)
		return;
	qsort(t->tls, t->ntls, sizeof(*t->tls), cmp_tls);
	fprintf(fp, "TLS endpoints:\n");
	for (size_t i = 0; i < t->ntls; i++) {
		addr_to_str(t->tls[i].ip, ip);
		fprintf(fp, "  %s %s\n", ip, t->tls[i].line);
	}
	fputc('\n', fp);
}

static int text_summary(struct writer *w, const struct run_summary *s)
{
	struct text *t = w->priv;

	t->sum = *s;
	t->has_sum = 1;
	return 0;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Room for the longest reason text: a reason name, " from ", an IPv6
 * address (39 characters), " ttl 255". */
#define REASON_TEXT_MAX (32 + ADDR_STR_MAX + 16)

/* "syn-ack ttl 64", "admin-prohibited from 198.18.0.254 ttl 63",
 * "no-route from 2001:db8::fe ttl 63", "no-response". */
static void reason_text(const struct port_record *r, char *out, size_t outlen)
{
	const char *name = reason_name((enum reason)hg_reason(r));
	char ip[ADDR_STR_MAX];

	if (!r->has_reply) {
		snprintf(out, outlen, "%s", name);
	} else if (!addr_is_zero(r->reason_ip) && !addr_eq(r->reason_ip, r->ip)) {
		addr_to_str(r->reason_ip, ip);
		snprintf(out, outlen, "%s from %s ttl %u", name, ip, (unsigned)r->ttl);
	} else {
		snprintf(out, outlen, "%s ttl %u", name, (unsigned)r->ttl);
	}
}

/* Service name for a TCP port; getservbyport is not thread-safe (main thread only). */
static const char *service(struct text *t, uint16_t port)
{
	const char *name = hg_service(&t->g, port);

	return name != NULL ? name : "unknown";
}

static int col(size_t n)
{
	return n > TEXT_MINCOL ? (int)n : TEXT_MINCOL;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* The host line: a TCP answer's TTL, else the host record's reason, else the
 * ICMP error from the host's own address. Only kept records answer
 * (hostgroup.h): the compact no-response ports need not be walked. */
static void print_up(FILE *fp, const struct hg_host *hh, const struct host_record *h)
{
	const struct port_record *p = hh->ports;
	char why[REASON_TEXT_MAX];
	size_t i;

	for (i = 0; i < hh->nrec; i++) {
		if (p[i].has_reply && (p[i].reason == R_SYN_ACK || p[i].reason == R_RESET)) {
			fprintf(fp, "Host is up (ttl %u).\n", (unsigned)p[i].ttl);
			return;
		}
	}
	if (h != NULL) {
		fprintf(fp, "Host is up (%s).\n", reason_name((enum reason)h->reason));
		return;
	}
	for (i = 0; i < hh->nrec; i++) {
		if (port_record_from_target(&p[i])) {
			reason_text(&p[i], why, sizeof(why));
			fprintf(fp, "Host is up (%s).\n", why);
			return;
		}
	}
	fputs("Host is up.\n", fp);
}

/* Prints the "Not shown" line for the hidden groups, largest first. */
static void print_not_shown(FILE *fp, size_t cnt[NSTATES][R_COUNT],
			    unsigned char hide[NSTATES][R_COUNT])
{
	unsigned char done[NSTATES][R_COUNT] = { { 0 } };
	const char *sep = "Not shown: ";
	unsigned s, r, bs, br;
	size_t best;

	for (;;) {
		best = 0;
		bs = br = 0;
		for (s = 0; s < NSTATES; s++)
			for (r = 0; r < R_COUNT; r++)
				if (hide[s][r] && !done[s][r] && cnt[s][r] > best) {
					best = cnt[s][r];
					bs = s;
					br = r;
				}
		if (best == 0)
			break;
		done[bs][br] = 1;
		fprintf(fp, "%s%zu %s tcp port%s (%s)", sep, best, state_name((enum port_state)bs),
			plural(best), reason_name((enum reason)br));
		sep = ", ";
	}
	if (sep[0] == ',')
		fputc('\n', fp);
}

/* "portus scan report for NAME (ADDRESS)" or "... for ADDRESS", then the
 * other names of the address, if any. */
static void print_heading(FILE *fp, const char *addr, const char *const *names)
{
	if (names == NULL || names[0] == NULL) {
		fprintf(fp, "portus scan report for %s\n", addr);
		return;
	}
	fprintf(fp, "portus scan report for %s (%s)\n", names[0], addr);
	if (names[1] == NULL)
		return;
	fputs("Other names:", fp);
	for (size_t i = 1; names[i] != NULL; i++)
		fprintf(fp, "%s %s", i > 1 ? "," : "", names[i]);
	fputc('\n', fp);
}

static void print_host(struct writer *w, const struct hg_host *hh, const struct host_record *h)
{
	struct text *t = w->priv;
	size_t cnt[NSTATES][R_COUNT] = { { 0 } };
	unsigned char hide[NSTATES][R_COUNT] = { { 0 } };
	size_t nhidden = 0, best = 0, wport = 4, wstate = 5, wsvc = 7;
	const size_t n = hh->n;
	unsigned s, r, bs = 0, br = 0;
	char addr[ADDR_STR_MAX], pstr[16], why[REASON_TEXT_MAX];
	const struct port_record *p;
	struct hg_port_iter it;
	FILE *fp = w->fp;

	addr_to_str(hh->ip, addr);
	for (p = hg_port_first(&it, hh); p != NULL; p = hg_port_next(&it))
		cnt[hg_state(p)][hg_reason(p)]++;
	for (s = 0; s < NSTATES; s++) {
		if (s == PS_OPEN)
			continue; /* open ports are always listed */
		for (r = 0; r < R_COUNT; r++) {
			if (w->open_only && cnt[s][r] > 0) {
				hide[s][r] = 1;
				nhidden += cnt[s][r];
			} else if (cnt[s][r] > best) {
				best = cnt[s][r];
				bs = s;
				br = r;
			}
		}
	}
	if (!w->open_only && best > TEXT_COLLAPSE) {
		hide[bs][br] = 1;
		nhidden = best;
	}

	print_heading(fp, addr, hh->names);
	print_up(fp, hh, h);
	if (h != NULL && h->reason == R_ALL_PORTS_OPEN)
		fprintf(fp,
			"Warning: all %zu scanned ports answered SYN-ACK: a SYN proxy or tarpit "
			"answers for this host, so its open ports do not show services.\n",
			n);
	if (n > 0 && nhidden == n)
		fprintf(fp, "All %zu scanned port%s on %s %s in ignored states.\n", n, plural(n),
			addr, n == 1 ? "is" : "are");
	print_not_shown(fp, cnt, hide);
	if (nhidden < n) {
		for (p = hg_port_first(&it, hh); p != NULL; p = hg_port_next(&it)) {
			if (hide[hg_state(p)][hg_reason(p)])
				continue;
			wport = max_sz(wport, (size_t)snprintf(pstr, sizeof(pstr), "%u/tcp",
							       (unsigned)p->port));
			wstate = max_sz(wstate, strlen(state_name((enum port_state)hg_state(p))));
			wsvc = max_sz(wsvc, strlen(service(t, p->port)));
		}
		fprintf(fp, "%-*s %-*s %-*s %s\n", col(wport), "PORT", col(wstate), "STATE",
			col(wsvc), "SERVICE", "REASON");
		for (p = hg_port_first(&it, hh); p != NULL; p = hg_port_next(&it)) {
			if (hide[hg_state(p)][hg_reason(p)])
				continue;
			reason_text(p, why, sizeof(why));
			snprintf(pstr, sizeof(pstr), "%u/tcp", (unsigned)p->port);
			fprintf(fp, "%-*s %-*s %-*s %s\n", col(wport), pstr, col(wstate),
				state_name((enum port_state)hg_state(p)), col(wsvc),
				service(t, p->port), why);
		}
	}
	fputc('\n', fp);
}

/* Bytes in the largest binary unit that keeps the number >= 1 ("512.0 MiB"). */
static void print_bytes(FILE *fp, uint64_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		fprintf(fp, "%" PRIu64 " B", n);
	else
		fprintf(fp, "%.1f %s", v, unit[u]);
}

static void print_done(FILE *fp, const struct run_summary *s)
{
	uint64_t nports = s->ports ? s->ports : s->hosts ? s->targets / s->hosts : 0;
	int64_t el = s->end_us - s->start_us;
	double rate = isfinite(s->rate_pps) ? s->rate_pps : 0.0;

	fprintf(fp,
		"portus done: %" PRIu64 " address%s x %" PRIu64 " port%s (%" PRIu64
		" target%s) in %.2f s: %" PRIu64 " open, %" PRIu64 " closed, %" PRIu64
		" filtered; %" PRIu64 " host%s, %" PRIu64 " down; %" PRIu64
		" probe%s at %.0f pps; pcap drops %" PRIu64,
		s->hosts, s->hosts == 1 ? "" : "es", nports, plural(nports), s->targets,
		plural(s->targets), el > 0 ? (double)el / 1e6 : 0.0, s->open, s->closed,
		s->filtered, s->hosts, plural(s->hosts), s->hosts_down, s->probes_sent,
		plural(s->probes_sent), rate, s->pcap_dropped);
	if (s->if_dropped > 0)
		fprintf(fp, ", interface drops %" PRIu64, s->if_dropped);
	if (s->tls_endpoints > 0)
		fprintf(fp, "; TLS %" PRIu64 " endpoint%s, %" PRIu64 " handshake%s ok",
			s->tls_endpoints, plural(s->tls_endpoints), s->tls_ok, plural(s->tls_ok));
	if (s->table_bytes > 0) {
		/* What grows with the target space (2 bits a target, every shard the whole plan). */
		fputs("; memory: plan ", fp);
		print_bytes(fp, s->plan_bytes);
		fputs(", table ", fp);
		print_bytes(fp, s->table_bytes);
	}
	fputs(s->interrupted ? " (interrupted)\n" : "\n", fp);
}

static void print_down(FILE *fp, const struct host_record *h)
{
	char addr[ADDR_STR_MAX];

	addr_to_str(h->ip, addr);
	print_heading(fp, addr, h->names);
	fprintf(fp, "Host is down (%s).\n\n", reason_name((enum reason)h->reason));
}

/* 0, or -1 when the records could not all be kept (out of memory, or out of
 * order: hostgroup.h); the report is printed as far as it goes either way. */
static int print_report(struct writer *w)
{
	struct text *t = w->priv;
	uint64_t silent, unreach = 0;
	struct hg_host h;
	int r;

	setservent(1);
	r = hg_begin(&t->g);
	/* Hosts with nothing but no-response ports are only counted. */
	silent = hg_silent_hosts(&t->g);
	while (hg_next(&t->g, w->open_only, &h)) {
		if (h.status == HG_SILENT) {
			size_t k = 0;

			while (k < h.nrec && !h.ports[k].has_reply)
				k++;
			/* Any reply at all of a silent host is an ICMP error from a router. */
			if (k < h.nrec)
				unreach++;
			else
				silent++;
		} else if (w->open_only && h.nopen == 0) {
			/* --open: only hosts with an open port are shown */
		} else if (h.status == HG_DOWN) {
			print_down(w->fp, h.rec);
		} else {
			print_host(w, &h, h.rec != NULL && h.rec->up ? h.rec : NULL);
		}
	}
	endservent();
	if (silent > 0)
		fprintf(w->fp,
			"%" PRIu64
			" host%s gave no response on any port (all filtered, no-response).\n",
			silent, plural(silent));
	if (unreach > 0)
		fprintf(w->fp,
			"%" PRIu64
			" host%s did not answer: every port filtered, by ICMP errors from "
			"other addresses (a router or firewall, not the host).\n",
			unreach, plural(unreach));
	print_tls(w->fp, t);
	if (t->has_sum)
		print_done(w->fp, &t->sum);
	return r != 0 || t->failed ? -1 : 0;
}

static int text_close(struct writer *w)
{
	struct text *t = w->priv;
	int r = 0;
	size_t i;

	if (print_report(w) != 0)
		r = -1;
	if (fflush(w->fp) != 0 || ferror(w->fp))
		r = -1;
	if (w->owns_fp && fclose(w->fp) != 0)
		r = -1;
	hg_free(&t->g);
	for (i = 0; i < t->ntls; i++)
		free(t->tls[i].line);
	free(t->tls);
	free(t);
	free(w);
	return r;
}

static const struct writer_ops text_ops = {
	.name = "text",
	.port = text_port,
	.host = text_host,
	.tls = text_tls,
	.summary = text_summary,
	.close = text_close,
};

struct writer *writer_text_open(FILE *fp, int open_only, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	struct text *t = calloc(1, sizeof(*t));

	if (w == NULL || t == NULL) {
		portus_err(err, errlen, "out of memory");
		free(w);
		free(t);
		return NULL;
	}
	w->ops = &text_ops;
	w->fp = fp;
	w->owns_fp = 0;
	w->open_only = open_only;
	w->priv = t;
	return w;
}
