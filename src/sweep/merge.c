/*
 * merge.c — `portus merge [--allow-partial] [-o OUT] FILE...`: the outputs of
 * the shards of one seed (--seed S --shard k/n) as one result set.
 *
 * Every summary record is one shard. Before merging it checks that the
 * shards share one seed and one n, that each k of 1..n is there exactly once,
 * that every file holds a summary (a file without one is a killed run) and
 * that no shard was interrupted; --allow-partial merges anyway and the merged
 * summary lists the missing shards. Output (docs/sweeps.md): native NDJSON as
 * a scan writes it — the resolve records of names that gave no address (one
 * per name and family), then in address order per address its host records,
 * port records (sweep.h's deduplication; with the address's host names) and
 * TLS records (passed through byte for byte) — then one summary for the
 * whole seed, shard "1/1".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "output/native.h"
#include "result_file.h"
#include "scan_record.h"
#include "strbuf.h"
#include "subcommands.h"
#include "sweep/subargs.h"
#include "sweep/sweep.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: portus merge [--allow-partial] [-o OUT] FILE...\n"
		    "  combines the outputs (-oJ, native NDJSON) of the shards of one --seed\n"
		    "  into one result set; checks that each of shards 1..n is there once\n");
}

/* Checks the shard set; with allow_partial only reports. Fills missing[k-1]. */
static int check_shards(const struct result_set *rs, unsigned char *missing, int allow_partial)
{
	const struct rs_summary *s0 = &rs->sums[0];
	int ok = 1;

	for (size_t i = 1; i < rs->nsums && ok; i++) {
		const struct rs_summary *s = &rs->sums[i];

		if (s->seed != s0->seed) {
			fprintf(stderr,
				"portus: merge: %s has seed %" PRIu64 " but %s has seed %" PRIu64
				": shards of different scans\n",
				rs->sum_files[0], s0->seed, rs->sum_files[i], s->seed);
			ok = 0;
		} else if (s->shard_n != s0->shard_n) {
			fprintf(stderr,
				"portus: merge: %s is shard %u/%u but %s is shard %u/%u: "
				"different shard counts\n",
				rs->sum_files[0], s0->shard_k, s0->shard_n, rs->sum_files[i],
				s->shard_k, s->shard_n);
			ok = 0;
		}
	}
	for (size_t i = 0; i < rs->nsums && ok; i++) {
		const struct rs_summary *s = &rs->sums[i];

		if (s->interrupted) {
			fprintf(stderr,
				"portus: merge: %s: shard %u/%u was interrupted "
				"(its results are incomplete)\n",
				rs->sum_files[i], s->shard_k, s->shard_n);
			ok = 0;
		}
		for (size_t j = 0; j < i && ok; j++)
			if (rs->sums[j].shard_k == s->shard_k &&
			    rs->sums[j].shard_n == s->shard_n) {
				fprintf(stderr, "portus: merge: shard %u/%u given twice (%s, %s)\n",
					s->shard_k, s->shard_n, rs->sum_files[j], rs->sum_files[i]);
				ok = 0;
			}
	}
	for (unsigned k = 1; k <= s0->shard_n; k++)
		missing[k - 1] = 1;
	for (size_t i = 0; i < rs->nsums; i++)
		if (rs->sums[i].shard_n == s0->shard_n)
			missing[rs->sums[i].shard_k - 1] = 0;
	if (ok) {
		struct strbuf b;
		unsigned nmiss = 0;

		sb_init(&b);
		for (unsigned k = 1; k <= s0->shard_n; k++)
			if (missing[k - 1])
				sb_printf(&b, "%s%u", nmiss++ ? "," : "", k);
		if (nmiss > 0) {
			fprintf(stderr,
				"portus: merge: shard%s %s of %u (seed %" PRIu64 ") missing\n",
				nmiss > 1 ? "s" : "", b.oom ? "?" : b.p, s0->shard_n, s0->seed);
			ok = 0;
		}
		sb_free(&b);
	}
	if (!ok && allow_partial)
		fprintf(stderr, "portus: merge: --allow-partial: merging anyway\n");
	return ok || allow_partial ? 0 : -1;
}

