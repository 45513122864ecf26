/*
 * checks.c — the facts behind the certificate and handshake checks
 * (include/tls_checks.h), read from a completed OpenSSL handshake.
 *
 * Everything the server sent is hostile: the staple is decoded by OpenSSL
 * from at most the handshake's own bytes (bounded by the Certificate /
 * CertificateStatus message caps of conn.c), lists are walked with their
 * OpenSSL counts, and nothing of the server's is kept but numbers, flags
 * and static strings, so the record grows by a bounded amount.
 */
#include <string.h>

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/checks.h"

#define OCSP_LEEWAY 300 /* seconds of clock skew allowed on thisUpdate / nextUpdate */
#define TLSEXT_STATUS_REQUEST 5

/* The checks count SCTs; they never refuse a handshake over them. Setting a
 * callback is what makes OpenSSL ask for SCTs in the TLS extension and keep
 * them. No CT log list is loaded, so SCT_LIST_validate only marks each SCT
 * "unknown log": a hostile SCT cannot fail the handshake there either. */
static int ct_accept(const CT_POLICY_EVAL_CTX *ctx, const STACK_OF(SCT) * scts, void *arg)
{
	(void)ctx;
	(void)scts;
	(void)arg;
	return 1;
}

int checks_ctx_setup(SSL_CTX *ctx)
{
	if (SSL_CTX_set_tlsext_status_type(ctx, TLSEXT_STATUSTYPE_ocsp) != 1)
		return -1;
	return SSL_CTX_set_ct_validation_callback(ctx, ct_accept, NULL) == 1 ? 0 : -1;
}

/* The issuer of leaf: a served certificate that certifies it, else the
 * verified chain's second entry. Borrowed; NULL when neither has one. */
static X509 *leaf_issuer(X509 *leaf, STACK_OF(X509) * served, STACK_OF(X509) * verified)
{
	for (int i = 0; served != NULL && i < sk_X509_num(served); i++) {
		X509 *x = sk_X509_value(served, i);

		if (x != NULL && X509_cmp(x, leaf) != 0 && X509_check_issued(x, leaf) == X509_V_OK)
			return x;
	}
	if (verified != NULL && sk_X509_num(verified) > 1) {
		X509 *x = sk_X509_value(verified, 1);

		if (x != NULL && X509_check_issued(x, leaf) == X509_V_OK)
			return x;
	}
	return NULL;
}

static void ocsp_times(struct tls_checks *k, const ASN1_GENERALIZEDTIME *thisu,
		       const ASN1_GENERALIZEDTIME *nextu, int64_t now)
{
	int this_ok = tls_asn1_time_unix(thisu, &k->ocsp_this_update) == 0;
	int next_ok = nextu != NULL && tls_asn1_time_unix(nextu, &k->ocsp_next_update) == 0;

	if (!this_ok)
		k->ocsp_this_update = 0;
	if (!next_ok)
		k->ocsp_next_update = 0;
	k->ocsp_time_ok = this_ok && (nextu == NULL || next_ok) &&
			  k->ocsp_this_update <= now + OCSP_LEEWAY &&
			  (!next_ok || (k->ocsp_next_update >= now - OCSP_LEEWAY &&
					k->ocsp_next_update >= k->ocsp_this_update));
}

/* The stapled response: decoded, its signature verified against the served
 * chain and the trust store, the leaf's entry found and its times judged.
 * ocsp_error names the first problem, in that order. */
static void ocsp(struct tls_checks *k, SSL *ssl, X509 *leaf, STACK_OF(X509) * served,
		 STACK_OF(X509) * verified, int64_t now)
{
	const unsigned char *p = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
	OCSP_RESPONSE *resp = NULL; /* owned */
	OCSP_BASICRESP *bs = NULL;  /* owned */
	OCSP_CERTID *id = NULL;     /* owned */
	ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
	X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
	X509 *issuer;
	int status = -1, reason = 0;

	if (len <= 0 || p == NULL)
		return;
	k->ocsp_stapled = 1;
	resp = d2i_OCSP_RESPONSE(NULL, &p, len);
	if (resp == NULL) {
		k->ocsp_error = "undecodable response";
		goto out;
	}
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		k->ocsp_error = "response status not successful";
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		k->ocsp_error = "no basic response";
		goto out;
	}
	k->ocsp_signature_ok = OCSP_basic_verify(bs, served, store, 0) == 1;
	issuer = leaf != NULL ? leaf_issuer(leaf, served, verified) : NULL;
	if (issuer != NULL)
		id = OCSP_cert_to_id(NULL, leaf, issuer);
	if (id != NULL &&
	    OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisu, &nextu) == 1) {
		k->ocsp_status = status == V_OCSP_CERTSTATUS_GOOD      ? TLS_OCSP_GOOD
				 : status == V_OCSP_CERTSTATUS_REVOKED ? TLS_OCSP_REVOKED
								       : TLS_OCSP_UNKNOWN;
		ocsp_times(k, thisu, nextu, now);
	}
	if (!k->ocsp_signature_ok)
		k->ocsp_error = "signature not verified";
	else if (k->ocsp_status == TLS_OCSP_NONE)
		k->ocsp_error = issuer == NULL ? "issuer of the leaf unknown"
					       : "no entry for the leaf";
	else if (k->ocsp_status == TLS_OCSP_REVOKED)
		k->ocsp_error = "certificate revoked";
	else if (k->ocsp_status == TLS_OCSP_UNKNOWN)
		k->ocsp_error = "certificate status unknown";
	else if (!k->ocsp_time_ok)
		k->ocsp_error = "thisUpdate or nextUpdate out of range";
