/* report.c -- fetching a report from the database. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const char SQL_REPORT[] = "SELECT th_report($1, $2, $3, $4::boolean)::text";

int th_report_fetch(PGconn *conn, const char *plan, const char *period, const char *unit, int by_child,
                    char **json, th_verr *err, char *dberr, size_t dberrlen)
{
    *json = NULL;
    memset(err, 0, sizeof *err);
    const char *params[] = {plan, period, unit, by_child ? "true" : "false"};
    PGresult *r = PQexecParams(conn, SQL_REPORT, 4, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *json = strdup(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!*json) {
            snprintf(dberr, dberrlen, "out of memory");
            return -1;
        }
        return 0;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *what = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (state && !strcmp(state, "P0002") && what) {
        /* th_report's "no such plan" or "no such unit". */
        int is_unit = !strcmp(what, "unit_code");
        err->code = is_unit ? TONGHOP__ERROR__CODE__UNKNOWN_UNIT : TONGHOP__ERROR__CODE__NOT_FOUND;
        snprintf(err->field, sizeof err->field, "%s", is_unit ? "unit_code" : "plan_code");
        snprintf(err->detail, sizeof err->detail, "%s", is_unit ? (unit ? unit : "") : plan);
        PQclear(r);
        return 0;
    }
    snprintf(dberr, dberrlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return -1;
}
