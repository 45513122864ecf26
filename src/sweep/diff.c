/*
 * diff.c — `portus diff [--expiry-days N] [--format json|ecs] [-o OUT] OLD NEW`:
 * what changed between two scans, as NDJSON alert records, a one-line human
 * summary on stderr, and exit status 1 when there is any alert (0 none,
 * 2 bad input or any failure: a failed diff must not read as "no change"). OLD and NEW are each a file or a comma-separated list of
 * shard files in any layout.
 *
 * A port counts only where both scans looked (docs/sweeps.md, "the plan
 * rule"): a scan's plan is known as its port numbers (those of any port
 * record) times its addresses (those of any port or host record). Output
 * written with --open lists no closed/filtered targets, so for it
 * ("sparse": no closed or filtered record although the summaries count
 * some, or no summary at all) every address is taken as planned.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "jsonw.h"
#include "output/native.h"
#include "result_file.h"
#include "scan_record.h"
#include "strbuf.h"
#include "subcommands.h"
#include "sweep/subargs.h"
#include "sweep/sweep.h"
#include "table.h"
#include "tls_record.h"

/* In output order for one target (name alerts, which have no address, first). */
enum alert_kind {
	A_NAME_UNRESOLVED,
	A_NAME_RESOLVED,
	A_HOST_APPEARED,
	A_HOST_DISAPPEARED,
	A_HOST_EXPOSED,
	A_HOST_EXPOSURE_GONE,
	A_PORT_OPENED,
	A_PORT_CLOSED,
	A_CERT_CHANGED,
	A_CERT_EXPIRING,
	A_TLS_WEAK,
	A_COUNT
};

static const char *const alert_name[A_COUNT] = {
	[A_NAME_UNRESOLVED] = "name-unresolved",
	[A_NAME_RESOLVED] = "name-resolved",
	[A_HOST_APPEARED] = "host-appeared",
	[A_HOST_DISAPPEARED] = "host-disappeared",
	[A_HOST_EXPOSED] = "host-exposed",
	[A_HOST_EXPOSURE_GONE] = "host-exposure-gone",
	[A_PORT_OPENED] = "port-opened",
	[A_PORT_CLOSED] = "port-closed",
	[A_CERT_CHANGED] = "cert-changed",
	[A_CERT_EXPIRING] = "cert-expiring",
	[A_TLS_WEAK] = "tls-weak",
};

/* For the stderr summary: singular, plural. */
static const char *const alert_words[A_COUNT][2] = {
	[A_NAME_UNRESOLVED] = { "name no longer resolves", "names no longer resolve" },
	[A_NAME_RESOLVED] = { "name newly resolves", "names newly resolve" },
	[A_HOST_APPEARED] = { "host appeared", "hosts appeared" },
	[A_HOST_DISAPPEARED] = { "host disappeared", "hosts disappeared" },
	[A_HOST_EXPOSED] = { "host newly exposed", "hosts newly exposed" },
	[A_HOST_EXPOSURE_GONE] = { "host no longer exposed", "hosts no longer exposed" },
	[A_PORT_OPENED] = { "port opened", "ports opened" },
	[A_PORT_CLOSED] = { "port closed", "ports closed" },
	[A_CERT_CHANGED] = { "certificate changed", "certificates changed" },
	[A_CERT_EXPIRING] = { "certificate expiring", "certificates expiring" },
	[A_TLS_WEAK] = { "endpoint newly weak", "endpoints newly weak" },
};

struct alert {
	enum alert_kind kind;
	const char *name; /* name alerts: the host name (borrowed); ip is then zero */
	ip_addr ip;
	int port;        /* -1 for host alerts */
	const char *sni; /* borrowed from NEW/OLD; TLS alerts only */
	/* old / new value: borrowed, or else the text in old_buf / new_buf
	 * (never a pointer to them: the array moves), or else JSON null */
	const char *old_v, *new_v;
	char old_buf[32], new_buf[32];
	int64_t days_left; /* cert-expiring */
	int64_t time_us;
};

struct alerts {
	struct alert *v;
	size_t n, cap;
	int oom;
};

