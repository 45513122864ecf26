/*
 * stage.c — the TLS follow-up stage (include/tls_stage.h): the endpoint
 * queue, the concurrency and per-host limits, the deadline queue and the
 * epoll loop. What happens on one connection is conn.c's business.
 *
 * Shapes (after OpenSSH ssh-keyscan.c and redis ae.c):
 *  - Each endpoint is a job with up to six tasks, one connection each: the
 *    main handshake, a banner connection when the server chose h2, and one
 *    probe per TLS version with --tls-versions. Follow-up tasks are queued
 *    when the main one ends, at the front, so a started record finishes soon.
 *  - Waiting tasks sit in their host's FIFO; a host with waiting tasks and
 *    fewer than per_host connections is in the ready list, and slots go to
 *    ready hosts in turn. A host at its limit does not hold up the others.
 *  - Connections live in a table of `cap` slots; epoll's data carries the slot
 *    and a generation, so an event for a closed connection is recognised.
 *  - Every connection gets the same timeout, so the deadline queue is a FIFO
 *    in start order: the head is always the next to expire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/resource.h>

#include <openssl/rand.h>

#include "clock.h"
#include "portus.h"
#include "tls/conn.h"
#include "tls/enumerate.h"
#include "tls_stage.h"

#define ENUM_BUDGET_TIMEOUTS \
	10 /* --tls-ciphers: an endpoint's enumeration ends after 10 timeouts */

#define FD_RESERVE 64u         /* descriptors left for everything but the stage */
#define MAX_EVENTS 64          /* epoll events taken per wait */
#define FD_SOFT_MAX (1u << 20) /* soft limit asked for when the hard one is unlimited */

struct task {
	struct task *next; /* in the host's waiting FIFO */
	struct job *job;
	enum conn_kind kind;
	int chain;      /* CONN_RAW: the enumeration chain */
	uint8_t *hello; /* CONN_RAW: the ClientHello, owned until the connection takes it */
	size_t hello_len;
};

/* What a started endpoint carries until it is reported. */
struct run {
	struct tls_result r;
	struct task more[CONN_NKINDS - 1]; /* CONN_BANNER .. CONN_V13 */
	unsigned open;                     /* tasks queued or connected */
	struct tls_enum *en;               /* --tls-ciphers, once the main handshake ended */
	struct task raw[TLS_ENUM_CHAINS];  /* its probes, one per chain at a time */
	int64_t enum_deadline;             /* CLOCK_MONOTONIC end of its budget */
};

/* One endpoint; small while it waits (the record is allocated on start). */
struct job {
	struct task first; /* the main connection */
	struct run *run;   /* NULL until the first connection starts */
	struct host *host;
	ip_addr ip;
	uint16_t port;
	int bad_sni;
	char *sni; /* owned, NULL for none */
};

struct host {
	struct host *hnext; /* hash chain */
	struct host *rnext; /* ready list */
	struct task *head, *tail;
	ip_addr ip; /* the per-host limit is per address, IPv4 or IPv6 */
	unsigned active;
	int ready;
};

struct tls_stage {
	struct tls_stage_opts o;
	tls_result_cb cb;
	void *cb_ctx;
	struct tls_ctxs x;
	struct conn_opts co;
	int ep;

	unsigned cap, active;
	struct conn **slot;  /* cap entries, NULL when free */
	uint32_t *free_slot; /* stack of free indices */
	unsigned nfree;
	uint32_t gen;

	struct conn *dl_head, *dl_tail; /* deadline FIFO */

	struct host **bucket; /* nbucket (a power of two) chains */
	size_t nbucket, nhosts;
	struct host *ready_head, *ready_tail;

	size_t njobs; /* endpoints queued or in progress */
	int running;  /* inside tls_stage_run (the callback must not re-enter) */
};

/* ---- hosts ---- */

/* Fibonacci hashing of the address folded to 64 bits (both halves count:
 * IPv6 hosts of one /64 differ in the low one, networks in the high one). */
