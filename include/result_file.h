/*
 * result_file.h — portus's own NDJSON output (the -oJ default, src/output/native.h
 * and include/tls_json.h) read back, for `portus merge`, `portus diff` and
 * `portus report`.
 *
 * Input is hostile like any file: every line must be one JSON object (RFC 8259,
 * valid UTF-8, depth and size bounded) whose "type" is port, host, tls,
 * resolve or summary with the fields those writers produce; anything else is an error
 * naming the file and line ("scan.json:17: port record without \"state\"").
 * Unknown keys are ignored (newer writers may add some). Addresses ("ip",
 * "reason_ip") are IPv4 dotted quads (no leading zeros) or IPv6 text (any
 * RFC 4291 form; portus writes RFC 5952), held as ip_addr (addr.h); "::" is
 * refused (zero means "none"). A line may be at most RESULTS_MAX_LINE bytes. Files are read whole-line by whole-line, so a
 * file cut in the middle of its last line (a killed run) is read up to its
 * last complete line and the cut line is reported as a warning, not an error.
 *
 * Ownership: a result_set owns every string and array in it; results_free
 * releases them. Strings are NUL-terminated UTF-8 copies of the JSON strings
 * (a JSON "\u0000" becomes U+FFFD so C strings stay whole); NULL where the
 * JSON had null or the key was absent.
 */
#ifndef PORTUS_RESULT_FILE_H
#define PORTUS_RESULT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "addrpool.h"
#include "hostnames.h"

#define RESULTS_MAX_LINE (1u << 20)

/*
 * A port record in 24 bytes (a sweep's files hold 10^8 of them): the
 * addresses are read through rs_port_ip and rs_port_reason_ip. An IPv4
 * target is kept in addr itself; an IPv6 target (v6 set) as an index into
 * the set's addr6 pool, which sweep_normalize sorts, so that (rank, addr)
 * orders records as addr_order orders their addresses (rs_port_addr_cmp).
 */
struct rs_port {
	int64_t time_us;
	uint32_t addr; /* IPv4 address (host order), or with v6 an index into addr6 */
	uint32_t rip;  /* reason_ip: 0 absent, else 1 + an index into rips */
	uint16_t port;
	uint8_t state;  /* enum port_state */
	uint8_t reason; /* enum reason */
	int16_t ttl;    /* -1 when null */
	uint8_t v6;     /* 0 IPv4; RS_V6_HIGH or RS_V6_LOW: addr indexes addr6 */
};

/* IPv6 targets above the IPv4 block (::ffff:0:0/96, addr.h) and below it
 * (::1, ::a.b.c.d): addr_order puts the second kind before every IPv4
 * address, so records keep which side they are on. */
#define RS_V6_HIGH 1
#define RS_V6_LOW 2

struct rs_host {
	ip_addr ip;
	uint8_t up;
	uint8_t reason; /* enum reason */
	int64_t time_us;
};

struct rs_tls {
	ip_addr ip;
	uint16_t port;
	char *sni;     /* NULL: none */
	char *outcome; /* "ok", "timeout", ... (tls_outcome_name) */
	char *alert, *detail, *version, *cipher, *alpn, *group;
	int verify_ok; /* -1 null */
	char *verify_error;
	int hostname_match; /* -1 null */
	int has_cert;
	/* of the leaf, when has_cert */
	char *subject, *issuer, *serial, *sha256, *sha1, *sig_alg, *key_alg, *key_curve;
	char **san_dns;
	size_t n_san_dns;
	char **san_ip;
	size_t n_san_ip;
	char **subject_cn;
	size_t n_subject_cn;
	int64_t not_before, not_after; /* Unix seconds */
	int64_t days_to_expiry;
	int expired, not_yet_valid, self_signed;
	int key_bits; /* 0 null */
	size_t chain_length;
	char *http_status, *http_server;
	unsigned versions_tested, versions_accepted; /* TLS_V* bits; 0/0 when not tested */
	int64_t time_us;
	char *line; /* the record as read (no newline), for `merge` to pass it through */
};

