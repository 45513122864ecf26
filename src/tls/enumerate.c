/*
 * enumerate.c — the --tls-ciphers algorithm (see enumerate.h).
 */
#include <string.h>

#include "tls/enumerate.h"

/* Groups offered in TLS 1.3 (HelloRetryRequest enumeration), in this order. */
static const uint16_t groups13[] = {
	0x11EC,                                 /* X25519MLKEM768 */
	0x11EB,                                 /* SecP256r1MLKEM768 */
	0x11ED,                                 /* SecP384r1MLKEM1024 */
	0x001D,                                 /* x25519 */
	0x0017,                                 /* secp256r1 */
	0x0018,                                 /* secp384r1 */
	0x0019,                                 /* secp521r1 */
	0x001E,                                 /* x448 */
	0x001F, 0x0020, 0x0021,                 /* brainpool*tls13 */
	0x0100, 0x0101, 0x0102, 0x0103, 0x0104, /* ffdhe2048 .. ffdhe8192 */
};

/* Curves probed one by one for ECDHE at TLS 1.0-1.2. */
static const uint16_t groups12[] = {
	0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0015, 0x001A, 0x001B, 0x001C,
};

#define NG13 (sizeof(groups13) / sizeof(groups13[0]))
#define NG12 (sizeof(groups12) / sizeof(groups12[0]))

static const uint16_t version_of[TLS_NVERSIONS] = { TLSH_TLS10, TLSH_TLS11, TLSH_TLS12,
						    TLSH_TLS13 };

static int version_index(uint16_t v)
{
	for (int i = 0; i < TLS_NVERSIONS; i++)
		if (version_of[i] == v)
			return i;
	return -1;
}

/* The suites chain k (a version index) offers first. */
static void chain_suites(struct enum_chain *c, int k)
{
	size_t n = tlsh_suite_count();

	c->nleft = 0;
	for (size_t i = 0; i < n && c->nleft < TLS_ENUM_OFFER_MAX; i++) {
		uint16_t id = tlsh_suite_at(i);

		if (k == 3 ? !tlsh_suite_is_tls13(id)
			   : tlsh_suite_is_tls13(id) || (k < 2 && tlsh_suite_needs_tls12(id)))
			continue;
		c->left[c->nleft++] = id;
	}
}

void tls_enum_init(struct tls_enum *e, struct tls_ciphers *out, uint16_t main_version,
		   const char *sni)
{
	memset(e, 0, sizeof(*e));
	memset(out, 0, sizeof(*out));
	e->out = out;
	if (sni != NULL) {
		size_t l = strnlen(sni, sizeof(e->sni) - 1);

		memcpy(e->sni, sni, l);
		e->sni[l] = '\0';
	}
	for (int k = 0; k < TLS_NVERSIONS; k++) {
		chain_suites(&e->ch[k], k);
		out->tested |= 1u << k;
	}
	if (main_version == TLSH_TLS13) {
		struct enum_chain *g = &e->ch[TLS_ENUM_GROUP_CHAIN];

		e->group_tls13 = 1;
		memcpy(g->left, groups13, sizeof(groups13));
		g->nleft = NG13;
		out->groups_tested = 1;
	} else if (main_version >= TLSH_TLS10 && main_version <= TLSH_TLS12) {
		e->group_version = main_version;
		out->groups_tested = 1;
	} else {
		e->ch[TLS_ENUM_GROUP_CHAIN].phase = EP_DONE;
	}
}

/* The ECDHE suites a version can carry. */
static size_t ecdhe_suites(uint16_t version, uint16_t *out, size_t cap)
{
	size_t n = 0, total = tlsh_suite_count();

	for (size_t i = 0; i < total && n < cap; i++) {
		uint16_t id = tlsh_suite_at(i);

		if (tlsh_suite_is_ecdhe(id) &&
		    (version >= TLSH_TLS12 || !tlsh_suite_needs_tls12(id)))
			out[n++] = id;
	}
	return n;
}

