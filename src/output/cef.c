/* PLACEHOLDER — replaced by the real writer this session. */
#include "portus.h"
#include "writer.h"

struct writer *writer_cef_open(const char *path, const struct run_info *ri, char *err, size_t errlen)
{
	(void)path;
	(void)ri;
	portus_err(err, errlen, "cef output is not built yet");
	return NULL;
}
