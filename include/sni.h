/*
 * sni.h — names to present (TLS SNI) per address, from --sni-file.
 *
 * File format: one "ADDRESS NAME" pair per line, '#' comments, blank lines
 * ignored; an address may appear on several lines (one TLS record per name).
 * ADDRESS is one IPv4 address (a.b.c.d) or one IPv6 address in RFC 4291
 * text form (2001:db8::1; no brackets, no zone id, no prefix or range), as
 * addr_parse reads it; ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
 * Names are DNS names: 1-253 bytes of letters, digits, '-', '.', '*' and '_'
 * (so never an IPv6 literal).
 */
#ifndef PORTUS_SNI_H
#define PORTUS_SNI_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct sni_entry {
	ip_addr ip;
	uint32_t order; /* position in the input, keeps file order within one ip */
	char name[254];
};

struct sni_map {
	struct sni_entry *v; /* owned; sorted by ip, file order kept within one ip */
	size_t n, cap;
};

void sni_map_init(struct sni_map *m);
void sni_map_free(struct sni_map *m);

/* Parses text (len bytes); origin names the source in errors ("FILE:LINE: ...").
 * Returns 0, or -1 with err; m is unchanged on error. */
int sni_map_add_text(struct sni_map *m, const char *text, size_t len, const char *origin, char *err,
		     size_t errlen);

/* Reads a file (capped at 16 MiB, no NUL bytes) and calls sni_map_add_text. */
int sni_map_add_file(struct sni_map *m, const char *path, char *err, size_t errlen);

/* Appends one (ip, name) pair after those already there (name: a DNS name of
 * at most 253 bytes; a trailing dot is dropped, as SNI has none). Call
 * sni_map_sort after a batch of these, before sni_map_find. Returns 0, or -1
 * when out of memory or the name is too long. */
int sni_map_add(struct sni_map *m, ip_addr ip, const char *name);

/* Sorts by ip (input order kept within one ip) and drops repeated (ip, name)
 * pairs, case-insensitively, keeping the first: a name both in --sni-file and
 * among the targets gets one TLS record. */
void sni_map_sort(struct sni_map *m);

/* Sets *first to the first entry for ip and returns how many there are (0: none). */
size_t sni_map_find(const struct sni_map *m, ip_addr ip, const struct sni_entry **first);

#endif
