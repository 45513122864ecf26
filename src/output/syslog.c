/*
 * syslog.c — `--syslog URL`: the CEF lines of cef.h, each sent as one RFC 5424
 * message to a syslog receiver over UDP (RFC 5426: one message per datagram)
 * or TCP (RFC 6587 octet counting: "LEN SP MSG", no trailing newline).
 *
 *   <PRI>1 TIMESTAMP HOSTNAME portus PROCID MSGID - CEF:0|portus|...
 *
 *   PRI       facility local0 (16) * 8 + a severity from the CEF severity:
 *             0-3 informational (6), 4-6 warning (4), 7-8 error (3),
 *             9-10 critical (2)
 *   TIMESTAMP when the message was sent, UTC, microseconds (RFC 3339)
 *   HOSTNAME  the scanner's host name, "-" when unknown or not printable ASCII
 *   PROCID    portus's process id
 *   MSGID     the CEF Signature ID (port-open, tls-endpoint, ...)
 *   SD        "-"; MSG is the CEF line, without a BOM: CEF parsers (ArcSight,
 *             QRadar, Sentinel's agent) look for "CEF:" at its first byte
 *
 * The sink connects at open, so a wrong TCP address fails before the scan.
 * Sends are blocking with a timeout (a stuck receiver delays the scan by
 * seconds, never forever). A failed TCP send reconnects once and sends the
 * message again; when that fails too the receiver is given up and later
 * messages are only counted. Lost messages are counted, not reported one by
 * one: the close reports how many and returns -1 (portus then exits 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "hostport.h"
#include "output/cef.h"
#include "output/lines.h"
#include "portus.h"
#include "strbuf.h"
#include "writer.h"

#define SYSLOG_FACILITY 16      /* local0 */
#define SYSLOG_CONNECT_MS 5000  /* TCP connect, at open and on a reconnect */
#define SYSLOG_SEND_TIMEOUT_S 5 /* one blocked send */
#define SYSLOG_MAX_RECONNECTS 3 /* over the whole run: a flapping receiver costs bounded time */
#define SYSLOG_MAX_HOST HOSTPORT_HOST_MAX

struct syslog_sink {
	struct line_sink base;
	int fd; /* -1 while disconnected */
	int tcp;
	struct sockaddr_storage addr; /* the address that connected, for reconnects */
	socklen_t addrlen;
	char where[PORTUS_SHOW_MAX + 16]; /* the URL as shown in messages */
	char hostname[256];               /* HOSTNAME field */
	char procid[24];
	struct strbuf msg;     /* the RFC 5424 message being built */
	struct strbuf frame;   /* TCP: the message with its octet count */
	struct strbuf partial; /* a line still without its newline */
	uint64_t total, failed;
	unsigned reconnects;
	int dead;       /* TCP receiver given up */
	int last_errno; /* why the last message was lost */
};

/* ---- sockets ---- */

