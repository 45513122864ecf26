/*
 * fuzz_reply.c — libFuzzer harness for reply_parse (src/reply.c).
 * Build: clang -fsanitize=fuzzer,address -Iinclude -D_GNU_SOURCE \
 *        tests/fuzz/fuzz_reply.c src/reply.c -o fuzz_reply
 * The input is one captured Ethernet frame; our address is fixed so that
 * the fuzzer can find the accepted paths by copying it from the dictionary
 * of compared values.
 */
#include <stddef.h>
#include <stdint.h>

#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r;

	(void)reply_parse(data, size, 0xc6120001u /* 198.18.0.1 */, &r);
	return 0;
}
