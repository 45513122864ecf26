/*
 * report_html.c — the report page (report_html.h): one HTML file with its
 * CSS and SVG inline and a Content-Security-Policy that forbids every
 * network load, so opening it cannot reach out even if a string escaped.
 * No JavaScript. Section by section it follows docs/report.md.
 */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"
#include "report/html.h"
#include "report/report_html.h"
#include "tls_record.h"

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #ccc;"
	"padding-bottom:2px;margin-top:28px}h3{font-size:15px;margin:16px 0 6px}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}"
	".card{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:120px}"
	".card .num{display:block;font-size:26px;font-weight:bold}"
	".card.bad .num{color:#b3261e}.card .lbl{color:#555;font-size:12px}"
	"table{border-collapse:collapse;margin:6px 0 12px;max-width:100%}"
	"th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;"
	"overflow-wrap:anywhere}th{background:#f3f3f3}td.n,th.n{text-align:right;white-space:nowrap}"
	"tr.more td,tr.none td{color:#666;font-style:italic}.ep{white-space:nowrap}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px}dt{color:#555}"
	"dd{margin:0}.note{color:#555;font-size:12px}";

/* A key figure at the top: a number and what it counts. */
static void card(struct strbuf *b, const char *name, const char *label, unsigned long long n,
		 int bad_when_nonzero)
{
	sb_printf(b, "<div class=\"card%s\">", bad_when_nonzero && n ? " bad" : "");
	rp_count_span(b, name, n);
	sb_printf(b, "<span class=\"lbl\">%s</span></div>\n", label);
}

static void head(struct strbuf *b, const struct report_opts *o)
{
	sb_puts(b,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
		"<meta name=\"referrer\" content=\"no-referrer\">\n"
		"<meta name=\"generator\" content=\"portus report\">\n<title>");
	if (o->title != NULL)
		html_append(b, o->title, HTML_TEXT_MAX);
	else
		sb_puts(b, "portus TLS audit");
	sb_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	if (o->title != NULL)
		html_append(b, o->title, HTML_TEXT_MAX);
	else
		sb_puts(b, "portus TLS audit");
	sb_puts(b, "</h1>\n");
}

static void key_figures(struct strbuf *b, const struct report_model *m)
{
	sb_puts(b, "<div class=\"cards\" id=\"key-figures\">\n");
	card(b, "hosts-443", "hosts exposing 443", m->np443, 0);
	card(b, "tls-ok", "TLS handshakes completed", m->tls_ok, 0);
	card(b, "weak", "endpoints accepting TLS 1.0/1.1", m->weak.n, 1);
	card(b, "expired", "expired certificates", m->buckets[RP_EXPIRED], 1);
	card(b, "self-signed", "self-signed endpoints", m->self_signed.n, 1);
	card(b, "mismatched", "name mismatches", m->mismatched.n, 1);
	card(b, "plain-http", "plain HTTP instead of TLS", m->plain_http.n, 1);
	sb_puts(b, "</div>\n");
}

