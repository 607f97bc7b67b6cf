/* results_file.h -- reading a commune's results from a CSV file.
 *
 * The file has a header naming its columns, in any order:
 *   indicator,numerator,denominator,value,text
 * or the same in Vietnamese, with or without diacritics: chỉ tiêu (or mã chỉ
 * tiêu), tử số, mẫu số, giá trị, nội dung; names are matched in any case.
 * Only the indicator column is required. A ratio indicator fills numerator
 * and denominator, a count fills value, a qualitative target fills text;
 * empty cells are absent. A row whose value cells are all empty is skipped:
 * that is how a blank form (tonghop form) leaves out an indicator that is
 * not reported; a file with no values at all is refused. Numbers are whole
 * and non-negative, written with digits only (no thousands separators:
 * "1.000" would be ambiguous; no decimals, signs or percentages).
 *
 * Files saved by Excel work as they are: the separator is ',' or ';',
 * decided from the header line (the one found there outside quotes; when
 * both are, the one that splits the header into more known column names,
 * and a header where that does not decide is refused); a UTF-8 byte-order
 * mark and CRLF line ends are accepted; empty trailing cells (Excel pads
 * every row to the sheet's width) are ignored, and so are rows of nothing
 * but separators, but a row with more cells than the header, or a value
 * under a header cell with no name, is refused rather than silently
 * dropped. Lines starting with '#' are comments (not parsed: anything may
 * follow), and so are rows whose first cell starts with '#' (Excel quotes
 * a comment that holds a separator). */
#ifndef TH_RESULTS_FILE_H
#define TH_RESULTS_FILE_H

#include <stddef.h>

#include "wire.h"

#define TH_RESULTS_MAX_BYTES (4 * 1024 * 1024)

typedef struct th_results {
    Tonghop__ResultValue **values; /* n pointers, each owned */
    size_t n;
    int *lines; /* the file line of each value */
} th_results;

enum {
    TH_RESULTS_COL_INDICATOR,
    TH_RESULTS_COL_NUMERATOR,
    TH_RESULTS_COL_DENOMINATOR,
    TH_RESULTS_COL_VALUE,
    TH_RESULTS_COL_TEXT,
    TH_RESULTS_NCOLS
};

/* The column a header cell names (TH_RESULTS_COL_*), or -1: "Tử số",
 * "tu so", "TU  SO" and "numerator" are all TH_RESULTS_COL_NUMERATOR. */
int th_results_column(const char *name);

/* Reads path into *out (zeroed first). Returns 0, or -1 with a message that
 * names the line and the column in err, in the user's language. */
int th_results_read(const char *path, th_results *out, char *err, size_t errlen);

void th_results_fini(th_results *r);

#endif
