#!/bin/bash
# Privileges: once the raw socket and the capture are open, the running scanner
# has no root left — real, effective and saved uid/gid are nobody's, no
# supplementary groups, no capabilities — and it still finishes a correct scan.
# Second part: a normal user (nobody) running a copy of the binary that has
# only the file capability cap_net_raw scans correctly and, once its sockets
# are open, holds no capability either.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/24
lab_truth "$ART/truth.json"

nobody_uid=$(id -u nobody) || fail "no user nobody on this machine"
nobody_gid=$(id -g nobody)
# Slow enough (256 x 4 ports at 500 pps, ~2 s) to read its credentials mid-scan.
portus_scan -p 22,80,443,8080 --rate 500 --exclude-file /dev/null --no-status \
	-oJ "$ART/scan.json" 198.19.0.0/24 >"$ART/stdout.txt" 2>"$ART/stderr.txt" &
runner=$!
pid=""
for _ in $(seq 1 50); do
	pid=$(pgrep -f "^$PORTUS -p 22,80,443,8080 --rate 500" | head -1)
	[ -n "$pid" ] && grep -q '^Uid:' "/proc/$pid/status" 2>/dev/null && break
	sleep 0.1
done
[ -n "$pid" ] || fail "portus did not start"
sleep 1 # well past socket/capture set-up at this rate
status=$(cat "/proc/$pid/status") || fail "portus exited before its credentials were read"
wait "$runner" || fail "scan failed: $(cat "$ART/stderr.txt")"

uids=$(echo "$status" | awk '/^Uid:/ {print $2, $3, $4, $5}')
gids=$(echo "$status" | awk '/^Gid:/ {print $2, $3, $4, $5}')
groups=$(echo "$status" | awk '/^Groups:/ {$1=""; print}' | tr -d ' ')
capeff=$(echo "$status" | awk '/^CapEff:/ {print $2}')
capprm=$(echo "$status" | awk '/^CapPrm:/ {print $2}')
echo "running scanner: Uid $uids; Gid $gids; Groups '$groups'; CapEff $capeff; CapPrm $capprm"
want_u="$nobody_uid $nobody_uid $nobody_uid $nobody_uid"
want_g="$nobody_gid $nobody_gid $nobody_gid $nobody_gid"
[ "$uids" = "$want_u" ] || fail "uids are '$uids', expected '$want_u'"
[ "$gids" = "$want_g" ] || fail "gids are '$gids', expected '$want_g'"
[ -z "$groups" ] || fail "supplementary groups left: $groups"
[ "$capeff" = 0000000000000000 ] || fail "effective capabilities left: $capeff"
[ "$capprm" = 0000000000000000 ] || fail "permitted capabilities left: $capprm"

# And the scan it ran as nobody is still right, every target.
check --targets 198.19.0.0/24 --ports 22,80,443,8080 "$ART/scan.json" || fail "results wrong"

# ---- a normal user with file capabilities ----
command -v setcap >/dev/null && command -v setpriv >/dev/null || fail "setcap/setpriv missing (libcap2-bin, util-linux)"
CAPDIR=$(mktemp -d /tmp/portus-cap.XXXXXX) || fail "mktemp"
cleanup_capdir() { rm -rf "$CAPDIR"; }
LAB_ON_EXIT=cleanup_capdir
chmod 755 "$CAPDIR"
cp "$PORTUS" "$CAPDIR/portus"
chmod 755 "$CAPDIR/portus"
setcap cap_net_raw+ep "$CAPDIR/portus" || fail "setcap failed"
# The output is opened by this (root) shell: nobody cannot write into $ART.
ip netns exec "$LAB_NS_SCAN" timeout -k 5 60 setpriv --reuid="$nobody_uid" --regid="$nobody_gid" \
	--clear-groups "$CAPDIR/portus" -p 22,80,443,8080 --rate 500 --exclude-file /dev/null \
	--no-status -oJ - 198.19.0.0/24 >"$ART/scan-cap.json" 2>"$ART/stderr-cap.txt" &
runner=$!
pid=""
for _ in $(seq 1 50); do
	pid=$(pgrep -f "^$CAPDIR/portus -p 22,80,443,8080" | head -1)
	[ -n "$pid" ] && grep -q '^Uid:' "/proc/$pid/status" 2>/dev/null && break
	sleep 0.1
done
[ -n "$pid" ] || fail "portus (file capabilities) did not start: $(cat "$ART/stderr-cap.txt")"
sleep 1
status=$(cat "/proc/$pid/status") || fail "portus (file capabilities) exited early"
wait "$runner" || fail "scan with file capabilities failed: $(cat "$ART/stderr-cap.txt")"
uids=$(echo "$status" | awk '/^Uid:/ {print $2, $3, $4, $5}')
capeff=$(echo "$status" | awk '/^CapEff:/ {print $2}')
capprm=$(echo "$status" | awk '/^CapPrm:/ {print $2}')
echo "file-capability scanner: Uid $uids; CapEff $capeff; CapPrm $capprm"
[ "$uids" = "$want_u" ] || fail "file-capability run: uids '$uids', expected '$want_u'"
[ "$capeff" = 0000000000000000 ] || fail "file-capability run: effective capabilities left: $capeff"
[ "$capprm" = 0000000000000000 ] || fail "file-capability run: permitted capabilities left: $capprm"
check --targets 198.19.0.0/24 --ports 22,80,443,8080 "$ART/scan-cap.json" || fail "file-capability results wrong"
echo "PASS: $TEST_NAME"
