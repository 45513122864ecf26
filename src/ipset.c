/*
 * ipset.c — IPv4 address sets as sorted, disjoint, inclusive ranges
 * (see include/ipset.h).
 *
 * Parsing is strict: every spec is exactly a.b.c.d, a.b.c.d/len or
 * a.b.c.d-e.f.g.h with decimal octets 0-255 (leading zeros are read as
 * decimal, as nmap does). Specs come from the command line and from files,
 * so every parse works on a (pointer, length) pair and never reads past it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipset.h"
#include "portus.h"

#define IPSET_FILE_MAX ((size_t)64 << 20) /* ipset_add_file refuses larger files */


/*
 * Parses exactly four dot-separated decimal octets filling s[0..len).
 * Returns 0 and sets *out, or -1 with *why set to a static reason.
 */
static int parse_addr(const char *s, size_t len, uint32_t *out, const char **why)
{
	uint32_t addr = 0;
	size_t i = 0;
	int octet;

	for (octet = 0; octet < 4; octet++) {
		unsigned v = 0;
		size_t digits = 0;

		if (octet > 0) {
			if (i >= len || s[i] != '.') {
				*why = "not an IPv4 address (want four decimal octets a.b.c.d)";
				return -1;
			}
			i++;
		}
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255) { /* checked every digit, so v never exceeds 2559 */
				*why = "octet must be 0-255";
				return -1;
			}
		}
		if (digits == 0) {
			*why = "not an IPv4 address (want four decimal octets a.b.c.d)";
			return -1;
		}
		addr = addr << 8 | v;
	}
	if (i != len) {
		*why = "not an IPv4 address (want four decimal octets a.b.c.d)";
		return -1;
	}
	*out = addr;
	return 0;
}

