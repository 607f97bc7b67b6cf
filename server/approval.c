/* approval.c -- calling th_approval_apply and th_approval_history. */
#include "approval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlerr.h"

static const char SQL_APPLY[] =
    "SELECT changed, state, extract(epoch FROM at)::bigint, array_to_string(children_pending, E'\\n'),"
    "       locked_units, unit_code"
    "  FROM th_approval_apply($1, $2, $3, $4::boolean, $5, $6::boolean, $7, $8, $9, NULL)";

static const char SQL_HISTORY[] =
    "SELECT unit_code, unit_name, action, at, actor_key, actor_unit, actor_role, reason, before_children,"
    "       array_to_string(children_pending, E'\\n')"
    "  FROM th_approval_history($1, $2, $3)";

/* Splits "a\nb\nc" (names hold no newline) into a malloc'd array of
 * malloc'd strings; "" gives none. 0, or -1 when out of memory (nothing
 * kept). */
static int split_lines(const char *s, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!*s) return 0;
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == '\n';
    char **v = calloc(count, sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < count; i++) {
        const char *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        v[i] = strndup(s, len);
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return -1;
        }
        s += len + (end != NULL);
    }
    *out = v;
    *n = count;
    return 0;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A database failure, or one of the rules' refusals (a TH code): 0 with err
 * set for a refusal, -1 otherwise. Clears r. */
static int failed(th_db *db, PGresult *r, th_verr *err, char *dberr, size_t dberrlen)
{
    int ours = r && th_sqlerr_from_result(r, err);
    if (!ours) snprintf(dberr, dberrlen, "%s", r ? PQresultErrorMessage(r) : th_db_error(db));
    PQclear(r);
    return ours ? 0 : -1;
}

int th_approval_apply(th_db *db, const th_identity *who, const Tonghop__Approval *q, th_approval_result *res,
                      th_verr *err, char *dberr, size_t dberrlen)
{
    memset(res, 0, sizeof *res);
    memset(err, 0, sizeof *err);
    const char *unit = q->unit_code && *q->unit_code ? q->unit_code : NULL;
    const char *params[] = {q->plan_code,
                            q->period,
                            unit,
                            q->approve ? "true" : "false",
                            q->reason && *q->reason ? q->reason : NULL,
                            q->before_children ? "true" : "false",
                            who->key,
                            who->unit[0] ? who->unit : NULL,
                            th_role_name(who->role)};
    PGresult *r = th_db_exec_params(db, SQL_APPLY, 9, params, NULL, NULL);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        return failed(db, r, err, dberr, dberrlen);
    res->changed = PQgetvalue(r, 0, 0)[0] == 't';
    snprintf(res->state, sizeof res->state, "%s", PQgetvalue(r, 0, 1));
    res->at = atoll(PQgetvalue(r, 0, 2));
    res->locked_units = (unsigned)strtoul(PQgetvalue(r, 0, 4), NULL, 10);
    snprintf(res->unit, sizeof res->unit, "%s", PQgetvalue(r, 0, 5));
    if (split_lines(PQgetvalue(r, 0, 3), &res->pending, &res->npending) != 0) {
        PQclear(r);
        snprintf(dberr, dberrlen, "out of memory");
        return -1;
    }
    PQclear(r);
    return 0;
}

void th_approval_result_fini(th_approval_result *res)
{
    free_lines(res->pending, res->npending);
    res->pending = NULL;
    res->npending = 0;
}

static char *dup_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

int th_approval_history_fetch(th_db *db, const char *plan_code, const char *period, const char *unit,
                              Tonghop__HistoryReply *reply, th_verr *err, char *dberr, size_t dberrlen)
{
    memset(err, 0, sizeof *err);
    const char *params[] = {plan_code, period, unit};
    PGresult *r = th_db_exec_params(db, SQL_HISTORY, 3, params, NULL, NULL);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) return failed(db, r, err, dberr, dberrlen);
    int n = PQntuples(r);
    reply->approvals = calloc((size_t)n + 1, sizeof *reply->approvals);
    for (int i = 0; reply->approvals && i < n; i++) {
        Tonghop__ApprovalEvent *e = calloc(1, sizeof *e);
        if (!e) break;
        tonghop__approval_event__init(e);
        reply->approvals[reply->n_approvals++] = e;
        e->unit_code = dup_or_null(r, i, 0);
        e->unit_name = dup_or_null(r, i, 1);
        e->has_approve = 1;
        e->approve = strcmp(PQgetvalue(r, i, 2), "approve") == 0;
        e->has_at = 1;
        e->at = atoll(PQgetvalue(r, i, 3));
        e->actor_key = dup_or_null(r, i, 4);
        e->actor_unit = dup_or_null(r, i, 5);
        e->actor_role = dup_or_null(r, i, 6);
        e->reason = dup_or_null(r, i, 7);
        e->has_before_children = 1;
        e->before_children = PQgetvalue(r, i, 8)[0] == 't';
        if (split_lines(PQgetvalue(r, i, 9), &e->children_pending, &e->n_children_pending) != 0) break;
    }
    PQclear(r);
    if (!reply->approvals || reply->n_approvals != (size_t)n) {
        snprintf(dberr, dberrlen, "out of memory");
        return -1; /* the caller's th_history_fini frees what was made */
    }
    return 0;
}
