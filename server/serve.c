/* serve.c -- the ROUTER loop, batching and replies. */
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "db.h"
#include "errtext.h"
#include "i18n.h"
#include "ingest.h"
#include "log.h"
#include "migrate.h"
#include "plan_file.h"
#include "plans.h"
#include "report.h"
#include "history.h"
#include "validate.h"
#include "wire.h"

#define TH_MAX_ROUTE_FRAMES 8
#define TH_BATCH_DEFAULT 256

static volatile sig_atomic_t stop_requested;

void th_server_stop(void) { stop_requested = 1; }

/* One received request: the routing frames to answer on and its payload. */
typedef struct request {
    zmq_msg_t route[TH_MAX_ROUTE_FRAMES];
    int nroute;
    th_wire_msg *msg;       /* decoded envelope, NULL if undecodable */
    const char *request_id; /* from the envelope, or "" */
    /* The reply, decided during processing. */
    int error_code; /* 0: no error */
    th_verr err;
    th_ingest_item *item; /* for submissions */
    /* For the other requests, handled after the submissions of the batch. */
    int body;                      /* TONGHOP__ENVELOPE__BODY_* of the request to run, 0 if none */
    Tonghop__Ack ack;              /* a plan publication's acknowledgement */
    Tonghop__PlanReply plans;      /* a plan fetch's answer */
    th_plan_docs docs;             /* owns the strings plans points at */
    Tonghop__RollupReply rollup;   /* a report */
    char *report_json;             /* owned */
    Tonghop__HistoryReply history; /* owns its entries */
    char plan_code[65];
} request;

struct th_server {
    th_serve_config cfg;
    th_db *db;
    void *ctx;
    void *sock;
    request *reqs;
    th_ingest_item *items;
    unsigned long served;
};

static int set_int(void *sock, int opt, int v) { return zmq_setsockopt(sock, opt, &v, sizeof v); }

th_server *th_server_new(const th_serve_config *cfg, char *err, size_t errlen)
{
    th_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    if (srv->cfg.batch_max <= 0) srv->cfg.batch_max = TH_BATCH_DEFAULT;
    srv->reqs = calloc((size_t)srv->cfg.batch_max, sizeof *srv->reqs);
    srv->items = calloc((size_t)srv->cfg.batch_max, sizeof *srv->items);
    srv->db = th_db_new(cfg->dsn, th_ingest_stmts, th_ingest_nstmts);
    if (!srv->reqs || !srv->items || !srv->db) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }

    /* The schema check needs a plain connection: the server's own prepares
     * statements that an old schema cannot have. */
    char merr[512];
    PGconn *conn = th_db_connect(cfg->dsn, merr, sizeof merr);
    if (!conn) {
        snprintf(err, errlen, _("cannot connect to the database: %s"), merr);
        goto fail;
    }
    int version;
    int rc = th_migrate_current(conn, &version, merr, sizeof merr);
    PQfinish(conn);
    if (rc != 0) {
        snprintf(err, errlen, "%s", merr);
        goto fail;
    }
    if (version != th_migrate_latest()) {
        snprintf(err, errlen,
                 _("the database schema is at version %d but this server needs version %d; run: tonghopd "
                   "migrate --db ..."),
                 version, th_migrate_latest());
        goto fail;
    }
    th_db_set_timeout(srv->db, cfg->db_timeout_ms);
    if (!th_db_ensure(srv->db)) {
        snprintf(err, errlen, "%s", th_db_error(srv->db));
        goto fail;
    }

    srv->ctx = zmq_ctx_new();
    srv->sock = srv->ctx ? zmq_socket(srv->ctx, ZMQ_ROUTER) : NULL;
    if (!srv->sock) {
        snprintf(err, errlen, "zmq: %s", zmq_strerror(errno));
        goto fail;
    }
    int64_t maxmsg = TH_WIRE_MAX_BYTES + 1024;
    zmq_setsockopt(srv->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    set_int(srv->sock, ZMQ_LINGER, 2000);
    set_int(srv->sock, ZMQ_ROUTER_MANDATORY, 1);
    /* Every queued request may hold up to TH_WIRE_MAX_BYTES: bound the queue. */
    set_int(srv->sock, ZMQ_RCVHWM, 2000);
    set_int(srv->sock, ZMQ_SNDHWM, 20000);
    set_int(srv->sock, ZMQ_HEARTBEAT_IVL, 10000);
    set_int(srv->sock, ZMQ_HEARTBEAT_TIMEOUT, 30000);
    set_int(srv->sock, ZMQ_HEARTBEAT_TTL, 30000);
    set_int(srv->sock, ZMQ_HANDSHAKE_IVL, 10000);
    if (zmq_bind(srv->sock, cfg->bind) != 0) {
        snprintf(err, errlen, _("cannot listen on %s: %s"), cfg->bind, zmq_strerror(errno));
        goto fail;
    }
    char endpoint[256];
    size_t elen = sizeof endpoint;
    zmq_getsockopt(srv->sock, ZMQ_LAST_ENDPOINT, endpoint, &elen);
    th_info(_("tonghopd listening on %s (schema version %d)"), endpoint, version);
    if (cfg->endpoint_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", cfg->endpoint_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", endpoint) < 0 || fclose(f) != 0 ||
            rename(tmp, cfg->endpoint_file) != 0) {
            snprintf(err, errlen, "%s: %s", cfg->endpoint_file, strerror(errno));
            goto fail;
        }
    }
    return srv;
