/* handle_due.c -- what is due for a unit and below it (DueQuery): per plan,
 * the deadline, the time left, who has not reported and who was late.
 *
 * The answer is th_due's JSON document (migrations/rules/45_due.sql). A key
 * reads its territory only (th_authz_read); without a unit the key's own
 * unit is asked, without a period the current quarter (by the server's
 * clock, which the tests may set). REPORT lane. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "handler.h"

/* (th_doc_job: unit, the GSO code asked; period, "" until known.) */

static int check(th_job *job)
{
    const Tonghop__DueQuery *q = job->env->due_query;
    th_period p;
    if (th_handler_check_period(job, q->period, 0, &p) != 0 ||
        th_handler_check_unit(job, q->unit_code) != 0 || th_handler_check_plan(job, q->plan_code, 0) != 0)
        return -1;
    if (!(q->unit_code && *q->unit_code) && !job->who.unit[0]) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "unit_code", NULL);
        return -1;
    }
    th_doc_job *d = th_doc_job_new(job);
    if (!d) return -1;
    if (q->unit_code && *q->unit_code) {
        snprintf(d->unit, sizeof d->unit, "%s", q->unit_code);
    } else {
        /* The key's unit: its GSO code is the part before a ".date". */
        size_t n = strcspn(job->who.unit, ".");
        snprintf(d->unit, sizeof d->unit, "%.*s", (int)n, job->who.unit);
    }
    if (q->period && *q->period) th_period_format(&p, d->period, sizeof d->period);
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        th_doc_job *d = job->data;
        char dberr[512];
        if (!d->period[0]) {
            /* The current quarter, by the server's clock. */
            PGresult *r = th_db_exec_params(db, "SELECT th_current_quarter()", 0, NULL, NULL, NULL);
            int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
            if (ok) snprintf(d->period, sizeof d->period, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
            if (!ok) {
                th_handler_db_failed(db, job, NULL);
                continue;
            }
        }
        if (th_handler_authz_read(db, job, d->unit, NULL, d->period) != 0) continue;
        const Tonghop__DueQuery *q = job->env->due_query;
        const char *params[] = {d->unit, q->plan_code && *q->plan_code ? q->plan_code : NULL, d->period};
        int rc = th_doc_fetch(db, "SELECT th_due($1, $2, $3)::text", 3, params, &d->json, &job->err, dberr,
                              sizeof dberr);
        th_handler_settle(db, job, rc, dberr);
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    th_doc_job *d = job->data;
    tonghop__due_reply__init(&space->due);
    space->due.due_json = d->json;
    env->body_case = TONGHOP__ENVELOPE__BODY_DUE_REPLY;
    env->due_reply = &space->due;
}

const th_handler th_handle_due = {
    .body = TONGHOP__ENVELOPE__BODY_DUE_QUERY,
    .name = "due",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = th_doc_job_free,
};
