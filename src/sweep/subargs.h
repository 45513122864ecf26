/*
 * subargs.h — the command line of `portus merge|diff|report` (subcommands.h),
 * one parser for all three: getopt_long's options with GNU's rules for
 * where they may stand.
 *
 *  - options anywhere among the operands (`portus diff old.json new.json
 *    --expiry-days 30`), operands kept in their order, whatever
 *    POSIXLY_CORRECT says;
 *  - "--" ends the options: everything after it is an operand; "-" is an
 *    operand (stdin);
 *  - --name=VALUE and --name VALUE; -oVALUE and -o VALUE, and -o=VALUE as the
 *    long form writes it (the value is what follows the "=");
 *  - long names may be shortened to any unambiguous prefix (getopt_long);
 *  - an empty value is an error (no option takes one);
 *  - an unknown option, a missing value, a value given to an option that
 *    takes none: one line on stderr, "portus: CMD: --bogus: unknown option
 *    (see portus CMD --help)", and the caller exits 2.
 */
#ifndef PORTUS_SWEEP_SUBARGS_H
#define PORTUS_SWEEP_SUBARGS_H

#include <getopt.h>

#define SUBARGS_DONE (-1)
#define SUBARGS_ERROR (-2)

struct subargs {
	const char *cmd;               /* "diff": messages begin "portus: diff: " */
	const struct option *longopts; /* getopt_long's table; val = the id returned */
	char shortopts[32];            /* "-:" + the caller's short options */
	int argc;
	char **argv;
	int started;
	const char *val; /* the value of the option just returned, else NULL */
	char **ops;      /* after SUBARGS_DONE: the operands, in order */
	int nops;
};

/* shortopts as getopt's ("o:h"); argv[0] is the subcommand's name. The
 * operands are gathered into argv[1..] in their order (argv is permuted, as
 * getopt does: each element stays in it once). */
void subargs_init(struct subargs *a, const char *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts);

/* The next option's id (its longopts val or short letter) with its value in
 * a->val; SUBARGS_DONE once the whole line is read (a->ops, a->nops hold the
 * operands); SUBARGS_ERROR after one line on stderr. */
int subargs_next(struct subargs *a);

#endif