/* The whole seed's summary: counts of the shards added once per k. */
static void merged_summary(struct strbuf *b, const struct result_set *rs,
			   const unsigned char *missing)
{
	struct run_summary m = { .start_us = INT64_MAX, .shard_k = 1, .shard_n = 1 };
	unsigned n = rs->nsums > 0 ? rs->sums[0].shard_n : 0, merged = 0;
	struct jsonw w;

	if (rs->nsums == 0)
		m.start_us = 0;
	for (size_t i = 0; i < rs->nsums; i++) {
		const struct rs_summary *s = &rs->sums[i];
		int dup = 0;

		for (size_t j = 0; j < i; j++)
			dup |= rs->sums[j].shard_k == s->shard_k &&
			       rs->sums[j].shard_n == s->shard_n;
		if (i == 0)
			m.seed = s->seed;
		if (s->start_us < m.start_us)
			m.start_us = s->start_us;
		if (s->end_us > m.end_us)
			m.end_us = s->end_us;
		m.interrupted |= s->interrupted;
		if (dup || s->shard_n != n)
			continue;
		merged++;
		/* Every shard plans all addresses: hosts is the plan's, not a sum. */
		if (s->hosts > m.hosts)
			m.hosts = s->hosts;
		if (s->passes > m.passes)
			m.passes = s->passes;
		m.targets += s->targets;
		m.hosts_down += s->hosts_down;
		m.open += s->open;
		m.closed += s->closed;
		m.filtered += s->filtered;
		m.probes_sent += s->probes_sent;
		m.rate_pps += s->rate_pps;
		m.pcap_received += s->pcap_received;
		m.pcap_dropped += s->pcap_dropped;
		m.if_dropped += s->if_dropped;
		m.tls_endpoints += s->tls_endpoints;
		m.tls_ok += s->tls_ok;
	}
	if (m.end_us < m.start_us)
		m.end_us = m.start_us;
	/* A scan's summary, then the merge's own keys. */
	jw_begin(&w, b);
	native_summary_fields(&w, &m);
	jw_uint(&w, "shards_merged", merged);
	jw_arr(&w, "shards_missing");
	for (unsigned k = 1; missing != NULL && k <= n; k++)
		if (missing[k - 1])
			jw_uint(&w, NULL, k);
	jw_end(&w);
}

/* Writes the record in b as one line; a record lost to OOM sets *oom. */
static void emit(struct strbuf *b, FILE *fp, int *oom)
{
	sb_puts(b, "\n");
	if (b->oom)
		*oom = 1;
	else
		fwrite(b->p, 1, b->len, fp);
	sb_reset(b);
}

/*
 * A name one shard could not resolve while another did (a resolver hiccup):
 * the first shard did not scan its part of that name's addresses. Said, as
 * the merged set lacks those targets; the resolve record is kept.
 */
static void warn_half_resolved(const struct result_set *rs)
{
	size_t n;
	const char **v;

	if (rs->nresolves == 0 || rs->names.naddr == 0)
		return;
	if ((v = hostnames_name_index(&rs->names, &n)) == NULL)
		return; /* only a warning */
	for (size_t i = 0; i < rs->nresolves; i++) {
		const char *name = rs->resolves[i].hostname;

		if (hostnames_index_has(v, n, name))
			fprintf(stderr,
				"portus: merge: warning: %s did not resolve (%s) in a shard "
				"but did in another: that shard did not scan its addresses\n",
				name, rs->resolves[i].error);
	}
	free(v);
}

/* Records as a scan writes them: the names that did not resolve first, then
 * in address order per address hosts, ports, then TLS; port and host records
 * carry the address's names. */
