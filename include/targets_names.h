/*
 * targets_names.h — host names among the targets, from the command line to
 * the scan: resolved (resolve.h) before the excludes apply, their addresses
 * added to the targets, each address's names kept (o->hostnames, for every
 * output) and sent as TLS SNI (o->sni, one TLS record per name and address,
 * as --sni-file does).
 *
 * Families: without -4/-6 a name gives its A and AAAA addresses and
 * literals of both families are scanned. -4 asks only for A records and
 * -6 only for AAAA, and, as nmap -6 refuses IPv4 targets, a literal of the
 * other family is a usage error rather than silently dropped.
 *
 * A name that gives no address (NXDOMAIN, NODATA, SERVFAIL, REFUSED,
 * TIMEOUT, ERROR) is a warning on stderr and a "resolve" record in the
 * formats that have one, never an abort; only a run left with no target at
 * all is refused (exit 2).
 */
#ifndef PORTUS_TARGETS_NAMES_H
#define PORTUS_TARGETS_NAMES_H

#include <stddef.h>

#include "options.h"
#include "writer.h"

/*
 * Checks the literal targets against -4/-6, then resolves o->names with
 * o's resolver settings and adds every address to o->targets (unnormalized,
 * before excludes), o->hostnames (finished) and o->sni (sorted). Results stay
 * in o->resolved for targets_write_unresolved. Returns 0, or -1 with err for
 * a usage error: a literal of the family -4/-6 excludes, no target left
 * because no name resolved, or a resolver that cannot start.
 */
int targets_resolve(struct options *o, char *err, size_t errlen);

/* After the excludes: one note on stderr per resolved address (with its
 * first name) that the exclude list removed. Nothing without names. */
void targets_note_excluded(const struct options *o);

/* Writes a resolve record for every name that did not resolve to each
 * writer that has such records. Returns 0, or -1 when a writer failed. */
int targets_write_unresolved(const struct options *o, struct writer **w, size_t n);

/* Wraps every writer so its records carry names (writer_names_wrap); does
 * nothing when no name resolved. Returns 0, or -1 when out of memory (the
 * writers are then as they were). */
int targets_wrap_writers(const struct options *o, struct writer **w, size_t n);

#endif
