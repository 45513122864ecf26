/* util.c — small shared helpers (error buffer formatting). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portus.h"

void portus_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
}

const char *portus_show(char *buf, const char *s, size_t len)
{
	size_t i, n = len > PORTUS_SHOW_MAX ? PORTUS_SHOW_MAX : len;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

int portus_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int too_big = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		/* Once above max, stay there: keep scanning only to reject junk. */
		if (!too_big && (d > max || v > (max - d) / 10))
			too_big = 1;
		else if (!too_big)
			v = v * 10 + d;
	}
	if (too_big)
		return -2;
	*out = v;
	return 0;
}

int portus_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int portus_has_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (portus_is_space(s[i]))
			return 1;
	return 0;
}

int portus_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap && *arr != NULL) /* (never NULL with room; says so to the analyzer) */
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if (size == 0 || ncap > SIZE_MAX / size)
		return -1;
	if ((p = realloc(*arr, ncap * size)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}
