/* handle_approval.c -- approving a plan's results for a period, or reopening
 * them (Approval). Shapes checked in the front; who may, children first and
 * what is locked in th_approval_apply (migrations/rules/47_approval.sql).
 * READ lane: an approval waits for the results being stored, never the
 * other way round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "handler.h"
#include "log.h"
#include "notify.h"
#include "period.h"
#include "validate.h"

/* A reason is a sentence or two, not a document. */
#define TH_APPROVAL_REASON_MAX 1000

typedef struct approval_data {
    th_approval_result res;
} approval_data;

static int check(th_job *job)
{
    const Tonghop__Approval *q = job->env->approval;
    th_period p;
    if (th_handler_check_plan(job, q->plan_code, 1) != 0 ||
        th_handler_check_period(job, q->period, 1, &p) != 0 || th_handler_check_unit(job, q->unit_code) != 0)
        return -1;
    if (!q->has_approve) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "approve", NULL);
        return -1;
    }
    /* A reopening says why; a reason of spaces says nothing. */
    if (!q->approve && th_validate_blank(q->reason)) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "reason", NULL);
        return -1;
    }
    if (q->reason && strlen(q->reason) > TH_APPROVAL_REASON_MAX) {
        th_job_fail(job, TONGHOP__ERROR__CODE__TOO_LARGE, "reason", NULL);
        return -1;
    }
    snprintf(job->target, sizeof job->target, "%s",
             q->unit_code && *q->unit_code ? q->unit_code : q->plan_code);
    approval_data *d = calloc(1, sizeof *d);
    if (!d) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    job->data = d;
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        const Tonghop__Approval *q = job->env->approval;
        approval_data *d = job->data;
        char dberr[512];
        if (th_approval_apply(db, &job->who, q, &d->res, &job->err, dberr, sizeof dberr) != 0) {
            th_handler_db_failed(db, job, dberr);
        } else if (job->err.code) {
            job->error_code = job->err.code;
        } else {
            th_info("plan %s %s at %s: %s%s (%u units locked)", q->plan_code, q->period,
                    q->unit_code ? q->unit_code : "(issuer)", d->res.state,
                    d->res.changed ? "" : ", unchanged", d->res.locked_units);
            if (d->res.changed) {
                th_notify_event ev;
                memset(&ev, 0, sizeof ev);
                ev.kind = q->approve ? TONGHOP__NOTIFICATION__KIND__PERIOD_APPROVED
                                     : TONGHOP__NOTIFICATION__KIND__PERIOD_REOPENED;
                snprintf(ev.unit, sizeof ev.unit, "%s", d->res.unit);
                snprintf(ev.period, sizeof ev.period, "%s", q->period);
                snprintf(ev.plan, sizeof ev.plan, "%s", q->plan_code);
                snprintf(ev.detail, sizeof ev.detail, "%s", q->reason ? q->reason : "");
                ev.at = d->res.at;
                th_notify_post(&ev);
            }
        }
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    approval_data *d = job->data;
    Tonghop__Ack *ack = &space->ack;
    tonghop__ack__init(ack);
    ack->has_outcome = 1;
    ack->outcome = d->res.changed ? TONGHOP__ACK__OUTCOME__ACCEPTED : TONGHOP__ACK__OUTCOME__DUPLICATE;
    ack->approval_state = d->res.state;
    ack->has_stored_at = 1;
    ack->stored_at = d->res.at;
    ack->has_locked_units = 1;
    ack->locked_units = d->res.locked_units;
    ack->children_pending = d->res.pending;
    ack->n_children_pending = d->res.npending;
    env->body_case = TONGHOP__ENVELOPE__BODY_ACK;
    env->ack = ack;
}

static void free_data(th_job *job)
{
    approval_data *d = job->data;
    th_approval_result_fini(&d->res);
    free(d);
    job->data = NULL;
}

const th_handler th_handle_approval = {
    .body = TONGHOP__ENVELOPE__BODY_APPROVAL,
    .name = "approval",
    .lane = TH_LANE_READ,
    .writes = 1,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
