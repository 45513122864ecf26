/*
 * cert.c — certificate chain to plain, bounded data (include/tls_cert.h).
 *
 * Follows RFC 5280 for what the fields mean and RFC 4514 for the DN strings.
 * Every certificate is hostile: ASN.1 strings are copied as bytes + length
 * (a NUL inside a CN is kept), every list and string is capped, and a cap hit
 * is recorded by name. OpenSSL objects are borrowed (get0) unless a comment
 * says the result is owned; the error queue is restored on return.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_cert.h"
#include "utf8.h"

/* RFC 2253 escaping, but non-ASCII left as UTF-8 (see tls_cert.h). */
#define DN_FLAGS (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

/* Names `field` in ci->truncated_fields (once) and sets truncated. A name
 * that does not fit is dropped; truncated is set all the same. */
static void mark(struct tls_chain_info *ci, const char *field)
{
	size_t have = strlen(ci->truncated_fields), flen = strlen(field);
	const char *p = ci->truncated_fields;

	ci->truncated = 1;
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == flen && memcmp(p, field, n) == 0)
			return;
		p += n;
		if (*p == ',')
			p++;
	}
	if (have + (have > 0) + flen >= sizeof(ci->truncated_fields))
		return;
	if (have > 0)
		ci->truncated_fields[have++] = ',';
	memcpy(ci->truncated_fields + have, field, flen + 1);
}

/* Copies len bytes into b (owned, NUL-terminated). Returns 0 or -1. */
static int bytes_set(struct tls_bytes *b, const void *p, size_t len)
{
	if (p == NULL) /* OpenSSL's accessors may give NULL for an empty value */
		len = 0;
	b->p = malloc(len + 1);
	if (b->p == NULL)
		return -1;
	if (len > 0)
		memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->len = len;
	return 0;
}

/* Copies at most TLS_MAX_NAME_BYTES of p[0..len) into b, marking field when
 * cut. Returns 0 or -1. */
static int bytes_set_capped(struct tls_chain_info *ci, struct tls_bytes *b, const void *p,
			    size_t len, const char *field)
{
	size_t keep = utf8_cut(p, len, TLS_MAX_NAME_BYTES);

	if (keep < len)
		mark(ci, field);
	return bytes_set(b, p, keep);
}

/* Appends a name to l unless l already holds TLS_MAX_NAMES (then marks
 * field). Returns 0 or -1. */
static int list_add(struct tls_chain_info *ci, struct tls_name_list *l, const void *p, size_t len,
		    const char *field)
{
	struct tls_bytes *v;

	if (l->n >= TLS_MAX_NAMES) {
		mark(ci, field);
		return 0;
	}
	/* Grows by powers of two from 4: at most TLS_MAX_NAMES entries. */
	if (l->n == 0 || (l->n >= 4 && (l->n & (l->n - 1)) == 0)) {
		size_t cap = l->n == 0 ? 4 : l->n * 2;

		v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	if (bytes_set_capped(ci, &l->v[l->n], p, len, field) != 0)
		return -1;
	l->n++;
	return 0;
}

static void list_free(struct tls_name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].p);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Prints name as an RFC 4514 string into a memory BIO and keeps at most
 * TLS_MAX_NAME_BYTES of it. A string the printer rejects (a BMPString of odd
 * length, say) makes it fail for the whole name; the name is then printed
 * again with every string read as one byte per character. Returns 0, or -1
 * when out of memory.
 */
static int dn_print(struct tls_chain_info *ci, struct tls_bytes *out, const X509_NAME *name,
		    const char *field)
{
	static const unsigned long flags[2] = { DN_FLAGS, DN_FLAGS | ASN1_STRFLGS_IGNORE_TYPE };
	BIO *bio = NULL;
	char *data = NULL;
	long n = 0;
	int r = -1;

	for (size_t i = 0; i < 2; i++) {
		BIO_free(bio);
		if ((bio = BIO_new(BIO_s_mem())) == NULL)
			goto out;
		if (name != NULL && X509_NAME_print_ex(bio, name, 0, flags[i]) >= 0) {
			n = BIO_get_mem_data(bio, &data);
			break;
		}
		n = 0;
		if (i == 1)
			mark(ci, field); /* unprintable: kept as "" */
	}
	if (n < 0 || data == NULL)
		n = 0;
	r = bytes_set_capped(ci, out, data, (size_t)n, field);
out:
	BIO_free(bio);
	return r;
}

