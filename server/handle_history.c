/* handle_history.c -- every value sent for one unit, indicator and quarter
 * (HistoryQuery). READ lane. */
#include <stdlib.h>

#include "authz.h"
#include "handler.h"
#include "history.h"

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
        int rc = th_history_fetch(db, job->env->history_query, job->data, &job->err, dberr, sizeof dberr);
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
    .lane = TH_LANE_READ,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
