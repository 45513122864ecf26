#!/bin/bash
# Usage errors (issue 6: at least 50 bad invocations): exit status 2, exactly
# one line on stderr naming the problem, no probe sent, and no output file left
# behind (each case also asks for -oJ into a file that must not exist after).
# Run inside the lab's scanner namespace (never in the host's).
. "$(dirname "$0")/common.sh"
need_portus
unset PORTUS_HEC_TOKEN
lab_up --prefix 198.19.0.0/24
bad=0
n=0

expect_usage_error() { # PATTERN DESCRIPTION ARGS...
	local pat=$1 what=$2
	shift 2
	n=$((n + 1))
	local before after rc lines
	before=$(gw_syns)
	local left=$ART/left$n.json
	# First, so a case's own -oJ (or a missing value at the end) still counts.
	portus_scan -oJ "$left" "$@" >"$ART/out$n.txt" 2>"$ART/err$n.txt"
	rc=$?
	after=$(gw_syns)
	lines=$(wc -l <"$ART/err$n.txt")
	if [ "$rc" != 2 ]; then
		echo "  $what: exit $rc, expected 2 (stderr: $(head -c 300 "$ART/err$n.txt"))"
		bad=$((bad + 1))
	elif [ "$lines" != 1 ]; then
		echo "  $what: $lines lines on stderr, expected one:"
		sed 's/^/    | /' "$ART/err$n.txt" | head -5
		bad=$((bad + 1))
	elif [ -n "$pat" ] && ! grep -qiE "$pat" "$ART/err$n.txt"; then
		echo "  $what: message does not match /$pat/: $(cat "$ART/err$n.txt")"
		bad=$((bad + 1))
	elif [ "$before" != "$after" ]; then
		echo "  $what: sent $((after - before)) probes before failing"
		bad=$((bad + 1))
	elif [ -e "$left" ]; then
		echo "  $what: left an output file behind"
		bad=$((bad + 1))
	else
		echo "  ok: $what: $(cat "$ART/err$n.txt")"
	fi
}

expect_usage_error "target" "no target" -p 80 --exclude-file /dev/null
expect_usage_error "port" "-p 0" -p 0 --exclude-file /dev/null 198.19.0.1
expect_usage_error "" "-p 65536" -p 65536 --exclude-file /dev/null 198.19.0.1
expect_usage_error "" "198.18.0.0/33" -p 80 --exclude-file /dev/null 198.18.0.0/33
expect_usage_error "" "bad range" -p 80 --exclude-file /dev/null 198.19.0.9-198.19.0.1
expect_usage_error "" "unknown option" --no-such-option -p 80 198.19.0.1
expect_usage_error "exclu" "all targets excluded (default list has 198.18.0.0/15)" -p 80 198.19.0.0/24
expect_usage_error "" "--shard 4/3" -p 80 --exclude-file /dev/null --shard 4/3 198.19.0.1
expect_usage_error "allow-no-exclude" "/7 with an empty exclude list" -p 80 --exclude-file /dev/null 198.0.0.0/7
expect_usage_error "" "--rate 0" -p 80 --exclude-file /dev/null --rate 0 198.19.0.1

