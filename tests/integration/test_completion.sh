#!/bin/bash
# Shell completion (completions/portus.bash, completions/_portus) against the
# live program: every option "portus [CMD] --help" prints is offered, every
# option offered is one portus accepts, enumerated values (--format) are
# offered and accepted, options whose value is a FILE (or OUT) complete file
# names, and the first word offers the subcommands. Bash through the
# completion function itself (COMP_WORDS/COMP_CWORD, compgen, complete -p);
# zsh through a real interactive zsh in a pseudo-terminal
# (tests/integration/zsh_complete.zsh).
# portus runs only in an empty network namespace of its own (ip netns exec).
. "$(dirname "$0")/common.sh"
need_portus
command -v zsh >/dev/null || fail "zsh missing (apt-get install zsh; tools/deps.sh)"
BASH_COMP=$ROOT/completions/portus.bash
ZSH_DIR=$ROOT/completions
NS=plab$$-comp
ip netns add "$NS" || fail "ip netns add $NS"
trap 'ip netns del "$NS" 2>/dev/null' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
bad=0
complain() { echo "  $*"; bad=$((bad + 1)); }

# Files to complete, in a directory of their own.
FILES=$ART/files
mkdir -p "$FILES"
touch "$FILES/targets.txt" "$FILES/tls-sni.txt" "$FILES/results.json"

# The options of each command's --help (check_manpage.py's reading of it).
for c in scan merge diff report; do
	if [ $c = scan ]; then in_ns "$PORTUS" --help; else in_ns "$PORTUS" $c --help; fi >"$ART/help-$c.txt" ||
		fail "portus $c --help failed"
	python3 "$ROOT/tests/integration/check_manpage.py" list "$ART/help-$c.txt" $c >"$ART/opts-$c.txt"
	[ -s "$ART/opts-$c.txt" ] || fail "no option found in portus $c --help"
done

# bash: what _portus offers for the words given (the last one is completed).
bash_complete() {
	bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_portus
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP" "$@" | sed '/^$/d' | sort -u
}
# zsh: what the completion system offers at the end of each line given.
ZSH_OUT=$ART/zsh.txt
zsh_lines=()

# Accepted: portus [CMD] OPT does not say "unknown option" (a missing value,
# no targets or no files is fine; nothing is ever sent: exit 2 before).
accepted() { # CMD OPT
	local err
	if [ "$1" = scan ]; then err=$(in_ns timeout 10 "$PORTUS" "$2" 2>&1 >/dev/null </dev/null)
	else err=$(in_ns timeout 10 "$PORTUS" "$1" "$2" 2>&1 >/dev/null </dev/null); fi
	! echo "$err" | grep -qi "unknown option\|unrecognized"
}

# ---- bash ----
out=$(bash --norc --noprofile -c 'source "$1"; complete -p portus' _ "$BASH_COMP")
[ "$out" = "complete -F _portus portus" ] || complain "bash: complete -p portus says '$out'"

for c in scan merge diff report; do
	if [ $c = scan ]; then offered=$(bash_complete portus -); else offered=$(bash_complete portus $c -); fi
	echo "$offered" >"$ART/bash-opts-$c.txt"
	for o in $(cat "$ART/opts-$c.txt"); do
		echo "$offered" | grep -qxF -- "$o" || complain "bash: portus $c: $o (in --help) not offered"
	done
	for o in $offered; do
		accepted $c "$o" || complain "bash: portus $c: $o offered but portus says it is unknown"
	done
	zsh_lines+=("portus $([ $c = scan ] || echo "$c ")-")
done

# Subcommands on the first word.
[ "$(bash_complete portus '' | tr '\n' ' ')" = "diff merge report " ] ||
	complain "bash: first word offers '$(bash_complete portus '' | tr '\n' ' ')', not the subcommands"
zsh_lines+=("portus ")

