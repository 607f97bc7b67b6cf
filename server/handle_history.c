/* handle_history.c -- every value sent for one unit, indicator and quarter,
 * or every approval and reopening of a plan's period (HistoryQuery with
 * plan_code). REPORT lane. */
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "authz.h"
#include "handler.h"
#include "history.h"
#include "period.h"

static int check(th_job *job)
{
    Tonghop__HistoryReply *h = calloc(1, sizeof *h);
    if (!h) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    tonghop__history_reply__init(h);
    job->data = h;
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        const Tonghop__HistoryQuery *q = job->env->history_query;
        char dberr[512];
        /* (Without a unit th_history_fetch refuses the request and reads
         * nothing.) */
        if (q->unit_code && th_authz_read(db, &job->who, q->unit_code, NULL, q->period, "unit_code",
                                          &job->err, dberr, sizeof dberr) != 0) {
            th_handler_db_failed(db, job, dberr);
            continue;
        }
        if (job->err.code) {
            job->error_code = job->err.code;
            continue;
        }
        int rc;
        if (q->plan_code && *q->plan_code && !(q->indicator_code && *q->indicator_code)) {
            th_period p;
            if (!q->period || th_period_parse(q->period, &p) != 0) {
                th_job_fail(job, TONGHOP__ERROR__CODE__BAD_PERIOD, "period", NULL);
                continue;
            }
            if (q->unit_code && !th_validate_code(q->unit_code)) {
                th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code", NULL);
                continue;
            }
            /* Without a unit: the plan's issuer, which the key must cover. */
            if (!q->unit_code && th_authz_read(db, &job->who, NULL, q->plan_code, q->period, "unit_code",
                                               &job->err, dberr, sizeof dberr) != 0) {
                th_handler_db_failed(db, job, dberr);
                continue;
            }
            if (job->err.code) {
                job->error_code = job->err.code;
                continue;
            }
            char period[16];
            th_period_format(&p, period, sizeof period);
            rc = th_approval_history_fetch(db, q->plan_code, period, q->unit_code, job->data, &job->err,
                                           dberr, sizeof dberr);
        } else {
            rc = th_history_fetch(db, q, job->data, &job->err, dberr, sizeof dberr);
        }
        if (rc != 0)
            th_handler_db_failed(db, job, dberr);
        else if (job->err.code)
            job->error_code = job->err.code;
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    (void)space; /* the reply is the one run() filled */
    env->body_case = TONGHOP__ENVELOPE__BODY_HISTORY_REPLY;
    env->history_reply = job->data;
}

static void free_data(th_job *job)
{
    th_history_fini(job->data);
    free(job->data);
    job->data = NULL;
}

const th_handler th_handle_history = {
    .body = TONGHOP__ENVELOPE__BODY_HISTORY_QUERY,
    .name = "history",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