printf '' >"$ART/empty.txt"
printf '# only a comment\n' >"$ART/comments.txt"
printf '198.19.0.1\0\001\002binary\n' >"$ART/binary.bin"
printf '198.19.0.1\n198.19.0.300\n' >"$ART/badline.txt"
X=(--exclude-file /dev/null)
T=198.19.0.1
# Targets
expect_usage_error "octet" "octet 256" -p 80 "${X[@]}" 198.19.0.256
expect_usage_error "prefix" "prefix /-1" -p 80 "${X[@]}" 198.19.0.1/-1
# Host names (the lab's resolv.conf names the gateway, which runs no DNS
# server: every lookup fails at once, inside the lab).
expect_usage_error "none of 1 host name resolved" "a host name that does not resolve" -p 80 "${X[@]}" not-an-address
expect_usage_error "none of 2 host names resolved" "two names, neither resolves" -p 80 "${X[@]}" a.lab.test,b.lab.test
expect_usage_error "not an IPv4 address" "a name with an empty label" -p 80 "${X[@]}" bad..lab.test
expect_usage_error "not an IPv4 address" "a label ending in '-'" -p 80 "${X[@]}" bad-.lab.test
expect_usage_error "no prefix length" "a name with a prefix length" -p 80 "${X[@]}" www.lab.test/24
expect_usage_error "not an IPv4 address" "a mistyped address, not a name" -p 80 "${X[@]}" 198.19.0.1x
expect_usage_error "not accepted here" "a name in --exclude" -p 80 "${X[@]}" --exclude www.lab.test $T
expect_usage_error "4 and -6 together" "-4 and -6" -p 80 "${X[@]}" -4 -6 $T
expect_usage_error "6 scans IPv6 only" "-6 with an IPv4 literal" -p 80 "${X[@]}" -6 $T
expect_usage_error "4 scans IPv4 only" "-4 with an IPv6 literal" -p 80 "${X[@]}" -4 2001:db8:100::1
expect_usage_error "must be 10-60000" "--resolve-timeout 0" -p 80 "${X[@]}" --resolve-timeout 0 $T
expect_usage_error "must be 0-10" "--resolve-retries 11" -p 80 "${X[@]}" --resolve-retries 11 $T
expect_usage_error "must be 1-10000" "--resolve-concurrency 0" -p 80 "${X[@]}" --resolve-concurrency 0 $T
expect_usage_error "" "empty list element" -p 80 "${X[@]}" 198.19.0.1,,198.19.0.2
expect_usage_error "cannot open" "-iL missing file" -p 80 "${X[@]}" -iL /nonexistent/targets
expect_usage_error "no targets" "-iL empty file" -p 80 "${X[@]}" -iL "$ART/empty.txt"
expect_usage_error "no targets" "-iL comments only" -p 80 "${X[@]}" -iL "$ART/comments.txt"
expect_usage_error "binary" "-iL binary file" -p 80 "${X[@]}" -iL "$ART/binary.bin"
expect_usage_error "badline.txt:2" "-iL bad line" -p 80 "${X[@]}" -iL "$ART/badline.txt"
expect_usage_error "cannot open" "--exclude-file missing" -p 80 --exclude-file /nonexistent/ex $T
expect_usage_error "binary" "--exclude-file binary" -p 80 --exclude-file "$ART/binary.bin" $T
expect_usage_error "excluded" "--exclude covers everything" -p 80 "${X[@]}" --exclude 198.19.0.0/24 198.19.0.0/25
expect_usage_error "missing value" "--exclude without value" -p 80 $T --exclude
# Ports
expect_usage_error "" "-p empty" -p "" "${X[@]}" $T
expect_usage_error "" "-p reversed range" -p 80-22 "${X[@]}" $T
expect_usage_error "" "-p UDP" -p U:53 "${X[@]}" $T
expect_usage_error "" "-p empty element" -p 1,,2 "${X[@]}" $T
expect_usage_error "" "-p 0-80" -p 0-80 "${X[@]}" $T
expect_usage_error "" "--top-ports 0" --top-ports 0 "${X[@]}" $T
expect_usage_error "" "--top-ports too many" --top-ports 99999 "${X[@]}" $T
expect_usage_error "missing value" "-p without value" "${X[@]}" $T -p
# Numbers
expect_usage_error "not a number" "--rate abc" -p 80 "${X[@]}" --rate abc $T
expect_usage_error "" "--rate -5" -p 80 "${X[@]}" --rate -5 $T
expect_usage_error "too large" "--rate huge" -p 80 "${X[@]}" --rate 99999999999999999999999 $T
expect_usage_error "" "--wait 0" -p 80 "${X[@]}" --wait 0 $T
expect_usage_error "" "--send-threads 0" -p 80 "${X[@]}" --send-threads 0 $T
expect_usage_error "must be 1-16" "--send-threads 17" -p 80 "${X[@]}" --send-threads 17 $T
expect_usage_error "at least 4" "--send-threads 4 --rate 3" -p 80 "${X[@]}" --send-threads 4 --rate 3 $T
expect_usage_error "" "--seed x" -p 80 "${X[@]}" --seed x $T
expect_usage_error "" "--shard 0/3" -p 80 "${X[@]}" --shard 0/3 $T
expect_usage_error "" "--shard 1/0" -p 80 "${X[@]}" --shard 1/0 $T
expect_usage_error "" "--shard 1" -p 80 "${X[@]}" --shard 1 $T
expect_usage_error "" "--retries x" -p 80 "${X[@]}" --retries x $T
# Path
expect_usage_error "" "nonexistent interface" -p 80 "${X[@]}" --interface nosuchif0 $T
expect_usage_error "" "-S bad address" -p 80 "${X[@]}" -S 300.1.1.1 $T
expect_usage_error "gateway-mac" "--gateway-mac zz" -p 80 "${X[@]}" --gateway-mac zz $T
expect_usage_error "" "--source-port 0" -p 80 "${X[@]}" --source-port 0 $T
expect_usage_error "" "--source-port 70000" -p 80 "${X[@]}" --source-port 70000 $T
expect_usage_error "" "--source-port reversed" -p 80 "${X[@]}" --source-port 5-1 $T
# Outputs
expect_usage_error "cannot write" "-oJ unwritable" -p 80 "${X[@]}" -oJ /nonexistent-dir/x.json $T
expect_usage_error "empty file name" "-oJ empty" -p 80 "${X[@]}" -oJ "" $T
expect_usage_error "cannot write" "-oL unwritable (the -oJ file is removed again)" -p 80 "${X[@]}" -oL /nonexistent-dir/x.lst $T
expect_usage_error "cannot write" "-oX unwritable" -p 80 "${X[@]}" -oX /nonexistent-dir/x.xml $T
expect_usage_error "cannot write" "-oG unwritable" -p 80 "${X[@]}" -oG /nonexistent-dir/x.gnmap $T
expect_usage_error "format" "--format bogus" -p 80 "${X[@]}" --format bogus $T
expect_usage_error "stdout" "two outputs on stdout" -p 80 "${X[@]}" -oJ - -oL - $T
expect_usage_error "hec-url" "--hec-url ftp" -p 80 "${X[@]}" --hec-url ftp://127.0.0.1 $T
expect_usage_error "need --hec-url" "--hec-token alone" -p 80 "${X[@]}" --hec-token t $T
expect_usage_error "PORTUS_HEC_TOKEN" "--hec-url without a token" -p 80 "${X[@]}" --hec-url http://127.0.0.1:1 $T
expect_usage_error "syslog" "--syslog without scheme" -p 80 "${X[@]}" --syslog 127.0.0.1:514 $T
expect_usage_error "" "--syslog tcp to a closed port" -p 80 "${X[@]}" --syslog tcp://127.0.0.1:1 $T
# TLS
expect_usage_error "" "--tls-ports 0" -p 443 "${X[@]}" --tls-ports 0 $T
expect_usage_error "" "--tls-timeout 0" -p 443 "${X[@]}" --tls --tls-timeout 0 $T
expect_usage_error "" "--tls-concurrency 0" -p 443 "${X[@]}" --tls --tls-concurrency 0 $T
expect_usage_error "" "--sni-file missing" -p 443 "${X[@]}" --sni-file /nonexistent/sni $T
expect_usage_error "" "--ca-file missing" -p 443 "${X[@]}" --tls --ca-file /nonexistent/ca.pem $T
expect_usage_error "unknown option" "--unknown=3" -p 80 "${X[@]}" --unknown=3 $T

