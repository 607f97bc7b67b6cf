/* th_bench -- the quarterly burst: every unit listed on standard input sends
 * one submission (four ratio values) for a period, with up to WINDOW
 * requests in flight on one DEALER connection, as many commune offices
 * would at once. Prints the time until every one was acknowledged, the
 * rate, and the latency percentiles. For tests/perf/ only.
 *
 *   th_bench ENDPOINT PERIOD WINDOW < unit-codes.txt */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include <zmq.h>

#include "wire.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: th_bench ENDPOINT PERIOD WINDOW < units\n");
        return 2;
    }
    int window = atoi(argv[3]);
    char(*units)[33] = malloc(20000 * sizeof *units);
    int n = 0;
    while (n < 20000 && scanf("%32s", units[n]) == 1)
        n++;
    double *sent_at = calloc((size_t)n, sizeof *sent_at), *lat = calloc((size_t)n, sizeof *lat);
    char(*rids)[37] = calloc((size_t)n, sizeof *rids);

    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, hwm = 100000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_connect(s, argv[1]);

    int next = 0, done = 0, errors = 0;
    double t0 = now_s();
    while (done < n) {
        while (next < n && next - done < window) {
            Tonghop__ResultValue v[4], *vp[4];
            const char *codes[] = {"CTXH-01", "CTXH-02", "CTXH-03", "CTXH-04"};
            for (int k = 0; k < 4; k++) {
                tonghop__result_value__init(&v[k]);
                v[k].indicator_code = (char *)codes[k];
                v[k].has_numerator = v[k].has_denominator = 1;
                v[k].denominator = 10 + (next + k) % 7;
                v[k].numerator = (next * 7 + k) % (v[k].denominator + 1);
                vp[k] = &v[k];
            }
            char sid[37];
            uuid_t u;
            uuid_generate(u);
            uuid_unparse_lower(u, sid);
            uuid_generate(u);
            uuid_unparse_lower(u, rids[next]);
            Tonghop__Submission sub = TONGHOP__SUBMISSION__INIT;
            sub.submission_id = sid;
            sub.unit_code = units[next];
            sub.period = argv[2];
            sub.values = vp;
            sub.n_values = 4;
            th_envelope env = TONGHOP__ENVELOPE__INIT;
            env.has_protocol_version = 1;
            env.protocol_version = TH_PROTOCOL_VERSION;
            env.request_id = rids[next];
            env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
            env.submission = &sub;
            size_t len;
            uint8_t *buf = th_wire_pack(&env, &len);
            zmq_send(s, "", 0, ZMQ_SNDMORE);
            zmq_send(s, buf, len, 0);
            free(buf);
            sent_at[next++] = now_s();
        }
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 30000) <= 0) {
            fprintf(stderr, "th_bench: no reply for 30 s after %d of %d\n", done, n);
            return 1;
        }
        th_wire_msg *m = th_wire_recv(s);
        th_envelope *r = th_wire_msg_envelope(m);
        if (!r || r->body_case != TONGHOP__ENVELOPE__BODY_ACK) errors++;
        /* Replies come back in order within one connection's batches; find ours. */
        for (int i = done; r && i < next; i++) {
            if (!strcmp(rids[i], r->request_id)) {
                lat[done] = now_s() - sent_at[i];
                break;
            }
        }
        done++;
        th_wire_msg_destroy(&m);
    }
    double total = now_s() - t0;
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    printf("submissions      %d (%d values), window %d\n", n, n * 4, window);
    printf("all acknowledged %.2f s\n", total);
    printf("rate             %.0f submissions/s, %.0f values/s\n", n / total, n * 4 / total);
    printf("latency          p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", lat[n / 2] * 1e3,
           lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3);
    printf("errors           %d\n", errors);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(units);
    free(sent_at);
    free(lat);
    free(rids);
    return errors ? 1 : 0;
}
