/* reqlog.c -- the request's log line and metrics. */
#include "reqlog.h"

#include <stdio.h>

#include "errtext.h"
#include "handler.h"
#include "log.h"
#include "metrics.h"

void th_reqlog_done(const th_job *job, const char *outcome)
{
    const char *type = job->handler ? job->handler->name : job->env ? "unsupported" : "malformed";
    double ms = (double)(th_job_now_ms() - job->received_ms);
    if (ms < 0) ms = 0;
    th_metrics_request(type, outcome, ms / 1000.0);
    char key[9], dur[32], reason[600] = "";
    snprintf(key, sizeof key, "%.8s", job->who.key);
    snprintf(dur, sizeof dur, "%.0f", ms);
    int refused = job->error_code != 0;
    if (refused) th_errtext_format(job->error_code, job->err.field, job->err.detail, reason, sizeof reason);
    const char *keys[] = {"type", "id", "key", "unit", "role", "target", "outcome", "field", "reason", "#ms"};
    const char *values[] = {type,
                            job->request_id,
                            *key ? key : NULL,
                            *job->who.unit ? job->who.unit : NULL,
                            job->who.role ? th_role_name(job->who.role) : NULL,
                            *job->target ? job->target : NULL,
                            outcome,
                            refused && *job->err.field ? job->err.field : NULL,
                            refused ? reason : NULL,
                            dur};
    th_log_event(TH_LOG_INFO, "request", keys, values, sizeof keys / sizeof keys[0]);
}