static size_t host_hash(const struct tls_stage *s, ip_addr ip)
{
	uint64_t x = (uint64_t)ip.v ^ (uint64_t)(ip.v >> 64);

	return (size_t)((x * 0x9E3779B97F4A7C15u) >> 32) & (s->nbucket - 1);
}

static int hosts_grow(struct tls_stage *s)
{
	size_t n = s->nbucket * 2, i;
	struct host **b = calloc(n, sizeof(struct host *)), **old = s->bucket, *h;

	if (b == NULL)
		return -1;
	s->bucket = b;
	s->nbucket = n;
	for (i = 0; i < n / 2; i++)
		while ((h = old[i]) != NULL) {
			size_t k = host_hash(s, h->ip);

			old[i] = h->hnext;
			h->hnext = b[k];
			b[k] = h;
		}
	free(old);
	return 0;
}

static struct host *host_get(struct tls_stage *s, ip_addr ip)
{
	struct host *h;
	size_t k = host_hash(s, ip);

	for (h = s->bucket[k]; h != NULL; h = h->hnext)
		if (addr_eq(h->ip, ip))
			return h;
	if (s->nhosts >= 2 * s->nbucket && hosts_grow(s) == 0)
		k = host_hash(s, ip);
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->ip = ip;
	h->hnext = s->bucket[k];
	s->bucket[k] = h;
	s->nhosts++;
	return h;
}

/* Frees h when nothing waits for it and nothing is connected to it. */
static void host_put(struct tls_stage *s, struct host *h)
{
	struct host **pp;

	if (h->active > 0 || h->head != NULL)
		return;
	for (pp = &s->bucket[host_hash(s, h->ip)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == h) {
			*pp = h->hnext;
			break;
		}
	s->nhosts--;
	free(h);
}

/* Puts h in the ready list when it has waiting tasks and a free per-host slot. */
static void host_wake(struct tls_stage *s, struct host *h, int front)
{
	if (h->ready || h->head == NULL || h->active >= s->o.per_host)
		return;
	h->ready = 1;
	if (front) {
		h->rnext = s->ready_head;
		s->ready_head = h;
		if (s->ready_tail == NULL)
			s->ready_tail = h;
	} else {
		h->rnext = NULL;
		if (s->ready_tail != NULL)
			s->ready_tail->rnext = h;
		else
			s->ready_head = h;
		s->ready_tail = h;
	}
}

static void task_push(struct tls_stage *s, struct task *t, int front)
{
	struct host *h = t->job->host;

	if (front) {
		t->next = h->head;
		h->head = t;
		if (h->tail == NULL)
			h->tail = t;
	} else {
		t->next = NULL;
		if (h->tail != NULL)
			h->tail->next = t;
		else
			h->head = t;
		h->tail = t;
	}
	host_wake(s, h, front);
}

/* ---- jobs ---- */

static void job_free(struct job *j)
{
	if (j->run != NULL) {
		for (int k = 0; k < TLS_ENUM_CHAINS; k++)
			free(j->run->raw[k].hello);
		free(j->run->en);
		tls_result_free(&j->run->r);
		free(j->run);
	}
	free(j->sni);
	free(j);
}

static uint16_t wire_version(const char *v);

/* --tls-ciphers found no suite the main handshake agreed on at its version:
 * the server answers portus's own hellos otherwise than OpenSSL's (a filter,
 * a flaky server), so the lists cannot be trusted to be whole. */
static void enum_check(struct tls_result *r)
{
	int v;

	if (r->ciphers == NULL || r->outcome != TLS_OK || r->cipher[0] == '\0')
		return;
	switch (wire_version(r->version)) {
	case TLSH_TLS10:
		v = 0;
		break;
	case TLSH_TLS11:
		v = 1;
		break;
	case TLSH_TLS12:
		v = 2;
		break;
	case TLSH_TLS13:
		v = 3;
		break;
	default:
		return;
	}
	for (unsigned i = 0; i < r->ciphers->n[v]; i++) {
		const char *n = tlsh_suite_name(r->ciphers->suite[v][i]);

		if (n != NULL && strcmp(n, r->cipher) == 0)
			return;
	}
	r->ciphers->incomplete = 1;
}

/* One of j's tasks ended; the last one reports the record. */
static void task_end(struct tls_stage *s, struct job *j)
{
	struct host *h = j->host;

	if (--j->run->open > 0)
		return;
	enum_check(&j->run->r);
	j->run->r.end_us = wall_us();
	s->cb(s->cb_ctx, &j->run->r);
	job_free(j);
	s->njobs--;
	host_put(s, h);
}

/* Queues a follow-up connection for j (front of its host's queue). */
static void follow_up(struct tls_stage *s, struct job *j, enum conn_kind kind)
{
	struct task *t = &j->run->more[kind - 1];

	t->job = j;
	t->kind = kind;
	j->run->open++;
	task_push(s, t, 1);
}

/* ---- --tls-ciphers ---- */

/* Queues chain k's next probe, if it has one. Returns 1 when queued. */
static int enum_follow(struct tls_stage *s, struct job *j, int k)
{
	struct run *run = j->run;
	struct task *t = &run->raw[k];
	uint8_t rnd[64];
	size_t n;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		tls_enum_abort(run->en);
		return 0;
	}
	t->hello = malloc(TLSH_HELLO_MAX);
	n = t->hello != NULL ? tls_enum_next(run->en, k, rnd, t->hello, TLSH_HELLO_MAX) : 0;
	if (n == 0) {
		free(t->hello);
		t->hello = NULL;
		return 0;
	}
	t->hello_len = n;
	t->job = j;
	t->kind = CONN_RAW;
	t->chain = k;
	run->open++;
	task_push(s, t, 1);
	return 1;
}

