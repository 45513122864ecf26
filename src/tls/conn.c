/*
 * conn.c — one TLS stage connection (see conn.h): non-blocking connect,
 * non-blocking OpenSSL handshake, the HEAD / banner, and the failure class.
 *
 * OpenSSL talks to the socket through a small BIO of our own (send with
 * MSG_NOSIGNAL, recv) that keeps the first bytes the server sent, EOF and
 * errno: "not TLS" and "reset" are decided from what happened on the wire,
 * and no SIGPIPE can be raised whatever the process's signal setup.
 *
 * ERR_clear_error() precedes every OpenSSL call that can fail, so that
 * SSL_get_error() (called right after, before anything else touches the
 * queue) and the reason we classify by belong to that call alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "portus.h"
#include "tls/banner.h"
#include "tls/checks.h"
#include "tls/conn.h"
#include "tls_hello.h"

#define MAX_CERT_LIST 262144L /* bytes of Certificate message accepted (256 KiB) */

/*
 * What the main handshake offers. A scanner should get a certificate out of
 * every server that speaks any TLS a client still might: TLS 1.0-1.3 and
 * every cipher OpenSSL has, at security level 0 (legacy SHA-1/MD5 handshake
 * signatures, small keys, no RFC 5746 renegotiation_info). What the server
 * picks is what gets recorded. Verification is judged separately, at level 2.
 */
static const char cipher_list[] = "ALL:!aNULL:!eNULL:@SECLEVEL=0";
static const unsigned char alpn_main[] = "\x02h2\x08http/1.1";
static const unsigned char alpn_http1[] = "\x08http/1.1";

/* ---- socket BIO: send(MSG_NOSIGNAL), and the first bytes the server sent ---- */

static int sock_write(BIO *b, const char *buf, int len)
{
	struct conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_write(b);
	else
		c->io_errno = errno;
	return -1;
}

static int sock_read(BIO *b, char *buf, int len)
{
	struct conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv(c->fd, buf, (size_t)len, 0);
	if (n > 0) {
		size_t k = sizeof(c->first) - c->first_len;

		if (k > (size_t)n)
			k = (size_t)n;
		memcpy(c->first + c->first_len, buf, k);
		c->first_len += k;
		return (int)n;
	}
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_read(b);
	else
		c->io_errno = errno;
	return -1;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH; /* writes go straight to the socket */
}

static int sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* ---- contexts ---- */

/* The server's alerts, as the info callback sees them (before the error). */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct conn *c;

	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT) /* not our own alerts */
		return;
	c = SSL_get_app_data(ssl);
	if (c != NULL && c->alert < 0 &&
	    ((ret >> 8) == SSL3_AL_FATAL || (ret & 0xff) == SSL_AD_CLOSE_NOTIFY))
		c->alert = ret & 0xff;
}

/* The main handshake's ServerHello, as OpenSSL received it (the whole
 * handshake message, header included): JA3S and JA4S. After a
 * HelloRetryRequest the real ServerHello comes second and wins. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
		   SSL *ssl, void *arg)
{
	const uint8_t *p = buf;
	struct tlsh_server_hello sh;
	const char *why;
	struct conn *c;

	(void)version;
	(void)arg;
	if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 || p[0] != 2)
		return;
	c = SSL_get_app_data(ssl);
	if (c == NULL || c->kind != CONN_MAIN)
		return;
	if (tlsh_parse_server_hello(p, len, &sh, &why) != 0 || sh.hrr)
		return;
	c->r->hello_version = sh.version;
	if (tlsh_ja3s(&sh, c->r->ja3s, NULL, 0) != 0 || tlsh_ja4s(&sh, c->r->ja4s) != 0) {
		c->r->ja3s[0] = '\0';
		c->r->ja4s[0] = '\0';
	}
}

/* Verification must not end the handshake: the certificate is recorded
 * whatever it is, and SSL_get_verify_result() says what was wrong. */
static int verify_accept(int ok, X509_STORE_CTX *st)
{
	(void)ok;
	(void)st;
	return 1;
}

static void ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	ERR_error_string_n(e, buf, sizeof(buf));
	portus_err(err, errlen, "TLS setup: %s: %s", what, e ? buf : "failed");
	ERR_clear_error();
}

