/* history.c -- the history of one (unit, indicator, quarter). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_HISTORY[] =
    "SELECT v.submission_id, extract(epoch FROM s.received_at)::bigint,"
    "       v.numerator, v.denominator, v.value, v.text,"
    "       c.submission_id IS NOT NULL, extract(epoch FROM s.client_created_at)::bigint, s.plan_code"
    "  FROM result_values v"
    "  JOIN submissions s ON s.id = v.submission_id"
    "  LEFT JOIN current_results c ON c.unit_code = v.unit_code AND c.indicator_code = v.indicator_code"
    "       AND c.year = v.year AND c.quarter = v.quarter AND c.submission_id = v.submission_id"
    " WHERE v.unit_code = th_unit_key_in($1, $3::int, $4::int) AND v.indicator_code = $2"
    "   AND v.year = $3::int AND v.quarter = $4::int"
    " ORDER BY s.received_at, v.submission_id";

static char *dup_or_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

int th_history_fetch(th_db *db, const Tonghop__HistoryQuery *q, Tonghop__HistoryReply *reply, th_verr *err,
                     char *dberr, size_t dberrlen)
{
    tonghop__history_reply__init(reply);
    memset(err, 0, sizeof *err);
    th_period p;
    if (!q->unit_code || !th_validate_code(q->unit_code)) {
        err->code = q->unit_code ? TONGHOP__ERROR__CODE__INVALID_VALUE : TONGHOP__ERROR__CODE__MISSING_FIELD;
        snprintf(err->field, sizeof err->field, "unit_code");
        return 0;
    }
    if (!q->indicator_code || !th_validate_code(q->indicator_code)) {
        err->code =
            q->indicator_code ? TONGHOP__ERROR__CODE__INVALID_VALUE : TONGHOP__ERROR__CODE__MISSING_FIELD;
        snprintf(err->field, sizeof err->field, "indicator_code");
        return 0;
    }
    if (!q->period || th_period_parse(q->period, &p) != 0 || !p.quarter) {
        err->code = TONGHOP__ERROR__CODE__BAD_PERIOD;
        snprintf(err->field, sizeof err->field, "period");
        return 0;
    }
    char year[8], quarter[4];
    snprintf(year, sizeof year, "%d", p.year);
    snprintf(quarter, sizeof quarter, "%d", p.quarter);
    const char *params[] = {q->unit_code, q->indicator_code, year, quarter};
    PGresult *r = th_db_exec_params(db, SQL_HISTORY, 4, params, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(dberr, dberrlen, "%s", th_db_error(db));
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    reply->entries = calloc((size_t)n + 1, sizeof *reply->entries);
    for (int i = 0; reply->entries && i < n; i++) {
        Tonghop__HistoryEntry *e = calloc(1, sizeof *e);
        Tonghop__ResultValue *v = calloc(1, sizeof *v);
        if (!e || !v) {
            free(e);
            free(v);
            break;
        }
        tonghop__history_entry__init(e);
        tonghop__result_value__init(v);
        e->submission_id = dup_or_null(r, i, 0);
        e->has_stored_at = 1;
        e->stored_at = atoll(PQgetvalue(r, i, 1));
        v->indicator_code = strdup(q->indicator_code);
        if ((v->has_numerator = !PQgetisnull(r, i, 2))) v->numerator = atoll(PQgetvalue(r, i, 2));
        if ((v->has_denominator = !PQgetisnull(r, i, 3))) v->denominator = atoll(PQgetvalue(r, i, 3));
        if ((v->has_value = !PQgetisnull(r, i, 4))) v->value = atoll(PQgetvalue(r, i, 4));
        v->text = dup_or_null(r, i, 5);
        e->value = v;
        e->has_current = 1;
        e->current = PQgetvalue(r, i, 6)[0] == 't';
        if ((e->has_created_at = !PQgetisnull(r, i, 7))) e->created_at = atoll(PQgetvalue(r, i, 7));
        e->plan_code = dup_or_null(r, i, 8);
        reply->entries[reply->n_entries++] = e;
    }
    PQclear(r);
    if (!reply->entries || reply->n_entries != (size_t)n) {
        th_history_fini(reply);
        snprintf(dberr, dberrlen, "out of memory");
        return -1;
    }
    return 0;
}

void th_history_fini(Tonghop__HistoryReply *reply)
{
    for (size_t i = 0; i < reply->n_entries; i++) {
        Tonghop__HistoryEntry *e = reply->entries[i];
        if (e->value) {
            free(e->value->indicator_code);
            free(e->value->text);
            free(e->value);
        }
        free(e->submission_id);
        free(e->plan_code);
        free(e);
    }
    free(reply->entries);
    reply->entries = NULL;
    reply->n_entries = 0;
    for (size_t i = 0; i < reply->n_approvals; i++) {
        Tonghop__ApprovalEvent *e = reply->approvals[i];
        free(e->unit_code);
        free(e->unit_name);
        free(e->actor_key);
        free(e->actor_unit);
        free(e->actor_role);
        free(e->reason);
        for (size_t j = 0; j < e->n_children_pending; j++)
            free(e->children_pending[j]);
        free(e->children_pending);
        free(e);
    }
    free(reply->approvals);
    reply->approvals = NULL;
    reply->n_approvals = 0;
}