fail:
    th_server_destroy(&srv);
    return NULL;
}

void th_server_destroy(th_server **srvp)
{
    if (!srvp || !*srvp) return;
    th_server *srv = *srvp;
    if (srv->sock) zmq_close(srv->sock);
    if (srv->ctx) zmq_ctx_term(srv->ctx);
    th_db_destroy(&srv->db);
    free(srv->reqs);
    free(srv->items);
    free(srv);
    *srvp = NULL;
}

/* Receives one whole multipart message into r. Returns 1 when a request was
 * read, 0 when nothing is waiting, -1 on interruption or error. */
static int recv_request(th_server *srv, request *r)
{
    memset(r, 0, sizeof *r);
    zmq_msg_t part;
    int first = 1;
    for (;;) {
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, srv->sock, first ? ZMQ_DONTWAIT : 0) < 0) {
            int e = errno;
            zmq_msg_close(&part);
            for (int i = 0; i < r->nroute; i++)
                zmq_msg_close(&r->route[i]);
            r->nroute = 0;
            return (first && e == EAGAIN) ? 0 : -1;
        }
        first = 0;
        int more = zmq_msg_more(&part);
        if (!more) {
            /* The last frame is the payload; everything before is the route. */
            r->msg = th_wire_unpack(zmq_msg_data(&part), zmq_msg_size(&part));
            zmq_msg_close(&part);
            return 1;
        }
        if (r->nroute < TH_MAX_ROUTE_FRAMES) {
            r->route[r->nroute++] = part; /* moves ownership */
        } else {
            zmq_msg_close(&part); /* a peer sending too many frames gets no sane route */
        }
    }
}

/* Replies can be larger than requests (a province report by commune), but
 * not without bound: past this the client is told to ask for less. */
#define TH_MAX_REPLY_BYTES (32 * 1024 * 1024)

