/*
 * test_tls_stage.c — the TLS stage against servers this test starts on
 * 127.0.0.1 (ephemeral ports, one thread each): a TLS server answering HEAD,
 * refused, silent, dripping, plain HTTP, closing, resetting, garbage, an
 * alerting server, a 1.2-only server, a server choosing h2, a too-large
 * certificate; the concurrency and per-host limits; the banner parser. The
 * IPv6 cases use ::1 (skipped when the host has no IPv6 loopback).
 *
 * Every server is bounded: it serves a fixed number of connections, gives up
 * after 5 s without one, and sets 2 s socket timeouts.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "addr.h"
#include "portus.h"
#include "tls/banner.h"
#include "tls_stage.h"

#define LOOPBACK4 0x7f000001u            /* 127.0.0.1, host order */
#define LOOPBACK addr_from_v4(LOOPBACK4) /* the stage's 127.0.0.1 */
#define MAX_GOT 16

/* ::1, the IPv6 loopback. */
static ip_addr loopback6(void)
{
	ip_addr a = { 1 };

	return a;
}

/* ---- certificates ---- */

struct cert {
	EVP_PKEY *key;
	X509 *x;
};

/* Self-signed P-256 certificate for CN=cn; pad > 0 adds a private extension
 * of that many bytes (a certificate too large to accept). */
static void cert_make(struct cert *c, const char *cn, size_t pad)
{
	X509_NAME *n;

	c->key = EVP_EC_gen("P-256");
	assert_non_null(c->key);
	c->x = X509_new();
	assert_non_null(c->x);
	assert_int_equal(X509_set_version(c->x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(c->x), 0x5e1f), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(c->x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(c->x), 30 * 86400));
	assert_int_equal(X509_set_pubkey(c->x, c->key), 1);
	n = X509_get_subject_name(c->x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(c->x, n), 1);
	if (pad > 0) {
		ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		unsigned char *data = calloc(1, pad);
		X509_EXTENSION *ext;

		assert_non_null(oid);
		assert_non_null(os);
		assert_non_null(data);
		assert_int_equal(ASN1_OCTET_STRING_set(os, data, (int)pad), 1);
		ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
		assert_non_null(ext);
		assert_int_equal(X509_add_ext(c->x, ext, -1), 1);
		X509_EXTENSION_free(ext);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(oid);
		free(data);
	}
	assert_true(X509_sign(c->x, c->key, EVP_sha256()) > 0);
}

static void cert_free(struct cert *c)
{
	X509_free(c->x);
	EVP_PKEY_free(c->key);
}

/* ---- test servers ---- */

enum srv_mode {
	SRV_TLS,     /* TLS; answers a HEAD with "HTTP/1.1 200 OK", Server: testsrv */
	SRV_SILENT,  /* accepts, reads, never writes */
	SRV_DRIP,    /* a TLS record header, one byte every 100 ms */
	SRV_HTTP,    /* plain HTTP: 400 Bad Request to anything */
	SRV_CLOSE,   /* accepts and closes */
	SRV_RST,     /* accepts and resets (SO_LINGER 0) */
	SRV_GARBAGE, /* random bytes after the ClientHello */
};

struct srv {
	/* set before srv_start */
	enum srv_mode mode;
	const struct cert *cert;
	int min_version, max_version; /* SRV_TLS, 0: library defaults */
	int legacy;                   /* SRV_TLS: @SECLEVEL=0 (needed for TLS 1.0/1.1) */
	int alpn;                     /* 1: choose h2 when offered; -1: fatal alert */
	int want_client_cert;         /* 1: fail without a client certificate */
	int conns;                    /* connections to serve */
	int check_overlap;            /* count connections waiting while one is served */
	unsigned seed;                /* SRV_GARBAGE */
	int garbage_tls_header;       /* SRV_GARBAGE: a TLS handshake record header first */
	const char *answer;           /* SRV_TLS: instead of the 200 OK */
	int hold;                     /* SRV_TLS: after answering, wait for the client to leave */
	int v6;                       /* listen on [::1] instead of 127.0.0.1 */
	const unsigned char *staple;  /* SRV_TLS: these bytes as the OCSP staple, when asked */
	size_t staple_len;

	/* results, read after srv_join */
	int accepted, handshakes, requests, overlap;
	char sni[256];
	char host[300]; /* SRV_TLS: the Host header value of the last request */

	int lfd;
	uint16_t port;
	SSL_CTX *ctx;
	pthread_t th;
};

static int sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct srv *s = arg;
	const char *n = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	(void)alert;
	if (n != NULL)
		snprintf(s->sni, sizeof(s->sni), "%s", n);
	return SSL_TLSEXT_ERR_OK;
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char h2[] = "\x02h2", h1[] = "\x08http/1.1";
	const struct srv *s = arg;
	unsigned char *o = NULL;

	(void)ssl;
	if (s->alpn < 0)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	if (SSL_select_next_proto(&o, outlen, h2, 3, in, inlen) == OPENSSL_NPN_NEGOTIATED ||
	    SSL_select_next_proto(&o, outlen, h1, 9, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
		*out = o;
		return SSL_TLSEXT_ERR_OK;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

static void drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

static void serve_tls(struct srv *s, int fd)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nServer: testsrv\r\nContent-Length: 0\r\n\r\n";
	const char *answer = s->answer != NULL ? s->answer : ok;
	SSL *ssl = SSL_new(s->ctx);
	char req[4096];
	size_t len = 0, n;

	if (ssl == NULL)
		return;
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };

		s->handshakes++;
		if (s->check_overlap && poll(&p, 1, 50) > 0)
			s->overlap++;
		while (len < sizeof(req) - 1 &&
		       SSL_read_ex(ssl, req + len, sizeof(req) - 1 - len, &n)) {
			len += n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL) {
				const char *h = strstr(req, "\r\nHost: ");

				s->requests++;
				if (h != NULL)
					snprintf(s->host, sizeof(s->host), "%.*s",
						 (int)strcspn(h + 8, "\r\n"), h + 8);
				(void)SSL_write_ex(ssl, answer, strlen(answer), &n);
				break;
			}
		}
		while (s->hold && SSL_read_ex(ssl, req, sizeof(req), &n))
			;
		(void)SSL_shutdown(ssl);
	}
	SSL_free(ssl);
	ERR_clear_error();
}

