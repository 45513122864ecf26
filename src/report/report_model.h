/*
 * report_model.h — the numbers of `portus report`, computed from a result
 * set before any HTML is written, so they can be unit-tested on their own.
 * How each is computed is the contract of docs/report.md; the integration
 * test recomputes them in Python (tests/integration/check_report.py).
 *
 * A model borrows the result set: the set must be sweep_normalize()d (one
 * port record per address and port, one TLS record per address, port and
 * SNI, both in address order) and must outlive the model.
 */
#ifndef PORTUS_REPORT_MODEL_H
#define PORTUS_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "result_file.h"

/* One row of a "how many of each" table. */
struct rp_count {
	const char *key; /* borrowed from the result set; NULL = the JSON had null */
	uint64_t n;
};

/* Rows sorted by n descending, then key (NULL first, then bytewise). */
struct rp_table {
	struct rp_count *v;
	size_t n;
};

/* TLS records (borrowed), in the result set's order unless said otherwise. */
struct rp_list {
	const struct rs_tls **v;
	size_t n;
};

/* One distinct leaf certificate (by SHA-256). */
struct rp_cert {
	const struct rs_tls *rec; /* its first TLS record: subject, issuer, not_after */
	int64_t days;             /* the smallest days_to_expiry of its records */
	int expired;              /* any record says expired, or days < 0 */
	size_t endpoints;         /* TLS records that presented it */
};

enum rp_bucket { RP_EXPIRED, RP_LT7, RP_LT30, RP_LT90, RP_LATER, RP_NBUCKETS };

struct report_model {
	const struct result_set *rs; /* borrowed */

	/* The scan, from the summary records. */
	size_t summaries;
	uint64_t targets;         /* sum of the summaries' targets */
	int64_t start_us, end_us; /* earliest start, latest end; 0 when no summary */
	int interrupted;          /* any summary says so */
	uint64_t *seeds;          /* distinct seeds, ascending */
	size_t nseeds;

	/* Ports, from the port records. */
	uint64_t open, closed, filtered;
	uint64_t hosts_up;   /* addresses whose host answered itself or ARP/ND (scan_record.h,
				      * reply_from_target): nmap's "up", as diff and -oX count it */
	uint64_t hosts_open; /* addresses with an open port ("exposed") */
	ip_addr *p443;       /* addresses with 443 open, in address order */
	size_t np443;

	/* TLS, from the TLS records. */
	size_t tls_records;
	size_t tls_endpoints; /* distinct (address, port) */
	size_t tls_ok;        /* outcome "ok" */
	struct rp_table outcomes, versions, ciphers, verify_errors, issuers;
	size_t tested;                   /* records with versions tested (--tls-versions) */
	size_t accepted[4], rejected[4]; /* records accepting / refusing TLSv1, 1.1, 1.2, 1.3 */
	struct rp_list weak;             /* accepts or negotiated SSLv3, TLSv1 or TLSv1.1 */
	struct rp_list self_signed;      /* leaf self-signed */
	struct rp_list mismatched;       /* hostname_match false */
	struct rp_list untrusted;        /* verify_ok false */
	struct rp_list plain_http;       /* not-tls, "plain HTTP answer" */

	/* Distinct certificates, soonest expiry first (then SHA-256). */
	struct rp_cert *certs;
	size_t ncerts;
	uint64_t buckets[RP_NBUCKETS];
};

/* Fills m from rs. Returns 0, or -1 when out of memory (m is then freed). */
int report_model_build(struct report_model *m, const struct result_set *rs);

void report_model_free(struct report_model *m);

/* The bucket of a certificate: expired, < 7, < 30, < 90 days, later. */
enum rp_bucket rp_bucket_of(int64_t days, int expired);

/* "expired", "lt7", "lt30", "lt90", "later" — the data-bucket names. */
const char *rp_bucket_key(enum rp_bucket b);

/* "expired", "< 7 days", ... — the chart's labels. */
const char *rp_bucket_label(enum rp_bucket b);

/* Index 0-3 of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (the TLS_V* bit numbers). */
const char *rp_version_name(int i);

/* Whether a TLS record counts as weak (see weak above). */
int rp_is_weak(const struct rs_tls *t);

/* Whether a TLS record is plain HTTP where TLS was expected. */
int rp_is_plain_http(const struct rs_tls *t);

#endif
