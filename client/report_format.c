/* report_format.c -- helpers shared by the report writers. */
#include "report_format.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

json_object *th_report_get(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int th_report_has(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v && !json_object_is_type(v, json_type_null);
}

const char *th_report_str(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v && !json_object_is_type(v, json_type_null) ? json_object_get_string(v) : "";
}

long long th_report_int(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v ? json_object_get_int64(v) : 0;
}

char *th_report_percent(int64_t num, int64_t den, int comma, char *buf, size_t size)
{
    if (den <= 0) {
        buf[0] = '\0';
        return buf;
    }
    /* tenths = round(1000 * num / den), half up, in integers. Numerators
     * are counts of people or units: far below 2^53 / 1000. */
    __int128 tenths = ((__int128)num * 2000 + den) / ((__int128)den * 2);
    snprintf(buf, size, "%lld%c%lld", (long long)(tenths / 10), comma ? ',' : '.', (long long)(tenths % 10));
    return buf;
}

const char *th_report_status(json_object *ind)
{
    if (!strcmp(th_report_str(ind, "kind"), "qualitative")) return _("qualitative");
    json_object *met = th_report_get(ind, "met");
    if (!met || json_object_is_type(met, json_type_null)) return _("no data");
    return json_object_get_boolean(met) ? _("met") : _("not met");
}

const char *th_report_vn_date(const char *iso, char *buf, size_t size)
{
    if (!iso || strlen(iso) != 10) return iso ? iso : "";
    snprintf(buf, size, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    return buf;
}