static void serve(struct srv *s, int fd)
{
	static const char http400[] =
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct timeval tv = { .tv_sec = 2 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned char buf[512];
	unsigned x = s->seed | 1;
	size_t i;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	switch (s->mode) {
	case SRV_TLS:
		serve_tls(s, fd);
		break;
	case SRV_SILENT:
		drain(fd);
		break;
	case SRV_DRIP:
		(void)recv(fd, buf, sizeof(buf), 0);
		for (i = 0; i < 30; i++) {
			unsigned char b = i == 0 ? 0x16 : i == 1 ? 0x03 : i == 2 ? 0x03 : 0x01;
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (send(fd, &b, 1, MSG_NOSIGNAL) != 1)
				break;
			if (poll(&p, 1, 100) > 0) /* the client closed */
				break;
		}
		break;
	case SRV_HTTP:
		(void)recv(fd, buf, sizeof(buf), 0);
		(void)send(fd, http400, sizeof(http400) - 1, MSG_NOSIGNAL);
		break;
	case SRV_CLOSE:
		break;
	case SRV_RST:
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	case SRV_GARBAGE:
		(void)recv(fd, buf, sizeof(buf), 0);
		for (i = 0; i < sizeof(buf); i++) { /* xorshift32 */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		if (s->garbage_tls_header) { /* handshake record, exact length */
			memcpy(buf, "\x16\x03\x03", 3);
			buf[3] = (sizeof(buf) - 5) >> 8;
			buf[4] = (sizeof(buf) - 5) & 0xff;
		}
		(void)send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
		drain(fd);
		break;
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (s->accepted < s->conns) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 5000) <= 0)
			break; /* nobody came: the test fails on its own */
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		s->accepted++;
		serve(s, fd);
		close(fd);
	}
	return NULL;
}

/* Staples s->staple, whatever its bytes (a hostile server). */
static int status_cb(SSL *ssl, void *arg)
{
	const struct srv *s = arg;
	unsigned char *copy = OPENSSL_memdup(s->staple, s->staple_len); /* SSL takes it */

	if (copy == NULL || SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)s->staple_len) != 1)
		OPENSSL_free(copy);
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *srv_ctx(struct srv *s)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, s->cert->x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, s->cert->key), 1);
	if (s->min_version)
		assert_int_equal(SSL_CTX_set_min_proto_version(ctx, s->min_version), 1);
	if (s->max_version)
		assert_int_equal(SSL_CTX_set_max_proto_version(ctx, s->max_version), 1);
	if (s->legacy)
		assert_int_equal(SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"), 1);
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, s);
	if (s->alpn)
		SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, s);
	if (s->want_client_cert)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (s->staple != NULL) {
		SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
		SSL_CTX_set_tlsext_status_arg(ctx, s);
	}
	return ctx;
}

/* A TCP socket bound to port 0 of 127.0.0.1 or [::1] (IPv6 only); its port
 * in *port. */
static int loopback_socket(int v6, uint16_t *port)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	socklen_t len = v6 ? sizeof(sa.v6) : sizeof(sa.v4);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	if (v6) {
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_addr = in6addr_loopback;
	} else {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_addr.s_addr = htonl(LOOPBACK4);
	}
	assert_int_equal(bind(fd, &sa.sa, len), 0);
	assert_int_equal(getsockname(fd, &sa.sa, &len), 0);
	*port = ntohs(v6 ? sa.v6.sin6_port : sa.v4.sin_port);
	return fd;
}

/* Skips the calling test when ::1 cannot be bound (no IPv6 on this host). */
static void need_ipv6_loopback(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		print_message("no IPv6 loopback (::1): skipped\n");
		skip();
	}
}

