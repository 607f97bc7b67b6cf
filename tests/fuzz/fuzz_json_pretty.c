/* libFuzzer target: any bytes to the indenter of `tonghop report --format
 * json` (client/json_pretty.c), which prints what a server sent. Text it
 * accepts must be text json-c's strict parser accepts too, and what it
 * writes must be JSON again, with the same value (json-c compares). */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pretty.h"

/* (Given its terminating NUL, as json-c needs to end a number at the end.) */
static int parse_strict(const char *text, size_t size, json_object **o)
{
    char *z = malloc(size + 1);
    json_tokener *tok = json_tokener_new_ex(300);
    if (!z || !tok) {
        free(z);
        if (tok) json_tokener_free(tok);
        abort(); /* out of memory: not what is tested */
    }
    memcpy(z, text, size);
    z[size] = '\0';
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    *o = json_tokener_parse_ex(tok, z, (int)size + 1); /* (JSON null: NULL) */
    free(z);
    int ok = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return 0;
    int rc = th_json_pretty_write(f, text, size);
    fclose(f);
    if (rc == 0) {
        json_object *in = NULL, *out = NULL;
        if (!parse_strict(text, size, &in) || !parse_strict(buf, n, &out) || !json_object_equal(in, out))
            abort();
        json_object_put(in);
        json_object_put(out);
    } else if (n != 0) {
        abort(); /* refused, yet something was written */
    }
    free(buf);
    return 0;
}
