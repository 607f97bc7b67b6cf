/* Unit tests: the handler table, a job's life without a database, and the
 * SQLSTATE -> error code mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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
    /* Only submissions take the ingest lane: nothing else may delay an ack. */
    for (size_t i = 0; i < th_handlers_count; i++)
        assert_int_equal(th_handlers[i]->lane,
                         th_handlers[i] == &th_handle_submission ? TH_LANE_INGEST : TH_LANE_READ);
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

static void submission_check_and_ack(void **state)
{
    (void)state;
    Tonghop__ResultValue v = TONGHOP__RESULT_VALUE__INIT, *vp = &v;
    v.indicator_code = "CTXH-01";
    v.has_numerator = v.has_denominator = 1;
    v.numerator = 3;
    v.denominator = 5;
    Tonghop__Submission s = TONGHOP__SUBMISSION__INIT;
    s.submission_id = "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11";
    s.unit_code = "22921";
    s.period = "2025Q3";
    s.values = &vp;
    s.n_values = 1;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &s;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_whole),
        cmocka_unit_test(report_check_names_the_field),
        cmocka_unit_test(submission_check_and_ack),
        cmocka_unit_test(undecodable_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
