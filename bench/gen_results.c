/*
 * gen_results.c — a synthetic portus result file (native NDJSON) of N port
 * records on stdout, for `portus diff`, `merge` and `report` at sizes no lab
 * scan here reaches (bench/sweep_scale.sh). Nothing is sent anywhere: the
 * addresses are only text, counted up from 198.18.0.0 inside 198.18.0.0/15,
 * then from 2001:db8:: (a sweep of IPv4 and IPv6 together).
 *
 * Each address gets P ports (22, 80, 443, then 8000 upward). States come from
 * a seeded xorshift generator: about 1 % open (syn-ack), 4 % closed (reset),
 * the rest filtered (no-response, ttl null), as in a sweep where little
 * answers; every 50th filtered target got a router's host-unreach
 * (reason_ip 198.18.255.254). --change F flips a fraction F of the targets
 * (open <-> closed), the second scan of a diff: the flips depend only on the
 * target, so two files of one seed differ exactly there. Records are written
 * in address order, or with --scan-order as a scan writes them: every open
 * record first (as they were found), then the rest.
 *
 * --xml writes the same scan as nmap XML instead (one <host> per address, its
 * ports, nmap's reasons), for ndiff beside `portus diff`.
 *
 * usage: gen_results N [--ports P] [--seed S] [--change F] [--day D]
 *                      [--scan-order | --xml]
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	uint64_t n, seed;
	unsigned ports, day;
	double change;
	int scan_order, xml;
};

/* splitmix64 of (seed, i): the same target gets the same draw in every file. */
static uint64_t draw(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * UINT64_C(0x9e3779b97f4a7c15) + i;

	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static void address(uint64_t h, char *out, size_t len)
{
	if (h < (UINT64_C(1) << 17)) {
		uint32_t a = 0xc6120000u + (uint32_t)h; /* 198.18.0.0 + h */

		snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
			 a & 255);
	} else {
		uint64_t v = h - (UINT64_C(1) << 17);
		struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8 } };

		for (int i = 0; i < 8; i++)
			a6.s6_addr[15 - i] = (uint8_t)(v >> (8 * i));
		inet_ntop(AF_INET6, &a6, out, (socklen_t)len); /* RFC 5952 text */
	}
}

enum { OPEN, CLOSED, FILTERED };

static const char *const state_word[] = { "open", "closed", "filtered" };

static int state_of(const struct opts *o, uint64_t i)
{
	uint64_t r = draw(o->seed, i) % 10000;
	int s = r < 100 ? OPEN : r < 500 ? CLOSED : FILTERED;

	if (o->change > 0 && (double)(draw(o->seed + 7, i) % 1000000) < o->change * 1e6)
		s = s == OPEN ? CLOSED : OPEN;
	return s;
}

static unsigned port_of(unsigned j)
{
	static const unsigned first[] = { 22, 80, 443 };

	return j < 3 ? first[j] : 8000 + j - 3;
}

/* Writes the records of one state class (pass 0: open, 1: the rest; -1: all). */
static void records(const struct opts *o, int pass, uint64_t count[3])
{
	char ip[64];
	uint64_t h = UINT64_MAX;

	for (uint64_t i = 0; i < o->n; i++) {
		int s = state_of(o, i);

		if ((pass == 0 && s != OPEN) || (pass == 1 && s == OPEN))
			continue;
		if (i / o->ports != h) {
			h = i / o->ports;
			address(h, ip, sizeof(ip));
		}
		count[s]++;
		printf("{\"type\":\"port\",\"ip\":\"%s\",\"port\":%u,\"proto\":\"tcp\",", ip,
		       port_of((unsigned)(i % o->ports)));
		if (s == OPEN)
			fputs("\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,", stdout);
		else if (s == CLOSED)
			fputs("\"state\":\"closed\",\"reason\":\"reset\",\"ttl\":64,", stdout);
		else if (draw(o->seed + 3, i) % 50 == 0)
			fputs("\"state\":\"filtered\",\"reason\":\"host-unreach\",\"ttl\":63,"
			      "\"reason_ip\":\"198.18.255.254\",",
			      stdout);
		else
			fputs("\"state\":\"filtered\",\"reason\":\"no-response\",\"ttl\":null,",
			      stdout);
		printf("\"time\":\"2026-01-%02uT00:%02u:%02u.%06uZ\"}\n", o->day,
		       (unsigned)(i / 1000000 % 60), (unsigned)(i / 1000 % 60),
		       (unsigned)(i % 1000000));
	}
}

