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

/* printf-like helper to fill an error buffer; always NUL-terminates. */
void portus_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
