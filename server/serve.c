/* serve.c -- the front: the ROUTER socket, dispatch to the lanes, replies,
 * deadlines.
 *
 * One thread owns every socket that faces the network. It decodes each
 * request, runs its handler's check, and queues it on the handler's lane
 * (handler.h, lane.h). Finished jobs come back over inproc:// as pointers
 * and their packed replies go out. Whatever is still open at its deadline
 * (received + --db-timeout) is answered UNAVAILABLE from here, so a frozen
 * database can delay no answer past the timeout: a late result is then
 * dropped, which is safe because an UNAVAILABLE client retries and the
 * retry of a stored submission is recognised as a duplicate. */
#include "serve.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "audit.h"
#include "conn_guard.h"
#include "db.h"
#include "errtext.h"
#include "handler.h"
#include "i18n.h"
#include "ingest.h"
#include "stats_refresh.h"
#include "keyfile.h"
#include "keys.h"
#include "lane.h"
#include "log.h"
#include "notify.h"
#include "metrics.h"
#include "metrics_http.h"
#include "reqlog.h"
#include "migrate.h"
#include "peers.h"
#include "wire.h"

#define TH_BATCH_DEFAULT 256
#define TH_READ_WORKERS_DEFAULT 2
/* Two: PostgreSQL's ingest backend is the bottleneck of a burst, and a
 * second one on the second core stores about 1.6 times as fast
 * (bench/RESULTS.md). */
#define TH_INGEST_WORKERS_DEFAULT 2
/* Most requests open at once; past it the ROUTER is not read (requests wait
 * in ZeroMQ's own bounded queue). */
#define TH_MAX_OPEN 4096
#define TH_DONE_ENDPOINT "inproc://tonghopd-done"
/* Most requests one connection may have open; past it, BUSY at once. */
#define TH_MAX_OPEN_PER_CLIENT_DEFAULT 256
/* Requests ZeroMQ queues per connection before it stops reading the
 * connection's TCP socket (the client then waits, in its own queue and in
 * TCP's). The front reads them as they come, so the queue fills only while
 * it is saturated (TH_MAX_OPEN); then each connection may hold this many
 * requests of up to TH_WIRE_MAX_BYTES (1 MB): 32 MB at the very worst, a few
 * hundred kB with real requests (a submission is well under 1 kB). 32 is
 * still more than one 8 kB read of small requests brings. */
#define TH_RCVHWM 32
/* Replies queued per connection beyond its open requests: the refusals the
 * front answers at once (BUSY, MALFORMED...) on top of a full burst. */
#define TH_SNDHWM_SLACK 64
/* Undelivered replies and BUSY answers are logged as counts, at most this
 * often; memory is given back at most this often. */
#define TH_REPORT_MS 1000
#define TH_TRIM_MS 5000

static volatile sig_atomic_t stop_requested;

static volatile sig_atomic_t reload_requested;

void th_server_stop(void) { stop_requested = 1; }

void th_server_reload(void) { reload_requested = 1; }

struct th_server {
    th_serve_config cfg;
    void *ctx;
    void *sock; /* ROUTER: the clients */
    void *done; /* PULL: finished jobs from the lanes */
    /* By th_lane_kind. Without a separate --read-db, lanes[TH_LANE_REPORT]
     * is lanes[TH_LANE_READ] (own_report 0): one pool, as before. */
    th_lane *lanes[TH_LANES];
    int own_report;
    th_keys *keys;                 /* NULL when insecure */
    th_audit *audit;               /* the audit trail's writer */
    th_job *open_head, *open_tail; /* open jobs, oldest first */
    th_job **pending[TH_LANES];    /* read in this round, not yet queued, per lane */
    size_t npending[TH_LANES];
    size_t nopen;
    unsigned long served;
    unsigned long expired;
    th_peers *peers; /* open requests per connection */
    th_guard *guard; /* connections against the descriptor limit */
    /* Counted since last_report_ms, logged by report(). */
    unsigned long busy, undelivered_full, undelivered_gone;
    int64_t last_report_ms;
    int trim_wanted; /* memory was freed that the allocator may keep */
    int64_t last_trim_ms;
};

static int set_int(void *sock, int opt, int v) { return zmq_setsockopt(sock, opt, &v, sizeof v); }