static void scan_summary(struct strbuf *b, const struct report_model *m,
			 const struct report_opts *o)
{
	const struct result_set *rs = m->rs;

	sb_puts(b, "<section id=\"scan\">\n<h2>Scan</h2>\n<dl>\n<dt>input</dt><dd>");
	for (size_t i = 0; i < o->nfiles; i++) {
		if (i > 0)
			sb_puts(b, ", ");
		html_append(b, o->files[i], HTML_TEXT_MAX);
	}
	sb_puts(b, "</dd>\n<dt>started</dt><dd>");
	rp_append_time(b, m->start_us);
	sb_puts(b, "</dd>\n<dt>ended</dt><dd>");
	rp_append_time(b, m->end_us);
	sb_puts(b, "</dd>\n<dt>summaries</dt><dd>");
	rp_count_span(b, "summaries", m->summaries);
	if (m->interrupted)
		sb_puts(b,
			" (<b data-flag=\"interrupted\">interrupted: the results are partial</b>)");
	sb_puts(b, "</dd>\n<dt>seed</dt><dd>");
	for (size_t i = 0; i < m->nseeds; i++)
		sb_printf(b, "%s<span data-seed=\"%" PRIu64 "\">%" PRIu64 "</span>", i ? ", " : "",
			  m->seeds[i], m->seeds[i]);
	if (m->nseeds == 0)
		sb_puts(b, "\xE2\x80\x94");
	sb_puts(b, "</dd>\n<dt>shards</dt><dd>");
	for (size_t i = 0; i < rs->nsums; i++)
		sb_printf(b, "%s<span data-shard=\"%u/%u\">%u/%u</span>", i ? ", " : "",
			  rs->sums[i].shard_k, rs->sums[i].shard_n, rs->sums[i].shard_k,
			  rs->sums[i].shard_n);
	if (rs->nsums == 0)
		sb_puts(b, "\xE2\x80\x94");
	sb_puts(b, "</dd>\n<dt>targets (address, port)</dt><dd>");
	rp_count_span(b, "targets", m->targets);
	sb_puts(b, "</dd>\n<dt>ports open / closed / filtered</dt><dd>");
	rp_count_span(b, "open", m->open);
	sb_puts(b, " / ");
	rp_count_span(b, "closed", m->closed);
	sb_puts(b, " / ");
	rp_count_span(b, "filtered", m->filtered);
	sb_puts(b, "</dd>\n<dt>hosts up (the host itself answered)</dt><dd>");
	rp_count_span(b, "hosts-up", m->hosts_up);
	sb_puts(b, "</dd>\n<dt>hosts with an open port</dt><dd>");
	rp_count_span(b, "hosts-open", m->hosts_open);
	sb_puts(b, "</dd>\n<dt>TLS records / endpoints / completed</dt><dd>");
	rp_count_span(b, "tls-records", m->tls_records);
	sb_puts(b, " / ");
	rp_count_span(b, "tls-endpoints", m->tls_endpoints);
	sb_puts(b, " / ");
	rp_count_span(b, "tls-ok", m->tls_ok);
	sb_puts(b, "</dd>\n</dl>\n</section>\n");
}

