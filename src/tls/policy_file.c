/*
 * policy_file.c — the policy file reader and the built-in profiles
 * (include/tls_policy.h, docs/tls-policy.md). Lines come from conflines.h
 * ('#' comments, blank lines); each is a key and its words, split on blanks.
 * Every mistake stops the parse with "origin:LINE: what".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "conflines.h"
#include "portus.h"
#include "tls_hsts.h"
#include "tls_policy.h"

/* data/policies/NAME.policy, embedded by tools/embed.sh (Makefile). */
extern const char portus_policy_modern[];
extern const char portus_policy_intermediate[];
extern const char portus_policy_old[];

const char *tls_policy_builtin_text(const char *name)
{
	if (strcmp(name, "modern") == 0)
		return portus_policy_modern;
	if (strcmp(name, "intermediate") == 0)
		return portus_policy_intermediate;
	if (strcmp(name, "old") == 0)
		return portus_policy_old;
	return NULL;
}

struct word {
	const char *s;
	size_t n;
};

/* The parse of one text: where errors point and what has been seen. */
struct pctx {
	struct tls_policy *p;
	const char *origin;
	size_t line;
	char *err;
	size_t errlen;
	unsigned seen; /* scalar keys given (bits of a local enum) */
};

#define FAIL(c, ...)                                                                           \
	do {                                                                                   \
		char msg_[160];                                                                \
		(void)snprintf(msg_, sizeof(msg_), __VA_ARGS__);                               \
		portus_err((c)->err, (c)->errlen, "%s:%zu: %s", (c)->origin, (c)->line, msg_); \
		return -1;                                                                     \
	} while (0)

static int next_word(const char **p, const char *end, struct word *w)
{
	const char *s = *p;

	while (s < end && portus_is_space(*s))
		s++;
	if (s == end)
		return 0;
	w->s = s;
	while (s < end && !portus_is_space(*s))
		s++;
	w->n = (size_t)(s - w->s);
	*p = s;
	return 1;
}

static int word_is(const struct word *w, const char *lit)
{
	return w->n == strlen(lit) && memcmp(w->s, lit, w->n) == 0;
}

/* "TLSv1" (or "TLSv1.0") .. "TLSv1.3" to its TLS_V* bit index. */
static int version_index(const char *s, size_t n)
{
	static const char *const alias[TLS_NVERSIONS] = { "TLSv1.0", NULL, NULL, NULL };

	for (unsigned i = 0; i < TLS_NVERSIONS; i++) {
		const char *a = tls_version_name(i);

		if ((strlen(a) == n && memcmp(a, s, n) == 0) ||
		    (alias[i] != NULL && strlen(alias[i]) == n && memcmp(alias[i], s, n) == 0))
			return (int)i;
	}
	return -1;
}

/* A version name of the policy, or -1 with the error set. */
static int version_word(struct pctx *c, const char *s, size_t n)
{
	char show[PORTUS_SHOW_MAX + 4];
	int i = version_index(s, n);

	if (i < 0)
		portus_err(c->err, c->errlen,
			   "%s:%zu: unknown version '%s' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)",
			   c->origin, c->line, portus_show(show, s, n));
	return i;
}

/* The end of a list key: it named something; the rule is set. */
static int list_done(struct pctx *c, const struct word *key, int any, unsigned rule)
{
	if (!any)
		FAIL(c, "%.*s: missing value", (int)key->n, key->s);
	c->p->rules |= rule;
	return 0;
}

static int parse_number(struct pctx *c, const struct word *key, const struct word *w, uint64_t min,
			uint64_t max, uint64_t *out)
{
	char show[PORTUS_SHOW_MAX + 4];
	int r = portus_parse_decimal(w->s, w->n, max, out);

	if (r == -1)
		FAIL(c, "%.*s: '%s' is not a number", (int)key->n, key->s,
		     portus_show(show, w->s, w->n));
	if (r == -2 || *out < min)
		FAIL(c, "%.*s: %s is out of range (%llu-%llu)", (int)key->n, key->s,
		     portus_show(show, w->s, w->n), (unsigned long long)min,
		     (unsigned long long)max);
	return 0;
}

/* The one value of a scalar key, given once. */
static int one_value(struct pctx *c, const struct word *key, const char **rest, const char *end,
		     unsigned bit, struct word *w)
{
	struct word extra;

	if (c->seen & bit)
		FAIL(c, "%.*s given twice", (int)key->n, key->s);
	c->seen |= bit;
	if (!next_word(rest, end, w))
		FAIL(c, "%.*s: missing value", (int)key->n, key->s);
	if (next_word(rest, end, &extra))
		FAIL(c, "%.*s: one value expected", (int)key->n, key->s);
	return 0;
}

