/* Unit tests: the handler table, a job's life without a database, and the
 * SQLSTATE -> error code mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "handler.h"
#include "ingest.h"
#include "job.h"
#include "wire.h"

#define RID "00000000-0000-4000-8000-0000000000aa"

static void table_is_whole(void **state)
{
    (void)state;
    assert_true(th_handlers_count >= 6);
    for (size_t i = 0; i < th_handlers_count; i++) {
        const th_handler *h = th_handlers[i];
        assert_non_null(h->name);
        assert_non_null(h->check);
        assert_non_null(h->run);
        assert_non_null(h->reply);
        assert_non_null(h->free);
        /* Requests are numbered below the replies (proto/tonghop.proto). */
        assert_true(h->body >= TONGHOP__ENVELOPE__BODY_SUBMISSION && h->body < TONGHOP__ENVELOPE__BODY_ACK);
        assert_ptr_equal(th_handler_find(h->body), h);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(th_handlers[j]->body, h->body);
    }
    /* Only submissions take the ingest lane: nothing else may delay an ack.
     * Nothing that writes takes the REPORT lane, which may read from a hot
     * standby (serve --read-db), where every transaction is read-only. */
    size_t reports = 0;
    for (size_t i = 0; i < th_handlers_count; i++) {
        const th_handler *h = th_handlers[i];
        if (h == &th_handle_submission)
            assert_int_equal(h->lane, TH_LANE_INGEST);
        else
            assert_true(h->lane == TH_LANE_READ || h->lane == TH_LANE_REPORT);
        if (h->lane == TH_LANE_REPORT) {
            assert_false(h->writes);
            reports++;
        }
        /* A read on the READ lane would hold a primary connection for no reason. */
        if (h->lane == TH_LANE_READ) assert_true(h->writes);
    }
    assert_int_equal(reports, 5); /* report, plan fetch, history, due, review */
    assert_null(th_handler_find(TONGHOP__ENVELOPE__BODY_ACK));
    assert_null(th_handler_find(TONGHOP__ENVELOPE__BODY__NOT_SET));
}

static th_job *job_for(th_envelope *env)
{
    size_t len;
    env->has_protocol_version = 1;
    env->protocol_version = TH_PROTOCOL_VERSION;
    env->request_id = RID;
    uint8_t *buf = th_wire_pack(env, &len);
    assert_non_null(buf);
    th_job *job = th_job_new(buf, len);
    free(buf);
    assert_non_null(job);
    job->handler = th_handler_find((int)job->env->body_case);
    job->who.role = TH_ROLE_LOCAL; /* as under --insecure; authz_* tests set keys */
    return job;
}

/* Packs the job's reply and decodes it. */
static th_wire_msg *reply_of(th_job *job)
{
    assert_int_equal(th_job_pack_reply(job), 0);
    assert_null(job->data); /* the handler's data is released once packed */
    th_wire_msg *m = th_wire_unpack(job->reply, job->reply_len);
    assert_non_null(m);
    assert_string_equal(th_wire_msg_envelope(m)->request_id, RID);
    return m;
}

static void report_check_names_the_field(void **state)
{
    (void)state;
    Tonghop__RollupQuery q = TONGHOP__ROLLUP_QUERY__INIT;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY;
    env.rollup_query = &q;
    q.plan_code = "1751/KH-UBND";
    q.period = "2025Q5";
    th_job *job = job_for(&env);
    assert_int_equal(job->handler->check(job), -1);
    assert_int_equal(job->error_code, TONGHOP__ERROR__CODE__BAD_PERIOD);
    th_wire_msg *m = reply_of(job);
    th_envelope *r = th_wire_msg_envelope(m);
    assert_int_equal(r->body_case, TONGHOP__ENVELOPE__BODY_ERROR);
    assert_string_equal(r->error->field, "period");
    th_wire_msg_destroy(&m);
    th_job_destroy(&job);

    q.period = "2025";
    q.unit_code = "22921'; DROP TABLE units; --";
    job = job_for(&env);
    assert_int_equal(job->handler->check(job), -1);
    assert_string_equal(job->err.field, "unit_code");
    th_job_destroy(&job);

    q.unit_code = "22921";
    job = job_for(&env);
    assert_int_equal(job->handler->check(job), 0);
    assert_non_null(job->data);
    th_job_destroy(&job); /* frees the handler's data too */
}