static void srv_start(struct srv *s)
{
	if (s->conns == 0)
		s->conns = 1;
	if (s->mode == SRV_TLS)
		s->ctx = srv_ctx(s);
	s->lfd = loopback_socket(s->v6, &s->port);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_join(struct srv *s)
{
	assert_int_equal(pthread_join(s->th, NULL), 0);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
}

/* A loopback port nobody listens on (bound, then closed). */
static uint16_t closed_port_at(int v6)
{
	uint16_t port;

	close(loopback_socket(v6, &port));
	return port;
}

static uint16_t closed_port(void)
{
	return closed_port_at(0);
}

/* ---- running the stage ---- */

struct rec {
	struct tls_result r; /* owned pointers cleared */
	char status[TLS_MAX_BANNER_LINE + 1], server[TLS_MAX_BANNER_LINE + 1];
	size_t status_len, server_len;
	int has_leaf;
	uint8_t sha256[32];
};

struct got {
	size_t n;
	struct rec v[MAX_GOT];
};

static void on_result(void *ctx, const struct tls_result *r)
{
	struct got *g = ctx;
	struct rec *e;

	assert_true(g->n < MAX_GOT);
	e = &g->v[g->n++];
	memset(e, 0, sizeof(*e));
	e->r = *r;
	memset(&e->r.certs, 0, sizeof(e->r.certs));
	memset(&e->r.http_status, 0, sizeof(e->r.http_status));
	memset(&e->r.http_server, 0, sizeof(e->r.http_server));
	e->has_leaf = r->certs.has_leaf;
	memcpy(e->sha256, r->certs.leaf.sha256, sizeof(e->sha256));
	assert_true(r->http_status.len <= TLS_MAX_BANNER_LINE);
	assert_true(r->http_server.len <= TLS_MAX_BANNER_LINE);
	if (r->http_status.p != NULL)
		memcpy(e->status, r->http_status.p, r->http_status.len);
	if (r->http_server.p != NULL)
		memcpy(e->server, r->http_server.p, r->http_server.len);
	e->status_len = r->http_status.len;
	e->server_len = r->http_server.len;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct tls_stage_opts opts_default(void)
{
	struct tls_stage_opts o = {
		.concurrency = 16,
		.per_host = 8,
		.timeout_ms = 3000,
		.banner = 1,
	};
	return o;
}

/* Runs until every endpoint is reported (at most 20 s); returns the time taken. */
static int64_t drain_stage(struct tls_stage *s)
{
	int64_t t0 = now_ms();

	while (tls_stage_pending(s) > 0 && now_ms() - t0 < 20000)
		(void)tls_stage_run(s, 100);
	assert_int_equal(tls_stage_pending(s), 0);
	return now_ms() - t0;
}

/* One endpoint ip:port; its record in g->v[0]. */
static void scan_one_at(const struct tls_stage_opts *o, ip_addr ip, uint16_t port, const char *sni,
			struct got *g)
{
	char err[PORTUS_ERRLEN];
	struct tls_stage *s = tls_stage_new(o, on_result, g, err, sizeof(err));

	assert_non_null(s);
	assert_int_equal(tls_stage_add(s, ip, port, sni), 0);
	(void)drain_stage(s);
	tls_stage_free(s);
	assert_int_equal(g->n, 1);
	assert_true(addr_eq(g->v[0].r.ip, ip));
	assert_int_equal(g->v[0].r.port, port);
	assert_true(g->v[0].r.end_us >= g->v[0].r.start_us);
}

/* One endpoint on 127.0.0.1:port. */
static void scan_one(const struct tls_stage_opts *o, uint16_t port, const char *sni, struct got *g)
{
	scan_one_at(o, LOOPBACK, port, sni, g);
}

/* ---- (a) a normal TLS 1.3 server ---- */

static void test_tls_ok_records_session_banner_and_certificate(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	unsigned char want[32];
	unsigned int wl = 0;
	const struct rec *e;
	char host[64];

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	e = &g.v[0];
	assert_string_equal(tls_outcome_name(e->r.outcome), "ok");
	assert_string_equal(e->r.detail, "");
	assert_string_equal(e->r.version, "TLSv1.3");
	assert_true(strncmp(e->r.cipher, "TLS_", 4) == 0);
	assert_string_equal(e->r.alpn, ""); /* the server does not do ALPN */
	assert_true(e->r.group[0] != '\0');
	assert_string_equal(e->r.sni, "");
	assert_string_equal(s.sni, "");
	assert_int_equal(e->r.banner_done, 1);
	assert_int_equal(e->status_len, strlen("HTTP/1.1 200 OK"));
	assert_memory_equal(e->status, "HTTP/1.1 200 OK", e->status_len);
	assert_int_equal(e->server_len, strlen("testsrv"));
	assert_memory_equal(e->server, "testsrv", e->server_len);
	assert_int_equal(e->r.banner_truncated, 0);
	assert_int_equal(s.requests, 1);
	snprintf(host, sizeof(host), "127.0.0.1:%u", (unsigned)s.port);
	assert_string_equal(s.host, host);
	assert_int_equal(e->has_leaf, 1);
	assert_int_equal(X509_digest(c.x, EVP_sha256(), want, &wl), 1);
	assert_int_equal(wl, 32);
	assert_memory_equal(e->sha256, want, 32);
	/* Self-signed and not in any store. */
	assert_int_equal(e->r.verify_ok, 0);
	assert_int_equal(e->r.verify_code, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_true(e->r.verify_error[0] != '\0');
	assert_int_equal(e->r.hostname_checked, 0);
	assert_int_equal(e->r.versions_tested, 0);
	cert_free(&c);
}

/* The checks on a live handshake: a clean one, then hostile staples (not
 * DER, an unsuccessful response, a successful one without a body) and the
 * HSTS header of the banner. */
static void test_tls_checks_clean_then_hostile_staples(void **state)
{
	static const unsigned char not_der[] = "not an OCSP response";
	static const unsigned char malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
	static const unsigned char no_body[] = { 0x30, 0x03, 0x0a, 0x01, 0x00 };
	static const struct {
		const unsigned char *p;
		size_t len;
		const char *error;
	} staples[] = {
		{ NULL, 0, NULL },
		{ not_der, sizeof(not_der) - 1, "undecodable response" },
		{ malformed, sizeof(malformed), "response status not successful" },
		{ no_body, sizeof(no_body), "no basic response" },
	};
	struct cert c;

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	for (size_t i = 0; i < sizeof(staples) / sizeof(staples[0]); i++) {
		struct srv s = {
			.mode = SRV_TLS,
			.cert = &c,
			.staple = staples[i].p,
			.staple_len = staples[i].len,
			.answer = "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=10; "
				  "preload\r\n\r\n"
		};
		struct tls_stage_opts o = opts_default();
		struct got g = { 0 };
		const struct tls_result *r;

		srv_start(&s);
		scan_one(&o, s.port, NULL, &g);
		srv_join(&s);
		r = &g.v[0].r;
		assert_string_equal(tls_outcome_name(r->outcome), "ok");
		assert_int_equal(r->checks.done, 1);
		assert_int_equal(r->checks.ocsp_stapled, staples[i].p != NULL);
		if (staples[i].error == NULL)
			assert_null(r->checks.ocsp_error);
		else
			assert_string_equal(r->checks.ocsp_error, staples[i].error);
		assert_int_equal(r->checks.ocsp_status, TLS_OCSP_NONE);
		assert_int_equal(r->checks.must_staple, 0);
		assert_int_equal(r->checks.sct_embedded + r->checks.sct_tls + r->checks.sct_ocsp,
				 0);
		assert_string_equal(r->checks.tmp_key_type, "X25519"); /* OpenSSL's first group */
		assert_int_equal(r->checks.tmp_key_bits, 253);
		/* one self-signed P-256 certificate, valid 30 days: nothing wrong */
		assert_int_equal(r->checks.weak_keys + r->checks.sha1_sigs + r->checks.md5_sigs, 0);
		assert_int_equal(r->checks.chain_misordered, 0);
		assert_int_equal(r->checks.missing_intermediates, 0);
		assert_int_equal(r->checks.validity_over, 0);
		assert_int_equal(r->hsts.present, 1);
		assert_int_equal(r->hsts.valid, 1);
		assert_int_equal(r->hsts.max_age, 10);
		assert_int_equal(r->hsts.preload, 1);
		assert_int_equal(r->hsts.include_subdomains, 0);
		assert_int_equal(tls_result_findings(r),
				 staples[i].p != NULL ? 1u << TLS_FIND_OCSP_INVALID : 0);
	}
	cert_free(&c);
}

static void test_tls_ca_file_makes_the_chain_verify(void **state)
{
	char path[] = "/tmp/portus-test-ca-XXXXXX";
	struct cert c;
	struct srv s = { .mode = SRV_TLS };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	FILE *f;
	int fd;

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, c.x), 1);
	fclose(f);
	s.cert = &c;
	srv_start(&s);
	o.ca_file = path;
	o.banner = 0;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	unlink(path);
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_int_equal(g.v[0].r.verify_ok, 1);
	assert_int_equal(g.v[0].r.verify_code, X509_V_OK);
	assert_string_equal(g.v[0].r.verify_error, "");
	assert_int_equal(g.v[0].r.banner_done, 0); /* banner off */
	assert_int_equal(s.requests, 0);
	cert_free(&c);
}

static void test_tls_new_rejects_unreadable_ca_file_and_bad_options(void **state)
{
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	char err[PORTUS_ERRLEN];

	(void)state;
	o.ca_file = "/nonexistent/portus-ca.pem";
	assert_null(tls_stage_new(&o, on_result, &g, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/portus-ca.pem: cannot load CA certificates"));
	o = opts_default();
	o.concurrency = 0;
	assert_null(tls_stage_new(&o, on_result, &g, err, sizeof(err)));
	o = opts_default();
	o.timeout_ms = 0;
	assert_null(tls_stage_new(&o, on_result, &g, err, sizeof(err)));
	assert_null(tls_stage_new(NULL, on_result, &g, err, sizeof(err)));
}

/* SNI is sent; the certificate does not carry that name. */
static void test_tls_sends_sni_and_checks_the_name(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS, .conns = 2 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 }, g2 = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	scan_one(&o, s.port, "www.example.test", &g);
	assert_string_equal(g.v[0].r.sni, "www.example.test");
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_int_equal(g.v[0].r.hostname_checked, 1);
	assert_int_equal(g.v[0].r.hostname_match, 0);
	/* the CN (no SAN) matches */
	scan_one(&o, s.port, "testsrv.local", &g2);
	srv_join(&s);
	assert_string_equal(s.sni, "testsrv.local");
	assert_int_equal(g2.v[0].r.hostname_checked, 1);
	assert_int_equal(g2.v[0].r.hostname_match, 1);
	cert_free(&c);
}

/* A name that is not one never reaches the wire. */
static void test_tls_invalid_sni_is_an_error_without_connecting(void **state)
{
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	scan_one(&o, closed_port(), "bad name\r\nX-Injected: 1", &g);
	assert_int_equal(g.v[0].r.outcome, TLS_ERROR); /* not refused: no connect */
	assert_string_equal(g.v[0].r.detail, "invalid server name");
	assert_string_equal(g.v[0].r.sni, "");
}

/* ---- (b)-(e), (h): failure classes ---- */

static void test_tls_refused(void **state)
{
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	scan_one(&o, closed_port(), NULL, &g);
	assert_string_equal(tls_outcome_name(g.v[0].r.outcome), "refused");
}

static void test_tls_silent_listener_times_out(void **state)
{
	struct srv s = { .mode = SRV_SILENT };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	srv_start(&s);
	o.timeout_ms = 300;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_string_equal(tls_outcome_name(g.v[0].r.outcome), "timeout");
	assert_non_null(strstr(g.v[0].r.detail, "no answer to ClientHello"));
	assert_true(g.v[0].r.end_us - g.v[0].r.start_us >= 300000);
}

static void test_tls_dripping_server_times_out(void **state)
{
	struct srv s = { .mode = SRV_DRIP };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	srv_start(&s);
	o.timeout_ms = 400;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_int_equal(g.v[0].r.outcome, TLS_TIMEOUT);
	assert_non_null(strstr(g.v[0].r.detail, "stalled"));
}

static void test_tls_plain_http_is_not_tls(void **state)
{
	struct srv s = { .mode = SRV_HTTP };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	srv_start(&s);
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_string_equal(tls_outcome_name(g.v[0].r.outcome), "not-tls");
	assert_string_equal(g.v[0].r.detail, "plain HTTP answer");
	assert_int_equal(g.v[0].has_leaf, 0);
}

static void test_tls_close_and_rst_are_reset(void **state)
{
	static const enum srv_mode modes[] = { SRV_CLOSE, SRV_RST };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct srv s = { .mode = modes[i] };
		struct tls_stage_opts o = opts_default();
		struct got g = { 0 };

		srv_start(&s);
		scan_one(&o, s.port, NULL, &g);
		srv_join(&s);
		assert_string_equal(tls_outcome_name(g.v[0].r.outcome), "reset");
		assert_non_null(strstr(g.v[0].r.detail, "by the server"));
	}
}

static void test_tls_garbage_is_not_tls_or_error(void **state)
{
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++) {
		struct srv s = { .mode = SRV_GARBAGE,
				 .seed = seed * 2654435761u,
				 .garbage_tls_header = seed > 3 };
		struct tls_stage_opts o = opts_default();
		struct got g = { 0 };

		srv_start(&s);
		o.timeout_ms = 1000;
		scan_one(&o, s.port, NULL, &g);
		srv_join(&s);
		if (seed > 3)
			assert_int_equal(g.v[0].r.outcome, TLS_ERROR);
		else
			assert_true(g.v[0].r.outcome == TLS_NOT_TLS ||
				    g.v[0].r.outcome == TLS_ERROR);
		assert_true(g.v[0].r.detail[0] != '\0');
	}
}

