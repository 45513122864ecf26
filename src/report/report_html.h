/*
 * report_html.h — the report page (report_html.c), its tables
 * (report_tables.c) and its expiry chart (report_svg.c). Everything is
 * appended to one strbuf; on allocation failure the strbuf's oom is set and
 * the caller checks it once at the end.
 *
 * Every number a test reads back carries a data- attribute (docs/report.md,
 * "Reading the numbers back"): data-count="NAME" on scalar counts,
 * data-table / data-key / data-n on table rows, data-more on "and N more",
 * data-bucket / data-n on the chart's bars.
 */
#ifndef PORTUS_REPORT_PAGE_H
#define PORTUS_REPORT_PAGE_H

#include <stddef.h>

#include "report/report_model.h"
#include "strbuf.h"

struct report_opts {
	size_t top;         /* rows of a table shown before "and N more" (>= 1) */
	char *const *files; /* the input files, for the page's summary */
	size_t nfiles;
	const char *title; /* NULL: "portus TLS audit" */
};

/* The whole page: <!DOCTYPE html> to </html>. */
void report_render(struct strbuf *b, const struct report_model *m, const struct report_opts *o);

/* The expiry timeline: one <svg> bar chart of m->buckets. */
void report_svg_expiry(struct strbuf *b, const struct report_model *m);

/* <span data-count="NAME">N</span> */
void rp_count_span(struct strbuf *b, const char *name, unsigned long long n);

/* A "how many of each" table: rows of t up to top, then "and N more". */
void rp_count_table(struct strbuf *b, const char *id, const char *heading, const struct rp_table *t,
		    size_t top);

/* One column of a table of TLS records. */
struct rp_column {
	const char *heading;
	void (*cell)(struct strbuf *b, const struct rs_tls *t);
};

/* A table of TLS records with an endpoint column (data-key "IP:PORT", an IPv6
 * address in brackets: "[2001:db8::1]:443"; data-sni when the record has one),
 * then cols; top rows, then "and N more". */
void rp_list_table(struct strbuf *b, const char *id, const struct rp_list *l,
		   const struct rp_column *cols, size_t ncols, size_t top);

/* "198.18.0.1:443" or "[2001:db8::1]:443" (RFC 3986) into out, NUL-terminated. */
void rp_endpoint(ip_addr ip, uint16_t port, char out[ADDR_STR_MAX + 8]);

/* Appends "and N more" as a table row spanning span columns, when more > 0. */
void rp_more_row(struct strbuf *b, const char *id, size_t more, int span);

/* "2026-11-23 12:04:22 UTC"; "—" for 0. */
void rp_append_time(struct strbuf *b, int64_t time_us);

#endif
