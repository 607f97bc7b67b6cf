/* job.c -- a request's record: decoding, outcome, the packed reply. */
#include "job.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handler.h"

/* Replies can be larger than requests (a province report by commune), but
 * not without bound: past this the client is told to ask for less. */
#define TH_MAX_REPLY_BYTES TH_WIRE_MAX_REPLY_BYTES

int64_t th_job_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

th_job *th_job_new(const uint8_t *payload, size_t len)
{
    th_job *job = calloc(1, sizeof *job);
    if (!job) return NULL;
    job->request_id = "";
    job->received_ms = th_job_now_ms();
    th_verr verr;
    job->msg = th_wire_unpack_checked(payload, len, &verr);
    job->env = job->msg ? th_wire_msg_envelope(job->msg) : NULL;
    if (job->env && job->env->request_id && th_validate_uuid(job->env->request_id))
        job->request_id = job->env->request_id;
    if (!job->msg && verr.code != TONGHOP__ERROR__CODE__MALFORMED) {
        /* Refused, yet decodable: answer under its id (unless that is the
         * refused string), so that the client can match the refusal. */
        th_wire_msg *raw = strcmp(verr.field, "request_id") ? th_wire_unpack(payload, len) : NULL;
        const th_envelope *env = th_wire_msg_envelope(raw);
        if (env && env->request_id && th_validate_uuid(env->request_id)) {
            snprintf(job->request_id_buf, sizeof job->request_id_buf, "%s", env->request_id);
            job->request_id = job->request_id_buf;
        }
        th_wire_msg_destroy(&raw);
        th_job_fail(job, verr.code, verr.field, verr.detail);
    }
    return job;
}

static void free_data(th_job *job)
{
    if (job->data && job->handler && job->handler->free) job->handler->free(job);
    assert(job->data == NULL); /* a handler's free() must release all it kept */
}

void th_job_destroy(th_job **jobp)
{
    if (!jobp || !*jobp) return;
    th_job *job = *jobp;
    assert(job->state == TH_JOB_FRONT || job->state == TH_JOB_DONE);
    free_data(job);
    for (int i = 0; i < job->nroute; i++)
        zmq_msg_close(&job->route[i]);
    th_wire_msg_destroy(&job->msg);
    free(job->reply);
    free(job);
    *jobp = NULL;
}

void th_job_fail(th_job *job, int code, const char *field, const char *detail)
{
    assert(code != 0);
    job->error_code = code;
    snprintf(job->err.field, sizeof job->err.field, "%s", field ? field : "");
    snprintf(job->err.detail, sizeof job->err.detail, "%s", detail ? detail : "");
}

static uint8_t *pack_error(th_job *job, int code, th_verr *err, size_t *len)
{
    th_envelope env;
    if (err) {
        /* A detail cut to fit (a long list of successors' names) must not
         * end inside a character: the client refuses text that is not
         * UTF-8. */
        th_utf8_trim(err->field);
        th_utf8_trim(err->detail);
    }
    Tonghop__Error e;
    char message[sizeof err->field + sizeof err->detail + 48];
    /* English for the log; the client renders its own language. */
    snprintf(message, sizeof message, "%s %s %s", th_wire_error_name(code), err ? err->field : "",
             err ? err->detail : "");
    th_wire_init_reply(&env, job->request_id);
    th_wire_set_error(&env, &e, code, err && err->field[0] ? err->field : NULL,
                      err && err->detail[0] ? err->detail : NULL, message);
    return th_wire_pack(&env, len);
}

int th_job_pack_reply(th_job *job)
{
    assert(job->reply == NULL);
    size_t len = 0;
    uint8_t *buf;
    if (job->error_code) {
        buf = pack_error(job, job->error_code, &job->err, &len);
    } else {
        th_envelope env;
        th_reply_space space;
        th_wire_init_reply(&env, job->request_id);
        assert(job->handler && job->handler->reply);
        job->handler->reply(job, &env, &space);
        buf = th_wire_pack(&env, &len);
        const ProtobufCEnumValue *v = env.body_case == TONGHOP__ENVELOPE__BODY_ACK && env.ack->has_outcome
                                          ? protobuf_c_enum_descriptor_get_value(
                                                &tonghop__ack__outcome__descriptor, (int)env.ack->outcome)
                                          : NULL;
        snprintf(job->outcome, sizeof job->outcome, "%s", v ? v->name : "OK");
    }
    if (buf && len > TH_MAX_REPLY_BYTES) {
        free(buf);
        th_verr big = {.code = TONGHOP__ERROR__CODE__TOO_LARGE};
        snprintf(big.detail, sizeof big.detail, "reply of %zu bytes", len);
        buf = pack_error(job, TONGHOP__ERROR__CODE__TOO_LARGE, &big, &len);
        job->error_code = TONGHOP__ERROR__CODE__TOO_LARGE;
    }
    if (job->error_code) {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(&tonghop__error__code__descriptor, job->error_code);
        snprintf(job->outcome, sizeof job->outcome, "%s", v ? v->name : "ERROR");
    }
    free_data(job);
    if (!buf) return -1;
    job->reply = buf;
    job->reply_len = len;
    return 0;
}
