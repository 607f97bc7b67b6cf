/* keys.c -- the ZAP handler and the set of enrolled keys. */
#include "keys.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "audit.h"
#include "db.h"
#include "keyfile.h"
#include "log.h"

#define TH_ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* One enrolled key in force: who it speaks for. */
typedef struct th_key {
    char z85[TH_KEY_Z85_LEN + 1];
    char unit[48];
    char code_reused_on[11];
    char code_taken_on[11];
    char code_heir[160];
    th_role role;
} th_key;

struct th_keys {
    void *rep; /* the ZAP socket, owned by the thread once started */
    th_db *db;
    pthread_t thread;
    int started;
    atomic_int stop;
    pthread_mutex_t lock; /* guards set and n */
    th_key *set;          /* sorted by z85 */
    size_t n;
    int loaded;
    th_audit *audit; /* not owned; may be NULL */
};

static int cmp_key(const void *a, const void *b) { return strcmp(a, ((const th_key *)b)->z85); }

int th_keys_lookup(th_keys *k, const char *z85, th_identity *who)
{
    if (!z85 || strlen(z85) != TH_KEY_Z85_LEN) return 0;
    pthread_mutex_lock(&k->lock);
    const th_key *e = k->n ? bsearch(z85, k->set, k->n, sizeof *k->set, cmp_key) : NULL;
    if (e && who) {
        snprintf(who->key, sizeof who->key, "%s", e->z85);
        snprintf(who->unit, sizeof who->unit, "%s", e->unit);
        snprintf(who->code_reused_on, sizeof who->code_reused_on, "%s", e->code_reused_on);
        snprintf(who->code_taken_on, sizeof who->code_taken_on, "%s", e->code_taken_on);
        snprintf(who->code_heir, sizeof who->code_heir, "%s", e->code_heir);
        who->role = e->role;
    }
    pthread_mutex_unlock(&k->lock);
    return e != NULL;
}

/* Reads the enrolled keys; on a database failure keeps the last set. */
static void reload(th_keys *k)
{
    if (!th_db_ensure(k->db)) return;
    PGresult *r = th_db_exec_params(
        k->db,
        /* per key: its unit's code, the day the first later unit took that
         * code (named when it succeeds the key's unit), and the day the
         * unit took its code from a unit it does not succeed */
        "SELECT k.public_key, k.unit_code, k.role, coalesce(n.valid_from::text, ''),"
        "       CASE WHEN EXISTS (SELECT 1 FROM units o"
        "                          WHERE o.gso_code = u.gso_code AND o.valid_from < u.valid_from"
        "                            AND NOT EXISTS (SELECT 1 FROM unit_successions s"
        "                                             WHERE s.predecessor = o.code AND s.successor = u.code))"
        "            THEN u.valid_from::text ELSE '' END,"
        "       CASE WHEN EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = u.code AND "
        "s.successor = n.code)"
        "            THEN n.valid_from::text || ': ' || n.gso_code || ' ' || n.name_with_type ELSE '' END"
        "  FROM client_keys k LEFT JOIN units u ON u.code = k.unit_code"
        "  LEFT JOIN LATERAL (SELECT o.code, o.gso_code, o.name_with_type, o.valid_from FROM units o"
        "                      WHERE o.gso_code = u.gso_code AND o.valid_from > u.valid_from"
        "                      ORDER BY o.valid_from LIMIT 1) n ON true"
        " WHERE k.revoked_at IS NULL ORDER BY k.public_key COLLATE \"C\"",
        0, NULL, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        th_warn("keys: %s", th_db_error(k->db));
        PQclear(r);
        th_db_check_lost(k->db);
        return;
    }
    size_t n = (size_t)PQntuples(r);
    th_key *set = calloc(n ? n : 1, sizeof *set);
    if (!set) {
        PQclear(r);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(set[i].z85, sizeof set[i].z85, "%s", PQgetvalue(r, (int)i, 0));
        snprintf(set[i].unit, sizeof set[i].unit, "%s", PQgetvalue(r, (int)i, 1));
        set[i].role = th_role_parse(PQgetvalue(r, (int)i, 2));
        snprintf(set[i].code_reused_on, sizeof set[i].code_reused_on, "%s", PQgetvalue(r, (int)i, 3));
        snprintf(set[i].code_taken_on, sizeof set[i].code_taken_on, "%s", PQgetvalue(r, (int)i, 4));
        snprintf(set[i].code_heir, sizeof set[i].code_heir, "%s", PQgetvalue(r, (int)i, 5));
    }
    PQclear(r);
    pthread_mutex_lock(&k->lock);
    th_key *old = k->set;
    k->set = set;
    k->n = n;
    if (!k->loaded) th_info("keys: %zu client key(s) enrolled", n);
    k->loaded = 1;
    pthread_mutex_unlock(&k->lock);
    free(old);
}

