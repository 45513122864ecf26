/*
 * cef.h — ArcSight Common Event Format (CEF:0) lines, one per record, shared
 * by `-oJ FILE --format cef` (cef.c) and `--syslog URL` (syslog.c).
 *
 *   CEF:0|portus|portus|<PORTUS_VERSION>|<Signature ID>|<Name>|<Severity>|<Extension>
 *
 * Records: the ones the NDJSON writer writes — every port record, host
 * records, TLS endpoint records, the summary; with --open only open ports and
 * up hosts (TLS records and the summary always).
 *
 *   Signature ID   Name                 Severity
 *   port-open      TCP port open        3
 *   port-closed    TCP port closed      1
 *   port-filtered  TCP port filtered    1
 *   host-up        Host up              1
 *   host-down      Host down            1
 *   tls-endpoint   TLS endpoint         the highest that applies:
 *                                         2 no handshake (refused, timeout, not TLS...)
 *                                         3 handshake, nothing below
 *                                         4 certificate expires within 30 days
 *                                         5 chain not verified; hostname mismatch
 *                                         6 self-signed; not yet valid; TLSv1.0/1.1
 *                                           (or SSL) negotiated or accepted
 *                                         7 certificate expired
 *                                         and the severity of each finding of
 *                                         the certificate and handshake checks
 *                                         (table in tls_checks.h: 3 hsts-invalid
 *                                         ... 8 ocsp-revoked)
 *   run-summary    Scan summary         1
 *   name-unresolved  Host name not resolved  2
 *
 * Extension keys (CEF dictionary names; "label" is the csNLabel / cnNLabel /
 * ... value sent with each custom field, in the same line):
 *
 *   every record   rt      the record's time, ms since the Unix epoch (TLS: end
 *                          of the handshake; summary: end of the run)
 *                  dvchost the scanner's host name (left out when unknown)
 *                  src     the scanner's address (the probes' source)
 *   port           spt     the probe's source port (left out when unknown)
 *                  dst dpt proto=TCP
 *                  act     open | closed | filtered
 *                  reason  syn-ack, reset, no-response, admin-prohibited... (nmap's)
 *                  cn1     label "ttl": TTL (IPv6: hop limit) of the reply
 *                          (none for no-response)
 *                  cs1     label "reasonIp": sender of the ICMP error (ICMP
 *                          reasons only; it may be dst itself or a router)
 *   port, host     dhost   the first host name the address came from (left
 *                          out for literals)
 *                  cs2     label "hostnames": all its names, comma-separated,
 *                          only when there are several (whole names, <= 2 KiB)
 *   host           dst, act=up | down, reason=arp-response | no-arp-response |
 *                  nd-response | no-nd-response
 *   name-unresolved  dhost the name as given, outcome NXDOMAIN | NODATA |
 *                  SERVFAIL | REFUSED | TIMEOUT | ERROR, reason (c-ares's words
 *                  for ERROR, else the outcome), cs1 label "family": any | ipv4 |
 *                  ipv6; src as in the summary
 *   tls-endpoint   dst dpt proto=TCP
 *                  dhost   the SNI name sent (left out when none)
 *                  outcome ok | refused | timeout | reset | not-tls | alert | error
 *                  reason  the alert (outcome alert) or the failure's detail
 *                  msg     the findings behind the severity, "; "-separated
 *                          ("certificate expired; self-signed certificate"),
 *                          then the checks' tokens ("weak-key; chain-order")
 *                  cs1     label "tlsVersion"   negotiated version (TLSv1.3)
 *                  cs2     label "tlsCipher"    IANA cipher suite name
 *                  cs3     label "certSubject"  leaf subject DN (RFC 4514)
 *                  cs4     label "certIssuer"   leaf issuer DN (RFC 4514)
 *                  cs5     label "certSha256"   leaf fingerprint, uppercase hex
 *                          (left out when it could not be computed)
 *                  cs6     label "verifyResult" "ok", else OpenSSL's reason
 *                  cn1     label "certDaysToExpiry" (negative once expired)
 *                  deviceCustomDate1  label "certNotAfter", ms since the epoch
 *                  cn2     label "sctCount"  SCTs seen, all sources (after a handshake)
 *                  cn3     label "hstsMaxAge"  seconds (a valid HSTS header only)
 *                  flexString1  label "tlsVersionsAccepted" (TLSv1.2,TLSv1.3)
 *                  flexString2  label "truncated": the fields cut or unreadable
 *                          (subject, issuer, ... as in the NDJSON record)
 *   run-summary    start end (ms), deviceOutboundInterface (the probes' interface)
 *                  outcome completed | interrupted
 *                  msg     one human sentence with the counts
 *                  cn1 cn2 cn3  labels "open" "closed" "filtered": port counts
 *                  flexNumber1  label "hostsDown"
 *                  flexNumber2  label "targets": (address, port) pairs planned
 *                  cs1     label "seed"     cs2  label "shard" (k/n)
 *                  cfp1    label "probesPerSecond"
 *
 * IPv6: src and dst hold IPv4 addresses only (CEF's IPv4 fields), so a
 * record of an IPv6 target carries its addresses in the dictionary's IPv6
 * custom fields, in RFC 5952 text, with the labels the CEF spec gives them:
 *
 *   c6a2  label "Source IPv6 Address"       the scanner (instead of src; left
 *                                           out when the run has no IPv6 source)
 *   c6a3  label "Destination IPv6 Address"  the target (instead of dst)
 *   c6a4  label "reasonIp"                  an IPv6 ICMP sender (instead of cs1)
 *
 *   CEF:0|portus|portus|V|port-open|TCP port open|3|rt=... dvchost=scan1
 *     c6a2Label=Source IPv6 Address c6a2=2001:db8::53 spt=40000
 *     c6a3Label=Destination IPv6 Address c6a3=2001:db8::1 dpt=443 proto=TCP ...
 *
 * The summary gives src (left out in a run with an IPv6 source and no IPv4
 * one), and c6a2 when the run has an IPv6 source.
 *
 * A field whose value is unknown or empty is left out with its label.
 *
 * Escaping (the CEF spec): in the header '\' and '|' are escaped with '\'; in
 * extension values '\' and '=' are, and CR / LF become the two characters \r /
 * \n. No other byte below 0x20, no DEL and no C1 control (U+0080-U+009F) is
 * ever written: each becomes U+FFFD, as does every invalid UTF-8 sequence (one
 * per maximal subpart, as json.c). A line is valid UTF-8 without controls.
 *
 * Size: a line is at most CEF_MAX_LINE bytes (newline excluded), so that with
 * its RFC 5424 header it fits the 8 KiB a syslog receiver takes in one UDP
 * datagram. Only a TLS record can be longer; it is rebuilt with every string
 * from the certificate or the server cut (at a character boundary) to 1,024,
 * then 256, then 64 bytes, and the cut fields are named in flexString2.
 */
