/*
 * tls_policy.h — a TLS policy (what an endpoint may accept and serve) and
 * the judgement of one endpoint against it: --tls-policy NAME|FILE of
 * issue 14. The engine only; the stage fills a tls_policy_endpoint per
 * record (tls_policy_endpoint_from_result) and the writers render the
 * verdict.
 *
 * A policy is a set of allow-lists and limits, each optional (a rule the
 * policy does not set is not judged):
 *
 *   versions      protocol versions the endpoint may accept
 *   suites        per version, the cipher suites it may accept (IANA names,
 *                 the table of tls_hello.h); a version without a suites line
 *                 has no suite rule
 *   groups        key-exchange groups it may accept (tls_hello.h names)
 *   key-types     certificate key types (RSA, RSA-PSS, EC, ED25519, ED448, DSA)
 *   key-min-bits  per key type (RSA also covers RSA-PSS), the smallest key
 *   cert-curves   curves an EC certificate key may use (OpenSSL short names)
 *   signatures    certificate signature algorithms (OpenSSL long names)
 *   max-cert-days the longest leaf validity, in days
 *   dh-min-bits   the smallest finite-field DH temporary key
 *   hsts-min-age  an HTTP endpoint must send a valid Strict-Transport-Security
 *                 header with at least this max-age
 *
 * The file format, the keys' exact syntax and the Mozilla profiles are in
 * docs/tls-policy.md. Built-in profiles modern / intermediate / old (Mozilla
 * Server Side TLS 5.7) are data/policies/NAME.policy, embedded in the binary
 * and parsed by the same reader as a user's file.
 *
 * Ownership: every struct here is a plain value (no pointers to the heap);
 * nothing allocates except tls_policy_load's temporary file buffer, freed
 * before it returns. Error contract: portus.h's (0 / -1, one line in err).
 */
#ifndef PORTUS_TLS_POLICY_H
#define PORTUS_TLS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "tls_record.h"

#define TLS_POLICY_MAX_SUITES 160 /* per version (every suite of the table fits) */
#define TLS_POLICY_MAX_GROUPS 24
#define TLS_POLICY_MAX_NAMES 16      /* key types, curves, signatures: each list */
#define TLS_POLICY_NAME_LEN 48       /* one curve / signature / key-type name, NUL included */
#define TLS_POLICY_FILE_MAX 65536    /* bytes of a policy file */
#define TLS_POLICY_MAX_VIOLATIONS 32 /* kept per verdict; the rest only counted */
#define TLS_POLICY_REASON_LEN 112

/* Rules (bits of tls_policy.rules and tls_policy_verdict.unjudged). */
enum tls_policy_rule {
	TLS_POL_VERSIONS = 1u << 0,
	TLS_POL_SUITES = 1u << 1,
	TLS_POL_GROUPS = 1u << 2,
	TLS_POL_KEY_TYPES = 1u << 3,
	TLS_POL_KEY_BITS = 1u << 4,
	TLS_POL_CURVES = 1u << 5,
	TLS_POL_SIGNATURES = 1u << 6,
	TLS_POL_LIFETIME = 1u << 7,
	TLS_POL_DH = 1u << 8,
	TLS_POL_HSTS = 1u << 9,
};
#define TLS_POL_NRULES 10

/* The key of rule bit (1u << i) as a policy file spells it ("versions"),
 * NULL for i >= TLS_POL_NRULES. */
const char *tls_policy_rule_name(unsigned i);

struct tls_policy_names {
	size_t n;
	char v[TLS_POLICY_MAX_NAMES][TLS_POLICY_NAME_LEN];
};

/* Key types with a minimum size (key-min-bits). */
enum { TLS_POL_KEY_RSA, TLS_POL_KEY_EC, TLS_POL_KEY_DSA, TLS_POL_NKEYBITS };

struct tls_policy {
	char name[64];           /* "intermediate", the file's `name`, or the path given */
	unsigned rules;          /* TLS_POL_* the policy sets */
	unsigned versions;       /* TLS_V* allowed */
	unsigned suite_versions; /* TLS_V* with a suites rule */
	uint16_t nsuites[TLS_NVERSIONS];
	uint16_t suite[TLS_NVERSIONS][TLS_POLICY_MAX_SUITES];
	uint16_t ngroups;
	uint16_t group[TLS_POLICY_MAX_GROUPS];
	struct tls_policy_names key_types, curves, signatures;
	unsigned key_min_bits[TLS_POL_NKEYBITS]; /* 0: no minimum for that type */
	int64_t max_cert_days;
	unsigned dh_min_bits;
	int64_t hsts_min_age;
};

/*
 * Parses a policy text (text[0..len), a file's bytes: hostile, any length)
 * into p, which is overwritten. origin names the text in errors ("FILE" gives
 * "FILE:LINE: ..."), and is p->name unless the text has a `name` line.
 * Strict: an unknown key, an unknown version / suite / group / key type /
 * curve / signature name, a name listed twice, a TLS 1.3 suite under an older
 * version (or the reverse), a bad or out-of-range number, a missing value, a
 * scalar key given twice, a NUL byte: -1 with "origin:LINE: what" in err.
 */
