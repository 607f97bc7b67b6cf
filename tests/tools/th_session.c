/* th_session -- one CURVE connection, two requests: a plan fetch, then,
 * once WAIT_FILE exists, another on the same connection. Prints one line
 * per reply ("reply PLAN_REPLY", "error FORBIDDEN key") or "timeout". For
 * the test that a key revoked while connected is refused (curve.sh).
 *
 *   th_session ENDPOINT SERVER_PUBLIC KEY_FILE WAIT_FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "keyfile.h"
#include "wire.h"

static void ask(void *s, const char *rid)
{
    Tonghop__PlanFetch f = TONGHOP__PLAN_FETCH__INIT;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = (char *)rid;
    env.body_case = TONGHOP__ENVELOPE__BODY_PLAN_FETCH;
    env.plan_fetch = &f;
    size_t len;
    uint8_t *buf = th_wire_pack(&env, &len);
    zmq_send(s, "", 0, ZMQ_SNDMORE);
    zmq_send(s, buf, len, 0);
    free(buf);
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 5000) <= 0) {
        printf("timeout\n");
        return;
    }
    th_wire_msg *m = th_wire_recv(s);
    th_envelope *r = th_wire_msg_envelope(m);
    if (r && r->body_case == TONGHOP__ENVELOPE__BODY_ERROR)
        printf("error %s %s\n", th_wire_error_name(r->error->code), r->error->field ? r->error->field : "");
    else
        printf("reply %s\n",
               r && r->body_case == TONGHOP__ENVELOPE__BODY_PLAN_REPLY ? "PLAN_REPLY" : "other");
    fflush(stdout);
    th_wire_msg_destroy(&m);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: th_session ENDPOINT SERVER_PUBLIC KEY_FILE WAIT_FILE\n");
        return 2;
    }
    th_keypair kp;
    char err[512];
    if (th_keyfile_read(argv[3], &kp, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, argv[2], 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp.public_key, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp.secret_key, 40);
    zmq_connect(s, argv[1]);
    ask(s, "00000000-0000-4000-8000-0000000000b1");
    for (int i = 0; i < 200 && access(argv[4], F_OK) != 0; i++)
        usleep(50000);
    ask(s, "00000000-0000-4000-8000-0000000000b2");
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