/* The first TLS record of ip:port, or NULL (records are in address order). */
static const struct rs_tls *first_tls(const struct result_set *rs, ip_addr ip, uint16_t port)
{
	size_t lo = 0, hi = rs->ntls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rs_tls *t = &rs->tls[mid];
		int c = addr_order(t->ip, ip);

		if (c < 0 || (c == 0 && t->port < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs->ntls && addr_eq(rs->tls[lo].ip, ip) && rs->tls[lo].port == port
		       ? &rs->tls[lo]
		       : NULL;
}

/* An address's host names, comma-separated, escaped (an attribute or text). */
static void names_append(struct strbuf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(b, ",");
		html_append(b, names[i], HTML_TEXT_MAX);
	}
}

/* Target names that gave no address: nothing of them was scanned. */
static void unresolved(struct strbuf *b, const struct report_model *m, size_t top)
{
	const struct result_set *rs = m->rs;
	size_t shown = rs->nresolves < top ? rs->nresolves : top;

	sb_puts(b, "<section id=\"unresolved\">\n<h2>Names that did not resolve: ");
	rp_count_span(b, "unresolved", rs->nresolves);
	sb_puts(b, "</h2>\n<p class=\"note\">Target names that gave no address of the family "
		   "asked for: none of their services was scanned.</p>\n"
		   "<table data-table=\"unresolved\"><thead><tr><th>name</th><th>error</th>"
		   "<th>asked for</th></tr></thead><tbody>\n");
	if (rs->nresolves == 0)
		sb_puts(b, "<tr class=\"none\"><td colspan=\"3\">none</td></tr>\n");
	for (size_t i = 0; i < shown; i++) {
		const struct rs_resolve *r = &rs->resolves[i];

		sb_puts(b, "<tr data-key=\"");
		html_append(b, r->hostname, HTML_TEXT_MAX);
		sb_puts(b, "\" data-error=\"");
		html_append(b, r->error, HTML_TEXT_MAX);
		sb_puts(b, "\"><td>");
		html_append(b, r->hostname, HTML_TEXT_MAX);
		sb_puts(b, "</td><td>");
		html_append(b, r->error, HTML_TEXT_MAX);
		sb_puts(b, "</td><td>");
		html_append(b, r->family, HTML_TEXT_MAX);
		sb_puts(b, "</td></tr>\n");
	}
	rp_more_row(b, "unresolved", rs->nresolves - shown, 3);
	sb_puts(b, "</tbody></table>\n</section>\n");
}

static void exposure(struct strbuf *b, const struct report_model *m, size_t top)
{
	size_t shown = m->np443 < top ? m->np443 : top;

	sb_puts(b, "<section id=\"exposure\">\n<h2>Hosts exposing 443</h2>\n<p>");
	rp_count_span(b, "hosts-443", m->np443);
	sb_puts(b, " addresses answered SYN-ACK on port 443.</p>\n"
		   "<table data-table=\"hosts-443\"><thead><tr><th>address</th><th>host names</th>"
		   "<th>TLS</th><th>version</th><th>certificate subject</th><th>HTTP</th></tr>"
		   "</thead><tbody>\n");
	if (m->np443 == 0)
		sb_puts(b, "<tr class=\"none\"><td colspan=\"6\">none</td></tr>\n");
	for (size_t i = 0; i < shown; i++) {
		const struct rs_tls *t = first_tls(m->rs, m->p443[i], 443);
		const char *const *names;
		size_t nn = hostnames_find(&m->rs->names, m->p443[i], &names);
		char ip[ADDR_STR_MAX];

		/* An address is digits, '.', ':' and hex letters: nothing to escape. */
		addr_to_str(m->p443[i], ip);
		sb_printf(b, "<tr data-key=\"%s\"", ip);
		if (nn > 0) {
			sb_puts(b, " data-names=\"");
			names_append(b, names, nn);
			sb_puts(b, "\"");
		}
		sb_printf(b, "><td class=\"ep\">%s</td><td>", ip);
		names_append(b, names, nn);
		sb_puts(b, "</td><td>");
		if (t == NULL) {
			sb_puts(b, "<i>not probed</i></td><td></td><td></td><td></td></tr>\n");
			continue;
		}
		html_append(b, t->outcome, HTML_TEXT_MAX);
		sb_puts(b, "</td><td>");
		html_append(b, t->version, HTML_TEXT_MAX);
		sb_puts(b, "</td><td>");
		html_append(b, t->subject, HTML_TEXT_MAX);
		sb_puts(b, "</td><td>");
		html_append(b, t->http_status, HTML_TEXT_MAX);
		sb_puts(b, "</td></tr>\n");
	}
	rp_more_row(b, "hosts-443", m->np443 - shown, 6);
	sb_puts(b, "</tbody></table>\n</section>\n");
}

static void tls_in_use(struct strbuf *b, const struct report_model *m, size_t top)
{
	sb_puts(b,
		"<section id=\"tls\">\n<h2>TLS in use</h2>\n"
		"<p class=\"note\">One TLS record per address, port and SNI name. Versions and "
		"ciphers are those negotiated by completed handshakes.</p>\n<h3>Outcomes</h3>\n");
	rp_count_table(b, "outcomes", "outcome", &m->outcomes, top);
	sb_puts(b, "<h3>Versions negotiated</h3>\n");
	rp_count_table(b, "versions", "version", &m->versions, top);
	sb_puts(b, "<h3>Ciphers negotiated</h3>\n");
	rp_count_table(b, "ciphers", "cipher", &m->ciphers, top);
	sb_puts(b, "</section>\n");
}

static void cell_version(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->version, HTML_TEXT_MAX);
}