static void test_tls_server_alert_is_named(void **state)
{
	struct cert c;
	struct srv a = { .mode = SRV_TLS, .alpn = -1 };
	struct srv b = { .mode = SRV_TLS, .max_version = TLS1_2_VERSION, .want_client_cert = 1 };
	struct tls_stage_opts o = opts_default();
	struct got ga = { 0 }, gb = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	a.cert = b.cert = &c;
	srv_start(&a);
	srv_start(&b);
	scan_one(&o, a.port, NULL, &ga);
	scan_one(&o, b.port, NULL, &gb);
	srv_join(&a);
	srv_join(&b);
	assert_string_equal(tls_outcome_name(ga.v[0].r.outcome), "alert");
	assert_string_equal(ga.v[0].r.alert, "no_application_protocol");
	assert_int_equal(gb.v[0].r.outcome, TLS_ALERT);
	assert_string_equal(gb.v[0].r.alert, "handshake_failure");
	cert_free(&c);
}

static void test_tls_oversized_certificate_is_an_error(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	cert_make(&c, "big.test", 300 * 1024);
	s.cert = &c;
	srv_start(&s);
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_int_equal(g.v[0].r.outcome, TLS_ERROR);
	assert_non_null(strstr(g.v[0].r.detail, "certificate chain too large"));
	cert_free(&c);
}

