/*
 * banner.h — the HTTP request the TLS stage sends after a handshake and the
 * parser for the answer (status line and Server: header). Private to src/tls.
 *
 * The answer is hostile bytes: the parser keeps raw bytes (NUL, control
 * bytes and invalid UTF-8 included), caps each value at TLS_MAX_BANNER_LINE
 * and never reads past len.
 */
#ifndef PORTUS_TLS_BANNER_H
#define PORTUS_TLS_BANNER_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "tls_record.h"

#define BANNER_READ_MAX 8192 /* bytes of the answer read at most */

/*
 * Writes "HEAD / HTTP/1.1" with Host, a User-Agent and "Connection: close"
 * into buf. Host is the server name, or when name is NULL or "" the address:
 * dotted for IPv4, in brackets for IPv6 ("[2001:db8::1]", RFC 9110 7.2 /
 * RFC 3986 3.2.2); ":port" is added unless the port is 443. Returns the
 * length (no NUL counted), or 0 when it does not fit in cap bytes.
 */
size_t banner_request(char *buf, size_t cap, const char *name, ip_addr ip, uint16_t port);

/*
 * Offset just past the blank line ending the header block ("\r\n\r\n" or
 * "\n\n") in buf[0..len), or 0 when there is none yet. from: where the
 * previous call stopped looking (the search restarts 3 bytes earlier).
 */
size_t banner_headers_end(const unsigned char *buf, size_t len, size_t from);

/*
 * Fills r->http_status (the first line, without its line end) and
 * r->http_server (the first Server: header's value, whitespace-trimmed;
 * header names compare case-insensitively) and r->hsts (the first
 * Strict-Transport-Security header, tls_hsts.h) from the answer buf[0..len).
 * banner_done is set when len > 0; banner_truncated when a value was capped
 * or when cut is set (the answer was cut off by the read cap or the deadline
 * before the end of its headers). Returns 0, or -1 on allocation failure
 * (fields already set stay, the record frees them).
 */
int banner_parse(struct tls_result *r, const unsigned char *buf, size_t len, int cut);

#endif