/* What one scan covered (see the header comment). */
struct coverage {
	const struct result_set *rs;
	uint8_t port_seen[65536 / 8];
	int sparse;
};

static struct alert *add(struct alerts *as, enum alert_kind k, ip_addr ip, int port,
			 int64_t time_us)
{
	struct alert *a;

	if (as->n == as->cap) {
		size_t cap = as->cap ? as->cap * 2 : 64;
		void *p = realloc(as->v, cap * sizeof(*as->v));

		if (p == NULL) {
			as->oom = 1;
			return NULL;
		}
		as->v = p;
		as->cap = cap;
	}
	a = &as->v[as->n++];
	memset(a, 0, sizeof(*a));
	a->kind = k;
	a->ip = ip;
	a->port = port;
	a->time_us = time_us;
	return a;
}

static void coverage_init(struct coverage *c, const struct result_set *rs)
{
	uint64_t counted = 0;
	size_t listed = 0;

	memset(c, 0, sizeof(*c));
	c->rs = rs;
	for (size_t i = 0; i < rs->nports; i++) {
		c->port_seen[rs->ports[i].port / 8] |= (uint8_t)(1u << (rs->ports[i].port % 8));
		listed += rs->ports[i].state != PS_OPEN;
	}
	for (size_t i = 0; i < rs->nsums; i++)
		counted += rs->sums[i].closed + rs->sums[i].filtered;
	c->sparse = listed == 0 && (rs->nsums == 0 || counted > 0);
}

static const struct rs_port *find_port(const struct result_set *rs, ip_addr ip, uint16_t port)
{
	return sweep_find_port(rs, ip, port);
}

/* First port record of ip, or NULL. */
static const struct rs_port *first_port(const struct result_set *rs, ip_addr ip)
{
	return sweep_find_port(rs, ip, -1);
}

/* Whether p is still a record of first's address (p inside rs->ports). */
static int same_address(const struct result_set *rs, const struct rs_port *p,
			const struct rs_port *first)
{
	return p < rs->ports + rs->nports && rs_port_addr_cmp(p, first) == 0;
}

/* The ARP host record of ip (not the all-ports-open one), or NULL. */
static const struct rs_host *find_host(const struct result_set *rs, ip_addr ip)
{
	for (size_t lo = 0, hi = rs->nhosts; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rs_host *h = &rs->hosts[mid];
		int c = addr_order(h->ip, ip);

		/* sweep_normalize puts an address's ARP record before its
		 * all-ports-open record. */
		if (c < 0)
			lo = mid + 1;
		else if (c > 0 || h->reason == R_ALL_PORTS_OPEN)
			hi = mid;
		else
			return h;
	}
	return NULL;
}

static int addr_planned(const struct coverage *c, ip_addr ip)
{
	return c->sparse || first_port(c->rs, ip) != NULL || find_host(c->rs, ip) != NULL;
}

static int target_planned(const struct coverage *c, ip_addr ip, uint16_t port)
{
	return (c->port_seen[port / 8] & (1u << (port % 8))) && addr_planned(c, ip);
}

/* A host is up as nmap means it (scan_record.h, reply_from_target): the host
 * itself answered a port (SYN-ACK, RST, an ICMP error from its own address),
 * or ARP / neighbour discovery found it. A router's ICMP error does not count. */
static int host_present(const struct result_set *rs, ip_addr ip)
{
	const struct rs_host *h = find_host(rs, ip);

	if (h != NULL && h->up && h->reason != R_USER_SET)
		return 1;
	const struct rs_port *first = first_port(rs, ip);

	for (const struct rs_port *p = first; p != NULL && same_address(rs, p, first); p++)
		if (p->ttl >= 0 &&
		    reply_from_target(ip, (enum reason)p->reason, rs_port_reason_ip(rs, p)))
			return 1;
	return 0;
}

/* "down" for an address the scan has a record of (it looked, the host did
 * not answer), null for one it has none of. */
static const char *host_word(const struct result_set *rs, ip_addr ip)
{
	return find_host(rs, ip) != NULL || first_port(rs, ip) != NULL ? "down" : NULL;
}

