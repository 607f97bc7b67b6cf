/* ingest.c -- group commit of submissions. */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "pgarray.h"

const th_db_stmt th_ingest_stmts[] = {
    {"th_ingest",
     "SELECT outcome, err_code, err_field, err_detail, stored, superseded, stored_at"
     "  FROM th_ingest_submission($1::uuid, $2, $3::int, $4::int, $5, $6::bigint, sha256($7::bytea),"
     "                            $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])",
     12},
};
const size_t th_ingest_nstmts = sizeof th_ingest_stmts / sizeof th_ingest_stmts[0];

static void reject(th_ingest_item *it, int code, const char *field, const char *detail)
{
    it->outcome = TH_INGEST_REJECTED;
    /* An error name the protocol does not know (a migration's typo) must
     * still be an error, never 0, which would read as success. */
    it->err.code = code ? code : TONGHOP__ERROR__CODE__INTERNAL;
    snprintf(it->err.field, sizeof it->err.field, "%s", field ? field : "");
    snprintf(it->err.detail, sizeof it->err.detail, "%s", detail ? detail : "");
}

/* Runs the ingest statement for one item inside the open transaction.
 * Returns 0 when the database answered (the item has an outcome, possibly
 * rejected by a rule), -1 when the statement failed. */
static int ingest_one(th_db *db, th_ingest_item *it)
{
    const Tonghop__Submission *s = it->sub;
    th_pgarray ind, num, den, val, txt;
    th_pgarray_init(&ind);
    th_pgarray_init(&num);
    th_pgarray_init(&den);
    th_pgarray_init(&val);
    th_pgarray_init(&txt);
    for (size_t i = 0; i < s->n_values; i++) {
        const Tonghop__ResultValue *v = s->values[i];
        th_pgarray_add_text(&ind, v->indicator_code);
        th_pgarray_add_int(&num, v->has_numerator, v->numerator);
        th_pgarray_add_int(&den, v->has_denominator, v->denominator);
        th_pgarray_add_int(&val, v->has_value, v->value);
        th_pgarray_add_text(&txt, v->text);
    }
    /* The digest covers what the submission says (unit, period, plan,
     * values), re-packed, without when or by which client version it was
     * made: the same results sent again under the same id are a replay,
     * different results under that id are refused. */
    Tonghop__Submission content = *s;
    content.has_created_at = 0;
    content.client_version = NULL;
    size_t raw_len = tonghop__submission__get_packed_size(&content);
    uint8_t *raw = malloc(raw_len ? raw_len : 1);
    const char *a_ind = th_pgarray_finish(&ind), *a_num = th_pgarray_finish(&num),
               *a_den = th_pgarray_finish(&den), *a_val = th_pgarray_finish(&val),
               *a_txt = th_pgarray_finish(&txt);
    int rc = -1;
    if (!raw || !a_ind || !a_num || !a_den || !a_val || !a_txt) {
        th_error("ingest: out of memory");
        goto out;
    }
    tonghop__submission__pack(&content, raw);

    char year[8], quarter[4], created[24];
    snprintf(year, sizeof year, "%d", it->period.year);
    snprintf(quarter, sizeof quarter, "%d", it->period.quarter);
    snprintf(created, sizeof created, "%lld", (long long)s->created_at);
    const char *params[12] = {s->submission_id,
                              s->unit_code,
                              year,
                              quarter,
                              (s->plan_code && *s->plan_code) ? s->plan_code : NULL,
                              s->has_created_at ? created : NULL,
                              (const char *)raw,
                              a_ind,
                              a_num,
                              a_den,
                              a_val,
                              a_txt};
    int lengths[12] = {0};
    int formats[12] = {0};
    lengths[6] = (int)raw_len;
    formats[6] = 1; /* binary bytea */
    PGresult *r = th_db_exec_prepared(db, "th_ingest", 12, params, lengths, formats);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        th_warn("ingest %s: %s", s->submission_id, th_db_error(db));
        PQclear(r);
        goto out;
    }
    const char *outcome = PQgetvalue(r, 0, 0);
    if (strcmp(outcome, "stored") == 0 || strcmp(outcome, "duplicate") == 0) {
        it->outcome = outcome[0] == 's' ? TH_INGEST_STORED : TH_INGEST_DUPLICATE;
        it->stored = (uint32_t)strtoul(PQgetvalue(r, 0, 4), NULL, 10);
        it->superseded = (uint32_t)strtoul(PQgetvalue(r, 0, 5), NULL, 10);
        it->stored_at = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
    } else {
        reject(it, th_wire_error_code(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    rc = 0;
out:
    free(raw);
    th_pgarray_fini(&ind);
    th_pgarray_fini(&num);
    th_pgarray_fini(&den);
    th_pgarray_fini(&val);
    th_pgarray_fini(&txt);
    return rc;
}

/* One transaction over items[0..n). Returns 0 when committed, -1 on a
 * statement failure (rolled back; connection still usable), -2 when the
 * connection was lost (fate of the commit unknown). Outcomes are only kept
 * when 0 is returned. */
static int run_transaction(th_db *db, th_ingest_item *const *items, size_t n)
{
    PGconn *conn = th_db_ensure(db);
    if (!conn) return -2;
    if (th_db_exec(db, "BEGIN") != 0) return th_db_check_lost(db) ? -2 : -1;
    for (size_t i = 0; i < n; i++) {
        if (ingest_one(db, items[i]) != 0) {
            if (th_db_check_lost(db)) return -2;
            th_db_exec(db, "ROLLBACK");
            return -1;
        }
    }
    if (th_db_exec(db, "COMMIT") != 0) {
        if (th_db_check_lost(db)) return -2;
        th_db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}

static void mark_unavailable(th_ingest_item *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        reject(items[i], TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL);
}

void th_ingest_batch(th_db *db, th_ingest_item *const *items, size_t n)
{
    if (n == 0) return;
    int rc = run_transaction(db, items, n);
    if (rc == 0) return;
    if (rc == -2) {
        th_warn("ingest: %zu submission(s) not stored: %s", n, th_db_error(db));
        mark_unavailable(items, n);
        return;
    }
    /* Some statement failed: isolate it by storing each item alone. */
    th_warn("ingest: batch of %zu failed (%s); retrying one by one", n, th_db_error(db));
    for (size_t i = 0; i < n; i++) {
        items[i]->outcome = TH_INGEST_PENDING;
        rc = run_transaction(db, &items[i], 1);
        if (rc == -2) {
            mark_unavailable(&items[i], n - i);
            return;
        }
        if (rc == -1) {
            th_error("ingest %s: %s", items[i]->sub->submission_id, th_db_error(db));
            reject(items[i], TONGHOP__ERROR__CODE__INTERNAL, NULL, NULL);
        }
    }
}