static SSL_CTX *ctx_new(int minv, int maxv, const unsigned char *alpn, unsigned alpn_len, char *err,
			size_t errlen)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	ERR_clear_error();
	if (SSL_CTX_set_min_proto_version(ctx, minv) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, maxv) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, cipher_list) != 1 ||
	    (alpn != NULL && SSL_CTX_set_alpn_protos(ctx, alpn, alpn_len) != 0)) {
		ssl_err(err, errlen, "client context setup");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_max_cert_list(ctx, MAX_CERT_LIST);
	SSL_CTX_set_info_callback(ctx, info_cb);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

int tls_ctxs_init(struct tls_ctxs *x, const char *ca_file, char *err, size_t errlen)
{
	static const int probe_ver[4] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
					  TLS1_3_VERSION };
	SSL_CTX *m;
	int i, idx;

	memset(x, 0, sizeof(*x));
	ERR_clear_error();
	idx = BIO_get_new_index();
	x->bio = idx > 0 ? BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK, "portus socket") : NULL;
	if (x->bio == NULL || !BIO_meth_set_write(x->bio, sock_write) ||
	    !BIO_meth_set_read(x->bio, sock_read) || !BIO_meth_set_ctrl(x->bio, sock_ctrl) ||
	    !BIO_meth_set_create(x->bio, sock_create)) {
		ssl_err(err, errlen, "BIO method");
		goto fail;
	}
	x->ctx[CONN_MAIN] = ctx_new(TLS1_VERSION, 0, alpn_main, sizeof(alpn_main) - 1, err, errlen);
	x->ctx[CONN_BANNER] = ctx_new(TLS1_VERSION, 0, alpn_http1, sizeof(alpn_http1) - 1, err,
				      errlen);
	for (i = 0; i < 4; i++)
		x->ctx[CONN_V10 + i] = ctx_new(probe_ver[i], probe_ver[i], NULL, 0, err, errlen);
	for (i = 0; i < CONN_NKINDS; i++)
		if (x->ctx[i] == NULL)
			goto fail;

	/* Verification of the main handshake's chain: system store + ca_file, at
	 * security level 2 (RSA/DSA/DH >= 2048 bits, no SHA-1/MD5 signatures),
	 * like a current browser, although the handshake accepted level 0. */
	m = x->ctx[CONN_MAIN];
	SSL_CTX_set_msg_callback(m, msg_cb);
	ERR_clear_error();
	if (checks_ctx_setup(m) != 0) {
		ssl_err(err, errlen, "OCSP status request / SCT callback");
		goto fail;
	}
	SSL_CTX_set_verify(m, SSL_VERIFY_PEER, verify_accept);
	X509_VERIFY_PARAM_set_auth_level(SSL_CTX_get0_param(m), 2);
	ERR_clear_error();
	if (SSL_CTX_set_default_verify_paths(m) != 1) {
		ssl_err(err, errlen, "cannot use the system trust store");
		goto fail;
	}
	ERR_clear_error();
	if (ca_file != NULL && ca_file[0] != '\0' && SSL_CTX_load_verify_file(m, ca_file) != 1) {
		char show[PORTUS_SHOW_MAX + 4];
		unsigned long e = ERR_peek_last_error();
		const char *why = ERR_reason_error_string(e);

		portus_err(err, errlen, "%s: cannot load CA certificates (%s)",
			   portus_show(show, ca_file, strlen(ca_file)),
			   why != NULL ? why : "no certificate found");
		ERR_clear_error();
		goto fail;
	}
	ERR_clear_error();
	return 0;
fail:
	tls_ctxs_free(x);
	return -1;
}

void tls_ctxs_free(struct tls_ctxs *x)
{
	int i;

	for (i = 0; i < CONN_NKINDS; i++)
		SSL_CTX_free(x->ctx[i]);
	BIO_meth_free(x->bio);
	memset(x, 0, sizeof(*x));
}

