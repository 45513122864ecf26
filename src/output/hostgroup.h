/*
 * hostgroup.h — the scan's records gathered per host, with nmap's conclusions
 * about each host, for the formats that print one block per host at close
 * (-oX, -oG, and the terminal table, which uses the grouping and the service
 * names but draws its own conclusions).
 *
 * Open ports reach a writer as soon as they are found and the other states at
 * the end, so a host's ports are only together once the scan is over. The
 * group hands them out at close one host at a time (by address: IPv4 before
 * IPv6, addr.h), with what nmap would say about the host:
 *
 *   status   up      the host itself answered (scan_record.h, reply_from_target):
 *                    a SYN-ACK or RST, an ICMP error from its own address,
 *                    or an ARP (IPv6: neighbour discovery) "up" record; reason
 *                    arp-response/nd-response/user-set from the host record, else
 *                    the first TCP answer (syn-ack/reset ttl N), else the
 *                    first ICMP error from the host
 *            down    an on-link host that did not answer ARP or neighbour
 *                    solicitation (nmap -v lists
 *                    those; nmap's reason is "no-response")
 *            silent  the host answered on no port (silence, or ICMP errors
 *                    from routers only): nmap without -Pn does not list
 *                    it, its run statistics count it down
 *   ignored  nmap's "extraports": a non-open state with more than 25 ports,
 *            or with --open every non-open state; most ports first, ties in
 *            nmap's state order (closed before filtered)
 *
 * Memory grows with what answered, not with the plan. A scan of millions of
 * targets into silence writes millions of "filtered, no-response" records
 * (collect.c: at the end, host by host in address order, after every open
 * record); keeping each (64 bytes) would cost the table, -oX and -oG gigabytes
 * where -oJ streams them. So the group keeps three kinds of thing:
 *
 *   records       every port record with an answer (open, closed, any ICMP
 *                 error), and every host record, whole (64 and 48 bytes);
 *   silent ports  of a host that has a record: its no-response ports as
 *                 ascending port ranges (4 bytes a range) and their time span,
 *                 one entry per host;
 *   silent hosts  a host with nothing but no-response ports is only counted
 *                 (hg_silent_hosts), its address folded into a range of
 *                 such addresses (consecutive ones share one).
 *
 * Which host is silent is decided while the records arrive, so that a silent
 * host never costs more than its share of one address range. This needs the
 * order collect.c writes in (writer.h): every open record before the first
 * record of another kind; then, host after host in ascending address order,
 * each host's non-open port records (ascending port) and host records. When
 * the next host's first record arrives, the previous host is complete: it is
 * a silent host unless it has an answered port record or a host record (the
 * open ones are found by binary search in the open records, sorted once when
 * the first non-open record arrives).
 *
 * Any other order is still right, only not compact: the first record out of
 * that order (an address below the current host's, a port below its last
 * silent one, an open record for a later host after the others began) makes
 * the group keep every record whole from then on, as it did before; what was
 * kept compactly stays so. The one thing it cannot take is a record for a host
 * already counted silent (its ports are gone): hg_add_port/hg_add_host refuse
 * it with -1 and the writer reports a failed write rather than print a wrong
 * host. collect.c never does that.
 *
 * Not thread-safe; the main thread only (getservbyport).
 */
#ifndef PORTUS_OUTPUT_HOSTGROUP_H
#define PORTUS_OUTPUT_HOSTGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "scan_record.h"

#define HG_COLLAPSE 25 /* nmap's default: a state with more ports is summarised */
#define HG_NSTATES 4   /* enum port_state values */

/* Ports lo..hi (inclusive) of one host, all filtered with no response. */
struct hg_range {
	uint16_t lo, hi;
};

/* The no-response ports of one host that has other records. */
struct hg_silent {
	ip_addr ip;
	const char *const *names; /* borrowed, as in port_record */
	int64_t tmin, tmax;       /* earliest and latest of those records */
	size_t off;               /* first range in hostgroup.ranges */
	size_t nranges;
	size_t nports;
};

/* Consecutive addresses lo..hi that answered nothing on any port. */
struct hg_span {
	ip_addr lo, hi;
};

/* The host whose records are arriving (see above); internal. */
struct hg_pending {
	int active;
	int answered; /* it has a port record with an answer, or a host record */
	ip_addr ip;
	const char *const *names;
	int64_t tmin, tmax;
	size_t off;    /* its silent ranges start here in hostgroup.ranges */
	size_t nports; /* silent ports so far */
	uint16_t last; /* the highest of them */
};

