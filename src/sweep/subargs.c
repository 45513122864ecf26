/* subargs.c — one command-line parser for merge, diff and report (subargs.h). */
#include <stdio.h>
#include <string.h>

#include "sweep/subargs.h"

void subargs_init(struct subargs *a, const char *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->longopts = longopts;
	a->argc = argc;
	a->argv = argv;
	a->ops = argv + 1;
	/* "-": operands come back in place (code 1), so options may follow
	 * them and POSIXLY_CORRECT cannot stop the scan at the first one;
	 * ":": a missing value is told apart from an unknown option. */
	snprintf(a->shortopts, sizeof(a->shortopts), "-:%s", shortopts);
}

/* The long options whose name starts with name[0..len): exact match first. */
static const struct option *long_match(const struct option *lo, const char *name, size_t len,
				       int *count)
{
	const struct option *found = NULL;

	*count = 0;
	for (; lo->name != NULL; lo++) {
		if (strncmp(lo->name, name, len) != 0)
			continue;
		if (lo->name[len] == '\0') {
			*count = 1;
			return lo;
		}
		found = lo;
		++*count;
	}
	return found;
}

/* One line on stderr for getopt's '?' or ':' on the element argv[at]. */
static int report_error(const struct subargs *a, int at, int c)
{
	const char *elem = at < a->argc ? a->argv[at] : "";
	const char *hint = "see portus";

	if (strncmp(elem, "--", 2) == 0) {
		size_t len = strcspn(elem + 2, "=");
		int count;
		const struct option *lo = long_match(a->longopts, elem + 2, len, &count);

		if (c == ':')
			fprintf(stderr, "portus: %s: --%.*s: missing value\n", a->cmd, (int)len,
				elem + 2);
		else if (count > 1)
			fprintf(stderr, "portus: %s: --%.*s: ambiguous option (%s %s --help)\n",
				a->cmd, (int)len, elem + 2, hint, a->cmd);
		else if (count == 1 && lo->has_arg == no_argument && elem[2 + len] == '=')
			fprintf(stderr, "portus: %s: --%s takes no value\n", a->cmd, lo->name);
		else
			fprintf(stderr, "portus: %s: --%.*s: unknown option (%s %s --help)\n",
				a->cmd, (int)len, elem + 2, hint, a->cmd);
	} else if (c == ':') {
		fprintf(stderr, "portus: %s: -%c: missing value\n", a->cmd, optopt);
	} else if (optopt > 0x20 && optopt < 0x7f) {
		fprintf(stderr, "portus: %s: -%c: unknown option (%s %s --help)\n", a->cmd, optopt,
			hint, a->cmd);
	} else {
		fprintf(stderr, "portus: %s: %s: unknown option (%s %s --help)\n", a->cmd, elem,
			hint, a->cmd);
	}
	return SUBARGS_ERROR;
}

/* Moves argv[k] to argv[t] (t <= k), the elements between one up: argv stays
 * a permutation of itself, as with getopt, so a caller may free each one. */
static void move_down(char **argv, int t, int k)
{
	char *op = argv[k];

	memmove(argv + t + 1, argv + t, (size_t)(k - t) * sizeof(*argv));
	argv[t] = op;
}

int subargs_next(struct subargs *a)
{
	int c, at;

	if (!a->started) {
		optind = 0; /* glibc: start afresh, also after an earlier line */
		opterr = 0;
		a->started = 1;
	}
	a->val = NULL;
	for (;;) {
		at = optind > 0 ? optind : 1;
		c = getopt_long(a->argc, a->argv, a->shortopts, a->longopts, NULL);
		if (c != 1)
			break;
		/* An operand: argv[optind - 1], already passed; getopt no
		 * longer reads the slots it moves through. */
		move_down(a->argv, 1 + a->nops++, optind - 1);
	}
	if (c == -1) {
		/* After "--": the rest are operands. */
		for (int i = optind; i < a->argc; i++)
			move_down(a->argv, 1 + a->nops++, i);
		return SUBARGS_DONE;
	}
	if (c == '?' || c == ':')
		return report_error(a, at, c);
	a->val = optarg;
	/* -o=x, written like --output=x: a value attached to a short option
	 * (not the next element) that starts with '='. */
	if (a->val != NULL && strncmp(a->argv[at], "--", 2) != 0 && a->val[0] == '=' &&
	    !(at + 1 < a->argc && a->val == a->argv[at + 1]))
		a->val++;
	if (a->val != NULL && a->val[0] == '\0') {
		if (strncmp(a->argv[at], "--", 2) == 0)
			fprintf(stderr, "portus: %s: --%.*s: an empty value\n", a->cmd,
				(int)strcspn(a->argv[at] + 2, "="), a->argv[at] + 2);
		else
			fprintf(stderr, "portus: %s: -%c: an empty value\n", a->cmd, c);
		return SUBARGS_ERROR;
	}
	return c;
}
