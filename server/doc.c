/* doc.c -- a JSON document computed by a rules function (see doc.h). */
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlerr.h"

int th_doc_fetch(th_db *db, const char *sql, int n, const char *const *params, char **json, th_verr *err,
                 char *dberr, size_t dberrlen)
{
    *json = NULL;
    memset(err, 0, sizeof *err);
    PGresult *r = th_db_exec_params(db, sql, n, params, NULL, NULL);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1) {
        *json = strdup(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!*json) {
            snprintf(dberr, dberrlen, "out of memory");
            return -1;
        }
        return 0;
    }
    /* The rules' refusals (no such plan, no such unit, ...) come as codes. */
    int ours = th_sqlerr_from_result(r, err);
    if (!ours) snprintf(dberr, dberrlen, "%s", th_db_error(db));
    PQclear(r);
    return ours ? 0 : -1;
}