static int add_id(struct pctx *c, const char *what, const struct word *w, uint16_t *list,
		  uint16_t *n, size_t cap, uint16_t id)
{
	char show[PORTUS_SHOW_MAX + 4];

	for (size_t i = 0; i < *n; i++)
		if (list[i] == id)
			FAIL(c, "%s %s listed twice", what, portus_show(show, w->s, w->n));
	if (*n >= cap)
		FAIL(c, "more than %zu %ss", cap, what);
	list[(*n)++] = id;
	return 0;
}

static int parse_versions(struct pctx *c, const struct word *key, const char *rest, const char *end)
{
	struct word w;
	int any = 0;

	if (c->p->rules & TLS_POL_VERSIONS)
		FAIL(c, "versions given twice");
	while (next_word(&rest, end, &w)) {
		int i = version_word(c, w.s, w.n);

		if (i < 0)
			return -1;
		if (c->p->versions & (1u << i))
			FAIL(c, "version %s listed twice", tls_version_name((unsigned)i));
		c->p->versions |= 1u << i;
		any = 1;
	}
	return list_done(c, key, any, TLS_POL_VERSIONS);
}

/* suites V[,V...] NAME... */
static int parse_suites(struct pctx *c, const struct word *key, const char *rest, const char *end)
{
	char show[PORTUS_SHOW_MAX + 4];
	struct word vw, w;
	unsigned vers = 0;
	int any = 0;

	if (!next_word(&rest, end, &vw))
		FAIL(c, "%.*s: missing version", (int)key->n, key->s);
	for (const char *s = vw.s, *ve = vw.s + vw.n; s < ve;) {
		const char *comma = memchr(s, ',', (size_t)(ve - s));
		const char *e = comma != NULL ? comma : ve;
		int i = version_word(c, s, (size_t)(e - s));

		if (i < 0)
			return -1;
		vers |= 1u << i;
		s = comma != NULL ? comma + 1 : ve;
		if (comma != NULL && s == ve)
			FAIL(c, "%.*s: empty version after ','", (int)key->n, key->s);
	}
	while (next_word(&rest, end, &w)) {
		uint16_t id;

		if (tls_policy_suite_id(w.s, w.n, &id) != 0)
			FAIL(c, "unknown cipher suite '%s' (IANA names, TLS_...)",
			     portus_show(show, w.s, w.n));
		for (unsigned i = 0; i < TLS_NVERSIONS; i++) {
			if (!(vers & (1u << i)))
				continue;
			/* TLS 1.3 suites and the older ones never cross over; a
			 * 1.2-only suite under TLSv1 is allowed (never seen). */
			if ((i == 3) != ((id >> 8) == 0x13))
				FAIL(c, "suite %s cannot be used under %s",
				     portus_show(show, w.s, w.n), tls_version_name(i));
			if (add_id(c, "suite", &w, c->p->suite[i], &c->p->nsuites[i],
				   TLS_POLICY_MAX_SUITES, id) != 0)
				return -1;
		}
		any = 1;
	}
	if (!any)
		FAIL(c, "%.*s: no suite named", (int)key->n, key->s);
	c->p->suite_versions |= vers;
	c->p->rules |= TLS_POL_SUITES;
	return 0;
}

static int parse_groups(struct pctx *c, const struct word *key, const char *rest, const char *end)
{
	char show[PORTUS_SHOW_MAX + 4];
	struct word w;
	int any = 0;

	while (next_word(&rest, end, &w)) {
		uint16_t id;

		if (tls_policy_group_id(w.s, w.n, &id) != 0)
			FAIL(c, "unknown group '%s'", portus_show(show, w.s, w.n));
		if (add_id(c, "group", &w, c->p->group, &c->p->ngroups, TLS_POLICY_MAX_GROUPS,
			   id) != 0)
			return -1;
		any = 1;
	}
	return list_done(c, key, any, TLS_POL_GROUPS);
}

static const char *const key_types[] = { "RSA", "RSA-PSS", "EC", "ED25519", "ED448", "DSA" };

/* Is w a name of kind `rule`? Key types from the list above (any case, kept
 * in EVP's spelling), curves as OpenSSL short names, signatures as long
 * names (what tls_cert.h reports). canon gets the spelling to store. */
