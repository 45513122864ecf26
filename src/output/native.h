/*
 * native.h — portus's own flat JSON records (the -oJ default), shared by the
 * NDJSON writer and the Splunk HEC envelope (whose "event" is this record).
 *
 *   {"type":"port","ip":"198.18.0.1","port":80,"proto":"tcp","state":"open",
 *    "reason":"syn-ack","ttl":64,"reason_ip":"...",(only when an ICMP error came
 *    from another address) "time":"2026-11-23T10:00:00.123456Z"}
 *   {"type":"host","ip":...,"state":"up"|"down","reason":"arp-response","time":...}
 *   Port and host records of an address that came from host names carry,
 *   right after "ip", "hostname":"www.example.test" (the first name given)
 *   and, only when there are several, "hostnames":["www...","api..."] (all,
 *   in input order). Addresses from literals have neither key.
 *   {"type":"resolve","hostname":"x.example.test","error":"NXDOMAIN"|"NODATA"|
 *    "SERVFAIL"|"REFUSED"|"TIMEOUT"|"ERROR",("detail":"..." for ERROR)
 *    "family":"any"|"ipv4"|"ipv6","time":...}: a target name that gave nothing
 *    to scan
 *   {"type":"summary","start":...,"end":...,"elapsed_s":1.234,"targets":N,...}
 *   {"type":"tls",...} (tls_json.h)
 *
 * "ip" and "reason_ip" are addr_to_str's text: a dotted quad for IPv4, RFC
 * 5952 for IPv6 ("2001:db8::1"); the reasons include ICMPv6's (no-route...)
 * and neighbour discovery's (nd-response, no-nd-response).
 *
 * Each appends one object without a newline; allocation failure sets b->oom.
 */
#ifndef PORTUS_OUTPUT_NATIVE_H
#define PORTUS_OUTPUT_NATIVE_H

#include "jsonw.h"
#include "scan_record.h"
#include "strbuf.h"

void native_port_format(struct strbuf *b, const struct port_record *r);
void native_host_format(struct strbuf *b, const struct host_record *h);
void native_resolve_format(struct strbuf *b, const struct resolve_record *r);
/* ,"hostname":..[,"hostnames":[..]] for n > 0 names; nothing for no names. */
void native_names_format(struct strbuf *b, const char *const *names);
/* The same into the open object of w: ,"hostname":..[,"hostnames":[..]]. */
void native_names_fields(struct jsonw *w, const char *const *names);
void native_summary_format(struct strbuf *b, const struct run_summary *s);
/* The summary's keys ("type":"summary" ... "interrupted") into the open
 * object w, for a record that adds its own keys (portus merge). */
void native_summary_fields(struct jsonw *w, const struct run_summary *s);

#endif
