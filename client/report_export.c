/* report_export.c -- a period's rolled-up values for national systems:
 * IHE ADX XML (namespace urn:ihe:qrph:adx:2015, periods as ISO 8601
 * start/duration: "2025-07-01/P3M") and DHIS2 dataValueSets JSON (periods
 * as DHIS2 writes them: "2025Q3", "2025").
 *
 * One group per organisation unit: the report's unit and each unit below
 * it. A ratio indicator gives two values, told apart by the component
 * (ADX attribute "component", DHIS2 categoryOptionCombo): NUMERATOR and
 * DENOMINATOR; a count gives one value. Qualitative results have no number
 * and are not exported. Units without data are left out. */
#include <string.h>
#include <time.h>

#include "period.h"
#include "report_format.h"

/* Calls fn for each number of one unit's indicators. */
typedef void (*value_fn)(FILE *out, const char *unit, const char *element, const char *component,
                         long long value, void *ctx);

static int each_value(FILE *out, json_object *unit, json_object *inds, value_fn fn, void *ctx)
{
    int n = 0;
    const char *code = th_report_str(unit, "code");
    for (size_t i = 0; inds && i < json_object_array_length(inds); i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        const char *kind = th_report_str(ind, "kind");
        if (!strcmp(kind, "ratio") && th_report_int(ind, "units_reporting") > 0) {
            fn(out, code, th_report_str(ind, "code"), "NUMERATOR", th_report_int(ind, "numerator"), ctx);
            fn(out, code, th_report_str(ind, "code"), "DENOMINATOR", th_report_int(ind, "denominator"), ctx);
            n += 2;
        } else if (!strcmp(kind, "count") && th_report_has(ind, "value")) {
            fn(out, code, th_report_str(ind, "code"), NULL, th_report_int(ind, "value"), ctx);
            n++;
        }
    }
    return n;
}

/* The rows to export: the report's unit, then its children. */
static size_t nrows(json_object *report)
{
    json_object *children = th_report_get(report, "children");
    return 1 + (children && json_object_is_type(children, json_type_array)
                    ? json_object_array_length(children)
                    : 0);
}

static json_object *row(json_object *report, size_t i, json_object **inds)
{
    if (i == 0) {
        *inds = th_report_get(report, "indicators");
        return th_report_get(report, "unit");
    }
    json_object *ch = json_object_array_get_idx(th_report_get(report, "children"), i - 1);
    *inds = th_report_get(ch, "indicators");
    return th_report_get(ch, "unit");
}

static void count_value(FILE *out, const char *unit, const char *element, const char *component,
                        long long value, void *ctx)
{
    (void)out, (void)unit, (void)element, (void)component, (void)value;
    (*(int *)ctx)++;
}

static void adx_value(FILE *out, const char *unit, const char *element, const char *component,
                      long long value, void *ctx)
{
    (void)unit, (void)ctx;
    fputs("    <dataValue dataElement=\"", out);
    th_report_xml_escape(out, element);
    fprintf(out, "\" value=\"%lld\"", value);
    if (component) {
        fputs(" component=\"", out);
        th_report_xml_escape(out, component);
        fputs("\"", out);
    }
    fputs("/>\n", out);
}

static void utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int th_report_write_adx(FILE *out, json_object *report)
{
    th_period p;
    char iso[32], now[32];
    if (th_period_parse(th_report_str(th_report_get(report, "period"), "code"), &p) != 0) return -1;
    th_period_iso(&p, iso, sizeof iso);
    utc_now(now, sizeof now);
    fprintf(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"%s\">\n",
        now);
    int groups = 0;
    for (size_t i = 0; i < nrows(report); i++) {
        json_object *inds, *unit = row(report, i, &inds);
        int n = 0;
        each_value(out, unit, inds, count_value, &n);
        if (n == 0) continue; /* ADX groups need at least one value */
        fputs("  <group orgUnit=\"", out);
        th_report_xml_escape(out, th_report_str(unit, "code"));
        fputs("\" period=\"", out);
        th_report_xml_escape(out, iso);
        fputs("\" dataSet=\"", out);
        th_report_xml_escape(out, th_report_str(th_report_get(report, "plan"), "code"));
        fputs("\">\n", out);
        each_value(out, unit, inds, adx_value, NULL);
        fputs("  </group>\n", out);
        groups++;
    }
    fputs("</adx>\n", out);
    return groups ? 0 : -1;
}

typedef struct dhis2_ctx {
    const char *period;
    int first;
} dhis2_ctx;

static void dhis2_value(FILE *out, const char *unit, const char *element, const char *component,
                        long long value, void *ctx)
{
    dhis2_ctx *c = ctx;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "dataElement", json_object_new_string(element));
    if (component) json_object_object_add(o, "categoryOptionCombo", json_object_new_string(component));
    json_object_object_add(o, "period", json_object_new_string(c->period));
    json_object_object_add(o, "orgUnit", json_object_new_string(unit));
    char v[32];
    snprintf(v, sizeof v, "%lld", value);
    json_object_object_add(o, "value", json_object_new_string(v));
    fprintf(out, "%s    %s", c->first ? "" : ",\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    c->first = 0;
    json_object_put(o);
}

int th_report_write_dhis2(FILE *out, json_object *report)
{
    char now[32];
    utc_now(now, sizeof now);
    dhis2_ctx c = {th_report_str(th_report_get(report, "period"), "code"), 1};
    fprintf(out, "{\n  \"dataSet\": ");
    json_object *ds = json_object_new_string(th_report_str(th_report_get(report, "plan"), "code"));
    fputs(json_object_to_json_string_ext(ds, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), out);
    json_object_put(ds);
    fprintf(out, ",\n  \"completeDate\": \"%.10s\",\n  \"dataValues\": [\n", now);
    for (size_t i = 0; i < nrows(report); i++) {
        json_object *inds, *unit = row(report, i, &inds);
        each_value(out, unit, inds, dhis2_value, &c);
    }
    fputs("\n  ]\n}\n", out);
    return 0;
}
