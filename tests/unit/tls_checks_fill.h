/*
 * tls_checks_fill.h — for the record tests: the checks' part of a TLS record
 * at its largest (every finding, every optional value, the longest static
 * strings, the largest numbers), so a worst-case record test covers it.
 */
#ifndef PORTUS_TEST_TLS_CHECKS_FILL_H
#define PORTUS_TEST_TLS_CHECKS_FILL_H

#include <limits.h>
#include <string.h>

#include "tls_record.h"

static inline void tls_checks_fill_worst(struct tls_result *r)
{
	struct tls_checks *k = &r->checks;

	k->done = 1;
	k->ocsp_stapled = 1;
	k->ocsp_status = TLS_OCSP_UNKNOWN;
	k->ocsp_this_update = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
	k->ocsp_next_update = INT64_C(253402300799);
	k->ocsp_error = "thisUpdate or nextUpdate out of range";
	k->must_staple = 1;
	k->sct_embedded = k->sct_tls = k->sct_ocsp = UINT_MAX;
	memset(k->tmp_key_type, 'X', sizeof(k->tmp_key_type) - 1);
	k->tmp_key_type[sizeof(k->tmp_key_type) - 1] = '\0';
	k->tmp_key_bits = INT_MAX;
	k->tmp_key_weak = 1;
	k->weak_keys = k->md5_sigs = k->sha1_sigs = k->missing_intermediates = 1;
	k->chain_misordered = k->validity_over = 1;
	r->hsts.present = 1;
	r->hsts.valid = 0;
	r->hsts.max_age = TLS_HSTS_MAX_AGE_CAP;
	r->hsts.include_subdomains = r->hsts.preload = 1;
	r->hsts.error = "directive value is neither token nor quoted-string";
}

#endif
