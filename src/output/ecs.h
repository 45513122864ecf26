/*
 * ecs.h — records in the Elastic Common Schema (ECS_VERSION), one nested
 * JSON object per line, for Elasticsearch / Filebeat / Elastic Security as is.
 *
 * Every record starts with "@timestamp" and carries ecs.version, event.*
 * (kind, category, type, action, reason, outcome, module "portus", dataset,
 * a deterministic id), observer.* (the scanner: hostname, ip, mac, ingress
 * interface, vendor/product/version, type "scanner") and portus.run.id.
 * The scanned machine appears only as destination.* (never host.*, which in
 * ECS means the machine that produced the event); there is no agent.* and no
 * network.packets/bytes.
 *
 *   dataset      kind   category   type     action
 *   portus.port  state  [network]  [info]   port-open | port-closed | port-filtered
 *   portus.host  state  [network]  [info]   host-up | host-down
 *   portus.tls   state  [network]  [info]   tls-handshake (event.outcome success | failure)
 *   portus.resolve event [network] [info]   name-unresolved (event.outcome failure,
 *                event.reason NXDOMAIN|NODATA|SERVFAIL|REFUSED|TIMEOUT|ERROR;
 *                dns.question.name, dns.response_code when the server gave one,
 *                destination.domain, portus.resolve.error/detail/family)
 *   portus.run   event  [network]  [start]  scan-started
 *   portus.run   event  [network]  [end]    scan-finished | scan-interrupted
 *
 * Port: destination.ip/port, source.ip/port (the scanner's probe), network
 * transport "tcp" / type "ipv4" or "ipv6", related.ip, event.reason (nmap's
 * reason name), portus.state/reason/ttl/reason_ip. An address that came from
 * host names has destination.domain (the first name given) and
 * related.hosts (all its names, input order); ports and hosts alike.
 *
 * Addresses are text: IPv4 dotted quads, IPv6 in RFC 5952 form (both what an
 * Elasticsearch "ip" field takes). For an IPv6 target source.ip (and the
 * scanner's entry in related.ip) is the run's IPv6 source (run_info
 * scanner_ip6); a run without one leaves them out (source then holds only the
 * port, or is left out). observer.ip lists the IPv4 source, then the IPv6
 * one when the run has both.
 * TLS (ecs_tls.c): tls.version "1.3", version_protocol "tls", cipher,
 * established, next_protocol, curve, client.server_name, server.hash.sha256 /
 * sha1 (uppercase hex), server.not_before/not_after, server.subject/issuer,
 * server.x509.* (serial_number uppercase hex without colons,
 * alternative_names, public_key_algorithm/size/curve, signature_algorithm,
 * subject.* / issuer.* lists, not_before/not_after), http.response.status_code
 * and http.version from the banner; portus.tls.* for what ECS has no field
 * for (outcome, alert, days_to_expiry, self_signed, expired, verify result,
 * hostname_match, versions accepted and weak versions accepted, chain,
 * Server: header, truncation and invalid UTF-8 bookkeeping).
 *
 * event.id is the first 128 bits (hex) of SHA-256 over the run id, the
 * dataset and the record's key (address, port, SNI name): the same record
 * written twice gets the same id, so re-ingesting a file does not duplicate.
 * portus.run.id is the first 64 bits (hex) of SHA-256 over the seed, start
 * time, scanner address, shard and host name.
 */
#ifndef PORTUS_OUTPUT_ECS_H
#define PORTUS_OUTPUT_ECS_H

#include "jsonw.h"
#include "scan_record.h"
#include "strbuf.h"
#include "tls_record.h"
#include "writer.h"

#define ECS_VERSION "9.0.0"
#define ECS_MAX_RECORD 9000 /* bytes of a TLS record (newline excluded), as tls_json.h */

struct ecs_ctx {
	const struct run_info *ri; /* borrowed */
	char run_id[17];
	char scanner_ip[16];            /* ri->scanner_ip as text */
	char scanner_ip6[ADDR_STR_MAX]; /* ri->scanner_ip6 as text, "" when zero */
	struct strbuf observer;         /* the observer object ({"hostname":...}), built once */
};

/* Returns 0 or -1 (out of memory). */
int ecs_ctx_init(struct ecs_ctx *c, const struct run_info *ri);
void ecs_ctx_free(struct ecs_ctx *c);

/* Each appends one object without a newline; allocation failure sets b->oom. */
void ecs_port_format(struct strbuf *b, const struct ecs_ctx *c, const struct port_record *r);
void ecs_host_format(struct strbuf *b, const struct ecs_ctx *c, const struct host_record *h);
void ecs_run_start_format(struct strbuf *b, const struct ecs_ctx *c);
void ecs_run_end_format(struct strbuf *b, const struct ecs_ctx *c, const struct run_summary *s);
void ecs_tls_format(struct strbuf *b, const struct ecs_ctx *c, const struct tls_result *r);
void ecs_resolve_format(struct strbuf *b, const struct ecs_ctx *c, const struct resolve_record *r);

/* Shared by ecs.c and ecs_tls.c. */
/* {"@timestamp":T,"ecs":{"version":V},"event":{"kind":K,"category":["network"],"type":[TYPE],
 *  "action":A,"module":"portus","dataset":D,"id":ID  — opens the record (w as
 *  jw_init left it) and leaves the event object open. */
void ecs_open_event(struct jsonw *w, const struct ecs_ctx *c, int64_t time_us, const char *kind,
		    const char *type, const char *action, const char *dataset, const char *key);
/* ,"observer":{...},"portus":{"run":{"id":"..."  — portus and portus.run are left open. */
void ecs_common_tail(struct jsonw *w, const struct ecs_ctx *c);
/* The scanner's address as text for a record about dst: the IPv4 source for
 * an IPv4 target, the IPv6 source for an IPv6 one ("" when the run has none). */
const char *ecs_scanner_for(const struct ecs_ctx *c, ip_addr dst);
/* "network":{["transport":"tcp",]"type":"ipv4"|"ipv6"},"related":{"ip":[ip
 * (,src when not "") — for a record about dst; related and its ip list are
 * left open for more. */
void ecs_network_related(struct jsonw *w, ip_addr dst, int tcp, const char *ip, const char *src);

#endif
