/* transport.c -- Lazy Pirate over DEALER, as a session. */
#include "transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "i18n.h"

struct th_transport {
    const th_transport_config *cfg;
    void *ctx;
    void *sock;     /* open socket, or NULL */
    size_t current; /* index of the endpoint sock is connected to */
    int unreachable;
    char last_error[256];
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

th_transport *th_transport_new(const th_transport_config *cfg)
{
    th_transport *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cfg = cfg;
    t->ctx = zmq_ctx_new();
    if (!t->ctx) {
        free(t);
        return NULL;
    }
    return t;
}

static void close_socket(th_transport *t)
{
    if (t->sock) zmq_close(t->sock);
    t->sock = NULL;
}

void th_transport_destroy(th_transport **tp)
{
    if (!tp || !*tp) return;
    close_socket(*tp);
    zmq_ctx_term((*tp)->ctx);
    free(*tp);
    *tp = NULL;
}

void th_transport_reset(th_transport *t) { t->unreachable = 0; }

static int open_socket(th_transport *t, char *err, size_t errlen)
{
    const char *endpoint = t->cfg->endpoints[t->current];
    void *s = zmq_socket(t->ctx, ZMQ_DEALER);
    if (!s) {
        snprintf(err, errlen, "zmq: %s", zmq_strerror(errno));
        return -1;
    }
    int linger = 0;
    int64_t maxmsg = TH_WIRE_MAX_REPLY_BYTES + 1024;
    int ivl = 100, ivl_max = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    if (zmq_connect(s, endpoint) != 0) {
        snprintf(err, errlen, _("cannot use server address %s: %s"), endpoint, zmq_strerror(errno));
        zmq_close(s);
        return -1;
    }
    t->sock = s;
    return 0;
}

/* Waits until deadline for a reply with our request id. Returns 1 with
 * *reply set, 0 on timeout. Replies to earlier attempts are dropped. */
static int await_reply(void *s, const char *request_id, long long deadline, th_wire_msg **reply)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, (long)left);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return 0;
        /* Frames: an empty delimiter, then the payload. */
        th_wire_msg *m = th_wire_recv(s);
        th_envelope *env = th_wire_msg_envelope(m);
        if (env && env->request_id && strcmp(env->request_id, request_id) == 0) {
            *reply = m;
            return 1;
        }
        th_wire_msg_destroy(&m);
    }
}

th_transport_status th_transport_request(th_transport *t, const th_envelope *req, th_wire_msg **reply,
                                         char *err, size_t errlen)
{
    const th_transport_config *cfg = t->cfg;
    *reply = NULL;
    if (!cfg->nendpoints) {
        snprintf(err, errlen, "%s", _("no server address given"));
        return TH_TRANSPORT_FAILED;
    }
    if (t->unreachable) {
        snprintf(err, errlen, "%s", t->last_error);
        return TH_TRANSPORT_NO_ANSWER;
    }
    size_t len;
    uint8_t *buf = th_wire_pack(req, &len);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return TH_TRANSPORT_FAILED;
    }
    th_transport_status st = TH_TRANSPORT_NO_ANSWER;
    int backoff = 250;
    int attempts = cfg->attempts > 0 ? cfg->attempts : 1;
    for (int a = 0; a < attempts; a++) {
        const char *ep = cfg->endpoints[t->current];
        if (!t->sock && open_socket(t, err, errlen) != 0) {
            st = TH_TRANSPORT_FAILED;
            break;
        }
        int ok = zmq_send(t->sock, "", 0, ZMQ_SNDMORE) == 0 && zmq_send(t->sock, buf, len, 0) == (int)len;
        if (ok && await_reply(t->sock, req->request_id, now_ms() + cfg->timeout_ms, reply)) {
            st = TH_TRANSPORT_OK;
            /* "Nothing stored, try later" (database down): try again while
             * attempts remain; the last such answer is what we return. */
            th_envelope *env = th_wire_msg_envelope(*reply);
            int retry_later = env->body_case == TONGHOP__ENVELOPE__BODY_ERROR && env->error->has_retryable &&
                              env->error->retryable;
            if (!retry_later || a + 1 == attempts) break;
            th_wire_msg_destroy(reply);
            st = TH_TRANSPORT_NO_ANSWER;
            snprintf(err, errlen, _("%s could not store it now"), ep);
        } else {
            /* Lazy Pirate: a socket that timed out may hold a stale request;
             * throw it away and start clean, on the next endpoint. */
            close_socket(t);
            t->current = (t->current + 1) % cfg->nendpoints;
            snprintf(err, errlen, _("no answer from %s within %d ms"), ep, cfg->timeout_ms);
        }
        if (a + 1 < attempts) {
            /* A server that said "try later" is reconnecting to its
             * database, which it does once a second: wait at least that. */
            int pause = st == TH_TRANSPORT_NO_ANSWER && t->sock && backoff < 1100 ? 1100 : backoff;
            struct timespec ts = {pause / 1000, (long)(pause % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            if (backoff < 4000) backoff *= 2;
        }
    }
    if (st == TH_TRANSPORT_NO_ANSWER) {
        t->unreachable = 1;
        snprintf(t->last_error, sizeof t->last_error, "%s", err);
    }
    free(buf);
    return st;
}
