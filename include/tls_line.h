/*
 * tls_line.h — a one-line, human-readable summary of a TLS record for the
 * terminal table. Certificate strings are shown with every byte outside
 * printable ASCII as \xNN, so a hostile name cannot move the cursor or hide text.
 */
#ifndef PORTUS_TLS_LINE_H
#define PORTUS_TLS_LINE_H

#include <stdint.h>

#include "strbuf.h"
#include "tls_record.h"

/* Appends (no newline) e.g. "443/tcp ok TLSv1.3 TLS_AES_256_GCM_SHA384 h2;
 * CN=www.lab.test; issuer CN=Lab CA; expires 2027-02-21 (90 days); verify ok;
 * Server: nginx". now_us decides nothing here: days come from the record. */
void tls_line_format(struct strbuf *b, const struct tls_result *r);

/* Appends len bytes with non-printable bytes and backslash as \xNN. */
void tls_line_safe(struct strbuf *b, const void *data, size_t len);

#endif
