/* notify.c -- the notifier: a bounded queue of events, one thread, one
 * XPUB socket in manual mode (notify.h). */
#include "notify.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "pgarray.h"
#include "wire.h"

/* Events waiting to be published; more are dropped. */
#define TH_NOTIFY_QUEUE 4096
/* Published per round (one topics query). */
#define TH_NOTIFY_ROUND 256
/* How often to look for subscribed keys revoked or enrolled again. */
#define TH_NOTIFY_KEYS_MS 1000
/* Deadlines that came while the server was stopped are announced once a
 * subscriber has been back this long (the others reconnect about as fast:
 * libzmq tries again every 100 ms), or this long after the start whoever
 * listens. */
#define TH_NOTIFY_CATCHUP_SETTLE_MS 1000
#define TH_NOTIFY_CATCHUP_MAX_MS 60000

static struct {
    pthread_mutex_t lock;
    th_notify_event *ring; /* TH_NOTIFY_QUEUE, oldest at head */
    size_t head, count;
    unsigned long dropped;
    int running;
    pthread_t thread;
    void *xpub;
    th_db *db;
    th_notify_config cfg;
    char endpoint[256];
    int secure;
    char secret[41]; /* the server's secret key, kept to open the socket again (wiped at stop) */
    struct sub_key { /* the keys subscribed since the socket was opened */
        char key[41];
        char enrolled[48]; /* its enrolled_at then, as text: changed when it is enrolled again */
    } * subs;
    size_t nsubs, capsubs;
    int64_t first_subscribed_ms; /* when the first subscriber since the start was subscribed (0: none yet) */
} g = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Where the deadline announcements stand (scan_deadlines). */
typedef struct scan_state {
    char last[64];   /* announced up to this instant (th_now() as text); "" before the first look */
    int catching_up; /* last is from before this start (notify_scans): held back until subscribers are back */
    int unrecorded;  /* notify_scans cannot be written (a standby's database): said once in the log */
    int64_t started_ms; /* the first look */
} scan_state;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *th_notify_endpoint(void) { return g.endpoint; }

void th_notify_post(const th_notify_event *ev)
{
    pthread_mutex_lock(&g.lock);
    if (!g.running) {
        pthread_mutex_unlock(&g.lock);
        return;
    }
    if (g.count == TH_NOTIFY_QUEUE) {
        g.dropped++;
    } else {
        g.ring[(g.head + g.count) % TH_NOTIFY_QUEUE] = *ev;
        g.count++;
    }
    pthread_mutex_unlock(&g.lock);
}

/* The test clock, as the lanes set it (lane.c): the file's first line. */
static void set_test_clock(void)
{
    if (!g.cfg.test_clock) return;
    char now[128];
    FILE *f = fopen(g.cfg.test_clock, "r");
    if (!f) return;
    size_t len = fread(now, 1, sizeof now - 1, f);
    fclose(f);
    now[len] = '\0';
    now[strcspn(now, "\r\n")] = '\0';
    const char *params[] = {now};
    PQclear(th_db_exec_params(g.db, "SELECT set_config('tonghop.now', $1::timestamptz::text, false)", 1,
                              params, NULL, NULL));
}

static int is_down(int kind)
{
    return kind == TONGHOP__NOTIFICATION__KIND__PERIOD_APPROVED ||
           kind == TONGHOP__NOTIFICATION__KIND__PERIOD_REOPENED ||
           kind == TONGHOP__NOTIFICATION__KIND__PLAN_PUBLISHED;
}

static char *opt(const char *s) { return *s ? (char *)s : NULL; }

/* Publishes one event under each of its topics ('{"u:1|","u:VN|"}' as
 * PostgreSQL writes a text array: elements without quotes or commas). */
