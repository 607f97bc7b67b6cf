/* transport.c -- Lazy Pirate over DEALER, as a session. */
#include "transport.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "i18n.h"

/* What the socket monitor saw during one attempt. */
enum { SEEN_CONNECTED = 1, SEEN_REFUSED = 2, SEEN_KEY_REFUSED = 4 };

struct th_transport {
    const th_transport_config *cfg;
    void *ctx;
    void *sock;        /* open socket, or NULL */
    void *monitor;     /* PAIR receiving sock's events, or NULL */
    unsigned monitors; /* to name each monitor's inproc endpoint */
    int seen;          /* SEEN_* since the socket was opened */
    size_t current;    /* index of the endpoint sock is connected to */
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
    if (t->monitor) zmq_close(t->monitor);
    t->sock = t->monitor = NULL;
}

int th_transport_check_endpoint(const char *ep, char *err, size_t errlen)
{
    if (!strncmp(ep, "ipc://", 6) && ep[6]) return 0;
    const char *host = ep + 6, *colon;
    int ok = !strncmp(ep, "tcp://", 6);
    if (ok && *host == '[') {
        const char *close = strchr(host, ']');
        ok = close && close > host + 1 && close[1] == ':';
        colon = ok ? close + 1 : NULL;
        for (const char *p = host + 1; ok && p < close; p++)
            ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
                 *p == ':' || *p == '.';
    } else if (ok) {
        colon = strrchr(host, ':');
        ok = colon && colon > host;
        for (const char *p = host; ok && p < colon; p++)
            ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 *p == '.' || *p == '-';
    }
    long port = 0;
    if (ok) {
        const char *p = colon + 1;
        ok = *p != '\0';
        for (; ok && *p; p++) {
            ok = *p >= '0' && *p <= '9' && port < 100000;
            port = port * 10 + (*p - '0');
        }
        ok = ok && port >= 1 && port <= 65535;
    }
    if (!ok) {
        snprintf(
            err, errlen,
            _("\"%s\" is not a server address: write tcp://NAME:PORT, e.g. tcp://tonghop.example.vn:5570"),
            ep);
        return -1;
    }
    return 0;
}

/* For tcp://NAME:PORT, whether NAME resolves; 0 or -1 with the reason. */
static int resolve(const char *ep, char *err, size_t errlen)
{
    if (strncmp(ep, "tcp://", 6) != 0 || ep[6] == '[') return 0;
    char host[256];
    const char *colon = strrchr(ep + 6, ':');
    size_t n = colon ? (size_t)(colon - (ep + 6)) : 0;
    if (n == 0 || n >= sizeof host) return 0;
    memcpy(host, ep + 6, n);
    host[n] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (res) freeaddrinfo(res);
    if (rc == 0) return 0;
    snprintf(err, errlen, _("the server name %s does not resolve (%s)"), host, gai_strerror(rc));
    return -1;
}

