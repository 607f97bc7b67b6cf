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

#include "authz.h"
#include "handler.h"
#include "period.h"
#include "sqlerr.h"

typedef struct due_data {
    char unit[48];   /* GSO code asked */
    char period[16]; /* "" until known */
    char *json;      /* the answer, once run */
} due_data;

static int check(th_job *job)
{
    const Tonghop__DueQuery *q = job->env->due_query;
    th_period p;
    if (q->period && *q->period && th_period_parse(q->period, &p) != 0) {
        th_job_fail(job, TONGHOP__ERROR__CODE__BAD_PERIOD, "period", q->period);
        return -1;
    }
    if (q->unit_code && *q->unit_code && !th_validate_code(q->unit_code)) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code", NULL);
        return -1;
    }
    if (q->plan_code && *q->plan_code && (strlen(q->plan_code) > 64 || !th_validate_utf8(q->plan_code))) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "plan_code", NULL);
        return -1;
    }
    due_data *d = calloc(1, sizeof *d);
    if (!d) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    if (q->unit_code && *q->unit_code) {
        snprintf(d->unit, sizeof d->unit, "%s", q->unit_code);
    } else if (job->who.unit[0]) {
        /* The key's unit: its GSO code is the part before a ".date". */
        size_t n = strcspn(job->who.unit, ".");
        snprintf(d->unit, sizeof d->unit, "%.*s", (int)n, job->who.unit);
    } else {
        free(d);
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "unit_code", NULL);
        return -1;
    }
    if (q->period && *q->period) th_period_format(&p, d->period, sizeof d->period);
    job->data = d;
    return 0;
}

/* 0 with d->json set, or 0 with job->err set (a refusal from th_due), or
 * -1 on a database failure (dberr). */
static int fetch(th_db *db, th_job *job, due_data *d, char *dberr, size_t dberrlen)
{
    const Tonghop__DueQuery *q = job->env->due_query;
    const char *params[] = {d->unit, q->plan_code && *q->plan_code ? q->plan_code : NULL, d->period};
    PGresult *r = th_db_exec_params(db, "SELECT th_due($1, $2, $3)::text", 3, params, NULL, NULL);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        d->json = strdup(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (!d->json) {
            snprintf(dberr, dberrlen, "out of memory");
            return -1;
        }
        return 0;
    }
    int ours = th_sqlerr_from_result(r, &job->err);
    if (!ours) snprintf(dberr, dberrlen, "%s", th_db_error(db));
    PQclear(r);
    return ours ? 0 : -1;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        due_data *d = job->data;
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
        if (th_authz_read(db, &job->who, d->unit, NULL, d->period, "unit_code", &job->err, dberr,
                          sizeof dberr) != 0) {
            th_handler_db_failed(db, job, dberr);
            continue;
        }
        if (job->err.code) {
            job->error_code = job->err.code;
            continue;
        }
        if (fetch(db, job, d, dberr, sizeof dberr) != 0)
            th_handler_db_failed(db, job, dberr);
        else if (job->err.code)
            job->error_code = job->err.code;
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    due_data *d = job->data;
    tonghop__due_reply__init(&space->due);
    space->due.due_json = d->json;
    env->body_case = TONGHOP__ENVELOPE__BODY_DUE_REPLY;
    env->due_reply = &space->due;
}

static void free_data(th_job *job)
{
    due_data *d = job->data;
    free(d->json);
    free(d);
    job->data = NULL;
}

const th_handler th_handle_due = {
    .body = TONGHOP__ENVELOPE__BODY_DUE_QUERY,
    .name = "due",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