# Enumerated values: offered, and each one accepted by portus.
check_values() { # CMD OPT WANT...
	local c=$1 o=$2 got v
	shift 2
	if [ $c = scan ]; then got=$(bash_complete portus "$o" ''); else got=$(bash_complete portus $c "$o" ''); fi
	[ "$(echo $got)" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		complain "bash: portus $c $o offers '$(echo $got)', expected '$*'"
	for v in "$@"; do
		local err
		if [ $c = scan ]; then err=$(in_ns "$PORTUS" "$o" "$v" 2>&1 >/dev/null </dev/null)
		else err=$(in_ns "$PORTUS" $c "$o" "$v" 2>&1 >/dev/null </dev/null); fi
		echo "$err" | grep -q -- "$o $v:" && complain "portus $c $o $v refused: $err"
	done
	# The --name=value spelling completes the same.
	if [ $c = scan ]; then got=$(bash_complete portus "$o" = ''); else got=$(bash_complete portus $c "$o" = ''); fi
	[ "$(echo $got)" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		complain "bash: portus $c $o= offers '$(echo $got)'"
}
check_values scan --format cef ecs json splunk-hec
check_values diff --format ecs json
zsh_lines+=("portus --format " "portus diff --format " "portus --format=s")

# Every option whose --help value is FILE (or OUT) completes file names.
file_opts() { # CMD -> options whose placeholder is FILE/OUT
	grep -E '^\s+-' "$ART/help-$1.txt" | grep -E '\s(FILE|OUT)\b' |
		sed -E 's/^\s+//; s/\s+(FILE|OUT)\b.*//' | tr ',' '\n' | sed 's/ //g'
	# A subcommand's own usage line: [-o OUT].
	[ "$1" = scan ] || grep -oE '\[(-[a-z-]+) (FILE|OUT)\]' "$ART/help-$1.txt" | sed -E 's/\[(-[a-z-]+) .*/\1/'
}
nfile=0
for c in scan merge diff report; do
	for o in $(file_opts $c | sort -u); do
		nfile=$((nfile + 1))
		if [ $c = scan ]; then got=$(bash_complete portus "$o" "$FILES/ta"); else got=$(bash_complete portus $c "$o" "$FILES/ta"); fi
		[ "$got" = "$FILES/targets.txt" ] || complain "bash: portus $c $o FILE does not complete file names (got '$got')"
		zsh_lines+=("portus $([ $c = scan ] || echo "$c ")$o $FILES/ta")
	done
done
[ $nfile -ge 8 ] || complain "only $nfile options with a FILE value found in --help"
# Operands of the subcommands are result files.
for c in merge diff report; do
	got=$(bash_complete portus $c "$FILES/res")
	[ "$got" = "$FILES/results.json" ] || complain "bash: portus $c RESULTS does not complete file names (got '$got')"
done
zsh_lines+=("portus report $FILES/res")
# A value that is not a file (a rate) offers nothing, not file names.
[ -z "$(bash_complete portus --rate '')" ] || complain "bash: --rate offers something"

# ---- zsh ----
cd "$ART" || exit 1
timeout 60 zsh -f "$ROOT/tests/integration/zsh_complete.zsh" "$ZSH_DIR" "${zsh_lines[@]}" >"$ZSH_OUT" 2>"$ART/zsh.err" ||
	fail "zsh completion driver failed: $(cat "$ART/zsh.err")"
# Split the output into one file per line completed.
awk -v dir="$ART" 'BEGIN { n = 0; f = dir "/zsh-0.txt"; printf "" > f } $0 == "--" { n++; f = dir "/zsh-" n ".txt"; printf "" > f; next } { print > f }' "$ZSH_OUT"
i=0
for line in "${zsh_lines[@]}"; do
	got=$ART/zsh-$i.txt
	case $line in
	"portus -" | "portus merge -" | "portus diff -" | "portus report -")
		c=${line#portus }; c=${c% -}; [ "$c" = "-" ] && c=scan
		for o in $(cat "$ART/opts-$c.txt"); do
			grep -qxF -- "$o" "$got" || complain "zsh: portus $c: $o (in --help) not offered"
		done
		for o in $(cat "$got"); do
			accepted $c "$o" || complain "zsh: portus $c: $o offered but portus says it is unknown"
		done ;;
	"portus ")
		[ "$(sort "$got" | tr '\n' ' ')" = "diff merge report " ] || complain "zsh: first word offers '$(tr '\n' ' ' <"$got")'" ;;
	"portus --format ")
		[ "$(sort "$got" | tr '\n' ' ')" = "cef ecs json splunk-hec " ] || complain "zsh: --format offers '$(tr '\n' ' ' <"$got")'" ;;
	"portus diff --format ")
		[ "$(sort "$got" | tr '\n' ' ')" = "ecs json " ] || complain "zsh: diff --format offers '$(tr '\n' ' ' <"$got")'" ;;
	"portus --format=s")
		[ "$(cat "$got")" = "splunk-hec" ] || complain "zsh: --format=s offers '$(tr '\n' ' ' <"$got")'" ;;
	*" $FILES/ta")
		grep -qxF "$FILES/targets.txt" "$got" || complain "zsh: '$line' does not complete file names (got '$(tr '\n' ' ' <"$got")')" ;;
	*" $FILES/res")
		grep -qxF "$FILES/results.json" "$got" || complain "zsh: '$line' does not complete file names" ;;
	esac
	i=$((i + 1))
done
echo "checked ${#zsh_lines[@]} zsh completions, $nfile file options, $(cat "$ART"/opts-*.txt | wc -l) options"
[ $bad = 0 ] || fail "$bad completion problems"
echo "PASS: $TEST_NAME"