static void send_reply(th_server *srv, request *r, const th_envelope *env)
{
    size_t len;
    uint8_t *buf = th_wire_pack(env, &len);
    if (buf && len > TH_MAX_REPLY_BYTES) {
        free(buf);
        th_envelope small;
        Tonghop__Error err;
        th_wire_init_reply(&small, r->request_id);
        th_wire_set_error(&small, &err, TONGHOP__ERROR__CODE__TOO_LARGE, NULL, NULL, "reply too large");
        buf = th_wire_pack(&small, &len);
    }
    if (!buf) {
        /* Nothing may go out: routing frames without their payload would
         * be glued to the next reply. */
        th_error("reply to request %s not built: out of memory", r->request_id ? r->request_id : "?");
        return;
    }
    int rc = 0;
    for (int i = 0; i < r->nroute && rc >= 0; i++)
        rc = zmq_msg_send(&r->route[i], srv->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(srv->sock, buf, len, ZMQ_DONTWAIT);
    if (rc < 0)
        th_warn("reply to request %s not delivered: %s", r->request_id ? r->request_id : "?",
                zmq_strerror(errno));
    free(buf);
}

static void reply(th_server *srv, request *r)
{
    th_envelope env;
    th_wire_init_reply(&env, r->request_id);
    Tonghop__Error err;
    Tonghop__Ack ack;
    char message[512];
    if (r->error_code) {
        th_plan_docs_fini(&r->docs);
        /* English for the log; the client renders its own language. */
        snprintf(message, sizeof message, "%s %s %s", th_wire_error_name(r->error_code), r->err.field,
                 r->err.detail);
        th_wire_set_error(&env, &err, r->error_code, r->err.field[0] ? r->err.field : NULL,
                          r->err.detail[0] ? r->err.detail : NULL, message);
    } else if (r->body == TONGHOP__ENVELOPE__BODY_PLAN_PUBLISH) {
        env.body_case = TONGHOP__ENVELOPE__BODY_ACK;
        env.ack = &r->ack;
    } else if (r->body == TONGHOP__ENVELOPE__BODY_HISTORY_QUERY) {
        env.body_case = TONGHOP__ENVELOPE__BODY_HISTORY_REPLY;
        env.history_reply = &r->history;
    } else if (r->body == TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY) {
        tonghop__rollup_reply__init(&r->rollup);
        r->rollup.report_json = r->report_json;
        env.body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_REPLY;
        env.rollup_reply = &r->rollup;
    } else if (r->body == TONGHOP__ENVELOPE__BODY_PLAN_FETCH) {
        tonghop__plan_reply__init(&r->plans);
        r->plans.plan_json = r->docs.docs;
        r->plans.n_plan_json = r->docs.n;
        env.body_case = TONGHOP__ENVELOPE__BODY_PLAN_REPLY;
        env.plan_reply = &r->plans;
    } else {
        const th_ingest_item *it = r->item;
        tonghop__ack__init(&ack);
        ack.has_outcome = 1;
        ack.outcome = it->outcome == TH_INGEST_DUPLICATE ? TONGHOP__ACK__OUTCOME__DUPLICATE
                                                         : TONGHOP__ACK__OUTCOME__STORED;
        ack.submission_id = it->sub->submission_id;
        ack.has_stored_values = 1;
        ack.stored_values = it->stored;
        ack.has_superseded_values = 1;
        ack.superseded_values = it->superseded;
        ack.has_stored_at = 1;
        ack.stored_at = it->stored_at;
        env.body_case = TONGHOP__ENVELOPE__BODY_ACK;
        env.ack = &ack;
    }
    send_reply(srv, r, &env);
    th_plan_docs_fini(&r->docs);
    free(r->report_json);
    r->report_json = NULL;
    th_history_fini(&r->history);
}

static void fail_request(request *r, int code, const char *field, const char *detail)
{
    r->error_code = code;
    snprintf(r->err.field, sizeof r->err.field, "%s", field ? field : "");
    snprintf(r->err.detail, sizeof r->err.detail, "%s", detail ? detail : "");
}

/* Decides what to do with a request: an immediate error, or an ingest item. */
static void classify(th_server *srv, request *r, size_t *nitems, int today_y, int today_m)
{
    th_envelope *env = th_wire_msg_envelope(r->msg);
    r->request_id = "";
    if (!env) {
        fail_request(r, TONGHOP__ERROR__CODE__MALFORMED, NULL, NULL);
        return;
    }
    r->request_id = env->request_id && th_validate_uuid(env->request_id) ? env->request_id : "";
    if (!env->has_protocol_version || env->protocol_version != TH_PROTOCOL_VERSION) {
        char v[16];
        snprintf(v, sizeof v, "%u", env->has_protocol_version ? env->protocol_version : 0);
        fail_request(r, TONGHOP__ERROR__CODE__UNSUPPORTED_VERSION, "protocol_version", v);
        return;
    }
    switch (env->body_case) {
    case TONGHOP__ENVELOPE__BODY_SUBMISSION: {
        th_ingest_item *it = &srv->items[*nitems];
        memset(it, 0, sizeof *it);
        if (th_validate_submission(env->submission, today_y, today_m, &it->period, &r->err) != 0) {
            r->error_code = r->err.code;
            return;
        }
        it->sub = env->submission;
        r->item = it;
        (*nitems)++;
        return;
    }
    case TONGHOP__ENVELOPE__BODY_PLAN_PUBLISH:
    case TONGHOP__ENVELOPE__BODY_PLAN_FETCH:
    case TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY:
    case TONGHOP__ENVELOPE__BODY_HISTORY_QUERY: r->body = (int)env->body_case; return;
    case TONGHOP__ENVELOPE__BODY__NOT_SET:
        fail_request(r, TONGHOP__ERROR__CODE__MISSING_FIELD, "body", NULL);
        return;
    default: {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(&tonghop__envelope__descriptor, (unsigned)env->body_case);
        fail_request(r, TONGHOP__ERROR__CODE__UNSUPPORTED, "body", f ? f->name : NULL);
        return;
    }
    }
}

/* A report: checks the query, then th_report_fetch. Returns 0, or -1 on a
 * database failure (dberr set). */
static int run_report(PGconn *conn, request *r, const Tonghop__RollupQuery *q, char *dberr, size_t dberrlen)
{
    th_period p;
    const char *unit = q->unit_code && *q->unit_code ? q->unit_code : NULL;
    if (!q->plan_code || !*q->plan_code) {
        fail_request(r, TONGHOP__ERROR__CODE__MISSING_FIELD, "plan_code", NULL);
        return 0;
    }
    if (strlen(q->plan_code) > 64 || !th_validate_utf8(q->plan_code)) {
        fail_request(r, TONGHOP__ERROR__CODE__INVALID_VALUE, "plan_code", NULL);
        return 0;
    }
    if (!q->period || th_period_parse(q->period, &p) != 0) {
        fail_request(r, TONGHOP__ERROR__CODE__BAD_PERIOD, "period", NULL);
        return 0;
    }
    if (unit && !th_validate_code(unit)) {
        fail_request(r, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code", NULL);
        return 0;
    }
    char period[16];
    th_period_format(&p, period, sizeof period);
    int rc = th_report_fetch(conn, q->plan_code, period, unit, q->has_by_child && q->by_child,
                             &r->report_json, &r->err, dberr, dberrlen);
    if (rc == 0 && r->err.code) r->error_code = r->err.code;
    return rc;
}

/* Runs a plan publication or fetch, or a report, on the database; sets the
 * reply. */
static void run_query(th_server *srv, request *r)
{
    th_envelope *env = th_wire_msg_envelope(r->msg);
    PGconn *conn = th_db_ensure(srv->db);
    if (!conn) {
        fail_request(r, TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL);
        return;
    }
    char dberr[512];
    int rc;
    if (r->body == TONGHOP__ENVELOPE__BODY_PLAN_PUBLISH) {
        const char *json = env->plan_publish->plan_json;
        th_plan_info info;
        char *normalized = NULL;
        if (!json) {
            fail_request(r, TONGHOP__ERROR__CODE__MISSING_FIELD, "plan_json", NULL);
            return;
        }
        if (th_plan_file_check(json, strlen(json), &info, &normalized, &r->err) != 0) {
            r->error_code = r->err.code;
            return;
        }
        th_plan_store_result res;
        rc = th_plans_store(conn, normalized, &res, dberr, sizeof dberr);
        free(normalized);
        if (rc == 0 && res.outcome == TH_PLAN_REJECTED) {
            r->error_code = res.err.code ? res.err.code : TONGHOP__ERROR__CODE__INTERNAL;
            r->err = res.err;
            return;
        }
        if (rc == 0) {
            snprintf(r->plan_code, sizeof r->plan_code, "%s", info.code);
            tonghop__ack__init(&r->ack);
            r->ack.has_outcome = 1;
            r->ack.outcome = res.outcome == TH_PLAN_STORED ? TONGHOP__ACK__OUTCOME__ACCEPTED
                                                           : TONGHOP__ACK__OUTCOME__DUPLICATE;
            r->ack.plan_code = r->plan_code;
            r->ack.has_plan_revision = 1;
            r->ack.plan_revision = (uint32_t)res.revision;
            th_info("plan %s revision %d %s", info.code, res.revision,
                    res.outcome == TH_PLAN_STORED ? "stored" : "unchanged");
        }
    } else if (r->body == TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY) {
        rc = run_report(conn, r, env->rollup_query, dberr, sizeof dberr);
    } else if (r->body == TONGHOP__ENVELOPE__BODY_HISTORY_QUERY) {
        rc = th_history_fetch(conn, env->history_query, &r->history, &r->err, dberr, sizeof dberr);
        if (rc == 0 && r->err.code) r->error_code = r->err.code;
    } else {
        const Tonghop__PlanFetch *f = env->plan_fetch;
        const char *code = f->plan_code && *f->plan_code ? f->plan_code : NULL;
        const char *unit = f->unit_code && *f->unit_code ? f->unit_code : NULL;
        if ((code && (strlen(code) > 64 || !th_validate_utf8(code))) || (unit && !th_validate_code(unit))) {
            fail_request(r, TONGHOP__ERROR__CODE__INVALID_VALUE,
                         code && strlen(code) > 64 ? "plan_code" : "unit_code", NULL);
            return;
        }
        rc = th_plans_fetch(conn, code, unit, &r->docs, &r->err, dberr, sizeof dberr);
        if (rc == 0 && r->err.code) r->error_code = r->err.code;
    }
    if (rc != 0) {
        int lost = th_db_check_lost(srv->db);
        th_warn("request %s failed: %s", r->request_id, dberr);
        fail_request(r, lost ? TONGHOP__ERROR__CODE__UNAVAILABLE : TONGHOP__ERROR__CODE__INTERNAL, NULL,
                     NULL);
    }
}

/* Reads what is waiting (up to batch_max), handles it as one batch, replies.
 * Returns the number of requests handled, or -1 when interrupted. */
static int serve_batch(th_server *srv)
{
    int n = 0, rc = 0;
    while (n < srv->cfg.batch_max && (rc = recv_request(srv, &srv->reqs[n])) == 1)
        n++;
    if (n == 0) return rc < 0 ? -1 : 0;

    int year, month;
    th_period_today_vn(&year, &month);
    size_t nitems = 0;
    for (int i = 0; i < n; i++)
        classify(srv, &srv->reqs[i], &nitems, year, month);

    th_ingest_batch(srv->db, srv->items, nitems);
    for (int i = 0; i < n; i++)
        if (!srv->reqs[i].error_code && srv->reqs[i].body) run_query(srv, &srv->reqs[i]);

    for (int i = 0; i < n; i++) {
        request *r = &srv->reqs[i];
        if (!r->error_code && r->item && r->item->outcome != TH_INGEST_STORED &&
            r->item->outcome != TH_INGEST_DUPLICATE) {
            /* Only an explicit stored/duplicate outcome is ever acked. */
            r->error_code = r->item->err.code ? r->item->err.code : TONGHOP__ERROR__CODE__INTERNAL;
            r->err = r->item->err;
        }
        if (r->error_code && r->error_code != TONGHOP__ERROR__CODE__UNAVAILABLE) {
            char text[512];
            th_info("request %s refused: %s", r->request_id,
                    th_errtext_format(r->error_code, r->err.field, r->err.detail, text, sizeof text));
        }
        reply(srv, r);
        th_wire_msg_destroy(&r->msg);
        for (int j = 0; j < r->nroute; j++)
            zmq_msg_close(&r->route[j]);
    }
    srv->served += (unsigned long)n;
    return n;
}

int th_server_run(th_server *srv)
{
    zmq_pollitem_t item = {srv->sock, 0, ZMQ_POLLIN, 0};
    while (!stop_requested) {
        int rc = zmq_poll(&item, 1, 1000);
        if (rc < 0) {
            if (errno == EINTR) continue;
            th_error("zmq_poll: %s", zmq_strerror(errno));
            return -1;
        }
        if (rc == 0) {
            /* Idle: notice a connection PostgreSQL has closed (a restart)
             * and reconnect by ourselves, not on the next request. */
            th_db_poll(srv->db);
            if (!th_db_ensure(srv->db)) th_debug("database still unavailable: %s", th_db_error(srv->db));
            continue;
        }
        while (!stop_requested && serve_batch(srv) > 0) {
        }
    }
    /* Answer what was already received before closing: a bounded number of
     * batches, so that a steady stream cannot keep the server from stopping
     * (what is left goes unanswered, and its clients will retry). */
    for (int i = 0; i < 8 && serve_batch(srv) > 0; i++) {
    }
    th_info(_("tonghopd stopping after %lu request(s)"), srv->served);
    return 0;
}
