/*
 * native.h — portus's own flat JSON records (the -oJ default), shared by the
 * NDJSON writer and the Splunk HEC envelope (whose "event" is this record).
 *
 *   {"type":"port","ip":"198.18.0.1","port":80,"proto":"tcp","state":"open",
 *    "reason":"syn-ack","ttl":64,"reason_ip":"...",(only when an ICMP error came
 *    from another address) "time":"2026-11-23T10:00:00.123456Z"}
 *   {"type":"host","ip":...,"state":"up"|"down","reason":"arp-response","time":...}
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

#include "result.h"
#include "strbuf.h"

void native_port_format(struct strbuf *b, const struct port_record *r);
void native_host_format(struct strbuf *b, const struct host_record *h);
void native_summary_format(struct strbuf *b, const struct run_summary *s);

#endif
