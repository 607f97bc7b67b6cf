/* handle_submission.c -- a commune's results for a quarter (Submission).
 *
 * Checked in the front (structure, period not in the future), stored on the
 * INGEST lane in group commit (ingest.h). Acked only when committed. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "handler.h"
#include "ingest.h"
#include "metrics.h"
#include "notify.h"
#include "period.h"

static int check(th_job *job)
{
    int year, month;
    th_period_today_vn(&year, &month);
    th_ingest_item *it = calloc(1, sizeof *it);
    if (!it) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    if (th_validate_submission(job->env->submission, year, month, &it->period, &job->err) != 0) {
        job->error_code = job->err.code;
        free(it);
        return -1;
    }
    /* From the key, never from the message: a commune sends only its own. */
    if (th_authz_submit(&job->who, job->env->submission->unit_code, &it->period, &job->err) != 0) {
        job->error_code = job->err.code;
        free(it);
        return -1;
    }
    it->sub = job->env->submission;
    job->data = it;
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    th_ingest_item **items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++)
            th_job_fail(jobs[i], TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        assert(jobs[i]->handler == &th_handle_submission && jobs[i]->data);
        items[i] = jobs[i]->data;
    }
    int64_t t0 = th_job_now_ms();
    th_ingest_batch(db, items, n);
    th_metrics_batch(n, (double)(th_job_now_ms() - t0) / 1000.0);
    for (size_t i = 0; i < n; i++) {
        const th_ingest_item *it = items[i];
        /* Only an explicit stored/duplicate outcome is ever acked. */
        if (it->outcome != TH_INGEST_STORED && it->outcome != TH_INGEST_DUPLICATE) {
            jobs[i]->err = it->err;
            jobs[i]->error_code = it->err.code ? it->err.code : TONGHOP__ERROR__CODE__INTERNAL;
        } else if (it->outcome == TH_INGEST_STORED) {
            /* Committed: tell the territory (notify.h; never waits). */
            th_notify_event ev;
            memset(&ev, 0, sizeof ev);
            ev.kind = it->late ? TONGHOP__NOTIFICATION__KIND__SUBMISSION_LATE
                               : TONGHOP__NOTIFICATION__KIND__SUBMISSION_STORED;
            snprintf(ev.unit, sizeof ev.unit, "%s", it->sub->unit_code);
            th_period_format(&it->period, ev.period, sizeof ev.period);
            snprintf(ev.plan, sizeof ev.plan, "%s", it->sub->plan_code ? it->sub->plan_code : "");
            snprintf(ev.submission_id, sizeof ev.submission_id, "%s", it->sub->submission_id);
            snprintf(ev.deadline, sizeof ev.deadline, "%s", it->deadline);
            ev.at = it->stored_at;
            th_notify_post(&ev);
        }
    }
    free(items);
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    const th_ingest_item *it = job->data;
    Tonghop__Ack *ack = &space->ack;
    tonghop__ack__init(ack);
    ack->has_outcome = 1;
    ack->outcome =
        it->outcome == TH_INGEST_DUPLICATE ? TONGHOP__ACK__OUTCOME__DUPLICATE : TONGHOP__ACK__OUTCOME__STORED;
    ack->submission_id = it->sub->submission_id;
    ack->has_stored_values = 1;
    ack->stored_values = it->stored;
    ack->has_superseded_values = 1;
    ack->superseded_values = it->superseded;
    ack->has_stored_at = 1;
    ack->stored_at = it->stored_at;
    if (it->deadline[0]) {
        ack->has_late = 1;
        ack->late = it->late != 0;
        ack->deadline = (char *)it->deadline;
    }
    env->body_case = TONGHOP__ENVELOPE__BODY_ACK;
    env->ack = ack;
}

static void free_data(th_job *job)
{
    free(job->data);
    job->data = NULL;
}

const th_handler th_handle_submission = {
    .body = TONGHOP__ENVELOPE__BODY_SUBMISSION,
    .name = "submission",
    .lane = TH_LANE_INGEST,
    .writes = 1,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