/* Phú Hài's 2025Q3 with one ratio value (3 of 5), in env (s and v its
 * parts, on the caller's stack). */
static void phu_hai_submission(th_envelope *env, Tonghop__Submission *s, Tonghop__ResultValue *v,
                               Tonghop__ResultValue **vp, const char *id)
{
    tonghop__result_value__init(v);
    v->indicator_code = "CTXH-01";
    v->has_numerator = v->has_denominator = 1;
    v->numerator = 3;
    v->denominator = 5;
    *vp = v;
    tonghop__submission__init(s);
    s->submission_id = (char *)id;
    s->unit_code = "22921";
    s->period = "2025Q3";
    s->values = vp;
    s->n_values = 1;
    tonghop__envelope__init(env);
    env->body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env->submission = s;
}

static void submission_check_and_ack(void **state)
{
    (void)state;
    Tonghop__ResultValue v, *vp;
    Tonghop__Submission s;
    th_envelope env;
    phu_hai_submission(&env, &s, &v, &vp, "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11");
    th_job *job = job_for(&env);
    assert_int_equal(job->handler->check(job), 0);
    /* What run() would leave after a commit. */
    th_ingest_item *it = job->data;
    it->outcome = TH_INGEST_STORED;
    it->stored = 1;
    th_wire_msg *m = reply_of(job);
    th_envelope *r = th_wire_msg_envelope(m);
    assert_int_equal(r->body_case, TONGHOP__ENVELOPE__BODY_ACK);
    assert_int_equal(r->ack->outcome, TONGHOP__ACK__OUTCOME__STORED);
    assert_string_equal(r->ack->submission_id, s.submission_id);
    th_wire_msg_destroy(&m);
    th_job_destroy(&job);

    v.numerator = 6; /* above the denominator */
    job = job_for(&env);
    assert_int_equal(job->handler->check(job), -1);
    assert_int_equal(job->error_code, TONGHOP__ERROR__CODE__NUMERATOR_EXCEEDS_DENOMINATOR);
    assert_null(job->data);
    th_job_destroy(&job);
}

static void undecodable_job(void **state)
{
    (void)state;
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01};
    th_job *job = th_job_new(junk, sizeof junk);
    assert_non_null(job);
    assert_null(job->env);
    assert_string_equal(job->request_id, "");
    th_job_fail(job, TONGHOP__ERROR__CODE__MALFORMED, NULL, NULL);
    assert_int_equal(th_job_pack_reply(job), 0);
    th_job_destroy(&job);
}

/* A commune key sends for its own unit only; other roles send nothing; a
 * key whose unit ceased no longer speaks for its code. */
