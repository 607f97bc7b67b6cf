/* report.c -- fetching a report from the database. */
#include "report.h"

#include "doc.h"

static const char SQL_REPORT[] = "SELECT th_report_text($1, $2, $3, $4::boolean, $5::boolean)";

int th_report_fetch(th_db *db, const char *plan, const char *period, const char *unit, int by_child,
                    int approved_only, char **json, th_verr *err, char *dberr, size_t dberrlen)
{
    const char *params[] = {plan, period, unit, by_child ? "true" : "false",
                            approved_only ? "true" : "false"};
    return th_doc_fetch(db, SQL_REPORT, 5, params, json, err, dberr, dberrlen);
}
