/* handle_catalogue_publish.c -- the indicator catalogue file published over
 * the network (CataloguePublish). Shape checked in the front; the store, and
 * the refusal to change an indicator's kind or stock/flow once it has
 * results or plans, in th_catalogue_store (migrations/rules/50_catalogue.sql).
 * READ lane. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "catalogue.h"
#include "catalogue_file.h"
#include "handler.h"
#include "log.h"

typedef struct publish_data {
    th_catalogue_info info;
    char *normalized;
    th_catalogue_store_result res;
} publish_data;

static int check(th_job *job)
{
    const char *json = job->env->catalogue_publish->catalogue_json;
    if (!json) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "catalogue_json", NULL);
        return -1;
    }
    snprintf(job->target, sizeof job->target, "catalogue");
    /* The catalogue is the whole country's: an admin's alone. */
    if (th_authz_admin(&job->who, "catalogue_json", &job->err) != 0) {
        job->error_code = job->err.code;
        return -1;
    }
    publish_data *d = calloc(1, sizeof *d);
    if (!d) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    if (th_catalogue_file_check(json, strlen(json), &d->info, &d->normalized, &job->err) != 0) {
        job->error_code = job->err.code;
        free(d);
        return -1;
    }
    job->data = d;
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        publish_data *d = job->data;
        char dberr[512];
        if (th_catalogue_store(db, d->normalized, &d->res, dberr, sizeof dberr) != 0) {
            th_handler_db_failed(db, job, dberr);
        } else if (d->res.outcome == TH_CATALOGUE_REJECTED) {
            job->err = d->res.err;
            job->error_code = d->res.err.code ? d->res.err.code : TONGHOP__ERROR__CODE__INTERNAL;
        } else {
            th_info("catalogue revision %d %s: %d added, %d changed", d->res.revision,
                    d->res.outcome == TH_CATALOGUE_STORED ? "stored" : "unchanged", d->res.added,
                    d->res.changed);
        }
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    publish_data *d = job->data;
    Tonghop__Ack *ack = &space->ack;
    tonghop__ack__init(ack);
    ack->has_outcome = 1;
    ack->outcome = d->res.outcome == TH_CATALOGUE_STORED ? TONGHOP__ACK__OUTCOME__ACCEPTED
                                                         : TONGHOP__ACK__OUTCOME__DUPLICATE;
    ack->has_catalogue_revision = 1;
    ack->catalogue_revision = (uint32_t)d->res.revision;
    ack->has_indicators_added = 1;
    ack->indicators_added = (uint32_t)d->res.added;
    ack->has_indicators_changed = 1;
    ack->indicators_changed = (uint32_t)d->res.changed;
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

const th_handler th_handle_catalogue_publish = {
    .body = TONGHOP__ENVELOPE__BODY_CATALOGUE_PUBLISH,
    .name = "catalogue publish",
    .lane = TH_LANE_READ,
    .writes = 1,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
