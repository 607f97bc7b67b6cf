/* ingest.c -- group commit of submissions. */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "pgarray.h"
#include "stats_refresh.h"

const th_db_stmt th_ingest_stmts[] = {
    {"th_ingest_batch",
     "SELECT idx, outcome, err_code, err_field, err_detail, stored, superseded, stored_at"
     "  FROM th_ingest_batch($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::bigint[], "
     "$7::text[],"
     "                       $8::int[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], "
     "$13::text[])",
     13},
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

/* The digest covers what the submission says (unit, period, plan, values),
 * re-packed, without when or by which client version it was made: the same
 * results sent again under the same id are a replay, different results
 * under that id are refused. Adds its packed bytes, in hex, to arr (the
 * database hashes them). Returns 0, or -1 when out of memory. */
static int add_content_hex(th_pgarray *arr, const Tonghop__Submission *s)
{
    Tonghop__Submission content = *s;
    content.has_created_at = 0;
    content.client_version = NULL;
    size_t len = tonghop__submission__get_packed_size(&content);
    uint8_t *raw = malloc(len ? len : 1);
    char *hex = malloc(2 * len + 1);
    if (!raw || !hex) {
        free(raw);
        free(hex);
        return -1;
    }
    tonghop__submission__pack(&content, raw);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[raw[i] >> 4];
        hex[2 * i + 1] = digits[raw[i] & 15];
    }
    hex[2 * len] = '\0';
    th_pgarray_add_text(arr, hex);
    free(raw);
    free(hex);
    return 0;
}

enum {
    A_ID,
    A_UNIT,
    A_YEAR,
    A_QUARTER,
    A_PLAN,
    A_CREATED,
    A_RAW,
    A_VSUB,
    A_VIND,
    A_VNUM,
    A_VDEN,
    A_VVAL,
    A_VTXT,
    A_N
};

/* Runs th_ingest_batch over items[0..n) inside the open transaction (no id,
 * and no unit and quarter, twice among them). Returns 0 when the database
 * answered (each item has an outcome, possibly rejected by a rule), -1
 * when the statement failed. */
static int ingest_round(th_db *db, th_ingest_item *const *items, size_t n)
{
    th_pgarray a[A_N];
    for (int c = 0; c < A_N; c++)
        th_pgarray_init(&a[c]);
    int rc = -1, oom = 0;
    for (size_t k = 0; k < n; k++) {
        const Tonghop__Submission *s = items[k]->sub;
        th_pgarray_add_text(&a[A_ID], s->submission_id);
        th_pgarray_add_text(&a[A_UNIT], s->unit_code);
        th_pgarray_add_int(&a[A_YEAR], 1, items[k]->period.year);
        th_pgarray_add_int(&a[A_QUARTER], 1, items[k]->period.quarter);
        th_pgarray_add_text(&a[A_PLAN], (s->plan_code && *s->plan_code) ? s->plan_code : NULL);
        th_pgarray_add_int(&a[A_CREATED], s->has_created_at, s->created_at);
        oom |= add_content_hex(&a[A_RAW], s) != 0;
        for (size_t i = 0; i < s->n_values; i++) {
            const Tonghop__ResultValue *v = s->values[i];
            th_pgarray_add_int(&a[A_VSUB], 1, (int64_t)k + 1);
            th_pgarray_add_text(&a[A_VIND], v->indicator_code);
            th_pgarray_add_int(&a[A_VNUM], v->has_numerator, v->numerator);
            th_pgarray_add_int(&a[A_VDEN], v->has_denominator, v->denominator);
            th_pgarray_add_int(&a[A_VVAL], v->has_value, v->value);
            th_pgarray_add_text(&a[A_VTXT], v->text);
        }
    }
    const char *params[A_N];
    for (int c = 0; c < A_N; c++)
        oom |= (params[c] = th_pgarray_finish(&a[c])) == NULL;
    if (oom) {
        th_error("ingest: out of memory");
        goto out;
    }
    PGresult *r = th_db_exec_prepared(db, "th_ingest_batch", A_N, params, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || (size_t)PQntuples(r) != n) {
        th_warn("ingest: a round of %zu: %s", n, th_db_error(db));
        PQclear(r);
        goto out;
    }
    for (int row = 0; row < PQntuples(r); row++) {
        long idx = strtol(PQgetvalue(r, row, 0), NULL, 10);
        if (idx < 1 || (size_t)idx > n) { /* (th_ingest_batch numbers its rows 1..n: a changed rule file) */
            th_error("ingest: a round of %zu answered for submission %ld", n, idx);
            PQclear(r);
            goto out;
        }
        th_ingest_item *it = items[idx - 1];
        const char *outcome = PQgetvalue(r, row, 1);
        if (strcmp(outcome, "stored") == 0 || strcmp(outcome, "duplicate") == 0) {
            it->outcome = outcome[0] == 's' ? TH_INGEST_STORED : TH_INGEST_DUPLICATE;
            it->stored = (uint32_t)strtoul(PQgetvalue(r, row, 5), NULL, 10);
            it->superseded = (uint32_t)strtoul(PQgetvalue(r, row, 6), NULL, 10);
            it->stored_at = strtoll(PQgetvalue(r, row, 7), NULL, 10);
        } else {
            reject(it, th_wire_error_code(PQgetvalue(r, row, 2)), PQgetvalue(r, row, 3),
                   PQgetvalue(r, row, 4));
        }
    }
    PQclear(r);
    rc = 0;
out:
    for (int c = 0; c < A_N; c++)
        th_pgarray_fini(&a[c]);
    return rc;
}