/* The banner stalls: the record stays ok, with what came before the deadline. */
static void test_tls_stalled_or_long_banner_is_kept_and_flagged(void **state)
{
	static char pad[10000];
	struct cert c;
	struct srv a = { .mode = SRV_TLS, .hold = 1, .answer = "HTTP/1.1 200 OK\r\nServer: slow" };
	struct srv b = { .mode = SRV_TLS, .hold = 1 };
	struct srv d = { .mode = SRV_TLS, .hold = 1, .answer = "" };
	struct tls_stage_opts o = opts_default();
	struct got ga = { 0 }, gb = { 0 }, gd = { 0 };
	size_t i;

	(void)state;
	strcpy(pad, "HTTP/1.1 200 OK\r\n");
	for (i = strlen(pad); i + 14 < sizeof(pad); i += 13)
		memcpy(pad + i, "X-Pad: aaaa\r\n", 13);
	pad[i] = '\0';
	cert_make(&c, "testsrv.local", 0);
	a.cert = b.cert = d.cert = &c;
	b.answer = pad;
	srv_start(&a);
	srv_start(&b);
	srv_start(&d);
	o.timeout_ms = 500;
	scan_one(&o, a.port, NULL, &ga);
	scan_one(&o, b.port, NULL, &gb);
	scan_one(&o, d.port, NULL, &gd);
	srv_join(&a);
	srv_join(&b);
	srv_join(&d);
	assert_int_equal(ga.v[0].r.outcome, TLS_OK);
	assert_int_equal(ga.v[0].r.banner_done, 1);
	assert_string_equal(ga.v[0].status, "HTTP/1.1 200 OK");
	assert_string_equal(ga.v[0].server, "slow");
	assert_int_equal(ga.v[0].r.banner_truncated, 1);
	/* 8 KiB read, no end of headers: status kept, flagged */
	assert_int_equal(gb.v[0].r.outcome, TLS_OK);
	assert_string_equal(gb.v[0].status, "HTTP/1.1 200 OK");
	assert_int_equal(gb.v[0].server_len, 0);
	assert_int_equal(gb.v[0].r.banner_truncated, 1);
	/* no answer at all */
	assert_int_equal(gd.v[0].r.outcome, TLS_OK);
	assert_int_equal(gd.v[0].r.banner_done, 0);
	assert_int_equal(gd.v[0].status_len, 0);
	assert_int_equal(gd.v[0].has_leaf, 1);
	cert_free(&c);
}

/* ---- (f) versions, h2 ---- */

static void test_tls_versions_of_a_12_only_server(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS,
			 .min_version = TLS1_2_VERSION,
			 .max_version = TLS1_2_VERSION,
			 .conns = 5 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	o.test_versions = 1;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_int_equal(s.accepted, 5); /* the record + 4 probes */
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_string_equal(g.v[0].r.version, "TLSv1.2");
	assert_int_equal(g.v[0].r.versions_tested, TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13);
	assert_int_equal(g.v[0].r.versions_accepted, TLS_V12);
	assert_int_equal(g.v[0].status_len, strlen("HTTP/1.1 200 OK"));
	cert_free(&c);
}

static void test_tls_versions_of_a_13_server(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS, .min_version = TLS1_2_VERSION, .conns = 5 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	o.test_versions = 1;
	o.banner = 0;
	o.per_host = 1;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_int_equal(g.v[0].r.versions_accepted, TLS_V12 | TLS_V13);
	cert_free(&c);
}

/* A TLS 1.0-only server still gives its certificate and banner. */
static void test_tls_legacy_10_only_server_is_ok(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS,
			 .min_version = TLS1_VERSION,
			 .max_version = TLS1_VERSION,
			 .legacy = 1,
			 .conns = 5 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	o.test_versions = 1;
	scan_one(&o, s.port, NULL, &g);
	srv_join(&s);
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_string_equal(g.v[0].r.version, "TLSv1");
	assert_true(strncmp(g.v[0].r.cipher, "TLS_", 4) == 0);
	assert_int_equal(g.v[0].has_leaf, 1);
	assert_string_equal(g.v[0].status, "HTTP/1.1 200 OK");
	assert_int_equal(g.v[0].r.versions_accepted, TLS_V10);
	cert_free(&c);
}

/* h2 chosen: ALPN recorded, banner fetched over a second, http/1.1 connection. */
static void test_tls_h2_server_gets_the_banner_over_http11(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS, .alpn = 1, .conns = 2 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };

	(void)state;
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	scan_one(&o, s.port, "testsrv.local", &g);
	srv_join(&s);
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_string_equal(g.v[0].r.alpn, "h2");
	assert_int_equal(s.handshakes, 2);
	assert_int_equal(s.requests, 1);
	assert_int_equal(g.v[0].status_len, strlen("HTTP/1.1 200 OK"));
	assert_memory_equal(g.v[0].server, "testsrv", 8);
	cert_free(&c);
}

