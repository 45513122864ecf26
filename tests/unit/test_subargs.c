/* test_subargs.c — the merge/diff/report command-line parser (src/sweep/subargs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sweep/subargs.h"

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "expiry-days", required_argument, NULL, 'e' },
	{ "allow-partial", no_argument, NULL, 'p' },
	{ "all-of-it", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct parsed {
	int rc;         /* SUBARGS_DONE or SUBARGS_ERROR */
	char opts[256]; /* "o=x e=30 p " */
	char ops[256];  /* "a b " */
	char err[256];  /* what went to stderr */
};

/* Parses words (NULL-terminated; argv[0] = "diff") and checks that argv is
 * still a permutation of itself. */
static void parse(const char *const *words, struct parsed *r)
{
	char *argv[32], *orig[32];
	int argc = 0, c, saved;
	struct subargs a;
	FILE *tmp = tmpfile();

	assert_non_null(tmp);
	memset(r, 0, sizeof(*r));
	argv[argc++] = strdup("diff");
	for (; *words != NULL; words++)
		argv[argc++] = strdup(*words);
	argv[argc] = NULL;
	memcpy(orig, argv, sizeof(argv));
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	subargs_init(&a, "diff", argc, argv, "o:h", longopts);
	while ((c = subargs_next(&a)) != SUBARGS_DONE && c != SUBARGS_ERROR) {
		size_t n = strlen(r->opts);

		snprintf(r->opts + n, sizeof(r->opts) - n, "%c%s%s ", c, a.val ? "=" : "",
			 a.val ? a.val : "");
	}
	r->rc = c;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	if (fgets(r->err, sizeof(r->err), tmp) == NULL)
		r->err[0] = '\0';
	fclose(tmp);
	if (c == SUBARGS_DONE) {
		assert_ptr_equal(a.ops, argv + 1);
		for (int i = 0; i < a.nops; i++) {
			size_t n = strlen(r->ops);

			snprintf(r->ops + n, sizeof(r->ops) - n, "%s ", a.ops[i]);
		}
	}
	/* Every element still there exactly once (callers free them). */
	for (int i = 0; i < argc; i++) {
		int seen = 0;

		for (int j = 0; j < argc; j++)
			seen += argv[j] == orig[i];
		assert_int_equal(seen, 1);
	}
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_options_anywhere(void **state)
{
	const struct {
		const char *const *words;
		const char *opts, *ops;
	} cases[] = {
		{ W("-o", "x", "old", "new"), "o=x ", "old new " },
		{ W("old", "new", "-o", "x"), "o=x ", "old new " },
		{ W("old", "--expiry-days", "30", "new"), "e=30 ", "old new " },
		{ W("old", "new", "--expiry-days=30"), "e=30 ", "old new " },
		{ W("old", "-ox", "new"), "o=x ", "old new " },
		{ W("old", "-o=x", "new"), "o=x ", "old new " },
		{ W("old", "--output=x", "new"), "o=x ", "old new " },
		{ W("old", "--output==x", "new"), "o==x ", "old new " },
		{ W("old", "-o", "=x", "new"), "o==x ",
		  "old new " }, /* a separate value as given */
		{ W("old", "--out", "x", "new"), "o=x ", "old new " }, /* unambiguous prefix */
		{ W("old", "--allow", "new", "--all-of-it"), "p a ", "old new " },
		{ W("-", "new"), "", "- new " }, /* "-" is stdin */
		{ W("old", "--", "-o", "--bogus"), "", "old -o --bogus " },
		{ W("--", "--"), "", "-- " },
		{ W("a", "-o", "x", "b", "-o", "y", "c"), "o=x o=y ", "a b c " },
		{ W("-h", "old"), "h ", "old " },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed r;

		parse(cases[i].words, &r);
		if (r.rc != SUBARGS_DONE || strcmp(r.opts, cases[i].opts) != 0 ||
		    strcmp(r.ops, cases[i].ops) != 0)
			fail_msg("case %zu: rc %d opts \"%s\" ops \"%s\" err \"%s\"", i, r.rc,
				 r.opts, r.ops, r.err);
	}
}

static void test_posixly_correct_still_permutes(void **state)
{
	struct parsed r;

	(void)state;
	setenv("POSIXLY_CORRECT", "1", 1);
	parse(W("old", "new", "-o", "x"), &r);
	unsetenv("POSIXLY_CORRECT");
	assert_int_equal(r.rc, SUBARGS_DONE);
	assert_string_equal(r.opts, "o=x ");
	assert_string_equal(r.ops, "old new ");
}

static void test_errors_one_line(void **state)
{
	const struct {
		const char *const *words;
		const char *err;
	} cases[] = {
		{ W("old", "new", "--bogus"),
		  "portus: diff: --bogus: unknown option (see portus diff --help)\n" },
		{ W("old", "--bogus=1", "new"),
		  "portus: diff: --bogus: unknown option (see portus diff --help)\n" },
		{ W("old", "new", "-x"),
		  "portus: diff: -x: unknown option (see portus diff --help)\n" },
		{ W("old", "new", "-o"), "portus: diff: -o: missing value\n" },
		{ W("old", "new", "--expiry-days"),
		  "portus: diff: --expiry-days: missing value\n" },
		{ W("old", "new", "--output"), "portus: diff: --output: missing value\n" },
		{ W("--allow-partial=1", "old"), "portus: diff: --allow-partial takes no value\n" },
		{ W("--al", "old"),
		  "portus: diff: --al: ambiguous option (see portus diff --help)\n" },
		{ W("-o", "", "old"), "portus: diff: -o: an empty value\n" },
		{ W("--output=", "old"), "portus: diff: --output: an empty value\n" },
		{ W("-o=", "old"), "portus: diff: -o: an empty value\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed r;

		parse(cases[i].words, &r);
		if (r.rc != SUBARGS_ERROR || strcmp(r.err, cases[i].err) != 0)
			fail_msg("case %zu: rc %d err \"%s\"", i, r.rc, r.err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_posixly_correct_still_permutes),
		cmocka_unit_test(test_errors_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
