#!/bin/bash
# contrib/slurm/portus-array.sbatch on a real Slurm cluster (issue 17): the
# test starts a one-node cluster from Debian's slurm-wlm and munge (a munge
# key, munged, slurmctld, slurmd, a minimal slurm.conf, all in a temporary
# directory, in a network namespace of its own: Slurm's RPCs stay on that
# namespace's loopback), and
#   1. submits the array job (3 tasks) against the lab; each task runs portus
#      in the lab's scanner namespace through the script's PORTUS wrapper
#      ("ip netns exec plabN-scan .../portus"); `portus merge` of the 3 shards
#      == a single run: the same records, none missing, none repeated;
#   2. a rerun of one task without SHARDS is refused by the script;
#   3. a new sweep whose task 1 has its scanner SIGKILLed: the task fails,
#      `portus merge` refuses (no summary in shard-1.json); resubmitting only
#      that task (sbatch --array=1, SHARDS=3) completes the sweep == single run.
# Every daemon is stopped by its pid (then anything left in the cluster's
# namespace), also on failure. The cluster's start-up time is printed.
. "$(dirname "$0")/common.sh"
need_portus
for c in mungekey munged slurmctld slurmd sbatch squeue scontrol sinfo nsenter; do
	command -v "$c" >/dev/null || fail "$c missing (tools/deps.sh installs slurm-wlm and munge)"
done
SBATCH_SCRIPT=$ROOT/contrib/slurm/portus-array.sbatch

