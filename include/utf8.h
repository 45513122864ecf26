/*
 * utf8.h — strict UTF-8 (RFC 3629) for every byte string portus did not make:
 * decode one code point, validate a string, cut a string without splitting a
 * character, encode a code point.
 *
 * Valid means Table 3-7 of the Unicode standard: no overlong form, no
 * surrogate (U+D800-U+DFFF), nothing above U+10FFFF, no C0/C1/F5-FF lead.
 */
#ifndef PORTUS_UTF8_H
#define PORTUS_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, 3 bytes */

/*
 * Decodes the sequence at s[0..n). Returns its length (1-4) and stores the
 * code point in *cp; or returns 0 when the bytes there are no valid sequence
 * (or n is 0) and stores in *bad the length of its "maximal subpart"
 * (Unicode 15, section 3.9: a valid lead and the valid continuation bytes
 * that follow it before the sequence broke off, else 1 byte; 0 when n is 0),
 * the bytes one U+FFFD stands for in the W3C/WHATWG way. Never reads past
 * s[n - 1]. cp and bad may be NULL.
 */
size_t utf8_decode(const void *s, size_t n, uint32_t *cp, size_t *bad);

/* 1 when s[0..n) is valid UTF-8 throughout (n 0 included), else 0. */
int utf8_valid(const void *s, size_t n);

/*
 * Bytes of s[0..len) to keep under a cap of `cap` bytes without splitting a
 * UTF-8 character: len when len <= cap; else cap moved back to the lead byte
 * of a sequence that would be cut (at most 3 bytes back). When the bytes at
 * the cut are not a well-formed start of a sequence anyway (invalid UTF-8),
 * the cut is made at cap.
 */
size_t utf8_cut(const void *s, size_t len, size_t cap);

/* Writes cp (< 0x110000, not a surrogate) as UTF-8 into out; returns its
 * length 1-4, or 0 (nothing written) for a value that is no scalar value. */
size_t utf8_encode(uint32_t cp, unsigned char out[4]);

#endif