struct hostgroup {
	struct port_record *ports; /* records with an answer (and, out of order, any) */
	size_t nports, capports;
	struct host_record *hosts;
	size_t nhosts, caphosts;
	struct hg_silent *sil; /* ascending address */
	size_t nsil, capsil;
	struct hg_range *ranges; /* sil's port ranges */
	size_t nranges, capranges;
	struct hg_span *spans; /* silent hosts, ascending, disjoint */
	size_t nspans, capspans;
	uint64_t silent_hosts; /* addresses in spans */
	struct hg_pending pend;
	int streaming;                       /* a record other than open has arrived */
	int unordered;                       /* out of collect.c's order: keep every record whole */
	size_t nports_sorted, nhosts_sorted; /* sorted prefixes when streaming began */
	size_t pi, hi, si;                   /* iteration cursors (hg_begin / hg_next) */
	char **svc; /* port -> service name or svc_none, filled on demand */
};

enum hg_status { HG_SILENT = 0, HG_UP, HG_DOWN };

struct hg_host {
	ip_addr ip;
	const struct port_record *ports; /* this host's kept records, ascending port; borrowed */
	size_t nrec;
	const struct hg_silent *silent; /* its compact no-response ports, or NULL; borrowed */
	const struct hg_range *ranges;  /* silent's ranges; borrowed */
	size_t n;                       /* every port of the host: nrec + silent ports */
	const struct host_record *rec;  /* the host's ARP record ("up" wins), or NULL; borrowed */
	const char *const *names; /* host names the address came from (scan_record.h), or NULL */
	enum hg_status status;
	const char *reason;  /* nmap's reason for status (static string) */
	unsigned reason_ttl; /* 0 when the reason is not a packet */
	int64_t start_us;    /* earliest record of the host */
	int64_t end_us;      /* latest record of the host */
	size_t nopen;
	unsigned nignored;                /* states summarised, 0..2 */
	uint8_t ignored[HG_NSTATES];      /* enum port_state, most ports first */
	size_t ignored_count[HG_NSTATES]; /* ports in each of them */
};

/* Walks one host's ports in ascending order, kept records and compact
 * no-response ones alike (hg_port_first / hg_port_next). */
struct hg_port_iter {
	const struct hg_host *h;
	size_t k, r;            /* next kept record, next silent range */
	uint32_t next;          /* next port in range r */
	struct port_record tmp; /* the no-response record handed out */
};

void hg_init(struct hostgroup *g);

/* Frees everything the group holds (g itself is the caller's). */
void hg_free(struct hostgroup *g);

/*
 * Takes a record (copied, or counted: see above). 0; -1 when out of memory
 * or when the record is for a host already counted silent (nothing kept, and
 * the output would be wrong: the writer must report failure).
 */
int hg_add_port(struct hostgroup *g, const struct port_record *r);
int hg_add_host(struct hostgroup *g, const struct host_record *h);

/* Sorts what was added; hg_next then starts from the lowest address. 0, or
 * -1 when out of memory (hg_next then hands out nothing). */
int hg_begin(struct hostgroup *g);

/*
 * Fills *out with the next host that has a record and returns 1, or returns 0
 * after the last. Hosts with nothing but no-response ports are not handed
 * out: hg_silent_hosts counts them. Hosts with other records are, silent ones
 * (ICMP errors from routers only) included. open_only (--open) makes every
 * non-open state ignored. What out points to stays valid until hg_free.
 */
int hg_next(struct hostgroup *g, int open_only, struct hg_host *out);

/* Hosts that had only no-response ports and no host record (status silent;
 * the hosts hg_next does not hand out). Complete after hg_begin. */
uint64_t hg_silent_hosts(const struct hostgroup *g);

/* The host's first port (lowest), or NULL when it has none; then each next
 * one. A no-response port is handed out as a record (state filtered, reason
 * no-response, no reply, the host's names) that lives in it until the next call. */
const struct port_record *hg_port_first(struct hg_port_iter *it, const struct hg_host *h);
const struct port_record *hg_port_next(struct hg_port_iter *it);

/* Whether a host is written out: up (with an open port under --open), or down
 * (not under --open, as nmap --open leaves down hosts out). */
int hg_listed(const struct hg_host *h, int open_only);

/* Whether ports in state (enum port_state) are summarised for this host. */
int hg_is_ignored(const struct hg_host *h, unsigned state);

/* The port record's state and reason, clamped to the enums' ranges. */
unsigned hg_state(const struct port_record *r);
unsigned hg_reason(const struct port_record *r);

/* The TCP service name for port from the services database, or NULL when it
 * has none (nmap then prints no service). Cached; call between setservent(1)
 * and endservent() for speed. Out of memory gives NULL. */
const char *hg_service(struct hostgroup *g, uint16_t port);

/* ctime()'s form in local time, as nmap prints it: "Mon Nov  3 11:22:47 2026". */
void hg_ctime(int64_t time_us, char out[32]);

#endif
