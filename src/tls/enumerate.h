/*
 * enumerate.h — the --tls-ciphers algorithm, free of sockets: which
 * ClientHello to send next on each chain, and what each answer means.
 * The stage (stage.c) runs one raw connection per probe (conn.c, CONN_RAW).
 *
 * Five chains per endpoint, run side by side (each one probe at a time):
 *   TLS 1.0, 1.1, 1.2: offer every suite of the table the version can carry;
 *       the server picks one; remove it and offer the rest, until the server
 *       refuses (alert, a lower version, anything else). Then, when it
 *       accepted two or more, offer those in reverse order: the server picking
 *       the same first suite again has a preference order (the list found is
 *       that order), picking the new first one follows the client's.
 *   TLS 1.3: the same with the five TLS 1.3 suites (supported_versions 1.3
 *       only, an x25519 key share, every group listed).
 *   groups: main handshake at TLS 1.3: a hello with every TLS 1.3 group
 *       (X25519MLKEM768 included) and an empty key_share list; the
 *       HelloRetryRequest names the group the server picks; remove it, ask
 *       again. At TLS 1.0-1.2: one hello per elliptic curve offering only
 *       ECDHE suites and that curve; a ServerHello means it is accepted.
 * A refusal is an alert, a ServerHello of another version or suite, EOF or a
 * reset; a probe that times out ends its chain too but marks the result
 * incomplete (stage.c), as does a main-handshake suite the lists lack.
 * Bounded: at most TLS_ENUM_MAX_HANDSHAKES probes per endpoint and the
 * stage's deadline for each; the stage also stops at the endpoint's budget.
 */
#ifndef PORTUS_TLS_ENUMERATE_H
#define PORTUS_TLS_ENUMERATE_H

#include <stddef.h>
#include <stdint.h>

#include "tls_hello.h"
#include "tls_record.h"

#define TLS_ENUM_CHAINS 5 /* TLS 1.0, 1.1, 1.2, 1.3, groups */
#define TLS_ENUM_GROUP_CHAIN 4
#define TLS_ENUM_MAX_HANDSHAKES 600 /* per endpoint */
#define TLS_ENUM_OFFER_MAX 200      /* suites or groups in one chain's offer */

enum enum_phase { EP_OFFER, EP_ORDER, EP_DONE };

struct enum_chain {
	enum enum_phase phase;
	uint16_t left[TLS_ENUM_OFFER_MAX]; /* still to offer */
	size_t nleft;
	size_t next_group; /* ECDHE group probes: index of the next curve */
	int busy;          /* a probe is out */
};

struct tls_enum {
	struct tls_ciphers *out; /* borrowed: the record's */
	struct enum_chain ch[TLS_ENUM_CHAINS];
	int group_tls13;               /* groups by HelloRetryRequest (else ECDHE probes) */
	uint16_t group_version;        /* the ECDHE probes' version */
	int order_seen[TLS_NVERSIONS]; /* TLS_ORDER_* per version */
	char sni[256];
};

/* Starts an enumeration writing into out (zeroed here). main_version: what the
 * main handshake negotiated, or what its ServerHello chose when it failed
 * later (TLSH_TLS10..13); 0 when no ServerHello came (no group probes then).
 * sni: "" for none. */
void tls_enum_init(struct tls_enum *e, struct tls_ciphers *out, uint16_t main_version,
		   const char *sni);

/* The next probe of chain k: fills the ClientHello record into buf (cap
 * bytes) and returns its length, or 0 when chain k is finished (or the
 * endpoint's handshake budget is spent). random: 64 fresh random bytes
 * (client random + session id, then the x25519 share). */
size_t tls_enum_next(struct tls_enum *e, int k, const uint8_t random[64], uint8_t *buf, size_t cap);

/* The answer to chain k's probe: the reader's final status (TLSH_MORE for a
 * timeout, a reset or EOF before an answer) and the ServerHello. */
void tls_enum_answer(struct tls_enum *e, int k, enum tlsh_status st,
		     const struct tlsh_server_hello *sh);

/* Marks the enumeration cut short (a deadline, an error): every chain ends. */
void tls_enum_abort(struct tls_enum *e);

#endif
