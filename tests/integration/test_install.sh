#!/bin/bash
# make install / make uninstall into DESTDIR staging directories, checked file
# by file: every file where it belongs, byte for byte the source's, with its
# mode, and nothing else; the directory variables move what they name;
# SETCAP=1 gives the binary cap_net_raw and says so, the default gives it none
# and says how; the installed man page is found by man, the completions by
# bash-completion's loader and zsh's compinit; the installed binary runs
# (in an empty network namespace of its own). uninstall leaves no file.
. "$(dirname "$0")/common.sh"
need_portus
cd "$ROOT" || exit 1
STAGE=$(mktemp -d /tmp/portus-install.XXXXXX) || fail "mktemp"
NS=plab$$-inst
ip netns add "$NS" || fail "ip netns add $NS"
trap 'rm -rf "$STAGE"; ip netns del "$NS" 2>/dev/null' EXIT
bad=0
complain() { echo "  $*"; bad=$((bad + 1)); }

# What install must put where: "MODE DEST SOURCE" lines, from the source tree.
expected() { # PREFIX-relative dirs: BIN MAN1 SCHEMA DOC BASHCOMP ZSHCOMP
	local bin=$1 man1=$2 schema=$3 doc=$4 bashc=$5 zshc=$6 f
	echo "755 $bin/portus build/portus"
	echo "644 $man1/portus.1 man/portus.1"
	echo "644 $bashc/portus completions/portus.bash"
	echo "644 $zshc/_portus completions/_portus"
	for f in data/schemas/*.schema.json; do echo "644 $schema/${f##*/} $f"; done
	for f in README.md docs/*.md; do echo "644 $doc/${f##*/} $f"; done
	find contrib -type f ! -name '*~' ! -name '*.pyc' ! -name '.*' | LC_ALL=C sort | while read -r f; do
		if [ -x "$f" ]; then echo "755 $doc/$f $f"; else echo "644 $doc/$f $f"; fi
	done
}

check_tree() { # ROOTDIR EXPECTED-FILE
	local root=$1 want=$2 mode dest src n=0
	while read -r mode dest src; do
		n=$((n + 1))
		if [ ! -f "$root$dest" ]; then complain "missing: $dest"; continue; fi
		cmp -s "$src" "$root$dest" || complain "$dest differs from $src"
		[ "$(stat -c %a "$root$dest")" = "$mode" ] || complain "$dest has mode $(stat -c %a "$root$dest"), expected $mode"
	done <"$want"
	# Nothing else.
	(cd "$root" && find . -type f | sed 's/^\.//' | LC_ALL=C sort) >"$ART/found.txt"
	awk '{print $2}' "$want" | LC_ALL=C sort >"$ART/wanted.txt"
	extra=$(comm -23 "$ART/found.txt" "$ART/wanted.txt")
	[ -z "$extra" ] || complain "installed but not expected: $extra"
	echo "checked $n files under $root"
}

# ---- default layout: PREFIX=/usr/local ----
D1=$STAGE/default
make --no-print-directory install DESTDIR="$D1" >"$ART/install1.txt" 2>&1 || fail "make install failed: $(tail -5 "$ART/install1.txt")"
expected /usr/local/bin /usr/local/share/man/man1 /usr/local/share/portus/schemas /usr/local/share/doc/portus \
	/usr/local/share/bash-completion/completions /usr/local/share/zsh/site-functions >"$ART/expected1.txt"
check_tree "$D1" "$ART/expected1.txt"
[ -z "$(getcap "$D1/usr/local/bin/portus")" ] || complain "installed without SETCAP=1 but has: $(getcap "$D1/usr/local/bin/portus")"
grep -q "has no capability.*setcap cap_net_raw+ep /usr/local/bin/portus" "$ART/install1.txt" ||
	complain "install without SETCAP does not say how to set the capability"