static uint16_t wire_version(const char *v)
{
	static const struct {
		const char *name;
		uint16_t v;
	} t[] = { { "TLSv1", TLSH_TLS10 },
		  { "TLSv1.1", TLSH_TLS11 },
		  { "TLSv1.2", TLSH_TLS12 },
		  { "TLSv1.3", TLSH_TLS13 } };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(v, t[i].name) == 0)
			return t[i].v;
	return 0;
}

/* After the main handshake: starts the enumeration. Returns 1 when probes
 * were queued. */
static int enum_start(struct tls_stage *s, struct job *j)
{
	struct run *run = j->run;
	struct tls_result *r = &run->r;
	int more = 0;

	r->ciphers = calloc(1, sizeof(*r->ciphers));
	run->en = calloc(1, sizeof(*run->en));
	if (r->ciphers == NULL || run->en == NULL) {
		free(r->ciphers);
		r->ciphers = NULL;
		free(run->en);
		run->en = NULL;
		return 0;
	}
	tls_enum_init(run->en, r->ciphers,
		      r->outcome == TLS_OK ? wire_version(r->version) : r->hello_version, r->sni);
	run->enum_deadline = mono_us() + (int64_t)s->o.timeout_ms * 1000 * ENUM_BUDGET_TIMEOUTS;
	for (int k = 0; k < TLS_ENUM_CHAINS; k++)
		more |= enum_follow(s, j, k);
	return more;
}

/* A probe ended: its answer, then the chain's next probe. */
static int enum_step(struct tls_stage *s, struct job *j, struct conn *c)
{
	struct run *run = j->run;
	static const struct tlsh_server_hello none;
	enum tlsh_status st = c->rd != NULL ? c->rd->status : TLSH_MORE;

	if (run->en == NULL)
		return 0;
	if (c->timed_out || st == TLSH_ERROR)
		run->en->out->incomplete =
			1; /* silence or garbage is no refusal: the list may go on */
	tls_enum_answer(run->en, c->chain, st, c->rd != NULL ? &c->rd->sh : &none);
	if (mono_us() >= run->enum_deadline) {
		tls_enum_abort(run->en);
		return 0;
	}
	return enum_follow(s, j, c->chain);
}

/* ---- connections ---- */

