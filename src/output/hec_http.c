/*
 * hec_http.c — --hec-url: the HEC envelopes of hec.c POSTed to a Splunk HTTP
 * Event Collector by a sender thread, so a slow collector never blocks the
 * scan's main loop.
 *
 * The line sink's write() (main thread) appends whole lines to a FIFO of
 * batches (up to HEC_BATCH_MAX bytes each: HEC takes several events stacked in
 * one body) and returns; the sender thread POSTs the oldest batch and retries
 * transient failures (connect errors, timeouts, 408, 429, 5xx, a closed
 * connection) with exponential backoff. The queue is capped at
 * HEC_QUEUE_MAX bytes: when it is full write() waits — nothing is dropped
 * silently. A permanent failure (other 4xx, a rejected certificate, a HEC
 * error code) stops posting and is reported once. close() drains within a
 * bounded time, says how many events were not delivered and returns -1 if
 * any were not. The token is only ever put in the Authorization header.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "output/hec.h"
#include "output/http_client.h"
#include "portus.h"
#include "results/jsonread.h"
#include "scan.h"
#include "writer.h"

#define HEC_RETRY_PAUSE_MS 30000 /* a collector given up on is tried again after this */
#define HEC_SPACE_POLL_MS 200    /* a writer waiting for queue space checks for Ctrl-C */

#define HEC_DEFAULT_PATH "/services/collector/event"
#define HEC_DEFAULT_PORT 8088

/* One POST body: whole envelope lines. */
struct batch {
	struct batch *next;
	char *p;
	size_t len, cap;
	uint64_t events;
};

struct hec_sink {
	struct line_sink base;
	struct hec_tuning tune;
	struct http_url url;
	struct http_client *http; /* holds the token, in its Authorization header (never printed) */
	struct http_response resp; /* the sender's, 4 KiB: kept off its stack */

	pthread_mutex_t mu;
	pthread_cond_t work;       /* sender: a batch is queued, closing or aborting */
	pthread_cond_t space;      /* writer: the queue shrank or posting stopped */
	pthread_cond_t done;       /* close: the sender has finished */
	struct batch *head, *tail; /* tail is still open for appends (the sender took head off) */
	size_t queued;             /* bytes in the queue and in the batch being sent */
	uint64_t events_in, events_sent;
	int closing;          /* close() called: finish the queue, then stop */
	int aborting;         /* the drain time is over: give up now */
	int stopped;          /* a permanent failure: nothing more is posted */
	int finished;         /* the sender thread has returned */
	int gave_up_reported; /* one message for batches dropped after all attempts */
	/* After a batch was given up on, the collector is taken as down: batches
	 * are dropped (counted as lost) without a try until this time (ms,
	 * monotonic), then one attempt each, so a dead collector costs the scan
	 * one attempt per HEC_RETRY_PAUSE_MS, not 5 attempts per batch.
	 * The sender thread's own. */
	int64_t down_until_ms;
	int down;
	int cancel_fd; /* eventfd: readable once aborting, ends any network wait */
	pthread_t thread;
};

/* ---------------------------------------------------------------- HEC reply */

int hec_reply_parse(const char *body, size_t len, int *code, char *text, size_t textcap)
{
	struct jr_doc doc;
	const struct jr_value *v;
	char why[64];
	int64_t c;
	int found = 0;

	*code = -1;
	if (textcap > 0)
		text[0] = '\0';
	if (jr_parse(&doc, body, len, why, sizeof(why)) != 0 || doc.root->type != JR_OBJECT) {
		jr_free(&doc);
		return -1;
	}
	if ((v = jr_get(doc.root, "code")) != NULL && jr_int(v, 0, INT_MAX, &c) == 0) {
		*code = (int)c;
		found = 1;
	}
	if ((v = jr_get(doc.root, "text")) != NULL && v->type == JR_STRING) {
		if (textcap > 0)
			snprintf(text, textcap, "%s", v->s);
		found = 1;
	}
	jr_free(&doc);
	return found ? 0 : -1;
}

/* ---------------------------------------------------------------- sender */

static int64_t mono_ms(void)
{
	return mono_us() / 1000;
}

