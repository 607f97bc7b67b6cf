/* th_ask -- one report request from a new process, through bare libzmq:
 * the floor under `tonghop report` end to end.
 *
 *   th_ask ENDPOINT PLAN PERIOD [UNIT]
 *
 * Loads the same libraries as the client (libzmq with its dependencies,
 * protobuf-c), opens one DEALER socket, sends one RollupQuery (by child when
 * UNIT is given), waits for the reply with the same request id and exits 0,
 * whatever the reply says: a refusal ("no such plan") is a reply. Nothing
 * else: no configuration, no language set-up, no socket monitor, no retry,
 * no output. Timed by `th_burst run` beside the client itself (bench/run.sh,
 * tests/perf/bench_reform.sh), it shows what the machine, libzmq and one
 * round trip cost before the client or the report add anything.
 * Exit 1: no reply within 60 s; 2: wrong command line. For bench/ only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>
#include <zmq.h>

#include "wire.h"

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: th_ask ENDPOINT PLAN PERIOD [UNIT]\n");
        return 2;
    }
    uuid_t u;
    char id[37];
    uuid_generate_random(u);
    uuid_unparse_lower(u, id);

    Tonghop__RollupQuery q = TONGHOP__ROLLUP_QUERY__INIT;
    q.plan_code = argv[2];
    q.period = argv[3];
    q.unit_code = argc == 5 ? argv[4] : NULL;
    q.has_by_child = 1;
    q.by_child = argc == 5;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = id;
    env.body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY;
    env.rollup_query = &q;
    size_t len;
    uint8_t *buf = th_wire_pack(&env, &len);
    if (!buf) return 1;

    int rc = 1, zero = 0;
    void *ctx = zmq_ctx_new();
    void *s = ctx ? zmq_socket(ctx, ZMQ_DEALER) : NULL;
    if (s && zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) == 0 && zmq_connect(s, argv[1]) == 0 &&
        zmq_send(s, "", 0, ZMQ_SNDMORE) == 0 && zmq_send(s, buf, len, 0) == (int)len) {
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        while (rc != 0 && zmq_poll(&item, 1, 60000) == 1) {
            /* Frames: an empty delimiter, then the reply. */
            th_wire_msg *m = th_wire_recv(s);
            th_envelope *r = th_wire_msg_envelope(m);
            if (r && r->request_id && strcmp(r->request_id, id) == 0) rc = 0;
            th_wire_msg_destroy(&m);
        }
    }
    if (rc != 0) fprintf(stderr, "th_ask: no reply from %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
    if (s) zmq_close(s);
    if (ctx) zmq_ctx_term(ctx);
    free(buf);
    return rc;
}
