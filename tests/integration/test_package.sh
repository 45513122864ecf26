#!/bin/bash
# The Debian package, end to end (issue 16):
#  1. a copy of the tracked files (the shared tree is never cleaned or
#     written: dpkg-buildpackage cleans and builds in a temporary directory),
#     built by an unprivileged user (nobody) with dpkg-buildpackage -us -uc -b,
#     which runs the unit tests that need no root and no network
#     (dh_auto_test); the source package is built too, for lintian;
#  2. lintian (binary and source, pedantic): no error, no warning;
#  3. Build-Depends exact: every system header and library the build uses is
#     covered, every entry is used (check_builddeps.py);
#  4. apt-get install ./portus_*.deb; portus --version (with the libpcap and
#     OpenSSL it runs with), man -w portus, man renders it without warnings,
#     the bash and zsh completion files present and loaded by bash-completion
#     and compinit, the schemas and kit present;
#  5. a lab scan with the installed /usr/bin/portus (ip netns exec into the
#     lab), every (address, port) against the truth;
#  6. apt-get purge: every file of the package gone, no path with "portus" in
#     it left in /usr, /etc or /var/lib that was not there before.
# Prints the time of each step. Needs root (apt-get, namespaces).
. "$(dirname "$0")/common.sh"
cd "$ROOT" || exit 1
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
for t in dpkg-buildpackage dh lintian zsh man groff; do
	command -v $t >/dev/null || fail "$t missing (tools/deps.sh installs it)"
done
t0=$(date +%s)
step() { echo "[$(($(date +%s) - t0)) s] $*"; }

if dpkg-query -W -f='${Status}' portus 2>/dev/null | grep -q installed; then
	echo "portus is installed from an earlier run: purging it first"
	"${APT[@]}" purge portus >/dev/null || fail "cannot purge the portus already installed"