int th_serve_loopback_only(const char *bind)
{
    if (!strncmp(bind, "ipc://", 6) || !strncmp(bind, "inproc://", 9)) return 1;
    if (strncmp(bind, "tcp://", 6) != 0) return 0;
    const char *h = bind + 6;
    return !strncmp(h, "127.", 4) || !strncmp(h, "[::1]:", 6) || !strncmp(h, "localhost:", 10);
}

static int write_endpoint_file(const char *path, const char *endpoint, char *err, size_t errlen)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "%s\n", endpoint) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

th_server *th_server_new(const th_serve_config *cfg, char *err, size_t errlen)
{
    th_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    if (srv->cfg.batch_max <= 0) srv->cfg.batch_max = TH_BATCH_DEFAULT;
    if (srv->cfg.read_workers <= 0) srv->cfg.read_workers = TH_READ_WORKERS_DEFAULT;
    if (srv->cfg.ingest_workers <= 0) srv->cfg.ingest_workers = TH_INGEST_WORKERS_DEFAULT;
    if (srv->cfg.db_timeout_ms <= 0) srv->cfg.db_timeout_ms = TH_DB_TIMEOUT_MS;
    if (srv->cfg.max_open_per_client <= 0) srv->cfg.max_open_per_client = TH_MAX_OPEN_PER_CLIENT_DEFAULT;
    if (srv->cfg.max_open_per_client > TH_MAX_OPEN) srv->cfg.max_open_per_client = TH_MAX_OPEN;
    srv->peers = th_peers_new();
    if (!srv->peers) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }

    int version;
    /* The server's secret key, kept until the notification socket has it. */
    char secret[TH_KEY_Z85_LEN + 1] = "";
    if (th_migrate_check(srv->cfg.dsn, srv->cfg.db_timeout_ms, &version, err, errlen) != 0) goto fail;

    srv->ctx = zmq_ctx_new();
    srv->sock = srv->ctx ? zmq_socket(srv->ctx, ZMQ_ROUTER) : NULL;
    srv->done = srv->ctx ? zmq_socket(srv->ctx, ZMQ_PULL) : NULL;
    if (!srv->sock || !srv->done) {
        snprintf(err, errlen, "zmq: %s", zmq_strerror(errno));
        goto fail;
    }
    set_int(srv->done, ZMQ_RCVHWM, 0);
    set_int(srv->done, ZMQ_LINGER, 0);
    if (zmq_bind(srv->done, TH_DONE_ENDPOINT) != 0) {
        snprintf(err, errlen, "zmq: %s", zmq_strerror(errno));
        goto fail;
    }
    int64_t maxmsg = TH_WIRE_MAX_BYTES + 1024;
    zmq_setsockopt(srv->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    set_int(srv->sock, ZMQ_LINGER, 2000);
    set_int(srv->sock, ZMQ_ROUTER_MANDATORY, 1);
    /* Per connection, bounded queues. Requests: TH_RCVHWM. Replies: a
     * connection's whole window of open requests and a little more, so that
     * a client that reads gets every reply of a burst, and one that does not
     * read costs at most this many; past it the send fails at once
     * (ROUTER_MANDATORY, DONTWAIT), the reply is dropped and counted in the
     * log, and the client asks again. */
    set_int(srv->sock, ZMQ_RCVHWM, TH_RCVHWM);
    set_int(srv->sock, ZMQ_SNDHWM, srv->cfg.max_open_per_client + TH_SNDHWM_SLACK);
    set_int(srv->sock, ZMQ_HEARTBEAT_IVL, 10000);
    set_int(srv->sock, ZMQ_HEARTBEAT_TIMEOUT, 30000);
    set_int(srv->sock, ZMQ_HEARTBEAT_TTL, 30000);
    set_int(srv->sock, ZMQ_HANDSHAKE_IVL, 10000);

    srv->audit = th_audit_start(cfg->dsn, srv->cfg.db_timeout_ms, err, errlen);
    if (!srv->audit) goto fail;

    if (srv->cfg.insecure) {
        if (!th_serve_loopback_only(cfg->bind)) {
            snprintf(err, errlen,
                     _("--insecure serves plain text, so it binds only to this machine (tcp://127.0.0.1:..., "
                       "tcp://[::1]:..., ipc://...), not %s"),
                     cfg->bind);
            goto fail;
        }
        th_warn("%s", _("serving WITHOUT encryption or keys (--insecure): only for tests on this machine"));
    } else {
        th_keypair kp;
        if (cfg->keypair) {
            kp = *cfg->keypair;
        } else if (!cfg->secret_key_file) {
            snprintf(
                err, errlen, "%s",
                _("no server key: give --secret-key-file FILE (made by tonghopd keygen) or set "
                  "TONGHOP_SECRET_KEY_FILE or TONGHOP_SECRET_KEY, or --insecure for a test on this machine"));
            goto fail;
        } else if (th_keyfile_read(cfg->secret_key_file, &kp, err, errlen) != 0) {
            goto fail;
        }
        /* The ZAP handler first: without one libzmq lets every key in. */
        srv->keys = th_keys_start(srv->ctx, cfg->dsn, srv->cfg.db_timeout_ms, srv->audit, err, errlen);
        int one = 1;
        if (!srv->keys || zmq_setsockopt(srv->sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
            zmq_setsockopt(srv->sock, ZMQ_CURVE_SECRETKEY, kp.secret_key, TH_KEY_Z85_LEN) != 0 ||
            zmq_setsockopt(srv->sock, ZMQ_ZAP_DOMAIN, "tonghop", 7) != 0) {
            memset(&kp, 0, sizeof kp);
            if (srv->keys) snprintf(err, errlen, "CURVE: %s", zmq_strerror(errno));
            goto fail;
        }
        memcpy(secret, kp.secret_key, TH_KEY_Z85_LEN);
        memset(&kp, 0, sizeof kp);
    }

    if (cfg->test_clock)
        th_warn(_("TEST CLOCK: the time of every submission and deadline is read from %s, not the real clock "
                  "(--test-clock is for tests only; never use it in production)"),
                cfg->test_clock);
    th_lane_config ingest = {.name = "ingest",
                             .threads = srv->cfg.ingest_workers,
                             .partitioned = 1,
                             .idle = th_stats_refresh_if_due,
                             .batch_max = (size_t)srv->cfg.batch_max,
                             .dsn = cfg->dsn,
                             .db_timeout_ms = srv->cfg.db_timeout_ms,
                             .stmts = th_ingest_stmts,
                             .nstmts = th_ingest_nstmts,
                             .test_clock = cfg->test_clock,
                             .zctx = srv->ctx,
                             .done_endpoint = TH_DONE_ENDPOINT};
    th_lane_config read = ingest;
    read.name = "read";
    read.threads = srv->cfg.read_workers;
    read.partitioned = 0;
    read.idle = NULL;
    read.batch_max = 1;
    read.stmts = NULL;
    read.nstmts = 0;
    /* Pure reads on their own connections to --read-db (a hot standby),
     * when it names another database than --db. The writes of the READ lane
     * (publications, approvals) stay on the primary. */
    srv->own_report = cfg->read_dsn && *cfg->read_dsn && strcmp(cfg->read_dsn, cfg->dsn) != 0;
    th_lane_config report = read;
    report.name = "report";
    report.dsn = cfg->read_dsn;
    if (srv->own_report) {
        /* Not fatal: the standby may be down now and back later (the lane
         * reconnects by itself), but a wrong DSN should be seen at once. */
        char why[512];
        int read_version;
        if (th_migrate_check(cfg->read_dsn, srv->cfg.db_timeout_ms, &read_version, why, sizeof why) != 0)
            th_warn(_("the database for reports (--read-db) cannot be used now: %s"), why);
    }
    for (int i = 0; i < TH_LANES; i++) {
        srv->pending[i] = calloc((size_t)srv->cfg.batch_max, sizeof *srv->pending[i]);
        if (!srv->pending[i]) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    srv->lanes[TH_LANE_INGEST] = th_lane_new(&ingest, err, errlen);
    if (!srv->lanes[TH_LANE_INGEST]) goto fail;
    srv->lanes[TH_LANE_READ] = th_lane_new(&read, err, errlen);
    if (!srv->lanes[TH_LANE_READ]) goto fail;
    srv->lanes[TH_LANE_REPORT] =
        srv->own_report ? th_lane_new(&report, err, errlen) : srv->lanes[TH_LANE_READ];
    if (!srv->lanes[TH_LANE_REPORT]) goto fail;

    /* Before binding, not to miss a connection: the database threads are
     * the lanes', the ZAP handler's and the audit writer's. */
    srv->guard = th_guard_new(srv->ctx, srv->sock,
                              srv->cfg.read_workers * (srv->own_report ? 2 : 1) + srv->cfg.ingest_workers + 2,
                              err, errlen);
    if (!srv->guard) goto fail;
    if (zmq_bind(srv->sock, cfg->bind) != 0) {
        snprintf(err, errlen, _("cannot listen on %s: %s"), cfg->bind, zmq_strerror(errno));
        goto fail;
    }
    char endpoint[256];
    size_t elen = sizeof endpoint;
    zmq_getsockopt(srv->sock, ZMQ_LAST_ENDPOINT, endpoint, &elen);
    th_info(_("tonghopd listening on %s (schema version %d)"), endpoint, version);
    th_guard_bound(srv->guard);
    if (cfg->notify_bind) {
        if (srv->cfg.insecure && !th_serve_loopback_only(cfg->notify_bind)) {
            snprintf(err, errlen,
                     _("--insecure notifies only on this machine (tcp://127.0.0.1:..., ipc://...), not %s"),
                     cfg->notify_bind);
            goto fail;
        }
        th_notify_config nc = {.zctx = srv->ctx,
                               .bind = cfg->notify_bind,
                               .secret_key = srv->cfg.insecure ? NULL : secret,
                               .dsn = cfg->dsn,
                               .db_timeout_ms = srv->cfg.db_timeout_ms,
                               .test_clock = cfg->test_clock};
        if (th_notify_start(&nc, err, errlen) != 0) goto fail;
        if (cfg->notify_endpoint_file &&
            write_endpoint_file(cfg->notify_endpoint_file, th_notify_endpoint(), err, errlen) != 0)
            goto fail;
    }
    memset(secret, 0, sizeof secret);
    if (cfg->metrics_bind && th_metrics_http_start(cfg->metrics_bind, err, errlen) != 0) goto fail;
    /* Written last: a test that waits for it may use every endpoint. */
    if (cfg->endpoint_file && write_endpoint_file(cfg->endpoint_file, endpoint, err, errlen) != 0) goto fail;
    return srv;
fail:
    memset(secret, 0, sizeof secret);
    th_server_destroy(&srv);
    return NULL;
}

/* The connection a job came from: its routing id, the first route frame
 * (which send_bytes keeps). */
static const void *peer_id(th_job *job, size_t *len)
{
    *len = job->nroute > 0 ? zmq_msg_size(&job->route[0]) : 0;
    return job->nroute > 0 ? zmq_msg_data(&job->route[0]) : "";
}

static void open_link(th_server *srv, th_job *job)
{
    job->prev = srv->open_tail;
    job->next = NULL;
    if (srv->open_tail)
        srv->open_tail->next = job;
    else
        srv->open_head = job;
    srv->open_tail = job;
    srv->nopen++;
}

static void open_unlink(th_server *srv, th_job *job)
{
    assert(srv->nopen > 0);
    if (job->prev)
        job->prev->next = job->next;
    else
        srv->open_head = job->next;
    if (job->next)
        job->next->prev = job->prev;
    else
        srv->open_tail = job->prev;
    job->prev = job->next = NULL;
    srv->nopen--;
    size_t len;
    const void *id = peer_id(job, &len);
    th_peers_release(srv->peers, id, len);
}

void th_server_destroy(th_server **srvp)
{
    if (!srvp || !*srvp) return;
    th_server *srv = *srvp;
    /* Workers first: after this no thread but ours touches a job. */
    th_lane_destroy(&srv->lanes[TH_LANE_INGEST]);
    if (srv->own_report)
        th_lane_destroy(&srv->lanes[TH_LANE_REPORT]);
    else
        srv->lanes[TH_LANE_REPORT] = NULL; /* the READ lane's */
    th_lane_destroy(&srv->lanes[TH_LANE_READ]);
    while (srv->open_head) {
        th_job *job = srv->open_head;
        open_unlink(srv, job);
        th_job_destroy(&job);
    }
    th_notify_stop(); /* its socket, before the context ends */
    th_metrics_http_stop();
    th_peers_destroy(&srv->peers);
    th_guard_destroy(&srv->guard); /* before its socket closes */
    if (srv->sock) zmq_close(srv->sock);
    if (srv->done) zmq_close(srv->done);
    th_keys_stop(&srv->keys);
    th_audit_stop(&srv->audit); /* after the ZAP thread, which records into it */
    if (srv->ctx) zmq_ctx_term(srv->ctx);
    for (int i = 0; i < TH_LANES; i++)
        free(srv->pending[i]);
    free(srv);
    *srvp = NULL;
}

/* Sends bytes on the job's route. Exactly once per job. A reply that cannot
 * go (the client's queue is full: it does not read; or the client has gone)
 * is counted, and logged once a second by report(). */
static void send_bytes(th_server *srv, th_job *job, const uint8_t *buf, size_t len)
{
    assert(!job->answered);
    job->answered = 1;
    int rc = 0;
    /* The routing id goes as a copy: the job keeps it until it is unlinked,
     * its connection's open requests being counted under it (peers.h). */
    zmq_msg_t id;
    zmq_msg_init(&id);
    if (job->nroute > 0 && zmq_msg_copy(&id, &job->route[0]) != 0) rc = -1;
    for (int i = 0; i < job->nroute && rc >= 0; i++)
        rc = zmq_msg_send(i ? &job->route[i] : &id, srv->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(srv->sock, buf, len, ZMQ_DONTWAIT);
    if (rc < 0) {
        srv->trim_wanted = 1;
        if (errno == EAGAIN)
            srv->undelivered_full++;
        else if (errno == EHOSTUNREACH)
            srv->undelivered_gone++;
        else
            th_warn("reply to request %s not delivered: %s", job->request_id, zmq_strerror(errno));
    }
    /* Sent frames are emptied by libzmq; closing them all is always right. */
    zmq_msg_close(&id);
    for (int i = 1; i < job->nroute; i++)
        zmq_msg_close(&job->route[i]);
    if (job->nroute > 1) job->nroute = 1;
}

/* Records a write, whatever its outcome, and any refusal (audit.h). A
 * database failure (UNAVAILABLE, INTERNAL) of a read is not a refusal. */
static void audit_job(th_server *srv, const th_job *job, int code, const th_verr *err, const char *outcome)
{
    int writes = job->handler && job->handler->writes;
    int failed = code == TONGHOP__ERROR__CODE__UNAVAILABLE || code == TONGHOP__ERROR__CODE__INTERNAL;
    if (!writes && (!code || failed)) return;
    const char *request = job->handler ? job->handler->name : job->env ? "unsupported" : "malformed";
    th_audit_record(srv->audit, &job->who, request, job->target, outcome, code && err ? err->field : NULL,
                    code && err ? err->detail : NULL, job->request_id);
}

/* The unit or plan a request names, kept for the audit. */
static void note_target(th_job *job)
{
    const th_envelope *env = job->env;
    const char *t = NULL;
    switch (env->body_case) {
    case TONGHOP__ENVELOPE__BODY_SUBMISSION: t = env->submission->unit_code; break;
    case TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY:
        t = env->rollup_query->unit_code && *env->rollup_query->unit_code ? env->rollup_query->unit_code
                                                                          : env->rollup_query->plan_code;
        break;
    case TONGHOP__ENVELOPE__BODY_HISTORY_QUERY: t = env->history_query->unit_code; break;
    case TONGHOP__ENVELOPE__BODY_DUE_QUERY: t = env->due_query->unit_code; break;
    case TONGHOP__ENVELOPE__BODY_REVIEW_QUERY:
        t = env->review_query->unit_code && *env->review_query->unit_code ? env->review_query->unit_code
                                                                          : env->review_query->plan_code;
        break;
    case TONGHOP__ENVELOPE__BODY_PLAN_FETCH:
        t = env->plan_fetch->plan_code && *env->plan_fetch->plan_code ? env->plan_fetch->plan_code
                                                                      : env->plan_fetch->unit_code;
        break;
    default: break; /* publications: their handler's check names the plan */
    }
    if (t) snprintf(job->target, sizeof job->target, "%s", t);
}

/* Sends the job's packed reply, and logs and audits a refusal. */
static void send_reply(th_server *srv, th_job *job)
{
    audit_job(srv, job, job->reply ? job->error_code : TONGHOP__ERROR__CODE__INTERNAL, &job->err,
              job->reply ? job->outcome : "INTERNAL");
    th_reqlog_done(job, job->reply ? job->outcome : "INTERNAL");
    if (!job->reply) {
        /* Nothing may go out: routing frames without their payload would
         * be glued to the next reply. The client will retry. */
        job->answered = 1;
        th_error("reply to request %s not built", job->request_id);
        return;
    }
    send_bytes(srv, job, job->reply, job->reply_len);
    srv->served++;
}

/* Answers a request the front refuses by itself, and frees it. */
static void refuse_now(th_server *srv, th_job *job)
{
    if (th_job_pack_reply(job) != 0)
        th_error("reply to request %s not built: out of memory", job->request_id);
    send_reply(srv, job);
    th_job_destroy(&job);
}

/* Answers BUSY, at once and unqueued, a request from a connection that has
 * --max-open-per-client requests open already (or when out of memory to
 * count them). Audited (the audit's queue is bounded) but not logged one by
 * one, as a flood of them would flood the log: counted, and logged once a
 * second by report(). */
static void refuse_busy(th_server *srv, th_job *job)
{
    th_job_fail(job, TONGHOP__ERROR__CODE__BUSY, NULL, NULL);
    /* For the audit: who asked for what (nothing of it runs). */
    if (!srv->keys)
        job->who.role = TH_ROLE_LOCAL;
    else
        th_keys_lookup(srv->keys, job->who.key, &job->who);
    if (job->env) {
        job->handler = th_handler_find((int)job->env->body_case);
        note_target(job);
    }
    audit_job(srv, job, TONGHOP__ERROR__CODE__BUSY, &job->err, "BUSY");
    th_metrics_request(job->handler ? job->handler->name : "unsupported", "BUSY", 0);
    if (th_job_pack_reply(job) == 0) send_bytes(srv, job, job->reply, job->reply_len);
    srv->busy++;
    th_job_destroy(&job);
}

/* Decides where a request goes: refused now, or queued on its lane. */
static void dispatch(th_server *srv, th_job *job)
{
    const th_envelope *env = job->env;
    /* Who is asking, from the handshake: a key revoked after it is refused
     * from its next request, and so is one without a role we know (the
     * table allows none, but nothing may fall through to a unit's rights).
     * Without keys (--insecure) everything is allowed: a test on this
     * machine. */
    if (!srv->keys) {
        job->who.role = TH_ROLE_LOCAL;
    } else if (!th_keys_lookup(srv->keys, job->who.key, &job->who) || job->who.role == TH_ROLE_NONE) {
        th_job_fail(job, TONGHOP__ERROR__CODE__FORBIDDEN, "key", "revoked");
        refuse_now(srv, job);
        return;
    }
    if (!env) {
        /* Undecodable (MALFORMED), or a string refused while decoding
         * (th_job_new set why: a NUL byte, not UTF-8). */
        if (!job->error_code) th_job_fail(job, TONGHOP__ERROR__CODE__MALFORMED, NULL, NULL);
        refuse_now(srv, job);
        return;
    }
    if (!env->has_protocol_version || env->protocol_version != TH_PROTOCOL_VERSION) {
        char v[16];
        snprintf(v, sizeof v, "%u", env->has_protocol_version ? env->protocol_version : 0);
        th_job_fail(job, TONGHOP__ERROR__CODE__UNSUPPORTED_VERSION, "protocol_version", v);
        refuse_now(srv, job);
        return;
    }
    if (env->body_case == TONGHOP__ENVELOPE__BODY__NOT_SET) {
        th_job_fail(job, TONGHOP__ERROR__CODE__MISSING_FIELD, "body", NULL);
        refuse_now(srv, job);
        return;
    }
    note_target(job);
    job->handler = th_handler_find((int)env->body_case);
    if (!job->handler) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(&tonghop__envelope__descriptor, (unsigned)env->body_case);
        th_job_fail(job, TONGHOP__ERROR__CODE__UNSUPPORTED, "body", f ? f->name : NULL);
        refuse_now(srv, job);
        return;
    }
    if (job->handler->check(job) != 0) {
        assert(job->error_code != 0);
        refuse_now(srv, job);
        return;
    }
    job->deadline_ms = job->received_ms + srv->cfg.db_timeout_ms;
    open_link(srv, job);
    th_lane_kind lane = job->handler->lane;
    assert(srv->npending[lane] < (size_t)srv->cfg.batch_max);
    srv->pending[lane][srv->npending[lane]++] = job;
}

/* Queues what this round read: together, so that the ingest worker takes
 * the submissions that arrived together as one transaction. */
static void flush_pending(th_server *srv)
{
    for (int lane = 0; lane < TH_LANES; lane++) {
        th_lane_push_many(srv->lanes[lane], srv->pending[lane], srv->npending[lane]);
        srv->npending[lane] = 0;
    }
}

/* Receives one whole multipart message into a new job. Returns 1 when a
 * request was read (*out set, or NULL when out of memory), 0 when nothing is
 * waiting, -1 on interruption or error. */
static int recv_request(th_server *srv, th_job **out)
{
    zmq_msg_t route[TH_MAX_ROUTE_FRAMES];
    int nroute = 0, first = 1;
    zmq_msg_t part;
    *out = NULL;
    for (;;) {
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, srv->sock, first ? ZMQ_DONTWAIT : 0) < 0) {
            int e = errno;
            zmq_msg_close(&part);
            for (int i = 0; i < nroute; i++)
                zmq_msg_close(&route[i]);
            return (first && e == EAGAIN) ? 0 : -1;
        }
        first = 0;
        if (!zmq_msg_more(&part)) {
            /* The last frame is the payload; everything before is the route. */
            th_job *job = th_job_new(zmq_msg_data(&part), zmq_msg_size(&part));
            const char *uid = job ? zmq_msg_gets(&part, "User-Id") : NULL;
            const char *peer = job ? zmq_msg_gets(&part, "Peer-Address") : NULL;
            if (job && uid) snprintf(job->who.key, sizeof job->who.key, "%s", uid);
            if (job && peer) snprintf(job->who.peer, sizeof job->who.peer, "%s", peer);
            zmq_msg_close(&part);
            if (!job) {
                for (int i = 0; i < nroute; i++)
                    zmq_msg_close(&route[i]);
                th_error("request dropped: out of memory");
                return 1;
            }
            memcpy(job->route, route, sizeof route[0] * (size_t)nroute); /* moves ownership */
            job->nroute = nroute;
            *out = job;
            return 1;
        }
        if (nroute < TH_MAX_ROUTE_FRAMES)
            route[nroute++] = part; /* moves ownership */
        else
            zmq_msg_close(&part); /* a peer sending too many frames gets no sane route */
    }
}

