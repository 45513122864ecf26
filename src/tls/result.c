/* result.c — freeing a TLS endpoint record and naming its outcome (include/tls_record.h). */
#include <stdlib.h>
#include <string.h>

#include "tls_record.h"

void tls_result_free(struct tls_result *r)
{
	tls_chain_free(&r->certs);
	free(r->http_status.p);
	free(r->http_server.p);
	free(r->ciphers);
	memset(r, 0, sizeof(*r));
}

uint32_t tls_result_findings(const struct tls_result *r)
{
	return tls_checks_findings(&r->checks, r->hsts.present && !r->hsts.valid);
}

const char *tls_version_name(unsigned i)
{
	static const char *const names[TLS_NVERSIONS] = { "TLSv1", "TLSv1.1", "TLSv1.2",
							  "TLSv1.3" };

	return i < TLS_NVERSIONS ? names[i] : NULL;
}

const char *tls_outcome_name(enum tls_outcome o)
{
	switch (o) {
	case TLS_OK:
		return "ok";
	case TLS_REFUSED:
		return "refused";
	case TLS_TIMEOUT:
		return "timeout";
	case TLS_RESET:
		return "reset";
	case TLS_NOT_TLS:
		return "not-tls";
	case TLS_ALERT:
		return "alert";
	case TLS_ERROR:
		return "error";
	}
	return "error"; /* not an enum value: still a valid name */
}