fi
WORK=$(mktemp -d /tmp/portus-pkg.XXXXXX) || fail "mktemp"
chmod 755 "$WORK"
INSTALLED=0 NS=
cleanup() {
	lab_down
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	[ "$INSTALLED" = 1 ] && "${APT[@]}" purge portus >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
SRC=$WORK/portus-$version
mkdir "$SRC"
# The tracked files as they are in the working tree (what CI checks out).
git ls-files | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
	tar -cf - -T - | tar -xf - -C "$SRC" || fail "copying the tracked files failed"
[ -f "$SRC/debian/control" ] || fail "debian/ is not tracked"
chown -R nobody:nogroup "$WORK"
as_nobody() { (cd "$1" && shift && setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$WORK" "$@"); }

# ---- 1. build ----
step "dpkg-source -b (for lintian's source checks)"
as_nobody "$WORK" dpkg-source -b "portus-$version" >"$ART/source.log" 2>&1 || fail "dpkg-source -b failed: $(tail -5 "$ART/source.log")"
step "dpkg-buildpackage -us -uc -b (as nobody)"
b0=$(date +%s)
as_nobody "$SRC" dpkg-buildpackage -us -uc -b >"$ART/build.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -25 "$ART/build.log")"
echo "  built in $(($(date +%s) - b0)) s"
grep -E '^unit: [0-9]+ passed, 0 failed' "$ART/build.log" || fail "dh_auto_test did not run the unit tests"
deb=$WORK/portus_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb"
cp "$deb" "$ART/"

# ---- 2. lintian ----
step "lintian"
as_nobody "$WORK" lintian --pedantic --display-info --display-experimental \
	"portus_${version}_$(dpkg --print-architecture).changes" "portus_$version.dsc" >"$ART/lintian.txt" 2>&1
cat "$ART/lintian.txt" | sed 's/^/  lintian: /'
grep -q '^E: ' "$ART/lintian.txt" && fail "lintian errors (above)"
grep -q '^W: ' "$ART/lintian.txt" && fail "lintian warnings (above)"
# Only these lower tags are expected (justified in debian/README.source).
unexpected=$(grep -E '^[IPX]: ' "$ART/lintian.txt" | grep -v 'very-long-line-length-in-source-file .*\.md:')
[ -z "$unexpected" ] || fail "lintian tags not accounted for: $unexpected"

# ---- 3. Build-Depends ----
step "Build-Depends exact"
python3 tests/integration/check_builddeps.py "$SRC" || fail "Build-Depends are not exact"

# ---- 4. install ----
before=$ART/portus-paths-before.txt
find /usr /etc /var/lib -path '*portus*' ! -path '/var/lib/dpkg/*' 2>/dev/null | sort >"$before"
step "apt-get install ./$(basename "$deb")"
(cd "$WORK" && "${APT[@]}" install "./$(basename "$deb")") >"$ART/install.log" 2>&1 ||
	fail "apt-get install failed: $(tail -5 "$ART/install.log")"
INSTALLED=1
dpkg -L portus | sort >"$ART/files.txt"
bad=0
complain() { echo "  $*"; bad=$((bad + 1)); }
NS=plab$$-pkg
ip netns add "$NS" || fail "ip netns add $NS"
v=$(ip netns exec "$NS" /usr/bin/portus --version) || complain "portus --version failed"
echo "$v" | sed 's/^/  /'
[ "$(echo "$v" | head -1)" = "portus $version" ] || complain "--version says '$(echo "$v" | head -1)', package is $version"
echo "$v" | grep -q "^libpcap: libpcap version $(dpkg-query -W -f='${Version}' libpcap0.8 | sed 's/-.*//')" ||
	complain "--version does not name the installed libpcap ($(dpkg-query -W -f='${Version}' libpcap0.8))"
echo "$v" | grep -q "^OpenSSL: OpenSSL $(dpkg-query -W -f='${Version}' libssl3 | sed 's/-.*//')" ||
	complain "--version does not name the installed OpenSSL ($(dpkg-query -W -f='${Version}' libssl3))"
ip netns del "$NS"
NS=
m=$(man -w portus 2>&1)
[ "$m" = /usr/share/man/man1/portus.1.gz ] || complain "man -w portus says '$m'"
MANWIDTH=80 MANPAGER=cat man --warnings portus >"$ART/man.txt" 2>"$ART/man.err" || complain "man portus failed"
[ -s "$ART/man.err" ] && complain "man --warnings portus: $(head -3 "$ART/man.err")"
for f in /usr/share/bash-completion/completions/portus /usr/share/zsh/vendor-completions/_portus \
	/usr/share/portus/schemas/native-port.schema.json /usr/share/portus/schemas/ecs-port.schema.json \
	/usr/share/doc/portus/copyright /usr/share/doc/portus/README.Debian \
	/usr/share/doc/portus/contrib/elasticsearch/portus-index-template.json \
	/usr/share/doc/portus/contrib/systemd/portus-sweep.timer /usr/share/doc/portus/contrib/cron/portus-sweep.sh; do
	[ -f "$f" ] || complain "not installed: $f"
done
c=$(bash --norc --noprofile -c 'source /usr/share/bash-completion/bash_completion; __load_completion portus && complete -p portus' 2>&1)
[ "$c" = "complete -F _portus portus" ] || complain "bash-completion does not load portus's completion: $c"
z=$(cd /tmp && zsh -f -c 'autoload -Uz compinit; compinit -u -D; print -r -- $_comps[portus]' 2>&1)
[ "$z" = _portus ] || complain "zsh compinit does not find _portus: '$z'"
[ -z "$(getcap /usr/bin/portus)" ] || complain "the package gave /usr/bin/portus a capability: $(getcap /usr/bin/portus)"

# ---- 5. a lab scan with the installed binary ----
step "lab scan with /usr/bin/portus"
PORTUS=/usr/bin/portus
lab_up --prefix 198.19.0.0/24 --no-trap || fail "lab_up failed"
lab_truth "$ART/truth.json"
portus_scan -p 22,80,443 --rate 20000 --exclude-file /dev/null --no-status -oJ "$ART/scan.json" \
	198.19.0.0/24 198.18.0.10-198.18.0.23 >"$ART/scan.out" 2>"$ART/scan.err" ||
	complain "the installed portus failed: $(tail -3 "$ART/scan.err")"
check --targets "198.19.0.0/24 198.18.0.10-198.18.0.23" --ports 22,80,443 "$ART/scan.json" ||
	complain "the installed portus's results do not match the truth"
lab_down

# ---- 6. purge ----
step "apt-get purge portus"
"${APT[@]}" purge portus >"$ART/purge.log" 2>&1 || fail "apt-get purge failed: $(tail -5 "$ART/purge.log")"
INSTALLED=0
dpkg-query -W -f='${Status}\n' portus 2>/dev/null | grep -q . &&
	complain "dpkg still knows portus after purge: $(dpkg-query -W -f='${Status}' portus)"
while IFS= read -r f; do
	[ -f "$f" ] && complain "purge left the file $f"
	case $f in /usr/share/doc/portus* | /usr/share/portus*) [ -e "$f" ] && complain "purge left $f" ;; esac
done <"$ART/files.txt"
find /usr /etc /var/lib -path '*portus*' ! -path '/var/lib/dpkg/*' 2>/dev/null | sort >"$ART/portus-paths-after.txt"
left=$(comm -13 "$before" "$ART/portus-paths-after.txt")
[ -z "$left" ] || complain "left behind after purge: $left"
ls /var/lib/dpkg/info/portus.* >/dev/null 2>&1 && complain "dpkg's info files of portus remain"
step "done"
[ $bad = 0 ] || fail "$bad package problems"
echo "PASS: $TEST_NAME"
