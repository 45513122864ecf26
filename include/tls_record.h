/*
 * tls_record.h — one TLS endpoint's record: the outcome of connecting, what
 * was negotiated, the certificate chain, the HTTP banner and the versions the
 * server accepts. Produced by the TLS stage, consumed by the writers.
 */
#ifndef PORTUS_TLS_RECORD_H
#define PORTUS_TLS_RECORD_H

#include <stdint.h>

#include "addr.h"
#include "tls_cert.h"
#include "tls_checks.h"
#include "tls_hsts.h"

enum tls_outcome {
	TLS_OK = 0,  /* handshake completed */
	TLS_REFUSED, /* TCP connect got RST */
	TLS_TIMEOUT, /* deadline passed (connect, handshake or a stalled server) */
	TLS_RESET,   /* connection reset or closed during the handshake */
	TLS_NOT_TLS, /* the server spoke something else (e.g. plain HTTP on 443) */
	TLS_ALERT,   /* the server sent a TLS alert; see alert */
	TLS_ERROR,   /* any other failure; see detail */
};

/* Bits of versions_tested / versions_accepted. */
#define TLS_V10 0x1u
#define TLS_V11 0x2u
#define TLS_V12 0x4u
#define TLS_V13 0x8u
#define TLS_NVERSIONS 4

/* The name OpenSSL gives the version of bit i of TLS_V* ("TLSv1" for bit 0 ...
 * "TLSv1.3" for bit 3); NULL for i >= TLS_NVERSIONS. */
const char *tls_version_name(unsigned i);

/* --tls-ciphers: what the cipher-suite enumeration found (src/tls/enumerate.c).
 * Suites are IANA code points (tls_hello.h names them), per version in the
 * server's preference order when it has one, else in the order portus
 * offered them; groups in the order the server chose them. */
#define TLS_ENUM_MAX_SUITES 160 /* per version; more than portus's table holds */
#define TLS_ENUM_MAX_GROUPS 24

enum tls_cipher_order { TLS_ORDER_UNKNOWN = 0, TLS_ORDER_CLIENT, TLS_ORDER_SERVER };

struct tls_ciphers {
	unsigned tested; /* TLS_V* bits whose suites were enumerated */
	uint16_t n[TLS_NVERSIONS];
	uint16_t suite[TLS_NVERSIONS][TLS_ENUM_MAX_SUITES];
	enum tls_cipher_order order; /* server if any version showed server preference */
	int groups_tested;           /* the group probes ran */
	uint16_t ngroups;
	uint16_t group[TLS_ENUM_MAX_GROUPS];
	unsigned handshakes; /* raw handshakes made */
	int incomplete;      /* a limit (handshakes, time) or an error cut it short */
};

#define TLS_MAX_BANNER_LINE 512 /* bytes kept of the status line and of Server: */

struct tls_result {
	ip_addr ip; /* the endpoint: IPv4 (addr_is_v4) or IPv6 */
	uint16_t port;
	char sni[256]; /* server name sent, "" when none */

	enum tls_outcome outcome;
	char alert[48];   /* alert description ("handshake_failure") when TLS_ALERT */
	char detail[128]; /* short reason for failures, "" on success */

	char version[16]; /* "TLSv1.3" */
	char cipher[80];  /* IANA name, "TLS_AES_256_GCM_SHA384" */
	char alpn[32];    /* negotiated ALPN protocol, "" when none */
	char group[32]; /* key exchange group, IANA-style name ("x25519", "secp256r1"), "" when unknown */

	struct tls_chain_info certs; /* owned */

	int verify_ok;         /* chain verified against the trust store (and --ca-file) */
	long verify_code;      /* X509_V_* result */
	char verify_error[96]; /* X509_verify_cert_error_string, "" when ok */
	int hostname_checked;  /* a name was used as SNI and checked against the leaf */
	int hostname_match;

	int banner_done;              /* a HEAD / answer was read */
	struct tls_bytes http_status; /* "HTTP/1.1 200 OK", raw bytes, owned */
	struct tls_bytes http_server; /* Server: header value, raw bytes, owned */
	int banner_truncated;
	struct tls_hsts hsts; /* first Strict-Transport-Security header (present 0: none) */

	struct tls_checks checks; /* certificate and handshake checks (tls_checks.h) */

	char ja3s[33];               /* JA3S of the main handshake's ServerHello, "" when none */
	char ja4s[26];               /* JA4S ("t130200_1301_a56c5b993250"), "" when none */
	uint16_t hello_version;      /* version the main handshake's ServerHello chose (wire
				   value, 0x0304 for TLS 1.3), 0 when none came */
	struct tls_ciphers *ciphers; /* owned; NULL without --tls-ciphers or when not run */

	unsigned versions_tested; /* TLS_V* bits probed with --tls-versions */
	unsigned versions_accepted;

	int64_t start_us, end_us; /* wall clock, Unix microseconds */
};

/* Frees owned parts; the struct is zeroed. */
void tls_result_free(struct tls_result *r);

/* The record's findings (enum tls_finding bits): tls_checks_findings of its
 * checks and HSTS verdict; 0 when no handshake completed. */
uint32_t tls_result_findings(const struct tls_result *r);

const char *tls_outcome_name(
	enum tls_outcome o); /* "ok", "refused", "timeout", "reset", "not-tls", "alert", "error" */

#endif
