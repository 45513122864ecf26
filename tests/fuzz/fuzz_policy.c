/*
 * fuzz_policy.c — libFuzzer harness for the TLS policy file reader
 * (src/tls/policy_file.c) and the judgement (src/tls/policy.c).
 *   make build-fuzz/fuzz_policy && build-fuzz/fuzz_policy -max_total_time=60
 * Aborts unless, for any bytes (copied into a buffer of exactly their size,
 * so ASan catches any read beyond):
 *  - a rejected text leaves one non-empty line in err, starting "f.policy:";
 *  - an accepted one sets at least one rule, keeps every list within its
 *    cap and every name NUL-terminated;
 *  - judging it against an endpoint that accepts everything in the table
 *    gives a bounded verdict whose compliant flag matches its count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portus.h"
#include "tls_hello.h"
#include "tls_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_names(const struct tls_policy_names *l)
{
	if (l->n > TLS_POLICY_MAX_NAMES)
		abort();
	for (size_t i = 0; i < l->n; i++)
		if (memchr(l->v[i], '\0', TLS_POLICY_NAME_LEN) == NULL || l->v[i][0] == '\0')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_policy p;
	static struct tls_policy_endpoint e;
	static struct tls_policy_verdict v;
	char err[PORTUS_ERRLEN] = "";
	char *copy = malloc(size > 0 ? size : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (tls_policy_parse(&p, copy, size, "f.policy", err, sizeof(err)) != 0) {
		if (strncmp(err, "f.policy:", 9) != 0 || strchr(err, '\n') != NULL)
			abort();
		free(copy);
		return 0;
	}
	if (p.rules == 0 || memchr(p.name, '\0', sizeof(p.name)) == NULL ||
	    p.ngroups > TLS_POLICY_MAX_GROUPS)
		abort();
	for (unsigned i = 0; i < TLS_NVERSIONS; i++)
		if (p.nsuites[i] > TLS_POLICY_MAX_SUITES)
			abort();
	check_names(&p.key_types);
	check_names(&p.curves);
	check_names(&p.signatures);

	memset(&e, 0, sizeof(e));
	e.versions_accepted = e.versions_known = e.suites_known = 0xF;
	for (size_t i = 0; i < tlsh_suite_count(); i++) {
		uint16_t s = tlsh_suite_at(i);
		unsigned k = tlsh_suite_is_tls13(s) ? 3 : 2;

		if (e.nsuites[k] < TLS_ENUM_MAX_SUITES)
			e.suite[k][e.nsuites[k]++] = s;
	}
	e.cert_known = 1;
	strcpy(e.key_type, "RSA");
	e.key_bits = 512;
	strcpy(e.sig_alg, "md5WithRSAEncryption");
	e.validity_days = 100000;
	tls_policy_check(&p, &e, &v);
	if (v.n > TLS_POLICY_MAX_VIOLATIONS || v.n > v.total || v.compliant != (v.total == 0))
		abort();
	for (size_t i = 0; i < v.n; i++)
		if (v.v[i].token == NULL ||
		    memchr(v.v[i].reason, '\0', TLS_POLICY_REASON_LEN) == NULL)
			abort();
	free(copy);
	return 0;
}
