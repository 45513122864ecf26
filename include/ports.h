/*
 * ports.h — TCP port lists.
 *
 * Syntax (nmap's): "22,80,443,8000-8100", "-" or "1-65535" for all, "-1024"
 * meaning 1-1024 and "60000-" meaning 60000-65535. Ports are 1-65535; 0 and
 * > 65535 are errors, as are reversed ranges, empty elements and whitespace.
 * A "T:" prefix is accepted for TCP; "U:" is an error (no UDP scan yet).
 */
#ifndef PORTUS_PORTS_H
#define PORTUS_PORTS_H

#include <stddef.h>
#include <stdint.h>

struct port_list {
	uint16_t *ports; /* owned; sorted ascending, unique */
	uint32_t n;
};

void ports_init(struct port_list *p);
void ports_free(struct port_list *p);

/* Parses spec and merges its ports into p (sorted, deduplicated).
 * Returns 0 or -1 with err; p is unchanged on error. */
int ports_parse(struct port_list *p, const char *spec, char *err, size_t errlen);

/*
 * Merges the n most frequently open TCP ports into p, from the ranked list
 * compiled in from data/top-ports.txt (see that file for its origin).
 * n must be 1..the list's length. Returns 0 or -1 with err.
 */
int ports_add_top(struct port_list *p, unsigned n, char *err, size_t errlen);

/* Number of entries in the built-in ranked list. */
unsigned ports_top_available(void);

#endif