/* Parses a CIDR prefix length "0".."32" filling s[0..len). */
static int parse_prefix(const char *s, size_t len, unsigned *out)
{
	uint64_t v;

	if (portus_parse_decimal(s, len, 32, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Parses one spec in s[0..len); the work behind ipset_parse. */
static int parse_spec(const char *s, size_t len, uint32_t *first, uint32_t *last, char *err,
		      size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	const char *slash, *dash, *why = NULL;
	uint32_t a, b;

	if (len == 0) {
		portus_err(err, errlen, "empty address");
		return -1;
	}
	if (portus_has_space(s, len)) {
		portus_err(err, errlen, "\"%s\": whitespace is not allowed in an address",
			   portus_show(buf, s, len));
		return -1;
	}
	slash = memchr(s, '/', len);
	dash = memchr(s, '-', len);
	/* A '-' after the '/' is a bad prefix length, reported below. */
	if (slash != NULL && dash != NULL && dash < slash) {
		portus_err(err, errlen, "%s: use either a.b.c.d/len or a.b.c.d-e.f.g.h, not both",
			   portus_show(buf, s, len));
		return -1;
	}

	if (slash != NULL) {
		size_t alen = (size_t)(slash - s), plen = len - alen - 1;
		unsigned prefix;
		uint32_t host;

		if (parse_addr(s, alen, &a, &why) != 0)
			goto bad;
		if (plen == 0) {
			portus_err(err, errlen, "%s: missing prefix length after '/'",
				   portus_show(buf, s, len));
			return -1;
		}
		if (parse_prefix(slash + 1, plen, &prefix) != 0) {
			portus_err(err, errlen, "%s: prefix length must be 0-32", portus_show(buf, s, len));
			return -1;
		}
		/* Host bits may be set: 198.18.0.7/24 is the whole /24. A shift
		 * by 32 is undefined, hence the test. */
		host = prefix == 32 ? 0 : UINT32_MAX >> prefix;
		*first = a & ~host;
		*last = a | host;
		return 0;
	}

	if (dash != NULL) {
		size_t alen = (size_t)(dash - s);

		if (parse_addr(s, alen, &a, &why) != 0 ||
		    parse_addr(dash + 1, len - alen - 1, &b, &why) != 0)
			goto bad;
		if (a > b) {
			portus_err(err, errlen, "%s: range start is after range end",
				   portus_show(buf, s, len));
			return -1;
		}
		*first = a;
		*last = b;
		return 0;
	}

	if (parse_addr(s, len, &a, &why) != 0)
		goto bad;
	*first = *last = a;
	return 0;

bad:
	portus_err(err, errlen, "%s: %s", portus_show(buf, s, len), why);
	return -1;
}

void ipset_init(struct ip_set *s)
{
	s->r = NULL;
	s->n = s->cap = 0;
}

void ipset_free(struct ip_set *s)
{
	free(s->r);
	ipset_init(s);
}

int ipset_add_range(struct ip_set *s, uint32_t first, uint32_t last)
{
	if (first > last)
		return -1;
	if (s->n == s->cap) {
		size_t ncap = s->cap == 0 ? 16 : s->cap * 2;
		struct ip_range *nr;

		if (ncap < s->cap || ncap > SIZE_MAX / sizeof(*nr))
			return -1;
		nr = realloc(s->r, ncap * sizeof(*nr));
		if (nr == NULL)
			return -1;
		s->r = nr;
		s->cap = ncap;
	}
	s->r[s->n].first = first;
	s->r[s->n].last = last;
	s->n++;
	return 0;
}

int ipset_parse(const char *text, uint32_t *first, uint32_t *last, char *err, size_t errlen)
{
	return parse_spec(text, strlen(text), first, last, err, errlen);
}

int ipset_add_list(struct ip_set *s, const char *list, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	size_t n0 = s->n, len = strlen(list);
	const char *p = list, *end = list + len;

	if (len == 0) {
		portus_err(err, errlen, "empty address list");
		return -1;
	}
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma != NULL ? comma : end;
		uint32_t a, b;

		if (e == p) {
			portus_err(err, errlen, "%s: empty element in address list",
				   portus_show(buf, list, len));
			goto fail;
		}
		if (parse_spec(p, (size_t)(e - p), &a, &b, err, errlen) != 0)
			goto fail;
		if (ipset_add_range(s, a, b) != 0) {
			portus_err(err, errlen, "%s: out of memory", portus_show(buf, list, len));
			goto fail;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
fail:
	s->n = n0; /* the set is unchanged on error */
	return -1;
}

int ipset_add_text(struct ip_set *s, const char *text, size_t len, const char *origin,
		   char *err, size_t errlen)
{
	char why[PORTUS_ERRLEN];
	const char *p, *end;
	size_t n0 = s->n, line = 0;

	if (len == 0) /* text may be NULL then; NULL + 0 is undefined */
		return 0;
	if (origin == NULL)
		origin = "(text)";
	p = text;
	end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(e - p));
		const char *next = nl != NULL ? nl + 1 : end;
		uint32_t a, b;

		line++;
		if (hash != NULL)
			e = hash;
		while (p < e && portus_is_space(*p))
			p++;
		while (e > p && portus_is_space(e[-1]))
			e--;
		if (p < e) {
			if (parse_spec(p, (size_t)(e - p), &a, &b, why, sizeof(why)) != 0) {
				portus_err(err, errlen, "%s:%zu: %s", origin, line, why);
				goto fail;
			}
			if (ipset_add_range(s, a, b) != 0) {
				portus_err(err, errlen, "%s:%zu: out of memory", origin, line);
				goto fail;
			}
		}
		p = next;
	}
	return 0;
fail:
	s->n = n0; /* the set is unchanged on error */
	return -1;
}

int ipset_add_file(struct ip_set *s, const char *path, char *err, size_t errlen)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		portus_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got;

		if (len == cap) {
			/* One byte beyond the cap tells "exactly 64 MiB" from "more". */
			if (cap > IPSET_FILE_MAX) {
				portus_err(err, errlen, "%s: file is larger than %u MiB", path,
					   (unsigned)(IPSET_FILE_MAX >> 20));
				goto out;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > (size_t)IPSET_FILE_MAX + 1)
				cap = (size_t)IPSET_FILE_MAX + 1;
			if ((nb = realloc(buf, cap)) == NULL) {
				portus_err(err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			portus_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len > 0 && memchr(buf, '\0', len) != NULL) {
		portus_err(err, errlen, "%s: binary file (contains NUL bytes), expected text",
			   path);
		goto out;
	}
	rc = ipset_add_text(s, buf, len, path, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

static int range_cmp(const void *x, const void *y)
{
	const struct ip_range *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->last != b->last)
		return a->last < b->last ? -1 : 1;
	return 0;
}

void ipset_normalize(struct ip_set *s)
{
	size_t i, out = 0;

	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), range_cmp);
	for (i = 1; i < s->n; i++) {
		struct ip_range *cur = &s->r[out];

		/* Overlapping or adjacent; cur->last + 1 must not wrap. */
		if (cur->last == UINT32_MAX || s->r[i].first <= cur->last + 1) {
			if (s->r[i].last > cur->last)
				cur->last = s->r[i].last;
		} else {
			s->r[++out] = s->r[i];
		}
	}
	s->n = out + 1;
}

int ipset_subtract(struct ip_set *s, const struct ip_set *ex)
{
	struct ip_range *res;
	size_t i, j = 0, out = 0, max;

	if (s->n == 0 || ex->n == 0)
		return 0;
	/* Each exclude range splits at most one range in two. */
	if (ex->n > SIZE_MAX / sizeof(*res) - s->n)
		return -1;
	max = s->n + ex->n;
	if ((res = malloc(max * sizeof(*res))) == NULL)
		return -1;

	for (i = 0; i < s->n; i++) {
		uint32_t first = s->r[i].first, last = s->r[i].last;
		int empty = 0;

		/* Excludes wholly below this range are below every later one too. */
		while (j < ex->n && ex->r[j].last < first)
			j++;
		while (j < ex->n && ex->r[j].first <= last) {
			if (ex->r[j].first > first) {
				res[out].first = first;
				res[out].last = ex->r[j].first - 1;
				out++;
			}
			if (ex->r[j].last >= last) {
				/* Keep j: this exclude may cover the next range as well. */
				empty = 1;
				break;
			}
			first = ex->r[j].last + 1; /* cannot wrap: ex->r[j].last < last */
			j++;
		}
		if (!empty) {
			res[out].first = first;
			res[out].last = last;
			out++;
		}
	}
	free(s->r);
	s->r = res;
	s->n = out;
	s->cap = max;
	return 0;
}

uint64_t ipset_count(const struct ip_set *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		total += (uint64_t)s->r[i].last - s->r[i].first + 1;
	return total;
}

int ipset_contains(const struct ip_set *s, uint32_t ip)
{
	size_t lo = 0, hi = s->n;

	/* Find the first range with last >= ip; it holds ip if first <= ip. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].last < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->r[lo].first <= ip;
}
