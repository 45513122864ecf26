#!/usr/bin/env python3
"""check_manpage.py - the options of the man page against the live --help.

    check_manpage.py options MANPAGE scan=HELP.txt merge=HELP.txt ...
    check_manpage.py list HELP.txt CMD        (the options found in one help text)

For each command (scan = portus itself, merge, diff, report):

  help side  the options `portus [CMD] --help` prints: in the usage line of
             CMD itself, every bracketed [-x ...]; and every line that starts
             with white space then a dash, its first column ("-oJ,
             --output-json FILE ..." gives -oJ and --output-json);
  man side   every .TP entry whose tag line starts with \\fB\\- in that
             command's part of the page: section OPTIONS for the scan,
             subsection "portus CMD" of SUBCOMMANDS for CMD; the tag's bold
             words that start with a dash are its names.

An option on one side and not on the other is one line each; exit 1 if any.
Options named only in descriptions (on either side) do not count.
"""
import re
import sys

SUBCOMMANDS = ("merge", "diff", "report")
OPT_RE = re.compile(r"^-{1,2}[A-Za-z0-9][A-Za-z0-9-]*$")


def help_options(text, cmd):
    """The option names of one --help text (see the module's doc)."""
    opts = set()
    usage_re = re.compile(r"^\s*(?:usage:)?\s*portus(?:\s+(\S+))?(.*)$")
    for line in text.splitlines():
        m = usage_re.match(line)
        if m and line.lstrip().startswith(("usage:", "portus")):
            word = m.group(1)
            this = (word == cmd) if cmd != "scan" else (word is None or word not in SUBCOMMANDS)
            if this:
                for br in re.findall(r"\[([^\]]*)\]", line):
                    for alt in br.split("|"):
                        first = alt.strip().split()
                        if first and OPT_RE.match(first[0].split("=")[0]):
                            opts.add(first[0].split("=")[0])
            continue
        m = re.match(r"^\s+(-[^\s,]+(?:,\s*-[^\s,]+)*)", line)
        if m:
            for name in m.group(1).split(","):
                name = name.strip().split("=")[0]
                if OPT_RE.match(name):
                    opts.add(name)
    return opts


def roff_plain(s):
    """A roff line as text: escapes for dashes and spaces undone, fonts kept as markers."""
    return s.replace("\\-", "-").replace("\\(dq", '"').replace("\\&", "").replace("\\ ", " ")


def man_options(path):
    """{command: {option names}} of the .TP tags, by the section they stand in."""
    found = {c: set() for c in ("scan",) + SUBCOMMANDS}
    where = {c: {} for c in found}
    cmd = None
    lines = open(path, encoding="ascii").read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            title = line[3:].strip().strip('"')
            cmd = "scan" if title == "OPTIONS" else None
            in_sub = title == "SUBCOMMANDS"
            continue
        if line.startswith(".SS"):
            title = line[3:].strip().strip('"')
            m = re.match(r"portus (\w+)$", title)
            if m and m.group(1) in SUBCOMMANDS and in_sub:
                cmd = m.group(1)
            elif cmd != "scan":
                cmd = None
            continue
        if line.strip() == ".TP" and cmd is not None and i + 1 < len(lines):
            tag = lines[i + 1]
            if not tag.startswith("\\fB\\-"):
                continue
            for bold in re.findall(r"\\fB(.*?)\\f[RIP]", tag):
                name = roff_plain(bold)
                if OPT_RE.match(name):
                    found[cmd].add(name)
                    where[cmd][name] = i + 2
    return found, where


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        text = open(argv[2], encoding="utf-8").read()
        for o in sorted(help_options(text, argv[3])):
            print(o)
        return 0
    if len(argv) < 4 or argv[1] != "options":
        sys.stderr.write(__doc__)
        return 2
    man, where = man_options(argv[2])
    bad = 0
    for arg in argv[3:]:
        cmd, path = arg.split("=", 1)
        helped = help_options(open(path, encoding="utf-8").read(), cmd)
        if not helped:
            print("%s: no option found in its --help (%s): the parser is out of date" % (cmd, path))
            bad += 1
        label = "portus" if cmd == "scan" else "portus " + cmd
        for o in sorted(helped - man[cmd]):
            print("%s %s: in --help, not in the man page" % (label, o))
            bad += 1
        for o in sorted(man[cmd] - helped):
            print("%s %s: in the man page (line %d), not in --help" % (label, o, where[cmd][o]))
            bad += 1
        print("%s: %d options in --help, %d in the man page" % (label, len(helped), len(man[cmd])))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
