/* hostport.c — HOST[:PORT] of a server the user names (see include/hostport.h). */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"
#include "portus.h"

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* A name: host characters only, no empty label (a single trailing dot is fine). */
static int check_name(const char *h, size_t n, char *why, size_t whylen)
{
	int digits_dots = 1;

	for (size_t i = 0; i < n; i++) {
		if (!is_host_char(h[i])) {
			portus_err(why, whylen, "bad character '%c' in the host",
				   (unsigned char)h[i] > ' ' && (unsigned char)h[i] < 0x7f ? h[i]
											   : '?');
			return -1;
		}
		if (h[i] == '.' && (i == 0 || h[i - 1] == '.')) {
			portus_err(why, whylen, "empty label in the host name");
			return -1;
		}
		if (h[i] != '.' && (h[i] < '0' || h[i] > '9'))
			digits_dots = 0;
	}
	if (digits_dots) {
		portus_err(why, whylen, "host is not a valid IPv4 address");
		return -1;
	}
	return 0;
}

int hostport_parse(const char *s, size_t len, int port_required, struct hostport *out, char *why,
		   size_t whylen)
{
	const char *end = s + len, *h = s, *he, *after;
	unsigned char bin[16];
	struct hostport hp;
	uint64_t v;

	memset(&hp, 0, sizeof(hp));
	if (len > 0 && *s == '[') {
		const char *close = memchr(s, ']', len);

		if (close == NULL) {
			portus_err(why, whylen, "unterminated [IPv6 address]");
			return -1;
		}
		h = s + 1;
		he = close;
		after = close + 1;
		if ((size_t)(he - h) >= 46) {
			portus_err(why, whylen, "not an IPv6 address in [ ]");
			return -1;
		}
		memcpy(hp.host, h, (size_t)(he - h));
		hp.host[he - h] = '\0';
		if (inet_pton(AF_INET6, hp.host, bin) != 1) {
			portus_err(why, whylen, "not an IPv6 address in [ ]");
			return -1;
		}
		hp.family = AF_INET6;
	} else {
		/* The port follows the one ':'; more are an IPv6 address
		 * without brackets. */
		he = memrchr(s, ':', len);
		if (he == NULL) {
			he = end;
		} else if (memchr(s, ':', (size_t)(he - s)) != NULL) {
			portus_err(why, whylen, "put an IPv6 address in brackets: [2001:db8::1]");
			return -1;
		}
		after = he;
		if (he == h) {
			portus_err(why, whylen, "empty host");
			return -1;
		}
		if ((size_t)(he - h) > HOSTPORT_HOST_MAX) {
			portus_err(why, whylen, "host name longer than %d bytes",
				   HOSTPORT_HOST_MAX);
			return -1;
		}
		memcpy(hp.host, h, (size_t)(he - h));
		hp.host[he - h] = '\0';
		if (inet_pton(AF_INET, hp.host, bin) == 1)
			hp.family = AF_INET;
		else if (check_name(h, (size_t)(he - h), why, whylen) != 0)
			return -1;
		else
			hp.family = AF_UNSPEC;
	}
	if (after == end) {
		if (port_required) {
			portus_err(why, whylen, "missing :PORT after the host");
			return -1;
		}
	} else if (*after != ':') {
		portus_err(why, whylen, "unexpected characters after the host");
		return -1;
	} else if (after + 1 == end) {
		portus_err(why, whylen, "empty port after ':'");
		return -1;
	} else if (portus_parse_decimal(after + 1, (size_t)(end - after - 1), 65535, &v) != 0 ||
		   v == 0) {
		portus_err(why, whylen, "port must be a number from 1 to 65535");
		return -1;
	} else {
		hp.port = (uint16_t)v;
	}
	*out = hp;
	return 0;
}
