/* conflines.c — lines of a list with '#' comments (see include/conflines.h). */
#include <string.h>

#include "conflines.h"
#include "portus.h"

void conf_lines_init(struct conf_lines *c, const char *text, size_t len)
{
	c->p = text;
	c->end = len > 0 ? text + len : text; /* text may be NULL when len is 0 */
	c->line = 0;
}

int conf_lines_next(struct conf_lines *c, const char **s, size_t *n)
{
	while (c->p < c->end) {
		const char *p = c->p, *nl = memchr(p, '\n', (size_t)(c->end - p));
		const char *e = nl != NULL ? nl : c->end;
		const char *hash = memchr(p, '#', (size_t)(e - p));

		c->p = nl != NULL ? nl + 1 : c->end;
		c->line++;
		if (hash != NULL)
			e = hash;
		while (p < e && portus_is_space(*p))
			p++;
		while (e > p && portus_is_space(e[-1]))
			e--;
		if (p < e) {
			*s = p;
			*n = (size_t)(e - p);
			return 1;
		}
	}
	return 0;
}
