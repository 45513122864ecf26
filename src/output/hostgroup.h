/*
 * hostgroup.h — the scan's records gathered per host, with nmap's conclusions
 * about each host, for the formats that print one block per host at close
 * (-oX, -oG, and the terminal table, which uses the grouping and the service
 * names but draws its own conclusions).
 *
 * Open ports reach a writer as soon as they are found and the other states at
 * the end, so a host's ports are only together once the scan is over. A
 * hostgroup keeps one port_record per port (64 bytes) and one
 * host_record per ARP result, then sorts them by address and port and hands
 * them out one host at a time (by address: IPv4 before IPv6, addr.h), with
 * what nmap would say about the host:
 *
 *   status   up      the host itself answered (result.h, reply_from_target):
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
 * Not thread-safe; the main thread only (getservbyport).
 */
#ifndef PORTUS_OUTPUT_HOSTGROUP_H
#define PORTUS_OUTPUT_HOSTGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define HG_COLLAPSE 25 /* nmap's default: a state with more ports is summarised */
#define HG_NSTATES 4   /* enum port_state values */

struct hostgroup {
	struct port_record *ports;
	size_t nports, capports;
	struct host_record *hosts;
	size_t nhosts, caphosts;
	size_t pi, hi; /* iteration cursors (hg_begin / hg_next) */
	char **svc;    /* port -> service name or svc_none, filled on demand */
};

enum hg_status { HG_SILENT = 0, HG_UP, HG_DOWN };

struct hg_host {
	ip_addr ip;
	const struct port_record *ports; /* this host's ports, ascending; borrowed */
	size_t n;
	const struct host_record *rec; /* the host's ARP record ("up" wins), or NULL; borrowed */
	const char *const *names; /* host names the address came from (result.h), or NULL */
	enum hg_status status;
	const char *reason;   /* nmap's reason for status (static string) */
	unsigned reason_ttl;  /* 0 when the reason is not a packet */
	int64_t start_us;     /* earliest record of the host */
	int64_t end_us;       /* latest record of the host */
	size_t nopen;
	unsigned nignored;                    /* states summarised, 0..2 */
	uint8_t ignored[HG_NSTATES];          /* enum port_state, most ports first */
	size_t ignored_count[HG_NSTATES];     /* ports in each of them */
};

void hg_init(struct hostgroup *g);

/* Frees everything the group holds (g itself is the caller's). */
void hg_free(struct hostgroup *g);

/* Keep a copy of the record. 0, or -1 when out of memory (nothing kept). */
int hg_add_port(struct hostgroup *g, const struct port_record *r);
int hg_add_host(struct hostgroup *g, const struct host_record *h);

/* Sorts what was added; hg_next then starts from the lowest address. */
void hg_begin(struct hostgroup *g);

/*
 * Fills *out with the next host (every address that has a record, silent ones
 * included) and returns 1, or returns 0 after the last. open_only (--open)
 * makes every non-open state ignored. out->ports stays valid until hg_free.
 */
int hg_next(struct hostgroup *g, int open_only, struct hg_host *out);

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
