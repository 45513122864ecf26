/*
 * conflines.h — the lines of a target, port or SNI list as portus reads them:
 * '#' starts a comment to the end of the line, blanks (portus_is_space)
 * around the content do not count, and blank or comment-only lines are
 * skipped. One reader for -iL / --exclude-file, the built-in top-ports list
 * and --sni-file, so the three agree on what a line is.
 *
 * The reader borrows the text; nothing is allocated.
 */
#ifndef PORTUS_CONFLINES_H
#define PORTUS_CONFLINES_H

#include <stddef.h>

struct conf_lines {
	const char *p, *end;
	size_t line; /* number of the line last returned, 1-based */
};

void conf_lines_init(struct conf_lines *c, const char *text, size_t len);

/* The content of the next line that has any: *s (borrowed), *n > 0, and
 * c->line its number. Returns 1, or 0 at the end of the text. */
int conf_lines_next(struct conf_lines *c, const char **s, size_t *n);

#endif
