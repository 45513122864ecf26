/*
 * addr.c — IPv4/IPv6 addresses as one 128-bit value (see include/addr.h).
 *
 * Parsing is written out rather than left to inet_pton: inet_pton needs a
 * NUL-terminated copy, accepts what each libc likes, and cannot say what is
 * wrong. Every parse works on a (pointer, length) pair and never reads past it.
 */
#include <string.h>

#include "addr.h"
#include "json.h"

void addr_to_bytes(ip_addr a, uint8_t out[16])
{
	for (int i = 15; i >= 0; i--) {
		out[i] = (uint8_t)a.v;
		a.v >>= 8;
	}
}

ip_addr addr_from_bytes(const uint8_t in[16])
{
	ip_addr a = { 0 };

	for (int i = 0; i < 16; i++)
		a.v = a.v << 8 | in[i];
	return a;
}

/* Without snprintf: every port record of a large scan formats an address
 * (native_port_format), and printf was most of that record's cost. */
void ip_to_str(uint32_t ip, char out[16])
{
	char *p = out;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned octet = (ip >> shift) & 0xff;

		if (octet >= 100)
			*p++ = (char)('0' + octet / 100);
		if (octet >= 10)
			*p++ = (char)('0' + octet / 10 % 10);
		*p++ = (char)('0' + octet % 10);
		*p++ = shift > 0 ? '.' : '\0';
	}
}

size_t addr_to_str(ip_addr a, char out[ADDR_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	uint16_t g[8];
	int best = -1, best_len = 1, run = -1, i;
	char *p = out;

	if (addr_is_v4(a)) {
		ip_to_str(addr_v4(a), out);
		return strlen(out);
	}
	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a.v >> (112 - 16 * i));
	/* RFC 5952 4.2: the longest run of at least two zero groups; the first on a tie. */
	for (i = 0; i <= 8; i++) {
		if (i < 8 && g[i] == 0) {
			if (run < 0)
				run = i;
			continue;
		}
		if (run >= 0 && i - run > best_len) {
			best = run;
			best_len = i - run;
		}
		run = -1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += best_len - 1;
			continue;
		}
		int started = 0;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = (g[i] >> shift) & 0xf;
			if (d != 0 || started || shift == 0) {
				*p++ = hex[d];
				started = 1;
			}
		}
		if (i < 7)
			*p++ = ':';
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* Four decimal octets 0-255 filling s[0..len) (leading zeros read as decimal, as nmap). */
static int parse_dotted(const char *s, size_t len, uint32_t *out, const char **why)
{
	uint32_t v4 = 0;
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		unsigned v = 0;
		size_t digits = 0;

		if (octet > 0) {
			if (i >= len || s[i] != '.')
				goto bad;
			i++;
		}
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255) { /* checked every digit: v never exceeds 2559 */
				*why = "octet must be 0-255";
				return -1;
			}
		}
		if (digits == 0)
			goto bad;
		v4 = v4 << 8 | v;
	}
	if (i != len)
		goto bad;
	*out = v4;
	return 0;
bad:
	*why = "not an IPv4 address (want four decimal octets a.b.c.d)";
	return -1;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4291 2.2 text forms filling s[0..len). */
static int parse_v6(const char *s, size_t len, ip_addr *out, const char **why)
{
	uint16_t head[8], tail[8];
	size_t nhead = 0, ntail = 0, i = 0;
	int compressed = 0;

	if (memchr(s, '%', len) != NULL) {
		*why = "IPv6 zone ids (fe80::1%eth0) are not supported: link-local targets "
		       "cannot be scanned; use a global address";
		return -1;
	}
	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		compressed = 1;
		i = 2;
	} else if (len >= 1 && s[0] == ':') {
		goto bad;
	}
	while (i < len) {
		size_t start = i, ngroups = nhead + ntail;
		unsigned v = 0;
		int d;

		while (i < len && i - start < 5 && (d = hex_value(s[i])) >= 0) {
			v = v << 4 | (unsigned)d;
			i++;
		}
		if (i < len && s[i] == '.') {
			/* An embedded dotted quad: the last 32 bits. */
			uint32_t v4;

			if (parse_dotted(s + start, len - start, &v4, why) != 0 || ngroups > 6)
				goto bad;
			uint16_t *dst = compressed ? tail : head;
			size_t *n = compressed ? &ntail : &nhead;
			dst[(*n)++] = (uint16_t)(v4 >> 16);
			dst[(*n)++] = (uint16_t)v4;
			break; /* the dotted quad ends the address */
		}
		if (i == start || i - start > 4)
			goto bad;
		if (ngroups >= 8)
			goto bad;
		if (compressed)
			tail[ntail++] = (uint16_t)v;
		else
			head[nhead++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			goto bad;
		i++;
		if (i < len && s[i] == ':') {
			if (compressed)
				goto bad; /* a second "::" */
			compressed = 1;
			i++;
		} else if (i == len) {
			goto bad; /* a trailing single ':' */
		}
	}
	if (compressed ? nhead + ntail > 7 : nhead != 8)
		goto bad;
	{
		uint16_t g[8] = { 0 };
		ip_addr a = { 0 };

		memcpy(g, head, nhead * sizeof(g[0]));
		memcpy(g + 8 - ntail, tail, ntail * sizeof(g[0]));
		for (int k = 0; k < 8; k++)
			a.v = a.v << 16 | g[k];
		*out = a;
	}
	return 0;
bad:
	*why = "not an IPv6 address (want RFC 4291 text form, e.g. 2001:db8::1)";
	return -1;
}

int addr_looks_v6(const char *s, size_t len)
{
	return memchr(s, ':', len) != NULL;
}

int addr_parse(const char *s, size_t len, ip_addr *out, const char **why)
{
	uint32_t v4;

	if (addr_looks_v6(s, len))
		return parse_v6(s, len, out, why);
	if (parse_dotted(s, len, &v4, why) != 0)
		return -1;
	*out = addr_from_v4(v4);
	return 0;
}
