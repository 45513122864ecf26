/*
 * tls_hsts.h — the Strict-Transport-Security header (RFC 6797) of the HTTP
 * banner, parsed strictly and without allocating.
 *
 * Grammar (RFC 6797 6.1, with RFC 9110 token / quoted-string / OWS):
 *
 *   value     = [ directive ] *( OWS ";" OWS [ directive ] )
 *   directive = name [ OWS "=" OWS ( token / quoted-string ) ]
 *
 * Directive names compare case-insensitively. The header is invalid (a
 * browser ignores it, RFC 6797 8.1) when: a byte breaks the grammar, a
 * directive appears twice, max-age is missing or not 1*DIGIT (a quoted value
 * is unquoted first, 6.1.1), includeSubDomains or preload carries a value.
 * Unknown directives are ignored. A max-age above 2^31 - 1 is kept as
 * 2^31 - 1 (RFC 9111 1.2.2's rule for delta-seconds). Only the first
 * Strict-Transport-Security header of a response counts (RFC 6797 8.1).
 *
 * "preload" is not in RFC 6797; it is the hstspreload.org convention, parsed
 * as a valueless directive like includeSubDomains.
 */
#ifndef PORTUS_TLS_HSTS_H
#define PORTUS_TLS_HSTS_H

#include <stddef.h>
#include <stdint.h>

#define TLS_HSTS_MAX_AGE_CAP 2147483647LL

struct tls_hsts {
	int present;            /* the response had the header */
	int valid;              /* it follows the rules above */
	int64_t max_age;        /* seconds; -1 when missing or unreadable */
	int include_subdomains; /* the directive is there (valid or not) */
	int preload;
	const char *error; /* static text of the first problem; NULL if valid */
};

/*
 * Parses the header value v[0..len) (hostile bytes, any length; the caller
 * has stripped nothing) into out, which is overwritten (present = 1). Never
 * reads past len, never allocates. Returns out->valid.
 */
int tls_hsts_parse(const unsigned char *v, size_t len, struct tls_hsts *out);

#endif