static void cell_accepted(struct strbuf *b, const struct rs_tls *t)
{
	int first = 1;

	if (t->versions_tested == 0) {
		sb_puts(b, "<i>not tested</i>");
		return;
	}
	for (int v = 0; v < 4; v++)
		if (t->versions_accepted & (1u << v)) {
			sb_printf(b, "%s%s", first ? "" : ", ", rp_version_name(v));
			first = 0;
		}
}

static void cell_cipher(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->cipher, HTML_TEXT_MAX);
}

static void cell_subject(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->subject, HTML_TEXT_MAX);
}

static void cell_issuer(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->issuer, HTML_TEXT_MAX);
}

static void cell_names(struct strbuf *b, const struct rs_tls *t)
{
	size_t shown = t->n_san_dns < 5 ? t->n_san_dns : 5;

	for (size_t i = 0; i < shown; i++) {
		if (i > 0)
			sb_puts(b, ", ");
		html_append(b, t->san_dns[i], HTML_TEXT_MAX);
	}
	if (t->n_san_dns > shown)
		sb_printf(b, " and %zu more", t->n_san_dns - shown);
}

static void cell_verify_error(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->verify_error, HTML_TEXT_MAX);
}

static void cell_detail(struct strbuf *b, const struct rs_tls *t)
{
	html_append(b, t->detail, HTML_TEXT_MAX);
}

static void weak_versions(struct strbuf *b, const struct report_model *m, size_t top)
{
	static const struct rp_column cols[] = {
		{ "negotiated", cell_version },
		{ "accepted", cell_accepted },
		{ "cipher", cell_cipher },
	};

	sb_puts(b, "<section id=\"weak\">\n<h2>Weak versions accepted</h2>\n<p>");
	rp_count_span(b, "versions-tested", m->tested);
	sb_puts(b,
		" TLS records were tested with each version (<code>--tls-versions</code>).</p>\n"
		"<table data-table=\"accepted\"><thead><tr><th>version</th><th class=\"n\">accepted by</th>"
		"<th class=\"n\">refused by</th></tr></thead><tbody>\n");
	for (int v = 0; v < 4; v++)
		sb_printf(
			b,
			"<tr data-key=\"%s\" data-n=\"%zu\" data-refused=\"%zu\"><td>%s%s</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
			rp_version_name(v), m->accepted[v], m->rejected[v], rp_version_name(v),
			v < 2 ? " (weak)" : "", m->accepted[v], m->rejected[v]);
	sb_puts(b, "</tbody></table>\n<h3>Endpoints accepting or negotiating TLS 1.0 / 1.1: ");
	rp_count_span(b, "weak", m->weak.n);
	sb_puts(b, "</h3>\n");
	rp_list_table(b, "weak", &m->weak, cols, sizeof(cols) / sizeof(cols[0]), top);
	sb_puts(b, "</section>\n");
}

static void cert_row(struct strbuf *b, const struct rp_cert *c)
{
	sb_printf(b,
		  "<tr data-key=\"%s\" data-days=\"%" PRId64
		  "\" data-bucket=\"%s\" data-n=\"%zu\"><td>",
		  c->rec->sha256, c->days, rp_bucket_key(rp_bucket_of(c->days, c->expired)),
		  c->endpoints);
	html_append(b, c->rec->subject, HTML_TEXT_MAX);
	sb_puts(b, "</td><td>");
	html_append(b, c->rec->issuer, HTML_TEXT_MAX);
	sb_puts(b, "</td><td class=\"ep\">");
	rp_append_time(b, c->rec->not_after * 1000000);
	sb_printf(b, "</td><td class=\"n\">%" PRId64 "%s</td><td class=\"n\">%zu</td></tr>\n",
		  c->days, c->expired ? " (expired)" : "", c->endpoints);
}