static struct timespec abs_time(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

/* Reports a permanent failure once and stops posting. Called without mu. */
static void stop_posting(struct hec_sink *h, const char *why)
{
	pthread_mutex_lock(&h->mu);
	if (!h->stopped)
		fprintf(stderr, "portus: HEC %s: %s\n", h->url.display, why);
	h->stopped = 1;
	pthread_cond_broadcast(&h->space);
	pthread_mutex_unlock(&h->mu);
}

enum verdict { V_SENT, V_RETRY, V_STOP };

/* What a response means for the batch; why says it in one line. */
static enum verdict judge(const struct http_response *r, char *why, size_t len)
{
	char text[128], show[PORTUS_SHOW_MAX + 4];
	int code;
	int parsed = hec_reply_parse(r->body, r->body_len, &code, text, sizeof(text)) == 0;
	const char *msg = parsed && text[0] != '\0' ? portus_show(show, text, strlen(text))
						    : r->reason;

	if (r->status >= 200 && r->status < 300) {
		if (!parsed || code <= 0)
			return V_SENT; /* a proxy's empty 200 is taken at its word */
		snprintf(why, len, "%d %s (HEC code %d)", r->status, msg, code);
		return V_STOP;
	}
	snprintf(why, len, "%d %s", r->status, msg[0] != '\0' ? msg : "(no message)");
	if (r->status == 408 || r->status == 429 || r->status >= 500)
		return V_RETRY;
	return V_STOP;
}

/* Sleeps ms unless aborting; returns non-zero when aborting. */
static int backoff_wait(struct hec_sink *h, int64_t ms)
{
	struct timespec until = abs_time(mono_ms() + ms);
	int abort_now;

	pthread_mutex_lock(&h->mu);
	while (!h->aborting && !h->stopped &&
	       pthread_cond_timedwait(&h->work, &h->mu, &until) != ETIMEDOUT)
		;
	abort_now = h->aborting || h->stopped;
	pthread_mutex_unlock(&h->mu);
	return abort_now;
}

static int posting_over(struct hec_sink *h)
{
	int over;

	pthread_mutex_lock(&h->mu);
	over = h->aborting || h->stopped;
	pthread_mutex_unlock(&h->mu);
	return over;
}

/* POSTs one batch with retries. 0 when HEC accepted it. */
static int send_batch(struct hec_sink *h, const struct batch *b)
{
	struct http_response *resp = &h->resp;
	char why[PORTUS_ERRLEN], err[PORTUS_ERRLEN];
	int64_t delay = h->tune.backoff_ms;
	unsigned attempts = h->down ? 1 : h->tune.attempts;

	if (h->down && mono_ms() < h->down_until_ms)
		return -1; /* counted as lost at close */
	for (unsigned attempt = 1;; attempt++) {
		int rc;

		if (posting_over(h))
			return -1;
		rc = http_post(h->http, b->p, b->len, resp, err, sizeof(err));
		if (rc == HTTP_CANCELLED)
			return -1;
		if (rc == HTTP_PERMANENT) {
			stop_posting(h, err);
			return -1;
		}
		if (rc == HTTP_DONE) {
			enum verdict v = judge(resp, why, sizeof(why));

			if (v == V_SENT) {
				h->down = 0;
				return 0;
			}
			if (v == V_STOP) {
				stop_posting(h, why);
				return -1;
			}
		} else {
			snprintf(why, sizeof(why), "%s", err);
		}
		if (attempt >= attempts) {
			h->down = 1;
			h->down_until_ms = mono_ms() + HEC_RETRY_PAUSE_MS;
			pthread_mutex_lock(&h->mu);
			if (!h->gave_up_reported)
				fprintf(stderr,
					"portus: HEC %s: %s; gave up on %" PRIu64
					" events after %u attempts\n",
					h->url.display, why, b->events, attempt);
			h->gave_up_reported = 1;
			pthread_mutex_unlock(&h->mu);
			return -1;
		}
		if (backoff_wait(h, delay))
			return -1;
		delay = delay * 2 > h->tune.backoff_max_ms ? h->tune.backoff_max_ms : delay * 2;
	}
}

static void *sender_main(void *arg)
{
	struct hec_sink *h = arg;

	for (;;) {
		struct batch *b;
		int ok;

		pthread_mutex_lock(&h->mu);
		while (h->head == NULL && !h->closing)
			pthread_cond_wait(&h->work, &h->mu);
		b = h->head;
		if (b == NULL) {
			pthread_mutex_unlock(&h->mu);
			break;
		}
		h->head = b->next;
		if (h->tail == b)
			h->tail = NULL; /* taken: no more appends to it */
		pthread_mutex_unlock(&h->mu);

		ok = send_batch(h, b) == 0;

		pthread_mutex_lock(&h->mu);
		if (ok)
			h->events_sent += b->events;
		h->queued -= b->len;
		pthread_cond_broadcast(&h->space);
		pthread_mutex_unlock(&h->mu);
		free(b->p);
		free(b);
	}
	pthread_mutex_lock(&h->mu);
	h->finished = 1;
	pthread_cond_broadcast(&h->done);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* ---------------------------------------------------------------- line sink */

static uint64_t count_lines(const char *p, size_t len)
{
	uint64_t n = 0;
	const char *e = p + len;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Appends p[0..len) (whole lines) to the open tail batch, or a new one. 0 or -1 (memory). */
static int append(struct hec_sink *h, const char *p, size_t len)
{
	struct batch *b = h->tail;

	if (b == NULL || b->len + len > h->tune.batch_max) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return -1;
		if (h->tail != NULL)
			h->tail->next = b;
		else
			h->head = b;
		h->tail = b;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *np;

		while (cap < b->len + len)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->events += count_lines(p, len);
	h->queued += len;
	return 0;
}

/* The longest prefix of whole lines of p[0..len) that fits in room bytes;
 * at least one line (a line longer than a batch gets a batch to itself). */
static size_t fit_lines(const char *p, size_t len, size_t room)
{
	const char *nl;

	if (len <= room)
		return len;
	nl = room > 0 ? memrchr(p, '\n', room) : NULL;
	if (nl != NULL)
		return (size_t)(nl - p) + 1;
	nl = memchr(p, '\n', len);
	return nl != NULL ? (size_t)(nl - p) + 1 : len;
}

static int hs_write(struct line_sink *s, const char *p, size_t len)
{
	struct hec_sink *h = (struct hec_sink *)s;
	int r = 0;

	pthread_mutex_lock(&h->mu);
	h->events_in += count_lines(p, len);
	while (len > 0 && !h->stopped) {
		size_t room = h->tail != NULL && h->tail->len < h->tune.batch_max
				      ? h->tune.batch_max - h->tail->len
				      : h->tune.batch_max;
		size_t n = fit_lines(p, len, room);

		/* Full queue: wait for the sender (a slow collector slows the
		 * scan's output rather than losing it). Ctrl-C ends the wait: what
		 * is left is already in memory and close() drains it, bounded. */
		while (h->queued > 0 && h->queued + n > h->tune.queue_max && !h->stopped &&
		       !atomic_load(&portus_interrupted)) {
			struct timespec until = abs_time(mono_ms() + HEC_SPACE_POLL_MS);

			(void)pthread_cond_timedwait(&h->space, &h->mu, &until);
		}
		if (h->stopped)
			break;
		if (append(h, p, n) != 0) {
			r = -1;
			break;
		}
		pthread_cond_signal(&h->work);
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&h->mu);
	return r;
}

static void sink_free(struct hec_sink *h)
{
	while (h->head != NULL) {
		struct batch *b = h->head;

		h->head = b->next;
		free(b->p);
		free(b);
	}
	http_client_free(h->http);
	if (h->cancel_fd >= 0)
		close(h->cancel_fd);
	pthread_cond_destroy(&h->work);
	pthread_cond_destroy(&h->space);
	pthread_cond_destroy(&h->done);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static int hs_close(struct line_sink *s)
{
	struct hec_sink *h = (struct hec_sink *)s;
	struct timespec until = abs_time(mono_ms() + h->tune.drain_ms);
	uint64_t lost;
	int r = 0;

	pthread_mutex_lock(&h->mu);
	h->closing = 1;
	pthread_cond_broadcast(&h->work);
	while (!h->finished && pthread_cond_timedwait(&h->done, &h->mu, &until) != ETIMEDOUT)
		;
	if (!h->finished) {
		uint64_t one = 1;

		/* Drain time is over: end the wait in progress and drop the rest. */
		h->aborting = 1;
		pthread_cond_broadcast(&h->work);
		if (write(h->cancel_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			r = -1; /* cannot happen with an eventfd; the sender still ends at its timeout */
		while (!h->finished)
			pthread_cond_wait(&h->done, &h->mu);
	}
	lost = h->events_in - h->events_sent;
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	if (lost > 0) {
		fprintf(stderr, "portus: HEC %s: %" PRIu64 " of %" PRIu64 " events not delivered\n",
			h->url.display, lost, h->events_in);
		r = -1;
	}
	sink_free(h);
	return r;
}

/* ---------------------------------------------------------------- open */

void hec_tuning_default(struct hec_tuning *t)
{
	t->queue_max = HEC_QUEUE_MAX;
	t->batch_max = HEC_BATCH_MAX;
	t->attempts = 5;
	t->backoff_ms = 250;
	t->backoff_max_ms = 4000;
	t->drain_ms = 30000;
	t->timeout_ms = HTTP_TIMEOUT_MS;
}

static int token_ok(const char *t)
{
	if (t == NULL || *t == '\0')
		return 0;
	for (; *t != '\0'; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

/* Authorization (the token, wiped from this buffer again) and Content-Type;
 * libcurl's own Accept and Expect headers are dropped: HEC needs neither. */
static int add_headers(struct http_client *c, const char *token)
{
	size_t n = strlen(token) + 32;
	char *auth = malloc(n);
	int r;

	if (auth == NULL)
		return -1;
	snprintf(auth, n, "Authorization: Splunk %s", token);
	r = http_client_add_header(c, auth);
	explicit_bzero(auth, n);
	free(auth);
	if (r == 0)
		r = http_client_add_header(c, "Content-Type: application/json");
	if (r == 0)
		r = http_client_add_header(c, "Accept:");
	if (r == 0)
		r = http_client_add_header(c, "Expect:");
	return r;
}

/* The sender runs with every signal blocked: SIGINT and friends stay with
 * the main thread, and a SIGPIPE from a write to a closed connection cannot
 * kill us. */
static int start_sender(struct hec_sink *h)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&h->thread, NULL, sender_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int sync_init(struct hec_sink *h)
{
	pthread_condattr_t ca;
	int r = 0;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	/* Deadlines on the monotonic clock: a wall-clock step cannot stretch them. */
	r |= pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	r |= pthread_mutex_init(&h->mu, NULL);
	r |= pthread_cond_init(&h->work, &ca);
	r |= pthread_cond_init(&h->space, &ca);
	r |= pthread_cond_init(&h->done, &ca);
	pthread_condattr_destroy(&ca);
	return r != 0 ? -1 : 0;
}

struct line_sink *hec_http_sink_open_tuned(const struct hec_target *t,
					   const struct hec_tuning *tune, char *err, size_t errlen)
{
	struct hec_sink *h;
	char why[PORTUS_ERRLEN], show[PORTUS_SHOW_MAX + 4];

	if (!token_ok(t->token)) {
		portus_err(err, errlen, "--hec-token: must be printable ASCII without spaces");
		return NULL;
	}
	if (t->index != NULL && !hec_index_valid(t->index)) {
		portus_err(err, errlen,
			   "--hec-index %s: expected 1-%d lowercase letters, digits, '_' or '-'",
			   portus_show(show, t->index, strlen(t->index)), HEC_INDEX_MAX);
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	h->cancel_fd = -1;
	h->tune = *tune;
	if (sync_init(h) != 0) {
		portus_err(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	if (http_url_parse(t->url, HEC_DEFAULT_PATH, HEC_DEFAULT_PORT, &h->url, why, sizeof(why)) !=
	    0) {
		portus_err(err, errlen, "--hec-url %s: %s",
			   portus_show(show, t->url, strlen(t->url)), why);
		goto fail;
	}
	if ((h->http = http_client_new(&h->url, t->ca_file, t->insecure, why, sizeof(why))) ==
	    NULL) {
		portus_err(err, errlen, "HEC %s: %s", h->url.display, why);
		goto fail;
	}
	if (add_headers(h->http, t->token) != 0 ||
	    (h->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		portus_err(err, errlen, "HEC: out of resources: %s", strerror(errno));
		goto fail;
	}
	http_client_set_cancel_fd(h->http, h->cancel_fd);
	http_client_set_timeout(h->http, tune->timeout_ms);
	if (start_sender(h) != 0) {
		portus_err(err, errlen, "HEC: cannot start the sender thread");
		goto fail;
	}
	h->base.write = hs_write;
	h->base.close = hs_close;
	return &h->base;
fail:
	sink_free(h);
	return NULL;
}

struct line_sink *hec_http_sink_open(const struct hec_target *t, char *err, size_t errlen)
{
	struct hec_tuning tune;

	hec_tuning_default(&tune);
	return hec_http_sink_open_tuned(t, &tune, err, errlen);
}

struct writer *writer_hec_http_open(const struct hec_target *t, const struct run_info *ri,
				    char *err, size_t errlen)
{
	struct line_sink *sink = hec_http_sink_open(t, err, errlen);

	if (sink == NULL)
		return NULL;
	return hec_writer_new(sink, ri, t->index, 0, err, errlen);
}
