/* make_seeds.c -- writes the envelope seeds of fuzz_wire's corpus
 * (tests/fuzz/corpus/fuzz_wire/): a few well-formed requests and replies,
 * so the fuzzer starts from messages the server really sees. Run by hand
 * when the protocol changes, from the repository's top directory:
 *
 *   cc -D_DEFAULT_SOURCE -Icommon -Ibuild/proto tests/fuzz/make_seeds.c \
 *      common/wire.c build/proto/tonghop.pb-c.c \
 *      $(pkg-config --cflags --libs libprotobuf-c libzmq) -o /tmp/make_seeds
 *   /tmp/make_seeds tests/fuzz/corpus/fuzz_wire
 */
#include <stdio.h>
#include <stdlib.h>

#include "wire.h"

static void put(const char *dir, const char *name, const th_envelope *env)
{
    size_t len;
    uint8_t *buf = th_wire_pack(env, &len);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!buf || !f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    free(buf);
}

static void head(th_envelope *env)
{
    tonghop__envelope__init(env);
    env->has_protocol_version = 1;
    env->protocol_version = 1;
    env->request_id = (char *)"0b6d3a52-4c1e-4f57-9b1c-6f1f2a9d0e11";
    env->lang = (char *)"vi";
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    th_envelope env;

    /* A ratio submission, a count, a text, a correction naming its plan. */
    Tonghop__ResultValue v[3], *vp[3] = {&v[0], &v[1], &v[2]};
    for (int i = 0; i < 3; i++)
        tonghop__result_value__init(&v[i]);
    v[0].indicator_code = (char *)"CTXH-01";
    v[0].has_numerator = v[0].has_denominator = 1;
    v[0].numerator = 3;
    v[0].denominator = 6;
    v[1].indicator_code = (char *)"CTXH-04";
    v[1].has_value = 1;
    v[1].value = 1000;
    v[2].indicator_code = (char *)"CTXH-09";
    v[2].text = (char *)"Đạt chuẩn nông thôn mới";
    Tonghop__Submission sub;
    tonghop__submission__init(&sub);
    sub.submission_id = (char *)"7f1c2e4a-9d3b-4b8e-a1f0-3c5d6e7f8a9b";
    sub.unit_code = (char *)"22921";
    sub.period = (char *)"2025Q3";
    sub.values = vp;
    sub.n_values = 3;
    sub.has_created_at = 1;
    sub.created_at = 1760000000;
    sub.client_version = (char *)"tonghop 1.0";
    head(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &sub;
    put(dir, "submission.bin", &env);
    sub.plan_code = (char *)"1751/KH-UBND";
    sub.period = (char *)"2025";
    put(dir, "submission-plan-year.bin", &env);

    Tonghop__Ack ack;
    tonghop__ack__init(&ack);
    ack.has_outcome = ack.has_stored_values = ack.has_stored_at = 1;
    ack.outcome = TONGHOP__ACK__OUTCOME__STORED;
    ack.submission_id = sub.submission_id;
    ack.stored_values = 3;
    ack.stored_at = 1760000001;
    head(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    put(dir, "ack.bin", &env);

    Tonghop__Error er;
    tonghop__error__init(&er);
    er.has_code = 1;
    er.code = TONGHOP__ERROR__CODE__NUMERATOR_EXCEEDS_DENOMINATOR;
    er.field = (char *)"values[0].numerator";
    er.detail = (char *)"7";
    er.message = (char *)"numerator exceeds denominator";
    head(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_ERROR;
    env.error = &er;
    put(dir, "error.bin", &env);

    Tonghop__HistoryQuery hq;
    tonghop__history_query__init(&hq);
    hq.unit_code = (char *)"22921";
    hq.indicator_code = (char *)"CTXH-01";
    hq.period = (char *)"2025Q3";
    head(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_HISTORY_QUERY;
    env.history_query = &hq;
    put(dir, "history-query.bin", &env);
    return 0;
}
