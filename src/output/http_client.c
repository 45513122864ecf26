/*
 * http_client.c — POSTing to one server with libcurl (see http_client.h).
 *
 * One easy handle, kept for the client's life so its connection is reused,
 * driven through a multi handle: curl_multi_poll waits on the transfer's
 * sockets and on the owner's cancel descriptor at once, so the owner can end
 * any wait (connect, TLS, a silent server) immediately. libcurl does the
 * protocol; what is left here is what portus promises on top: the bounds on a
 * hostile answer, the trust store plus --ca-file, the address resolved at
 * open, and errors as one printable line that sorts retry from give-up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "output/http_client.h"
#include "portus.h"

#define MAX_ADDRS ((size_t)8) /* addresses of a name handed to libcurl */
#define POLL_SLICE_MS 1000    /* curl_multi_poll wakes at least this often */

struct http_client {
	struct http_url url;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers; /* the caller's lines (the token): wiped at free */
	struct curl_slist *resolve; /* "host:port:addr,..." for a name */
	STACK_OF(X509) * extra_ca;  /* --ca-file's certificates, added to each TLS context */
	int timeout_ms;
	int cancel_fd;
	char curl_err[CURL_ERROR_SIZE];
	/* The exchange in progress (the callbacks' state). */
	struct http_response *resp;
	size_t header_bytes, body_bytes;
	int headers_over, body_over;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---------------------------------------------------------------- callbacks */

/* One response header line (status lines of 1xx responses too). The reason
 * phrase of the last status line is kept for messages; past HTTP_HEADERS_MAX
 * the transfer is aborted (returning less than given). */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_client *c = arg;
	size_t len = size * n;
	char show[PORTUS_SHOW_MAX + 4];

	c->header_bytes += len;
	if (c->header_bytes > HTTP_HEADERS_MAX) {
		c->headers_over = 1;
		return 0;
	}
	/* "HTTP/1.1 503 Service Unavailable\r\n": the reason starts at byte 13. */
	if (len >= 12 && memcmp(p, "HTTP/", 5) == 0) {
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		if (len > 13)
			portus_show(show, p + 13, len - 13);
		else
			show[0] = '\0';
		snprintf(c->resp->reason, sizeof(c->resp->reason), "%s", show);
	}
	return size * n;
}

/* Body bytes: the first HTTP_BODY_KEEP kept, at most HTTP_BODY_MAX read. */
static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_client *c = arg;
	struct http_response *r = c->resp;
	size_t len = size * n, room = HTTP_BODY_KEEP - r->body_len;

	c->body_bytes += len;
	if (c->body_bytes > HTTP_BODY_MAX) {
		c->body_over = 1;
		return 0;
	}
	memcpy(r->body + r->body_len, p, len < room ? len : room);
	r->body_len += len < room ? len : room;
	r->body[r->body_len] = '\0';
	return len;
}

/* Each TLS context libcurl makes: the --ca-file certificates join the system
 * store it loaded (a certificate already there is not an error). */
static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	STACK_OF(X509) *extra = arg;
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);

	(void)easy;
	for (int i = 0; i < sk_X509_num(extra); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(extra, i)) != 1) {
			ERR_clear_error();
			return CURLE_SSL_CERTPROBLEM;
		}
	return CURLE_OK;
}

/* ---------------------------------------------------------------- setup */

/* The certificates of a PEM file; NULL when it cannot be read or holds none. */
static STACK_OF(X509) * load_ca_file(const char *path)
{
	STACK_OF(X509) *out = sk_X509_new_null();
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;

	if (out == NULL || bio == NULL)
		goto fail;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(out, x) == 0) {
			X509_free(x);
			goto fail;
		}
	if (sk_X509_num(out) == 0)
		goto fail;
	BIO_free(bio);
	ERR_clear_error(); /* the end of the file reads as an error */
	return out;
fail:
	BIO_free(bio);
	sk_X509_pop_free(out, X509_free);
	ERR_clear_error();
	return NULL;
}

