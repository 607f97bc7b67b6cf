/* submit.c -- read, check, send, report. */
#include "submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "errtext.h"
#include "i18n.h"
#include "results_file.h"
#include "validate.h"

/* Points at the file line of a "values[i]..." field, if there is one. */
static void explain_field(const th_results *res, const char *field, char *buf, size_t size)
{
    unsigned idx;
    buf[0] = '\0';
    if (sscanf(field, "values[%u]", &idx) == 1 && idx < res->n)
        snprintf(buf, size, _(" (line %d of the file)"), res->lines[idx]);
}

int th_submit_run(const th_transport_config *tc, const th_submit_args *a)
{
    char err[1024], where[64];
    th_results res;
    if (th_results_read(a->file, &res, err, sizeof err) != 0) {
        fprintf(stderr, _("tonghop: %s\n"), err);
        return TH_EXIT_INPUT;
    }

    char sid[37];
    uuid_t u;
    if (a->submission_id) {
        snprintf(sid, sizeof sid, "%s", a->submission_id);
    } else {
        uuid_generate(u);
        uuid_unparse_lower(u, sid);
    }

    Tonghop__Submission sub;
    tonghop__submission__init(&sub);
    sub.submission_id = sid;
    sub.unit_code = (char *)a->unit;
    sub.period = (char *)a->period;
    sub.plan_code = (char *)a->plan;
    sub.values = res.values;
    sub.n_values = res.n;
    sub.has_created_at = 1;
    sub.created_at = (int64_t)time(NULL);
    sub.client_version = (char *)"tonghop " TH_VERSION;

    /* The same checks the server makes, so mistakes are caught at home. */
    th_verr verr;
    th_period period;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (th_validate_submission(&sub, tm.tm_year + 1900, tm.tm_mon + 1, &period, &verr) != 0) {
        explain_field(&res, verr.field, where, sizeof where);
        fprintf(stderr, _("tonghop: not sent: %s%s\n"),
                th_errtext_format(verr.code, verr.field, verr.detail, err, sizeof err), where);
        th_results_fini(&res);
        return TH_EXIT_INPUT;
    }

    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &sub;
    th_wire_msg *reply = NULL;
    int rc = th_request(tc, &env, &reply);
    if (rc != TH_EXIT_OK) goto out;
    th_envelope *r = th_wire_msg_envelope(reply);
    if (r->body_case == TONGHOP__ENVELOPE__BODY_ACK && r->ack->submission_id &&
        strcmp(r->ack->submission_id, sid) == 0) {
        const Tonghop__Ack *ack = r->ack;
        if (ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE)
            printf(_("Already stored earlier: submission %s (%u value(s)); nothing changed.\n"), sid,
                   ack->stored_values);
        else
            printf(_("Stored: submission %s, unit %s, period %s, %u value(s), %u replacing earlier ones.\n"),
                   sid, a->unit, a->period, ack->stored_values, ack->superseded_values);
        rc = TH_EXIT_OK;
    } else if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR) {
        const Tonghop__Error *e = r->error;
        char what[128];
        explain_field(&res, e->field ? e->field : "", where, sizeof where);
        snprintf(what, sizeof what, _("the server refused submission %s"), sid);
        rc = th_request_refused(e, what, where);
    } else {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        rc = TH_EXIT_FAILURE;
    }
out:
    th_wire_msg_destroy(&reply);
    th_results_fini(&res);
    return rc;
}