/* ---- (g) limits ---- */

static void limits_case(unsigned concurrency, unsigned per_host, int *overlap)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS, .conns = 5, .check_overlap = 1 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	char err[PORTUS_ERRLEN];
	struct tls_stage *st;
	size_t i;

	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	o.concurrency = concurrency;
	o.per_host = per_host;
	st = tls_stage_new(&o, on_result, &g, err, sizeof(err));
	assert_non_null(st);
	for (i = 0; i < 5; i++)
		assert_int_equal(tls_stage_add(st, LOOPBACK, s.port, NULL), 0);
	assert_int_equal(tls_stage_pending(st), 5);
	(void)drain_stage(st);
	tls_stage_free(st);
	srv_join(&s);
	assert_int_equal(g.n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(g.v[i].r.outcome, TLS_OK);
		assert_int_equal(g.v[i].status_len, strlen("HTTP/1.1 200 OK"));
	}
	*overlap = s.overlap;
	cert_free(&c);
}

static void test_tls_concurrency_and_per_host_limits_hold(void **state)
{
	int overlap;

	(void)state;
	limits_case(1, 5, &overlap);
	assert_int_equal(overlap, 0);
	limits_case(5, 1, &overlap);
	assert_int_equal(overlap, 0);
	limits_case(5, 5, &overlap); /* the control: the server does see parallel clients */
	assert_true(overlap > 0);
}

/* Freeing a stage with connections in flight reports nothing and leaks nothing. */
static void test_tls_free_with_work_in_progress(void **state)
{
	struct srv s = { .mode = SRV_SILENT };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	char err[PORTUS_ERRLEN];
	struct tls_stage *st;

	(void)state;
	srv_start(&s);
	o.concurrency = 1;
	st = tls_stage_new(&o, on_result, &g, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(tls_stage_add(st, LOOPBACK, s.port, "a.test"), 0);
	assert_int_equal(tls_stage_add(st, LOOPBACK, s.port, NULL), 0);
	assert_int_equal(tls_stage_run(st, 50), 2); /* one connected, one queued */
	tls_stage_free(st);
	srv_join(&s);
	assert_int_equal(g.n, 0);
}

/* ---- banner parser ---- */

static void parse(const char *text, size_t len, int cut, struct tls_result *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(banner_parse(r, (const unsigned char *)text, len, cut), 0);
}

static void test_banner_parses_status_and_server(void **state)
{
	static const struct {
		const char *in, *status, *server;
		int truncated;
	} t[] = {
		{ "HTTP/1.1 200 OK\r\nDate: x\r\nserver:  nginx/1.25 \t\r\n\r\n", "HTTP/1.1 200 OK",
		  "nginx/1.25", 0 },
		{ "HTTP/1.0 302 Found\nSERVER: Apache\nServer: second\n\n", "HTTP/1.0 302 Found",
		  "Apache", 0 },
		{ "HTTP/1.1 204 No Content\r\nServer-Timing: a\r\n\r\nServer: body\r\n",
		  "HTTP/1.1 204 No Content", NULL, 0 },
		{ "HTTP/1.1 200 OK\r\nServer : lenient\r\n\r\n", "HTTP/1.1 200 OK", "lenient", 0 },
		{ "HTTP/1.1 200 OK\r\nServer:\r\n\r\n", "HTTP/1.1 200 OK", "", 0 },
		{ "HTTP/1.1 200 OK\r\nX: y", "HTTP/1.1 200 OK", NULL, 0 },
		{ "SSH-2.0-OpenSSH_9.6\r\n", "SSH-2.0-OpenSSH_9.6", NULL, 0 },
	};
	struct tls_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse(t[i].in, strlen(t[i].in), 0, &r);
		assert_int_equal(r.banner_done, 1);
		assert_string_equal((const char *)r.http_status.p, t[i].status);
		if (t[i].server == NULL) {
			assert_null(r.http_server.p);
		} else {
			assert_non_null(r.http_server.p);
			assert_string_equal((const char *)r.http_server.p, t[i].server);
		}
		assert_int_equal(r.banner_truncated, t[i].truncated);
		tls_result_free(&r);
	}
}

static void test_banner_keeps_raw_bytes_and_caps_lines(void **state)
{
	char big[2048];
	static const char nul[] = "HTTP/1.1 200 OK\r\nServer: a\0b\x01\xff\r\n\r\n";
	struct tls_result r;

	(void)state;
	parse(nul, sizeof(nul) - 1, 0, &r);
	assert_int_equal(r.http_server.len, 5);
	assert_memory_equal(r.http_server.p, "a\0b\x01\xff", 5);
	tls_result_free(&r);

	memset(big, 'A', sizeof(big));
	memcpy(big, "HTTP/1.1 200 ", 13);
	memcpy(big + 1000, "\r\nServer: ", 10);
	memcpy(big + 2044, "\r\n\r\n", 4);
	parse(big, sizeof(big), 0, &r);
	assert_int_equal(r.http_status.len, TLS_MAX_BANNER_LINE);
	assert_int_equal(r.http_server.len, TLS_MAX_BANNER_LINE);
	assert_int_equal(r.banner_truncated, 1);
	tls_result_free(&r);

	parse("HTTP/1.1 200 OK\r\nServ", 21, 1, &r); /* cut off by the cap or the deadline */
	assert_int_equal(r.banner_truncated, 1);
	assert_null(r.http_server.p);
	tls_result_free(&r);

	parse("", 0, 0, &r);
	assert_int_equal(r.banner_done, 0);
	assert_null(r.http_status.p);
}