static void certificates(struct strbuf *b, const struct report_model *m, size_t top)
{
	size_t shown = m->ncerts < top ? m->ncerts : top;

	sb_puts(b, "<section id=\"certs\">\n<h2>Certificates by issuer</h2>\n<p>");
	rp_count_span(b, "certs", m->ncerts);
	sb_puts(b, " distinct leaf certificates (by SHA-256 fingerprint).</p>\n");
	rp_count_table(b, "issuers", "issuer", &m->issuers, top);
	sb_puts(b, "</section>\n<section id=\"expiry\">\n<h2>Expiry timeline</h2>\n");
	report_svg_expiry(b, m);
	sb_puts(b, "<p class=\"note\">Days to expiry as of the scan; a certificate seen at several "
		   "endpoints counts once.</p>\n<h3>Soonest to expire</h3>\n"
		   "<table data-table=\"certs\"><thead><tr><th>subject</th><th>issuer</th>"
		   "<th>not after</th><th class=\"n\">days</th><th class=\"n\">endpoints</th></tr>"
		   "</thead><tbody>\n");
	if (m->ncerts == 0)
		sb_puts(b, "<tr class=\"none\"><td colspan=\"5\">none</td></tr>\n");
	for (size_t i = 0; i < shown; i++)
		cert_row(b, &m->certs[i]);
	rp_more_row(b, "certs", m->ncerts - shown, 5);
	sb_puts(b, "</tbody></table>\n</section>\n");
}

static void problems(struct strbuf *b, const struct report_model *m, size_t top)
{
	static const struct rp_column self_cols[] = { { "subject", cell_subject } };
	static const struct rp_column name_cols[] = { { "subject", cell_subject },
						      { "DNS names", cell_names } };
	static const struct rp_column trust_cols[] = { { "error", cell_verify_error },
						       { "issuer", cell_issuer } };
	static const struct rp_column http_cols[] = { { "detail", cell_detail } };

	sb_puts(b, "<section id=\"self-signed\">\n<h2>Self-signed certificates: ");
	rp_count_span(b, "self-signed", m->self_signed.n);
	sb_puts(b, "</h2>\n");
	rp_list_table(b, "self-signed", &m->self_signed, self_cols, 1, top);
	sb_puts(b,
		"</section>\n<section id=\"mismatched\">\n<h2>Certificates not matching the name sent: ");
	rp_count_span(b, "mismatched", m->mismatched.n);
	sb_puts(b, "</h2>\n");
	rp_list_table(b, "mismatched", &m->mismatched, name_cols, 2, top);
	sb_puts(b, "</section>\n<section id=\"untrusted\">\n<h2>Chains that did not verify: ");
	rp_count_span(b, "untrusted", m->untrusted.n);
	sb_puts(b, "</h2>\n");
	rp_count_table(b, "verify-errors", "verification error", &m->verify_errors, top);
	rp_list_table(b, "untrusted", &m->untrusted, trust_cols, 2, top);
	sb_puts(b,
		"</section>\n<section id=\"plain-http\">\n<h2>Plain HTTP where TLS was expected: ");
	rp_count_span(b, "plain-http", m->plain_http.n);
	sb_puts(b, "</h2>\n");
	rp_list_table(b, "plain-http", &m->plain_http, http_cols, 1, top);
	sb_puts(b, "</section>\n");
}

void report_render(struct strbuf *b, const struct report_model *m, const struct report_opts *o)
{
	size_t top = o->top ? o->top : 1;

	head(b, o);
	key_figures(b, m);
	scan_summary(b, m, o);
	exposure(b, m, top);
	unresolved(b, m, top);
	tls_in_use(b, m, top);
	weak_versions(b, m, top);
	certificates(b, m, top);
	problems(b, m, top);
	sb_puts(b,
		"<footer class=\"note\">Generated by portus report. How each number is computed: "
		"docs/report.md.</footer>\n</body>\n</html>\n");
}
