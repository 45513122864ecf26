/*
 * html.h — text from hostile input made safe to put in an HTML page: in an
 * element's content or in a double-quoted attribute value.
 */
#ifndef PORTUS_REPORT_HTML_H
#define PORTUS_REPORT_HTML_H

#include <stddef.h>

#include "strbuf.h"

/* Code points of an input string shown in the report; longer ones are cut
 * and end with U+2026 (docs/report.md). */
#define HTML_TEXT_MAX 300

/*
 * Appends s (NUL-terminated bytes; NULL appends nothing) escaped for HTML
 * text and attribute values alike: & < > " ' become &amp; &lt; &gt; &quot;
 * &#39;; C0 controls, DEL and every invalid, overlong or surrogate UTF-8
 * sequence become U+FFFD; after max_cp code points the rest is dropped and
 * U+2026 appended. Returns 1 when something was replaced or cut, else 0.
 */
int html_append(struct strbuf *b, const char *s, size_t max_cp);

#endif