/* Reads what the monitor has to say, without waiting. */
static void read_monitor(th_transport *t)
{
    if (!t->monitor) return;
    for (;;) {
        zmq_msg_t ev;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, t->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        /* Frame 1: a 16-bit event and a 32-bit value; frame 2: the address. */
        uint16_t event = 0;
        if (zmq_msg_size(&ev) >= 2) memcpy(&event, zmq_msg_data(&ev), 2);
        int more = zmq_msg_more(&ev);
        zmq_msg_close(&ev);
        if (more) {
            zmq_msg_init(&ev);
            zmq_msg_recv(&ev, t->monitor, ZMQ_DONTWAIT);
            zmq_msg_close(&ev);
        }
        if (event == ZMQ_EVENT_CONNECTED) t->seen |= SEEN_CONNECTED;
        if (event == ZMQ_EVENT_CONNECT_RETRIED || event == ZMQ_EVENT_CLOSED) t->seen |= SEEN_REFUSED;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
            event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
            t->seen |= SEEN_KEY_REFUSED;
    }
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
    /* The monitor tells "refused" from "connected but silent". */
    char mon[64];
    snprintf(mon, sizeof mon, "inproc://tonghop-monitor-%u", t->monitors++);
    t->seen = 0;
    if (t->cfg->server_key) {
        if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, t->cfg->server_key, 40) != 0 ||
            zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, t->cfg->public_key, 40) != 0 ||
            zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, t->cfg->secret_key, 40) != 0) {
            snprintf(err, errlen, "CURVE: %s", zmq_strerror(errno));
            zmq_close(s);
            return -1;
        }
    }
    if (zmq_socket_monitor(s, mon,
                           ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_CLOSED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) == 0) {
        t->monitor = zmq_socket(t->ctx, ZMQ_PAIR);
        if (t->monitor) {
            zmq_setsockopt(t->monitor, ZMQ_LINGER, &linger, sizeof linger);
            if (zmq_connect(t->monitor, mon) != 0) {
                zmq_close(t->monitor);
                t->monitor = NULL;
            }
        }
    }
    if (zmq_connect(s, endpoint) != 0) {
        snprintf(err, errlen, _("cannot use server address %s: %s"), endpoint, zmq_strerror(errno));
        zmq_close(s);
        if (t->monitor) zmq_close(t->monitor);
        t->monitor = NULL;
        return -1;
    }
    t->sock = s;
    return 0;
}

/* Waits until deadline for a reply with our request id. Returns 1 with
 * *reply set, 0 on timeout or when the connection is refused (t->seen says
 * which). Replies to earlier attempts are dropped. */
static int await_reply(th_transport *t, const char *request_id, long long deadline, th_wire_msg **reply)
{
    void *s = t->sock;
    for (;;) {
        read_monitor(t);
        /* Refused and never connected, or our key refused: no use waiting
         * out the timeout. */
        if ((t->seen & SEEN_REFUSED) && !(t->seen & SEEN_CONNECTED)) return 0;
        if (t->seen & SEEN_KEY_REFUSED) return 0;
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        zmq_pollitem_t items[2] = {{s, 0, ZMQ_POLLIN, 0}, {t->monitor, 0, ZMQ_POLLIN, 0}};
        int rc = zmq_poll(items, t->monitor ? 2 : 1, (long)left);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return 0;
        if (!(items[0].revents & ZMQ_POLLIN)) continue; /* a monitor event */
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
        if (!t->sock && resolve(ep, err, errlen) != 0) {
            /* Try the next address, if any; the name may resolve later. */
            t->current = (t->current + 1) % cfg->nendpoints;
            goto pause;
        }
        if (!t->sock && open_socket(t, err, errlen) != 0) {
            /* With several servers, the next one may still be reached (and
             * if none is, the request is "no answer", as for a timeout). */
            if (cfg->nendpoints < 2) {
                st = TH_TRANSPORT_FAILED;
                break;
            }
            t->current = (t->current + 1) % cfg->nendpoints;
            goto pause;
        }
        int ok = zmq_send(t->sock, "", 0, ZMQ_SNDMORE) == 0 && zmq_send(t->sock, buf, len, 0) == (int)len;
        if (ok && await_reply(t, req->request_id, now_ms() + cfg->timeout_ms, reply)) {
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
            read_monitor(t);
            if (t->seen & SEEN_KEY_REFUSED)
                snprintf(err, errlen,
                         _("the server at %s refused this computer's key, or its own key is not the one in "
                           "server_key (ask the province's IT office to enrol the key from tonghop keygen)"),
                         ep);
            else if (t->seen & SEEN_CONNECTED)
                snprintf(err, errlen,
                         _("the server at %s accepted the connection but did not answer within %d ms"), ep,
                         cfg->timeout_ms);
            else if (t->seen & SEEN_REFUSED)
                snprintf(err, errlen,
                         _("the connection to %s was refused (is the server running, is the port "
                           "right?)"),
                         ep);
            else
                snprintf(err, errlen, _("no connection to %s within %d ms"), ep, cfg->timeout_ms);
            close_socket(t);
            t->current = (t->current + 1) % cfg->nendpoints;
        }
    pause:
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