# Leftovers of a killed earlier run of this test: its cluster namespace, if the
# test's pid is gone (lab_up removes the lab's own namespaces the same way).
for ns in $(ip netns list 2>/dev/null | sed -n 's/^\(plab[0-9][0-9]*-slurm\).*/\1/p'); do
	id=${ns#plab}
	id=${id%-slurm}
	kill -0 "$id" 2>/dev/null && continue
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
	ip netns del "$ns" 2>/dev/null
done

lab_up --prefix 198.19.0.0/22 --prefix6 2001:db8:100::/120
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23 2001:db8:100::/120"
PORTS=22,80,443,8080,8081
SEED=31337
SCAN_OPTS=(-p "$PORTS" --rate 5000 --exclude-file /dev/null)

# --- the cluster ---
SL=$(mktemp -d /tmp/portus-slurm.XXXXXX)
chmod 755 "$SL" # munged wants every directory above its socket searchable
SLNS=plab$LAB_ID-slurm
MUNGED_PID='' CTLD_PID='' SLURMD_PID=''
sl() { # run a Slurm client in the cluster's namespace, bounded
	timeout -k 2 10 nsenter --net="/run/netns/$SLNS" "$@"
}
stop_pid() { # PID NAME: SIGTERM, up to 5 s, then SIGKILL
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "test_slurm: $2 ($pid) ignored SIGTERM: SIGKILL" >&3
	kill -KILL "$pid" 2>/dev/null
}
slurm_down() {
	[ -n "${SL:-}" ] || return 0
	if [ -n "$CTLD_PID" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
		sl scancel --quiet --user=root >/dev/null 2>&1
	fi
	stop_pid "$SLURMD_PID" slurmd
	stop_pid "$CTLD_PID" slurmctld
	stop_pid "$MUNGED_PID" munged
	# What the daemons started (slurmstepd, job scripts) and left behind.
	if [ -e "/run/netns/$SLNS" ]; then
		pids=$(ip netns pids "$SLNS" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		ip netns del "$SLNS" 2>/dev/null
	fi
	mkdir -p "$ART/cluster"
	cp -r "$SL/log" "$SL/slurm.conf" "$ART/cluster/" 2>/dev/null
	rm -rf "$SL"
	SL=
}
# Stop the cluster before lab.sh removes the lab (replaces lab_up's traps).
trap 'slurm_down; lab_down' EXIT
trap 'slurm_down; lab_down; trap - EXIT; exit 130' INT
trap 'slurm_down; lab_down; trap - EXIT; exit 143' TERM

t0=$(date +%s%N)
mkdir -p "$SL/state" "$SL/spool" "$SL/log" "$SL/run"
chmod 755 "$SL/run"
ip netns add "$SLNS" || fail "ip netns add $SLNS"
ip -n "$SLNS" link set lo up
# Slurm does not find a listening address in a namespace with only a
# loopback: give it a veth pair (both ends inside, carrier up, nothing else
# attached), with an address from the lab's 198.18.0.0/15.
if ! { ip -n "$SLNS" link add sl0 type veth peer name sl1 &&
	ip -n "$SLNS" addr add 198.18.255.1/32 dev sl0 &&
	ip -n "$SLNS" link set sl0 up && ip -n "$SLNS" link set sl1 up; }; then
	fail "cluster namespace interfaces"
fi
mungekey -c -k "$SL/munge.key" || fail "mungekey"
# nsenter, not ip netns exec: slurmd needs the host's /sys/fs/cgroup, which
# ip netns exec hides behind a fresh /sys.
nsenter --net="/run/netns/$SLNS" munged -F --key-file="$SL/munge.key" \
	--socket="$SL/run/munge.sock" --pid-file="$SL/run/munged.pid" \
	--log-file="$SL/log/munged.log" --seed-file="$SL/munged.seed" \
	>"$SL/log/munged.out" 2>&1 </dev/null &
MUNGED_PID=$!
for _ in $(seq 100); do
	[ -S "$SL/run/munge.sock" ] && break
	kill -0 "$MUNGED_PID" 2>/dev/null || fail "munged exited: $(tail -3 "$SL/log/munged.out")"
	sleep 0.05
done
[ -S "$SL/run/munge.sock" ] || fail "munged did not create its socket"

NODE=$(hostname -s)
cat >"$SL/slurm.conf" <<EOF
# A one-node cluster for tests/integration/test_slurm.sh (written by the test).
ClusterName=portustest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SL/run/munge.sock
CredType=cred/munge
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
SlurmctldPidFile=$SL/run/slurmctld.pid
SlurmdPidFile=$SL/run/slurmd.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 RealMemory=2048 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$SL/slurm.conf
nsenter --net="/run/netns/$SLNS" slurmctld -D -i -f "$SLURM_CONF" \
	>"$SL/log/slurmctld.out" 2>&1 </dev/null &
CTLD_PID=$!
nsenter --net="/run/netns/$SLNS" slurmd -D -f "$SLURM_CONF" \
	>"$SL/log/slurmd.out" 2>&1 </dev/null &
SLURMD_PID=$!
state=
for _ in $(seq 150); do # 30 s at most
	state=$(sl sinfo -h -o %t 2>/dev/null)
	[ "$state" = idle ] && break
	kill -0 "$CTLD_PID" 2>/dev/null || fail "slurmctld exited: $(tail -3 "$SL/log/slurmctld.out")"
	kill -0 "$SLURMD_PID" 2>/dev/null || fail "slurmd exited: $(tail -3 "$SL/log/slurmd.out")"
	sleep 0.2
done
[ "$state" = idle ] || fail "the node is not idle after 30 s (sinfo: ${state:-nothing})"
t1=$(date +%s%N)
SETUP_MS=$(((t1 - t0) / 1000000))
echo "slurm: cluster up (munge key, munged, slurmctld, slurmd, node idle) in $SETUP_MS ms"
[ "$SETUP_MS" -lt 20000 ] || fail "cluster set-up took $SETUP_MS ms (want well under a minute)"

# --- jobs ---
# Submits the script from directory DIR with the environment given before it
# (VAR=value ...) and the scan options; prints the job id.
submit() { # DIR SBATCH_OPTS... -- SCRIPT_ARGS...
	local dir=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	mkdir -p "$dir/results" # Slurm opens results/shard-%a.log before the script runs
	(cd "$dir" && sl sbatch --parsable --export=ALL "${opts[@]}" "$SBATCH_SCRIPT" "$@") |
		cut -d';' -f1
}
# Waits (bounded) until job ID has left the queue; prints "TASK STATE EXIT" lines.
wait_job() { # ID
	for _ in $(seq 600); do # 120 s
		[ -z "$(sl squeue -h -j "$1" -o %i 2>/dev/null)" ] && break
		sleep 0.2
	done
	[ -z "$(sl squeue -h -j "$1" -o %i 2>/dev/null)" ] || fail "job $1 still queued or running after 120 s"
	sl scontrol -o show job "$1" |
		sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' | sort -n
}
merge() { # OUT FILES...: portus merge, offline
	local out=$1
	shift
	timeout 60 unshare -n "$PORTUS" merge -o "$out" "$@"
}
# The records of merged file A == those of single run B (times aside), none
# repeated, in portus's order; with shard files, no (address, port) in two shards.
compare() { # MERGED SINGLE SHARD_FILES...
	python3 - "$@" <<'PY'
import ipaddress, json, sys
merged_f, single_f, shard_fs = sys.argv[1], sys.argv[2], sys.argv[3:]

def load(name):
    recs, summ, keys = [], None, []
    for line in open(name):
        r = json.loads(line)
        if r["type"] == "summary":
            summ = r
            continue
        r.pop("time", None)
        recs.append(json.dumps(r, sort_keys=True))
        if r["type"] == "port":
            a = ipaddress.ip_address(r["ip"])
            keys.append((a.version, int(a), r["port"]))
    return recs, summ, keys

single, ssum, _ = load(single_f)
merged, msum, order = load(merged_f)
if len(set(merged)) != len(merged):
    sys.exit(f"merged output repeats {len(merged) - len(set(merged))} records")
if set(single) != set(merged):
    sys.exit(f"records: {len(set(merged) - set(single))} only merged, "
             f"{len(set(single) - set(merged))} only in the single run")
if order != sorted(order) or len(order) != len(set(order)):
    sys.exit("merged port records are not in address/port order, once each")
for k in ("targets", "hosts", "hosts_down", "open", "closed", "filtered", "seed", "interrupted"):
    if ssum[k] != msum[k]:
        sys.exit(f"summary {k}: single {ssum[k]} merged {msum[k]}")
if msum["shards_merged"] != 3 or msum["shards_missing"] != []:
    sys.exit(f"merged summary: {msum}")
seen, sizes = {}, []
for f in shard_fs:
    _, s, keys = load(f)
    sizes.append(len(keys))
    for k in keys:
        if k in seen:
            sys.exit(f"{k} in {seen[k]} and {f}")
        seen[k] = f
if len(seen) != len(order) or min(sizes) == 0:
    sys.exit(f"shards hold {len(seen)} port records ({sizes}), the merged file {len(order)}")
print(f"slurm: merge of {sizes} port records == single run ({len(single)} records)")
PY
}

WRAP="ip netns exec $LAB_NS_SCAN timeout -k 5 $SCAN_TIMEOUT $PORTUS"
export TARGETS SEED

# The single run to compare with (same seed and options, no shard).
# shellcheck disable=SC2086
portus_scan "${SCAN_OPTS[@]}" --seed "$SEED" --no-status -oJ "$ART/single.json" $TARGETS \
	>"$ART/single.out" 2>"$ART/single.err" || fail "single run exited $?"
check --targets "$TARGETS" --ports "$PORTS" "$ART/single.json" ||
	fail "single run does not match the lab truth"

# 1. The array job, 3 tasks.
R1=$ART/run1
t2=$(date +%s%N)
job=$(PORTUS=$WRAP submit "$R1" --array=0-2 -- "${SCAN_OPTS[@]}") || fail "sbatch failed"
[ -n "$job" ] || fail "sbatch printed no job id"
states=$(wait_job "$job")
t3=$(date +%s%N)
echo "slurm: job $job (3 tasks) done in $(((t3 - t2) / 1000000)) ms: $(echo "$states" | tr '\n' ' ')"
[ "$(echo "$states" | grep -c ' COMPLETED 0:0$')" = 3 ] ||
	fail "job $job: tasks $states; logs: $(tail -n 3 "$R1"/results/*.log)"
for k in 0 1 2; do
	grep -q "\"shard\":\"$((k + 1))/3\"" "$R1/results/shard-$k.json" ||
		fail "task $k did not write shard $((k + 1))/3"
done
merge "$R1/merged.json" "$R1"/results/shard-*.json 2>"$R1/merge.err" ||
	fail "merge of the 3 shards exited $? ($(cat "$R1/merge.err"))"
compare "$R1/merged.json" "$ART/single.json" "$R1"/results/shard-{0,1,2}.json ||
	fail "merged array job != single run"

# 2. A rerun of one task without SHARDS: the script cannot know N and refuses.
R2=$ART/run2
job=$(PORTUS=$WRAP submit "$R2" --array=1 -- "${SCAN_OPTS[@]}") || fail "sbatch failed"
states=$(wait_job "$job")
echo "$states" | grep -q '^1 FAILED 2:0$' || fail "rerun without SHARDS: $states, want task 1 FAILED 2:0"
grep -q 'set SHARDS=N' "$R2/results/shard-1.log" || fail "rerun without SHARDS: $(cat "$R2/results/shard-1.log")"
[ ! -e "$R2/results/shard-1.json" ] || fail "rerun without SHARDS still scanned"
echo "slurm: --array=1 without SHARDS refused: $(cat "$R2/results/shard-1.log")"

# 3. A sweep whose task 1 loses its scanner (SIGKILL, as the OOM killer or a
# node failure would), then the rerun of that task alone.
R3=$ART/run3
job=$(PORTUS=$WRAP submit "$R3" --array=0-2 -- "${SCAN_OPTS[@]}") || fail "sbatch failed"
killed=
for _ in $(seq 1200); do # 60 s
	for pid in $(ip netns pids "$LAB_NS_SCAN" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = portus ] || continue
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx SLURM_ARRAY_TASK_ID=1 || continue
		kill -KILL "$pid" 2>/dev/null && killed=$pid
	done
	[ -n "$killed" ] && break
	[ -z "$(sl squeue -h -j "$job" -o %i 2>/dev/null)" ] && break
	sleep 0.05
done
[ -n "$killed" ] || fail "task 1's scanner was never seen running (finished too fast?)"
states=$(wait_job "$job")
echo "slurm: killed task 1's portus ($killed); job $job: $(echo "$states" | tr '\n' ' ')"
echo "$states" | grep -q '^1 FAILED' || fail "job $job: task 1 not FAILED: $states"
[ "$(echo "$states" | grep -c ' COMPLETED 0:0$')" = 2 ] || fail "job $job: $states"
merge "$R3/merged.json" "$R3"/results/shard-*.json 2>"$R3/merge-refused.err"
rc=$?
[ "$rc" = 2 ] || fail "merge with task 1 killed exited $rc, want 2"
grep -q "shard-1.json has no summary record" "$R3/merge-refused.err" ||
	fail "merge with task 1 killed: $(cat "$R3/merge-refused.err")"
[ ! -e "$R3/merged.json" ] || fail "a refused merge wrote its output"
cat "$R3/merge-refused.err"
job=$(PORTUS=$WRAP SHARDS=3 submit "$R3" --array=1 -- "${SCAN_OPTS[@]}") || fail "sbatch failed"
states=$(wait_job "$job")
echo "slurm: rerun of task 1 (job $job): $(echo "$states" | tr '\n' ' ')"
[ "$states" = "1 COMPLETED 0:0" ] || fail "rerun of task 1: $states ($(tail -3 "$R3/results/shard-1.log"))"
merge "$R3/merged.json" "$R3"/results/shard-*.json 2>"$R3/merge.err" ||
	fail "merge after the rerun exited $? ($(cat "$R3/merge.err"))"
compare "$R3/merged.json" "$ART/single.json" "$R3"/results/shard-{0,1,2}.json ||
	fail "merged sweep after the rerun != single run"
echo "slurm: cluster set-up $SETUP_MS ms"
echo "PASS: $TEST_NAME"
