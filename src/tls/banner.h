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

#include "tls_result.h"

#define BANNER_READ_MAX 8192 /* bytes of the answer read at most */

/*
 * Writes "HEAD / HTTP/1.1" with Host (the server name, or the dotted address
 * when name is NULL or ""; ":port" added unless the port is 443), a
 * User-Agent and "Connection: close" into buf. Returns the length (no NUL
 * counted), or 0 when it does not fit in cap bytes.
 */
size_t banner_request(char *buf, size_t cap, const char *name, uint32_t ip, uint16_t port);

/*
 * Offset just past the blank line ending the header block ("\r\n\r\n" or
 * "\n\n") in buf[0..len), or 0 when there is none yet. from: where the
 * previous call stopped looking (the search restarts 3 bytes earlier).
 */
size_t banner_headers_end(const unsigned char *buf, size_t len, size_t from);

/*
 * Fills r->http_status (the first line, without its line end) and
 * r->http_server (the first Server: header's value, whitespace-trimmed;
 * header names compare case-insensitively) from the answer buf[0..len).
 * banner_done is set when len > 0; banner_truncated when a value was capped
 * or when cut is set (the answer was cut off by the read cap or the deadline
 * before the end of its headers). Returns 0, or -1 on allocation failure
 * (fields already set stay, the record frees them).
 */
int banner_parse(struct tls_result *r, const unsigned char *buf, size_t len, int cut);

#endif