static void set_send_timeout(int fd)
{
	struct timeval tv = { SYSLOG_SEND_TIMEOUT_S, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A connected socket to addr, or -1 with errno. TCP connects within
 * SYSLOG_CONNECT_MS; the socket is blocking afterwards. */
static int sock_connect(const struct sockaddr *addr, socklen_t addrlen, int tcp)
{
	int fd = socket(addr->sa_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	int flags, soerr = 0, e;
	socklen_t len = sizeof(soerr);
	struct pollfd pfd;

	if (fd < 0)
		return -1;
	if (!tcp) {
		if (connect(fd, addr, addrlen) != 0)
			goto fail;
		set_send_timeout(fd);
		return fd;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		goto fail;
	if (connect(fd, addr, addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			e = poll(&pfd, 1, SYSLOG_CONNECT_MS);
		while (e < 0 && errno == EINTR);
		if (e == 0)
			errno = ETIMEDOUT;
		if (e <= 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) != 0)
		goto fail;
	set_send_timeout(fd);
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Sends all of p[0..n) on a stream. 0, or -1 with errno. */
static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EPIPE;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* 1 when the TCP receiver has closed its end (a send would go to a dead
 * connection and be lost silently), else 0. Anything it sent is discarded. */
static int peer_closed(int fd)
{
	char buf[256];

	for (int i = 0; i < 64; i++) {
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k == 0)
			return 1;
		if (k < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
	}
	return 0; /* a chatty receiver: not closed */
}

static void drop_connection(struct syslog_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* A lost message: counted, and why. */
static int lost(struct syslog_sink *s, int err)
{
	s->failed++;
	if (err != 0)
		s->last_errno = err;
	return -1;
}

static int reconnect(struct syslog_sink *s)
{
	drop_connection(s);
	if (s->reconnects >= SYSLOG_MAX_RECONNECTS) {
		s->dead = 1;
		return -1;
	}
	s->reconnects++;
	s->fd = sock_connect((const struct sockaddr *)&s->addr, s->addrlen, 1);
	if (s->fd < 0) {
		s->last_errno = errno;
		s->dead = 1;
		return -1;
	}
	return 0;
}

static int tcp_send(struct syslog_sink *s, const char *p, size_t n)
{
	if (s->dead)
		return lost(s, 0);
	if (s->fd >= 0 && peer_closed(s->fd)) {
		s->last_errno = EPIPE;
		if (reconnect(s) != 0)
			return lost(s, 0);
	}
	if (s->fd >= 0 && send_all(s->fd, p, n) == 0)
		return 0;
	s->last_errno = errno;
	/* The receiver may have half of this frame: a new connection starts clean. */
	if (reconnect(s) != 0)
		return lost(s, 0);
	if (send_all(s->fd, p, n) == 0)
		return 0;
	s->last_errno = errno;
	drop_connection(s);
	s->dead = 1;
	return lost(s, 0);
}

static int udp_send(struct syslog_sink *s, const char *p, size_t n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		ssize_t k;

		do
			k = send(s->fd, p, n, 0);
		while (k < 0 && errno == EINTR);
		if (k == (ssize_t)n)
			return 0;
		if (k >= 0)
			return lost(s, EMSGSIZE);
		/* An ICMP port unreachable for an earlier datagram: that one was
		 * lost; this one was not sent, so send it again once. */
		if (errno == ECONNREFUSED && attempt == 0) {
			(void)lost(s, ECONNREFUSED);
			continue;
		}
		return lost(s, errno);
	}
	return -1;
}

/* ---- RFC 5424 messages ---- */

/* CEF severity 0-10 to a syslog severity (table at the top). */
static int syslog_severity(int cef)
{
	if (cef >= 9)
		return 2;
	if (cef >= 7)
		return 3;
	if (cef >= 4)
		return 4;
	return 6;
}

/* MSGID: 1-32 printable US-ASCII characters (RFC 5424 section 6.2.7). */
static int msgid_ok(const char *p, size_t n)
{
	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 33 || p[i] > 126)
			return 0;
	return 1;
}

static void append_timestamp(struct strbuf *b)
{
	int64_t us = wall_us();
	struct tm tm;
	time_t t = (time_t)(us / 1000000);

	if (gmtime_r(&t, &tm) == NULL) {
		sb_puts(b, "-");
		return;
	}
	sb_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(us % 1000000));
}

/* Frames and sends one CEF line (no newline). Failures are counted. */
static void send_line(struct syslog_sink *s, const char *line, size_t len)
{
	const char *sig = NULL;
	size_t siglen = 0;
	int cef_sev = 3;

	if (len == 0)
		return;
	s->total++;
	if (cef_header_peek(line, len, &sig, &siglen, &cef_sev) != 0 || !msgid_ok(sig, siglen)) {
		sig = "-";
		siglen = 1;
	}
	sb_reset(&s->msg);
	sb_printf(&s->msg, "<%d>1 ", SYSLOG_FACILITY * 8 + syslog_severity(cef_sev));
	append_timestamp(&s->msg);
	sb_printf(&s->msg, " %s portus %s ", s->hostname, s->procid);
	sb_append(&s->msg, sig, siglen);
	sb_puts(&s->msg, " - ");
	sb_append(&s->msg, line, len);
	if (s->msg.oom) {
		(void)lost(s, ENOMEM);
		return;
	}
	if (!s->tcp) {
		(void)udp_send(s, s->msg.p, s->msg.len);
		return;
	}
	/* Octet counting: the decimal length of all of MSG, a space, MSG. */
	sb_reset(&s->frame);
	sb_printf(&s->frame, "%zu ", s->msg.len);
	sb_append(&s->frame, s->msg.p, s->msg.len);
	if (s->frame.oom) {
		(void)lost(s, ENOMEM);
		return;
	}
	(void)tcp_send(s, s->frame.p, s->frame.len);
}

/* Sends each complete line of p[0..len); keeps an unfinished tail for later. */
static int syslog_write(struct line_sink *base, const char *p, size_t len)
{
	struct syslog_sink *s = (struct syslog_sink *)base;
	const char *end = p + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (s->partial.len > 0) {
			sb_append(&s->partial, p, (size_t)(nl - p));
			if (!s->partial.oom)
				send_line(s, s->partial.p, s->partial.len);
			else
				(void)lost(s, ENOMEM);
			sb_reset(&s->partial);
		} else {
			send_line(s, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	if (p < end)
		sb_append(&s->partial, p, (size_t)(end - p));
	/* Lost messages are counted and reported at close, not as a write error:
	 * the scan goes on and the other outputs are complete. */
	return 0;
}

static int syslog_close(struct line_sink *base)
{
	struct syslog_sink *s = (struct syslog_sink *)base;
	int soerr = 0, r = 0;
	socklen_t len = sizeof(soerr);

	if (s->partial.len > 0 && !s->partial.oom)
		send_line(s, s->partial.p, s->partial.len);
	/* A refusal of the last datagram arrives after its send. */
	if (!s->tcp && s->fd >= 0 && getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
	    soerr != 0)
		(void)lost(s, soerr);
	if (s->failed > s->total)
		s->failed = s->total;
	if (s->failed > 0) {
		fprintf(stderr,
			"portus: syslog %s: %" PRIu64 " of %" PRIu64
			" messages not delivered (%s)\n",
			s->where, s->failed, s->total,
			s->last_errno != 0 ? strerror(s->last_errno) : "unknown error");
		r = -1;
	}
	drop_connection(s);
	sb_free(&s->msg);
	sb_free(&s->frame);
	sb_free(&s->partial);
	free(s);
	return r;
}

/* ---- the URL ---- */

/* Splits udp://HOST:PORT / tcp://HOST:PORT ([IPv6]:PORT; hostport.h). 0, or -1 with err. */
static int parse_url(const char *url, int *tcp, char *host, size_t hostlen, char *port,
		     size_t portlen, int *numeric, char *err, size_t errlen)
{
	char show[PORTUS_SHOW_MAX + 4], why[PORTUS_ERRLEN];
	struct hostport hp;

	portus_show(show, url, strlen(url));
	if (strncmp(url, "udp://", 6) == 0) {
		*tcp = 0;
	} else if (strncmp(url, "tcp://", 6) == 0) {
		*tcp = 1;
	} else {
		portus_err(err, errlen, "--syslog %s: expected udp://HOST:PORT or tcp://HOST:PORT",
			   show);
		return -1;
	}
	if (hostport_parse(url + 6, strlen(url + 6), 1, &hp, why, sizeof(why)) != 0) {
		portus_err(err, errlen, "--syslog %s: %s%s", show, why,
			   strncmp(why, "missing :PORT", 13) == 0 ? " (syslog is often 514)" : "");
		return -1;
	}
	snprintf(host, hostlen, "%s", hp.host);
	snprintf(port, portlen, "%u", (unsigned)hp.port);
	*numeric = hp.family != AF_UNSPEC;
	return 0;
}

/* Resolves and connects; fills s->fd, s->addr. 0, or -1 with err. */
static int open_socket(struct syslog_sink *s, const char *host, const char *port, int numeric,
		       char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = s->tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		portus_err(err, errlen, "--syslog %s: cannot resolve %s: %s", s->where, host,
			   rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(s->addr))
			continue;
		s->fd = sock_connect(ai->ai_addr, ai->ai_addrlen, s->tcp);
		if (s->fd >= 0) {
			memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
			s->addrlen = ai->ai_addrlen;
			break;
		}
		e = errno;
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		portus_err(err, errlen, "--syslog %s: cannot connect: %s", s->where,
			   strerror(e != 0 ? e : EADDRNOTAVAIL));
		return -1;
	}
	return 0;
}

/* HOSTNAME: printable US-ASCII, 1-255 characters, else the NILVALUE. */
static void set_hostname(struct syslog_sink *s, const char *name)
{
	size_t n = strnlen(name, sizeof(s->hostname));

	snprintf(s->hostname, sizeof(s->hostname), "-");
	if (n == 0 || n > 255)
		return;
	for (size_t i = 0; i < n; i++)
		if (name[i] < 33 || name[i] > 126)
			return;
	memcpy(s->hostname, name, n);
	s->hostname[n] = '\0';
}

struct writer *writer_syslog_open(const char *url, const struct run_info *ri, char *err,
				  size_t errlen)
{
	struct syslog_sink *s = calloc(1, sizeof(*s));
	char host[SYSLOG_MAX_HOST + 1], port[8], show[PORTUS_SHOW_MAX + 4];
	int numeric;

	if (s == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	sb_init(&s->msg);
	sb_init(&s->frame);
	sb_init(&s->partial);
	snprintf(s->where, sizeof(s->where), "%s", portus_show(show, url, strlen(url)));
	if (parse_url(url, &s->tcp, host, sizeof(host), port, sizeof(port), &numeric, err,
		      errlen) != 0 ||
	    open_socket(s, host, port, numeric, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	set_hostname(s, ri->hostname);
	snprintf(s->procid, sizeof(s->procid), "%ld", (long)getpid());
	s->base.write = syslog_write;
	s->base.close = syslog_close;
	return cef_writer_new(&s->base, 0, ri, err, errlen);
}
