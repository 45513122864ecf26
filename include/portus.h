/*
 * portus.h — project-wide constants and the error-buffer convention.
 *
 * Error contract used throughout include/: functions that can fail take
 * `char *err, size_t errlen` and return 0 on success or -1 on failure, in
 * which case err holds one line (no trailing newline, no "portus:" prefix)
 * naming the offending input and what is wrong with it. Output parameters
 * are written on success only.
 */
#ifndef PORTUS_H
#define PORTUS_H

#include <stddef.h>
#include <stdint.h>

#define PORTUS_VERSION "0.1.0"
#define PORTUS_ERRLEN 256

/*
 * printf-like helper to fill an error buffer; always NUL-terminates. Control
 * bytes (newlines included) in the result become '?', so a message is always
 * one line whatever user input it echoes.
 */
void portus_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define PORTUS_SHOW_MAX 64 /* longest piece of input echoed in an error */

/*
 * Copies at most PORTUS_SHOW_MAX bytes of s[0..len) into buf for an error
 * message, unprintable bytes as '?', "..." appended when cut. buf must hold
 * PORTUS_SHOW_MAX + 4 bytes. Returns buf.
 */
const char *portus_show(char *buf, const char *s, size_t len);

/*
 * Parses s[0..len) as an unsigned decimal made of digits only (no sign, no
 * space) no larger than max. Returns 0 and sets *out, -1 when it is empty or
 * not all digits, -2 when it is above max (never overflows, however long).
 */
int portus_parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out);

/* The C locale's isspace, without locale or sign-extension surprises. */
int portus_is_space(char c);

/* Non-zero when s[0..len) holds any portus_is_space byte. */
int portus_has_space(const char *s, size_t len);

/*
 * Room for element n of a growing array *arr of *cap elements of size bytes:
 * nothing when n < *cap, else the capacity doubles (256 at first) by
 * realloc. Returns 0, or -1 when out of memory or the size would overflow
 * (*arr and *cap then unchanged, the array still owned by the caller).
 */
int portus_grow(void **arr, size_t *cap, size_t n, size_t size);

#endif
