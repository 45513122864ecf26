/*
 * ipset.h — sets of IPv4 and IPv6 addresses as sorted, disjoint, inclusive
 * ranges of ip_addr (addr.h: IPv4 as ::ffff:a.b.c.d, so both families live
 * in one set and IPv4 ranges never touch IPv6 ones).
 *
 * Used for targets and excludes. Accepted text forms (one per call,
 * surrounding whitespace is an error):
 *   ADDRESS          a.b.c.d (four decimal octets 0-255) or an IPv6 address
 *                    (RFC 4291 text form; no zone id)
 *   ADDRESS/len      CIDR, len 0-32 (IPv4) or 0-128 (IPv6); host bits may be
 *                    set (198.18.0.7/24 means 198.18.0.0-198.18.0.255), as
 *                    nmap and masscan accept
 *   ADDRESS-ADDRESS  inclusive range of one family; first must be <= last
 * In lists and text (ipset_add_list/_text) of a set with a name list, a
 * token that is a host name (namelist.h) is added to that list instead.
 */
#ifndef PORTUS_IPSET_H
#define PORTUS_IPSET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "namelist.h"

struct ip_range {
	ip_addr first, last; /* inclusive */
};

/* The target limit for one IPv6 spec: a /96 (2^32 addresses, as many as all
 * of IPv4). A /64 holds 2^64 addresses, which no scan can cover. */
#define IPSET_V6_MIN_PREFIX 96
#define IPSET_V6_SPEC_MAX ((uint64_t)1 << (128 - IPSET_V6_MIN_PREFIX))

struct ip_set {
	struct ip_range *r; /* owned; sorted and merged after ipset_normalize */
	size_t n, cap;
	/* Most addresses one IPv6 spec added through ipset_add_list/_text/_file
	 * may cover (0: no limit, the default; targets set IPSET_V6_SPEC_MAX,
	 * excludes keep 0). Survives ipset_free. */
	uint64_t v6_spec_max;
	/* Where ipset_add_list/_text put host names (namelist.h) instead of
	 * refusing them: set for targets, NULL (a name is an error) for
	 * excludes. Borrowed; survives ipset_free. */
	struct name_list *names;
};

void ipset_init(struct ip_set *s);
/* Frees the ranges; the set is empty and reusable afterwards. */
void ipset_free(struct ip_set *s);

/* Appends [first, last] (first <= last). Returns 0, or -1 on allocation failure. */
int ipset_add_range(struct ip_set *s, ip_addr first, ip_addr last);

/* Parses one address/CIDR/range. Returns 0 and sets *first,*last, or -1 with err. */
int ipset_parse(const char *text, ip_addr *first, ip_addr *last, char *err, size_t errlen);

/*
 * Parses a comma-separated list of specs ("198.18.0.0/24,198.18.1.5") and
 * appends each. Empty elements are an error. Returns 0 or -1 with err.
 */
int ipset_add_list(struct ip_set *s, const char *list, char *err, size_t errlen);

/*
 * Appends every spec in a text buffer: one spec per line; '#' starts a comment;
 * blank lines and leading/trailing whitespace on a line are ignored. `origin`
 * names the source in errors ("exclude.conf:12: ..."). Returns 0 or -1 with err.
 */
int ipset_add_text(struct ip_set *s, const char *text, size_t len, const char *origin, char *err,
		   size_t errlen);

/* Reads FILE and calls ipset_add_text. Errors name the file (missing, unreadable,
 * binary/NUL bytes, bad line). An empty file adds nothing and is not an error. */
int ipset_add_file(struct ip_set *s, const char *path, char *err, size_t errlen);

/* Sorts and merges overlapping and adjacent ranges. Never fails. */
void ipset_normalize(struct ip_set *s);

/* Removes every address in `ex` from `s`. Both must be normalized; `s` stays
 * normalized. Returns 0, or -1 on allocation failure. */
int ipset_subtract(struct ip_set *s, const struct ip_set *ex);

/* Number of addresses in a normalized set, saturated at UINT64_MAX. */
uint64_t ipset_count(const struct ip_set *s);

/* Non-zero when a normalized set contains ip (binary search). */
int ipset_contains(const struct ip_set *s, ip_addr ip);

#endif
