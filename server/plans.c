/* plans.c -- publishing and fetching plans. */
#include "plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const char SQL_PLAN_STORE[] =
    "SELECT outcome, err_code, err_field, err_detail, revision FROM th_plan_store($1::jsonb)";
static const char SQL_UNIT_EXISTS[] = "SELECT 1 FROM units WHERE code = $1";
static const char SQL_PLAN_BY_CODE[] =
    "SELECT th_plan_document(id, $2)::text FROM current_plans WHERE code = $1";
static const char SQL_PLANS_FOR_UNIT[] =
    "SELECT th_plan_document(id, $1)::text FROM th_plans_for_unit($1) AS id";

static void db_error(th_db *db, char *dberr, size_t len) { snprintf(dberr, len, "%s", th_db_error(db)); }

int th_plans_store(th_db *db, const char *normalized, th_plan_store_result *out, char *dberr, size_t dberrlen)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {normalized};
    PGresult *r = th_db_exec_params(db, SQL_PLAN_STORE, 1, params, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        db_error(db, dberr, dberrlen);
        PQclear(r);
        return -1;
    }
    const char *outcome = PQgetvalue(r, 0, 0);
    if (strcmp(outcome, "rejected") == 0) {
        out->outcome = TH_PLAN_REJECTED;
        out->err.code = th_wire_error_code(PQgetvalue(r, 0, 1));
        if (!out->err.code) out->err.code = TONGHOP__ERROR__CODE__INTERNAL;
        snprintf(out->err.field, sizeof out->err.field, "%s", PQgetvalue(r, 0, 2));
        snprintf(out->err.detail, sizeof out->err.detail, "%s", PQgetvalue(r, 0, 3));
    } else {
        out->outcome = strcmp(outcome, "stored") == 0 ? TH_PLAN_STORED : TH_PLAN_UNCHANGED;
        out->revision = atoi(PQgetvalue(r, 0, 4));
    }
    PQclear(r);
    return 0;
}

void th_plan_docs_fini(th_plan_docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->docs[i]);
    free(d->docs);
    d->docs = NULL;
    d->n = 0;
}

int th_plans_fetch(th_db *db, const char *plan_code, const char *unit, th_plan_docs *out, th_verr *err,
                   char *dberr, size_t dberrlen)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    PGresult *r;
    if (unit) {
        const char *p[] = {unit};
        r = th_db_exec_params(db, SQL_UNIT_EXISTS, 1, p, NULL, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            db_error(db, dberr, dberrlen);
            PQclear(r);
            return -1;
        }
        int found = PQntuples(r) == 1;
        PQclear(r);
        if (!found) {
            err->code = TONGHOP__ERROR__CODE__UNKNOWN_UNIT;
            snprintf(err->field, sizeof err->field, "unit_code");
            snprintf(err->detail, sizeof err->detail, "%s", unit);
            return 0;
        }
    }
    if (plan_code) {
        const char *p[] = {plan_code, unit};
        r = th_db_exec_params(db, SQL_PLAN_BY_CODE, 2, p, NULL, NULL);
    } else {
        const char *p[] = {unit};
        r = th_db_exec_params(db, SQL_PLANS_FOR_UNIT, 1, p, NULL, NULL);
    }
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        db_error(db, dberr, dberrlen);
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    if (plan_code && n == 0) {
        err->code = TONGHOP__ERROR__CODE__NOT_FOUND;
        snprintf(err->field, sizeof err->field, "plan_code");
        snprintf(err->detail, sizeof err->detail, "%s", plan_code);
    }
    out->docs = calloc((size_t)n + 1, sizeof *out->docs);
    for (int i = 0; out->docs && i < n; i++) {
        out->docs[i] = strdup(PQgetvalue(r, i, 0));
        if (!out->docs[i]) break;
        out->n++;
    }
    PQclear(r);
    if (out->n != (size_t)n) {
        th_plan_docs_fini(out);
        snprintf(dberr, dberrlen, "out of memory");
        return -1;
    }
    return 0;
}
