/*
 * tls_hello.h — a bounded TLS record/handshake codec for what OpenSSL will
 * not do for a scanner: build a raw ClientHello offering exactly the cipher
 * suites, groups and versions asked for (RC4, 3DES, NULL, anonymous and
 * EXPORT suites included), and parse the server's first answer: a
 * ServerHello (TLS 1.3 supported_versions and key_share), a
 * HelloRetryRequest, or an alert. Also JA3S and JA4S of a ServerHello.
 *
 * Every byte parsed comes from the network: records may be split across
 * reads or carry several messages, the ServerHello may be fragmented over
 * records, and every length field may lie. The parser copies at most
 * TLSH_MSG_MAX bytes of the first handshake message, reads at most
 * TLSH_READ_MAX bytes in total, and fails with a reason instead of reading
 * past anything. No allocation.
 */
#ifndef PORTUS_TLS_HELLO_H
#define PORTUS_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

/* Protocol version numbers on the wire. */
#define TLSH_TLS10 0x0301
#define TLSH_TLS11 0x0302
#define TLSH_TLS12 0x0303
#define TLSH_TLS13 0x0304

#define TLSH_HELLO_MAX 4096 /* bytes of a ClientHello record we build, at most */
#define TLSH_MSG_MAX 4096   /* bytes of the first handshake message kept */
#define TLSH_READ_MAX 65536 /* bytes read before the answer must be known */
#define TLSH_MAX_EXTS 64    /* extension types of a ServerHello remembered */
#define TLSH_MAX_OFFER 512  /* suites (or groups, signature algorithms) in one offer */

/* What a ClientHello offers. Suites, groups and signature algorithms are sent
 * in the order given. */
struct tlsh_client {
	uint16_t min_version, max_version; /* TLSH_TLS10 .. TLSH_TLS13 */
	const uint16_t *suites;
	size_t nsuites;
	const uint16_t *groups; /* supported_groups; none: the extension is left out */
	size_t ngroups;
	const uint16_t *sigalgs; /* signature_algorithms (sent when max_version >= 1.2) */
	size_t nsigalgs;
	const char *sni;             /* server_name, NULL or "" for none */
	const uint8_t *random;       /* 32 bytes: client random, then session id */
	const uint8_t *x25519_share; /* 32 bytes: one x25519 key_share entry (TLS 1.3);
				       NULL: an empty key_share list (asks for a HelloRetryRequest) */
};

/* Writes one TLS record holding the ClientHello to out. Returns its length,
 * or 0 when the offer is invalid or does not fit in cap (or TLSH_HELLO_MAX). */
size_t tlsh_build_client_hello(const struct tlsh_client *c, uint8_t *out, size_t cap);

/* A parsed ServerHello or HelloRetryRequest. */
struct tlsh_server_hello {
	uint16_t legacy_version; /* ServerHello.legacy_version */
	uint16_t version;        /* supported_versions when present, else legacy_version */
	int hrr;                 /* the random is the HelloRetryRequest value */
	int has_supported_versions;
	uint16_t cipher;
	uint8_t compression;
	uint8_t session_id_len;
	uint16_t key_share_group;    /* TLS 1.3 key_share (HRR: the group asked for), 0 none */
	size_t next;                 /* extensions in the message (every one counted) */
	uint16_t ext[TLSH_MAX_EXTS]; /* the first TLSH_MAX_EXTS types, in order */
	uint8_t alpn[256];           /* ALPN protocol selected, alpn_len bytes */
	size_t alpn_len;
};

/* Parses one whole handshake message (4-byte header included: type 2, the
 * 24-bit length matching len - 4). Returns 0, or -1 with *why set to a
 * static reason. */
int tlsh_parse_server_hello(const uint8_t *msg, size_t len, struct tlsh_server_hello *sh,
			    const char **why);

enum tlsh_status {
	TLSH_MORE = 0,     /* feed more bytes */
	TLSH_SERVER_HELLO, /* sh filled (sh.hrr for a HelloRetryRequest) */
	TLSH_ALERT,        /* alert_level / alert_desc set */
	TLSH_ERROR,        /* why set: not TLS, a lying length, a limit reached */
};

/* The incremental reader of a server's first flight. Zero it (or call
 * tlsh_reader_init) before the first feed. */
struct tlsh_reader {
	uint8_t hdr[5]; /* the current record's header */
	size_t hdr_len;
	size_t rec_left; /* body bytes of the current record still to come */
	size_t total;    /* bytes fed so far */
	uint8_t msg[TLSH_MSG_MAX];
	size_t msg_len;  /* bytes of the first handshake message gathered */
	size_t msg_need; /* its whole length (4 + body) once the header is in, else 0 */
	uint8_t alert[2];
	size_t alert_len;
	enum tlsh_status status; /* sticky once not TLSH_MORE */
	struct tlsh_server_hello sh;
	int alert_level, alert_desc;
	const char *why;
};

void tlsh_reader_init(struct tlsh_reader *r);

/* Feeds len bytes from the server; returns the status, sticky once it is
 * not TLSH_MORE (later bytes are ignored). */
enum tlsh_status tlsh_feed(struct tlsh_reader *r, const uint8_t *p, size_t len);

/* JA3S of sh: the MD5 of "version,cipher,ext-ext-..." (decimal; version is
 * legacy_version), as 32 lowercase hex digits and a NUL. Returns 0, or -1
 * when the fingerprint cannot be exact (more than TLSH_MAX_EXTS extensions)
 * or MD5 is unavailable. If str is not NULL, the input string goes there
 * (strcap bytes, cut when longer). */
int tlsh_ja3s(const struct tlsh_server_hello *sh, char out[33], char *str, size_t strcap);

/* JA4S of sh ("t130200_1301_234ea6891581", FoxIO's JA4S: TLS over TCP,
 * version, extension count, ALPN first/last character, cipher, truncated
 * SHA-256 of the extension list in order). out holds at least 26 bytes.
 * Returns 0, or -1 as tlsh_ja3s. */
int tlsh_ja4s(const struct tlsh_server_hello *sh, char out[26]);

/* ---- names ---- */

/* IANA name of a cipher suite ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), or
 * NULL when not in portus's table. */
const char *tlsh_suite_name(uint16_t id);

/* Group name as OpenSSL spells it ("x25519", "secp256r1", "ffdhe2048",
 * "X25519MLKEM768"), or NULL when unknown. */
const char *tlsh_group_name(uint16_t id);

/* The groups of the table, in table order (what tlsh_group_name names). */
size_t tlsh_group_count(void);
uint16_t tlsh_group_at(size_t i);

/* Alert description name ("handshake_failure"), or NULL. */
const char *tlsh_alert_name(int desc);

/* The suites of the table: all (TLS 1.0-1.2 and 1.3) in table order. */
size_t tlsh_suite_count(void);
uint16_t tlsh_suite_at(size_t i);

/* Suite properties, from the IANA name. */
int tlsh_suite_is_tls13(uint16_t id);    /* 0x13xx */
int tlsh_suite_needs_tls12(uint16_t id); /* SHA-256/384 MAC, AEAD: TLS 1.2 only */
int tlsh_suite_is_ecdhe(uint16_t id);    /* ECDHE key exchange (uses supported_groups) */

/* The signature algorithms every raw hello offers. */
extern const uint16_t tlsh_default_sigalgs[];
extern const size_t tlsh_default_nsigalgs;

#endif