/* A name: resolved now into a CURLOPT_RESOLVE entry "host:port:a1,[a2],...". */
static int resolve_now(struct http_client *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char entry[sizeof(c->url.host) + 16 + MAX_ADDRS * (INET6_ADDRSTRLEN + 3)], port[8];
	size_t n, naddr = 0;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)c->url.port);
	if ((r = getaddrinfo(c->url.host, port, &hints, &res)) != 0) {
		portus_err(err, errlen, "cannot resolve %s: %s", c->url.host, gai_strerror(r));
		return -1;
	}
	n = (size_t)snprintf(entry, sizeof(entry), "%s:%u:", c->url.host, (unsigned)c->url.port);
	for (ai = res; ai != NULL && naddr < MAX_ADDRS; ai = ai->ai_next) {
		char a[INET6_ADDRSTRLEN];
		const void *bin;

		if (ai->ai_family == AF_INET)
			bin = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			bin = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(ai->ai_family, bin, a, sizeof(a)) == NULL)
			continue;
		n += (size_t)snprintf(entry + n, sizeof(entry) - n,
				      ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
				      naddr > 0 ? "," : "", a);
		naddr++;
	}
	freeaddrinfo(res);
	if (naddr == 0) {
		portus_err(err, errlen, "cannot resolve %s: no IPv4 or IPv6 address", c->url.host);
		return -1;
	}
	if ((c->resolve = curl_slist_append(NULL, entry)) == NULL) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The options that stay for the client's life. 0, or -1 (libcurl refused one). */
static int setup_easy(struct http_client *c, int insecure)
{
	char url[sizeof(c->url.display) + sizeof(c->url.target)];
	CURL *e = c->easy;
	CURLcode r = CURLE_OK;

	snprintf(url, sizeof(url), "%s://%s%s", c->url.https ? "https" : "http", c->url.authority,
		 c->url.target);
	r |= curl_easy_setopt(e, CURLOPT_URL, url);
	r |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	r |= curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L); /* the target as checked */
	r |= curl_easy_setopt(e, CURLOPT_PROXY, "");      /* no proxy from the environment */
	r |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);   /* a thread: no SIGALRM */
	r |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	r |= curl_easy_setopt(e, CURLOPT_USERAGENT, "portus/" PORTUS_VERSION);
	r |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_err);
	r |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	r |= curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	r |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	r |= curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	r |= curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->resolve != NULL)
		r |= curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
	if (insecure) {
		r |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		r |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->extra_ca != NULL) {
		r |= curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		r |= curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, c->extra_ca);
	}
	return r == CURLE_OK ? 0 : -1;
}

