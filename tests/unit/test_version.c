/* test_version.c — portus --version names portus and the libraries it runs with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ares.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pcap/pcap.h>

#include "portus.h"
#include "version.h"

/* What portus_print_version writes, as one string (caller frees). */
static char *version_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	portus_print_version(fp);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(buf);
	return buf;
}

static void test_version_first_line_is_portus_and_its_version(void **state)
{
	char *s = version_text();

	(void)state;
	assert_true(strncmp(s, "portus " PORTUS_VERSION "\n",
			    strlen("portus " PORTUS_VERSION "\n")) == 0);
	free(s);
}

/* The run-time versions, as the loaded libraries report them, one line each. */
static void test_version_names_runtime_libraries(void **state)
{
	char want[512];
	char *s = version_text();

	(void)state;
	snprintf(want, sizeof(want), "\nlibpcap: %s\n", pcap_lib_version());
	assert_non_null(strstr(s, want));
	snprintf(want, sizeof(want), "\nOpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
	assert_non_null(strstr(s, want));
	snprintf(want, sizeof(want), "\nc-ares: %s\n", ares_version(NULL));
	assert_non_null(strstr(s, want));
	snprintf(want, sizeof(want), "\nlibcurl: %s\n",
		 curl_version_info(CURLVERSION_NOW)->version);
	assert_non_null(strstr(s, want));
	/* Each library line says which library it is, whatever the library's own text. */
	assert_non_null(strstr(s, "libpcap version "));
	assert_non_null(strstr(s, "OpenSSL 3."));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_first_line_is_portus_and_its_version),
		cmocka_unit_test(test_version_names_runtime_libraries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
