/*
 * collect.h — the main thread's side of the results: turns receiver events
 * into writer calls. Open ports are written at once; closed and ICMP-filtered
 * details are kept (a later, stronger answer may still replace them) and
 * written at the end in address order together with the no-response ones.
 */
#ifndef PORTUS_COLLECT_H
#define PORTUS_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "scan_record.h"
#include "sni.h"
#include "tls_stage.h"
#include "writer.h"

struct collector {
	struct writer **writers;
	size_t nwriters;
	struct port_record *held; /* non-open details, in arrival order; owned */
	uint64_t *held_index;     /* plan index of each held record; owned */
	size_t nheld, cap;
	uint64_t open_written;
	int write_failed;
	/* The probes' cookie key and source address: every record gets the
	 * probe's source port (ECS source.port) from them. NULL before the engine. */
	const struct cookie_key *ck;
	uint32_t src_ip; /* the probes' sources, for the cookie's source port */
	ip_addr src_ip6;
	/* --resume: addresses whose host record the interrupted run already
	 * wrote (sorted ascending, borrowed); not written again. */
	const ip_addr *hosts_done;
	size_t nhosts_done;

	/* TLS follow-up (NULL when --tls is off): open ports in tls_port_bits are
	 * queued on the stage as they are found, once per SNI name or once bare. */
	struct tls_stage *tls;
	const struct sni_map *sni;
	uint8_t tls_port_bits[65536 / 8];
	uint64_t tls_queued, tls_written, tls_ok;
};

/* Turns the TLS stage on for ports (called once, before the scan). */
void collect_enable_tls(struct collector *c, struct tls_stage *tls, const struct port_list *ports,
			const struct sni_map *sni);

/* --resume: queues the TLS stage on an open port found by the interrupted run
 * (when port is a TLS port; once per SNI name, as for a port found now).
 * Returns 0 or -1 (out of memory). */
int collect_queue_tls(struct collector *c, ip_addr ip, uint16_t port);

/* tls_result_cb for the stage: writes the record to every writer. ctx is the collector. */
void collect_tls_result(void *ctx, const struct tls_result *r);

void collect_init(struct collector *c, struct writer **writers, size_t nwriters);
void collect_free(struct collector *c);

/* Sends one record to every writer (filling in its probe source port);
 * remembers a failure. */
void collect_write_port(struct collector *c, const struct port_record *r);

/* Handles one receiver event of kind EV_PORT. Returns 0 or -1 (out of memory). */
int collect_port_event(struct collector *c, const struct engine *e, const struct scan_event *ev);

/*
 * Writes every final non-open result of this shard in plan order, host
 * records for on-link hosts that did not answer ARP, and counts states into
 * sum. When `complete` is 0 (interrupted) unanswered indices are not
 * reported as filtered: nothing is known about them.
 */
void collect_finish(struct collector *c, const struct engine *e, int complete, int64_t end_us,
		    struct run_summary *sum);

#endif
