/* handlers.c -- the table of request handlers: one row per request type. */
#include "handler.h"

#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "log.h"
#include "validate.h"

const th_handler *const th_handlers[] = {
    &th_handle_submission, &th_handle_plan_publish, &th_handle_plan_fetch,
    &th_handle_report,     &th_handle_history,      &th_handle_catalogue_publish,
    &th_handle_due,        &th_handle_approval,     &th_handle_review,
};
const size_t th_handlers_count = sizeof th_handlers / sizeof th_handlers[0];

const th_handler *th_handler_find(int body)
{
    for (size_t i = 0; i < th_handlers_count; i++)
        if (th_handlers[i]->body == body) return th_handlers[i];
    return NULL;
}

void th_handler_db_failed(th_db *db, th_job *job, const char *why)
{
    /* A lost connection, or a standby that cancelled the query to replay
     * the primary's changes: the client asks again later. */
    int lost = th_db_check_lost(db) || th_db_retryable(db);
    th_warn("%s %s failed: %s", job->handler ? job->handler->name : "request", job->request_id,
            why && *why ? why : th_db_error(db));
    th_job_fail(job, lost ? TONGHOP__ERROR__CODE__UNAVAILABLE : TONGHOP__ERROR__CODE__INTERNAL, NULL, NULL);
}

int th_handler_check_plan(th_job *job, const char *plan, int required)
{
    if (!plan || !*plan) {
        if (!required) return 0;
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "plan_code", NULL);
        return -1;
    }
    if (strlen(plan) > 64 || !th_validate_utf8(plan)) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "plan_code", NULL);
        return -1;
    }
    return 0;
}

int th_handler_check_period(th_job *job, const char *period, int required, th_period *p)
{
    if (!period || !*period) {
        if (!required) return 0;
        th_job_fail(job, TONGHOP__ERROR__CODE__BAD_PERIOD, "period", NULL);
        return -1;
    }
    if (th_period_parse(period, p) != 0) {
        /* What was sent, when it can be shown. */
        int shown = strlen(period) <= 32 && th_validate_utf8(period);
        th_job_fail(job, TONGHOP__ERROR__CODE__BAD_PERIOD, "period", shown ? period : NULL);
        return -1;
    }
    return 0;
}

int th_handler_check_unit(th_job *job, const char *unit)
{
    if (unit && *unit && !th_validate_code(unit)) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code", NULL);
        return -1;
    }
    return 0;
}

int th_handler_authz_read(th_db *db, th_job *job, const char *unit, const char *plan, const char *period)
{
    char dberr[512];
    if (th_authz_read(db, &job->who, unit, plan, period, "unit_code", &job->err, dberr, sizeof dberr) != 0) {
        th_handler_db_failed(db, job, dberr);
        return -1;
    }
    if (job->err.code) {
        job->error_code = job->err.code;
        return -1;
    }
    return 0;
}

void th_handler_settle(th_db *db, th_job *job, int rc, const char *dberr)
{
    if (rc != 0)
        th_handler_db_failed(db, job, dberr);
    else if (job->err.code)
        job->error_code = job->err.code;
}

th_doc_job *th_doc_job_new(th_job *job)
{
    th_doc_job *d = calloc(1, sizeof *d);
    if (!d) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return NULL;
    }
    job->data = d;
    return d;
}

void th_doc_job_free(th_job *job)
{
    th_doc_job *d = job->data;
    if (d) free(d->json);
    free(d);
    job->data = NULL;
}