/* Exposed: a port of the host is open in rs. With other, only an open port
 * that other's scan looked at too counts (the plan rule). */
static int host_exposed(const struct result_set *rs, ip_addr ip, const struct coverage *other)
{
	const struct rs_port *first = first_port(rs, ip);

	for (const struct rs_port *p = first; p != NULL && same_address(rs, p, first); p++)
		if (p->state == PS_OPEN && (other == NULL || target_planned(other, ip, p->port)))
			return 1;
	return 0;
}

/* The next address of one scan's port and host records (each once,
 * ascending) from the cursors *i (ports) and *j (hosts), which move past it.
 * Returns 0 when there is none left. */
static int next_address(const struct result_set *rs, size_t *i, size_t *j, ip_addr *ip)
{
	const struct rs_port *first;

	if (*i >= rs->nports && *j >= rs->nhosts)
		return 0;
	first = *i < rs->nports ? &rs->ports[*i] : NULL;
	*ip = first != NULL && (*j >= rs->nhosts ||
				addr_order(rs_port_ip(rs, first), rs->hosts[*j].ip) <= 0)
		      ? rs_port_ip(rs, first)
		      : rs->hosts[*j].ip;
	if (first != NULL && addr_eq(rs_port_ip(rs, first), *ip))
		while (*i < rs->nports && rs_port_addr_cmp(&rs->ports[*i], first) == 0)
			(*i)++;
	while (*j < rs->nhosts && addr_eq(rs->hosts[*j].ip, *ip))
		(*j)++;
	return 1;
}

static void host_alerts(struct alerts *as, const struct coverage *oc, const struct coverage *nc,
			int64_t new_start)
{
	const struct coverage *side[2] = { oc, nc };

	for (int s = 0; s < 2; s++) {
		const struct result_set *a = side[s]->rs, *b = side[1 - s]->rs;
		size_t pi = 0, hi = 0;
		ip_addr ip;

		while (!as->oom && next_address(a, &pi, &hi, &ip)) {
			struct alert *al;

			if (!addr_planned(side[1 - s], ip))
				continue;
			/* Exposure: an open port in a, where b looked, and none in b. */
			if (host_exposed(a, ip, side[1 - s]) && !host_exposed(b, ip, NULL)) {
				al = add(as, s ? A_HOST_EXPOSED : A_HOST_EXPOSURE_GONE, ip, -1,
					 new_start);
				if (al == NULL)
					return;
				al->old_v = s ? "not-exposed" : "exposed";
				al->new_v = s ? "exposed" : "not-exposed";
			}
			if (!host_present(a, ip) || host_present(b, ip))
				continue;
			al = add(as, s ? A_HOST_APPEARED : A_HOST_DISAPPEARED, ip, -1, new_start);
			if (al == NULL)
				return;
			al->old_v = s ? host_word(b, ip) : "up";
			al->new_v = s ? "up" : host_word(b, ip);
		}
	}
}

static void port_alerts(struct alerts *as, const struct coverage *oc, const struct coverage *nc,
			int64_t new_start)
{
	const struct result_set *o = oc->rs, *n = nc->rs;

	for (size_t i = 0; i < n->nports; i++) {
		const struct rs_port *np = &n->ports[i], *op;
		ip_addr ip;
		struct alert *al;

		if (np->state != PS_OPEN)
			continue;
		ip = rs_port_ip(n, np);
		op = find_port(o, ip, np->port);
		if ((op != NULL && op->state == PS_OPEN) || !target_planned(oc, ip, np->port))
			continue;
		if ((al = add(as, A_PORT_OPENED, ip, np->port, np->time_us)) == NULL)
			return;
		al->old_v = op != NULL ? state_name((enum port_state)op->state) : NULL;
		al->new_v = "open";
	}
	for (size_t i = 0; i < o->nports; i++) {
		const struct rs_port *op = &o->ports[i], *np;
		ip_addr ip;
		struct alert *al;

		if (op->state != PS_OPEN)
			continue;
		ip = rs_port_ip(o, op);
		np = find_port(n, ip, op->port);
		if ((np != NULL && np->state == PS_OPEN) || !target_planned(nc, ip, op->port))
			continue;
		al = add(as, A_PORT_CLOSED, ip, op->port, np != NULL ? np->time_us : new_start);
		if (al == NULL)
			return;
		al->old_v = "open";
		al->new_v = np != NULL ? state_name((enum port_state)np->state) : NULL;
	}
}