/* A target name that gave no address (a "resolve" record). */
struct rs_resolve {
	char *hostname; /* as written: no trailing dot */
	char *error;    /* NXDOMAIN, NODATA, SERVFAIL, REFUSED, TIMEOUT, ERROR */
	char *family;   /* any, ipv4, ipv6 */
	int64_t time_us;
	char *line; /* the record as read (no newline), for `merge` to pass it through */
};

struct rs_summary {
	int64_t start_us, end_us;
	uint64_t targets, hosts, hosts_down, open, closed, filtered, probes_sent;
	uint64_t tls_endpoints, tls_ok;
	uint64_t seed;
	unsigned shard_k, shard_n, passes;
	int interrupted;
	double rate_pps;
	uint64_t pcap_received, pcap_dropped, if_dropped;
	/* Only in `portus merge` output ("shards_merged":N,"shards_missing":[k,...]):
	 * how many shards it combined and how many of 1..n were missing; 0 otherwise. */
	unsigned shards_merged, shards_missing;
};

struct result_set {
	struct rs_port *ports;
	size_t nports, capports;
	struct addr_pool addr6; /* IPv6 targets of port records (rs_port.addr with v6) */
	struct addr_pool rips;  /* distinct reason_ip addresses (rs_port.rip - 1) */
	struct rs_host *hosts;
	size_t nhosts, caphosts;
	struct rs_tls *tls;
	size_t ntls, captls;
	struct rs_resolve *resolves;
	size_t nresolves, capresolves;
	struct rs_summary *sums;
	size_t nsums, capsums;
	/* The host names of port and host records ("hostname", "hostnames"),
	 * per address: hostnames_find(&rs->names, ip, ..) after results_load. */
	struct hostnames names;
	char **sum_files; /* file each summary came from (owned), parallel to sums */
	size_t warnings;  /* cut last lines skipped */
};

static inline ip_addr rs_port_ip(const struct result_set *rs, const struct rs_port *p)
{
	return p->v6 ? addrpool_get(&rs->addr6, p->addr) : addr_from_v4(p->addr);
}

/* The sender of the ICMP error of a port record; zero when none. */
static inline ip_addr rs_port_reason_ip(const struct result_set *rs, const struct rs_port *p)
{
	ip_addr none = { 0 };

	return p->rip ? addrpool_get(&rs->rips, p->rip - 1) : none;
}

/* The v6 field for an address: 0 for IPv4, else which side of the IPv4 block. */
static inline uint8_t rs_v6_kind(ip_addr a)
{
	return addr_is_v4(a) ? 0 : a.v < ADDR_V4_TAG ? RS_V6_LOW : RS_V6_HIGH;
}

/* 0, 1, 2: IPv6 below the IPv4 block, IPv4, IPv6 above it (addr_order's order). */
static inline unsigned rs_port_rank(const struct rs_port *p)
{
	return p->v6 == RS_V6_LOW ? 0 : p->v6 == 0 ? 1 : 2;
}

/* Address order of two port records of one set, once its addr6 pool is
 * sorted (sweep_normalize): -1, 0, 1 as addr_order of their addresses. */
static inline int rs_port_addr_cmp(const struct rs_port *a, const struct rs_port *b)
{
	unsigned ra = rs_port_rank(a), rb = rs_port_rank(b);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return (a->addr > b->addr) - (a->addr < b->addr);
}

void results_init(struct result_set *rs);

/*
 * Appends the records of path ("-" = stdin) to rs. Returns 0, or -1 with err
 * ("PATH:LINE: what is wrong"); on error rs keeps what was read before the
 * bad line. A warning (cut last line) goes to stderr and counts in warnings.
 */
int results_load(struct result_set *rs, const char *path, char *err, size_t errlen);

void results_free(struct result_set *rs);

/* The owned strings of one record (sweep_normalize drops duplicates with
 * them); the record itself is not freed. */
void rs_tls_free(struct rs_tls *t);
void rs_resolve_free(struct rs_resolve *r);

#endif