/* ---- outcomes ---- */

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Records a failure: on the main connection's record only. Returns 0 (done). */
static int fail(struct conn *c, enum tls_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct conn *c, enum tls_outcome o, const char *fmt, ...)
{
	va_list ap;

	c->state = CS_DONE;
	if (c->kind != CONN_MAIN)
		return 0;
	c->r->outcome = o;
	va_start(ap, fmt);
	vsnprintf(c->r->detail, sizeof(c->r->detail), fmt, ap);
	va_end(ap);
	return 0;
}

static int fail_alert(struct conn *c, int desc)
{
	const char *n = tlsh_alert_name(desc);

	if (c->kind == CONN_MAIN) {
		if (n != NULL)
			copy_str(c->r->alert, sizeof(c->r->alert), n);
		else
			snprintf(c->r->alert, sizeof(c->r->alert), "alert_%d", desc);
	}
	return fail(c, TLS_ALERT, "alert %d from the server", desc);
}

/* A TLS record starts with a content type 20-23 and major version 3. */
static int first_bytes_tls(const struct conn *c)
{
	if (c->first_len == 0)
		return 1; /* nothing seen: no evidence either way */
	if (c->first[0] < 0x14 || c->first[0] > 0x17)
		return 0;
	return c->first_len < 2 || c->first[1] == 0x03;
}

static int fail_not_tls(struct conn *c)
{
	if (c->first_len >= 5 && memcmp(c->first, "HTTP/", 5) == 0)
		return fail(c, TLS_NOT_TLS, "plain HTTP answer");
	return fail(c, TLS_NOT_TLS, "non-TLS data (first byte 0x%02x)", c->first[0]);
}

static int fail_io(struct conn *c, const char *when)
{
	if (c->eof)
		return fail(c, TLS_RESET, "connection closed by the server %s", when);
	if (c->io_errno == ECONNRESET || c->io_errno == EPIPE)
		return fail(c, TLS_RESET, "connection reset by the server %s", when);
	return fail(c, TLS_ERROR, "%s %s", strerror(c->io_errno), when);
}

/*
 * The handshake failed with SSL_get_error() == e: name the reason, first
 * match wins:
 *   not-tls  the server's first bytes are no TLS record header (content type
 *            20-23, major version 3): plain HTTP, SSH, SMTP banners, garbage;
 *   alert    the server sent a fatal alert or close_notify (info callback, or
 *            OpenSSL's SSL_R_*_ALERT_* reason as a fallback);
 *   error    the certificate message exceeded MAX_CERT_LIST;
 *   reset    EOF or ECONNRESET/EPIPE on the socket;
 *   not-tls  OpenSSL's record layer found no TLS (wrong version, length);
 *   error    anything else, with OpenSSL's reason.
 */
static int handshake_failed(struct conn *c, int e)
{
	unsigned long code = ERR_peek_error();
	int reason = ERR_GET_LIB(code) == ERR_LIB_SSL ? ERR_GET_REASON(code) : 0;
	char buf[120];

	if (!first_bytes_tls(c))
		return fail_not_tls(c);
	if (c->alert >= 0)
		return fail_alert(c, c->alert);
	if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
		return fail_alert(c, reason - SSL_AD_REASON_OFFSET);
	if (e == SSL_ERROR_ZERO_RETURN)
		return fail_alert(c, SSL_AD_CLOSE_NOTIFY);
	if (reason == SSL_R_EXCESSIVE_MESSAGE_SIZE && SSL_get_state(c->ssl) == TLS_ST_CR_CERT)
		return fail(c, TLS_ERROR, "certificate chain too large (over %ld bytes)",
			    MAX_CERT_LIST);
	if (c->eof || c->io_errno != 0)
		return fail_io(c, "during the handshake");
	/* Record-layer complaints mean the bytes were not TLS records. */
	if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
	    reason == SSL_R_UNKNOWN_PROTOCOL)
		return fail(c, TLS_NOT_TLS, "%s", ERR_reason_error_string(code));
	if (code == 0)
		return fail(c, TLS_ERROR, "handshake failed (SSL error %d)", e);
	if (ERR_reason_error_string(code) != NULL)
		return fail(c, TLS_ERROR, "%s", ERR_reason_error_string(code));
	ERR_error_string_n(code, buf, sizeof(buf));
	return fail(c, TLS_ERROR, "%s", buf);
}

/* ---- after the handshake ---- */

