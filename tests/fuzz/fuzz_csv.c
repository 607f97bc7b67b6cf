/* libFuzzer target: any bytes as a CSV file (results files, unit lists). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    th_csv c;
    th_csv_init(&c, f);
    while (th_csv_next(&c) == 1) {
    }
    fclose(f);
    return 0;
}