# The installed files work from where they are.
v=$(ip netns exec "$NS" "$D1/usr/local/bin/portus" --version) || complain "installed portus --version failed"
echo "$v" | head -1 | grep -q '^portus [0-9]' || complain "installed --version: $v"
echo "$v" | grep -q '^libpcap: libpcap version' || complain "--version lacks libpcap: $v"
echo "$v" | grep -q '^OpenSSL: OpenSSL' || complain "--version lacks OpenSSL: $v"
m=$(man -M "$D1/usr/local/share/man" -w portus 2>&1)
[ "$m" = "$D1/usr/local/share/man/man1/portus.1" ] || complain "man -w portus finds '$m'"
c=$(XDG_DATA_DIRS=$D1/usr/local/share bash --norc --noprofile -c '
	source /usr/share/bash-completion/bash_completion
	__load_completion portus && complete -p portus' 2>&1)
[ "$c" = "complete -F _portus portus" ] || complain "bash-completion does not load the installed completion: $c"
z=$(zsh -f -c "fpath=($D1/usr/local/share/zsh/site-functions \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \$_comps[portus]" 2>&1)
[ "$z" = "_portus" ] || complain "zsh compinit does not find _portus: $z"
python3 -c 'import json,sys
for f in sys.argv[1:]: json.load(open(f))' "$D1"/usr/local/share/portus/schemas/*.json || complain "installed schemas do not parse"

make --no-print-directory uninstall DESTDIR="$D1" >"$ART/uninstall1.txt" 2>&1 || complain "make uninstall failed"
left=$(find "$D1" -type f)
[ -z "$left" ] || complain "uninstall left files: $left"
[ ! -e "$D1/usr/local/share/doc/portus" ] || complain "uninstall left $D1/usr/local/share/doc/portus"
[ ! -e "$D1/usr/local/share/portus" ] || complain "uninstall left $D1/usr/local/share/portus"

# ---- every directory variable ----
D2=$STAGE/custom
make --no-print-directory install DESTDIR="$D2" PREFIX=/opt/portus BINDIR=/opt/portus/sbin MANDIR=/opt/man \
	DOCDIR=/opt/doc/portus-0 DATADIR=/opt/data BASHCOMPDIR=/etc/bash_completion.d \
	ZSHCOMPDIR=/usr/share/zsh/vendor-completions >"$ART/install2.txt" 2>&1 || fail "make install (custom dirs) failed"
expected /opt/portus/sbin /opt/man/man1 /opt/data/portus/schemas /opt/doc/portus-0 /etc/bash_completion.d \
	/usr/share/zsh/vendor-completions >"$ART/expected2.txt"
check_tree "$D2" "$ART/expected2.txt"
make --no-print-directory uninstall DESTDIR="$D2" PREFIX=/opt/portus BINDIR=/opt/portus/sbin MANDIR=/opt/man \
	DOCDIR=/opt/doc/portus-0 DATADIR=/opt/data BASHCOMPDIR=/etc/bash_completion.d \
	ZSHCOMPDIR=/usr/share/zsh/vendor-completions >"$ART/uninstall2.txt" 2>&1 || complain "make uninstall (custom) failed"
left=$(find "$D2" -type f)
[ -z "$left" ] || complain "uninstall (custom dirs) left files: $left"

# ---- SETCAP=1 ----
D3=$STAGE/setcap
make --no-print-directory install DESTDIR="$D3" SETCAP=1 >"$ART/install3.txt" 2>&1 || fail "make install SETCAP=1 failed: $(tail -3 "$ART/install3.txt")"
cap=$(getcap "$D3/usr/local/bin/portus")
echo "$cap" | grep -q "cap_net_raw=ep" || complain "SETCAP=1: getcap says '$cap'"
grep -q "setcap cap_net_raw+ep $D3/usr/local/bin/portus" "$ART/install3.txt" || complain "SETCAP=1 does not show the setcap it ran"
grep -q "gave .* the capability cap_net_raw+ep" "$ART/install3.txt" || complain "SETCAP=1 does not say what it did"
make --no-print-directory uninstall DESTDIR="$D3" >/dev/null 2>&1 || complain "uninstall after SETCAP=1 failed"
[ -z "$(find "$D3" -type f)" ] || complain "uninstall after SETCAP=1 left files"

[ $bad = 0 ] || fail "$bad install problems"
echo "PASS: $TEST_NAME"