/* Adds one CN attribute's value to the list. */
static int cn_add(struct tls_chain_info *ci, struct tls_name_list *l, const ASN1_STRING *s)
{
	int type = ASN1_STRING_type(s), n;
	unsigned char *utf8 = NULL;

	/* Wide or Latin-1 types are not UTF-8 bytes; convert those. */
	if (type == V_ASN1_BMPSTRING || type == V_ASN1_UNIVERSALSTRING ||
	    type == V_ASN1_T61STRING) {
		n = ASN1_STRING_to_UTF8(&utf8, s); /* utf8 owned */
		if (n >= 0 && utf8 != NULL) {
			int r = list_add(ci, l, utf8, (size_t)n, "subject_cn");

			OPENSSL_free(utf8);
			return r;
		}
	}
	n = ASN1_STRING_length(s);
	return list_add(ci, l, ASN1_STRING_get0_data(s), n > 0 ? (size_t)n : 0, "subject_cn");
}

static int subject_cns(struct tls_chain_info *ci, struct tls_cert_info *c, const X509_NAME *name)
{
	int i = -1;

	if (name == NULL)
		return 0;
	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_STRING *s = e != NULL ? X509_NAME_ENTRY_get_data(e) : NULL;

		if (s != NULL && cn_add(ci, &c->subject_cn, s) != 0)
			return -1;
	}
	return 0;
}

/* One GeneralName: dNSName as raw bytes, iPAddress as text, others ignored. */
static int san_add(struct tls_chain_info *ci, struct tls_cert_info *c, const GENERAL_NAME *g)
{
	const ASN1_STRING *s;
	char text[INET6_ADDRSTRLEN];
	int type, n;

	s = GENERAL_NAME_get0_value(g, &type);
	if (s == NULL || (type != GEN_DNS && type != GEN_IPADD))
		return 0;
	n = ASN1_STRING_length(s);
	if (type == GEN_DNS)
		return list_add(ci, &c->san_dns, ASN1_STRING_get0_data(s), n > 0 ? (size_t)n : 0,
				"san_dns");
	if ((n != 4 && n != 16) || inet_ntop(n == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s),
					     text, sizeof(text)) == NULL) {
		mark(ci, "san_ip"); /* not an address: skipped */
		return 0;
	}
	return list_add(ci, &c->san_ip, text, strlen(text), "san_ip");
}

/* Every subjectAltName extension (a hostile certificate may carry several). */
static int subject_alt_names(struct tls_chain_info *ci, struct tls_cert_info *c, const X509 *x)
{
	int idx = -1;

	for (;;) {
		int crit = -1, r = 0;
		/* Owned: freed below. */
		GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, &idx);

		if (gens == NULL) {
			if (crit < 0)
				return 0;    /* no more */
			mark(ci, "san_dns"); /* present but undecodable */
			continue;
		}
		for (int i = 0; i < sk_GENERAL_NAME_num(gens) && r == 0; i++)
			r = san_add(ci, c, sk_GENERAL_NAME_value(gens, i));
		GENERAL_NAMES_free(gens);
		if (r != 0)
			return -1;
	}
}

/* Uppercase hex of the serial's magnitude, leading zero bytes dropped ("00"
 * for zero, '-' first for a negative one), as BN_bn2hex would print it. */
static void serial_hex(struct tls_chain_info *ci, struct tls_cert_info *c, const X509 *x)
{
	static const char hex[] = "0123456789ABCDEF";
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);
	const unsigned char *d = s != NULL ? ASN1_STRING_get0_data(s) : NULL;
	int n = s != NULL ? ASN1_STRING_length(s) : 0;
	size_t o = 0, i = 0, len, room = sizeof(c->serial_hex) - 1;

	c->serial_hex[0] = '\0';
	if (d == NULL || n <= 0)
		return;
	len = (size_t)n;
	if (ASN1_STRING_type(s) == V_ASN1_NEG_INTEGER) {
		c->serial_hex[o++] = '-';
		room--;
	}
	while (i + 1 < len && d[i] == 0)
		i++;
	if ((len - i) * 2 > room)
		mark(ci, "serial");
	for (; i < len && o + 2 <= sizeof(c->serial_hex) - 1; i++) {
		c->serial_hex[o++] = hex[d[i] >> 4];
		c->serial_hex[o++] = hex[d[i] & 0xf];
	}
	c->serial_hex[o] = '\0';
}

