/*
 * ipset.c — IPv4/IPv6 address sets as sorted, disjoint, inclusive ranges
 * (see include/ipset.h).
 *
 * Parsing is strict: every spec is exactly ADDRESS, ADDRESS/len or
 * ADDRESS-ADDRESS (addr_parse: dotted quads, RFC 4291 IPv6 text). Specs come
 * from the command line and from files, so every parse works on a
 * (pointer, length) pair and never reads past it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conflines.h"
#include "ipset.h"
#include "portus.h"

#define IPSET_FILE_MAX ((size_t)64 << 20) /* ipset_add_file refuses larger files */

/* Parses a CIDR prefix length "0".."max" filling s[0..len). */
static int parse_prefix(const char *s, size_t len, unsigned max, unsigned *out)
{
	uint64_t v;

	if (portus_parse_decimal(s, len, max, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Number of addresses in [first, last], saturated at UINT64_MAX. */
static uint64_t span(ip_addr first, ip_addr last)
{
	u128 n = last.v - first.v;

	return n >= UINT64_MAX ? UINT64_MAX : (uint64_t)n + 1;
}

/* Refuses an IPv6 spec covering more than s->v6_spec_max addresses. */
static int check_v6_size(const struct ip_set *set, const char *s, size_t len, ip_addr first,
			 ip_addr last, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];

	if (set == NULL || set->v6_spec_max == 0 || addr_is_v4(first))
		return 0;
	if (last.v - first.v < (u128)set->v6_spec_max)
		return 0;
	portus_err(err, errlen,
		   "%s: too many IPv6 addresses in one target (more than %llu; at most a /%u "
		   "prefix): scan a longer prefix such as /112, or list the addresses with -iL",
		   portus_show(buf, s, len), (unsigned long long)set->v6_spec_max,
		   IPSET_V6_MIN_PREFIX);
	return -1;
}

/* Parses one spec in s[0..len); the work behind ipset_parse. set (may be
 * NULL) supplies the IPv6 size limit. */
static int parse_spec(const struct ip_set *set, const char *s, size_t len, ip_addr *first,
		      ip_addr *last, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	const char *slash, *dash, *why = NULL;
	ip_addr a, b;

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
		portus_err(err, errlen, "%s: use either ADDRESS/len or ADDRESS-ADDRESS, not both",
			   portus_show(buf, s, len));
		return -1;
	}

	if (slash != NULL) {
		size_t alen = (size_t)(slash - s), plen = len - alen - 1;
		unsigned prefix, bits;
		u128 host;

		if (addr_parse(s, alen, &a, &why) != 0) {
			if (namelist_is_name(s, alen))
				why = "a host name takes no prefix length (give the network as an "
				      "address)";
			goto bad;
		}
		bits = addr_is_v4(a) ? 32 : 128;
		if (plen == 0) {
			portus_err(err, errlen, "%s: missing prefix length after '/'",
				   portus_show(buf, s, len));
			return -1;
		}
		if (parse_prefix(slash + 1, plen, bits, &prefix) != 0) {
			portus_err(err, errlen, "%s: prefix length must be 0-%u",
				   portus_show(buf, s, len), bits);
			return -1;
		}
		/* Host bits may be set: 198.18.0.7/24 is the whole /24. A shift
		 * by the full width is undefined, hence the test. */
		host = prefix == bits ? 0 : ~(u128)0 >> (128 - bits + prefix);
		first->v = a.v & ~host;
		last->v = a.v | host;
		return check_v6_size(set, s, len, *first, *last, err, errlen);
	}

	if (dash != NULL) {
		size_t alen = (size_t)(dash - s);

		if (addr_parse(s, alen, &a, &why) != 0 ||
		    addr_parse(dash + 1, len - alen - 1, &b, &why) != 0)
			goto bad;
		if (addr_is_v4(a) != addr_is_v4(b)) {
			portus_err(err, errlen, "%s: a range cannot mix IPv4 and IPv6",
				   portus_show(buf, s, len));
			return -1;
		}
		if (a.v > b.v) {
			portus_err(err, errlen, "%s: range start is after range end",
				   portus_show(buf, s, len));
			return -1;
		}
		*first = a;
		*last = b;
		return check_v6_size(set, s, len, a, b, err, errlen);
	}

	if (addr_parse(s, len, &a, &why) != 0) {
		/* Only lists with a name sink (targets) take names. */
		if (namelist_is_name(s, len))
			why = "a host name is not accepted here, only addresses";
		goto bad;
	}
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
	s->v6_spec_max = 0;
	s->names = NULL;
}

void ipset_free(struct ip_set *s)
{
	uint64_t limit = s->v6_spec_max;
	struct name_list *names = s->names;

	free(s->r);
	ipset_init(s);
	s->v6_spec_max = limit;
	s->names = names;
}

/* A host name goes to the set's name list when it has one. Returns 1 when
 * s[0..len) was taken as a name, 0 when it is for parse_spec, -1 when out
 * of memory. */
static int take_name(struct ip_set *set, const char *s, size_t len)
{
	if (set->names == NULL || !namelist_is_name(s, len))
		return 0;
	return namelist_add(set->names, s, len) == 0 ? 1 : -1;
}

static size_t names_now(const struct ip_set *s)
{
	return s->names != NULL ? s->names->n : 0;
}

/* Undoes what a failed ipset_add_list/_text added: the set is unchanged on error. */
static void roll_back(struct ip_set *s, size_t n0, size_t names0)
{
	s->n = n0;
	if (s->names != NULL)
		namelist_truncate(s->names, names0);
}

int ipset_add_range(struct ip_set *s, ip_addr first, ip_addr last)
{
	if (first.v > last.v)
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

int ipset_parse(const char *text, ip_addr *first, ip_addr *last, char *err, size_t errlen)
{
	return parse_spec(NULL, text, strlen(text), first, last, err, errlen);
}

int ipset_add_list(struct ip_set *s, const char *list, char *err, size_t errlen)
{
	char buf[PORTUS_SHOW_MAX + 4];
	size_t n0 = s->n, names0 = names_now(s), len = strlen(list);
	const char *p = list, *end = list + len;
	int named;

	if (len == 0) {
		portus_err(err, errlen, "empty address list");
		return -1;
	}
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma != NULL ? comma : end;
		ip_addr a, b;

		if (e == p) {
			portus_err(err, errlen, "%s: empty element in address list",
				   portus_show(buf, list, len));
			goto fail;
		}
		named = take_name(s, p, (size_t)(e - p));
		if (named == 0 && parse_spec(s, p, (size_t)(e - p), &a, &b, err, errlen) != 0)
			goto fail;
		if (named < 0 || (named == 0 && ipset_add_range(s, a, b) != 0)) {
			portus_err(err, errlen, "%s: out of memory", portus_show(buf, list, len));
			goto fail;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
fail:
	roll_back(s, n0, names0);
	return -1;
}

int ipset_add_text(struct ip_set *s, const char *text, size_t len, const char *origin, char *err,
		   size_t errlen)
{
	char why[PORTUS_ERRLEN];
	struct conf_lines cl;
	const char *p;
	size_t n0 = s->n, names0 = names_now(s), n;

	if (origin == NULL)
		origin = "(text)";
	conf_lines_init(&cl, text, len);
	while (conf_lines_next(&cl, &p, &n)) {
		int named = take_name(s, p, n);
		ip_addr a, b;

		if (named < 0) {
			portus_err(err, errlen, "%s:%zu: out of memory", origin, cl.line);
			goto fail;
		}
		if (named > 0)
			continue;
		if (parse_spec(s, p, n, &a, &b, why, sizeof(why)) != 0) {
			portus_err(err, errlen, "%s:%zu: %s", origin, cl.line, why);
			goto fail;
		}
		if (ipset_add_range(s, a, b) != 0) {
			portus_err(err, errlen, "%s:%zu: out of memory", origin, cl.line);
			goto fail;
		}
	}
	return 0;
fail:
	roll_back(s, n0, names0);
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

	if (a->first.v != b->first.v)
		return a->first.v < b->first.v ? -1 : 1;
	if (a->last.v != b->last.v)
		return a->last.v < b->last.v ? -1 : 1;
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
		if (cur->last.v == ~(u128)0 || s->r[i].first.v <= cur->last.v + 1) {
			if (s->r[i].last.v > cur->last.v)
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
		u128 first = s->r[i].first.v, last = s->r[i].last.v;
		int empty = 0;

		/* Excludes wholly below this range are below every later one too. */
		while (j < ex->n && ex->r[j].last.v < first)
			j++;
		while (j < ex->n && ex->r[j].first.v <= last) {
			if (ex->r[j].first.v > first) {
				res[out].first.v = first;
				res[out].last.v = ex->r[j].first.v - 1;
				out++;
			}
			if (ex->r[j].last.v >= last) {
				/* Keep j: this exclude may cover the next range as well. */
				empty = 1;
				break;
			}
			first = ex->r[j].last.v + 1; /* cannot wrap: ex->r[j].last < last */
			j++;
		}
		if (!empty) {
			res[out].first.v = first;
			res[out].last.v = last;
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

	for (i = 0; i < s->n; i++) {
		uint64_t n = span(s->r[i].first, s->r[i].last);

		if (n > UINT64_MAX - total)
			return UINT64_MAX;
		total += n;
	}
	return total;
}

int ipset_contains(const struct ip_set *s, ip_addr ip)
{
	size_t lo = 0, hi = s->n;

	/* Find the first range with last >= ip; it holds ip if first <= ip. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].last.v < ip.v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->r[lo].first.v <= ip.v;
}
