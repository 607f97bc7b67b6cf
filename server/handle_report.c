/* handle_report.c -- a plan's report for a period at a unit (RollupQuery).
 *
 * The numbers come from th_report_text (migrations/rules/40_report.sql) as the
 * JSON document every client format is made from. REPORT lane. */
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "period.h"
#include "report.h"
#include "stats_refresh.h"

static int check(th_job *job)
{
    const Tonghop__RollupQuery *q = job->env->rollup_query;
    th_period p;
    if (th_handler_check_plan(job, q->plan_code, 1) != 0 ||
        th_handler_check_period(job, q->period, 1, &p) != 0 || th_handler_check_unit(job, q->unit_code) != 0)
        return -1;
    th_doc_job *d = th_doc_job_new(job);
    if (!d) return -1;
    th_period_format(&p, d->period, sizeof d->period);
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        const Tonghop__RollupQuery *q = job->env->rollup_query;
        th_doc_job *d = job->data;
        const char *unit = q->unit_code && *q->unit_code ? q->unit_code : NULL;
        char dberr[512];
        /* The unit asked for (or the plan's issuer) must lie in the key's
         * territory, as the tree stood at the period's end. */
        if (th_handler_authz_read(db, job, unit, q->plan_code, d->period) != 0) continue;
        /* Right after a burst: plan the report on statistics of today's
         * tables, not of this morning's (stats_refresh.h). */
        th_stats_refresh_if_due(db);
        int rc = th_report_fetch(db, q->plan_code, d->period, unit, q->has_by_child && q->by_child,
                                 q->has_approved_only && q->approved_only, &d->json, &job->err, dberr,
                                 sizeof dberr);
        th_handler_settle(db, job, rc, dberr);
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    th_doc_job *d = job->data;
    tonghop__rollup_reply__init(&space->rollup);
    space->rollup.report_json = d->json;
    env->body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_REPLY;
    env->rollup_reply = &space->rollup;
}

const th_handler th_handle_report = {
    .body = TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY,
    .name = "report",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = th_doc_job_free,
};