static void send_str(void *s, const char *str, int more)
{
    zmq_send(s, str, strlen(str), more ? ZMQ_SNDMORE : 0);
}

/* One ZAP request: version, request id, domain, address, identity,
 * mechanism, credentials. Answers 200 with the key as User-Id, or 400. */
static void answer(th_keys *k)
{
    char frames[7][64];
    size_t lens[7] = {0};
    uint8_t cred[32];
    size_t cred_len = 0;
    int nf = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, k->rep, 0) < 0) {
            zmq_msg_close(&m);
            return;
        }
        size_t len = zmq_msg_size(&m);
        if (nf < 6) {
            size_t c = len < 63 ? len : 63;
            memcpy(frames[nf], zmq_msg_data(&m), c);
            frames[nf][c] = '\0';
            lens[nf] = len;
        } else if (nf == 6 && len == 32) {
            memcpy(cred, zmq_msg_data(&m), 32);
            cred_len = 32;
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        nf++;
    }
    char z85[TH_KEY_Z85_LEN + 1] = "";
    int ok = nf >= 7 && !strcmp(frames[0], "1.0") && !strcmp(frames[5], "CURVE") && cred_len == 32 &&
             zmq_z85_encode(z85, cred, 32) && th_keys_lookup(k, z85, NULL);
    if (!ok && nf >= 6) {
        th_info("keys: refused a %s handshake from %s%s%s", frames[5], frames[3], z85[0] ? " with key " : "",
                z85);
        th_identity who = {.role = TH_ROLE_NONE};
        snprintf(who.key, sizeof who.key, "%s", z85);
        snprintf(who.peer, sizeof who.peer, "%s", frames[3]);
        th_audit_record(k->audit, &who, "handshake", NULL, "FORBIDDEN", "key",
                        z85[0] ? "unknown or revoked key" : "no CURVE key", NULL);
    }
    /* Reply: version, request id, status code, status text, user id, metadata. */
    send_str(k->rep, "1.0", 1);
    zmq_send(k->rep, frames[1], nf > 1 ? (lens[1] < 63 ? lens[1] : 63) : 0, ZMQ_SNDMORE);
    send_str(k->rep, ok ? "200" : "400", 1);
    send_str(k->rep, ok ? "OK" : "unknown or revoked key", 1);
    send_str(k->rep, ok ? z85 : "", 1);
    zmq_send(k->rep, "", 0, 0);
}

static void *zap_main(void *p)
{
    th_keys *k = p;
    struct timespec last = {0, 0};
    while (!k->stop) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        /* Twice a second (a small query): a revocation bites within one. */
        if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >= 500) {
            reload(k);
            last = now;
        }
        zmq_pollitem_t item = {k->rep, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 100) > 0) answer(k);
    }
    zmq_close(k->rep);
    k->rep = NULL;
    return NULL;
}

th_keys *th_keys_start(void *zctx, const char *dsn, int db_timeout_ms, th_audit *audit, char *err,
                       size_t errlen)
{
    th_keys *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&k->lock, NULL);
    k->audit = audit;
    k->db = th_db_new(dsn, NULL, 0);
    k->rep = zmq_socket(zctx, ZMQ_REP);
    int linger = 0;
    if (!k->db || !k->rep || zmq_setsockopt(k->rep, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(k->rep, TH_ZAP_ENDPOINT) != 0) {
        snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(zmq_errno()));
        th_keys_stop(&k);
        return NULL;
    }
    th_db_set_timeout(k->db, db_timeout_ms);
    reload(k); /* before the first handshake, when the database answers */
    if (pthread_create(&k->thread, NULL, zap_main, k) != 0) {
        snprintf(err, errlen, "ZAP handler: cannot start its thread");
        th_keys_stop(&k);
        return NULL;
    }
    k->started = 1;
    return k;
}

void th_keys_stop(th_keys **kp)
{
    if (!kp || !*kp) return;
    th_keys *k = *kp;
    k->stop = 1;
    if (k->started) pthread_join(k->thread, NULL);
    if (k->rep) zmq_close(k->rep);
    th_db_destroy(&k->db);
    pthread_mutex_destroy(&k->lock);
    free(k->set);
    free(k);
    *kp = NULL;
}
