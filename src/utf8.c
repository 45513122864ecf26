/*
 * utf8.c — strict UTF-8 decoding, validation, cutting and encoding (utf8.h).
 *
 * Table 3-7 of the Unicode standard, "Well-Formed UTF-8 Byte Sequences": the
 * range of the second byte depends on the lead byte, which is what rules out
 * overlong forms (E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and values
 * above U+10FFFF (F4 90-BF); C0, C1 and F5-FF never start a sequence.
 */
#include "utf8.h"

size_t utf8_decode(const void *data, size_t n, uint32_t *cp, size_t *bad)
{
	const unsigned char *s = data;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t c;

	if (n == 0) {
		if (bad != NULL)
			*bad = 0;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		need = 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
		c &= 0x07;
	} else {
		if (bad != NULL)
			*bad = 1; /* a continuation byte, C0, C1, F5-FF */
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		c = c << 6 | (s[i] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	if (cp != NULL)
		*cp = c;
	return need;
}

int utf8_valid(const void *data, size_t n)
{
	const unsigned char *s = data;
	size_t i = 0, k;

	while (i < n) {
		if (s[i] < 0x80) { /* ASCII without a call */
			i++;
			continue;
		}
		if ((k = utf8_decode(s + i, n - i, NULL, NULL)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

size_t utf8_cut(const void *data, size_t len, size_t cap)
{
	const unsigned char *s = data;
	size_t n = cap;

	if (len <= cap)
		return len;
	/* s[cap] is the first byte dropped: if it continues a sequence, go back
	 * over at most 3 continuation bytes to that sequence's lead byte. */
	while (n > 0 && cap - n < 3 && (s[n] & 0xc0) == 0x80)
		n--;
	if (n < cap && (s[n] & 0xc0) == 0xc0)
		return n;
	return cap; /* no sequence split, or no lead byte to go back to */
}

size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
