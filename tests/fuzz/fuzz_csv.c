/* libFuzzer target: any bytes as a CSV file (results files, unit lists),
 * read as the unit list is (',') and as an Excel results file may be (';',
 * comment lines skipped). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"

static void read_all(const uint8_t *data, size_t size, char delim, int flags)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return;
    th_csv c;
    th_csv_init_ex(&c, f, delim, flags);
    int r;
    while ((r = th_csv_next(&c)) == 1) {
        /* The record's bytes lie within what was read, in order. */
        if (c.start > c.end || c.end > c.pos || c.pos > size || c.nfields < 1 ||
            c.nfields > TH_CSV_MAX_FIELDS)
            abort();
    }
    if (r < 0 && c.error == TH_CSV_OK) abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    read_all(data, size, ',', 0);
    read_all(data, size, ';', TH_CSV_COMMENTS);
    return 0;
}