int tls_policy_parse(struct tls_policy *p, const char *text, size_t len, const char *origin,
		     char *err, size_t errlen);

/* The embedded text of built-in profile name ("modern", "intermediate",
 * "old"), or NULL. */
const char *tls_policy_builtin_text(const char *name);

/*
 * --tls-policy's argument: a built-in profile name (those win: write
 * ./modern for a file of that name), else a file path, read (at most
 * TLS_POLICY_FILE_MAX bytes) and parsed as above. Returns 0 or -1 with
 * err set ("PATH: cannot open: ...", "PATH:3: unknown key 'x'").
 */
int tls_policy_load(struct tls_policy *p, const char *arg, char *err, size_t errlen);

/*
 * What one endpoint showed, in the policy's terms. A plain value: the stage
 * fills it from its record (tls_policy_endpoint_from_result), tests by hand.
 * "known" bits say which facts were measured in full; accepted facts alone
 * can only prove violations, so a rule whose facts are not all known is
 * listed in the verdict's unjudged mask (its violations still count).
 */
struct tls_policy_endpoint {
	unsigned versions_accepted; /* TLS_V* seen accepted (negotiated included) */
	unsigned versions_known;    /* TLS_V* whose acceptance was tested */
	unsigned suites_known;      /* TLS_V* whose suite list is a full enumeration */
	uint16_t nsuites[TLS_NVERSIONS];
	uint16_t suite[TLS_NVERSIONS][TLS_ENUM_MAX_SUITES]; /* accepted, per version */
	int groups_known; /* the group list is a full enumeration */
	uint16_t ngroups;
	uint16_t group[TLS_ENUM_MAX_GROUPS];

	int cert_known;        /* a leaf certificate was read */
	char key_type[32];     /* EVP type name: "RSA", "EC", "ED25519" ... */
	int key_bits;          /* 0 unknown */
	char key_curve[32];    /* "prime256v1"; "" when not EC or unknown */
	char sig_alg[64];      /* the leaf's signature algorithm, long name */
	int64_t validity_days; /* floor((notAfter - notBefore) / 86400) of the leaf */

	char tmp_key_type[16]; /* "DH", "X25519", "EC" ...; "" unknown */
	int tmp_key_bits;

	int http; /* an HTTP response was read (HSTS applies) */
	int hsts_present, hsts_valid;
	int64_t hsts_max_age; /* -1 when missing */
};

/*
 * Fills e from a finished record: versions from --tls-versions and the
 * enumeration and the negotiated version; suites / groups from r->ciphers
 * (known when it ran and was not cut short) plus the negotiated suite and
 * group; the leaf; the temporary key; the banner's HSTS. e is overwritten.
 */
void tls_policy_endpoint_from_result(struct tls_policy_endpoint *e, const struct tls_result *r);

/* One failed rule. token is stable (below); reason a short English line:
 *   version-not-allowed     "version TLSv1.1 accepted"
 *   suite-not-allowed       "suite TLS_RSA_WITH_3DES_EDE_CBC_SHA accepted under TLSv1.2"
 *   group-not-allowed       "group secp521r1 accepted"
 *   key-type-not-allowed    "certificate key type RSA not allowed"
 *   key-too-small           "RSA key 1024 bits < 2048"
 *   curve-not-allowed       "certificate curve secp521r1 not allowed"
 *   signature-not-allowed   "signature sha1WithRSAEncryption not allowed"
 *   lifetime-too-long       "certificate valid 825 days > 366"
 *   dh-too-small            "DH key 1024 bits < 2048"
 *   hsts-missing            "no valid Strict-Transport-Security header"
 *   hsts-max-age-too-short  "HSTS max-age 300 < 63072000"
 */
struct tls_policy_violation {
	const char *token; /* static */
	char reason[TLS_POLICY_REASON_LEN];
};

struct tls_policy_verdict {
	int compliant;     /* no violation (rules in unjudged may still hide some) */
	unsigned unjudged; /* TLS_POL_* set by the policy whose facts were not all known */
	size_t total;      /* violations found */
	size_t n;          /* kept: min(total, TLS_POLICY_MAX_VIOLATIONS), in rule order */
	struct tls_policy_violation v[TLS_POLICY_MAX_VIOLATIONS];
};

/* Judges e against p into v (overwritten). Pure; cannot fail. */
void tls_policy_check(const struct tls_policy *p, const struct tls_policy_endpoint *e,
		      struct tls_policy_verdict *v);

/* Name lookups the parser uses (exact IANA suite name; group names as
 * tls_hello.h spells them, case-insensitive, "prime256v1" for secp256r1).
 * Return 0 and set *id, or -1. */
int tls_policy_suite_id(const char *name, size_t len, uint16_t *id);
int tls_policy_group_id(const char *name, size_t len, uint16_t *id);

#endif
