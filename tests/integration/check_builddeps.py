#!/usr/bin/env python3
"""check_builddeps.py - debian/control's Build-Depends against what a build used.

    check_builddeps.py SOURCE_DIR

In SOURCE_DIR (a tree with debian/control, after a package build, so that
build/gen exists), the compiler lists every header each C file of src/ and
tests/unit/ includes (cc -M), and the libraries the Makefile links (-lNAME)
are found as the compiler would (cc -print-file-name=libNAME.so).
Exact means both ways:

  - every header or library outside build-essential (libc6-dev,
    linux-libc-dev, the compiler's own) comes from a package that a Build-Depends entry is, or
    depends on directly (libpcap-dev -> libpcap0.8-dev);
  - every Build-Depends entry (debhelper-compat aside) provided a header that
    was used.

Prints one line per problem and a summary; exit 1 on any problem.
"""
import glob
import os
import re
import subprocess
import sys

ESSENTIAL = re.compile(r"^(libc6-dev|linux-libc-dev|libgcc-\d+-dev|gcc-\d+|libstdc\+\+-\d+-dev|libcrypt-dev)$")


def build_depends(control):
    text = open(control, encoding="utf-8").read()
    m = re.search(r"^Build-Depends:(.*?)(?=^\S)", text, re.S | re.M)
    deps = []
    for item in m.group(1).replace("\n", " ").split(","):
        item = item.strip()
        if not item:
            continue
        name = re.split(r"[\s(<\[]", item, 1)[0]
        deps.append(name)
    return deps


def direct_depends(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", pkg], capture_output=True, text=True).stdout
    names = set()
    for alt in out.split(","):
        for a in alt.split("|"):
            a = a.strip()
            if a:
                names.add(re.split(r"[\s(:]", a, 1)[0])
    return names


def used_files(src):
    """System headers the C files include and the libraries the Makefile links."""
    files = set()
    cfiles = sorted(glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True) +
                    glob.glob(os.path.join(src, "tests", "unit", "*.c")))
    rel = [os.path.relpath(c, src) for c in cfiles]
    out = subprocess.run(["cc", "-M", "-std=c11", "-D_GNU_SOURCE", "-Iinclude", "-Isrc", "-Ibuild/gen",
                          "-Itests/unit"] + rel, cwd=src, capture_output=True, text=True)
    if out.returncode != 0:
        # A header it cannot find hides every system header behind it: fail.
        print("cc -M failed: %s" % out.stderr.strip().splitlines()[:3])
        sys.exit(1)
    for tok in out.stdout.replace("\\\n", " ").split():
        if tok.startswith("/usr/"):
            files.add(tok)
    make = open(os.path.join(src, "Makefile"), encoding="utf-8").read()
    for lib in sorted(set(re.findall(r"(?<![\w-])-l([A-Za-z0-9_+]+)", make))):
        path = subprocess.run(["cc", "-print-file-name=lib%s.so" % lib],
                              capture_output=True, text=True).stdout.strip()
        if path.startswith("/"):
            files.add(path)
    return files


def owners(paths):
    """{path: package} via dpkg -S (paths no package owns are left out)."""
    result = {}
    paths = sorted(paths)
    for i in range(0, len(paths), 200):
        out = subprocess.run(["dpkg", "-S"] + paths[i:i + 200], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if ": " not in line or line.startswith("diversion"):
                continue
            pkgs, path = line.split(": ", 1)
            result[path] = pkgs.split(",")[0].strip().split(":")[0]
    return result


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    deps = [d for d in build_depends(os.path.join(argv[1], "debian", "control")) if d != "debhelper-compat"]
    headers = used_files(argv[1])
    if not headers:
        print("no system header found for the C files of %s" % argv[1])
        return 1
    own = owners(headers)
    unowned = [h for h in headers if h not in own and not re.search(r"/gcc/", h)]
    # Packages each declared dependency covers: itself and what it depends on directly.
    covers = {d: {d} | direct_depends(d) for d in deps}
    used_by_pkg = {}
    for h, p in own.items():
        used_by_pkg.setdefault(p, []).append(h)
    bad = 0
    for p in sorted(used_by_pkg):
        if ESSENTIAL.match(p):
            continue
        if not any(p in c for c in covers.values()):
            print("headers of %s used (%s) but no Build-Depends covers it" % (p, used_by_pkg[p][0]))
            bad += 1
    for d in deps:
        if not any(p in covers[d] and not ESSENTIAL.match(p) for p in used_by_pkg):
            print("Build-Depends %s: none of its headers was used" % d)
            bad += 1
    for h in sorted(unowned):
        print("header %s belongs to no package" % h)
        bad += 1
    print("%d system headers and libraries from %s; Build-Depends: %s" %
          (len(headers), ", ".join(sorted(p for p in used_by_pkg)), ", ".join(deps)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