static void test_banner_request_and_header_end(void **state)
{
	const ip_addr v4 = addr_from_v4(0xc612001e); /* 198.18.0.30 */
	char buf[512];
	static const char a[] =
		"HEAD / HTTP/1.1\r\nHost: www.lab.test\r\nUser-Agent: portus/0.1\r\n"
		"Connection: close\r\n\r\n";
	static const char b[] =
		"HEAD / HTTP/1.1\r\nHost: 198.18.0.30:8443\r\nUser-Agent: portus/0.1\r\n"
		"Connection: close\r\n\r\n";
	const unsigned char *h = (const unsigned char *)"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";

	(void)state;
	assert_int_equal(banner_request(buf, sizeof(buf), "www.lab.test", v4, 443), strlen(a));
	assert_string_equal(buf, a);
	assert_int_equal(banner_request(buf, sizeof(buf), "", v4, 8443), strlen(b));
	assert_string_equal(buf, b);
	assert_int_equal(banner_request(buf, sizeof(buf), NULL, v4, 443), strlen(b) - 5);
	assert_non_null(strstr(buf, "\r\nHost: 198.18.0.30\r\n"));
	assert_int_equal(banner_request(buf, 20, "www.lab.test", v4, 443), 0);

	assert_int_equal(banner_headers_end(h, 23, 0), 0);
	assert_int_equal(banner_headers_end(h, 24, 23), 0);
	assert_int_equal(banner_headers_end(h, 25, 24), 25);
	assert_int_equal(banner_headers_end((const unsigned char *)"X\n\n", 3, 0), 3);
	assert_int_equal(banner_headers_end((const unsigned char *)"\n", 1, 0), 0);
}

/* An IPv6 address in Host is bracketed (RFC 9110 7.2, RFC 3986 3.2.2), with
 * and without a port; a name is used as it is. */
static void test_banner_request_ipv6_host_is_bracketed(void **state)
{
	static const struct {
		const char *addr, *name;
		uint16_t port;
		const char *host;
	} t[] = {
		{ "2001:db8::1", NULL, 443, "[2001:db8::1]" },
		{ "2001:db8::1", "", 8443, "[2001:db8::1]:8443" },
		{ "::1", NULL, 4433, "[::1]:4433" },
		{ "2001:db8:0:1:2:3:4:5", NULL, 443, "[2001:db8:0:1:2:3:4:5]" },
		{ "2001:DB8:0:0:0:0:0:A", NULL, 443, "[2001:db8::a]" }, /* RFC 5952 form */
		{ "64:ff9b::198.18.0.1", NULL, 443, "[64:ff9b::c612:1]" },
		{ "2001:db8::1", "www.lab.test", 8443, "www.lab.test:8443" },
		{ "::ffff:198.18.0.30", NULL, 443, "198.18.0.30" }, /* that is IPv4 */
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL, 65535,
		  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" },
	};
	char buf[512], want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ip_addr ip;
		const char *why = NULL;
		int n;

		assert_int_equal(addr_parse(t[i].addr, strlen(t[i].addr), &ip, &why), 0);
		n = snprintf(want, sizeof(want),
			     "HEAD / HTTP/1.1\r\nHost: %s\r\nUser-Agent: portus/0.1\r\n"
			     "Connection: close\r\n\r\n",
			     t[i].host);
		assert_int_equal(banner_request(buf, sizeof(buf), t[i].name, ip, t[i].port),
				 (size_t)n);
		assert_string_equal(buf, want);
		/* one byte short: nothing */
		assert_int_equal(banner_request(buf, (size_t)n, t[i].name, ip, t[i].port), 0);
	}
}

/* ---- IPv6 (::1) ---- */

/* The same server over ::1: an AF_INET6 connection, the record's ip is ::1,
 * no SNI sent (nor any address as a name), Host: [::1]:port. */
