/* onlink.c — targets on the scanner's own subnet, reached by their own MACs. */
#include <stdlib.h>

#include "engine.h"

struct onlink_host *onlink_find(const struct engine *e, uint32_t ip)
{
	size_t lo = 0, hi = e->nonlink;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->onlink[mid].ip < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nonlink && e->onlink[lo].ip == ip ? &e->onlink[lo] : NULL;
}
