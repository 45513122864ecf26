/*
 * html.c — the report's HTML escaper (html.h). The report's input is
 * portus's own NDJSON, but the strings in it come from certificates and
 * banners that anyone can write, so nothing is trusted: markup characters
 * are escaped, controls and broken UTF-8 replaced, and length bounded so a
 * 1 MB subject cannot blow up the page.
 */
#include <stdint.h>
#include <string.h>

#include "html.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
static const char ellipsis[] = "\xE2\x80\xA6";    /* U+2026 */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid,
 * overlong, a surrogate or above U+10FFFF. s is NUL-terminated, so a cut
 * sequence stops at the NUL, which is no continuation byte. */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static const char *markup(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

int html_append(struct strbuf *b, const char *s, size_t max_cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t shown = 0;
	int changed = 0;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		size_t n = utf8_len(p);
		const char *m;

		if (shown == max_cp) {
			sb_puts(b, ellipsis);
			return 1;
		}
		shown++;
		if (n == 0 || *p < 0x20 || *p == 0x7F) {
			sb_puts(b, replacement);
			changed = 1;
			p++; /* resynchronise on the next byte */
		} else if ((m = markup(*p)) != NULL) {
			sb_puts(b, m);
			p++;
		} else {
			/* A run of plain ASCII in one append. */
			size_t run = n;

			while (n == 1 && p[run] >= 0x20 && p[run] < 0x7F && markup(p[run]) == NULL &&
			       shown < max_cp) {
				run++;
				shown++;
			}
			sb_append(b, p, run);
			p += run;
		}
	}
	return changed;
}
