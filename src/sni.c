/* sni.c — address -> TLS server names from --sni-file (see include/sni.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conflines.h"
#include "portus.h"
#include "sni.h"

#define SNI_FILE_MAX (16u << 20)

void sni_map_init(struct sni_map *m)
{
	m->v = NULL;
	m->n = m->cap = 0;
}

void sni_map_free(struct sni_map *m)
{
	free(m->v);
	sni_map_init(m);
}

static int valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '*' || c == '_'))
			return 0;
	}
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* By ip, then input order (qsort is not stable, so the order is a key). */
static int cmp_entry(const void *a, const void *b)
{
	const struct sni_entry *x = a, *y = b;

	if (!addr_eq(x->ip, y->ip))
		return addr_order(x->ip, y->ip);
	return x->order < y->order ? -1 : x->order > y->order;
}

int sni_map_add_text(struct sni_map *m, const char *text, size_t len, const char *origin, char *err,
		     size_t errlen)
{
	struct sni_entry *v = NULL;
	size_t n = 0, cap = 0, ll, b, c, d;
	char shown[PORTUS_SHOW_MAX + 4];
	struct conf_lines cl;
	const char *ln;

	conf_lines_init(&cl, text, len);
	while (conf_lines_next(&cl, &ln, &ll)) {
		const char *why = NULL;
		ip_addr ip;

		/* ADDRESS NAME: ln[0, b) and ln[c, d); the line has no blanks at either end */
		for (b = 0; b < ll && !is_blank(ln[b]); b++)
			;
		for (c = b; c < ll && is_blank(ln[c]); c++)
			;
		for (d = c; d < ll && !is_blank(ln[d]); d++)
			;
		if (d != ll || c == ll)
			goto bad_format;
		if (addr_parse(ln, b, &ip, &why) != 0) {
			/* One address per line: a network or a range is a mistake to name. */
			if (memchr(ln, '/', b) != NULL || memchr(ln, '-', b) != NULL)
				why = "expected one IPv4 or IPv6 address, not a network or range";
			portus_err(err, errlen, "%s:%zu: %s: %s", origin, cl.line,
				   portus_show(shown, ln, b), why);
			goto fail;
		}
		if (!valid_name(ln + c, d - c)) {
			portus_err(err, errlen, "%s:%zu: %s: not a DNS name", origin, cl.line,
				   portus_show(shown, ln + c, d - c));
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct sni_entry *nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL) {
				portus_err(err, errlen, "%s: out of memory", origin);
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		v[n].ip = ip;
		v[n].order = (uint32_t)(m->n + n);
		memcpy(v[n].name, ln + c, d - c);
		v[n].name[d - c] = '\0';
		n++;
		continue;
	bad_format:
		portus_err(err, errlen, "%s:%zu: expected \"ADDRESS NAME\"", origin, cl.line);
		goto fail;
	}
	if (n > 0) {
		struct sni_entry *all = realloc(m->v, (m->n + n) * sizeof(*all));
		if (all == NULL) {
			portus_err(err, errlen, "%s: out of memory", origin);
			goto fail;
		}
		memcpy(all + m->n, v, n * sizeof(*v));
		m->v = all;
		m->n += n;
		m->cap = m->n;
		qsort(m->v, m->n, sizeof(*m->v), cmp_entry);
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

int sni_map_add_file(struct sni_map *m, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	int r = -1;

	if (fp == NULL) {
		portus_err(err, errlen, "--sni-file %s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(SNI_FILE_MAX + 1);
	if (buf == NULL) {
		portus_err(err, errlen, "--sni-file %s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, SNI_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		portus_err(err, errlen, "--sni-file %s: read error", path);
		goto out;
	}
	if (len > SNI_FILE_MAX) {
		portus_err(err, errlen, "--sni-file %s: larger than 16 MiB", path);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		portus_err(err, errlen, "--sni-file %s: binary file (NUL bytes)", path);
		goto out;
	}
	r = sni_map_add_text(m, buf, len, path, err, errlen);
out:
	free(buf);
	fclose(fp);
	return r;
}

size_t sni_map_find(const struct sni_map *m, ip_addr ip, const struct sni_entry **first)
{
	size_t lo = 0, hi = m->n, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr_order(m->v[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < m->n && addr_eq(m->v[k].ip, ip); k++)
		;
	*first = lo < m->n ? &m->v[lo] : NULL;
	return k - lo;
}

int sni_map_add(struct sni_map *m, ip_addr ip, const char *name)
{
	size_t len = strlen(name);
	struct sni_entry *nv;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(m->v[0].name))
		return -1;
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;

		if ((nv = realloc(m->v, ncap * sizeof(*nv))) == NULL)
			return -1;
		m->v = nv;
		m->cap = ncap;
	}
	m->v[m->n].ip = ip;
	m->v[m->n].order = (uint32_t)m->n;
	memcpy(m->v[m->n].name, name, len);
	m->v[m->n].name[len] = '\0';
	m->n++;
	return 0;
}

/* By ip, then name (case-insensitive), then input order: repeats meet. */
static int cmp_name(const void *a, const void *b)
{
	const struct sni_entry *x = a, *y = b;
	int c;

	if (!addr_eq(x->ip, y->ip))
		return addr_order(x->ip, y->ip);
	if ((c = strcasecmp(x->name, y->name)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

void sni_map_sort(struct sni_map *m)
{
	size_t out = 0;

	if (m->n == 0)
		return;
	qsort(m->v, m->n, sizeof(*m->v), cmp_name);
	for (size_t i = 0; i < m->n; i++) {
		if (out > 0 && addr_eq(m->v[out - 1].ip, m->v[i].ip) &&
		    strcasecmp(m->v[out - 1].name, m->v[i].name) == 0)
			continue;
		if (out != i)
			m->v[out] = m->v[i];
		out++;
	}
	m->n = out;
	qsort(m->v, m->n, sizeof(*m->v), cmp_entry);
}