/* Reads what waits on the ROUTER, up to max requests (at most batch_max),
 * and queues it. Returns how many. */
static int read_requests(th_server *srv, int max)
{
    int n = 0;
    th_job *job;
    if (max > srv->cfg.batch_max) max = srv->cfg.batch_max;
    while (n < max && srv->nopen < TH_MAX_OPEN && recv_request(srv, &job) == 1) {
        n++;
        if (!job) continue;
        /* Counted before dispatch, which either opens the job (open_unlink
         * then releases it) or answers it at once and frees it. A routing
         * id has at most 255 bytes. */
        unsigned char id[256];
        size_t len;
        const void *p = peer_id(job, &len);
        if (len > sizeof id) len = sizeof id;
        memcpy(id, p, len);
        if (th_peers_take(srv->peers, id, len, (unsigned)srv->cfg.max_open_per_client) != 0) {
            refuse_busy(srv, job);
            continue;
        }
        size_t before = srv->nopen;
        dispatch(srv, job);
        if (srv->nopen == before) th_peers_release(srv->peers, id, len);
    }
    flush_pending(srv);
    return n;
}

/* Collects finished jobs from the lanes and answers them. */
static void collect_done(th_server *srv)
{
    th_job *job;
    while (zmq_recv(srv->done, &job, sizeof job, ZMQ_DONTWAIT) == (int)sizeof job) {
        assert(job->state == TH_JOB_DONE);
        open_unlink(srv, job);
        if (!job->answered) send_reply(srv, job); /* else: answered at its deadline */
        th_job_destroy(&job);
    }
}