#define WEAK_SSL3 0x10u

/* Weak versions of an endpoint: negotiated (SSLv3, TLSv1, TLSv1.1) or accepted. */
static unsigned negotiated_weak(const struct rs_tls *t)
{
	if (t->version == NULL)
		return 0;
	if (strcmp(t->version, "SSLv3") == 0)
		return WEAK_SSL3;
	if (strcmp(t->version, "TLSv1") == 0)
		return TLS_V10;
	if (strcmp(t->version, "TLSv1.1") == 0)
		return TLS_V11;
	return 0;
}

static void weak_names(unsigned bits, char *out, size_t outlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} v[] = {
		{ WEAK_SSL3, "SSLv3" },
		{ TLS_V10, "TLSv1" },
		{ TLS_V11, "TLSv1.1" },
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 3; i++)
		if (bits & v[i].bit)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s", len ? "," : "",
						v[i].name);
}

static const struct rs_tls *find_tls(const struct result_set *rs, const struct rs_tls *key)
{
	size_t lo = 0, hi = rs->ntls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = sweep_tls_cmp(&rs->tls[mid], key);

		if (c == 0)
			return &rs->tls[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void tls_alerts(struct alerts *as, const struct result_set *o, const struct result_set *n,
		       int64_t new_start, int64_t expiry_days)
{
	for (size_t i = 0; i < n->ntls; i++) {
		const struct rs_tls *nt = &n->tls[i], *ot = find_tls(o, nt);
		struct alert *al;

		if (ot != NULL && nt->has_cert && ot->has_cert &&
		    strcmp(nt->sha256, ot->sha256) != 0) {
			if ((al = add(as, A_CERT_CHANGED, nt->ip, nt->port, nt->time_us)) == NULL)
				return;
			al->sni = nt->sni;
			al->old_v = ot->sha256;
			al->new_v = nt->sha256;
		}
		if (nt->has_cert) {
			int64_t left_s = nt->not_after - floor_div(new_start, 1000000);

			if (left_s < expiry_days * 86400) {
				struct strbuf tb;

				if ((al = add(as, A_CERT_EXPIRING, nt->ip, nt->port,
					      nt->time_us)) == NULL)
					return;
				al->sni = nt->sni;
				al->days_left = floor_div(left_s, 86400);
				sb_init(&tb);
				json_append_time(&tb, nt->not_after * 1000000);
				/* quoted by json_append_time: keep what is inside */
				if (!tb.oom && tb.len >= 2 && tb.len - 2 < sizeof(al->new_buf))
					memcpy(al->new_buf, tb.p + 1, tb.len - 2);
				sb_free(&tb);
			}
		}
		if (ot != NULL) {
			unsigned nw = negotiated_weak(nt) |
				      (nt->versions_accepted & (TLS_V10 | TLS_V11));
			unsigned ow = negotiated_weak(ot) |
				      (ot->versions_accepted & (TLS_V10 | TLS_V11));
			/* Only accepted, never negotiated: new only if OLD tested it too. */
			unsigned fresh = nw & ~ow & (negotiated_weak(nt) | ot->versions_tested);

			if (fresh == 0)
				continue;
			if ((al = add(as, A_TLS_WEAK, nt->ip, nt->port, nt->time_us)) == NULL)
				return;
			al->sni = nt->sni;
			weak_names(ow, al->old_buf, sizeof(al->old_buf));
			weak_names(nw, al->new_buf, sizeof(al->new_buf));
		}
	}
}

/*
 * A name's targets are in a scan's plan only when the name resolved, so a
 * name that stopped resolving would take its addresses out of NEW's plan
 * without one alert (the plan rule). Said as name-unresolved (OLD gave
 * addresses, NEW has a resolve record) and name-resolved (the reverse).
 */
static void name_alerts(struct alerts *as, const struct result_set *old,
			const struct result_set *new, int64_t new_start)
{
	const struct result_set *side[2] = { new, old }; /* the resolve records' side */
	const char **index[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };

	for (int s = 0; s < 2 && !as->oom; s++) {
		const struct result_set *failed = side[s], *other = side[1 - s];

		if (failed->nresolves == 0)
			continue;
		if ((index[s] = hostnames_name_index(&other->names, &n[s])) == NULL) {
			as->oom = 1;
			break;
		}
		for (size_t i = 0; i < failed->nresolves; i++) {
			const struct rs_resolve *r = &failed->resolves[i];
			struct alert *al;

			/* The earlier family of a repeated name already said it. */
			if ((i > 0 &&
			     strcasecmp(failed->resolves[i - 1].hostname, r->hostname) == 0) ||
			    !hostnames_index_has(index[s], n[s], r->hostname))
				continue;
			al = add(as, s == 0 ? A_NAME_UNRESOLVED : A_NAME_RESOLVED, (ip_addr){ 0 },
				 -1, s == 0 ? r->time_us : new_start);
			if (al == NULL)
				break;
			al->name = r->hostname;
			al->old_v = s == 0 ? "resolved" : r->error;
			al->new_v = s == 0 ? r->error : "resolved";
		}
	}
	free(index[0]);
	free(index[1]);
}

static int cmp_alert(const void *pa, const void *pb)
{
	const struct alert *a = pa, *b = pb;
	int c;

	if (a->name != NULL || b->name != NULL) {
		if (a->name == NULL || b->name == NULL)
			return (a->name == NULL) - (b->name == NULL);
		if ((c = strcasecmp(a->name, b->name)) != 0)
			return c;
		return (int)a->kind - (int)b->kind;
	}
	if ((c = addr_order(a->ip, b->ip)) != 0)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->sni == NULL || b->sni == NULL)
		return (a->sni != NULL) - (b->sni != NULL);
	return strcmp(a->sni, b->sni);
}

/* "key":"s", or "key":null when s is NULL. */
static void str_or_null(struct jsonw *w, const char *key, const char *s)
{
	if (s == NULL)
		jw_null(w, key);
	else
		jw_strz(w, key, s);
}

static const char *old_value(const struct alert *a)
{
	return a->old_v != NULL ? a->old_v : a->old_buf[0] != '\0' ? a->old_buf : NULL;
}

static const char *new_value(const struct alert *a)
{
	return a->new_v != NULL ? a->new_v : a->new_buf[0] != '\0' ? a->new_buf : NULL;
}

static int is_tls_alert(enum alert_kind k)
{
	return k >= A_CERT_CHANGED;
}

/* The names of an address alert's address: NEW's, else OLD's (NULL: none). */
static const char *const *alert_names(const struct alert *a, const struct result_set *old,
				      const struct result_set *new)
{
	const char *const *names = NULL;

	if (a->name == NULL && hostnames_find(&new->names, a->ip, &names) == 0)
		hostnames_find(&old->names, a->ip, &names);
	return names;
}

static void format_native(struct strbuf *b, const struct alert *a, const char *const *names)
{
	char ip[ADDR_STR_MAX];
	struct jsonw w;

	jw_begin(&w, b);
	jw_strz(&w, "type", "alert");
	jw_strz(&w, "alert", alert_name[a->kind]);
	if (a->name != NULL) {
		jw_strz(&w, "hostname", a->name);
	} else {
		addr_to_str(a->ip, ip);
		jw_strz(&w, "ip", ip);
		native_names_fields(&w, names);
	}
	if (a->port >= 0)
		jw_int(&w, "port", a->port);
	if (is_tls_alert(a->kind))
		str_or_null(&w, "sni", a->sni);
	str_or_null(&w, "old", old_value(a));
	str_or_null(&w, "new", new_value(a));
	if (a->kind == A_CERT_EXPIRING)
		jw_int(&w, "days_left", a->days_left);
	jw_time(&w, "time", a->time_us);
	jw_end(&w);
}

static void format_ecs(struct strbuf *b, const struct alert *a, const char *const *names)
{
	int v6 = a->name == NULL && !addr_is_v4(a->ip);
	const char *domain = a->sni != NULL    ? a->sni
			     : a->name != NULL ? a->name
			     : names != NULL   ? names[0]
					       : NULL;
	char ip[ADDR_STR_MAX], msg[ADDR_STR_MAX + 300];
	struct jsonw w;

	addr_to_str(a->ip, ip);
	jw_begin(&w, b);
	jw_time(&w, "@timestamp", a->time_us);
	jw_obj(&w, "ecs");
	jw_strz(&w, "version", "9.0.0");
	jw_close(&w);
	jw_obj(&w, "event");
	jw_strz(&w, "kind", "alert");
	jw_arr(&w, "category");
	jw_strz(&w, NULL, "network");
	jw_close(&w);
	jw_arr(&w, "type");
	jw_strz(&w, NULL, a->kind == A_CERT_EXPIRING ? "info" : "change");
	jw_close(&w);
	jw_strz(&w, "action", alert_name[a->kind]);
	jw_strz(&w, "dataset", "portus.diff");
	jw_strz(&w, "module", "portus");
	jw_close(&w);
	jw_obj(&w, "destination");
	if (a->name != NULL) {
		/* A name alert has no address: the name is the destination. */
		jw_strz(&w, "address", a->name);
	} else {
		jw_strz(&w, "ip", ip);
		jw_strz(&w, "address", ip);
	}
	if (a->port >= 0)
		jw_int(&w, "port", a->port);
	if (domain != NULL)
		jw_strz(&w, "domain", domain);
	jw_close(&w);
	/* network.type only for IPv6 (IPv4 alerts are written as they always were). */
	if (a->port >= 0 || v6) {
		jw_obj(&w, "network");
		if (a->port >= 0)
			jw_strz(&w, "transport", "tcp");
		if (v6)
			jw_strz(&w, "type", "ipv6");
		jw_close(&w);
	}
	if (a->kind == A_CERT_CHANGED || (a->kind == A_CERT_EXPIRING && new_value(a) != NULL)) {
		jw_obj(&w, "tls");
		jw_obj(&w, "server");
		if (a->kind == A_CERT_CHANGED) {
			jw_obj(&w, "hash");
			str_or_null(&w, "sha256", new_value(a));
			jw_close(&w);
		} else {
			jw_strz(&w, "not_after", new_value(a));
		}
		jw_close(&w);
		jw_close(&w);
	}
	/* ADDRESS:PORT, an IPv6 address in brackets (RFC 3986). */
	if (a->name != NULL)
		snprintf(msg, sizeof(msg), "%s %.253s", alert_name[a->kind], a->name);
	else if (a->port >= 0)
		snprintf(msg, sizeof(msg), "%s %s%s%s:%d", alert_name[a->kind], v6 ? "[" : "", ip,
			 v6 ? "]" : "", a->port);
	else
		snprintf(msg, sizeof(msg), "%s %s", alert_name[a->kind], ip);
	jw_strz(&w, "message", msg);
	jw_obj(&w, "portus");
	jw_obj(&w, "diff");
	str_or_null(&w, "old", old_value(a));
	str_or_null(&w, "new", new_value(a));
	if (a->kind == A_CERT_EXPIRING)
		jw_int(&w, "days_left", a->days_left);
	jw_end(&w);
}

/* "3 changes: 1 port opened, 2 ports closed" or "no changes". */
static void summary_line(const struct alerts *as, FILE *fp)
{
	size_t count[A_COUNT] = { 0 };
	int first = 1;

	for (size_t i = 0; i < as->n; i++)
		count[as->v[i].kind]++;
	if (as->n == 0) {
		fprintf(fp, "portus: diff: no changes\n");
		return;
	}
	fprintf(fp, "portus: diff: %zu change%s:", as->n, as->n == 1 ? "" : "s");
	for (int k = 0; k < A_COUNT; k++) {
		if (count[k] == 0)
			continue;
		fprintf(fp, "%s %zu %s", first ? "" : ",", count[k], alert_words[k][count[k] != 1]);
		first = 0;
	}
	fputc('\n', fp);
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: portus diff [--expiry-days N] [--format json|ecs] [-o OUT] OLD NEW\n"
		    "  OLD, NEW: a result file (-oJ) or a comma-separated list of shard files;\n"
		    "  alerts as NDJSON; exit 0 no change, 1 changes, 2 bad input\n");
}

