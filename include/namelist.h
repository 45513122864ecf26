/*
 * namelist.h — host names given as targets, in input order, before they are
 * resolved (resolve.h) into addresses.
 *
 * A target token is a host name when it is not an address form and is a
 * DNS name: labels of 1-63 letters, digits, '-' and '_' (no '-' at either
 * end of a label), separated by single dots, at most 253 bytes, one
 * trailing dot allowed (an absolute name). The last label must not be all
 * digits (RFC 1123 2.1), so 198.18.0.256 or 1.2.3 stay malformed addresses
 * with the address error; so do "1.2.3.4x" and "10.0.0.x" (three or more
 * all-digit labels first, at most four labels: a mistyped address). A
 * token whose part before a '-' is an address ("198.18.0.1-bad") is a
 * malformed range, not a name.
 */
#ifndef PORTUS_NAMELIST_H
#define PORTUS_NAMELIST_H

#include <stddef.h>

#define NAME_MAX_LEN 253 /* bytes of a DNS name in text form, without the trailing dot */

struct name_list {
	/* Owned NUL-terminated names as typed (a trailing dot kept: it makes
	 * the query absolute); duplicates, compared case-insensitively and
	 * ignoring a trailing dot, are kept once, at their first position. */
	char **v;
	size_t n, cap;
	/* Open-addressing index of v (position + 1, 0 = empty), so adding
	 * 10^5 names stays linear rather than comparing each with all. */
	size_t *slot;
	size_t nslot; /* a power of two, at least twice n; 0 before the first add */
	size_t given; /* names added, repeats included (a file of repeats is not empty) */
};

void namelist_init(struct name_list *l);
/* Frees every name; the list is empty and reusable. */
void namelist_free(struct name_list *l);

/* Non-zero when s[0..len) is a host name by the rules above. */
int namelist_is_name(const char *s, size_t len);

/* Appends a copy of s[0..len) unless an equal name is already listed.
 * Returns 0, or -1 on allocation failure (the list is unchanged). */
int namelist_add(struct name_list *l, const char *s, size_t len);

/* Drops names from position n on (undoes additions after an error; `given`
 * is left as it is). */
void namelist_truncate(struct name_list *l, size_t n);

/* Length of name without its trailing dot: the form written to records and
 * sent as TLS SNI (RFC 6066 3: no trailing dot). */
size_t namelist_shown_len(const char *name);

#endif
