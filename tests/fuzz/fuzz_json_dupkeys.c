/* libFuzzer target: any bytes to the scan for repeated JSON keys, checked
 * against json-c: text json-c's strict parser accepts (as the plan and
 * catalogue files parse it) must be text the scan can follow. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json_dupkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    th_json_dup dup;
    int rc = th_json_find_duplicate_key((const char *)data, size, &dup);
    if (size > 1 << 20) return 0;
    json_tokener *tok = json_tokener_new_ex(32);
    if (!tok) return 0;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
    size_t end = json_tokener_get_parse_end(tok);
    int whole = root && json_tokener_get_error(tok) == json_tokener_success;
    for (size_t k = end; whole && k < size; k++)
        if (data[k] != ' ' && data[k] != '\t' && data[k] != '\n' && data[k] != '\r') whole = 0;
    if (whole && (rc == TH_JSON_MALFORMED || rc == TH_JSON_TOO_DEEP)) abort();
    json_object_put(root);
    json_tokener_free(tok);
    return 0;
}
