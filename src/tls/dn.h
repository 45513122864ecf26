/*
 * dn.h — walks the attributes of a distinguished name in the RFC 4514 text
 * tls/cert.c produces ("CN=a\,b,O=Example+OU=Web,C=DE"), so ECS can list
 * x509.subject.organization etc. without a second trip through OpenSSL.
 *
 * Escapes are undone: "\," "\+" "\"" "\\" "\<" "\>" "\;" "\=" "\#" "\ "
 * give the character, "\HH" gives the byte 0xHH (which may be a NUL or part
 * of invalid UTF-8: values are bytes, escape them when writing). A value
 * written as "#hex" (an unknown attribute type) is passed on as is. A
 * malformed attribute (no '=') is skipped; the DN may have been cut at a cap.
 */
#ifndef PORTUS_TLS_DN_H
#define PORTUS_TLS_DN_H

#include <stddef.h>

/* Called for each attribute in order: type ("CN", "O", "2.5.4.97"), value bytes. */
typedef void (*dn_attr_fn)(void *ctx, const char *type, size_t type_len, const unsigned char *val,
			   size_t val_len);

/* Walks dn[0..len). scratch must hold len bytes (values are unescaped into it).
 * Returns the number of attributes reported. */
size_t dn_walk(const unsigned char *dn, size_t len, unsigned char *scratch, dn_attr_fn fn,
	       void *ctx);

#endif