int tls_asn1_time_unix(const struct asn1_string_st *t, int64_t *out)
{
	struct tm tm;

	/* ASN1_TIME_to_tm(NULL) would mean "now": never pass NULL. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	/* timegm: UTC, proleptic Gregorian, a 64-bit time_t for any year */
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void validity(struct tls_chain_info *ci, struct tls_cert_info *c, const X509 *x, int64_t now)
{
	int nb_ok = tls_asn1_time_unix(X509_get0_notBefore(x), &c->not_before) == 0;
	int na_ok = tls_asn1_time_unix(X509_get0_notAfter(x), &c->not_after) == 0;

	if (!nb_ok) {
		c->not_before = 0;
		mark(ci, "not_before");
	}
	if (!na_ok) {
		c->not_after = 0;
		mark(ci, "not_after");
	}
	/* Both bounded by years 0-9999 (about 2^38 s), so no overflow for any
	 * `now` within a few thousand years of them. */
	c->not_yet_valid = nb_ok && now < c->not_before;
	c->expired = na_ok && now > c->not_after;
	c->days_to_expiry = na_ok ? floor_div(c->not_after - now, 86400) : 0;
}

/* OBJ_obj2txt into buf, marking field when the text did not fit. */
static void obj_text(struct tls_chain_info *ci, char *buf, size_t size, const ASN1_OBJECT *o,
		     const char *field)
{
	int n;

	buf[0] = '\0';
	if (o == NULL)
		return;
	n = OBJ_obj2txt(buf, (int)size, o, 0);
	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= size)
		mark(ci, field);
}

static void copy_text(struct tls_chain_info *ci, char *buf, size_t size, const char *s,
		      const char *field)
{
	size_t n = strlen(s);

	if (n >= size) {
		n = size - 1;
		mark(ci, field);
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void key_info(struct tls_chain_info *ci, struct tls_cert_info *c, const X509 *x)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	EVP_PKEY *pk = X509_get0_pubkey(x); /* borrowed */
	size_t glen = 0;

	X509_get0_signature(NULL, &alg, x);
	if (alg != NULL)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	obj_text(ci, c->sig_alg, sizeof(c->sig_alg), obj, "signature_algorithm");

	if (pk != NULL) {
		const char *tn = EVP_PKEY_get0_type_name(pk);

		if (tn == NULL)
			tn = OBJ_nid2sn(EVP_PKEY_get_base_id(pk));
		copy_text(ci, c->key_alg, sizeof(c->key_alg), tn != NULL ? tn : "",
			  "key_algorithm");
		c->key_bits = EVP_PKEY_get_bits(pk) > 0 ? EVP_PKEY_get_bits(pk) : 0;
		if (EVP_PKEY_get_group_name(pk, c->key_curve, sizeof(c->key_curve), &glen) != 1)
			c->key_curve[0] = '\0';
	} else {
		/* A key OpenSSL cannot load: name its algorithm at least. */
		X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x); /* borrowed */
		ASN1_OBJECT *kobj = NULL;

		if (xpk != NULL && X509_PUBKEY_get0_param(&kobj, NULL, NULL, NULL, xpk) == 1)
			obj_text(ci, c->key_alg, sizeof(c->key_alg), kobj, "key_algorithm");
	}
}

static void fingerprint(struct tls_chain_info *ci, const X509 *x, const EVP_MD *md, uint8_t *out,
			size_t len, const char *field)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (X509_digest(x, md, buf, &n) == 1 && n == len) {
		memcpy(out, buf, len);
	} else {
		memset(out, 0, len);
		mark(ci, field);
	}
}

static int cert_info(struct tls_chain_info *ci, struct tls_cert_info *c, X509 *x, int64_t now)
{
	if (dn_print(ci, &c->subject_dn, X509_get_subject_name(x), "subject") != 0 ||
	    dn_print(ci, &c->issuer_dn, X509_get_issuer_name(x), "issuer") != 0 ||
	    subject_cns(ci, c, X509_get_subject_name(x)) != 0 || subject_alt_names(ci, c, x) != 0)
		return -1;
	serial_hex(ci, c, x);
	validity(ci, c, x, now);
	c->self_signed = X509_self_signed(x, 1) == 1;
	key_info(ci, c, x);
	fingerprint(ci, x, EVP_sha256(), c->sha256, sizeof(c->sha256), "sha256");
	fingerprint(ci, x, EVP_sha1(), c->sha1, sizeof(c->sha1), "sha1");
	return 0;
}

