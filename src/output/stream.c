/* stream.c — the output file behind a writer (see stream.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output/stream.h"
#include "portus.h"

int writer_open_stream(struct writer *w, const char *path, char *err, size_t errlen)
{
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		w->fp = stdout;
		w->owns_fp = 0;
		return 0;
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		portus_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	w->fp = fp;
	w->owns_fp = 1;
	return 0;
}
