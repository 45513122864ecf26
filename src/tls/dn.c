/* dn.c — attributes of an RFC 4514 distinguished name (see dn.h). */
#include "tls/dn.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t dn_walk(const unsigned char *dn, size_t len, unsigned char *scratch, dn_attr_fn fn,
	       void *ctx)
{
	size_t i = 0, count = 0;

	while (i < len) {
		size_t type_start = i, type_len, n = 0;
		int has_eq = 0;

		/* Type: up to '=' (types never contain escapes). */
		while (i < len && dn[i] != '=' && dn[i] != ',' && dn[i] != '+')
			i++;
		type_len = i - type_start;
		if (i < len && dn[i] == '=') {
			has_eq = 1;
			i++;
		}
		/* Value: up to an unescaped ',' or '+'. */
		while (i < len && dn[i] != ',' && dn[i] != '+') {
			if (dn[i] == '\\' && i + 1 < len) {
				int hi = hexval(dn[i + 1]);
				int lo = i + 2 < len ? hexval(dn[i + 2]) : -1;

				if (hi >= 0 && lo >= 0) {
					scratch[n++] = (unsigned char)(hi << 4 | lo);
					i += 3;
				} else {
					scratch[n++] = dn[i + 1];
					i += 2;
				}
				continue;
			}
			if (dn[i] == '\\') { /* a lone backslash at a cut */
				i++;
				continue;
			}
			scratch[n++] = dn[i++];
		}
		if (has_eq && type_len > 0) {
			fn(ctx, (const char *)dn + type_start, type_len, scratch, n);
			count++;
		}
		if (i < len) /* the separator */
			i++;
	}
	return count;
}
