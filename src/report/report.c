/*
 * report.c — `portus report [-o OUT] [--top N] [--title TEXT] RESULTS...`:
 * one self-contained HTML page for an audit of the TLS endpoints in one or
 * more result files (portus -oJ output; several files = shards or runs to
 * combine). Records seen in more than one file count once (sweep_normalize).
 * The page is written whole or not at all. Exit status: 0 written, 1 out of
 * memory or a write error, 2 bad arguments or a bad input file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_html.h"
#include "report/report_model.h"
#include "result_file.h"
#include "subcommands.h"
#include "sweep/subargs.h"
#include "sweep/sweep.h"

#define TOP_DEFAULT 50
#define TOP_MAX 100000

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: portus report [-o OUT] [--top N] [--title TEXT] RESULTS.ndjson...\n"
		"  RESULTS: portus -oJ output (\"-\" = stdin); several files are combined\n"
		"  -o OUT       the HTML page (default: stdout)\n"
		"  --top N      rows per table before \"and N more\" (default %d, max %d)\n"
		"  --title TEXT the page's title\n",
		TOP_DEFAULT, TOP_MAX);
}

static int parse_top(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > TOP_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Builds the page and writes it to path. Returns 0 or 1 (message printed). */
static int write_report(const struct result_set *rs, const struct report_opts *o, const char *path)
{
	struct report_model m;
	struct sweep_out out;
	struct strbuf b;
	char err[512];
	int rc = 1;

	sb_init(&b);
	if (report_model_build(&m, rs) != 0) {
		fprintf(stderr, "portus: report: out of memory\n");
		return 1;
	}
	report_render(&b, &m, o);
	report_model_free(&m);
	if (b.oom) {
		fprintf(stderr, "portus: report: out of memory\n");
		goto out;
	}
	if (sweep_out_open(&out, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: report: %s\n", err);
		goto out;
	}
	fwrite(b.p, 1, b.len, out.fp);
	if (sweep_out_close(&out, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: report: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	sb_free(&b);
	return rc;
}

int portus_report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 't' },
		{ "title", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o = { .top = TOP_DEFAULT };
	const char *out_path = "-";
	struct result_set rs;
	struct subargs a;
	char err[512];
	int c, rc;

	subargs_init(&a, "report", argc, argv, "o:h", longopts);
	while ((c = subargs_next(&a)) != SUBARGS_DONE) {
		switch (c) {
		case 'o':
			out_path = a.val;
			break;
		case 't':
			if (parse_top(a.val, &o.top) != 0) {
				fprintf(stderr,
					"portus: report: --top %s: a number of rows 1-%d expected\n",
					a.val, TOP_MAX);
				return 2;
			}
			break;
		case 'T':
			o.title = a.val;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2; /* SUBARGS_ERROR: said */
		}
	}
	if (a.nops == 0) {
		fprintf(stderr,
			"portus: report: no result file given (portus report -o report.html scan.json)\n");
		return 2;
	}
	o.files = a.ops;
	o.nfiles = (size_t)a.nops;
	results_init(&rs);
	for (int i = 0; i < a.nops; i++) {
		if (results_load(&rs, a.ops[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "portus: report: %s\n", err);
			results_free(&rs);
			return 2;
		}
	}
	sweep_normalize(&rs);
	rc = write_report(&rs, &o, out_path);
	results_free(&rs);
	return rc;
}
