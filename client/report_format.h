/* report_format.h -- writing a report (parsed "tonghop-report/1" JSON) in
 * the formats officials and other systems read.
 *
 * report_text.c: a terminal table and CSV; report_html.c: one printable
 * page; report_export.c: IHE ADX XML and DHIS2 dataValueSets JSON. All take
 * the parsed report and write to out; they return 0, or -1 when the report
 * lacks what the format needs. */
#ifndef TH_REPORT_FORMAT_H
#define TH_REPORT_FORMAT_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

int th_report_write_table(FILE *out, json_object *report);
int th_report_write_csv(FILE *out, json_object *report);
int th_report_write_html(FILE *out, json_object *report);
int th_report_write_adx(FILE *out, json_object *report);
int th_report_write_dhis2(FILE *out, json_object *report);

/* Helpers shared by the writers. */
const char *th_report_str(json_object *o, const char *key);
json_object *th_report_get(json_object *o, const char *key);
long long th_report_int(json_object *o, const char *key);
int th_report_has(json_object *o, const char *key); /* present and not null */

/* num/den as a percentage with one decimal, rounded half up from the exact
 * fraction (never from a rounded value): "62.5" (decimal comma in
 * Vietnamese when comma is set). "" when den is 0. */
char *th_report_percent(int64_t num, int64_t den, int comma, char *buf, size_t size);

/* "2025-12-15" as "15/12/2025", the way the documents write dates. */
const char *th_report_vn_date(const char *iso, char *buf, size_t size);

/* The status word of an indicator: met, not met, no data, qualitative. */
const char *th_report_status(json_object *ind);

#endif
