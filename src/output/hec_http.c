/* PLACEHOLDER — replaced by the real writer this session. */
#include "portus.h"
#include "writer.h"

struct writer *writer_hec_http_open(const struct hec_target *t, const struct run_info *ri, char *err, size_t errlen)
{
	(void)t;
	(void)ri;
	portus_err(err, errlen, "hec_http output is not built yet");
	return NULL;
}
