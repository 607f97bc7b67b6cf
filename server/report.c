/* report.c -- fetching a report from the database. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlerr.h"

static const char SQL_REPORT[] = "SELECT th_report($1, $2, $3, $4::boolean, $5::boolean)::text";

int th_report_fetch(th_db *db, const char *plan, const char *period, const char *unit, int by_child,
                    int approved_only, char **json, th_verr *err, char *dberr, size_t dberrlen)
{
    *json = NULL;
    memset(err, 0, sizeof *err);
    const char *params[] = {plan, period, unit, by_child ? "true" : "false",
                            approved_only ? "true" : "false"};
    PGresult *r = th_db_exec_params(db, SQL_REPORT, 5, params, NULL, NULL);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *json = strdup(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!*json) {
            snprintf(dberr, dberrlen, "out of memory");
            return -1;
        }
        return 0;
    }
    /* th_report's refusals (no such plan, no such unit) come as codes. */
    int ours = th_sqlerr_from_result(r, err);
    if (!ours) snprintf(dberr, dberrlen, "%s", th_db_error(db));
    PQclear(r);
    return ours ? 0 : -1;
}