# IPv6 literals: bad forms, sizes and zone ids are refused with one line; the
# built-in exclude list covers 2001:db8::/32 (IANA IPv6 special-purpose registry).
printf '198.19.0.1\n2001:db8::1::2\n' >"$ART/bad6.txt"
expect_usage_error "IPv6" "1::2::3" -p 80 "${X[@]}" 1::2::3
expect_usage_error "IPv6" ":::" -p 80 "${X[@]}" :::
expect_usage_error "IPv6" "12345::" -p 80 "${X[@]}" 12345::
expect_usage_error "IPv6" "trailing colon" -p 80 "${X[@]}" 2001:db8::1:
expect_usage_error "IPv6" "nine groups" -p 80 "${X[@]}" 1:2:3:4:5:6:7:8:9
expect_usage_error "IPv6" "seven groups" -p 80 "${X[@]}" 1:2:3:4:5:6:7
expect_usage_error "IPv6" "bad hex digit" -p 80 "${X[@]}" 2001:db8::g
expect_usage_error "IPv6" "brackets" -p 80 "${X[@]}" '[2001:db8::1]'
expect_usage_error "zone" "zone id" -p 80 "${X[@]}" fe80::1%eth0
expect_usage_error "" "bad embedded IPv4" -p 80 "${X[@]}" ::ffff:1.2.3
expect_usage_error "" "embedded octet 256" -p 80 "${X[@]}" ::ffff:256.1.1.1
expect_usage_error "0-128" "/129" -p 80 "${X[@]}" 2001:db8::/129
expect_usage_error "0-128" "empty IPv6 prefix" -p 80 "${X[@]}" 2001:db8::/x
expect_usage_error "/96" "/64 too large" -p 80 "${X[@]}" 2001:db8::/64
expect_usage_error "/96" "/95 too large" -p 80 "${X[@]}" 2001:db8::/95
expect_usage_error "/96" "range over 2^32" -p 80 "${X[@]}" 2001:db8::-2001:db8::1:0:0
expect_usage_error "mix" "range mixing families" -p 80 "${X[@]}" 198.19.0.1-2001:db8::1
expect_usage_error "after" "IPv6 range backwards" -p 80 "${X[@]}" 2001:db8::9-2001:db8::1
expect_usage_error "exclu" "2001:db8::/32 in the built-in excludes" -p 80 2001:db8:100::/120
expect_usage_error "bad6.txt:2" "-iL with a bad IPv6 line" -p 80 "${X[@]}" -iL "$ART/bad6.txt"
expect_usage_error "IPv6" "--exclude with a bad IPv6 literal" -p 80 "${X[@]}" --exclude 2001:db8::x $T
expect_usage_error "IPv6" "--source-ip bad IPv6" -p 80 "${X[@]}" --source-ip 2001:db8:::1 $T
expect_usage_error "link-local" "link-local IPv6 target" -p 80 "${X[@]}" fe80::1
expect_usage_error "already given" "-S twice for IPv4" -p 80 "${X[@]}" -S 198.18.0.1 -S 198.18.0.2 $T
expect_usage_error "already given" "-S twice for IPv6" -p 80 "${X[@]}" -S 2001:db8:0:1::1 -S 2001:db8:0:1::2 $T
expect_usage_error "usable" "-S multicast IPv6" -p 80 "${X[@]}" -S ff02::1 $T
expect_usage_error "usable" "-S link-local IPv6" -p 80 "${X[@]}" -S fe80::1 $T
[ "$n" -ge 50 ] || fail "only $n error cases (issue 6 asks for at least 50)"