/* Answers UNAVAILABLE every open job past its deadline. Returns the
 * milliseconds until the next deadline (or -1 when nothing is open). */
static long expire(th_server *srv)
{
    int64_t now = th_job_now_ms();
    unsigned long n = 0;
    th_job *job = srv->open_head, *next;
    for (; job && job->deadline_ms <= now; job = next) {
        next = job->next;
        if (job->answered) continue;
        th_envelope env;
        Tonghop__Error e;
        th_wire_init_reply(&env, job->request_id);
        th_wire_set_error(&env, &e, TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL,
                          "the database did not answer in time");
        size_t len;
        uint8_t *buf = th_wire_pack(&env, &len);
        if (buf) send_bytes(srv, job, buf, len);
        free(buf);
        job->answered = 1;
        /* (A worker may hold the job: only what the front owns is read.) */
        audit_job(srv, job, TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, "UNAVAILABLE");
        th_metrics_request(job->handler ? job->handler->name : "unknown", "UNAVAILABLE",
                           (double)(now - job->received_ms) / 1000.0);
        n++;
        if (th_lane_cancel(srv->lanes[job->handler->lane], job)) {
            open_unlink(srv, job);
            th_job_destroy(&job);
        }
        /* else a worker holds it: it comes back through collect_done. */
    }
    if (n) {
        srv->expired += n;
        th_warn(_("%lu request(s) answered UNAVAILABLE: the database did not answer within %d ms"), n,
                srv->cfg.db_timeout_ms);
    }
    /* The oldest unanswered job sets the next wake-up. */
    for (job = srv->open_head; job && job->answered; job = job->next) {
    }
    return job ? (long)(job->deadline_ms - now > 0 ? job->deadline_ms - now : 0) : -1;
}

