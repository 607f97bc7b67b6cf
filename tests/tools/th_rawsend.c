/* th_rawsend -- sends hostile or odd messages to a tonghopd and prints the
 * one-line summary of its reply. For integration tests only.
 *
 *   th_rawsend ENDPOINT random N       N random bytes
 *   th_rawsend ENDPOINT truncated      a valid submission cut in half
 *   th_rawsend ENDPOINT version N      a valid submission with protocol_version N
 *   th_rawsend ENDPOINT unsupported    an approval request without its fields
 *   th_rawsend ENDPOINT empty          an envelope with no body
 *   th_rawsend ENDPOINT nodelim        the payload without the empty delimiter frame
 *   th_rawsend ENDPOINT nulunit        a submission whose unit_code is "22921\0xyz"
 *   th_rawsend ENDPOINT bignum         a submission with numerator and denominator INT64_MAX
 *
 * Prints "ack STORED", "error MALFORMED field=..." or "timeout"; exits 0 when
 * a reply came, 1 on timeout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "wire.h"

static const char *RID = "00000000-0000-4000-8000-000000000001";

/* body_kind: 0 none, 1 a submission, 2 an approval, 3 a submission whose
 * unit_code has a placeholder byte (see main), 4 one with INT64_MAX. */
static uint8_t *valid_submission(uint32_t version, int body_kind, size_t *len)
{
    Tonghop__ResultValue v = TONGHOP__RESULT_VALUE__INIT;
    v.indicator_code = "CTXH-01";
    v.has_numerator = v.has_denominator = 1;
    v.numerator = 3;
    v.denominator = 5;
    Tonghop__ResultValue *vals[] = {&v};
    Tonghop__Submission s = TONGHOP__SUBMISSION__INIT;
    s.submission_id = "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11";
    s.unit_code = "22921";
    s.period = "2025Q3";
    s.values = vals;
    s.n_values = 1;
    if (body_kind == 3 || body_kind == 4) {
        /* Ids of their own: nothing of them may be stored. */
        s.submission_id =
            body_kind == 3 ? "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c13" : "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c14";
        if (body_kind == 3) s.unit_code = "22921@xyz";
        if (body_kind == 4) v.numerator = v.denominator = INT64_MAX;
        body_kind = 1;
    }
    Tonghop__Approval ap = TONGHOP__APPROVAL__INIT;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = version;
    env.request_id = (char *)RID;
    if (body_kind == 1) {
        env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
        env.submission = &s;
    } else if (body_kind == 2) {
        env.body_case = TONGHOP__ENVELOPE__BODY_APPROVAL;
        env.approval = &ap;
    }
    return th_wire_pack(&env, len);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: th_rawsend ENDPOINT random N|truncated|version "
                        "N|unsupported|empty|nodelim|nulunit|bignum\n");
        return 2;
    }
    const char *mode = argv[2];
    uint8_t *buf = NULL;
    size_t len = 0;
    int delim = 1;
    if (!strcmp(mode, "random") && argc > 3) {
        len = (size_t)atol(argv[3]);
        buf = malloc(len ? len : 1);
        srand(12345);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(rand() & 0xff);
    } else if (!strcmp(mode, "truncated")) {
        buf = valid_submission(TH_PROTOCOL_VERSION, 1, &len);
        len = len / 2;
    } else if (!strcmp(mode, "version") && argc > 3) {
        buf = valid_submission((uint32_t)atoi(argv[3]), 1, &len);
    } else if (!strcmp(mode, "unsupported")) {
        buf = valid_submission(TH_PROTOCOL_VERSION, 2, &len);
    } else if (!strcmp(mode, "empty")) {
        buf = valid_submission(TH_PROTOCOL_VERSION, 0, &len);
    } else if (!strcmp(mode, "nodelim")) {
        buf = valid_submission(TH_PROTOCOL_VERSION, 1, &len);
        delim = 0;
    } else if (!strcmp(mode, "nulunit")) {
        /* protobuf-c packs strings by strlen: put the NUL in afterwards. */
        buf = valid_submission(TH_PROTOCOL_VERSION, 3, &len);
        uint8_t *at = buf ? memchr(buf, '@', len) : NULL;
        if (!at) return 2;
        *at = '\0';
    } else if (!strcmp(mode, "bignum")) {
        buf = valid_submission(TH_PROTOCOL_VERSION, 4, &len);
    } else {
        fprintf(stderr, "th_rawsend: unknown mode %s\n", mode);
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(s, argv[1]);
    if (delim) zmq_send(s, "", 0, ZMQ_SNDMORE);
    zmq_send(s, buf, len, 0);
    free(buf);

    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    int rc = 1;
    if (zmq_poll(&item, 1, 5000) == 1) {
        th_wire_msg *m = th_wire_recv(s);
        th_envelope *env = th_wire_msg_envelope(m);
        if (!env)
            printf("undecodable reply\n");
        else if (env->body_case == TONGHOP__ENVELOPE__BODY_ERROR)
            printf("error %s field=%s detail=%s\n", th_wire_error_name(env->error->code),
                   env->error->field ? env->error->field : "", env->error->detail ? env->error->detail : "");
        else if (env->body_case == TONGHOP__ENVELOPE__BODY_ACK)
            printf("ack %s\n",
                   env->ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE ? "DUPLICATE" : "STORED");
        else
            printf("other %d\n", (int)env->body_case);
        th_wire_msg_destroy(&m);
        rc = 0;
    } else {
        printf("timeout\n");
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rc;
}