static int known_name(unsigned rule, const struct word *w, char *canon)
{
	if (w->n >= TLS_POLICY_NAME_LEN)
		return 0;
	if (rule == TLS_POL_KEY_TYPES) {
		for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
			if (strlen(key_types[i]) == w->n &&
			    strncasecmp(key_types[i], w->s, w->n) == 0) {
				memcpy(canon, key_types[i], w->n + 1);
				return 1;
			}
		return 0;
	}
	memcpy(canon, w->s, w->n);
	canon[w->n] = '\0';
	if (rule == TLS_POL_CURVES)
		return OBJ_sn2nid(canon) != NID_undef;
	return OBJ_ln2nid(canon) != NID_undef;
}

static int parse_names(struct pctx *c, const struct word *key, const char *rest, const char *end,
		       unsigned rule, struct tls_policy_names *l)
{
	static const struct {
		unsigned rule;
		const char *noun, *hint;
	} kinds[] = {
		{ TLS_POL_KEY_TYPES, "key type", "RSA, RSA-PSS, EC, ED25519, ED448, DSA" },
		{ TLS_POL_CURVES, "curve", "OpenSSL short names: prime256v1, secp384r1" },
		{ TLS_POL_SIGNATURES, "signature algorithm",
		  "OpenSSL long names: sha256WithRSAEncryption, ecdsa-with-SHA256" },
	};
	char show[PORTUS_SHOW_MAX + 4], canon[TLS_POLICY_NAME_LEN];
	const char *noun = "", *hint = "";
	struct word w;
	int any = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].rule == rule) {
			noun = kinds[i].noun;
			hint = kinds[i].hint;
		}
	while (next_word(&rest, end, &w)) {
		if (!known_name(rule, &w, canon))
			FAIL(c, "unknown %s '%s' (%s)", noun, portus_show(show, w.s, w.n), hint);
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(l->v[i], canon) == 0)
				FAIL(c, "%s %s listed twice", noun, canon);
		if (l->n >= TLS_POLICY_MAX_NAMES)
			FAIL(c, "%.*s: more than %d names", (int)key->n, key->s,
			     TLS_POLICY_MAX_NAMES);
		memcpy(l->v[l->n++], canon, strlen(canon) + 1);
		any = 1;
	}
	return list_done(c, key, any, rule);
}

/* key-min-bits TYPE BITS, once per type. */
static int parse_key_bits(struct pctx *c, const struct word *key, const char *rest, const char *end)
{
	static const char *const types[TLS_POL_NKEYBITS] = { "RSA", "EC", "DSA" };
	char show[PORTUS_SHOW_MAX + 4];
	struct word t, b, extra;
	uint64_t bits;
	int slot = -1;

	if (!next_word(&rest, end, &t) || !next_word(&rest, end, &b))
		FAIL(c, "key-min-bits: expected a key type and a number of bits");
	if (next_word(&rest, end, &extra))
		FAIL(c, "key-min-bits: expected a key type and a number of bits only");
	for (int i = 0; i < TLS_POL_NKEYBITS; i++)
		if (strlen(types[i]) == t.n && strncasecmp(types[i], t.s, t.n) == 0)
			slot = i;
	if (slot < 0)
		FAIL(c, "key-min-bits: unknown key type '%s' (RSA, EC, DSA)",
		     portus_show(show, t.s, t.n));
	if (c->p->key_min_bits[slot] != 0)
		FAIL(c, "key-min-bits %s given twice", types[slot]);
	if (parse_number(c, key, &b, 1, 16384, &bits) != 0)
		return -1;
	c->p->key_min_bits[slot] = (unsigned)bits;
	c->p->rules |= TLS_POL_KEY_BITS;
	return 0;
}

enum { SEEN_NAME = 1, SEEN_DAYS = 2, SEEN_DH = 4, SEEN_HSTS = 8 };

