/* libFuzzer target: any text as a plan file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "plan_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    th_plan_info info;
    char *norm = NULL;
    th_verr err;
    th_plan_file_check((const char *)data, size, &info, &norm, &err);
    free(norm);
    return 0;
}
