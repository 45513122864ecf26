/* portsort.c — port records put in sweep order, in place (see portsort.h). */
#include <stdint.h>

#include "sweep/portsort.h"

/* Address, port and state in one integer: rank (2 bits, rs_port_rank),
 * addr (32), port (16), 3 - state (2: open = 3 sorts first). */
static uint64_t key(const struct rs_port *p)
{
	return (uint64_t)rs_port_rank(p) << 50 | (uint64_t)p->addr << 18 | (uint64_t)p->port << 2 |
	       (uint64_t)(3u - (p->state & 3u));
}

int portsort_cmp(const struct rs_port *a, const struct rs_port *b)
{
	uint64_t ka = key(a), kb = key(b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return (a->time_us > b->time_us) - (a->time_us < b->time_us);
}

static void swap(struct rs_port *a, struct rs_port *b)
{
	struct rs_port t = *a;

	*a = *b;
	*b = t;
}

static void insertion(struct rs_port *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rs_port x = v[i];
		size_t j = i;

		for (; j > 0 && portsort_cmp(&x, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sift_down(struct rs_port *v, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && portsort_cmp(&v[child], &v[child + 1]) < 0)
			child++;
		if (portsort_cmp(&v[root], &v[child]) >= 0)
			return;
		swap(&v[root], &v[child]);
	}
}

static void heapsort(struct rs_port *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		swap(&v[0], &v[end]);
		sift_down(v, 0, end);
	}
}

/* Median of three moved to v[0] as the pivot. */
static void pick_pivot(struct rs_port *v, size_t n)
{
	struct rs_port *a = &v[n / 4], *b = &v[n / 2], *c = &v[n - 1 - n / 4];

	if (portsort_cmp(a, b) > 0)
		swap(a, b);
	if (portsort_cmp(b, c) > 0) {
		swap(b, c);
		if (portsort_cmp(a, b) > 0)
			swap(a, b);
	}
	swap(&v[0], b);
}

static void introsort(struct rs_port *v, size_t n, unsigned depth)
{
	while (n > 16) {
		size_t i = 0, j = n;

		if (depth-- == 0) {
			heapsort(v, n);
			return;
		}
		pick_pivot(v, n);
		/* Hoare partition around v[0]: equal keys spread over both sides,
		 * so runs of equal records do not degrade it. */
		for (;;) {
			do
				i++;
			while (i < n && portsort_cmp(&v[i], &v[0]) < 0);
			do
				j--;
			while (portsort_cmp(&v[j], &v[0]) > 0);
			if (i >= j)
				break;
			swap(&v[i], &v[j]);
		}
		swap(&v[0], &v[j]);
		/* Recurse into the smaller side, loop on the larger: O(log n) stack. */
		if (j < n - j - 1) {
			introsort(v, j, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			introsort(v + j + 1, n - j - 1, depth);
			n = j;
		}
	}
	insertion(v, n);
}

void portsort(struct rs_port *v, size_t n)
{
	unsigned depth = 0;

	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	introsort(v, n, depth);
}
