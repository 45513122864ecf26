/*
 * hec.h — Splunk HTTP Event Collector envelopes, shared by the file writer
 * (hec.c: -oJ FILE --format splunk-hec) and the HTTP sink (hec_http.c:
 * --hec-url). One envelope per line:
 *
 *   {"time":1763892000.123456,"host":"scanner1","source":"portus",
 *    "sourcetype":"portus:port","index":"netsec","event":{...native record...}}
 *
 * "time" is the record's own time (port time_us, host time_us, TLS end_us,
 * summary end_us) in epoch seconds with microseconds; "host" is the scanner's
 * host name (its address when the name is unknown); "index" only with
 * --hec-index; "event" is the native record (native.h, tls_json.h).
 *
 * Size bound: the host name is cut to HEC_HOST_MAX bytes and the index to
 * HEC_INDEX_MAX, so the envelope adds at most HEC_ENVELOPE_MAX bytes around the
 * event. The largest event (a TLS record, TLS_JSON_MAX_RECORD = 9,000 bytes)
 * therefore makes a line below Splunk's default TRUNCATE of 10,000 bytes.
 */
#ifndef PORTUS_OUTPUT_HEC_H
#define PORTUS_OUTPUT_HEC_H

#include <stddef.h>
#include <stdint.h>

#include "output/lines.h"
#include "strbuf.h"
#include "writer.h"

#define HEC_SOURCE "portus"
#define HEC_HOST_MAX 64  /* bytes of the host name kept (Linux HOST_NAME_MAX) */
#define HEC_INDEX_MAX 80 /* longest index name accepted */
/* Worst case of everything but the event: every host byte escaped as \u00XX
 * (6 bytes), the longest time and sourcetype, the longest index. */
#define HEC_ENVELOPE_MAX 600

/*
 * Appends the envelope up to and including "event": —
 *   {"time":T,"host":H,"source":"portus","sourcetype":ST[,"index":I],"event":
 * — the caller appends the event object and a closing '}'. host is escaped and
 * cut to HEC_HOST_MAX bytes; index (NULL: none) must be valid (hec_index_valid).
 */
void hec_envelope_begin(struct strbuf *b, int64_t time_us, const char *host, const char *sourcetype,
			const char *index);

/* Non-zero when s is a Splunk index name: 1..HEC_INDEX_MAX bytes of lowercase
 * letters, digits, '_' and '-', not starting with '-'. */
int hec_index_valid(const char *s);

/*
 * A HEC writer putting its envelopes into sink (owned from now on, closed with
 * the writer, also on failure). index may be NULL; it is copied. batch is the
 * lines.h batch size (0: LINES_BATCH). Only open ports and up hosts are
 * written when ri->open_only. NULL with err when out of memory.
 */
struct writer *hec_writer_new(struct line_sink *sink, const struct run_info *ri, const char *index,
			      size_t batch, char *err, size_t errlen);

/*
 * The parts of a HEC reply ({"text":"Success","code":0}) a message needs, read
 * with the strict JSON reader (src/results/jsonread.h): *code (-1 when absent or
 * not an integer from 0 to INT_MAX) and text (the decoded string, cut to
 * textcap - 1 bytes, "" when absent or not a string). Returns 0 when
 * body[0..len) is exactly one valid JSON object with either of them, else -1.
 * Bounded by len; any bytes are safe.
 */
int hec_reply_parse(const char *body, size_t len, int *code, char *text, size_t textcap);

#define HEC_QUEUE_MAX ((size_t)64 << 20)  /* bytes queued for the collector before write() waits */
#define HEC_BATCH_MAX ((size_t)256 << 10) /* bytes of events in one POST body */

/* How the HTTP sink batches, retries and drains (hec_tuning_default: the
 * values --hec-url uses; tests shorten them). */
struct hec_tuning {
	size_t queue_max, batch_max;
	unsigned attempts;      /* POSTs of one batch before it is given up (5) */
	int64_t backoff_ms;     /* first wait between attempts, doubled each time (250) */
	int64_t backoff_max_ms; /* longest wait between attempts (4,000) */
	int64_t drain_ms;       /* longest close() waits for the queue to empty (30,000) */
	int timeout_ms;         /* connect, send and receive timeout (10,000) */
};

void hec_tuning_default(struct hec_tuning *t);

/*
 * The --hec-url line sink: each delivery of complete envelope lines is queued
 * and POSTed by a sender thread (hec_http.c). The URL is parsed, the host name
 * resolved and --ca-file read now; NULL with err on any failure. close()
 * drains within a bounded time and returns -1 if any event was not delivered.
 */
struct line_sink *hec_http_sink_open(const struct hec_target *t, char *err, size_t errlen);
struct line_sink *hec_http_sink_open_tuned(const struct hec_target *t,
					   const struct hec_tuning *tune, char *err, size_t errlen);

#endif
