/*
 * ports.c — TCP port lists in nmap's -p syntax, and the built-in ranked
 * top-ports list (see include/ports.h and data/top-ports.txt).
 *
 * A parse works on a 65536-bit map seeded with the ports already in the
 * list, so merging, deduplication and sorting come from one pass over it and
 * the list is replaced only once the whole spec has parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conflines.h"
#include "ports.h"
#include "portus.h"

/* Generated at build time from data/top-ports.txt by tools/embed.sh. */
extern const char portus_top_ports[];

#define PORT_MAX 65535

struct portmap {
	uint8_t bit[(PORT_MAX + 1) / 8];
};

static void map_set(struct portmap *m, unsigned port)
{
	m->bit[port >> 3] |= (uint8_t)(1u << (port & 7));
}

static int map_has(const struct portmap *m, unsigned port)
{
	return (m->bit[port >> 3] >> (port & 7)) & 1;
}

/*
 * Parses a decimal port 1-65535 filling s[0..len).
 * Returns 0, -1 when it is not a number, -2 when it is out of range.
 */
static int parse_port(const char *s, size_t len, unsigned *out)
{
	uint64_t v;
	int r = portus_parse_decimal(s, len, PORT_MAX, &v);

	if (r != 0)
		return r;
	if (v == 0)
		return -2;
	*out = (unsigned)v;
	return 0;
}

/* Parses one element ("80", "1-1024", "-1024", "60000-", "-", "T:80") of s[0..len). */
static int parse_element(struct portmap *m, const char *s, size_t len, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	const char *e = s, *dash;
	size_t elen = len;
	unsigned lo = 1, hi = PORT_MAX, port = 0;
	int r;

	if (len >= 2 && s[1] == ':') {
		if (s[0] == 'T') {
			e += 2;
			elen -= 2;
		} else if (s[0] == 'U') {
			portus_err(err, errlen, "%s: UDP ports (U:) are not supported, only TCP",
				   portus_show(buf, s, len));
			return -1;
		} else if (s[0] == 'S') {
			portus_err(err, errlen, "%s: SCTP ports (S:) are not supported, only TCP",
				   portus_show(buf, s, len));
			return -1;
		}
	}
	if (elen == 0) {
		portus_err(err, errlen, "%s: missing port number", portus_show(buf, s, len));
		return -1;
	}

	dash = memchr(e, '-', elen);
	if (dash == NULL) {
		r = parse_port(e, elen, &port);
		lo = hi = port;
	} else {
		size_t llen = (size_t)(dash - e), rlen = elen - llen - 1;

		r = 0;
		if (llen > 0)
			r = parse_port(e, llen, &lo);
		if (r == 0 && rlen > 0)
			r = parse_port(dash + 1, rlen, &hi);
	}
	if (r == -1) {
		portus_err(err, errlen, "%s: not a port number or range (want N, N-M, -M or N-)",
			   portus_show(buf, s, len));
		return -1;
	}
	if (r == -2) {
		portus_err(err, errlen, "%s: port must be 1-65535", portus_show(buf, s, len));
		return -1;
	}
	if (lo > hi) {
		portus_err(err, errlen, "%s: range start is after range end",
			   portus_show(buf, s, len));
		return -1;
	}
	for (port = lo; port <= hi; port++)
		map_set(m, port);
	return 0;
}

/* Replaces p's ports with the ports set in m. Returns 0 or -1 with err. */
static int map_to_list(struct port_list *p, const struct portmap *m, char *err, size_t errlen)
{
	uint16_t *ports;
	uint32_t n = 0, i = 0;
	unsigned port;

	for (port = 1; port <= PORT_MAX; port++)
		n += (uint32_t)map_has(m, port);
	if ((ports = malloc((n > 0 ? n : 1) * sizeof(*ports))) == NULL) {
		portus_err(err, errlen, "port list: out of memory");
		return -1;
	}
	for (port = 1; port <= PORT_MAX; port++) {
		if (map_has(m, port))
			ports[i++] = (uint16_t)port;
	}
	free(p->ports);
	p->ports = ports;
	p->n = n;
	return 0;
}

static void map_from_list(struct portmap *m, const struct port_list *p)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < p->n; i++)
		map_set(m, p->ports[i]);
}

void ports_init(struct port_list *p)
{
	p->ports = NULL;
	p->n = 0;
}

void ports_free(struct port_list *p)
{
	free(p->ports);
	ports_init(p);
}

int ports_parse(struct port_list *p, const char *spec, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	struct portmap m;
	size_t len = strlen(spec);
	const char *s = spec, *end = spec + len;

	if (len == 0) {
		portus_err(err, errlen, "empty port list");
		return -1;
	}
	if (portus_has_space(spec, len)) {
		portus_err(err, errlen, "\"%s\": whitespace is not allowed in a port list",
			   portus_show(buf, spec, len));
		return -1;
	}
	map_from_list(&m, p);
	for (;;) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma != NULL ? comma : end;

		if (e == s) {
			portus_err(err, errlen, "%s: empty element in port list",
				   portus_show(buf, spec, len));
			return -1;
		}
		if (parse_element(&m, s, (size_t)(e - s), err, errlen) != 0)
			return -1;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return map_to_list(p, &m, err, errlen);
}

/*
 * Walks the built-in ranked list: counts its ports into *avail and, when m
 * is not NULL, sets the first `want` of them in m. Returns 0, or -1 with err
 * if a line is malformed (a build error: data/top-ports.txt is checked in).
 */
static int top_walk(struct portmap *m, unsigned want, unsigned *avail, char *err, size_t errlen)
{
	struct conf_lines cl;
	const char *p;
	unsigned n = 0;
	size_t len;

	conf_lines_init(&cl, portus_top_ports, strlen(portus_top_ports));
	while (conf_lines_next(&cl, &p, &len)) {
		unsigned port;

		if (parse_port(p, len, &port) != 0) {
			portus_err(err, errlen,
				   "built-in top-ports list, line %zu: not a port 1-65535",
				   cl.line);
			return -1;
		}
		if (m != NULL && n < want)
			map_set(m, port);
		n++;
	}
	*avail = n;
	return 0;
}

unsigned ports_top_available(void)
{
	unsigned n;

	if (top_walk(NULL, 0, &n, NULL, 0) != 0)
		return 0;
	return n;
}

int ports_add_top(struct port_list *p, unsigned n, char *err, size_t errlen)
{
	struct portmap m;
	unsigned avail;

	if (top_walk(NULL, 0, &avail, err, errlen) != 0)
		return -1;
	if (n == 0 || n > avail) {
		portus_err(err, errlen, "top ports %u: must be 1-%u (the built-in list's length)",
			   n, avail);
		return -1;
	}
	map_from_list(&m, p);
	if (top_walk(&m, n, &avail, err, errlen) != 0)
		return -1;
	return map_to_list(p, &m, err, errlen);
}