static void dl_append(struct tls_stage *s, struct conn *c)
{
	c->dnext = NULL;
	c->dprev = s->dl_tail;
	if (s->dl_tail != NULL)
		s->dl_tail->dnext = c;
	else
		s->dl_head = c;
	s->dl_tail = c;
}

static void dl_remove(struct tls_stage *s, struct conn *c)
{
	if (c->dprev != NULL)
		c->dprev->dnext = c->dnext;
	else
		s->dl_head = c->dnext;
	if (c->dnext != NULL)
		c->dnext->dprev = c->dprev;
	else
		s->dl_tail = c->dprev;
	c->dprev = c->dnext = NULL;
}

/* The connection ended (conn.c recorded why): merge, free, follow up, report. */
static void conn_end(struct tls_stage *s, struct conn *c)
{
	struct task *t = c->task;
	struct job *j = t->job;
	struct tls_result *r = &j->run->r;
	struct host *h = j->host;
	int k, more = 0;

	dl_remove(s, c);
	if (c->kind == CONN_RAW)
		more = enum_step(s, j, c); /* before conn_close frees the reader */
	conn_close(c);                     /* closing the fd also takes it out of the epoll set */
	switch (c->kind) {
	case CONN_MAIN:
		/* Probes only where a TLS server answered: refused, silent, reset
		 * or non-TLS endpoints would just fail four more times. */
		if (s->o.test_versions && (r->outcome == TLS_OK || r->outcome == TLS_ALERT)) {
			r->versions_tested = TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13;
			for (k = CONN_V13; k >= CONN_V10; k--)
				follow_up(s, j, (enum conn_kind)k);
			more = 1;
		}
		if (c->need_http1) {
			follow_up(s, j, CONN_BANNER);
			more = 1;
		}
		/* Where a TLS server answered: a handshake, an alert, or a
		 * ServerHello before the handshake failed (a server OpenSSL cannot
		 * finish a handshake with may still accept suites). */
		if (s->o.test_ciphers &&
		    (r->outcome == TLS_OK || r->outcome == TLS_ALERT || r->hello_version != 0))
			more |= enum_start(s, j);
		break;
	case CONN_BANNER:
	case CONN_RAW: /* enum_step above */
		break;
	case CONN_V10:
	case CONN_V11:
	case CONN_V12:
	case CONN_V13:
		if (c->accepted)
			r->versions_accepted |= 1u << (c->kind - CONN_V10);
		break;
	}
	s->slot[c->slot] = NULL;
	s->free_slot[s->nfree++] = c->slot;
	free(c);
	s->active--;
	h->active--;
	host_wake(s, h, more); /* a started record's follow-ups go first */
	task_end(s, j);
}

