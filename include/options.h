/*
 * options.h — the command line, parsed from a table of options (no if/else
 * chain). nmap's spellings where nmap has the option (-p, -iL, -oJ-style
 * single-dash multi-letter flags, --exclude, --top-ports, --open), masscan's
 * for the rest (--rate, --shard, --seed).
 *
 * Read with getopt_long_only, as nmap does: options and targets in any order,
 * "--" ends the options; a value as the next argument or after '=' (also
 * "-oJ=FILE", "-p=22"), attached to a one-letter option ("-p22", "-p-");
 * names only as --help spells them (no prefixes, no other number of dashes:
 * a mistyped one gets "did you mean ..."). Short options may be clustered
 * ("-4e eth0").
 */
#ifndef PORTUS_OPTIONS_H
#define PORTUS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hostnames.h"
#include "ipset.h"
#include "namelist.h"
#include "ports.h"
#include "resolve.h"
#include "sni.h"

struct resume_plan;

#define DEFAULT_RATE 10000u /* pps: polite by default, not line rate */
#define DEFAULT_RETRIES 2u
#define DEFAULT_SPORT_BASE 40000u
#define DEFAULT_SPORT_COUNT 16384u
#define DEFAULT_TLS_PORT 443
#define MAX_SEND_THREADS 16 /* --send-threads: more than cores only adds contention */
#define DEFAULT_TLS_TIMEOUT_MS 5000
#define DEFAULT_TLS_CONCURRENCY 256u
#define DEFAULT_TLS_PER_HOST 4u

struct options {
	struct ip_set targets; /* from arguments and -iL (unnormalized) */
	/* Host names among the targets (targets.names points here), resolved
	 * before the excludes are applied (targets_names.h); what each address
	 * came from ends up in hostnames. */
	struct name_list names;
	struct hostnames hostnames;
	enum resolve_family family;      /* -4 / -6: only that family, names and literals alike */
	int resolve_timeout_ms;          /* --resolve-timeout */
	unsigned resolve_retries;        /* --resolve-retries */
	unsigned resolve_concurrency;    /* --resolve-concurrency */
	struct resolve_result *resolved; /* one per names.v[i] after targets_resolve; owned */
	struct ip_set excludes;          /* --exclude, --exclude-file, or the default list */
	int exclude_file_given;          /* replaces the built-in default list */
	int allow_no_exclude; /* --allow-no-exclude: > 2^24 addresses with no exclude at all */
	struct port_list ports;
	uint64_t rate; /* probes per second */
	uint64_t seed;
	int seed_given;
	unsigned shard_k, shard_n; /* 1-based k of n */
	unsigned send_threads; /* --send-threads: 1..MAX_SEND_THREADS, each a slice of the order */
	unsigned retries;
	int wait_ms; /* -1: from measured RTT */
	char ifname[64];
	uint32_t source_ip; /* 0: the interface's */
	ip_addr source_ip6; /* zero: the route's preferred source */
	uint8_t gateway_mac[6];
	int gateway_mac_given;
	const char *out_json; /* -oJ, "-" for stdout */
	const char *out_list; /* -oL */
	const char *out_xml;  /* -oX: nmap XML */
	const char *out_grep; /* -oG: nmap grepable */
	int format;           /* enum record_format (writer.h) of -oJ; --format alone means -oJ - */
	int format_given;
	const char *hec_url;              /* --hec-url: POST HEC events there */
	const char *hec_token;            /* --hec-token, else $PORTUS_HEC_TOKEN */
	const char *hec_index;            /* --hec-index */
	int hec_insecure;                 /* --hec-insecure: no certificate check for https */
	const char *syslog_url;           /* --syslog udp://H:P | tcp://H:P: CEF over syslog */
	const char *resume_path;          /* --resume FILE[,FILE...] */
	const struct resume_plan *resume; /* loaded by main from resume_path; borrowed */
	int open_only;
	int status; /* -1 auto (tty), 0 off, 1 on */
	uint16_t sport_base, sport_count;

	/* TLS follow-up stage (--tls): no connection is made without it. */
	int tls;
	struct port_list tls_ports; /* default {443} */
	struct sni_map sni;         /* --sni-file */
	int tls_timeout_ms;
	unsigned tls_concurrency, tls_per_host;
	int tls_pem, tls_banner, tls_versions;
	int tls_ciphers; /* --tls-ciphers */
	const char *ca_file;
};

enum options_result { OPT_RUN = 0, OPT_EXIT_OK = 1, OPT_ERROR = -1 };

/*
 * Parses argv (not modified; o keeps pointers into it, so argv must outlive
 * o). OPT_RUN: o is filled (release with options_free). OPT_EXIT_OK: --help
 * or --version was printed to stdout. OPT_ERROR: err holds one line (no
 * "portus:" prefix, control bytes shown as '?') naming the first mistake (o
 * is freed). Ports default to the top 100 when none are given. Uses getopt's
 * globals (optind, optarg, opterr): not reentrant, not thread-safe.
 */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void options_free(struct options *o);

/* Writes the usage text. */
void options_usage(FILE *fp);

#endif
