/*
 * writer.h — one small interface for every output format.
 *
 * The main thread (never the receiver) calls a writer: port() for each final
 * (address, port) result, host() for hosts found up or down by ARP, tls() for
 * each TLS endpoint as its record completes, summary() once at the end, then
 * close(). Open ports arrive as soon as they are found;
 * the other states arrive at the end of the scan in address order. A writer
 * that streams (NDJSON, list) writes and flushes each record at once, so a
 * killed run leaves every finished line intact; the text table buffers and
 * prints at close.
 */
#ifndef PORTUS_WRITER_H
#define PORTUS_WRITER_H

#include <stdio.h>

#include "result.h"
#include "tls_result.h"

struct writer;

struct writer_ops {
	const char *name;
	/* Each returns 0, or -1 on a write error (the caller reports it once). */
	int (*port)(struct writer *w, const struct port_record *r);
	int (*host)(struct writer *w, const struct host_record *h);
	/* One finished TLS endpoint (--tls); NULL when the format has no TLS records. */
	int (*tls)(struct writer *w, const struct tls_result *r);
	int (*summary)(struct writer *w, const struct run_summary *s);
	/* Flushes, closes the stream unless it is stdout, frees w. Returns 0 or -1. */
	int (*close)(struct writer *w);
};

struct writer {
	const struct writer_ops *ops;
	FILE *fp;
	int owns_fp;   /* fclose at close (not for stdout) */
	int open_only; /* --open: only open ports are written */
	void *priv;    /* format-specific state, owned */
};

/*
 * Open a writer on path ("-" means stdout). The file is created (truncated) now,
 * so an unwritable path fails before any packet is sent. Returns a writer the
 * caller releases with ops->close, or NULL with err.
 */
struct writer *writer_ndjson_open(const char *path, int open_only, char *err, size_t errlen);
struct writer *writer_list_open(const char *path, char *err, size_t errlen);
struct writer *writer_text_open(FILE *fp, int open_only, char *err, size_t errlen);

#endif