static int leaf_pem(struct tls_chain_info *ci, X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;
	int r = -1;

	if (bio == NULL)
		return -1;
	if (PEM_write_bio_X509(bio, x) != 1) {
		r = 0; /* not encodable: no PEM, not an allocation failure we can tell */
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || data == NULL) {
		r = 0;
		goto out;
	}
	if ((ci->pem = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(ci->pem, data, (size_t)n);
	ci->pem[n] = '\0';
	r = 0;
out:
	BIO_free(bio);
	return r;
}

static int chain_entry(struct tls_chain_info *ci, struct tls_chain_entry *e, const X509 *x)
{
	if (dn_print(ci, &e->subject_dn, X509_get_subject_name(x), "chain") != 0)
		return -1;
	if (dn_print(ci, &e->issuer_dn, X509_get_issuer_name(x), "chain") != 0) {
		/* The entry is not counted in chain_len: free what it holds here. */
		free(e->subject_dn.p);
		e->subject_dn.p = NULL;
		return -1;
	}
	fingerprint(ci, x, EVP_sha256(), e->sha256, sizeof(e->sha256), "chain");
	return 0;
}

int tls_chain_extract(struct tls_chain_info *out, struct x509_st *leaf, struct stack_st_X509 *chain,
		      int64_t now, int want_pem)
{
	int total = chain != NULL ? sk_X509_num(chain) : 0;
	size_t keep, first = 0; /* first: 1 when the leaf is listed ahead of chain[0] */
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (total < 0)
		total = 0;
	if (leaf == NULL && total > 0)
		leaf = sk_X509_value(chain, 0);
	if (leaf == NULL)
		return 0;
	/* A server's view of the peer chain, or a resumed session, lacks the
	 * leaf: list it first all the same. */
	if (total > 0) {
		const X509 *x0 = sk_X509_value(chain, 0);

		first = x0 == NULL || X509_cmp(x0, leaf) != 0;
	}
	/* Restored at `out`: what fails here (an undecodable extension, a
	 * signature that does not verify) is recorded in out, not left queued
	 * for the caller's next SSL_get_error. */
	ERR_set_mark();
	if (cert_info(out, &out->leaf, leaf, now) != 0)
		goto out;
	out->has_leaf = 1;
	if (want_pem && leaf_pem(out, leaf) != 0)
		goto out;

	out->chain_total = (size_t)total + first + (total == 0);
	keep = out->chain_total < TLS_MAX_CHAIN ? out->chain_total : TLS_MAX_CHAIN;
	if (keep < out->chain_total)
		mark(out, "chain");
	if ((out->chain = calloc(keep, sizeof(*out->chain))) == NULL)
		goto out;
	for (size_t i = 0; i < keep; i++) {
		const X509 *x = i < first || total == 0 ? leaf
							: sk_X509_value(chain, (int)(i - first));

		if (x == NULL) { /* a hole in the stack: count it, keep nothing */
			mark(out, "chain");
			continue;
		}
		if (chain_entry(out, &out->chain[out->chain_len], x) != 0)
			goto out;
		out->chain_len++;
	}
	r = 0;
out:
	ERR_pop_to_mark();
	if (r != 0)
		tls_chain_free(out);
	return r;
}

static void cert_info_free(struct tls_cert_info *c)
{
	free(c->subject_dn.p);
	free(c->issuer_dn.p);
	list_free(&c->subject_cn);
	list_free(&c->san_dns);
	list_free(&c->san_ip);
}

void tls_chain_free(struct tls_chain_info *ci)
{
	cert_info_free(&ci->leaf);
	for (size_t i = 0; ci->chain != NULL && i < ci->chain_len; i++) {
		free(ci->chain[i].subject_dn.p);
		free(ci->chain[i].issuer_dn.p);
	}
	free(ci->chain);
	free(ci->pem);
	memset(ci, 0, sizeof(*ci));
}
