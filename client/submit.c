/* submit.c -- read, check, spool, deliver. */
#include "submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "deliver.h"
#include "errtext.h"
#include "i18n.h"
#include "results_file.h"
#include "validate.h"

/* Points at the file line of a "values[i]..." field, if there is one. */
static void explain_field(const int *lines, size_t n, const char *field, char *buf, size_t size)
{
    unsigned idx;
    buf[0] = '\0';
    if (lines && sscanf(field, "values[%u]", &idx) == 1 && idx < n)
        snprintf(buf, size, _(" (line %d of the file)"), lines[idx]);
}

int th_submit_values(th_transport *t, th_spool *s, const th_submit_args *a, Tonghop__ResultValue **values,
                     size_t n, const int *lines)
{
    char sid[37], err[1024], where[64], name[128];
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
    sub.values = values;
    sub.n_values = n;
    sub.has_created_at = 1;
    sub.created_at = (int64_t)time(NULL);
    sub.client_version = (char *)"tonghop " TH_VERSION;

    /* The same checks the server makes, so mistakes are caught at home. */
    th_verr verr;
    th_period period;
    int year, month;
    th_period_today_vn(&year, &month);
    if (th_validate_submission(&sub, year, month, &period, &verr) != 0) {
        explain_field(lines, n, verr.field, where, sizeof where);
        fprintf(stderr, _("tonghop: not sent: %s%s\n"),
                th_errtext_format(verr.code, verr.field, verr.detail, err, sizeof err), where);
        return TH_EXIT_INPUT;
    }
    /* What the server could never accept must not wait in the queue. */
    if (tonghop__submission__get_packed_size(&sub) + 512 > TH_WIRE_MAX_BYTES) {
        fprintf(stderr, _("tonghop: not sent: %s\n"),
                th_errtext_format(TONGHOP__ERROR__CODE__TOO_LARGE, "values", NULL, err, sizeof err));
        return TH_EXIT_INPUT;
    }
    if (th_spool_add(s, &sub, name, sizeof name, err, sizeof err) != 0) {
        fprintf(stderr, _("tonghop: not saved, nothing sent: %s\n"), err);
        return TH_EXIT_FAILURE;
    }
    th_deliver_target target = {.name = name, .lines = lines, .nlines = n};
    th_deliver_stats st;
    th_deliver_pending(t, s, &target, &st);
    if (target.fate == TH_EXIT_UNREACHABLE)
        printf(_("Queued: submission %s (unit %s, period %s) is saved and will be sent by `tonghop sync`.\n"),
               sid, a->unit, a->period);
    return target.fate;
}

int th_submit_run(th_transport *t, th_spool *s, const th_submit_args *a)
{
    char err[1024];
    th_results res;
    if (th_results_read(a->file, &res, err, sizeof err) != 0) {
        fprintf(stderr, _("tonghop: %s\n"), err);
        return TH_EXIT_INPUT;
    }
    int rc = th_submit_values(t, s, a, res.values, res.n, res.lines);
    th_results_fini(&res);
    return rc;
}

int th_sync_run(th_transport *t, th_spool *s)
{
    th_deliver_stats st;
    th_deliver_pending(t, s, NULL, &st);
    printf(_("Sync: %d stored, %d already stored, %d refused, %d still queued.\n"), st.delivered,
           st.duplicates, st.rejected, st.queued);
    return st.queued ? TH_EXIT_UNREACHABLE : st.rejected ? TH_EXIT_REJECTED : TH_EXIT_OK;
}
