/* targets_names.c — host names among the targets (see include/targets_names.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostnames.h"
#include "portus.h"
#include "targets_names.h"

static const char *family_word(enum resolve_family f)
{
	return f == RESOLVE_V4 ? "ipv4" : f == RESOLVE_V6 ? "ipv6" : "any";
}

/* -4 / -6 refuse literals of the other family, as nmap -6 does for IPv4. */
static int check_literals(const struct options *o, char *err, size_t errlen)
{
	if (o->family == RESOLVE_BOTH)
		return 0;
	for (size_t i = 0; i < o->targets.n; i++) {
		ip_addr a = o->targets.r[i].first;
		char s[ADDR_STR_MAX];

		if (addr_is_v4(a) == (o->family == RESOLVE_V4))
			continue;
		addr_to_str(a, s);
		portus_err(err, errlen, "%s: an %s target, but %s scans %s only", s,
			   addr_is_v4(a) ? "IPv4" : "IPv6", o->family == RESOLVE_V4 ? "-4" : "-6",
			   o->family == RESOLVE_V4 ? "IPv4" : "IPv6");
		return -1;
	}
	return 0;
}

/* What the user reads for a failed name: "NXDOMAIN (no such name)". */
static const char *status_words(enum resolve_status s)
{
	switch (s) {
	case RES_NXDOMAIN:
		return "no such name";
	case RES_NODATA:
		return "no address of the wanted family";
	case RES_SERVFAIL:
		return "the DNS server failed";
	case RES_REFUSED:
		return "the DNS server refused";
	case RES_TIMEOUT:
		return "no answer in time";
	default:
		return "lookup failed";
	}
}

/* Adds one resolved name's addresses to the targets, names and SNI map. */
static int add_resolved(struct options *o, const char *name, const struct resolve_result *r)
{
	for (size_t k = 0; k < r->naddrs; k++) {
		if (ipset_add_range(&o->targets, r->addrs[k], r->addrs[k]) != 0 ||
		    hostnames_add(&o->hostnames, r->addrs[k], name) != 0 ||
		    sni_map_add(&o->sni, r->addrs[k], name) != 0)
			return -1;
	}
	return 0;
}

/* The one line of a run refused because no name resolved and no literal
 * was given: the first few names with what went wrong. */
static void nothing_resolved(const struct options *o, char *err, size_t errlen)
{
	char list[512];
	size_t len = 0, shown = 0, n = o->names.n;

	list[0] = '\0';
	for (size_t i = 0; i < n && shown < 3; i++, shown++) {
		int w = snprintf(list + len, sizeof(list) - len, "%s%s: %s", shown ? ", " : "",
				 o->names.v[i], resolve_status_name(o->resolved[i].status));

		if (w < 0 || (size_t)w >= sizeof(list) - len)
			break;
		len += (size_t)w;
	}
	portus_err(err, errlen, "no target left: none of %zu host name%s resolved (%s%s)", n,
		   n == 1 ? "" : "s", list, n > shown ? ", ..." : "");
}

int targets_resolve(struct options *o, char *err, size_t errlen)
{
	struct resolve_opts ro = {
		.family = o->family,
		.timeout_ms = o->resolve_timeout_ms,
		.retries = o->resolve_retries,
		.concurrency = o->resolve_concurrency,
	};
	size_t n = o->names.n, failed = 0;

	if (check_literals(o, err, errlen) != 0)
		return -1;
	if (n == 0)
		return 0;
	if ((o->resolved = calloc(n, sizeof(*o->resolved))) == NULL) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	if (resolve_names((const char *const *)o->names.v, n, &ro, o->resolved, NULL, err,
			  errlen) != 0) {
		free(o->resolved);
		o->resolved = NULL;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (o->resolved[i].status != RES_OK) {
			failed++;
			continue;
		}
		if (add_resolved(o, o->names.v[i], &o->resolved[i]) != 0) {
			portus_err(err, errlen, "out of memory");
			return -1;
		}
	}
	if (hostnames_finish(&o->hostnames) != 0) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	sni_map_sort(&o->sni);
	if (o->targets.n == 0) {
		nothing_resolved(o, err, errlen);
		return -1;
	}
	/* Some target is left: each failed name is a warning, not an error. */
	for (size_t i = 0; failed > 0 && i < n; i++) {
		const struct resolve_result *r = &o->resolved[i];

		if (r->status != RES_OK)
			fprintf(stderr, "portus: warning: %s: %s (%s%s%s); not scanned\n",
				o->names.v[i], resolve_status_name(r->status),
				status_words(r->status), r->detail[0] != '\0' ? ": " : "",
				r->detail);
	}
	return 0;
}

void targets_note_excluded(const struct options *o)
{
	const struct hostnames *h = &o->hostnames;

	for (size_t i = 0; i < h->naddr; i++) {
		char s[ADDR_STR_MAX];

		if (ipset_contains(&o->targets, h->addr[i]))
			continue;
		addr_to_str(h->addr[i], s);
		fprintf(stderr, "portus: note: %s (%s) is excluded (%s); not scanned\n", s,
			h->name_ptr[h->first[i]],
			o->exclude_file_given ? "--exclude/--exclude-file"
					      : "--exclude or the built-in exclude list");
	}
}

int targets_write_unresolved(const struct options *o, struct writer **w, size_t n)
{
	int rc = 0;

	for (size_t i = 0; o->resolved != NULL && i < o->names.n; i++) {
		const struct resolve_result *r = &o->resolved[i];
		char name[NAME_MAX_LEN + 1];
		struct resolve_record rec;
		size_t len = namelist_shown_len(o->names.v[i]);

		if (r->status == RES_OK)
			continue;
		memcpy(name, o->names.v[i], len);
		name[len] = '\0';
		rec.name = name;
		rec.error = resolve_status_name(r->status);
		rec.detail = r->detail[0] != '\0' ? r->detail : NULL;
		rec.family = family_word(o->family);
		rec.time_us = r->time_us;
		for (size_t k = 0; k < n; k++)
			if (w[k]->ops->resolve != NULL && w[k]->ops->resolve(w[k], &rec) != 0)
				rc = -1;
	}
	return rc;
}

int targets_wrap_writers(const struct options *o, struct writer **w, size_t n)
{
	struct writer *wrapped[16];

	if (o->hostnames.naddr == 0)
		return 0;
	if (n > sizeof(wrapped) / sizeof(wrapped[0]))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((wrapped[i] = writer_names_wrap(w[i], &o->hostnames)) == NULL) {
			/* Unwrap what was wrapped: free the wrappers, not the writers. */
			while (i-- > 0)
				free(wrapped[i]->priv), free(wrapped[i]);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		w[i] = wrapped[i];
	return 0;
}
