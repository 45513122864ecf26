/*
 * portsort.h — port records put in sweep order, in place.
 *
 * Order: address (rs_port_addr_cmp: the set's addr6 pool sorted first),
 * port, the most definite state first (open, closed, filtered, unknown),
 * then the earliest time. In place and O(n log n) worst case (introsort),
 * because the C library's qsort may allocate a copy of the whole array:
 * 2.4 GB more for a sweep of 10^8 records.
 */
#ifndef PORTUS_SWEEP_PORTSORT_H
#define PORTUS_SWEEP_PORTSORT_H

#include <stddef.h>

#include "result_file.h"

void portsort(struct rs_port *v, size_t n);

/* -1, 0, 1 in that order (the tie on time included). */
int portsort_cmp(const struct rs_port *a, const struct rs_port *b);

#endif