static int parse_scalar(struct pctx *c, const struct word *key, const char *rest, const char *end)
{
	struct word w;
	uint64_t v;

	if (word_is(key, "name")) {
		if (one_value(c, key, &rest, end, SEEN_NAME, &w) != 0)
			return -1;
		if (w.n >= sizeof(c->p->name))
			FAIL(c, "name: longer than %zu bytes", sizeof(c->p->name) - 1);
		memcpy(c->p->name, w.s, w.n);
		c->p->name[w.n] = '\0';
		return 0;
	}
	if (word_is(key, "max-cert-days")) {
		if (one_value(c, key, &rest, end, SEEN_DAYS, &w) != 0 ||
		    parse_number(c, key, &w, 1, 100000, &v) != 0)
			return -1;
		c->p->max_cert_days = (int64_t)v;
		c->p->rules |= TLS_POL_LIFETIME;
		return 0;
	}
	if (word_is(key, "dh-min-bits")) {
		if (one_value(c, key, &rest, end, SEEN_DH, &w) != 0 ||
		    parse_number(c, key, &w, 1, 16384, &v) != 0)
			return -1;
		c->p->dh_min_bits = (unsigned)v;
		c->p->rules |= TLS_POL_DH;
		return 0;
	}
	if (one_value(c, key, &rest, end, SEEN_HSTS, &w) != 0 ||
	    parse_number(c, key, &w, 0, TLS_HSTS_MAX_AGE_CAP, &v) != 0)
		return -1;
	c->p->hsts_min_age = (int64_t)v;
	c->p->rules |= TLS_POL_HSTS;
	return 0;
}

static int parse_line(struct pctx *c, const char *s, size_t n)
{
	char show[PORTUS_SHOW_MAX + 4];
	const char *rest = s, *end = s + n;
	struct word key = { s, 0 };

	(void)next_word(&rest, end, &key); /* conflines gives a non-blank line */
	if (word_is(&key, "versions"))
		return parse_versions(c, &key, rest, end);
	if (word_is(&key, "suites"))
		return parse_suites(c, &key, rest, end);
	if (word_is(&key, "groups"))
		return parse_groups(c, &key, rest, end);
	if (word_is(&key, "key-types"))
		return parse_names(c, &key, rest, end, TLS_POL_KEY_TYPES, &c->p->key_types);
	if (word_is(&key, "cert-curves"))
		return parse_names(c, &key, rest, end, TLS_POL_CURVES, &c->p->curves);
	if (word_is(&key, "signatures"))
		return parse_names(c, &key, rest, end, TLS_POL_SIGNATURES, &c->p->signatures);
	if (word_is(&key, "key-min-bits"))
		return parse_key_bits(c, &key, rest, end);
	if (word_is(&key, "name") || word_is(&key, "max-cert-days") ||
	    word_is(&key, "dh-min-bits") || word_is(&key, "hsts-min-age"))
		return parse_scalar(c, &key, rest, end);
	FAIL(c, "unknown key '%s'", portus_show(show, key.s, key.n));
}

int tls_policy_parse(struct tls_policy *p, const char *text, size_t len, const char *origin,
		     char *err, size_t errlen)
{
	struct pctx c = { .p = p, .origin = origin, .err = err, .errlen = errlen };
	struct conf_lines cl;
	const char *s;
	size_t n;

	memset(p, 0, sizeof(*p));
	(void)snprintf(p->name, sizeof(p->name), "%s", origin);
	if (len > 0 && memchr(text, '\0', len) != NULL) {
		portus_err(err, errlen, "%s: binary file (NUL bytes), expected a policy", origin);
		return -1;
	}
	conf_lines_init(&cl, text, len);
	while (conf_lines_next(&cl, &s, &n)) {
		c.line = cl.line;
		if (parse_line(&c, s, n) != 0)
			return -1;
	}
	if (p->rules == 0) {
		portus_err(err, errlen, "%s: no rules (a policy needs at least one key)", origin);
		return -1;
	}
	return 0;
}

int tls_policy_load(struct tls_policy *p, const char *arg, char *err, size_t errlen)
{
	const char *builtin = tls_policy_builtin_text(arg);
	char *buf;
	size_t len;
	FILE *fp;
	int r = -1;

	if (builtin != NULL)
		return tls_policy_parse(p, builtin, strlen(builtin), arg, err, errlen);
	if ((fp = fopen(arg, "rb")) == NULL) {
		portus_err(err, errlen,
			   "%s: cannot open: %s (built-in policies: modern, "
			   "intermediate, old)",
			   arg, strerror(errno));
		return -1;
	}
	if ((buf = malloc(TLS_POLICY_FILE_MAX + 1)) == NULL) {
		portus_err(err, errlen, "%s: out of memory", arg);
		goto out;
	}
	len = fread(buf, 1, TLS_POLICY_FILE_MAX + 1, fp);
	if (ferror(fp))
		portus_err(err, errlen, "%s: cannot read: %s", arg, strerror(errno));
	else if (len > TLS_POLICY_FILE_MAX)
		portus_err(err, errlen, "%s: larger than %d bytes", arg, TLS_POLICY_FILE_MAX);
	else
		r = tls_policy_parse(p, buf, len, arg, err, errlen);
	free(buf);
out:
	fclose(fp);
	return r;
}
