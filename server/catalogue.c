/* catalogue.c -- publishing the indicator catalogue. */
#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const char SQL_CATALOGUE_STORE[] = "SELECT outcome, err_code, err_field, err_detail, revision, added, "
                                          "changed FROM th_catalogue_store($1::jsonb)";

int th_catalogue_store(th_db *db, const char *normalized, th_catalogue_store_result *out, char *dberr,
                       size_t dberrlen)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {normalized};
    PGresult *r = th_db_exec_params(db, SQL_CATALOGUE_STORE, 1, params, NULL, NULL);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 7) {
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
            snprintf(dberr, dberrlen, "th_catalogue_store: unexpected result");
        else
            snprintf(dberr, dberrlen, "%s", th_db_error(db));
        PQclear(r);
        return -1;
    }
    const char *outcome = PQgetvalue(r, 0, 0);
    if (strcmp(outcome, "rejected") == 0) {
        out->outcome = TH_CATALOGUE_REJECTED;
        out->err.code = th_wire_error_code(PQgetvalue(r, 0, 1));
        if (!out->err.code) out->err.code = TONGHOP__ERROR__CODE__INTERNAL;
        snprintf(out->err.field, sizeof out->err.field, "%s", PQgetvalue(r, 0, 2));
        snprintf(out->err.detail, sizeof out->err.detail, "%s", PQgetvalue(r, 0, 3));
    } else {
        out->outcome = strcmp(outcome, "stored") == 0 ? TH_CATALOGUE_STORED : TH_CATALOGUE_UNCHANGED;
        out->revision = atoi(PQgetvalue(r, 0, 4));
        out->added = atoi(PQgetvalue(r, 0, 5));
        out->changed = atoi(PQgetvalue(r, 0, 6));
    }
    PQclear(r);
    return 0;
}