static void group_name(SSL *ssl, char *out, size_t size)
{
	int nid = (int)SSL_get_negotiated_group(ssl);
	EVP_PKEY *k = NULL;
	const char *n;

	if (nid > 0 && (nid & TLSEXT_nid_unknown)) {
		snprintf(out, size, "0x%04x", (unsigned)nid & 0xffffu);
		return;
	}
	if (nid > 0) {
		n = SSL_group_to_name(ssl, nid);
		copy_str(out, size, n != NULL ? n : OBJ_nid2sn(nid));
		return;
	}
	/* TLS 1.2 finite-field DHE carries its own parameters, not a named group. */
	ERR_clear_error();
	if (SSL_get_peer_tmp_key(ssl, &k) == 1 && k != NULL) {
		if (EVP_PKEY_is_a(k, "DH"))
			snprintf(out, size, "DH-%d", EVP_PKEY_get_bits(k));
		EVP_PKEY_free(k);
	}
	ERR_clear_error();
}

/* Main connection: negotiated parameters, verification, certificates. */
static void record_session(struct conn *c, const struct conn_opts *o)
{
	struct tls_result *r = c->r;
	SSL *ssl = c->ssl;
	const SSL_CIPHER *ci = SSL_get_current_cipher(ssl);
	const unsigned char *alpn = NULL;
	unsigned alpn_len = 0;
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	const char *n;

	r->outcome = TLS_OK;
	r->detail[0] = '\0';
	copy_str(r->version, sizeof(r->version), SSL_get_version(ssl));
	if (ci != NULL) {
		n = SSL_CIPHER_standard_name(ci);
		copy_str(r->cipher, sizeof(r->cipher), n != NULL ? n : SSL_CIPHER_get_name(ci));
	}
	SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
	/* OpenSSL accepts only a protocol we offered, so this is printable. */
	if (alpn != NULL && alpn_len < sizeof(r->alpn)) {
		memcpy(r->alpn, alpn, alpn_len);
		r->alpn[alpn_len] = '\0';
	}
	group_name(ssl, r->group, sizeof(r->group));

	if (leaf != NULL) {
		r->verify_code = SSL_get_verify_result(ssl);
		r->verify_ok = r->verify_code == X509_V_OK;
		if (!r->verify_ok)
			copy_str(r->verify_error, sizeof(r->verify_error),
				 X509_verify_cert_error_string(r->verify_code));
		if (c->sni[0] != '\0') {
			r->hostname_checked = 1;
			ERR_clear_error();
			r->hostname_match = X509_check_host(leaf, c->sni, strlen(c->sni), 0,
							    NULL) == 1;
		}
	} else {
		r->verify_code = X509_V_ERR_UNSPECIFIED;
		copy_str(r->verify_error, sizeof(r->verify_error),
			 "no certificate from the server");
	}
	ERR_clear_error();
	if ((leaf != NULL || chain != NULL) &&
	    tls_chain_extract(&r->certs, leaf, chain, (int64_t)time(NULL), o->want_pem) != 0)
		(void)fail(c, TLS_ERROR, "out of memory reading the certificates");
	ERR_clear_error();
	if (c->state != CS_DONE)
		checks_run(r, ssl, (int64_t)time(NULL));
}

static int banner_done(struct conn *c, int cut)
{
	(void)banner_parse(c->r, c->buf, c->len,
			   cut); /* on allocation failure: fields stay empty */
	free(c->buf);
	c->buf = NULL;
	c->state = CS_DONE;
	return 0;
}

/* 1 when e asks to wait for the socket (c->want updated). */
static int want(struct conn *c, int e)
{
	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL)
		c->fatal = 1;
	if (e == SSL_ERROR_WANT_READ) {
		c->want = EPOLLIN;
		return 1;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->want = EPOLLOUT;
		return 1;
	}
	return 0;
}

static int banner_read(struct conn *c)
{
	size_t n;
	int e;

	while (c->len < BANNER_READ_MAX) {
		ERR_clear_error();
		if (SSL_read_ex(c->ssl, c->buf + c->len, BANNER_READ_MAX - c->len, &n) == 1) {
			size_t from = c->len;

			c->len += n;
			if (banner_headers_end(c->buf, c->len, from) > 0)
				return banner_done(c, 0);
			continue;
		}
		e = SSL_get_error(c->ssl, 0);
		if (want(c, e))
			return 1;
		return banner_done(c, 0); /* EOF, close_notify or an error: what came is all */
	}
	return banner_done(c, 1);
}

