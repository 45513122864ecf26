/*
 * hostport.h — HOST[:PORT] as a user writes a server's address (RFC 3986
 * authority without user information): a DNS name, a dotted-quad IPv4
 * address or an IPv6 address in brackets, then an optional port 1-65535.
 * One parser for --syslog udp://HOST:PORT and the --hec-url URL, so both
 * take the same hosts and say the same things about bad ones.
 *
 * A name is letters, digits, '-', '_' and '.', no empty label, at most 253
 * bytes (one trailing dot allowed); digits and dots only must be a valid
 * IPv4 address ("1.2.3" and "256.1.1.1" are refused, not looked up).
 * An unbracketed IPv6 address is refused with a hint (its colons would be
 * read as the port's).
 */
#ifndef PORTUS_HOSTPORT_H
#define PORTUS_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

#define HOSTPORT_HOST_MAX 253

struct hostport {
	char host[HOSTPORT_HOST_MAX + 1]; /* without brackets, NUL-terminated */
	int family;    /* AF_INET, AF_INET6 for an address; AF_UNSPEC for a name */
	uint16_t port; /* 0: none given */
};

/*
 * Parses s[0..len). Returns 0 and fills *out, or -1 with a short reason in
 * why (no input echoed: "empty host", "port must be a number from 1 to
 * 65535", "missing :PORT" when port_required, ...).
 */
int hostport_parse(const char *s, size_t len, int port_required, struct hostport *out, char *why,
		   size_t whylen);

#endif