static void publish(const th_notify_event *ev, const char *topics, const char *unit_name)
{
    Tonghop__Notification n = TONGHOP__NOTIFICATION__INIT;
    n.has_kind = 1;
    n.kind = ev->kind;
    n.unit_code = (char *)ev->unit;
    n.unit_name = opt(unit_name);
    n.period = opt(ev->period);
    n.plan_code = opt(ev->plan);
    n.submission_id = opt(ev->submission_id);
    n.detail = opt(ev->detail);
    n.deadline = opt(ev->deadline);
    n.has_at = 1;
    n.at = ev->at;
    n.has_days = ev->days > 0;
    n.days = ev->days;
    th_envelope env;
    th_wire_init_reply(&env, "");
    env.body_case = TONGHOP__ENVELOPE__BODY_NOTIFICATION;
    env.notification = &n;
    size_t len = 0;
    if (!g.xpub) return; /* being opened again (check_keys) */
    uint8_t *buf = th_wire_pack(&env, &len);
    if (!buf) return;
    const char *p = topics;
    if (*p == '{') p++;
    while (*p && *p != '}') {
        size_t tl = strcspn(p, ",}");
        if (tl > 0) {
            zmq_send(g.xpub, p, tl, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_send(g.xpub, buf, len, ZMQ_DONTWAIT);
        }
        p += tl;
        if (*p == ',') p++;
    }
    free(buf);
}

/* Publishes the events waiting, TH_NOTIFY_ROUND at a time. */
static void drain(void)
{
    static th_notify_event batch[TH_NOTIFY_ROUND];
    for (;;) {
        size_t n = 0;
        unsigned long dropped;
        pthread_mutex_lock(&g.lock);
        while (n < TH_NOTIFY_ROUND && g.count) {
            batch[n++] = g.ring[g.head];
            g.head = (g.head + 1) % TH_NOTIFY_QUEUE;
            g.count--;
        }
        dropped = g.dropped;
        g.dropped = 0;
        pthread_mutex_unlock(&g.lock);
        if (dropped) {
            th_warn("notify: %lu event(s) dropped (queue full)", dropped);
            th_metrics_dropped("notification", dropped);
        }
        if (n == 0) return;
        th_pgarray units, periods, downs;
        th_pgarray_init(&units);
        th_pgarray_init(&periods);
        th_pgarray_init(&downs);
        for (size_t i = 0; i < n; i++) {
            th_pgarray_add_text(&units, batch[i].unit);
            th_pgarray_add_text(&periods, batch[i].period);
            th_pgarray_add_text(&downs, is_down(batch[i].kind) ? "t" : "f");
        }
        const char *params[] = {th_pgarray_finish(&units), th_pgarray_finish(&periods),
                                th_pgarray_finish(&downs)};
        PGresult *r = NULL;
        if (params[0] && params[1] && params[2] && th_db_ensure(g.db)) {
            set_test_clock();
            r = th_db_exec_params(g.db,
                                  "SELECT i, topics, unit_name FROM th_notify_topics($1::text[], $2::text[], "
                                  "$3::boolean[])",
                                  3, params, NULL, NULL);
        }
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
            for (int row = 0; row < PQntuples(r); row++) {
                long i = strtol(PQgetvalue(r, row, 0), NULL, 10);
                if (i >= 1 && (size_t)i <= n)
                    publish(&batch[i - 1], PQgetvalue(r, row, 1), PQgetvalue(r, row, 2));
            }
        } else {
            th_warn("notify: %zu event(s) not published: %s", n, th_db_error(g.db));
            th_db_check_lost(g.db);
        }
        PQclear(r);
        th_pgarray_fini(&units);
        th_pgarray_fini(&periods);
        th_pgarray_fini(&downs);
    }
}

/* Notes a subscribed key and its enrolment (check_keys). A key that cannot
 * be noted (no memory) is checked as if revoked: the socket is opened
 * again at the next look. */
static void remember_key(const char *key, const char *enrolled)
{
    for (size_t i = 0; i < g.nsubs; i++)
        if (!strcmp(g.subs[i].key, key)) {
            /* (Subscribing again after being enrolled again: the older
             * connection still has the old territory; the next look reopens.) */
            if (strcmp(g.subs[i].enrolled, enrolled) != 0) g.subs[i].enrolled[0] = '\0';
            return;
        }
    if (g.nsubs == g.capsubs) {
        size_t cap = g.capsubs ? g.capsubs * 2 : 64;
        struct sub_key *n = realloc(g.subs, cap * sizeof *n);
        if (!n) {
            if (g.nsubs) g.subs[0].enrolled[0] = '\0'; /* (differs from any enrolled_at: reopened) */
            return;
        }
        g.subs = n;
        g.capsubs = cap;
    }
    snprintf(g.subs[g.nsubs].key, sizeof g.subs[g.nsubs].key, "%s", key);
    snprintf(g.subs[g.nsubs].enrolled, sizeof g.subs[g.nsubs].enrolled, "%s", enrolled);
    g.nsubs++;
}

