/*
 * cmocka_filter.c — linked into every unit-test binary (the Makefile wraps
 * _cmocka_run_group_tests with -Wl,--wrap): CMOCKA_TEST_FILTER=PATTERN runs
 * only the test cases whose name matches (cmocka's '*' and '?' wildcards), so
 * one case can be run by name without editing its file:
 *
 *   make unit T=test_options F='*afresh*'
 *   CMOCKA_TEST_FILTER='*stdout*' build/tests/test_options
 *
 * cmocka 1.1 has the filter (cmocka_set_test_filter) but reads no variable
 * for it. Unset or empty: every case runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown)
{
	const char *pattern = getenv("CMOCKA_TEST_FILTER");

	if (pattern != NULL && *pattern != '\0')
		cmocka_set_test_filter(pattern);
	return __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
					      group_teardown);
}