static void test_tls_ipv6_loopback_handshake_and_banner(void **state)
{
	struct cert c;
	struct srv s = { .mode = SRV_TLS, .v6 = 1 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	unsigned char want[32];
	unsigned int wl = 0;
	const struct rec *e;
	char host[64], text[ADDR_STR_MAX];

	(void)state;
	need_ipv6_loopback();
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	scan_one_at(&o, loopback6(), s.port, NULL, &g);
	srv_join(&s);
	e = &g.v[0];
	assert_false(addr_is_v4(e->r.ip));
	(void)addr_to_str(e->r.ip, text);
	assert_string_equal(text, "::1");
	assert_string_equal(tls_outcome_name(e->r.outcome), "ok");
	assert_string_equal(e->r.detail, "");
	assert_string_equal(e->r.version, "TLSv1.3");
	assert_string_equal(e->r.sni, "");
	assert_string_equal(s.sni, ""); /* RFC 6066 3: no literal address as a name */
	assert_int_equal(e->r.hostname_checked, 0);
	assert_int_equal(s.accepted, 1);
	assert_int_equal(s.requests, 1);
	snprintf(host, sizeof(host), "[::1]:%u", (unsigned)s.port);
	assert_string_equal(s.host, host);
	assert_int_equal(e->r.banner_done, 1);
	assert_string_equal(e->status, "HTTP/1.1 200 OK");
	assert_string_equal(e->server, "testsrv");
	assert_int_equal(e->has_leaf, 1);
	assert_int_equal(X509_digest(c.x, EVP_sha256(), want, &wl), 1);
	assert_memory_equal(e->sha256, want, 32);
	cert_free(&c);
}

/* SNI over IPv6: the name is sent, checked, and used in Host; the h2 banner
 * connection and the version probes go over IPv6 too. */
static void test_tls_ipv6_sni_versions_and_h2_banner(void **state)
{
	struct cert c;
	struct srv s = {
		.mode = SRV_TLS, .v6 = 1, .alpn = 1, .min_version = TLS1_2_VERSION, .conns = 6
	};
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	char host[64];

	(void)state;
	need_ipv6_loopback();
	cert_make(&c, "testsrv.local", 0);
	s.cert = &c;
	srv_start(&s);
	o.test_versions = 1;
	scan_one_at(&o, loopback6(), s.port, "testsrv.local", &g);
	srv_join(&s);
	assert_int_equal(s.accepted, 6); /* record + h2 banner + 4 probes */
	assert_int_equal(g.v[0].r.outcome, TLS_OK);
	assert_string_equal(g.v[0].r.alpn, "h2");
	assert_string_equal(s.sni, "testsrv.local");
	assert_int_equal(g.v[0].r.hostname_checked, 1);
	assert_int_equal(g.v[0].r.hostname_match, 1);
	snprintf(host, sizeof(host), "testsrv.local:%u", (unsigned)s.port);
	assert_string_equal(s.host, host);
	assert_string_equal(g.v[0].status, "HTTP/1.1 200 OK");
	assert_int_equal(g.v[0].r.versions_accepted, TLS_V12 | TLS_V13);
	cert_free(&c);
}

static void test_tls_ipv6_refused_and_not_tls(void **state)
{
	struct srv s = { .mode = SRV_HTTP, .v6 = 1 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 }, g2 = { 0 };

	(void)state;
	need_ipv6_loopback();
	scan_one_at(&o, loopback6(), closed_port_at(1), NULL, &g);
	assert_string_equal(tls_outcome_name(g.v[0].r.outcome), "refused");
	srv_start(&s);
	scan_one_at(&o, loopback6(), s.port, NULL, &g2);
	srv_join(&s);
	assert_string_equal(tls_outcome_name(g2.v[0].r.outcome), "not-tls");
	assert_string_equal(g2.v[0].r.detail, "plain HTTP answer");
}

/* The per-host limit is per address: 127.0.0.1 and ::1 are two hosts (their
 * first connections overlap in time), while two endpoints of one host wait
 * for each other (per_host 1). */
static void test_tls_per_host_limit_keys_ipv4_and_ipv6_apart(void **state)
{
	struct srv s4 = { .mode = SRV_SILENT, .conns = 2 },
		   s6 = { .mode = SRV_SILENT, .conns = 2, .v6 = 1 };
	struct tls_stage_opts o = opts_default();
	struct got g = { 0 };
	char err[PORTUS_ERRLEN];
	struct tls_stage *st;
	const struct rec *a4[2], *a6[2];
	size_t i, n4 = 0, n6 = 0;

	(void)state;
	need_ipv6_loopback();
	srv_start(&s4);
	srv_start(&s6);
	o.per_host = 1;
	o.timeout_ms = 300;
	st = tls_stage_new(&o, on_result, &g, err, sizeof(err));
	assert_non_null(st);
	for (i = 0; i < 2; i++) {
		assert_int_equal(tls_stage_add(st, LOOPBACK, s4.port, NULL), 0);
		assert_int_equal(tls_stage_add(st, loopback6(), s6.port, NULL), 0);
	}
	(void)drain_stage(st);
	tls_stage_free(st);
	srv_join(&s4);
	srv_join(&s6);
	assert_int_equal(g.n, 4);
	for (i = 0; i < g.n; i++) {
		assert_int_equal(g.v[i].r.outcome, TLS_TIMEOUT);
		if (addr_is_v4(g.v[i].r.ip)) {
			assert_true(addr_eq(g.v[i].r.ip, LOOPBACK));
			a4[n4++] = &g.v[i];
		} else {
			assert_true(addr_eq(g.v[i].r.ip, loopback6()));
			a6[n6++] = &g.v[i];
		}
	}
	assert_int_equal(n4, 2);
	assert_int_equal(n6, 2);
	/* one host: one after the other */
	assert_true(a4[1]->r.start_us >= a4[0]->r.end_us);
	assert_true(a6[1]->r.start_us >= a6[0]->r.end_us);
	/* two hosts: side by side */
	assert_true(a6[0]->r.start_us < a4[0]->r.end_us);
	assert_true(a4[0]->r.start_us < a6[0]->r.end_us);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner_parses_status_and_server),
		cmocka_unit_test(test_banner_keeps_raw_bytes_and_caps_lines),
		cmocka_unit_test(test_banner_request_and_header_end),
		cmocka_unit_test(test_banner_request_ipv6_host_is_bracketed),
		cmocka_unit_test(test_tls_ok_records_session_banner_and_certificate),
		cmocka_unit_test(test_tls_checks_clean_then_hostile_staples),
		cmocka_unit_test(test_tls_ca_file_makes_the_chain_verify),
		cmocka_unit_test(test_tls_new_rejects_unreadable_ca_file_and_bad_options),
		cmocka_unit_test(test_tls_sends_sni_and_checks_the_name),
		cmocka_unit_test(test_tls_invalid_sni_is_an_error_without_connecting),
		cmocka_unit_test(test_tls_refused),
		cmocka_unit_test(test_tls_silent_listener_times_out),
		cmocka_unit_test(test_tls_dripping_server_times_out),
		cmocka_unit_test(test_tls_plain_http_is_not_tls),
		cmocka_unit_test(test_tls_close_and_rst_are_reset),
		cmocka_unit_test(test_tls_garbage_is_not_tls_or_error),
		cmocka_unit_test(test_tls_server_alert_is_named),
		cmocka_unit_test(test_tls_oversized_certificate_is_an_error),
		cmocka_unit_test(test_tls_stalled_or_long_banner_is_kept_and_flagged),
		cmocka_unit_test(test_tls_versions_of_a_12_only_server),
		cmocka_unit_test(test_tls_versions_of_a_13_server),
		cmocka_unit_test(test_tls_legacy_10_only_server_is_ok),
		cmocka_unit_test(test_tls_h2_server_gets_the_banner_over_http11),
		cmocka_unit_test(test_tls_concurrency_and_per_host_limits_hold),
		cmocka_unit_test(test_tls_free_with_work_in_progress),
		cmocka_unit_test(test_tls_ipv6_loopback_handshake_and_banner),
		cmocka_unit_test(test_tls_ipv6_sni_versions_and_h2_banner),
		cmocka_unit_test(test_tls_ipv6_refused_and_not_tls),
		cmocka_unit_test(test_tls_per_host_limit_keys_ipv4_and_ipv6_apart),
	};

	signal(SIGPIPE, SIG_IGN); /* test servers write to clients that left */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
