/*
 * lines.h — whole-line record output shared by the line formats (NDJSON, ECS,
 * HEC, CEF, grepable) and the places lines go (a file, a Splunk HEC endpoint,
 * a syslog receiver).
 *
 * A format builds one record at a time in lo->sb and ends it with lo_end();
 * complete lines are handed to the sink only as whole lines, so a sink never
 * sees half a record and a killed run leaves only complete lines in a file.
 * Urgent records (open ports, hosts, TLS, the summary) go to the sink at once;
 * the bulk of closed/filtered records is batched up to `batch` bytes (a /16 x 5
 * scan would otherwise make 200,000 system calls).
 */
#ifndef PORTUS_OUTPUT_LINES_H
#define PORTUS_OUTPUT_LINES_H

#include <stddef.h>

#include "strbuf.h"

struct line_sink {
	/* Delivers p[0..len): one or more complete lines, each ending in '\n'.
	 * Returns 0, or -1 when the lines could not be delivered. A network sink
	 * may instead count what it lost and report it from close() (the scan
	 * then goes on and portus exits 1 at the end). */
	int (*write)(struct line_sink *s, const char *p, size_t len);
	/* Delivers anything the sink still holds, releases s. Returns 0 or -1. */
	int (*close)(struct line_sink *s);
};

#define LINES_BATCH ((size_t)64 << 10)

struct line_out {
	struct strbuf sb;       /* complete lines not yet delivered, then the record being built */
	size_t done;            /* bytes of sb that are complete lines */
	size_t batch;           /* deliver when this many bytes are complete */
	struct line_sink *sink; /* owned */
	int failed;             /* a delivery failed (reported once by the writer) */
};

/* Takes ownership of sink. batch 0 means LINES_BATCH. */
void lo_init(struct line_out *lo, struct line_sink *sink, size_t batch);

/* Ends the record being built with '\n'; delivers when urgent or the batch is full.
 * Returns 0 or -1 (this or an earlier delivery failed, or out of memory). */
int lo_end(struct line_out *lo, int urgent);

/* Drops the record being built (a format decided not to write it). */
void lo_discard(struct line_out *lo);

/* Delivers the complete lines held. 0 or -1. */
int lo_flush(struct line_out *lo);

/* Flushes, closes the sink, frees the buffer. 0 or -1 (any failure so far). */
int lo_close(struct line_out *lo);

/*
 * A sink writing to path ("-" = stdout, not closed), created and truncated
 * now, unbuffered so each delivery is one write of whole lines. NULL with err
 * ("cannot write PATH: reason").
 */
struct line_sink *line_sink_file(const char *path, char *err, size_t errlen);

#endif