/* Tells epoll what c waits for. Returns 0, or -1 (c is then done). */
static int conn_watch(struct tls_stage *s, struct conn *c)
{
	struct epoll_event ev;

	if (c->registered == c->want)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = (uint32_t)c->want;
	ev.data.u64 = (uint64_t)c->gen << 32 | c->slot;
	if (epoll_ctl(s->ep, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		conn_abort(c, "epoll_ctl failed");
		return -1;
	}
	c->registered = c->want;
	return 0;
}

static void conn_progress(struct tls_stage *s, struct conn *c, int in_progress)
{
	if (!in_progress || conn_watch(s, c) != 0)
		conn_end(s, c);
}

static int run_new(struct job *j)
{
	struct tls_result *r;

	j->run = calloc(1, sizeof(*j->run));
	if (j->run == NULL)
		return -1;
	r = &j->run->r;
	r->ip = j->ip;
	r->port = j->port;
	if (j->sni != NULL)
		memcpy(r->sni, j->sni, strlen(j->sni) + 1); /* length checked by tls_stage_add */
	r->start_us = wall_us();
	j->run->open = 1;
	return 0;
}

/* Starts t (popped from h). Returns 0, or -1 on allocation failure with
 * nothing changed. */
static int task_start(struct tls_stage *s, struct host *h, struct task *t, int64_t now)
{
	struct job *j = t->job;
	struct conn *c;

	if (j->run == NULL && run_new(j) != 0)
		return -1;
	if (j->bad_sni) {
		j->run->r.outcome = TLS_ERROR;
		memcpy(j->run->r.detail, "invalid server name", sizeof("invalid server name"));
		host_wake(s, h, 0);
		task_end(s, j); /* may free h */
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -1;
	c->slot = s->free_slot[--s->nfree];
	c->gen = ++s->gen;
	c->task = t;
	c->kind = t->kind;
	c->ip = j->ip;
	c->port = j->port;
	c->sni = j->run->r.sni;
	c->r = &j->run->r;
	c->fd = -1;
	c->deadline_us = now + (int64_t)s->o.timeout_ms * 1000;
	if (t->kind == CONN_RAW) {
		c->chain = t->chain;
		c->hello = t->hello; /* the connection owns it now */
		c->hello_len = t->hello_len;
		t->hello = NULL;
		c->rd = malloc(sizeof(*c->rd)); /* NULL: the probe ends unanswered */
	}
	s->slot[c->slot] = c;
	s->active++;
	h->active++;
	dl_append(s, c);
	host_wake(s, h, 0); /* more for h? back of the line */
	conn_progress(s, c, conn_start(c, &s->co));
	return 0;
}

/* Starts waiting tasks while slots are free. */
static void fill(struct tls_stage *s, int64_t now)
{
	while (s->active < s->cap && s->ready_head != NULL) {
		struct host *h = s->ready_head;
		struct task *t = h->head;

		s->ready_head = h->rnext;
		if (s->ready_head == NULL)
			s->ready_tail = NULL;
		h->ready = 0;
		h->head = t->next;
		if (h->head == NULL)
			h->tail = NULL;
		t->next = NULL;
		if (task_start(s, h, t, now) != 0) {
			task_push(s, t, 1); /* out of memory: retried on the next call */
			return;
		}
	}
}

static void expire(struct tls_stage *s, int64_t now)
{
	while (s->dl_head != NULL && s->dl_head->deadline_us <= now) {
		struct conn *c = s->dl_head;

		conn_timeout(c);
		conn_end(s, c);
	}
}

/* ---- public ---- */

/* Raises the soft RLIMIT_NOFILE to the hard one; returns the soft limit. */
static rlim_t raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = rl;

		want.rlim_cur = rl.rlim_max == RLIM_INFINITY ? FD_SOFT_MAX : rl.rlim_max;
		if (want.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl.rlim_cur = want.rlim_cur;
	}
	return rl.rlim_cur == RLIM_INFINITY ? FD_SOFT_MAX : rl.rlim_cur;
}

struct tls_stage *tls_stage_new(const struct tls_stage_opts *o, tls_result_cb cb, void *ctx,
				char *err, size_t errlen)
{
	struct tls_stage *s;
	rlim_t limit, cap;
	unsigned i;

	if (o == NULL || cb == NULL) {
		portus_err(err, errlen, "TLS stage: no options or no result callback");
		return NULL;
	}
	if (o->concurrency < 1 || o->per_host < 1 || o->timeout_ms < 1) {
		portus_err(err, errlen,
			   "TLS stage: concurrency, per-host limit and timeout must be at least 1");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	s->ep = -1;
	s->o = *o;
	s->o.ca_file = NULL; /* used here only */
	s->cb = cb;
	s->cb_ctx = ctx;

	limit = raise_nofile();
	cap = limit > (rlim_t)FD_RESERVE * 2 ? limit - FD_RESERVE : limit / 2;
	if (cap < 1)
		cap = 1;
	s->cap = o->concurrency < cap ? o->concurrency : (unsigned)cap;

	if (tls_ctxs_init(&s->x, o->ca_file, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	s->co.x = &s->x;
	s->co.banner = o->banner;
	s->co.want_pem = o->want_pem;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->slot = calloc(s->cap, sizeof(struct conn *));
	s->free_slot = calloc(s->cap, sizeof(*s->free_slot));
	s->nbucket = 256;
	s->bucket = calloc(s->nbucket, sizeof(struct host *));
	if (s->ep < 0 || s->slot == NULL || s->free_slot == NULL || s->bucket == NULL) {
		portus_err(err, errlen, "TLS stage: %s",
			   s->ep < 0 ? "cannot create the epoll set" : "out of memory");
		tls_stage_free(s);
		return NULL;
	}
	for (i = 0; i < s->cap; i++)
		s->free_slot[i] = s->cap - 1 - i;
	s->nfree = s->cap;
	return s;
}

/* A name OpenSSL will send and that is safe in a Host: header. */
static int sni_ok(const char *sni, size_t len)
{
	size_t i;

	if (len >= sizeof(((struct tls_result *)0)->sni))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)sni[i] <= 0x20 || (unsigned char)sni[i] >= 0x7f)
			return 0;
	return 1;
}

int tls_stage_add(struct tls_stage *s, ip_addr ip, uint16_t port, const char *sni)
{
	struct job *j = calloc(1, sizeof(*j));
	size_t len = sni != NULL ? strlen(sni) : 0;

	if (j == NULL)
		return -1;
	j->ip = ip;
	j->port = port;
	if (len > 0 && !sni_ok(sni, len))
		j->bad_sni = 1;
	else if (len > 0 && (j->sni = strdup(sni)) == NULL) {
		free(j);
		return -1;
	}
	j->host = host_get(s, ip);
	if (j->host == NULL) {
		job_free(j);
		return -1;
	}
	j->first.job = j;
	j->first.kind = CONN_MAIN;
	task_push(s, &j->first, 0);
	s->njobs++;
	return 0;
}

size_t tls_stage_run(struct tls_stage *s, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int64_t now = mono_us(), end = now + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000;

	if (s->running)
		return s->njobs;
	s->running = 1;
	for (;;) {
		int64_t wait;
		int n, i;

		expire(s, now);
		fill(s, now);
		if (s->njobs == 0)
			break;
		wait = end > now ? end - now : 0;
		if (s->dl_head != NULL && s->dl_head->deadline_us - now < wait)
			wait = s->dl_head->deadline_us > now ? s->dl_head->deadline_us - now : 0;
		/* Round up: waking before the deadline would only spin. */
		n = epoll_wait(s->ep, ev, MAX_EVENTS, (int)((wait + 999) / 1000));
		for (i = 0; i < n; i++) {
			uint32_t slot = (uint32_t)ev[i].data.u64;
			struct conn *c = slot < s->cap ? s->slot[slot] : NULL;

			/* A slot is freed within a batch but reused only by fill(). */
			if (c == NULL || c->gen != (uint32_t)(ev[i].data.u64 >> 32))
				continue;
			conn_progress(s, c, conn_step(c, &s->co));
		}
		now = mono_us();
		if (now >= end) {
			expire(s, now);
			fill(s, now);
			break;
		}
	}
	s->running = 0;
	return s->njobs;
}

size_t tls_stage_pending(const struct tls_stage *s)
{
	return s->njobs;
}

/* Drops one task of j without reporting; frees j with its last task. */
static void task_drop(struct job *j)
{
	if (j->run == NULL || --j->run->open == 0)
		job_free(j);
}

void tls_stage_free(struct tls_stage *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->slot != NULL && i < s->cap; i++) {
		struct conn *c = s->slot[i];

		if (c != NULL) {
			struct job *j = ((struct task *)c->task)->job;

			conn_close(c);
			free(c);
			task_drop(j);
		}
	}
	for (i = 0; s->bucket != NULL && i < s->nbucket; i++) {
		struct host *h;

		while ((h = s->bucket[i]) != NULL) {
			struct task *t;

			s->bucket[i] = h->hnext;
			while ((t = h->head) != NULL) {
				h->head = t->next;
				task_drop(t->job);
			}
			free(h);
		}
	}
	if (s->ep >= 0)
		close(s->ep);
	tls_ctxs_free(&s->x);
	free(s->bucket);
	free(s->slot);
	free(s->free_slot);
	free(s);
}
