/*
 * checks.h — gathering the facts of tls_checks.h from a completed handshake.
 * Private to src/tls (conn.c calls it for the main connection).
 */
#ifndef PORTUS_TLS_CHECKS_PRIV_H
#define PORTUS_TLS_CHECKS_PRIV_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "tls_record.h"

/* Asks for what the checks read: an OCSP staple (status_request) and SCTs in
 * the TLS extension (a CT callback that accepts every handshake: the checks
 * count SCTs, they never refuse a server). Returns 0, or -1 (OpenSSL error
 * queued). */
int checks_ctx_setup(SSL_CTX *ctx);

/*
 * Fills r->checks from ssl, whose handshake completed (the chain, the
 * verified chain, the staple, SCTs, the temporary key) and from r->certs
 * (already extracted: the leaf's validity). now: Unix seconds. Borrows ssl;
 * allocates nothing that outlives the call; leaves the error queue empty.
 * An allocation failure only leaves a fact unknown (0).
 */
void checks_run(struct tls_result *r, SSL *ssl, int64_t now);

#endif