size_t tls_enum_next(struct tls_enum *e, int k, const uint8_t random[64], uint8_t *buf, size_t cap)
{
	struct enum_chain *c;
	struct tlsh_client h;
	uint16_t offer[TLS_ENUM_OFFER_MAX];
	uint16_t one_group;
	size_t n;

	if (k < 0 || k >= TLS_ENUM_CHAINS)
		return 0;
	c = &e->ch[k];
	if (c->phase == EP_DONE || c->busy)
		return 0;
	if (e->out->handshakes >= TLS_ENUM_MAX_HANDSHAKES) {
		e->out->incomplete = 1;
		c->phase = EP_DONE;
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.random = random;
	h.x25519_share = random + 32;
	h.sni = e->sni;
	h.sigalgs = tlsh_default_sigalgs;
	h.nsigalgs = tlsh_default_nsigalgs;

	if (k < TLS_NVERSIONS) {
		uint16_t *acc = e->out->suite[k];
		size_t na = e->out->n[k];

		h.min_version = h.max_version = version_of[k];
		h.groups = k == 3 ? groups13 : groups12;
		h.ngroups = k == 3 ? NG13 : NG12;
		if (c->phase == EP_OFFER) {
			if (c->nleft == 0) {
				c->phase = na >= 2 ? EP_ORDER : EP_DONE;
				if (c->phase == EP_DONE)
					return 0;
			}
		}
		if (c->phase == EP_ORDER) {
			for (size_t i = 0; i < na; i++)
				offer[i] = acc[na - 1 - i];
			h.suites = offer;
			h.nsuites = na;
		} else {
			h.suites = c->left;
			h.nsuites = c->nleft;
		}
	} else if (e->group_tls13) {
		if (c->nleft == 0) {
			c->phase = EP_DONE;
			return 0;
		}
		h.min_version = h.max_version = TLSH_TLS13;
		n = 0;
		for (size_t i = 0, t = tlsh_suite_count(); i < t && n < TLS_ENUM_OFFER_MAX; i++)
			if (tlsh_suite_is_tls13(tlsh_suite_at(i)))
				offer[n++] = tlsh_suite_at(i);
		h.suites = offer;
		h.nsuites = n;
		h.groups = c->left;
		h.ngroups = c->nleft;
		h.x25519_share = NULL; /* empty key_share: the server must say what it wants */
	} else {
		if (c->next_group >= NG12) {
			c->phase = EP_DONE;
			return 0;
		}
		h.min_version = h.max_version = e->group_version;
		h.suites = offer;
		h.nsuites = ecdhe_suites(e->group_version, offer, TLS_ENUM_OFFER_MAX);
		one_group = groups12[c->next_group];
		h.groups = &one_group;
		h.ngroups = 1;
	}
	n = tlsh_build_client_hello(&h, buf, cap);
	if (n == 0) {
		e->out->incomplete = 1;
		c->phase = EP_DONE;
		return 0;
	}
	c->busy = 1;
	e->out->handshakes++;
	return n;
}

static int in_list(const uint16_t *v, size_t n, uint16_t x, size_t *at)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x) {
			if (at != NULL)
				*at = i;
			return 1;
		}
	return 0;
}

static void remove_at(uint16_t *v, size_t *n, size_t at)
{
	memmove(v + at, v + at + 1, (*n - at - 1) * sizeof(*v));
	(*n)--;
}

static void add_group(struct tls_ciphers *o, uint16_t g)
{
	if (o->ngroups < TLS_ENUM_MAX_GROUPS && !in_list(o->group, o->ngroups, g, NULL))
		o->group[o->ngroups++] = g;
}

/* The record's order: server if any version showed one, client if every
 * version that could tell showed the client's, else unknown. */
static void set_order(struct tls_enum *e)
{
	int any = 0, server = 0;

	for (int i = 0; i < TLS_NVERSIONS; i++) {
		if (e->order_seen[i] == TLS_ORDER_SERVER)
			server = 1;
		if (e->order_seen[i] != TLS_ORDER_UNKNOWN)
			any = 1;
	}
	e->out->order = server ? TLS_ORDER_SERVER : any ? TLS_ORDER_CLIENT : TLS_ORDER_UNKNOWN;
}

void tls_enum_answer(struct tls_enum *e, int k, enum tlsh_status st,
		     const struct tlsh_server_hello *sh)
{
	struct enum_chain *c;
	int got = st == TLSH_SERVER_HELLO;
	size_t at;

	if (k < 0 || k >= TLS_ENUM_CHAINS)
		return;
	c = &e->ch[k];
	c->busy = 0;
	if (c->phase == EP_DONE)
		return;
	if (k < TLS_NVERSIONS) {
		uint16_t *acc = e->out->suite[k];
		uint16_t *na = &e->out->n[k];

		if (c->phase == EP_ORDER) {
			if (got && version_index(sh->version) == k) {
				if (sh->cipher == acc[0])
					e->order_seen[k] = TLS_ORDER_SERVER;
				else if (sh->cipher == acc[*na - 1])
					e->order_seen[k] = TLS_ORDER_CLIENT;
			}
			set_order(e);
			c->phase = EP_DONE;
			return;
		}
		/* EP_OFFER: a ServerHello (or HRR) at this version choosing an offered suite. */
		if (got && version_index(sh->version) == k &&
		    in_list(c->left, c->nleft, sh->cipher, &at) && *na < TLS_ENUM_MAX_SUITES) {
			acc[(*na)++] = sh->cipher;
			remove_at(c->left, &c->nleft, at);
			return;
		}
		if (got && version_index(sh->version) == k)
			e->out->incomplete =
				1; /* a suite not offered: the server broke the rules */
		c->nleft = 0;      /* refused: on to the order check */
		return;
	}
	if (e->group_tls13) {
		if (got && sh->version == TLSH_TLS13 && sh->key_share_group != 0 &&
		    in_list(c->left, c->nleft, sh->key_share_group, &at)) {
			add_group(e->out, sh->key_share_group);
			remove_at(c->left, &c->nleft, at);
			return;
		}
		c->phase = EP_DONE;
		return;
	}
	if (got && sh->version == e->group_version && tlsh_suite_is_ecdhe(sh->cipher))
		add_group(e->out, groups12[c->next_group]);
	c->next_group++;
}

void tls_enum_abort(struct tls_enum *e)
{
	for (int k = 0; k < TLS_ENUM_CHAINS; k++)
		e->ch[k].phase = EP_DONE;
	e->out->incomplete = 1;
	set_order(e);
}