/* The scan as nmap -oX writes it (what ndiff reads): hosts in address order. */
static void xml(const struct opts *o)
{
	char ip[64];
	uint64_t up = 0, hosts = (o->n + o->ports - 1) / o->ports;

	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nmaprun scanner=\"nmap\" args=\"nmap\" "
	       "start=\"%u\" version=\"7.93\" xmloutputversion=\"1.05\">\n",
	       1767225600u + 86400u * (o->day - 1));
	for (uint64_t h = 0; h < hosts; h++) {
		address(h, ip, sizeof(ip));
		printf("<host><status state=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n"
		       "<address addr=\"%s\" addrtype=\"%s\"/>\n<ports>",
		       ip, strchr(ip, ':') != NULL ? "ipv6" : "ipv4");
		for (uint64_t i = h * o->ports; i < (h + 1) * o->ports && i < o->n; i++) {
			int s = state_of(o, i);

			printf("<port protocol=\"tcp\" portid=\"%u\"><state state=\"%s\" reason=\"%s\" "
			       "reason_ttl=\"%u\"/></port>\n",
			       port_of((unsigned)(i % o->ports)), state_word[s],
			       s == OPEN     ? "syn-ack"
			       : s == CLOSED ? "reset"
					     : "no-response",
			       s == FILTERED ? 0u : 64u);
		}
		fputs("</ports>\n</host>\n", stdout);
		up++;
	}
	printf("<runstats><finished time=\"%u\"/><hosts up=\"%" PRIu64
	       "\" down=\"0\" total=\"%" PRIu64 "\"/></runstats>\n</nmaprun>\n",
	       1767229200u + 86400u * (o->day - 1), up, up);
}

int main(int argc, char **argv)
{
	struct opts o = { .seed = 1, .ports = 10, .day = 1 };
	uint64_t count[3] = { 0, 0, 0 };

	if (argc < 2 || (o.n = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr,
			"usage: gen_results N [--ports P] [--seed S] [--change F] [--day D] "
			"[--scan-order | --xml]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--scan-order") == 0)
			o.scan_order = 1;
		else if (strcmp(argv[i], "--xml") == 0)
			o.xml = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--ports") == 0)
			o.ports = (unsigned)atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
			o.seed = strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--change") == 0)
			o.change = atof(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--day") == 0)
			o.day = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "gen_results: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (o.ports < 1 || o.ports > 1000 || o.day < 1 || o.day > 28) {
		fprintf(stderr, "gen_results: --ports 1-1000, --day 1-28\n");
		return 2;
	}
	if (o.xml) {
		xml(&o);
		return ferror(stdout) ? 1 : 0;
	}
	if (o.scan_order) {
		records(&o, 0, count);
		records(&o, 1, count);
	} else {
		records(&o, -1, count);
	}
	printf("{\"type\":\"summary\",\"start\":\"2026-01-%02uT00:00:00.000000Z\",\"end\":"
	       "\"2026-01-%02uT01:00:00.000000Z\",\"elapsed_s\":3600.000,\"targets\":%" PRIu64
	       ",\"hosts\":%" PRIu64 ",\"hosts_down\":0,\"open\":%" PRIu64 ",\"closed\":%" PRIu64
	       ",\"filtered\":%" PRIu64 ",\"probes_sent\":%" PRIu64 ",\"rate_pps\":1000.0,"
	       "\"pcap_received\":%" PRIu64 ",\"pcap_dropped\":0,\"if_dropped\":0,\"passes\":1,"
	       "\"seed\":%" PRIu64 ",\"shard\":\"1/1\",\"interrupted\":false}\n",
	       o.day, o.day, o.n, (o.n + o.ports - 1) / o.ports, count[OPEN], count[CLOSED],
	       count[FILTERED], o.n, count[OPEN] + count[CLOSED], o.seed);
	return ferror(stdout) ? 1 : 0;
}