static int banner_write(struct conn *c)
{
	size_t n;
	int e;

	ERR_clear_error();
	if (SSL_write_ex(c->ssl, c->buf, c->len, &n) == 1) {
		c->len = 0;
		c->state = CS_READ;
		c->want = EPOLLIN;
		return banner_read(c);
	}
	e = SSL_get_error(c->ssl, 0);
	if (want(c, e))
		return 1;
	free(c->buf); /* the banner failed; the record stands */
	c->buf = NULL;
	c->state = CS_DONE;
	return 0;
}

static int banner_start(struct conn *c)
{
	c->buf = malloc(BANNER_READ_MAX);
	if (c->buf == NULL) {
		c->state = CS_DONE;
		return 0;
	}
	c->len = banner_request((char *)c->buf, BANNER_READ_MAX, c->sni, c->ip, c->port);
	c->state = CS_WRITE;
	if (c->len == 0)
		return banner_done(c, 0);
	return banner_write(c);
}

static int handshake(struct conn *c, const struct conn_opts *o)
{
	int rc, e;

	ERR_clear_error();
	rc = SSL_do_handshake(c->ssl);
	if (rc != 1) {
		e = SSL_get_error(c->ssl, rc);
		if (want(c, e))
			return 1;
		return handshake_failed(c, e);
	}
	c->accepted = 1;
	switch (c->kind) {
	case CONN_MAIN:
		record_session(c, o);
		if (c->state == CS_DONE || !o->banner)
			break;
		/* HTTP/1.1 bytes on an h2 connection would only get a GOAWAY. */
		if (strcmp(c->r->alpn, "h2") == 0) {
			c->need_http1 = 1;
			break;
		}
		return banner_start(c);
	case CONN_BANNER:
		return banner_start(c);
	default:
		break;
	}
	c->state = CS_DONE;
	return 0;
}

/* ---- connection ---- */

static int connect_failed(struct conn *c, int e)
{
	if (e == ECONNREFUSED)
		return fail(c, TLS_REFUSED, "connection refused");
	if (e == ETIMEDOUT)
		return fail(c, TLS_TIMEOUT, "connect timed out");
	if (e == ECONNRESET)
		return fail(c, TLS_RESET, "connection reset by the server right after connect");
	return fail(c, TLS_ERROR, "connect: %s", strerror(e));
}

static int tls_begin(struct conn *c, const struct conn_opts *o)
{
	BIO *bio;

	ERR_clear_error();
	c->ssl = SSL_new(o->x->ctx[c->kind]);
	bio = c->ssl != NULL ? BIO_new(o->x->bio) : NULL;
	if (bio == NULL) {
		ERR_clear_error();
		return fail(c, TLS_ERROR, "out of memory starting TLS");
	}
	BIO_set_data(bio, c);
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_app_data(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	ERR_clear_error();
	if (c->sni[0] != '\0' && SSL_set_tlsext_host_name(c->ssl, c->sni) != 1) {
		ERR_clear_error();
		return fail(c, TLS_ERROR, "server name rejected by OpenSSL");
	}
	c->state = CS_HANDSHAKE;
	return handshake(c, o);
}

/* ---- CONN_RAW: a hand-built ClientHello and the answer's first bytes ---- */

static int raw_read(struct conn *c)
{
	uint8_t buf[4096];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n > 0) {
			if (tlsh_feed(c->rd, buf, (size_t)n) != TLSH_MORE) {
				c->state = CS_DONE;
				return 0;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			c->want = EPOLLIN;
			return 1;
		}
		if (n == 0)
			c->eof = 1;
		else
			c->io_errno = errno;
		c->state = CS_DONE; /* closed or reset before an answer: rd stays TLSH_MORE */
		return 0;
	}
}

