/* handle_plan_fetch.c -- one plan, or the plans covering a unit (PlanFetch).
 * REPORT lane. */
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "handler.h"
#include "plans.h"

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

static int check(th_job *job)
{
    const Tonghop__PlanFetch *f = job->env->plan_fetch;
    const char *code = nonempty(f->plan_code), *unit = nonempty(f->unit_code);
    if (code && (strlen(code) > 64 || !th_validate_utf8(code))) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "plan_code", NULL);
        return -1;
    }
    if (unit && !th_validate_code(unit)) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code", NULL);
        return -1;
    }
    th_plan_docs *docs = calloc(1, sizeof *docs);
    if (!docs) {
        th_job_fail(job, TONGHOP__ERROR__CODE__INTERNAL, NULL, "out of memory");
        return -1;
    }
    job->data = docs;
    return 0;
}

static void run(th_db *db, th_job *const *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        const Tonghop__PlanFetch *f = job->env->plan_fetch;
        const char *code = nonempty(f->plan_code), *unit = nonempty(f->unit_code);
        char dberr[512], own[48];
        int rc = 0;
        if (!code && !unit && !th_authz_reads_all(&job->who)) {
            /* "Every plan" means, for a unit's key, the plans covering its
             * own unit (its GSO code: the key up to a '.'), the unit that
             * holds that code today: checked as any unit asked, for the key
             * of a unit that ceased and whose code names another unit now
             * (Xã Ia Mơ Nông's, 23737, is not shown Xã Ia Mơ's plans). */
            snprintf(own, sizeof own, "%.*s", (int)strcspn(job->who.unit, "."), job->who.unit);
            unit = own;
            rc = th_authz_read(db, &job->who, unit, NULL, NULL, "unit_code", &job->err, dberr, sizeof dberr);
        } else {
            /* The plan, and the unit it is shown for (its targets there):
             * both must be the key's to see. */
            if (code) rc = th_authz_plan_read(db, &job->who, code, &job->err, dberr, sizeof dberr);
            if (rc == 0 && !job->err.code && unit)
                rc = th_authz_read(db, &job->who, unit, NULL, NULL, "unit_code", &job->err, dberr,
                                   sizeof dberr);
        }
        if (rc == 0 && !job->err.code)
            rc = th_plans_fetch(db, code, unit, job->data, &job->err, dberr, sizeof dberr);
        if (rc != 0)
            th_handler_db_failed(db, job, dberr);
        else if (job->err.code)
            job->error_code = job->err.code;
    }
}

static void reply(th_job *job, th_envelope *env, th_reply_space *space)
{
    th_plan_docs *docs = job->data;
    tonghop__plan_reply__init(&space->plans);
    space->plans.plan_json = docs->docs;
    space->plans.n_plan_json = docs->n;
    env->body_case = TONGHOP__ENVELOPE__BODY_PLAN_REPLY;
    env->plan_reply = &space->plans;
}

static void free_data(th_job *job)
{
    th_plan_docs_fini(job->data);
    free(job->data);
    job->data = NULL;
}

const th_handler th_handle_plan_fetch = {
    .body = TONGHOP__ENVELOPE__BODY_PLAN_FETCH,
    .name = "plan fetch",
    .lane = TH_LANE_REPORT,
    .check = check,
    .run = run,
    .reply = reply,
    .free = free_data,
};
