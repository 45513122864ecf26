/* lines.c — whole-line record output (see lines.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/lines.h"
#include "portus.h"

void lo_init(struct line_out *lo, struct line_sink *sink, size_t batch)
{
	memset(lo, 0, sizeof(*lo));
	sb_init(&lo->sb);
	lo->sink = sink;
	lo->batch = batch ? batch : LINES_BATCH;
}

int lo_flush(struct line_out *lo)
{
	size_t rest;

	/* Out of memory loses records as surely as a failed write. */
	if (lo->sb.oom || (lo->done > 0 && lo->sink->write(lo->sink, lo->sb.p, lo->done) != 0))
		lo->failed = 1;
	/* Keep a record still being built (none when called from lo_end). */
	rest = lo->sb.oom ? 0 : lo->sb.len - lo->done;
	sb_reset(&lo->sb); /* clears oom; the bytes stay */
	if (rest > 0)
		memmove(lo->sb.p, lo->sb.p + lo->done, rest);
	lo->sb.len = rest;
	if (lo->sb.p != NULL)
		lo->sb.p[rest] = '\0';
	lo->done = 0;
	return lo->failed ? -1 : 0;
}

int lo_end(struct line_out *lo, int urgent)
{
	sb_append(&lo->sb, "\n", 1);
	lo->done = lo->sb.len;
	if (urgent || lo->done >= lo->batch || lo->sb.oom)
		return lo_flush(lo);
	return lo->failed ? -1 : 0;
}

void lo_discard(struct line_out *lo)
{
	if (lo->sb.oom)
		return;
	lo->sb.len = lo->done;
	if (lo->sb.p != NULL)
		lo->sb.p[lo->done] = '\0';
}

int lo_close(struct line_out *lo)
{
	int r = lo_flush(lo);

	if (lo->sink->close(lo->sink) != 0)
		r = -1;
	lo->sink = NULL;
	sb_free(&lo->sb);
	return r;
}

struct file_sink {
	struct line_sink base;
	FILE *fp;
	int owns;
};

static int file_write(struct line_sink *s, const char *p, size_t len)
{
	struct file_sink *f = (struct file_sink *)s;

	return fwrite(p, 1, len, f->fp) == len ? 0 : -1;
}

static int file_close(struct line_sink *s)
{
	struct file_sink *f = (struct file_sink *)s;
	int r = 0;

	if (fflush(f->fp) != 0 || ferror(f->fp))
		r = -1;
	if (f->owns && fclose(f->fp) != 0)
		r = -1;
	free(f);
	return r;
}

struct line_sink *line_sink_file(const char *path, char *err, size_t errlen)
{
	struct file_sink *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		f->fp = stdout;
	} else {
		f->fp = fopen(path, "w");
		if (f->fp == NULL) {
			portus_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
			free(f);
			return NULL;
		}
		f->owns = 1;
	}
	/* Unbuffered: our own buffer decides where writes end (line boundaries). */
	setvbuf(f->fp, NULL, _IONBF, 0);
	f->base.write = file_write;
	f->base.close = file_close;
	return &f->base;
}