struct http_client *http_client_new(const struct http_url *u, const char *ca_file, int insecure,
				    char *err, size_t errlen)
{
	struct http_client *c;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		portus_err(err, errlen, "libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	c->url = *u;
	c->cancel_fd = -1;
	http_client_set_timeout(c, HTTP_TIMEOUT_MS);
	if (u->https && !insecure && ca_file != NULL && ca_file[0] != '\0' &&
	    (c->extra_ca = load_ca_file(ca_file)) == NULL) {
		char show[PORTUS_SHOW_MAX + 4];

		portus_err(err, errlen, "%s: cannot load CA certificates",
			   portus_show(show, ca_file, strlen(ca_file)));
		goto fail;
	}
	if (u->host_family == 0 && resolve_now(c, err, errlen) != 0)
		goto fail;
	if ((c->multi = curl_multi_init()) == NULL || (c->easy = curl_easy_init()) == NULL) {
		portus_err(err, errlen, "libcurl: cannot create a transfer");
		goto fail;
	}
	if (setup_easy(c, insecure) != 0) {
		portus_err(err, errlen, "libcurl %s lacks a needed option (7.85 or later)",
			   curl_version_info(CURLVERSION_NOW)->version);
		goto fail;
	}
	return c;
fail:
	http_client_free(c);
	return NULL;
}

int http_client_add_header(struct http_client *c, const char *line)
{
	struct curl_slist *l = curl_slist_append(c->headers, line);

	if (l == NULL)
		return -1;
	c->headers = l;
	return 0;
}

void http_client_set_timeout(struct http_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : HTTP_TIMEOUT_MS;
}

void http_client_set_cancel_fd(struct http_client *c, int fd)
{
	c->cancel_fd = fd;
}

/* ---------------------------------------------------------------- POST */

/* libcurl's words, printable and on one line. */
static const char *curl_words(struct http_client *c, CURLcode rc)
{
	char *p = c->curl_err;

	if (p[0] == '\0')
		return curl_easy_strerror(rc);
	for (size_t i = 0; p[i] != '\0'; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
			p[i] = '?';
	return p;
}

/* A failed transfer as an enum http_result with one line in err. */
static int failure(struct http_client *c, CURLcode rc, char *err, size_t errlen)
{
	long verify = 0, oserr = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &oserr);
		portus_err(err, errlen, "cannot connect to %s: %s", c->url.authority,
			   oserr != 0 ? strerror((int)oserr) : curl_words(c, rc));
		return HTTP_TRANSIENT;
	case CURLE_OPERATION_TIMEDOUT:
		portus_err(err, errlen, "timed out (%g s)", c->timeout_ms / 1000.0);
		return HTTP_TRANSIENT;
	case CURLE_PEER_FAILED_VERIFICATION:
		/* The same certificate tomorrow: retrying cannot help. */
		curl_easy_getinfo(c->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
		portus_err(err, errlen, "server certificate rejected: %s",
			   verify != X509_V_OK ? X509_verify_cert_error_string(verify)
					       : curl_words(c, rc));
		return HTTP_PERMANENT;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		portus_err(err, errlen, "cannot use the trust store: %s", curl_words(c, rc));
		return HTTP_PERMANENT;
	case CURLE_WRITE_ERROR:
		if (c->headers_over) {
			portus_err(err, errlen, "response headers longer than %d bytes",
				   HTTP_HEADERS_MAX);
			return HTTP_TRANSIENT;
		}
		break;
	default:
		break;
	}
	portus_err(err, errlen, "%s", curl_words(c, rc));
	return HTTP_TRANSIENT;
}

/* Runs the added transfer to its end: its CURLcode, or -1 when cancelled. */
static int run_transfer(struct http_client *c)
{
	struct curl_waitfd cancel = { c->cancel_fd, CURL_WAIT_POLLIN, 0 };

	for (;;) {
		int running = 0, left = 0;
		CURLMsg *m;

		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			return CURLE_FAILED_INIT;
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE && m->easy_handle == c->easy)
				return (int)m->data.result;
		cancel.revents = 0;
		if (curl_multi_poll(c->multi, &cancel, c->cancel_fd >= 0 ? 1 : 0, POLL_SLICE_MS,
				    NULL) != CURLM_OK)
			return CURLE_FAILED_INIT;
		if (cancel.revents != 0)
			return -1;
	}
}

int http_post(struct http_client *c, const void *body, size_t len, struct http_response *resp,
	      char *err, size_t errlen)
{
	long status = 0, stall_s = (c->timeout_ms + 999) / 1000;
	CURLcode set = CURLE_OK;
	int rc;

	memset(resp, 0, sizeof(*resp));
	c->resp = resp;
	c->header_bytes = c->body_bytes = 0;
	c->headers_over = c->body_over = 0;
	c->curl_err[0] = '\0';
	set |= curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	set |= curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, body);
	set |= curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	set |= curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
	set |= curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS,
				(long)c->timeout_ms * HTTP_EXCHANGE_TIMEOUTS);
	/* A server trickling or silent for a whole timeout is given up on. */
	set |= curl_easy_setopt(c->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	set |= curl_easy_setopt(c->easy, CURLOPT_LOW_SPEED_TIME, stall_s);
	if (set != CURLE_OK || curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
		portus_err(err, errlen, "libcurl: cannot start the request");
		return HTTP_TRANSIENT;
	}
	rc = run_transfer(c);
	curl_multi_remove_handle(c->multi,
				 c->easy); /* an unfinished transfer's connection is closed */
	c->resp = NULL;
	if (rc == -1) {
		portus_err(err, errlen, "cancelled");
		return HTTP_CANCELLED;
	}
	if (rc == CURLE_WRITE_ERROR && c->body_over)
		rc = CURLE_OK; /* judged on what was kept; the connection went with the rest */
	if (rc != CURLE_OK)
		return failure(c, (CURLcode)rc, err, errlen);
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	resp->status = (int)status;
	return HTTP_DONE;
}

void http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	/* The header lines hold the HEC token. */
	for (struct curl_slist *l = c->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->resolve);
	sk_X509_pop_free(c->extra_ca, X509_free);
	free(c);
}