/* Whether two submissions must go to different rounds: the same id (a
 * resend, whose outcome depends on the first), or the same unit and
 * quarter (a correction, which supersedes the first in order). */
static int conflict(const th_ingest_item *x, const th_ingest_item *y)
{
    if (!strcmp(x->sub->submission_id, y->sub->submission_id)) return 1;
    return x->period.year == y->period.year && x->period.quarter == y->period.quarter &&
           !strcmp(x->sub->unit_code, y->sub->unit_code);
}

/* Stores items[0..n) in rounds inside the open transaction: an item goes
 * one round after the last earlier item it conflicts with, so each round
 * is one statement and the outcomes are those of storing them one by one,
 * in order. Nearly always a single round. Returns 0, or -1 when a
 * statement failed. */
static int ingest_rounds(th_db *db, th_ingest_item *const *items, size_t n)
{
    size_t *round = calloc(n, sizeof *round);
    th_ingest_item **sel = calloc(n, sizeof *sel);
    int rc = -1;
    if (!round || !sel) {
        th_error("ingest: out of memory");
        goto out;
    }
    size_t rounds = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (round[j] + 1 > round[i] && conflict(items[i], items[j])) round[i] = round[j] + 1;
        if (round[i] + 1 > rounds) rounds = round[i] + 1;
    }
    for (size_t r = 0; r < rounds; r++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (round[i] == r) sel[m++] = items[i];
        if (ingest_round(db, sel, m) != 0) goto out;
    }
    rc = 0;
out:
    free(round);
    free(sel);
    return rc;
}

/* For the stored (or already stored) items that name a plan: the deadline
 * that applies to them and whether they came after it. Nothing at all when
 * none names a plan. Returns 0, or -1 when the statement failed. */
static int note_lateness(th_db *db, th_ingest_item *const *items, size_t n)
{
    th_pgarray ids;
    th_pgarray_init(&ids);
    size_t asked = 0;
    for (size_t i = 0; i < n; i++) {
        th_ingest_item *it = items[i];
        it->late = 0;
        it->deadline[0] = '\0';
        if ((it->outcome == TH_INGEST_STORED || it->outcome == TH_INGEST_DUPLICATE) && it->sub->plan_code &&
            *it->sub->plan_code) {
            th_pgarray_add_text(&ids, it->sub->submission_id);
            asked++;
        }
    }
    int rc = 0;
    const char *param = asked ? th_pgarray_finish(&ids) : NULL;
    if (asked && !param) {
        th_error("ingest: out of memory");
        rc = -1;
    } else if (asked) {
        PGresult *r = th_db_exec_params(
            db, "SELECT id, late, deadline FROM th_submission_lateness($1::uuid[])", 1, &param, NULL, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            th_warn("ingest: lateness of %zu submission(s): %s", asked, th_db_error(db));
            rc = -1;
        }
        for (int row = 0; rc == 0 && row < PQntuples(r); row++) {
            const char *id = PQgetvalue(r, row, 0);
            for (size_t i = 0; i < n; i++) {
                th_ingest_item *it = items[i];
                if (strcmp(it->sub->submission_id, id) != 0) continue;
                it->late = !strcmp(PQgetvalue(r, row, 1), "t");
                snprintf(it->deadline, sizeof it->deadline, "%s", PQgetvalue(r, row, 2));
            }
        }
        PQclear(r);
    }
    th_pgarray_fini(&ids);
    return rc;
}

