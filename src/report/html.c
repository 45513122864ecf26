/*
 * html.c — the report's HTML escaper (html.h). The report's input is
 * portus's own NDJSON, but the strings in it come from certificates and
 * banners that anyone can write, so nothing is trusted: markup characters
 * are escaped, controls and broken UTF-8 replaced, and length bounded so a
 * 1 MB subject cannot blow up the page.
 */
#include <stdint.h>
#include <string.h>

#include "report/html.h"
#include "utf8.h"

static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */

static const char *markup(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

int html_append(struct strbuf *b, const char *s, size_t max_cp)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t shown = 0;
	int changed = 0;

	if (s == NULL)
		return 0;
	end = p + strlen(s);
	while (*p != '\0') {
		size_t n = utf8_decode(p, (size_t)(end - p), NULL, NULL);
		const char *m;

		if (shown == max_cp) {
			sb_puts(b, ellipsis);
			return 1;
		}
		shown++;
		if (n == 0 || *p < 0x20 || *p == 0x7F) {
			sb_puts(b, UTF8_REPLACEMENT);
			changed = 1;
			p++; /* one U+FFFD a byte: resynchronise on the next one */
		} else if ((m = markup(*p)) != NULL) {
			sb_puts(b, m);
			p++;
		} else {
			/* A run of plain ASCII in one append. */
			size_t run = n;

			while (n == 1 && p[run] >= 0x20 && p[run] < 0x7F &&
			       markup(p[run]) == NULL && shown < max_cp) {
				run++;
				shown++;
			}
			sb_append(b, p, run);
			p += run;
		}
	}
	return changed;
}
