/*
 * report_tables.c — the report's tables (report_html.h): "how many of each"
 * tables and tables of TLS records, both cut at --top rows with an
 * "and N more" row, so a scan of a million endpoints still gives a page a
 * browser can open.
 */
#include <stdio.h>
#include <time.h>

#include "json.h"
#include "report/html.h"
#include "report/report_html.h"

void rp_count_span(struct strbuf *b, const char *name, unsigned long long n)
{
	sb_printf(b, "<span class=\"num\" data-count=\"%s\">%llu</span>", name, n);
}

void rp_endpoint(ip_addr ip, uint16_t port, char out[ADDR_STR_MAX + 8])
{
	char a[ADDR_STR_MAX];

	addr_to_str(ip, a);
	if (addr_is_v4(ip))
		snprintf(out, ADDR_STR_MAX + 8, "%s:%u", a, (unsigned)port);
	else
		snprintf(out, ADDR_STR_MAX + 8, "[%s]:%u", a, (unsigned)port);
}

void rp_more_row(struct strbuf *b, const char *id, size_t more, int span)
{
	if (more == 0)
		return;
	sb_printf(
		b,
		"<tr class=\"more\" data-more=\"%s\" data-n=\"%zu\"><td colspan=\"%d\">and %zu more</td></tr>\n",
		id, more, span, more);
}

void rp_append_time(struct strbuf *b, int64_t time_us)
{
	time_t t = (time_t)(time_us / 1000000);
	struct tm tm;
	char s[40];

	if (time_us == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		sb_puts(b, "\xE2\x80\x94"); /* em dash */
		return;
	}
	sb_puts(b, s);
}

void rp_count_table(struct strbuf *b, const char *id, const char *heading, const struct rp_table *t,
		    size_t top)
{
	size_t shown = t->n < top ? t->n : top;

	sb_printf(
		b,
		"<table data-table=\"%s\"><thead><tr><th>%s</th><th class=\"n\">count</th></tr></thead><tbody>\n",
		id, heading);
	if (t->n == 0)
		sb_puts(b, "<tr class=\"none\"><td colspan=\"2\">none</td></tr>\n");
	for (size_t i = 0; i < shown; i++) {
		const struct rp_count *c = &t->v[i];

		sb_puts(b, "<tr data-key=\"");
		html_append(b, c->key, HTML_TEXT_MAX);
		sb_printf(b, "\"%s data-n=\"%llu\"><td>", c->key == NULL ? " data-null=\"1\"" : "",
			  (unsigned long long)c->n);
		if (c->key == NULL)
			sb_puts(b, "<i>(none)</i>");
		else
			html_append(b, c->key, HTML_TEXT_MAX);
		sb_printf(b, "</td><td class=\"n\">%llu</td></tr>\n", (unsigned long long)c->n);
	}
	rp_more_row(b, id, t->n - shown, 2);
	sb_puts(b, "</tbody></table>\n");
}

void rp_list_table(struct strbuf *b, const char *id, const struct rp_list *l,
		   const struct rp_column *cols, size_t ncols, size_t top)
{
	size_t shown = l->n < top ? l->n : top;

	sb_printf(b, "<table data-table=\"%s\"><thead><tr><th>endpoint</th><th>SNI</th>", id);
	for (size_t c = 0; c < ncols; c++)
		sb_printf(b, "<th>%s</th>", cols[c].heading);
	sb_puts(b, "</tr></thead><tbody>\n");
	if (l->n == 0)
		sb_printf(b, "<tr class=\"none\"><td colspan=\"%zu\">none</td></tr>\n", ncols + 2);
	for (size_t i = 0; i < shown; i++) {
		const struct rs_tls *t = l->v[i];
		char ep[ADDR_STR_MAX + 8];

		rp_endpoint(t->ip, t->port, ep);
		sb_printf(b, "<tr data-key=\"%s\"", ep);
		if (t->sni != NULL) {
			sb_puts(b, " data-sni=\"");
			html_append(b, t->sni, HTML_TEXT_MAX);
			sb_puts(b, "\"");
		}
		sb_printf(b, "><td class=\"ep\">%s</td><td>", ep);
		html_append(b, t->sni, HTML_TEXT_MAX);
		sb_puts(b, "</td>");
		for (size_t c = 0; c < ncols; c++) {
			sb_puts(b, "<td>");
			cols[c].cell(b, t);
			sb_puts(b, "</td>");
		}
		sb_puts(b, "</tr>\n");
	}
	rp_more_row(b, id, l->n - shown, (int)ncols + 2);
	sb_puts(b, "</tbody></table>\n");
}
