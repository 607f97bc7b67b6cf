/* handlers.c -- the table of request handlers: one row per request type. */
#include "handler.h"

#include "log.h"

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
