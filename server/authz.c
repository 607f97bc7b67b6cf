/* authz.c -- who may do what (authz.h). */
#include "authz.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

static const char *const role_names[] = {
    [TH_ROLE_NONE] = "",
    [TH_ROLE_COMMUNE] = "commune",
    [TH_ROLE_DISTRICT] = "district",
    [TH_ROLE_PROVINCE] = "province",
    [TH_ROLE_MINISTRY] = "ministry",
    [TH_ROLE_ADMIN] = "admin",
    [TH_ROLE_LOCAL] = "local",
};

th_role th_role_parse(const char *name)
{
    for (int r = TH_ROLE_COMMUNE; name && r <= TH_ROLE_ADMIN; r++)
        if (!strcmp(name, role_names[r])) return (th_role)r;
    return TH_ROLE_NONE;
}

const char *th_role_name(th_role role)
{
    assert(role >= TH_ROLE_NONE && role <= TH_ROLE_LOCAL);
    return role_names[role];
}

int th_authz_reads_all(const th_identity *who)
{
    return who->role == TH_ROLE_MINISTRY || who->role == TH_ROLE_ADMIN || who->role == TH_ROLE_LOCAL;
}

static int forbid(th_verr *err, const char *field, const char *detail)
{
    err->code = TONGHOP__ERROR__CODE__FORBIDDEN;
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
    return -1;
}

/* The GSO code of a unit key: "26734" or, for a reused code, the part before
 * ".2025-07-01". */
static size_t gso_len(const char *key)
{
    const char *dot = strchr(key, '.');
    return dot ? (size_t)(dot - key) : strlen(key);
}

int th_authz_submit(const th_identity *who, const char *unit, const th_period *period, th_verr *err)
{
    if (who->role == TH_ROLE_LOCAL) return 0;
    size_t n = gso_len(who->unit);
    int submitter =
        who->role == TH_ROLE_COMMUNE || who->role == TH_ROLE_DISTRICT || who->role == TH_ROLE_PROVINCE;
    if (!submitter || strlen(unit) != n || strncmp(unit, who->unit, n) != 0)
        return forbid(err, "submission.unit_code", unit);
    /* A code names, for a quarter, the last unit that held it during the
     * quarter (th_ingest_batch): the key's unit must be that one. The day
     * after the quarter, as text ("2025-10-01"), against the days the code
     * changed hands: */
    char end[32];
    int m = period->quarter * 3 + 1;
    snprintf(end, sizeof end, "%04d-%02d-01", (m > 12 ? period->year + 1 : period->year) % 10000,
             m > 12 ? 1 : m);
    /* ... the key's unit ceased and another took its code during or before
     * the quarter: the code names the other, for which this key does not
     * speak (when the other succeeds the key's unit, the refusal names it:
     * the old Thị trấn Tam Đường's key, 03390, for Xã Bình Lư, 03390 since
     * 1 July 2025, which has a key of its own to enrol); */
    if (who->code_reused_on[0] && strcmp(end, who->code_reused_on) > 0)
        return who->code_heir[0] ? forbid(err, "submission.successor", who->code_heir)
                                 : forbid(err, "submission.period", who->code_reused_on);
    /* ... the key's unit took the code after the quarter from a unit it
     * does not succeed: the code names that unit (Xã Ia Mơ's key, 23737
     * since 1 July 2025, sends nothing for 2025Q2, when 23737 was Xã Ia Mơ
     * Nông, which went into 23734). A successor that kept its
     * predecessor's code (Phường Phú Thủy, 22924 before and after) still
     * sends that predecessor's late quarters. */
    if (who->code_taken_on[0] && strcmp(end, who->code_taken_on) <= 0)
        return forbid(err, "submission.period", who->code_taken_on);
    return 0;
}

int th_authz_admin(const th_identity *who, const char *field, th_verr *err)
{
    if (who->role == TH_ROLE_ADMIN || who->role == TH_ROLE_LOCAL) return 0;
    return forbid(err, field, th_role_name(who->role));
}

/* Runs a query whose first column says allowed ('t') and whose second (if
 * any) names the target. Returns -1 on a database failure. */
static int ask(th_db *db, const char *sql, int nparams, const char *const *params, int *allowed, char *target,
               size_t targetlen, char *dberr, size_t dberrlen)
{
    PGresult *r = th_db_exec_params(db, sql, nparams, params, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        snprintf(dberr, dberrlen, "authorisation: %s", th_db_error(db));
        PQclear(r);
        return -1;
    }
    *allowed = !strcmp(PQgetvalue(r, 0, 0), "t");
    if (target) snprintf(target, targetlen, "%s", PQnfields(r) > 1 ? PQgetvalue(r, 0, 1) : "");
    PQclear(r);
    return 0;
}

int th_authz_read(th_db *db, const th_identity *who, const char *unit, const char *plan_code,
                  const char *period, const char *field, th_verr *err, char *dberr, size_t dberrlen)
{
    if (th_authz_reads_all(who)) return 0;
    const char *p[] = {who->unit, unit, plan_code, period};
    int allowed;
    char target[64];
    if (ask(db, "SELECT allowed, target FROM th_may_read($1, $2, $3, $4)", 4, p, &allowed, target,
            sizeof target, dberr, dberrlen) != 0)
        return -1;
    if (!allowed) forbid(err, field, target);
    return 0;
}

int th_authz_plan_read(th_db *db, const th_identity *who, const char *plan_code, th_verr *err, char *dberr,
                       size_t dberrlen)
{
    if (th_authz_reads_all(who)) return 0;
    const char *p[] = {who->unit, plan_code};
    int allowed;
    if (ask(db, "SELECT th_may_read_plan($1, $2)", 2, p, &allowed, NULL, 0, dberr, dberrlen) != 0) return -1;
    if (!allowed) forbid(err, "plan_code", plan_code);
    return 0;
}

int th_authz_plan_publish(th_db *db, const th_identity *who, const char *plan_json, th_verr *err, char *dberr,
                          size_t dberrlen)
{
    if (who->role == TH_ROLE_ADMIN || who->role == TH_ROLE_LOCAL) return 0;
    if (who->role != TH_ROLE_PROVINCE) {
        forbid(err, "issuer_unit", th_role_name(who->role));
        return 0;
    }
    const char *p[] = {who->unit, plan_json};
    int allowed;
    char target[64];
    if (ask(db, "SELECT allowed, target FROM th_may_publish_plan($1, $2::jsonb)", 2, p, &allowed, target,
            sizeof target, dberr, dberrlen) != 0)
        return -1;
    if (!allowed) forbid(err, "issuer_unit", target);
    return 0;
}
