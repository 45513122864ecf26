/* version.c — portus --version with the run-time library versions (version.h). */
#include <ares.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pcap/pcap.h>

#include "portus.h"
#include "version.h"

void portus_print_version(FILE *fp)
{
	fprintf(fp, "portus %s\n", PORTUS_VERSION);
	fprintf(fp, "libpcap: %s\n", pcap_lib_version());
	fprintf(fp, "OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
	fprintf(fp, "c-ares: %s\n", ares_version(NULL));
	fprintf(fp, "libcurl: %s\n", curl_version_info(CURLVERSION_NOW)->version);
}
