/* report.h -- a plan's report for a period at a unit, as JSON.
 *
 * The numbers are summed by th_report (migrations/rules/40_report.sql) from
 * each unit's maintained values (rules/35_unit_values.sql), which the
 * transaction that stores a submission updates before its ack: a report
 * asked right after an ack includes that submission. The JSON format ("tonghop-report/1") is documented in
 * the README and is what every client format (table, CSV, HTML, ADX, DHIS2) is made from. */
#ifndef TH_REPORT_H
#define TH_REPORT_H

#include <stddef.h>

#include "db.h"
#include "validate.h"

/* period is "2025" or "2025Q3" (checked by the caller); unit NULL means the
 * plan's issuer; approved_only: only approved units' results count. On success returns 0 with *json
 * (malloc'd) set, or 0 with err->code set (NOT_FOUND for the plan, UNKNOWN_UNIT); -1 on a database failure or
 * timeout (dberr). */
int th_report_fetch(th_db *db, const char *plan, const char *period, const char *unit, int by_child,
                    int approved_only, char **json, th_verr *err, char *dberr, size_t dberrlen);

#endif