#ifndef PORTUS_OUTPUT_CEF_H
#define PORTUS_OUTPUT_CEF_H

#include <stddef.h>

#include "output/lines.h"
#include "scan_record.h"
#include "strbuf.h"
#include "tls_record.h"
#include "writer.h"

#define CEF_MAX_LINE 7600 /* bytes of one line, newline excluded */

/* Each appends one CEF line without the newline; ri is read for dvchost / src /
 * the interface. Allocation failure sets b->oom. */
void cef_port_format(struct strbuf *b, const struct port_record *r, const struct run_info *ri);
void cef_host_format(struct strbuf *b, const struct host_record *h, const struct run_info *ri);
void cef_tls_format(struct strbuf *b, const struct tls_result *r, const struct run_info *ri);
void cef_summary_format(struct strbuf *b, const struct run_summary *s, const struct run_info *ri);
void cef_resolve_format(struct strbuf *b, const struct resolve_record *r,
			const struct run_info *ri);

/*
 * A writer of CEF lines (with ri->open_only applied) to sink, whose ownership
 * it takes (closed with the writer, or at once when this fails). batch as in
 * lo_init. ri is borrowed for the writer's life. NULL with err when out of
 * memory.
 */
struct writer *cef_writer_new(struct line_sink *sink, size_t batch, const struct run_info *ri,
			      char *err, size_t errlen);

/*
 * Reads the Signature ID and the Severity of a CEF:0 line p[0..len) (as these
 * functions write it: header fields split at unescaped '|'). On success sets
 * *sig / *siglen to the raw (still escaped) Signature ID inside p, *severity
 * to 0-10 and returns 0; -1 when the line is not such a header.
 */
int cef_header_peek(const char *p, size_t len, const char **sig, size_t *siglen, int *severity);

#endif
