/*
 * tls_cert.h — what an auditor needs from a server's certificate chain,
 * extracted from OpenSSL objects into plain, owned, bounded data.
 *
 * Every string from a certificate is hostile: it is kept as bytes + length
 * (an ASN.1 string may hold NUL, control bytes, invalid UTF-8, quotes) and
 * escaped only when written out. Every list and string is capped; a cap hit
 * sets `truncated` on the record and names the field in truncated_fields.
 *
 * Names in truncated_fields are the keys of the JSON record (tls_json.h):
 * subject, issuer, subject_cn, san_dns, san_ip, serial, signature_algorithm,
 * key_algorithm, sha256, sha1 of the leaf; "chain" for anything in the chain
 * (more than TLS_MAX_CHAIN certificates, or a chain entry's DN cut). Two are
 * not cuts but unreadable values: not_before / not_after name a time
 * ASN1_TIME_to_tm rejected (the value is then 0 and means nothing, and
 * expired / not_yet_valid / days_to_expiry are 0 when not_after / not_before
 * is unreadable); san_ip also names an iPAddress entry that was neither 4 nor
 * 16 bytes (skipped). sha256 / sha1 name a digest that could not be computed
 * (all zero).
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
	/* RFC 4514 string: X509_NAME_print_ex with XN_FLAG_RFC2253 minus
	 * ASN1_STRFLGS_ESC_MSB, so non-ASCII stays UTF-8 ("CN=caf" + C3 A9)
	 * instead of becoming "CN=caf\C3\A9" (RFC 4514 allows either); specials
	 * and controls are still escaped (\" \, \+ ..., \00 for a NUL). The bytes
	 * of a UTF8String pass through unchecked, so the DN may hold invalid
	 * UTF-8. Capped at TLS_MAX_NAME_BYTES, cut on a UTF-8 character boundary. */
	struct tls_bytes subject_dn;
	struct tls_bytes issuer_dn;
	/* Every CN attribute of the subject, in certificate order, as the bytes
	 * of the ASN.1 string (UTF8String, PrintableString, IA5String... as is,
	 * NUL and invalid UTF-8 included); BMPString, UniversalString and
	 * T61String are converted to UTF-8 (raw bytes if that fails). */
	struct tls_name_list subject_cn;
	struct tls_name_list san_dns; /* dNSName entries of every subjectAltName, raw IA5 bytes */
	struct tls_name_list san_ip;  /* iPAddress entries as text ("198.18.0.1", inet_ntop IPv6) */
	/* Uppercase hex, no colons, no leading 00 byte ("00" for zero), '-' first
	 * when negative; at most TLS_MAX_SERIAL_BYTES bytes ("serial" when cut). */
	char serial_hex[2 * TLS_MAX_SERIAL_BYTES + 2];
	int64_t not_before, not_after; /* Unix seconds, UTC */
	int64_t days_to_expiry;        /* floor((not_after - now) / 86400); negative when expired */
	int expired, not_yet_valid;    /* now > not_after, now < not_before (RFC 5280: inclusive) */
	/* X509_self_signed(x, 1): issuer == subject, AKID (if any) matches SKID,
	 * and the signature verifies with its own key. keyUsage is NOT required
	 * to allow keyCertSign (X509_check_issued would require it, and miss the
	 * usual self-signed server certificate with digitalSignature only). */
	int self_signed;
	/* Long name of the signature algorithm ("sha256WithRSAEncryption",
	 * "ecdsa-with-SHA256"), the dotted OID when OpenSSL does not know it. */
	char sig_alg[64];
	/* EVP_PKEY_get0_type_name ("RSA", "EC", "ED25519", "RSA-PSS"...); the
	 * algorithm's long name or dotted OID when OpenSSL cannot load the key. */
	char key_alg[32];
	int key_bits;       /* EVP_PKEY_get_bits: RSA modulus bits, EC order bits; 0 unknown */
	char key_curve[32]; /* EVP_PKEY_get_group_name: "prime256v1" for P-256, else "" */
	uint8_t sha256[32], sha1[20]; /* fingerprints of the DER encoding */
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
	char truncated_fields[192];    /* comma-separated names of capped fields, each once */
};

struct x509_st;       /* OpenSSL's X509 */
struct stack_st_X509; /* OpenSSL's STACK_OF(X509) */

/*
 * Fills out from the peer chain (as from SSL_get_peer_cert_chain; chain[0] the
 * leaf) — or from a lone leaf when chain is NULL. The leaf is `leaf`, or
 * chain[0] when leaf is NULL; with neither, has_leaf is 0 and the call
 * succeeds. When chain[0] is not the leaf (a server's view of the peer
 * chain), the leaf is listed first and counted in chain_total. `now` (Unix
 * seconds) decides expired / not-yet-valid / days_to_expiry. want_pem adds the leaf's PEM (not capped here: the leaf is
 * bounded by the handshake; tls_json drops it first when a record is too big).
 * Borrows the OpenSSL objects (frees none) and leaves OpenSSL's error queue as
 * it found it. `out` is overwritten, not freed first. Returns 0, or -1 on
 * allocation failure (out is then freed and zeroed).
 */
int tls_chain_extract(struct tls_chain_info *out, struct x509_st *leaf, struct stack_st_X509 *chain,
		      int64_t now, int want_pem);

/* An ASN1_TIME (UTCTime or GeneralizedTime, years 0-9999) to Unix seconds,
 * UTC. Returns 0, or -1 when OpenSSL cannot read it (t NULL included). */
struct asn1_string_st; /* OpenSSL's ASN1_TIME */
int tls_asn1_time_unix(const struct asn1_string_st *t, int64_t *out);

/* Frees everything inside; the struct is zeroed and reusable. */
void tls_chain_free(struct tls_chain_info *ci);

#endif