out:
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
}

/* RFC 7633: the TLS feature extension lists status_request. */
static int must_staple(X509 *leaf)
{
	int crit = -1, found = 0;
	TLS_FEATURE *tf = X509_get_ext_d2i(leaf, NID_tlsfeature, &crit, NULL); /* owned */

	for (int i = 0; tf != NULL && i < sk_ASN1_INTEGER_num(tf); i++)
		if (ASN1_INTEGER_get(sk_ASN1_INTEGER_value(tf, i)) == TLSEXT_STATUS_REQUEST)
			found = 1;
	TLS_FEATURE_free(tf);
	return found;
}

static void scts(struct tls_checks *k, SSL *ssl)
{
	const STACK_OF(SCT) *l = SSL_get0_peer_scts(ssl); /* borrowed */

	for (int i = 0; l != NULL && i < sk_SCT_num(l); i++) {
		switch (SCT_get_source(sk_SCT_value(l, i))) {
		case SCT_SOURCE_X509V3_EXTENSION:
			k->sct_embedded++;
			break;
		case SCT_SOURCE_TLS_EXTENSION:
			k->sct_tls++;
			break;
		case SCT_SOURCE_OCSP_STAPLED_RESPONSE:
			k->sct_ocsp++;
			break;
		default:
			break;
		}
	}
}

static void tmp_key(struct tls_checks *k, SSL *ssl)
{
	EVP_PKEY *pk = NULL; /* owned */
	const char *t;

	if (SSL_get_peer_tmp_key(ssl, &pk) != 1 || pk == NULL)
		return;
	t = EVP_PKEY_get0_type_name(pk);
	if (t == NULL)
		t = OBJ_nid2sn(EVP_PKEY_get_base_id(pk));
	if (t != NULL && strlen(t) < sizeof(k->tmp_key_type))
		memcpy(k->tmp_key_type, t, strlen(t) + 1);
	k->tmp_key_bits = EVP_PKEY_get_bits(pk) > 0 ? EVP_PKEY_get_bits(pk) : 0;
	k->tmp_key_weak = tls_tmp_key_weak(k->tmp_key_type, k->tmp_key_bits);
	EVP_PKEY_free(pk);
}

static int in_stack(STACK_OF(X509) * s, const X509 *x)
{
	for (int i = 0; s != NULL && i < sk_X509_num(s); i++)
		if (X509_cmp(sk_X509_value(s, i), x) == 0)
			return 1;
	return 0;
}

/* Keys, signature hashes and order of what the server sent; intermediates
 * the verified chain took from elsewhere. */
static void chain(struct tls_checks *k, STACK_OF(X509) * served, STACK_OF(X509) * verified,
		  int verify_ok)
{
	int n = served != NULL ? sk_X509_num(served) : 0;

	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(served, i);
		EVP_PKEY *pk = x != NULL ? X509_get0_pubkey(x) : NULL; /* borrowed */
		int md = NID_undef;

		if (x == NULL)
			continue;
		if (pk != NULL && tls_key_weak(EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk)))
			k->weak_keys++;
		if (X509_self_signed(x, 0) != 1 &&
		    X509_get_signature_info(x, &md, NULL, NULL, NULL) == 1) {
			if (md == NID_sha1)
				k->sha1_sigs++;
			else if (md == NID_md5 || md == NID_md5_sha1 || md == NID_md4 ||
				 md == NID_md2)
				k->md5_sigs++;
		}
		if (i > 0 && sk_X509_value(served, i - 1) != NULL &&
		    X509_check_issued(x, sk_X509_value(served, i - 1)) != X509_V_OK)
			k->chain_misordered = 1;
	}
	/* verified: leaf first, trust anchor last; what is between must be served. */
	if (verify_ok && verified != NULL)
		for (int j = 1; j + 1 < sk_X509_num(verified); j++)
			if (!in_stack(served, sk_X509_value(verified, j)))
				k->missing_intermediates++;
}

void checks_run(struct tls_result *r, SSL *ssl, int64_t now)
{
	struct tls_checks *k = &r->checks;
	X509 *leaf = SSL_get0_peer_certificate(ssl);             /* borrowed */
	STACK_OF(X509) *served = SSL_get_peer_cert_chain(ssl);   /* borrowed */
	STACK_OF(X509) *verified = SSL_get0_verified_chain(ssl); /* borrowed */

	memset(k, 0, sizeof(*k));
	k->done = 1;
	ERR_set_mark();
	ocsp(k, ssl, leaf, served, verified, now);
	if (leaf != NULL)
		k->must_staple = must_staple(leaf);
	scts(k, ssl);
	tmp_key(k, ssl);
	chain(k, served, verified, r->verify_ok);
	if (r->certs.has_leaf) {
		const struct tls_cert_info *c = &r->certs.leaf;

		tls_validity_rule(c->not_before, c->not_after, c->self_signed, &k->validity_checked,
				  &k->validity_over);
	}
	ERR_pop_to_mark();
	ERR_clear_error();
}
