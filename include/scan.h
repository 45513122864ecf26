/*
 * scan.h — run a SYN scan of a plan and feed the writers.
 *
 * The caller has parsed options, built the plan and resolved the path. scan_run
 * opens the raw socket and the capture (needs root or CAP_NET_RAW), resolves
 * MACs by ARP, sends passes of probes until every index is answered or the
 * retries are spent, and hands every result to every writer: open ports as
 * they are found, everything else at the end, then the summary. It does not
 * close the writers.
 */
#ifndef PORTUS_SCAN_H
#define PORTUS_SCAN_H

#include <stdatomic.h>
#include <stddef.h>

#include "netroute.h"
#include "options.h"
#include "plan.h"
#include "scan_record.h"
#include "writer.h"

/* Set (to 1) from a signal handler to stop the scan; results found so far are
 * still written. */
extern atomic_int portus_interrupted;

/*
 * Returns 0 when the scan ran to the end or was interrupted (sum->interrupted
 * tells), -1 with err when it could not start or a write failed. *sum is
 * always filled with what is known.
 */
int scan_run(const struct options *o, const struct plan *pl, const struct net_path *np,
	     struct writer **writers, size_t nwriters, struct run_summary *sum, char *err,
	     size_t errlen);

#endif