static void write_records(const struct result_set *rs, FILE *fp, struct strbuf *b, int *oom)
{
	size_t h = 0, p = 0, t = 0;

	for (size_t i = 0; i < rs->nresolves; i++) {
		sb_puts(b, rs->resolves[i].line);
		emit(b, fp, oom);
	}
	while (h < rs->nhosts || p < rs->nports || t < rs->ntls) {
		/* The lowest address still to write (IPv4 before IPv6, addr.h). */
		ip_addr pip = p < rs->nports ? rs_port_ip(rs, &rs->ports[p]) : addr_zero();
		ip_addr ip = h < rs->nhosts   ? rs->hosts[h].ip
			     : p < rs->nports ? pip
					      : rs->tls[t].ip;
		const char *const *names;

		if (p < rs->nports && addr_order(pip, ip) < 0)
			ip = pip;
		if (t < rs->ntls && addr_order(rs->tls[t].ip, ip) < 0)
			ip = rs->tls[t].ip;
		hostnames_find(&rs->names, ip, &names);
		for (; h < rs->nhosts && addr_eq(rs->hosts[h].ip, ip); h++) {
			struct host_record hr = { .ip = ip,
						  .up = rs->hosts[h].up,
						  .reason = rs->hosts[h].reason,
						  .time_us = rs->hosts[h].time_us,
						  .names = names };

			native_host_format(b, &hr);
			emit(b, fp, oom);
		}
		for (; p < rs->nports && addr_eq(rs_port_ip(rs, &rs->ports[p]), ip); p++) {
			const struct rs_port *rp = &rs->ports[p];
			struct port_record pr = { .ip = ip,
						  .port = rp->port,
						  .state = rp->state,
						  .reason = rp->reason,
						  .has_reply = rp->ttl >= 0,
						  .ttl = (uint8_t)(rp->ttl >= 0 ? rp->ttl : 0),
						  .reason_ip = rs_port_reason_ip(rs, rp),
						  .time_us = rp->time_us,
						  .names = names };

			native_port_format(b, &pr);
			emit(b, fp, oom);
		}
		for (; t < rs->ntls && addr_eq(rs->tls[t].ip, ip); t++) {
			sb_puts(b, rs->tls[t].line);
			emit(b, fp, oom);
		}
	}
}

int portus_merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-partial", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = "-";
	int allow_partial = 0, c, rc = 2, oom = 0;
	struct result_set rs;
	unsigned char *missing = NULL;
	struct sweep_out out;
	struct subargs a;
	struct strbuf b;
	char err[512];

	subargs_init(&a, "merge", argc, argv, "o:h", longopts);
	while ((c = subargs_next(&a)) != SUBARGS_DONE) {
		switch (c) {
		case 'p':
			allow_partial = 1;
			break;
		case 'o':
			out_path = a.val;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2; /* SUBARGS_ERROR: said */
		}
	}
	if (a.nops == 0) {
		usage(stderr);
		return 2;
	}
	results_init(&rs);
	sb_init(&b);
	for (int i = 0; i < a.nops; i++) {
		size_t before = rs.nsums;

		if (results_load(&rs, a.ops[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "portus: merge: %s\n", err);
			goto out;
		}
		if (rs.nsums == before) {
			fprintf(stderr,
				"portus: merge: %s has no summary record (an interrupted or "
				"killed run?)%s\n",
				a.ops[i],
				allow_partial ? ": merging anyway"
					      : "; --allow-partial merges anyway");
			if (!allow_partial)
				goto out;
		}
	}
	if (rs.nsums > 0) {
		if ((missing = calloc(rs.sums[0].shard_n, 1)) == NULL) {
			fprintf(stderr, "portus: merge: out of memory\n");
			goto out;
		}
		if (check_shards(&rs, missing, allow_partial) != 0)
			goto out;
	}
	sweep_normalize(&rs);
	warn_half_resolved(&rs);
	if (sweep_out_open(&out, out_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: merge: %s\n", err);
		rc = 1;
		goto out;
	}
	write_records(&rs, out.fp, &b, &oom);
	merged_summary(&b, &rs, missing);
	emit(&b, out.fp, &oom);
	if (oom) {
		sweep_out_close(&out, 0, err, sizeof(err));
		fprintf(stderr, "portus: merge: out of memory\n");
		rc = 1;
		goto out;
	}
	if (sweep_out_close(&out, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: merge: %s\n", err);
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	free(missing);
	sb_free(&b);
	results_free(&rs);
	return rc;
}
