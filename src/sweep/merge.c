/* PLACEHOLDER — replaced by the real subcommand this session. */
#include <stdio.h>

#include "subcommands.h"

int portus_merge_main(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "portus: %s is not built yet\n", argv[0]);
	return 2;
}
