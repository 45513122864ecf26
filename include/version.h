/*
 * version.h — what `portus --version` prints: portus's own version, then the
 * version each library reports at run time (the shared objects actually
 * loaded, which may differ from the headers portus was built against).
 */
#ifndef PORTUS_VERSION_H
#define PORTUS_VERSION_H

#include <stdio.h>

/*
 * Writes to fp:
 *   portus 0.1.0
 *   libpcap: libpcap version 1.10.3 (with TPACKET_V3)    pcap_lib_version()
 *   OpenSSL: OpenSSL 3.0.15 3 Sep 2024                   OpenSSL_version(OPENSSL_VERSION)
 *   c-ares: 1.18.1                                       ares_version(NULL)
 *   libcurl: 7.88.1                                      curl_version_info()->version
 * The first line is exactly "portus " PORTUS_VERSION.
 */
void portus_print_version(FILE *fp);

#endif
