/*
 * tls_checks.h — the certificate and handshake checks the TLS stage runs on
 * every endpoint whose main handshake completed (no option needed): OCSP
 * stapling, must-staple, SCTs, the server's temporary key, key sizes and
 * signature hashes of the served chain, chain order, missing intermediates,
 * leaf lifetime; plus the HSTS header of the banner (tls_hsts.h). Each failed
 * check is one finding: a stable token and a CEF severity (table below).
 *
 * Facts are gathered from OpenSSL by src/tls/checks.c into struct
 * tls_checks; which of them are findings is decided by tls_checks_findings(),
 * a pure function (unit-tested without OpenSSL).
 *
 * Rules (each documented once, here):
 *   weak-key             a certificate the server sent (trust anchor included:
 *                        a client that trusts a weak root is still exposed)
 *                        has an RSA, RSA-PSS, DSA or DH key under 2048 bits or
 *                        an EC key under 256 bits (Ed25519/Ed448 never weak).
 *   md5-in-chain,        a certificate the server sent is signed with MD5 /
 *   sha1-in-chain        SHA-1 (X509_get_signature_info). Self-signed ones are
 *                        left out: a trust anchor's self-signature is never
 *                        checked by a client (RFC 5280 6.1, CA/B BR 7.1.3), so
 *                        a SHA-1 root sent along is no weakness.
 *   chain-order          some certificate after the leaf does not certify the
 *                        one before it (RFC 5246 7.4.2 / RFC 8446 4.4.2 order;
 *                        X509_check_issued: names, key identifiers, key usage).
 *                        An unrelated extra certificate breaks the order too.
 *   missing-intermediate the chain verified, but through a CA certificate
 *                        (neither the leaf nor the trust anchor) the server
 *                        did not send: it came from the local store, which a
 *                        client may not have. When the chain does not verify
 *                        at all, a missing intermediate cannot be told from an
 *                        unknown root without fetching AIA URLs (a scanner
 *                        must not): that stays verify_error.
 *   validity-over-398-days  a leaf that is not self-signed, issued on or after
 *                        2020-09-01 (CA/B BR 6.3.2), valid more than 398 days
 *                        (notAfter - notBefore > 398 * 86400 s).
 *   must-staple-without-staple  the leaf has the TLS feature extension
 *                        (RFC 7633, id-pe-tlsfeature) with status_request (5)
 *                        and the server stapled no OCSP response.
 *   ocsp-revoked         the stapled response, its signature verified, says
 *                        the leaf is revoked (unverified: ocsp-invalid).
 *   ocsp-invalid         a staple that is not a valid "good": response status
 *                        not successful, undecodable, signature not verified
 *                        against the served chain + trust store (OCSP_basic_
 *                        verify), no answer for the leaf, status unknown, or
 *                        times not sane (thisUpdate in the future or
 *                        nextUpdate past, 5 minutes of leeway; nextUpdate
 *                        before thisUpdate).
 *   weak-tmp-key         the ephemeral key: finite-field DH under 2048 bits or
 *                        an EC curve under 256 bits (X25519 / X448 never).
 *   hsts-invalid         a Strict-Transport-Security header a browser ignores
 *                        (tls_hsts.h: bad grammar, duplicate directive, no
 *                        max-age).
 *
 * CEF severity of each finding (cef.h: a TLS record's severity is the
 * highest of these and of the record's other findings):
 *
 *   token                        severity
 *   ocsp-revoked                 8
 *   md5-in-chain                 7
 *   weak-key                     6
 *   sha1-in-chain                6
 *   must-staple-without-staple   6
 *   missing-intermediate         5
 *   ocsp-invalid                 5
 *   weak-tmp-key                 5
 *   chain-order                  4
 *   validity-over-398-days       4
 *   hsts-invalid                 3
 */
#ifndef PORTUS_TLS_CHECKS_H
#define PORTUS_TLS_CHECKS_H

