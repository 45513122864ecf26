/*
 * tls_cert.h — what an auditor needs from a server's certificate chain,
 * extracted from OpenSSL objects into plain, owned, bounded data.
 *
 * Every string from a certificate is hostile: it is kept as bytes + length
 * (an ASN.1 string may hold NUL, control bytes, invalid UTF-8, quotes) and
 * escaped only when written out. Every list and string is capped; a cap hit
 * sets `truncated` on the record and names the field in truncated_fields.
 */
#ifndef PORTUS_TLS_CERT_H
#define PORTUS_TLS_CERT_H

#include <stddef.h>
#include <stdint.h>

#define TLS_MAX_CHAIN 10        /* chain entries kept (leaf included) */
#define TLS_MAX_NAMES 100       /* SAN DNS / SAN IP / subject CN entries kept */
#define TLS_MAX_NAME_BYTES 1024 /* bytes kept of one name or DN */
#define TLS_MAX_SERIAL_BYTES 64 /* RFC 5280 allows 20; hostile ones are longer */

struct tls_bytes {
	unsigned char *p; /* owned, may contain any byte; NUL-terminated for convenience */
	size_t len;
};

struct tls_name_list {
	struct tls_bytes *v; /* owned */
	size_t n;
};

struct tls_cert_info {
	struct tls_bytes subject_dn; /* RFC 4514 string (X509_NAME_print_ex, XN_FLAG_RFC2253) */
	struct tls_bytes issuer_dn;
	struct tls_name_list subject_cn; /* every CN attribute of the subject, raw bytes */
	struct tls_name_list san_dns;    /* dNSName entries, raw bytes */
	struct tls_name_list san_ip;     /* iPAddress entries as text ("198.18.0.1", IPv6 text) */
	char serial_hex[2 * TLS_MAX_SERIAL_BYTES + 1]; /* uppercase, no colons, no leading 00 */
	int64_t not_before, not_after; /* Unix seconds, UTC */
	int64_t days_to_expiry;        /* floor((not_after - now) / 86400); negative when expired */
	int expired, not_yet_valid;    /* against the time given to tls_cert_extract */
	int self_signed;               /* issuer == subject and the signature verifies with its own key */
	char sig_alg[64];              /* e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA256" */
	char key_alg[32];              /* "RSA", "EC", "ED25519", ... */
	int key_bits;                  /* RSA modulus bits, EC field bits */
	char key_curve[32];            /* "prime256v1" for EC, else "" */
	uint8_t sha256[32], sha1[20];  /* fingerprints of the DER encoding */
};

struct tls_chain_entry {
	struct tls_bytes subject_dn, issuer_dn;
	uint8_t sha256[32];
};

struct tls_chain_info {
	struct tls_cert_info leaf;
	int has_leaf;
	struct tls_chain_entry *chain; /* owned; chain[0] is the leaf when present */
	size_t chain_len;              /* entries kept (<= TLS_MAX_CHAIN) */
	size_t chain_total;            /* entries the server sent */
	char *pem;                     /* owned, leaf PEM when requested, else NULL */
	int truncated;                 /* some cap was hit */
	char truncated_fields[128];    /* comma-separated names of capped fields */
};

struct x509_st;      /* OpenSSL's X509 */
struct stack_st_X509; /* OpenSSL's STACK_OF(X509) */

/*
 * Fills out from the peer chain (as from SSL_get_peer_cert_chain; chain[0] the
 * leaf) — or from a lone leaf when chain is NULL. `now` (Unix seconds) decides
 * expired / not-yet-valid / days_to_expiry. want_pem adds the leaf's PEM.
 * Borrows the OpenSSL objects (frees none). Returns 0, or -1 on allocation
 * failure (out is then freed and zeroed).
 */
int tls_chain_extract(struct tls_chain_info *out, struct x509_st *leaf,
		      struct stack_st_X509 *chain, int64_t now, int want_pem);

/* Frees everything inside; the struct is zeroed and reusable. */
void tls_chain_free(struct tls_chain_info *ci);

#endif
