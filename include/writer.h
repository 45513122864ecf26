/*
 * writer.h — one small interface for every output format.
 *
 * The main thread (never the receiver) calls a writer: port() for each final
 * (address, port) result, host() for hosts found up or down by ARP, tls() for
 * each TLS endpoint as its record completes, summary() once at the end, then
 * close(). Open ports arrive as soon as they are found;
 * the other states arrive at the end of the scan in address order. A writer
 * that streams (NDJSON, list) writes and flushes each record at once, so a
 * killed run leaves every finished line intact; the text table buffers and
 * prints at close.
 */
#ifndef PORTUS_WRITER_H
#define PORTUS_WRITER_H

#include <stdio.h>

#include "addr.h"
#include "ports.h"
#include "scan_record.h"
#include "tls_record.h"

struct writer;

struct writer_ops {
	const char *name;
	/* Each returns 0, or -1 on a write error (the caller reports it once). */
	int (*port)(struct writer *w, const struct port_record *r);
	int (*host)(struct writer *w, const struct host_record *h);
	/* One finished TLS endpoint (--tls); NULL when the format has no TLS records. */
	int (*tls)(struct writer *w, const struct tls_result *r);
	int (*summary)(struct writer *w, const struct run_summary *s);
	/* Flushes, closes the stream unless it is stdout, frees w. Returns 0 or -1. */
	int (*close)(struct writer *w);
	/* A target name that did not resolve (before any port record); NULL
	 * when the format has no record for it (the table, -oL, nmap XML/-oG:
	 * nmap too only warns). */
	int (*resolve)(struct writer *w, const struct resolve_record *r);
};

struct writer {
	const struct writer_ops *ops;
	FILE *fp;
	int owns_fp;   /* fclose at close (not for stdout) */
	int open_only; /* --open: only open ports are written */
	void *priv;    /* format-specific state, owned */
};

/*
 * Open a writer on path ("-" means stdout). The file is created (truncated) now,
 * so an unwritable path fails before any packet is sent. Returns a writer the
 * caller releases with ops->close, or NULL with err.
 */
struct writer *writer_ndjson_open(const char *path, int open_only, char *err, size_t errlen);
struct writer *writer_list_open(const char *path, char *err, size_t errlen);
struct writer *writer_text_open(FILE *fp, int open_only, char *err, size_t errlen);

/*
 * What the SIEM and nmap formats say about the run and the scanner itself
 * (ECS observer.*, HEC host, nmap's <nmaprun args= start=>). Filled by main
 * before the writers open; borrowed by the writers for their whole life.
 */
struct run_info {
	int64_t start_us; /* wall clock when the run began, Unix microseconds */
	uint64_t seed;
	unsigned shard_k, shard_n;     /* 1-based k of n */
	uint64_t targets;              /* (address, port) pairs in this shard */
	uint64_t hosts;                /* addresses in the plan */
	const struct port_list *ports; /* ports in the plan, ascending */
	uint32_t scanner_ip;           /* host order: the IPv4 probes' source address */
	/* The IPv6 probes' source address; zero when the run sends none (no IPv6
	 * targets). Records of IPv6 targets name it as the scanner (ECS
	 * source.ip, CEF c6a2); records of IPv4 targets name scanner_ip. */
	ip_addr scanner_ip6;
	uint8_t scanner_mac[6];
	char ifname[64];    /* interface the probes leave through */
	char hostname[256]; /* the scanner's host name ("" when unknown) */
	const char *args;   /* the command line, words joined by spaces */
	int open_only;      /* --open */
	unsigned retries;
	uint64_t rate; /* --rate */
};

struct hostnames;

/*
 * Wraps a writer so that every port and host record reaching it carries the
 * names its address came from (scan_record.h `names`, looked up in h, which must
 * outlive the writer). The engine and the collector stay unaware of names.
 * Closing the wrapper closes inner. Returns the wrapper, or NULL when out of
 * memory (inner is then still the caller's).
 */
struct writer *writer_names_wrap(struct writer *inner, const struct hostnames *h);

/* --format: what -oJ writes. */
enum record_format {
	FMT_NATIVE = 0, /* flat NDJSON (ndjson.c) */
	FMT_ECS,        /* Elastic Common Schema NDJSON (ecs.c) */
	FMT_HEC,        /* Splunk HTTP Event Collector envelopes (hec.c) */
	FMT_CEF,        /* ArcSight CEF:0 lines (cef.c) */
};

/* Each opens path ("-" = stdout) now; NULL with err on failure. */
struct writer *writer_ecs_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen);
struct writer *writer_hec_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen);
struct writer *writer_cef_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen);
struct writer *writer_xml_open(const char *path, const struct run_info *ri, char *err,
			       size_t errlen);
struct writer *writer_grepable_open(const char *path, const struct run_info *ri, char *err,
				    size_t errlen);

/*
 * --hec-url: the same HEC envelopes POSTed to a Splunk HTTP Event Collector
 * (http:// or https://, path defaults to /services/collector/event), batched,
 * retried, and drained at close within a bounded time. token is the HEC token
 * ("Authorization: Splunk TOKEN"); ca_file (may be NULL) adds trusted CAs for
 * https; insecure skips certificate verification. Nothing is sent before the
 * first record. NULL with err on a malformed URL.
 */
struct hec_target {
	const char *url;
	const char *token;
	const char *index; /* NULL: the token's default index */
	const char *ca_file;
	int insecure;
};
struct writer *writer_hec_http_open(const struct hec_target *t, const struct run_info *ri,
				    char *err, size_t errlen);

/*
 * --syslog URL: the CEF lines sent as RFC 5424 syslog messages to
 * udp://HOST:PORT or tcp://HOST:PORT (octet-counted framing, RFC 6587).
 * NULL with err on a malformed URL or when the address cannot be reached.
 */
struct writer *writer_syslog_open(const char *url, const struct run_info *ri, char *err,
				  size_t errlen);

#endif