/* Logs what is counted rather than logged one by one, at most once every
 * TH_REPORT_MS; and, when idle, gives memory back to the system after
 * replies were dropped or connections closed: glibc keeps what is freed for
 * later (gigabytes, after clients that did not read their replies). */
static void report(th_server *srv)
{
    int64_t now = th_job_now_ms();
    th_metrics_set_open(srv->nopen);
    if (now - srv->last_report_ms >= TH_REPORT_MS &&
        (srv->busy || srv->undelivered_full || srv->undelivered_gone)) {
        th_metrics_dropped("reply", srv->undelivered_full + srv->undelivered_gone);
        if (srv->busy)
            th_warn(_("%lu request(s) answered BUSY: their connection already had %d open"), srv->busy,
                    srv->cfg.max_open_per_client);
        if (srv->undelivered_full)
            th_warn(
                _("%lu reply(ies) dropped: the client does not read its replies (%d already wait for it); it "
                  "will ask again"),
                srv->undelivered_full, srv->cfg.max_open_per_client + TH_SNDHWM_SLACK);
        if (srv->undelivered_gone)
            th_warn(_("%lu reply(ies) dropped: the client had disconnected"), srv->undelivered_gone);
        srv->busy = srv->undelivered_full = srv->undelivered_gone = 0;
        srv->last_report_ms = now;
    }
#ifdef __GLIBC__
    if (srv->trim_wanted && srv->nopen == 0 && now - srv->last_trim_ms >= TH_TRIM_MS) {
        int given = malloc_trim(0);
        th_debug("malloc_trim: %s", given ? "memory given back to the system" : "nothing to give back");
        srv->trim_wanted = 0;
        srv->last_trim_ms = now;
    }
#endif
}