/* Rolls back after a failed statement, keeping its SQLSTATE in state. */
static int roll_back(th_db *db, char state[6])
{
    snprintf(state, 6, "%s", th_db_sqlstate(db));
    th_db_exec(db, "ROLLBACK");
    return -1;
}

/* One transaction over items[0..n). Returns 0 when committed, -1 on a
 * statement failure (rolled back; connection still usable; the failed
 * statement's SQLSTATE in state), -2 when the connection was lost (fate of
 * the commit unknown). Outcomes are only kept when 0 is returned. */
static int run_transaction(th_db *db, th_ingest_item *const *items, size_t n, char state[6])
{
    state[0] = '\0';
    PGconn *conn = th_db_ensure(db);
    if (!conn) return -2;
    /* (A transaction left open by a failure elsewhere would make BEGIN, and
     * every batch after it, fail: it is ended first.) */
    if (PQtransactionStatus(conn) != PQTRANS_IDLE && th_db_exec(db, "ROLLBACK") != 0 && th_db_check_lost(db))
        return -2;
    if (th_db_exec(db, "BEGIN") != 0) return th_db_check_lost(db) ? -2 : roll_back(db, state);
    if (ingest_rounds(db, items, n) != 0 || note_lateness(db, items, n) != 0)
        return th_db_check_lost(db) ? -2 : roll_back(db, state);
    if (th_db_exec(db, "COMMIT") != 0) return th_db_check_lost(db) ? -2 : roll_back(db, state);
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
    char state[6];
    int rc = run_transaction(db, items, n, state);
    if (rc == 0) {
        long values = 0;
        for (size_t i = 0; i < n; i++)
            if (items[i]->outcome == TH_INGEST_STORED) values += items[i]->stored;
        th_stats_note_stored(values);
        return;
    }
    if (rc == -2) {
        th_warn("ingest: %zu submission(s) not stored: %s", n, th_db_error(db));
        mark_unavailable(items, n);
        return;
    }
    /* Some statement failed: isolate it by storing each item alone. */
    th_warn("ingest: batch of %zu failed (%s); retrying one by one", n, th_db_error(db));
    for (size_t i = 0; i < n; i++) {
        /* A deadlock, or the same id being stored by the other worker at
         * the same moment (under another unit: 23505 once it committed),
         * is tried once more: then it is stored, or DUPLICATE / ID_REUSED.
         * A second such failure is UNAVAILABLE (the client sends it again
         * later), never INTERNAL. */
        int tries = 0, again;
        do {
            items[i]->outcome = TH_INGEST_PENDING;
            rc = run_transaction(db, &items[i], 1, state);
            again = rc == -1 && (th_db_state_retryable(state) || !strcmp(state, "23505"));
        } while (again && ++tries < 2);
        if (rc == -2) {
            mark_unavailable(&items[i], n - i);
            return;
        }
        if (rc == -1 && again) {
            th_warn("ingest %s: %s (twice): answered UNAVAILABLE", items[i]->sub->submission_id,
                    th_db_error(db));
            reject(items[i], TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL);
        } else if (rc == -1) {
            th_error("ingest %s: %s", items[i]->sub->submission_id, th_db_error(db));
            reject(items[i], TONGHOP__ERROR__CODE__INTERNAL, NULL, NULL);
        }
        if (rc == 0 && items[i]->outcome == TH_INGEST_STORED) th_stats_note_stored(items[i]->stored);
    }
}