static void authz_submission_from_the_key(void **state)
{
    (void)state;
    th_period q3 = {.year = 2025, .quarter = 3}, q2 = {.year = 2025, .quarter = 2};
    th_identity phu_thuy = {.role = TH_ROLE_COMMUNE};
    strcpy(phu_thuy.unit, "22924");
    th_verr err = {0};
    assert_int_equal(th_authz_submit(&phu_thuy, "22924", &q3, &err), 0);
    assert_int_equal(th_authz_submit(&phu_thuy, "22921", &q3, &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__FORBIDDEN);
    assert_string_equal(err.field, "submission.unit_code");
    assert_string_equal(err.detail, "22921");
    /* A prefix is not the code. */
    assert_int_equal(th_authz_submit(&phu_thuy, "2292", &q3, &err), -1);

    /* A reused code: the key "26734.2025-07-01" speaks for 26734 from
     * 2025Q3; for 2025Q2 the code names the unit that held it before. */
    th_identity reused = {.role = TH_ROLE_COMMUNE};
    strcpy(reused.unit, "26734.2025-07-01");
    strcpy(reused.code_taken_on, "2025-07-01");
    assert_int_equal(th_authz_submit(&reused, "26734", &q3, &err), 0);
    assert_int_equal(th_authz_submit(&reused, "26734", &q2, &err), -1);
    assert_string_equal(err.field, "submission.period");
    assert_string_equal(err.detail, "2025-07-01");
    th_period q4_2024 = {.year = 2024, .quarter = 4}, q1_2026 = {.year = 2026, .quarter = 1};
    assert_int_equal(th_authz_submit(&reused, "26734", &q4_2024, &err), -1);
    assert_int_equal(th_authz_submit(&reused, "26734", &q1_2026, &err), 0);
    /* Taken in the middle of a quarter: that quarter is the new unit's. */
    strcpy(reused.code_taken_on, "2025-08-15");
    assert_int_equal(th_authz_submit(&reused, "26734", &q3, &err), 0);
    assert_int_equal(th_authz_submit(&reused, "26734", &q2, &err), -1);

    /* Another unit took the code on 2025-07-01: Q2 yes, Q3 no. */
    th_identity gone = {.role = TH_ROLE_COMMUNE};
    strcpy(gone.unit, "22915");
    strcpy(gone.code_reused_on, "2025-07-01");
    assert_int_equal(th_authz_submit(&gone, "22915", &q2, &err), 0);
    assert_int_equal(th_authz_submit(&gone, "22915", &q3, &err), -1);
    assert_string_equal(err.field, "submission.period");
    /* ... in the middle of a quarter: that quarter is the other unit's. */
    strcpy(gone.code_reused_on, "2025-08-15");
    assert_int_equal(th_authz_submit(&gone, "22915", &q2, &err), 0);
    assert_int_equal(th_authz_submit(&gone, "22915", &q3, &err), -1);
    /* ... and when the unit that took the code succeeds the key's, the
     * refusal names it. */
    th_identity kept = {.role = TH_ROLE_COMMUNE};
    strcpy(kept.unit, "22924");
    strcpy(kept.code_reused_on, "2025-07-01");
    strcpy(kept.code_heir, "2025-07-01: 22924 Phường Phú Thủy");
    assert_int_equal(th_authz_submit(&kept, "22924", &q2, &err), 0);
    assert_int_equal(th_authz_submit(&kept, "22924", &q3, &err), -1);
    assert_string_equal(err.field, "submission.successor");
    assert_string_equal(err.detail, "2025-07-01: 22924 Phường Phú Thủy");

    th_identity ministry = {.role = TH_ROLE_MINISTRY};
    strcpy(ministry.unit, "VN");
    assert_int_equal(th_authz_submit(&ministry, "VN", &q3, &err), -1);
    assert_int_equal(th_authz_admin(&ministry, "catalogue_json", &err), -1);
    assert_string_equal(err.detail, "ministry");
    th_identity admin = {.role = TH_ROLE_ADMIN};
    assert_int_equal(th_authz_admin(&admin, "catalogue_json", &err), 0);
    assert_int_equal(th_authz_submit(&admin, "22924", &q3, &err), -1);
    assert_true(th_authz_reads_all(&ministry) && th_authz_reads_all(&admin));
    assert_false(th_authz_reads_all(&phu_thuy));
    assert_int_equal(th_role_parse("district"), TH_ROLE_DISTRICT);
    assert_int_equal(th_role_parse("local"), TH_ROLE_NONE); /* never enrolled */
}

/* The handler refuses, from the key, a submission for a neighbour. */
static void submission_for_a_neighbour(void **state)
{
    (void)state;
    Tonghop__ResultValue v, *vp;
    Tonghop__Submission s;
    th_envelope env;
    phu_hai_submission(&env, &s, &v, &vp, "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c12");
    th_job *job = job_for(&env);
    job->who.role = TH_ROLE_COMMUNE;
    strcpy(job->who.unit, "22924");
    assert_int_equal(job->handler->check(job), -1);
    assert_int_equal(job->error_code, TONGHOP__ERROR__CODE__FORBIDDEN);
    assert_null(job->data);
    assert_int_equal(th_job_pack_reply(job), 0);
    assert_string_equal(job->outcome, "FORBIDDEN");
    th_job_destroy(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_whole),
        cmocka_unit_test(report_check_names_the_field),
        cmocka_unit_test(submission_check_and_ack),
        cmocka_unit_test(undecodable_job),
        cmocka_unit_test(authz_submission_from_the_key),
        cmocka_unit_test(submission_for_a_neighbour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