/* A subscription message: subscribes its connection (the last one a
 * message came from: manual mode) to the topics of its key's territory. */
static void subscription(zmq_msg_t *msg)
{
    const uint8_t *d = zmq_msg_data(msg);
    size_t len = zmq_msg_size(msg);
    if (len < 1 || d[0] != 1) return; /* an unsubscription: the connection's go when it closes */
    /* Only a request "w:" or "w:CODE" subscribes; anything else (the
     * subscriber's "" that lets through, on its side, whatever the server
     * sends it) subscribes nothing. */
    if (len < 3 || d[1] != 'w' || d[2] != ':') return;
    char asked[40] = "";
    if (len - 3 < sizeof asked) {
        memcpy(asked, d + 3, len - 3);
        asked[len - 3] = '\0';
    }
    const char *uid = zmq_msg_gets(msg, "User-Id");
    char key_unit[64] = "";
    int everything = 0;
    if (!th_db_ensure(g.db)) return;
    set_test_clock();
    if (g.secure) {
        if (!uid || !*uid) return;
        const char *kp[] = {uid};
        PGresult *r = th_db_exec_params(g.db,
                                        "SELECT unit_code, role IN ('ministry', 'admin'), enrolled_at::text"
                                        "  FROM client_keys WHERE public_key = $1 AND revoked_at IS NULL",
                                        1, kp, NULL, NULL);
        int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        if (ok) {
            snprintf(key_unit, sizeof key_unit, "%s", PQgetvalue(r, 0, 0));
            everything = PQgetvalue(r, 0, 1)[0] == 't';
            remember_key(uid, PQgetvalue(r, 0, 2));
        }
        PQclear(r);
        if (!ok) {
            th_info("notify: a subscription from a key not enrolled now (%.8s...): nothing subscribed", uid);
            return;
        }
    } else {
        everything = 1; /* --insecure: this machine only, no keys */
    }
    const char *sp[] = {everything ? NULL : key_unit, asked};
    PGresult *r = th_db_exec_params(g.db, "SELECT unit_key, topics FROM th_notify_subscription($1, $2)", 2,
                                    sp, NULL, NULL);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        const char *p = PQgetvalue(r, 0, 1);
        if (*p == '{') p++;
        while (*p && *p != '}') {
            size_t tl = strcspn(p, ",}");
            if (tl > 0) zmq_setsockopt(g.xpub, ZMQ_SUBSCRIBE, p, tl);
            p += tl;
            if (*p == ',') p++;
        }
        th_info("notify: subscriber %.8s subscribed to the territory of %s", uid ? uid : "(local)",
                PQgetvalue(r, 0, 0));
        if (!g.first_subscribed_ms) g.first_subscribed_ms = now_ms();
    } else {
        th_warn("notify: subscription not made: %s", th_db_error(g.db));
        th_db_check_lost(g.db);
    }
    PQclear(r);
}

/* The rows of a query on the notifier's connection, or NULL: then the
 * connection is marked lost if it is, and what (if not NULL) is logged
 * with the reason. */
static PGresult *query_rows(const char *sql, int nparams, const char *const *params, const char *what)
{
    PGresult *r = th_db_exec_params(g.db, sql, nparams, params, NULL, NULL);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK) return r;
    if (what) th_warn("notify: %s: %s", what, th_db_error(g.db));
    PQclear(r);
    th_db_check_lost(g.db);
    return NULL;
}

/* Moves notify_scans from what this server read there (from) to now, but
 * only if it still says from (another server may have moved it): the
 * first look's "from now on". A read-only database records nothing. */
static void scan_reset(const char *from, const char *now)
{
    const char *params[] = {from, now};
    if (!th_db_read_only(g.db))
        PQclear(th_db_exec_params(g.db,
                                  "UPDATE notify_scans SET scanned_to = $2::timestamptz"
                                  " WHERE scanned_to = $1::timestamptz",
                                  2, params, NULL, NULL));
}

/* Takes the window (st->last, now] to announce: moves notify_scans on to
 * now from the instant this server last read there. 1: announce it; 0:
 * another server on this database took it (st->last is then where that one
 * stands); -1: not recorded (the database did not answer, or refused):
 * look again later. A read-only database (a standby's) records nothing and
 * the window is announced all the same, as before there was a record. */
