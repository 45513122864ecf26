/*
 * json.h — strict JSON string escaping (RFC 8259) and shared field formatters.
 */
#ifndef PORTUS_JSON_H
#define PORTUS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * Appends data[0..len) as a quoted JSON string. Any bytes are accepted: valid
 * UTF-8 is kept, every invalid or overlong sequence, surrogate or code point
 * above U+10FFFF becomes U+FFFD, '"' '\\' and all controls (U+0000-U+001F,
 * U+007F) are escaped. Returns 1 if something was replaced, else 0.
 */
int json_append_string(struct strbuf *b, const void *data, size_t len);

/* Appends "YYYY-MM-DDTHH:MM:SS.ffffffZ" (RFC 3339, UTC) quoted. */
void json_append_time(struct strbuf *b, int64_t time_us);

#endif
