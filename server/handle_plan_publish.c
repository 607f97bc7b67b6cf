/* handle_plan_publish.c -- a plan file published over the network
 * (PlanPublish). The file's shape is checked in the front; the catalogue
 * checks and the store run in th_plan_store, on the READ lane (a plan is
 * its own transaction and must not hold up acks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "handler.h"
#include "log.h"
#include "notify.h"
#include "plan_file.h"
#include "plans.h"

typedef struct publish_data {
    th_plan_info info;
    char *normalized;
    th_plan_store_result res;
} publish_data;

static int check(th_job *job)
{
    const char *json = job->env->plan_publish->plan_json;
    if (!json) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "plan_json", NULL);
        return -1;
    }
    publish_data *d = calloc(1, sizeof *d);
    if (!d) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    if (th_plan_file_check(json, strlen(json), &d->info, &d->normalized, &job->err) != 0) {
        job->error_code = job->err.code;
        free(d);
        return -1;
    }
    snprintf(job->target, sizeof job->target, "%.63s", d->info.code);
    job->data = d;
    return 0;
}

/* Takes the plan code's lock (the one th_plans_store takes) in a new
 * transaction, so that who may publish is decided against the revisions
 * stored when the plan is stored: otherwise a province could publish
 * revision 2 of a code while another's revision 1 of it was being stored,
 * and so take the other's plan. 0, or -1 with the reason in dberr. */
static int begin_locked(th_db *db, const char *code, char *dberr, size_t dberrlen)
{
    const char *params[] = {code};
    PGresult *r = NULL;
    if (th_db_exec(db, "BEGIN") == 0)
        r = th_db_exec_params(db, "SELECT pg_advisory_xact_lock(hashtext('tonghop plan ' || $1))", 1, params,
                              NULL, NULL);
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok) snprintf(dberr, dberrlen, "%s", th_db_error(db));
    return ok ? 0 : -1;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        publish_data *d = job->data;
        char dberr[512] = "";
        int failed = 0;
        if (begin_locked(db, d->info.code, dberr, sizeof dberr) != 0 ||
            th_authz_plan_publish(db, &job->who, d->normalized, &job->err, dberr, sizeof dberr) != 0 ||
            (!job->err.code && th_plans_store(db, d->normalized, &d->res, dberr, sizeof dberr) != 0) ||
            th_db_exec(db, "COMMIT") != 0) {
            if (!th_db_check_lost(db)) th_db_exec(db, "ROLLBACK");
            failed = 1;
        }
        if (failed) {
            th_handler_db_failed(db, job, dberr);
        } else if (job->err.code) {
            job->error_code = job->err.code;
        } else if (d->res.outcome == TH_PLAN_REJECTED) {
            job->err = d->res.err;
            job->error_code = d->res.err.code ? d->res.err.code : TONGHOP__ERROR__CODE__INTERNAL;
        } else {
            th_info("plan %s revision %d %s", d->info.code, d->res.revision,
                    d->res.outcome == TH_PLAN_STORED ? "stored" : "unchanged");
            if (d->res.outcome == TH_PLAN_STORED) {
                th_notify_event ev;
                memset(&ev, 0, sizeof ev);
                ev.kind = TONGHOP__NOTIFICATION__KIND__PLAN_PUBLISHED;
                snprintf(ev.unit, sizeof ev.unit, "%s", d->info.issuer_unit);
                snprintf(ev.plan, sizeof ev.plan, "%s", d->info.code);
                snprintf(ev.detail, sizeof ev.detail, "%d", d->res.revision);
                ev.at = (int64_t)time(NULL);
                th_notify_post(&ev);
            }
        }
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    publish_data *d = job->data;
    Tonghop__Ack *ack = &space->ack;
    tonghop__ack__init(ack);
    ack->has_outcome = 1;
    ack->outcome =
        d->res.outcome == TH_PLAN_STORED ? TONGHOP__ACK__OUTCOME__ACCEPTED : TONGHOP__ACK__OUTCOME__DUPLICATE;
    ack->plan_code = d->info.code;
    ack->has_plan_revision = 1;
    ack->plan_revision = (uint32_t)d->res.revision;
    env->body_case = TONGHOP__ENVELOPE__BODY_ACK;
    env->ack = ack;
}

static void free_data(th_job *job)
{
    publish_data *d = job->data;
    free(d->normalized);
    free(d);
    job->data = NULL;
}

const th_handler th_handle_plan_publish = {
    .body = TONGHOP__ENVELOPE__BODY_PLAN_PUBLISH,
    .name = "plan publish",
    .lane = TH_LANE_READ,
    .writes = 1,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