# Subcommands (issue 13 item 3): options anywhere, so a bad one after the files
# is named as an option (not opened as a file); one line, exit 2, no output
# file. They read files only: run in an empty network namespace.
cat >"$ART/r.json" <<'EOF'
{"type":"port","ip":"198.19.0.7","port":443,"proto":"tcp","state":"open","reason":"syn-ack","ttl":64,"time":"2026-01-01T00:00:00.000000Z"}
{"type":"summary","start":"2026-01-01T00:00:00.000000Z","end":"2026-01-01T00:00:01.000000Z","elapsed_s":1,"targets":1,"hosts":1,"hosts_down":0,"open":1,"closed":0,"filtered":0,"probes_sent":1,"rate_pps":1,"pcap_received":1,"pcap_dropped":0,"if_dropped":0,"passes":1,"seed":1,"shard":"1/1","interrupted":false}
EOF
R=$ART/r.json
sub_bad=0
sub_n=0
expect_sub_error() { # PATTERN DESCRIPTION ARGS... (OUT = the file no case may leave)
	local pat=$1 what=$2 rc lines
	shift 2
	sub_n=$((sub_n + 1))
	rm -f "$ART/sub.out"
	echo "+ unshare -n portus $*" >&3
	timeout 30 unshare -n "$PORTUS" "$@" >/dev/null 2>"$ART/sub-err$sub_n.txt"
	rc=$?
	lines=$(wc -l <"$ART/sub-err$sub_n.txt")
	if [ "$rc" != 2 ] || [ "$lines" != 1 ] || ! grep -qE "$pat" "$ART/sub-err$sub_n.txt"; then
		echo "  $what: exit $rc (2 expected), want one line /$pat/, got: $(head -c 300 "$ART/sub-err$sub_n.txt")"
		sub_bad=$((sub_bad + 1))
	elif [ -e "$ART/sub.out" ] || [ -e "$ART/sub.out.tmp" ]; then
		echo "  $what: left an output file behind"
		sub_bad=$((sub_bad + 1))
	else
		echo "  ok: $what: $(cat "$ART/sub-err$sub_n.txt")"
	fi
}
O=$ART/sub.out
expect_sub_error "^portus: merge: --bogus: unknown option" "merge: unknown option after the files" merge "$R" -o "$O" --bogus
expect_sub_error "^portus: merge: -x: unknown option" "merge: unknown short option" merge "$R" -x -o "$O"
expect_sub_error "^portus: merge: -o: missing value" "merge: -o last, without a value" merge "$R" -o
expect_sub_error "^portus: merge: --allow-partial takes no value" "merge: --allow-partial=yes" merge --allow-partial=yes "$R" -o "$O"
expect_sub_error "^portus: merge: --output: an empty value" "merge: --output=" merge "$R" --output=
expect_sub_error "^portus: diff: --expiry-days: missing value" "diff: --expiry-days last, without a value" diff "$R" "$R" -o "$O" --expiry-days
expect_sub_error "^portus: diff: --expiry-days x: a number of days" "diff: --expiry-days x after the files" diff "$R" "$R" --expiry-days x -o "$O"
expect_sub_error "^portus: diff: --format xml: json or ecs" "diff: --format xml after the files" diff "$R" "$R" -o "$O" --format xml
expect_sub_error "^portus: diff: 3 files given, OLD and NEW expected" "diff: three files" diff "$R" -o "$O" "$R" "$R"
expect_sub_error "^portus: diff: -o: an empty value" "diff: -o ''" diff "$R" "$R" -o ""
expect_sub_error "^portus: diff: --expiry-days: No such file" "diff: after --, an option is a file name" diff -o "$O" "$R" -- --expiry-days
expect_sub_error "^portus: report: --top 0: a number of rows" "report: --top 0 after the file" report "$R" -o "$O" --top 0
expect_sub_error "^portus: report: --top: missing value" "report: --top last" report "$R" -o "$O" --top
expect_sub_error "^portus: report: --titel: unknown option" "report: misspelt --title" report "$R" --titel x -o "$O"
expect_sub_error "^portus: report: --t: ambiguous option" "report: --t (--top or --title)" report "$R" --t 3 -o "$O"
expect_sub_error "^portus: report: no result file given" "report: only options" report -o "$O" --top 3
[ "$sub_bad" = 0 ] || fail "$sub_bad of $sub_n subcommand error cases wrong"

# Cleanup after a failed open removes only files this run created: never a
# device (as root, unlinking /dev/null would break the machine) and never a
# file that existed before.
echo keep >"$ART/existing.json"
portus_scan -p 80 "${X[@]}" -oJ /dev/null -oL "$ART/existing.json" -oX /nonexistent-dir/x.xml $T \
	>/dev/null 2>"$ART/err-devnull.txt"
[ $? = 2 ] || fail "-oX unwritable after -oJ /dev/null: expected exit 2"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
[ -f "$ART/existing.json" ] || fail "a file that existed before the run was removed"

[ "$bad" = 0 ] || fail "$bad of $n error cases wrong"
echo "PASS: $TEST_NAME"