static int raw_write(struct conn *c)
{
	while (c->hello_off < c->hello_len) {
		ssize_t n = send(c->fd, c->hello + c->hello_off, c->hello_len - c->hello_off,
				 MSG_NOSIGNAL);

		if (n >= 0) {
			c->hello_off += (size_t)n;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			c->want = EPOLLOUT;
			return 1;
		}
		c->io_errno = errno;
		c->state = CS_DONE;
		return 0;
	}
	c->state = CS_RAW_READ;
	return raw_read(c);
}

static int raw_begin(struct conn *c)
{
	if (c->hello == NULL || c->rd == NULL) {
		c->state = CS_DONE;
		return 0;
	}
	tlsh_reader_init(c->rd);
	c->state = CS_RAW_WRITE;
	return raw_write(c);
}

int conn_start(struct conn *c, const struct conn_opts *o)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	socklen_t salen;
	int family = addr_is_v4(c->ip) ? AF_INET : AF_INET6;

	c->state = CS_CONNECT;
	c->ssl = NULL;
	c->buf = NULL;
	c->alert = -1;
	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, TLS_ERROR, "socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	if (family == AF_INET) {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_port = htons(c->port);
		sa.v4.sin_addr.s_addr = htonl(addr_v4(c->ip));
		salen = sizeof(sa.v4);
	} else {
		/* A global or loopback address: no scope id (addr.h has no zones). */
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_port = htons(c->port);
		addr_to_bytes(c->ip, sa.v6.sin6_addr.s6_addr);
		salen = sizeof(sa.v6);
	}
	if (connect(c->fd, &sa.sa, salen) == 0)
		return c->kind == CONN_RAW ? raw_begin(c) : tls_begin(c, o);
	if (errno == EINPROGRESS || errno == EINTR) {
		c->want = EPOLLOUT;
		return 1;
	}
	return connect_failed(c, errno);
}

int conn_step(struct conn *c, const struct conn_opts *o)
{
	int e = 0;
	socklen_t len = sizeof(e);

	switch (c->state) {
	case CS_CONNECT:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
			e = errno;
		if (e == EINPROGRESS || e == EALREADY)
			return 1;
		if (e != 0)
			return connect_failed(c, e);
		return c->kind == CONN_RAW ? raw_begin(c) : tls_begin(c, o);
	case CS_HANDSHAKE:
		return handshake(c, o);
	case CS_RAW_WRITE:
		return raw_write(c);
	case CS_RAW_READ:
		return raw_read(c);
	case CS_WRITE:
		return banner_write(c);
	case CS_READ:
		return banner_read(c);
	case CS_DONE:
		break;
	}
	return 0;
}

void conn_timeout(struct conn *c)
{
	switch (c->state) {
	case CS_CONNECT:
		c->timed_out = 1;
		(void)fail(c, TLS_TIMEOUT, "connect timed out");
		break;
	case CS_HANDSHAKE:
		if (!first_bytes_tls(c))
			(void)fail_not_tls(c);
		else if (c->first_len == 0)
			(void)fail(c, TLS_TIMEOUT, "handshake timed out: no answer to ClientHello");
		else
			(void)fail(c, TLS_TIMEOUT, "handshake timed out: the server stalled");
		break;
	case CS_WRITE: /* the record stays TLS_OK, without a banner */
		free(c->buf);
		c->buf = NULL;
		c->state = CS_DONE;
		break;
	case CS_READ:
		(void)banner_done(c, 1); /* the record stays TLS_OK, with what came */
		break;
	case CS_RAW_WRITE:
	case CS_RAW_READ:
		c->timed_out = 1;
		c->state = CS_DONE; /* no answer in time: rd stays TLSH_MORE */
		break;
	case CS_DONE:
		break;
	}
}

void conn_abort(struct conn *c, const char *why)
{
	if (c->kind == CONN_MAIN && !c->accepted)
		(void)fail(c, TLS_ERROR, "%s", why);
	c->state = CS_DONE;
}

void conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		/* close_notify after a completed handshake, when the socket takes it. */
		ERR_clear_error();
		if (c->accepted && !c->fatal && SSL_is_init_finished(c->ssl))
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
		ERR_clear_error();
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	free(c->hello);
	c->hello = NULL;
	free(c->rd);
	c->rd = NULL;
	c->state = CS_DONE;
}