#include <stdint.h>

/* Findings, in the order records list them. */
enum tls_finding {
	TLS_FIND_OCSP_REVOKED,
	TLS_FIND_MD5_IN_CHAIN,
	TLS_FIND_WEAK_KEY,
	TLS_FIND_SHA1_IN_CHAIN,
	TLS_FIND_MUST_STAPLE,
	TLS_FIND_MISSING_INTERMEDIATE,
	TLS_FIND_OCSP_INVALID,
	TLS_FIND_WEAK_TMP_KEY,
	TLS_FIND_CHAIN_ORDER,
	TLS_FIND_VALIDITY,
	TLS_FIND_HSTS_INVALID,
	TLS_FIND_COUNT
};

/* The token ("weak-key") of finding f; NULL for f >= TLS_FIND_COUNT. */
const char *tls_finding_name(unsigned f);
/* The CEF severity of finding f (table above); 0 for f >= TLS_FIND_COUNT. */
int tls_finding_severity(unsigned f);
/* The highest severity of the findings in mask (bit f = finding f); 0 for none. */
int tls_findings_worst(uint32_t mask);

enum tls_ocsp_status { TLS_OCSP_NONE = 0, TLS_OCSP_GOOD, TLS_OCSP_REVOKED, TLS_OCSP_UNKNOWN };

#define TLS_VALIDITY_MAX_DAYS 398
#define TLS_VALIDITY_RULE_START 1598918400 /* 2020-09-01T00:00:00Z */

/* What one handshake showed; all zero when no handshake completed. */
struct tls_checks {
	int done; /* the main handshake completed and the checks ran */

	int ocsp_stapled;                 /* the server sent a status response */
	enum tls_ocsp_status ocsp_status; /* the leaf's status in it; NONE: no entry for it */
	int ocsp_signature_ok;            /* OCSP_basic_verify succeeded */
	int ocsp_time_ok;                 /* thisUpdate / nextUpdate sane (rules above) */
	int64_t ocsp_this_update;         /* Unix seconds; 0 when unknown */
	int64_t ocsp_next_update;         /* Unix seconds; 0 when absent or unknown */
	const char *ocsp_error;           /* static text of the first problem; NULL if valid */

	int must_staple; /* the leaf asks for a staple (RFC 7633) */

	/* SCTs (RFC 6962) from each source, as SSL_get0_peer_scts parsed them. */
	unsigned sct_embedded, sct_tls, sct_ocsp;

	char tmp_key_type[16]; /* SSL_get_peer_tmp_key: "X25519", "EC", "DH"...; "" none */
	int tmp_key_bits;      /* EVP_PKEY_get_bits; 0 unknown */
	int tmp_key_weak;      /* tls_tmp_key_weak() of the two */

	unsigned weak_keys;   /* served certificates with a weak key */
	unsigned md5_sigs;    /* served, not self-signed, signed with MD5 */
	unsigned sha1_sigs;   /* ... with SHA-1 */
	int chain_misordered; /* chain-order rule */
	unsigned missing_intermediates;
	int validity_checked; /* the leaf falls under the 398-day rule */
	int validity_over;    /* ... and notAfter - notBefore > 398 days */
};

/* Is a certificate key of this type (EVP_PKEY_get0_type_name) and size weak? */
int tls_key_weak(const char *type, int bits);
/* Is an ephemeral key of this type and size weak? */
int tls_tmp_key_weak(const char *type, int bits);

/* Is a leaf issued at not_before, expiring at not_after, under the 398-day
 * rule, and over it? Both 0 when self_signed. */
void tls_validity_rule(int64_t not_before, int64_t not_after, int self_signed, int *checked,
		       int *over);

/* The findings of k (and of the HSTS verdict hsts_invalid) as a mask of
 * enum tls_finding bits; 0 when k->done is 0. */
uint32_t tls_checks_findings(const struct tls_checks *k, int hsts_invalid);

#endif
