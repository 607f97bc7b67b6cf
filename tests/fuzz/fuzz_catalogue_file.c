/* libFuzzer target: any text as an indicator catalogue file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "catalogue_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    th_catalogue_file_check((const char *)data, size, &info, &norm, &err);
    free(norm);
    return 0;
}