static int scan_take(scan_state *st, const char *now)
{
    if (th_db_read_only(g.db)) {
        if (!st->unrecorded) th_info("notify: a read-only database: announced deadlines not recorded");
        st->unrecorded = 1;
        return 1;
    }
    const char *params[] = {st->last, now};
    PGresult *r =
        th_db_exec_params(g.db,
                          "INSERT INTO notify_scans AS n (scanned_to) VALUES ($2::timestamptz)"
                          " ON CONFLICT (one) DO UPDATE SET scanned_to = EXCLUDED.scanned_to"
                          "  WHERE n.scanned_to = $1::timestamptz AND $2::timestamptz > $1::timestamptz"
                          " RETURNING 1",
                          2, params, NULL, NULL);
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    int taken = ok && PQntuples(r) == 1;
    PQclear(r);
    if (!ok) {
        if (!th_db_check_lost(g.db)) th_warn("notify: deadline window not taken: %s", th_db_error(g.db));
        return -1;
    }
    if (taken) return 1;
    r = query_rows("SELECT scanned_to::text FROM notify_scans", 0, NULL, NULL);
    if (r && PQntuples(r) == 1) snprintf(st->last, sizeof st->last, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* The first look after the start: where the announcements stood
 * (notify_scans, migration 017), read and settled. 0 when done (st->last
 * set), -1 to look again later (the database did not answer).
 *  - an instant between seven days ago and now: announced from there, once
 *    subscribers are back (catching_up);
 *  - none yet, or older (a long stop): from now on;
 *  - later than now by more than five minutes: a clock moved back (a test
 *    clock): from now on; by less, another server on this database is a
 *    little ahead: from there (nothing is announced twice).
 * Each change is a compare-and-set on what was read (scan_reset,
 * scan_take). */
static int scan_begin(scan_state *st, const char *now)
{
    const char *params[] = {now};
    PGresult *r = query_rows(
        "SELECT scanned_to::text,"
        "       scanned_to < $1::timestamptz AND scanned_to >= $1::timestamptz - interval '7 days',"
        "       scanned_to > $1::timestamptz + interval '5 minutes',"
        "       scanned_to >= $1::timestamptz"
        "  FROM notify_scans",
        1, params, "where the deadline announcements stood not read");
    if (!r) return -1;
    if (PQntuples(r) == 0) { /* a new database */
        PQclear(r);
        snprintf(st->last, sizeof st->last, "%s", now);
        if (!th_db_read_only(g.db))
            PQclear(th_db_exec_params(g.db,
                                      "INSERT INTO notify_scans (scanned_to) VALUES ($1::timestamptz)"
                                      " ON CONFLICT (one) DO NOTHING",
                                      1, params, NULL, NULL)); /* (a conflict: scan_take reads the other's) */
        return 0;
    }
    snprintf(st->last, sizeof st->last, "%s", PQgetvalue(r, 0, 0));
    int catch_up = PQgetvalue(r, 0, 1)[0] == 't', moved_back = PQgetvalue(r, 0, 2)[0] == 't';
    int ahead = PQgetvalue(r, 0, 3)[0] == 't';
    PQclear(r);
    if (catch_up) {
        st->catching_up = 1;
        th_info("notify: deadlines since %s (before this start) are announced once subscribers are back",
                st->last);
    } else if (!ahead || moved_back) { /* a long stop, or a clock moved back: from now on */
        scan_reset(st->last, now);
        snprintf(st->last, sizeof st->last, "%s", now);
    }
    return 0;
}

/* The deadlines passed (7, 3, 1 days ahead, or due) since the last look:
 * found first (a read), then the window taken, and only then announced, so
 * that a window is announced by one server, and not lost when the database
 * fails in between (it is looked at again). */
static void scan_deadlines(scan_state *st)
{
    if (!th_db_ensure(g.db)) return;
    set_test_clock();
    PGresult *r = query_rows("SELECT th_now()::text, extract(epoch FROM th_now())::bigint", 0, NULL, NULL);
    if (!r) return;
    char now[64];
    snprintf(now, sizeof now, "%s", PQgetvalue(r, 0, 0));
    int64_t at = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    if (!*st->last) {
        if (scan_begin(st, now) == 0) st->started_ms = now_ms();
        return;
    }
    int catching_up = st->catching_up;
    if (catching_up) { /* nobody would hear it yet */
        int64_t t = now_ms();
        if (!(g.first_subscribed_ms && t - g.first_subscribed_ms >= TH_NOTIFY_CATCHUP_SETTLE_MS) &&
            t - st->started_ms < TH_NOTIFY_CATCHUP_MAX_MS)
            return;
    }
    const char *params[] = {st->last, now};
    r = query_rows("SELECT kind, unit_code, period, plan_code, deadline::text, days"
                   "  FROM th_notify_deadlines($1::timestamptz, $2::timestamptz)",
                   2, params, "deadlines not looked at");
    if (!r) return;
    char from[64];
    snprintf(from, sizeof from, "%s", st->last);
    if (scan_take(st, now) != 1) {
        PQclear(r);
        return;
    }
    st->catching_up = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        th_notify_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = strcmp(PQgetvalue(r, i, 0), "DEADLINE_MISSED") == 0
                      ? TONGHOP__NOTIFICATION__KIND__DEADLINE_MISSED
                      : TONGHOP__NOTIFICATION__KIND__DEADLINE_NEAR;
        snprintf(ev.unit, sizeof ev.unit, "%s", PQgetvalue(r, i, 1));
        snprintf(ev.period, sizeof ev.period, "%s", PQgetvalue(r, i, 2));
        snprintf(ev.plan, sizeof ev.plan, "%s", PQgetvalue(r, i, 3));
        snprintf(ev.deadline, sizeof ev.deadline, "%s", PQgetvalue(r, i, 4));
        ev.days = (unsigned)atoi(PQgetvalue(r, i, 5));
        ev.at = at;
        th_notify_post(&ev);
    }
    if (catching_up) th_info("notify: deadlines from %s to %s announced: %d", from, now, PQntuples(r));
    PQclear(r);
    snprintf(st->last, sizeof st->last, "%s", now);
}

/* An XPUB socket in manual mode, encrypted and authenticated when the
 * server is (the same ZAP domain as the request socket), bound to endpoint.
 * NULL with the reason in err. */
static void *xpub_open(const char *endpoint, char *err, size_t errlen)
{
    void *s = zmq_socket(g.cfg.zctx, ZMQ_XPUB);
    if (!s) {
        snprintf(err, errlen, "notify: %s", zmq_strerror(errno));
        return NULL;
    }
    int one = 1, zero = 0, hwm = 100000;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_setsockopt(s, ZMQ_XPUB_MANUAL, &one, sizeof one) != 0 ||
        (g.secure && (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
                      zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, g.secret, 40) != 0 ||
                      zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "tonghop", 7) != 0))) {
        snprintf(err, errlen, "notify: %s", zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    if (zmq_bind(s, endpoint) != 0) {
        snprintf(err, errlen, "notify: cannot listen on %s: %s", endpoint, zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

/* When a subscribed key was revoked, or enrolled again (for another unit
 * or role), since it subscribed, every subscription goes: an XPUB socket
 * cannot drop one subscriber, so the socket is opened again on the same
 * endpoint. The subscribers reconnect by themselves and subscribe again
 * (subscription() reads each key from the database): a revoked key is
 * refused, a key enrolled again hears its new territory. (Both are rare;
 * a key hearing a territory no longer its own until it happens to
 * reconnect is not.) */
static void check_keys(void)
{
    if (!g.secure || !g.nsubs || !th_db_ensure(g.db)) return;
    th_pgarray keys, enrolled;
    th_pgarray_init(&keys);
    th_pgarray_init(&enrolled);
    for (size_t i = 0; i < g.nsubs; i++) {
        th_pgarray_add_text(&keys, g.subs[i].key);
        th_pgarray_add_text(&enrolled, g.subs[i].enrolled);
    }
    const char *params[] = {th_pgarray_finish(&keys), th_pgarray_finish(&enrolled)};
    PGresult *r = NULL;
    if (params[0] && params[1])
        r = query_rows("SELECT count(*) FILTER (WHERE c.public_key IS NULL OR c.revoked_at IS NOT NULL),"
                       "       count(*) FILTER (WHERE c.enrolled_at::text IS DISTINCT FROM s.enrolled)"
                       "  FROM unnest($1::text[], $2::text[]) AS s(key, enrolled)"
                       "  LEFT JOIN client_keys c ON c.public_key = s.key",
                       2, params, NULL);
    th_pgarray_fini(&keys);
    th_pgarray_fini(&enrolled);
    if (!r) return;
    int revoked = atol(PQgetvalue(r, 0, 0)) > 0, changed = atol(PQgetvalue(r, 0, 1)) > 0;
    PQclear(r);
    if (!revoked && !changed) return;
    char err[300];
    if (g.xpub) zmq_close(g.xpub);
    g.xpub = xpub_open(g.endpoint, err, sizeof err);
    if (!g.xpub) {
        th_error("%s (a key was revoked or enrolled again; trying again in a second)", err);
        return; /* the keys kept: the next look tries again */
    }
    g.nsubs = 0;
    if (revoked)
        th_info("notify: a key was revoked: every subscriber reconnects and is subscribed again");
    else
        th_info("notify: a key was enrolled again: every subscriber reconnects and is subscribed again");
}

static void *notify_main(void *arg)
{
    (void)arg;
    scan_state scan;
    memset(&scan, 0, sizeof scan);
    int64_t next_scan = 0;
    int scan_ms = g.cfg.deadline_scan_ms > 0 ? g.cfg.deadline_scan_ms : g.cfg.test_clock ? 500 : 60000;
    int64_t next_keys = 0;
    for (;;) {
        pthread_mutex_lock(&g.lock);
        int running = g.running;
        pthread_mutex_unlock(&g.lock);
        if (!running) break;
        if (now_ms() >= next_keys) {
            check_keys();
            next_keys = now_ms() + TH_NOTIFY_KEYS_MS;
        }
        if (!g.xpub) { /* not open again yet */
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        zmq_pollitem_t item = {.socket = g.xpub, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) > 0) {
            for (;;) {
                zmq_msg_t msg;
                zmq_msg_init(&msg);
                if (zmq_msg_recv(&msg, g.xpub, ZMQ_DONTWAIT) < 0) {
                    zmq_msg_close(&msg);
                    break;
                }
                subscription(&msg);
                zmq_msg_close(&msg);
            }
        }
        if (now_ms() >= next_scan) {
            scan_deadlines(&scan);
            next_scan = now_ms() + scan_ms;
        }
        drain();
    }
    return NULL;
}

int th_notify_start(const th_notify_config *cfg, char *err, size_t errlen)
{
    assert(!g.running);
    g.cfg = *cfg;
    g.secure = cfg->secret_key != NULL;
    /* (The caller wipes its copy once started: ours opens the socket again.) */
    if (g.secure) memcpy(g.secret, cfg->secret_key, 40);
    g.secret[40] = '\0';
    g.cfg.secret_key = NULL;
    g.head = g.count = 0;
    g.dropped = 0;
    g.nsubs = 0;
    g.first_subscribed_ms = 0;
    g.ring = calloc(TH_NOTIFY_QUEUE, sizeof *g.ring);
    g.db = th_db_new(cfg->dsn, NULL, 0);
    if (!g.ring || !g.db) {
        snprintf(err, errlen, "notify: out of memory");
        goto fail;
    }
    th_db_set_timeout(g.db, cfg->db_timeout_ms > 0 ? cfg->db_timeout_ms : TH_DB_TIMEOUT_MS);
    g.xpub = xpub_open(cfg->bind, err, errlen);
    if (!g.xpub) goto fail;
    /* (The endpoint bound, port included: where the socket opens again.) */
    size_t elen = sizeof g.endpoint;
    zmq_getsockopt(g.xpub, ZMQ_LAST_ENDPOINT, g.endpoint, &elen);
    g.running = 1;
    if (pthread_create(&g.thread, NULL, notify_main, NULL) != 0) {
        g.running = 0;
        snprintf(err, errlen, "notify: cannot start its thread");
        goto fail;
    }
    th_info("notifications on %s", g.endpoint);
    return 0;
fail:
    memset(g.secret, 0, sizeof g.secret);
    if (g.xpub) zmq_close(g.xpub);
    g.xpub = NULL;
    th_db_destroy(&g.db);
    free(g.ring);
    g.ring = NULL;
    g.endpoint[0] = '\0';
    return -1;
}

void th_notify_stop(void)
{
    pthread_mutex_lock(&g.lock);
    int was = g.running;
    g.running = 0;
    pthread_mutex_unlock(&g.lock);
    if (!was) return;
    pthread_join(g.thread, NULL);
    memset(g.secret, 0, sizeof g.secret);
    if (g.xpub) zmq_close(g.xpub);
    g.xpub = NULL;
    th_db_destroy(&g.db);
    free(g.ring);
    g.ring = NULL;
    free(g.subs);
    g.subs = NULL;
    g.nsubs = g.capsubs = 0;
    g.endpoint[0] = '\0';
}
