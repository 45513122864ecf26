/* stream.h — shared by the file writers: open the output named by the user. */
#ifndef PORTUS_OUTPUT_STREAM_H
#define PORTUS_OUTPUT_STREAM_H

#include <stddef.h>

#include "writer.h"

/*
 * Sets w->fp to stdout for "-" (owns_fp 0), else to a new file created and
 * truncated now (owns_fp 1). Returns 0, or -1 with err ("cannot write PATH:
 * reason"); w is then unchanged.
 */
int writer_open_stream(struct writer *w, const char *path, char *err, size_t errlen);

#endif