static int parse_days(const char *s, int64_t *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v > 36500)
		return -1;
	*out = v;
	return 0;
}

int portus_diff_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "expiry-days", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = "-";
	int64_t expiry_days = 30, new_start;
	int ecs = 0, c, rc = 2;
	struct result_set old, new;
	struct coverage *oc = NULL, *nc = NULL;
	struct alerts as = { 0 };
	struct sweep_out out;
	struct subargs a;
	struct strbuf b;
	char err[512];

	subargs_init(&a, "diff", argc, argv, "o:h", longopts);
	while ((c = subargs_next(&a)) != SUBARGS_DONE) {
		switch (c) {
		case 'e':
			if (parse_days(a.val, &expiry_days) != 0) {
				fprintf(stderr,
					"portus: diff: --expiry-days %s: a number of days "
					"0-36500 expected\n",
					a.val);
				return 2;
			}
			break;
		case 'f':
			if (strcmp(a.val, "ecs") == 0) {
				ecs = 1;
			} else if (strcmp(a.val, "json") == 0 || strcmp(a.val, "native") == 0) {
				ecs = 0;
			} else {
				fprintf(stderr, "portus: diff: --format %s: json or ecs expected\n",
					a.val);
				return 2;
			}
			break;
		case 'o':
			out_path = a.val;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2; /* SUBARGS_ERROR: said */
		}
	}
	if (a.nops != 2) {
		if (a.nops > 0)
			fprintf(stderr,
				"portus: diff: %d files given, OLD and NEW expected "
				"(a list of shards is one comma-separated argument)\n",
				a.nops);
		else
			usage(stderr);
		return 2;
	}
	results_init(&old);
	results_init(&new);
	sb_init(&b);
	if (sweep_load_list(&old, a.ops[0], err, sizeof(err)) != 0 ||
	    sweep_load_list(&new, a.ops[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: diff: %s\n", err);
		goto out;
	}
	sweep_normalize(&old);
	sweep_normalize(&new);
	if ((oc = malloc(sizeof(*oc))) == NULL || (nc = malloc(sizeof(*nc))) == NULL) {
		fprintf(stderr, "portus: diff: out of memory\n");
		goto out;
	}
	coverage_init(oc, &old);
	coverage_init(nc, &new);
	new_start = sweep_scan_start(&new);
	host_alerts(&as, oc, nc, new_start);
	port_alerts(&as, oc, nc, new_start);
	tls_alerts(&as, &old, &new, new_start, expiry_days);
	name_alerts(&as, &old, &new, new_start);
	if (as.oom) {
		fprintf(stderr, "portus: diff: out of memory\n");
		goto out;
	}
	if (as.n > 1)
		qsort(as.v, as.n, sizeof(*as.v), cmp_alert);
	if (sweep_out_open(&out, out_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: diff: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < as.n; i++) {
		const char *const *names = alert_names(&as.v[i], &old, &new);

		sb_reset(&b);
		if (ecs)
			format_ecs(&b, &as.v[i], names);
		else
			format_native(&b, &as.v[i], names);
		sb_puts(&b, "\n");
		if (b.oom)
			break;
		fwrite(b.p, 1, b.len, out.fp);
	}
	if (b.oom) {
		sweep_out_close(&out, 0, err, sizeof(err));
		fprintf(stderr, "portus: diff: out of memory\n");
		goto out;
	}
	if (sweep_out_close(&out, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: diff: %s\n", err);
		goto out;
	}
	summary_line(&as, stderr);
	rc = as.n > 0 ? 1 : 0;
out:
	free(as.v);
	free(oc);
	free(nc);
	sb_free(&b);
	results_free(&old);
	results_free(&new);
	return rc;
}
