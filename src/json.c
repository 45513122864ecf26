/*
 * json.c — JSON string escaping (RFC 8259) with strict UTF-8 validation
 * (RFC 3629, utf8.h), RFC 3339 timestamps and dotted-quad addresses.
 *
 * Invalid UTF-8 is replaced by U+FFFD once per "maximal subpart" (Unicode 15,
 * section 3.9, U+FFFD substitution best practice, as WHATWG and ICU do): a valid
 * lead byte followed by a valid but truncated run of continuation bytes is one
 * U+FFFD; every other bad byte is one U+FFFD on its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "json.h"
#include "utf8.h"

static const char hexdig[] = "0123456789abcdef";

int json_append_string(struct strbuf *b, const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0, run = 0, k, bad = 1;
	int replaced = 0;
	char esc[6];

	sb_append(b, "\"", 1);
	while (i < len) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_decode(s + i, len - i, NULL, &bad);
			if (k > 0) {
				i += k;
				run += k;
				continue;
			}
		}
		/* Flush the pending run of bytes that need no change. */
		sb_append(b, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			sb_append(b, UTF8_REPLACEMENT, 3);
			replaced = 1;
			i += bad;
			continue;
		}
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			/* Other controls U+0000-U+001F and DEL: \u00XX. */
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 0xf];
			sb_append(b, esc, 6);
			i++;
			continue;
		}
		sb_append(b, esc, 2);
		i++;
	}
	sb_append(b, s + i - run, run);
	sb_append(b, "\"", 1);
	return replaced;
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: RFC 3339 years have 4 digits. */
#define JSON_TIME_MIN_S (-62167219200LL)
#define JSON_TIME_MAX_S 253402300799LL

/* v (0 <= v < 10^n) as n decimal digits, zero-padded. */
static void put_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void json_append_time(struct strbuf *b, int64_t time_us)
{
	int64_t sec = time_us / 1000000, us = time_us % 1000000;
	char out[] = "\"0000-00-00T00:00:00.000000Z\"";
	struct tm tm;
	time_t t;

	if (us < 0) { /* floor division for instants before 1970 */
		us += 1000000;
		sec--;
	}
	if (sec < JSON_TIME_MIN_S) {
		sec = JSON_TIME_MIN_S;
		us = 0;
	} else if (sec > JSON_TIME_MAX_S) {
		sec = JSON_TIME_MAX_S;
		us = 999999;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL) {
		sb_puts(b, "\"1970-01-01T00:00:00.000000Z\"");
		return;
	}
	/* "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" without printf: every record has a time. */
	put_digits(out + 1, tm.tm_year + 1900, 4);
	put_digits(out + 6, tm.tm_mon + 1, 2);
	put_digits(out + 9, tm.tm_mday, 2);
	put_digits(out + 12, tm.tm_hour, 2);
	put_digits(out + 15, tm.tm_min, 2);
	put_digits(out + 18, tm.tm_sec, 2);
	put_digits(out + 21, (int)us, 6);
	sb_append(b, out, sizeof(out) - 1);
}
