/*
 * resume.h — --resume FILE[,FILE...]: continue a scan that was interrupted.
 *
 * The files are the interrupted run's own -oJ output (native NDJSON; a run
 * resumed and interrupted again adds its file to the list). Every (address,
 * port) they answered (open, closed, ICMP-filtered) is taken as final: it is
 * not probed again and not written again. The new run probes only what is
 * still unanswered (all passes), writes only new records to its outputs,
 * writes no host record an earlier part already wrote, and runs the TLS
 * stage on open ports whose TLS record the interrupted run did not finish.
 * The parts together are the uninterrupted scan's result, each record once
 * (tests/integration/test_resume.sh); `portus merge` is not needed.
 *
 * Seed and shard come from the files' summaries (written on Ctrl-C): all
 * must say interrupted, with one seed and one shard, which the new run uses
 * (a different --seed/--shard on the command line is an error). A file
 * without a summary (a killed run) is accepted when --seed is given (and
 * --shard, if the run was a shard). Every record must be in the new run's
 * targets and ports: resume with the same target and port options.
 */
#ifndef PORTUS_RESUME_H
#define PORTUS_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "plan.h"
#include "result_file.h"

struct resume_endpoint {
	ip_addr ip;
	uint16_t port;
};

struct resume_plan {
	struct result_set rs; /* the earlier parts' records */
	ip_addr *hosts_done;  /* addresses with a host record, sorted (addr_order), unique */
	size_t nhosts_done;
	struct resume_endpoint *tls_done; /* (ip, port) of every TLS record, sorted */
	size_t ntls_done;
};

/*
 * Reads the comma-separated files of spec and settles seed and shard in o
 * (from the summaries, checked against what the user gave). Returns 0, or -1
 * with err ("FILE: ...": unreadable, a complete run, mixed seeds...).
 */
int resume_load(struct resume_plan *rp, const char *spec, struct options *o, char *err,
		size_t errlen);

/* Every record must be in the plan. 0, or -1 with err naming the first that is not. */
int resume_check_plan(const struct resume_plan *rp, const struct plan *pl, char *err,
		      size_t errlen);

/* Non-zero when an earlier part wrote a TLS record for (ip, port). */
int resume_tls_done(const struct resume_plan *rp, ip_addr ip, uint16_t port);

void resume_free(struct resume_plan *rp);

#endif
