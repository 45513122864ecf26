#!/bin/sh
# hec-example.sh — a portus scan sent straight to a Splunk HTTP Event Collector.
#
#   export PORTUS_HEC_TOKEN=<the HEC token>       (never on the command line: ps shows it)
#   sh contrib/splunk/hec-example.sh https://splunk.example.net:8088 [portus args] TARGETS...
#
# Each record is POSTed as one HEC envelope (sourcetype portus:port, portus:host,
# portus:tls or portus:summary, "time" the record's own time) to
# URL/services/collector/event; portus batches, retries and drains before it
# exits, and exits non-zero if an event could not be delivered. The same
# envelopes are kept in a local file too (-oJ ... --format splunk-hec), for a
# re-send with curl if Splunk was unreachable.
#
# Environment: PORTUS (binary, default "portus"), SPLUNK_INDEX (default the
# token's own index), SPLUNK_CA (a CA file for an https collector with a private
# CA), PORTUS_PORTS (default 22,80,443,3389,8443), OUT (the local copy, default
# ./portus-hec.json).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: PORTUS_HEC_TOKEN=... $0 https://splunk:8088 [portus args] TARGETS..." >&2
	exit 2
fi
: "${PORTUS_HEC_TOKEN:?export PORTUS_HEC_TOKEN (the HEC token) first}"
export PORTUS_HEC_TOKEN
url=${1%/}/services/collector/event
shift

set -- --hec-url "$url" ${SPLUNK_INDEX:+--hec-index "$SPLUNK_INDEX"} ${SPLUNK_CA:+--ca-file "$SPLUNK_CA"} \
	-p "${PORTUS_PORTS:-22,80,443,3389,8443}" --tls --no-status \
	-oJ "${OUT:-portus-hec.json}" --format splunk-hec "$@"
exec "${PORTUS:-portus}" "$@"

# Re-send the local copy later (HEC takes envelopes stacked in one body):
#   curl --fail -H "Authorization: Splunk $PORTUS_HEC_TOKEN" \
#        --data-binary @portus-hec.json https://splunk.example.net:8088/services/collector/event
