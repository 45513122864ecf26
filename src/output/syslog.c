/* PLACEHOLDER — replaced by the real writer this session. */
#include "portus.h"
#include "writer.h"

struct writer *writer_syslog_open(const char *url, const struct run_info *ri, char *err, size_t errlen)
{
	(void)url;
	(void)ri;
	portus_err(err, errlen, "syslog output is not built yet");
	return NULL;
}
