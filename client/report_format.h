/* report_format.h -- writing a report (parsed "tonghop-report/1" JSON) in
 * the formats officials and other systems read.
 *
 * report_text.c: a terminal table and CSV; report_html.c: one printable
 * page; report_export.c: IHE ADX XML and DHIS2 dataValueSets JSON. All take
 * the parsed report and write to out; they return 0, or -1 when the report
 * lacks what the format needs.
 *
 * Everything the writers have in common lives here, once: reading the JSON,
 * the percentage, the comparator's symbol, dates and times in Vietnam, and
 * one escaper per output language (HTML, XML). */
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

/* Reading the JSON. */
const char *th_report_str(json_object *o, const char *key);
json_object *th_report_get(json_object *o, const char *key);
long long th_report_int(json_object *o, const char *key);
int th_report_has(json_object *o, const char *key); /* present and not null */
/* The indicator of an "indicators" array with that code, or NULL (also when
 * inds is not an array). */
json_object *th_report_indicator(json_object *inds, const char *code);

/* The one percentage computation: num/den in tenths of a percent, rounded
 * half up from the exact fraction (never from a rounded value): 5/8 gives
 * 625. -1 when den is 0 or less (no data, never 0%). */
int64_t th_report_tenths(int64_t num, int64_t den);

/* num/den as a percentage with one decimal (th_report_tenths): "62.5", with
 * a decimal comma when comma is set ("62,5"). "" when den is 0. */
char *th_report_percent(int64_t num, int64_t den, int comma, char *buf, size_t size);

/* A decimal written with a point ("45.5", as the server sends it) with a
 * decimal comma when comma is set. Returns buf. */
char *th_report_decimal(const char *text, int comma, char *buf, size_t size);

/* True when the user's language writes decimals with a comma (Vietnamese). */
int th_report_comma(void);

/* The one comparator table: the symbol for a plan's comparator, as the
 * documents print it: ">=" "≥", ">" ">", "=" "=", "<=" "≤". Unknown
 * comparators come back unchanged. (HTML output escapes it like any text.) */
const char *th_report_cmp_symbol(const char *cmp);

/* "2025-12-15" as "15/12/2025", the way the documents write dates; text
 * that is not an ISO date comes back unchanged. */
const char *th_report_vn_date(const char *iso, char *buf, size_t size);

/* A UTC time as the report's generated_at writes it ("2026-11-28T07:05:09Z",
 * seconds and the Z optional) in Vietnam time: UTC+7, no daylight saving,
 * computed here whatever the machine's time zone. Fills date
 * ("28/11/2026") and time ("14:05"); returns 0, or -1 when iso is not such
 * a time (date and time are then empty). */
int th_report_vn_datetime(const char *iso, char *date, size_t dsize, char *time, size_t tsize);

/* The footer line for generated_at in the user's language: "Generated
 * 28/11/2026 14:05 (Vietnam time, UTC+7)" / "Lập lúc 14:05 ngày 28/11/2026
 * (giờ Việt Nam)". Returns buf. */
char *th_report_generated(const char *iso, char *buf, size_t size);

/* The status of an indicator, the one place it is decided: a qualitative
 * target, no data (met absent or null), met, not met. */
typedef enum th_report_status_code {
    TH_REPORT_QUALITATIVE,
    TH_REPORT_NO_DATA,
    TH_REPORT_MET,
    TH_REPORT_NOT_MET
} th_report_status_code;
th_report_status_code th_report_status_of(json_object *ind);

/* The status word of an indicator (th_report_status_of) in the user's
 * language: met, not met, no data, qualitative. */
const char *th_report_status(json_object *ind);

/* A whole number with its thousands grouped by sep, the way Vietnamese
 * documents write them with '.': 1000000 as "1.000.000", -1234 as
 * "-1.234". Returns buf. */
char *th_report_thousands(long long v, char sep, char *buf, size_t size);

/* What a reader must know about a report across a change of the map, one
 * sentence each, in the user's language: the plan's territory when its
 * issuer has ceased, a reporting level that no longer exists, stocks
 * carried from predecessors. Calls emit for each (none for most reports). */
void th_report_notes(json_object *report, void (*emit)(void *ctx, const char *note), void *ctx);

/* The review's flags (migrations/rules/48_review.sql): how many unit values
 * under an indicator are flagged (its "flags", 0 when absent), and the line
 * that says how many values of the report are flagged and how to see them
 * (`tonghop review ...`), in the user's language; NULL when none is. The
 * mark next to a flagged value is TH_REPORT_FLAG_MARK. */
#define TH_REPORT_FLAG_MARK "⚑"
long long th_report_flags(json_object *ind);
const char *th_report_flags_note(json_object *report, char *buf, size_t size);

/* A unit's approval of the plan's period (the report's "approval" object,
 * or a child's) in one short phrase in the user's language: "approved
 * 02/10/2025 09:15 by 593" / "reopened ...: reason" / "not approved" (NULL
 * approval). Returns buf. */
char *th_report_approval_text(json_object *approval, char *buf, size_t size);

/* A child's "units reported / expected" cell: "1/1", and, when the
 * reporters are districts (the report's "communes"), the communes under it
 * that sent results: "1/1 (2/18 communes)". Returns buf. */
char *th_report_child_reported(json_object *report, json_object *child, char *buf, size_t size);

/* True when a unit of children[] has an approval (approved or reopened):
 * only then do the per-unit tables have an approval column. */
int th_report_children_approvals(json_object *children);

/* The escapers, one per output language. HTML: & < > " ' in text and
 * attribute values. XML (ADX): & < > " ' as entities, tab, line feed and
 * carriage return as character references (attribute values keep them), and
 * the control characters XML 1.0 cannot carry as U+FFFD. */
void th_report_html_escape(FILE *out, const char *s);
void th_report_xml_escape(FILE *out, const char *s);

#endif