void th_server_set_max_open_per_client(th_server *srv, int n)
{
    if (n <= 0) n = TH_MAX_OPEN_PER_CLIENT_DEFAULT;
    if (n > TH_MAX_OPEN) n = TH_MAX_OPEN;
    srv->cfg.max_open_per_client = n;
    /* Connections made from now on; open ones keep their queues. */
    set_int(srv->sock, ZMQ_SNDHWM, n + TH_SNDHWM_SLACK);
}

int th_server_run(th_server *srv)
{
    zmq_pollitem_t items[3] = {{srv->done, 0, ZMQ_POLLIN, 0},
                               {th_guard_socket(srv->guard), 0, ZMQ_POLLIN, 0},
                               {srv->sock, 0, ZMQ_POLLIN, 0}};
    int draining = 0, drain_left = 8 * srv->cfg.batch_max;
    for (;;) {
        if (stop_requested && !draining) {
            /* Answer what was already received before closing: a bounded
             * number, so that a steady stream cannot keep the server from
             * stopping (what is left goes unanswered; its clients retry). */
            draining = 1;
            while (drain_left > 0 && srv->nopen < TH_MAX_OPEN) {
                int n = read_requests(srv, drain_left);
                if (n == 0) break;
                drain_left -= n;
            }
        }
        if (draining && srv->nopen == 0) break;
        if (reload_requested) {
            reload_requested = 0;
            if (srv->cfg.on_reload)
                srv->cfg.on_reload(srv, srv->cfg.reload_arg);
            else
                th_info("%s", _("SIGHUP: no configuration file (serve --config) to read again"));
        }
        long wait = expire(srv);
        if (wait < 0 || wait > 1000) wait = 1000;
        int reading = !draining && srv->nopen < TH_MAX_OPEN;
        int rc = zmq_poll(items, reading ? 3 : 2, wait);
        if (rc < 0) {
            if (errno == EINTR) continue;
            th_error("zmq_poll: %s", zmq_strerror(errno));
            return -1;
        }
        collect_done(srv);
        if (th_guard_handle(srv->guard) > 0) srv->trim_wanted = 1;
        if (reading && (items[2].revents & ZMQ_POLLIN)) read_requests(srv, srv->cfg.batch_max);
        report(srv);
    }
    th_info(_("tonghopd stopping after %lu request(s)"), srv->served);
    return 0;
}
