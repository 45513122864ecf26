/*
 * fuzz_targets.c — libFuzzer harness for the target and port parsers:
 * ipset_parse, ipset_add_list, ipset_add_text (src/ipset.c) and ports_parse
 * (src/ports.c).
 *   make build-fuzz/fuzz_targets && build-fuzz/fuzz_targets -max_total_time=60
 * Each input is copied to an exact-size, NUL-terminated buffer so ASan sees
 * any read past it. Aborts when a header promise breaks: results in range and
 * sorted, sets unchanged on error, errors one non-empty line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipset.h"
#include "ports.h"
#include "portus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err)
{
	size_t len = strnlen(err, PORTUS_ERRLEN);

	if (len == 0 || len == PORTUS_ERRLEN || memchr(err, '\n', len) != NULL ||
	    memchr(err, '\r', len) != NULL)
		abort();
}

/* Every range well-formed; after normalizing, sorted, disjoint, not adjacent,
 * same count, and every original endpoint still contained. */
static void check_set(struct ip_set *s)
{
	struct ip_set orig;

	ipset_init(&orig);
	for (size_t i = 0; i < s->n; i++) {
		if (s->r[i].first.v > s->r[i].last.v ||
		    ipset_add_range(&orig, s->r[i].first, s->r[i].last))
			abort();
	}
	ipset_normalize(s);
	for (size_t i = 1; i < s->n; i++) {
		if (s->r[i].first.v > s->r[i].last.v || s->r[i - 1].last.v == ~(u128)0 ||
		    s->r[i].first.v <= s->r[i - 1].last.v + 1)
			abort();
	}
	for (size_t i = 0; i < orig.n; i++) {
		if (!ipset_contains(s, orig.r[i].first) || !ipset_contains(s, orig.r[i].last))
			abort();
	}
	if (orig.n > 0 && ipset_count(s) == 0)
		abort();
	ipset_free(&orig);
}

static void fuzz_ipset(const char *text, size_t size)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;
	ip_addr first = addr_from_v4(1), last = addr_zero();
	size_t len = strlen(text), commas = 0;

	if (ipset_parse(text, &first, &last, err, sizeof(err)) == 0) {
		if (first.v > last.v || len == 0 ||
		    strspn(text, "0123456789abcdefABCDEF:./-") != len)
			abort();
		if (strpbrk(text, "/-") == NULL && !addr_eq(first, last))
			abort();
	} else {
		check_err(err);
	}

	ipset_init(&s);
	for (size_t i = 0; i < len; i++)
		commas += text[i] == ',';
	if (ipset_add_list(&s, text, err, sizeof(err)) == 0) {
		if (s.n != commas + 1)
			abort();
		check_set(&s);
	} else {
		check_err(err);
		if (s.n != 0)
			abort();
	}
	ipset_free(&s);

	/* The whole input, NULs and all: ipset_add_text takes a length. */
	if (ipset_add_text(&s, text, size, "fuzz", err, sizeof(err)) == 0) {
		if (s.n > size / 2 + 1) /* a spec is at least 2 bytes ("::") */
			abort();
		check_set(&s);
	} else {
		check_err(err);
		if (s.n != 0 || strncmp(err, "fuzz:", 5) != 0)
			abort();
	}
	ipset_free(&s);
}

static void fuzz_ports(const char *spec)
{
	char err[PORTUS_ERRLEN];
	struct port_list p;
	int has80 = 0;

	/* Start from a non-empty list to check merging and "unchanged on error". */
	ports_init(&p);
	if (ports_parse(&p, "80", err, sizeof(err)) != 0 || p.n != 1)
		abort();
	if (ports_parse(&p, spec, err, sizeof(err)) == 0) {
		for (uint32_t i = 0; i < p.n; i++) {
			if (p.ports[i] == 0 || (i > 0 && p.ports[i] <= p.ports[i - 1]))
				abort();
			has80 |= p.ports[i] == 80;
		}
		if (!has80 || strchr(spec, ' ') != NULL)
			abort();
	} else {
		check_err(err);
		if (p.n != 1 || p.ports[0] != 80)
			abort();
	}
	ports_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	fuzz_ipset(text, size);
	fuzz_ports(text);
	free(text);
	return 0;
}
