/* handle_review.c -- the data-quality flags of a plan's period over a
 * unit's territory (ReviewQuery): values above 100%, denominators that
 * jumped, stock denominators that changed while the unit did not.
 *
 * The answer is th_review's JSON document (migrations/rules/48_review.sql).
 * A key reads its territory only (th_authz_read, as for reports): without a
 * unit the plan's issuer is asked. REPORT lane (a pure read: may be served from a standby). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "handler.h"
#include "stats_refresh.h"

/* Flags listed when the request does not say, and at most. */
#define TH_REVIEW_LIMIT_DEFAULT 1000
#define TH_REVIEW_LIMIT_MAX 10000

static int check(th_job *job)
{
    const Tonghop__ReviewQuery *q = job->env->review_query;
    th_period p;
    if (th_handler_check_plan(job, q->plan_code, 1) != 0 ||
        th_handler_check_period(job, q->period, 1, &p) != 0 || th_handler_check_unit(job, q->unit_code) != 0)
        return -1;
    if (q->has_limit && q->limit > TH_REVIEW_LIMIT_MAX) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "limit", NULL);
        return -1;
    }
    th_doc_job *d = th_doc_job_new(job);
    if (!d) return -1;
    d->limit = q->has_limit && q->limit > 0 ? q->limit : TH_REVIEW_LIMIT_DEFAULT;
    th_period_format(&p, d->period, sizeof d->period);
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        const Tonghop__ReviewQuery *q = job->env->review_query;
        th_doc_job *d = job->data;
        const char *unit = q->unit_code && *q->unit_code ? q->unit_code : NULL;
        char dberr[512];
        /* As a report: the unit asked for (or the plan's issuer) must lie in
         * the key's territory, as the tree stood at the period's end. */
        if (th_handler_authz_read(db, job, unit, q->plan_code, d->period) != 0) continue;
        th_stats_refresh_if_due(db);
        char limit[16];
        snprintf(limit, sizeof limit, "%u", d->limit);
        const char *params[] = {q->plan_code, d->period, unit, limit};
        int rc = th_doc_fetch(db, "SELECT th_review($1, $2, $3, $4::integer)::text", 4, params, &d->json,
                              &job->err, dberr, sizeof dberr);
        th_handler_settle(db, job, rc, dberr);
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    th_doc_job *d = job->data;
    tonghop__review_reply__init(&space->review);
    space->review.review_json = d->json;
    env->body_case = TONGHOP__ENVELOPE__BODY_REVIEW_REPLY;
    env->review_reply = &space->review;
}

const th_handler th_handle_review = {
    .body = TONGHOP__ENVELOPE__BODY_REVIEW_QUERY,
    .name = "review",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = th_doc_job_free,
};
