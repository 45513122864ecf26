/*
 * jsonread.h — a small strict JSON reader (RFC 8259) for one line of a result
 * file: whole-document parse into a tree held in one arena.
 *
 * Strict: exactly one value, only JSON whitespace around it; raw bytes must be
 * valid UTF-8 (no overlongs, no encoded surrogates, nothing above U+10FFFF)
 * and no raw control character inside strings; \u escapes must pair
 * surrogates (a lone one is an error); "\u0000" becomes U+FFFD so strings stay
 * whole C strings; a key repeated in one object is an error (RFC 8259 leaves
 * it undefined, and the two readers of a file must not disagree on the value);
 * nesting deeper than JR_MAX_DEPTH, more than JR_MAX_MEMBERS keys in one
 * object, or a number outside the double range are errors.
 *
 * Numbers keep both readings: `d` (strtod) and, when the text is an integer
 * (no fraction, no exponent) within +-(2^64-1), `is_int` with sign + magnitude,
 * so a uint64 seed and an int64 day count both survive exactly.
 */
#ifndef PORTUS_SWEEP_JSONREAD_H
#define PORTUS_SWEEP_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

#define JR_MAX_DEPTH 16
#define JR_MAX_MEMBERS 256

enum jr_type { JR_NULL, JR_FALSE, JR_TRUE, JR_NUMBER, JR_STRING, JR_ARRAY, JR_OBJECT };

struct jr_value {
	enum jr_type type;
	const char *key;        /* member name when inside an object, else NULL */
	struct jr_value *next;  /* next element / member of the parent */
	struct jr_value *child; /* first element / member (arrays, objects) */
	size_t n;               /* elements / members (arrays, objects) */
	const char *s;          /* JR_STRING: NUL-terminated UTF-8 */
	size_t len;             /* JR_STRING: bytes, without the NUL */
	double d;               /* JR_NUMBER */
	int is_int, neg;        /* JR_NUMBER: an integer, negative */
	uint64_t mag;           /* JR_NUMBER with is_int: absolute value */
};

struct jr_chunk;

/* Owns every node and string of one parsed document. */
struct jr_doc {
	struct jr_chunk *chunks;
	struct jr_value *root;
};

/*
 * Parses text[0..len) (need not be NUL-terminated; a NUL byte is an error).
 * Returns 0 with doc->root set, or -1 with err ("byte 17: what") — also on
 * allocation failure. Either way jr_free(doc) releases it; doc needs no
 * initialisation before.
 */
int jr_parse(struct jr_doc *doc, const char *text, size_t len, char *err, size_t errlen);

void jr_free(struct jr_doc *doc);

/* The member named key of an object, or NULL (also when o is not an object). */
const struct jr_value *jr_get(const struct jr_value *o, const char *key);

/* Integer value in [lo, hi] into *out: 0, or -1 if v is not such an integer. */
int jr_int(const struct jr_value *v, int64_t lo, int64_t hi, int64_t *out);
/* Unsigned 64-bit integer: 0, or -1. */
int jr_u64(const struct jr_value *v, uint64_t *out);

#endif
