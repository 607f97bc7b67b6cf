/* results_file.h -- reading a commune's results from a CSV file.
 *
 * The file has a header naming its columns, in any order:
 *   indicator,numerator,denominator,value,text
 * Only "indicator" is required. A ratio indicator fills numerator and
 * denominator, a count fills value, a qualitative target fills text; empty
 * cells are absent. Numbers are whole and non-negative, written with digits
 * only (no thousands separators: "1.000" would be ambiguous). Lines starting
 * with '#' are comments. */
#ifndef TH_RESULTS_FILE_H
#define TH_RESULTS_FILE_H

#include <stddef.h>

#include "wire.h"

typedef struct th_results {
    Tonghop__ResultValue **values; /* n pointers, each owned */
    size_t n;
    int *lines; /* the file line of each value */
} th_results;

/* Reads path into *out (zeroed first). Returns 0, or -1 with a message that
 * names the line and the column in err, in the user's language. */
int th_results_read(const char *path, th_results *out, char *err, size_t errlen);

void th_results_fini(th_results *r);

#endif
