/* audit.c -- the audit trail's queue and writer thread (audit.h). */
#include "audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "pgarray.h"

/* At most this many records wait; 8192 × about 600 bytes = 5 MB at worst. */
#define TH_AUDIT_QUEUE 8192
/* Written at least this often, and at once when this many wait. */
#define TH_AUDIT_FLUSH_MS 200
#define TH_AUDIT_BATCH 1024

typedef struct th_audit_rec {
    struct timespec at; /* wall clock when recorded */
    char key[41], unit[48], role[12], request[24], target[64], outcome[32], field[64], detail[128], peer[64],
        request_id[40];
} th_audit_rec;

struct th_audit {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    th_audit_rec *ring; /* TH_AUDIT_QUEUE records */
    size_t head, count; /* oldest at head */
    unsigned long dropped;
    int stop;
    pthread_t thread;
    int started;
    th_db *db;
    int db_timeout_ms;
};

static const char SQL_INSERT[] =
    "INSERT INTO audit_log (at, public_key, unit_code, role, request, target, outcome, field, detail, peer,"
    " request_id)"
    " SELECT to_timestamp(t), k, nullif(u, ''), nullif(r, ''), q, nullif(g, ''), o, nullif(f, ''),"
    "        nullif(d, ''), nullif(p, ''), nullif(i, '')"
    "   FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    "               $8::text[], $9::text[], $10::text[], $11::text[]) AS x(t, k, u, r, q, g, o, f, d, p, i)";

/* Copies, cut to fit without splitting a character (PostgreSQL refuses a
 * batch with invalid UTF-8 in it). */
static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
    th_utf8_trim(dst);
}

void th_audit_record(th_audit *a, const th_identity *who, const char *request, const char *target,
                     const char *outcome, const char *field, const char *detail, const char *request_id)
{
    if (!a) return;
    pthread_mutex_lock(&a->lock);
    if (a->count == TH_AUDIT_QUEUE) {
        a->dropped++;
        pthread_mutex_unlock(&a->lock);
        return;
    }
    th_audit_rec *r = &a->ring[(a->head + a->count) % TH_AUDIT_QUEUE];
    clock_gettime(CLOCK_REALTIME, &r->at);
    copy(r->key, sizeof r->key, who ? who->key : NULL);
    copy(r->unit, sizeof r->unit, who ? who->unit : NULL);
    copy(r->role, sizeof r->role, who && who->role != TH_ROLE_NONE ? th_role_name(who->role) : NULL);
    copy(r->peer, sizeof r->peer, who ? who->peer : NULL);
    copy(r->request, sizeof r->request, request);
    copy(r->target, sizeof r->target, target);
    copy(r->outcome, sizeof r->outcome, outcome);
    copy(r->field, sizeof r->field, field);
    copy(r->detail, sizeof r->detail, detail);
    copy(r->request_id, sizeof r->request_id, request_id);
    if (++a->count >= TH_AUDIT_BATCH) pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
}

/* Writes recs[0..n) in one statement. Returns 0, or -1 (the caller keeps
 * them for the next try). */
static int write_batch(th_audit *a, const th_audit_rec *recs, size_t n)
{
    th_pgarray arr[11];
    for (int c = 0; c < 11; c++)
        th_pgarray_init(&arr[c]);
    for (size_t i = 0; i < n; i++) {
        const th_audit_rec *r = &recs[i];
        char t[32];
        snprintf(t, sizeof t, "%lld.%06ld", (long long)r->at.tv_sec, r->at.tv_nsec / 1000);
        th_pgarray_add_text(&arr[0], t);
        th_pgarray_add_text(&arr[1], r->key);
        th_pgarray_add_text(&arr[2], r->unit);
        th_pgarray_add_text(&arr[3], r->role);
        th_pgarray_add_text(&arr[4], r->request);
        th_pgarray_add_text(&arr[5], r->target);
        th_pgarray_add_text(&arr[6], r->outcome);
        th_pgarray_add_text(&arr[7], r->field);
        th_pgarray_add_text(&arr[8], r->detail);
        th_pgarray_add_text(&arr[9], r->peer);
        th_pgarray_add_text(&arr[10], r->request_id);
    }
    const char *params[11];
    int ok = 1;
    for (int c = 0; c < 11; c++)
        ok &= (params[c] = th_pgarray_finish(&arr[c])) != NULL;
    int rc = -1;
    if (ok && th_db_ensure(a->db)) {
        PGresult *r = th_db_exec_params(a->db, SQL_INSERT, 11, params, NULL, NULL);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            rc = 0;
        } else {
            th_warn("audit: %s", th_db_error(a->db));
            /* Refused by a live database: the same rows would be refused
             * for ever and stop the trail; give them up (-2), counted. */
            if (!th_db_check_lost(a->db)) rc = -2;
        }
        PQclear(r);
    }
    for (int c = 0; c < 11; c++)
        th_pgarray_fini(&arr[c]);
    return rc;
}

/* Takes up to TH_AUDIT_BATCH records (and the dropped count, as one more
 * record) off the queue and writes them. While the database is away they
 * stay queued (and the count is put back); rows a live database refused
 * are given up and counted. Returns how many left the queue. */
static size_t flush_some(th_audit *a, th_audit_rec *batch)
{
    pthread_mutex_lock(&a->lock);
    size_t n = a->count < TH_AUDIT_BATCH ? a->count : TH_AUDIT_BATCH;
    for (size_t i = 0; i < n; i++)
        batch[i] = a->ring[(a->head + i) % TH_AUDIT_QUEUE];
    unsigned long dropped = a->dropped;
    a->dropped = 0;
    pthread_mutex_unlock(&a->lock);
    size_t total = n;
    if (dropped) {
        th_audit_rec *r = &batch[total++];
        memset(r, 0, sizeof *r);
        clock_gettime(CLOCK_REALTIME, &r->at);
        copy(r->request, sizeof r->request, "audit");
        copy(r->outcome, sizeof r->outcome, "DROPPED");
        snprintf(r->detail, sizeof r->detail, "%lu record(s) not kept: the audit queue was full", dropped);
        th_warn("audit: %lu record(s) dropped, the queue was full", dropped);
    }
    if (total == 0) return 0;
    int rc = write_batch(a, batch, total);
    pthread_mutex_lock(&a->lock);
    if (rc == 0 || rc == -2) {
        a->head = (a->head + n) % TH_AUDIT_QUEUE;
        a->count -= n;
        if (rc == -2) a->dropped += n + dropped;
    } else {
        a->dropped += dropped;
        n = 0;
    }
    pthread_mutex_unlock(&a->lock);
    return n;
}

static void *writer_main(void *p)
{
    th_audit *a = p;
    th_audit_rec *batch = malloc((TH_AUDIT_BATCH + 1) * sizeof *batch);
    if (!batch) {
        th_error("audit: out of memory; the audit trail is not written");
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&a->lock);
        if (!a->stop && a->count < TH_AUDIT_BATCH) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += TH_AUDIT_FLUSH_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&a->wake, &a->lock, &until);
        }
        int stop = a->stop;
        pthread_mutex_unlock(&a->lock);
        size_t written;
        do
            written = flush_some(a, batch);
        while (written == TH_AUDIT_BATCH);
        if (stop) break;
    }
    free(batch);
    return NULL;
}

th_audit *th_audit_start(const char *dsn, int db_timeout_ms, char *err, size_t errlen)
{
    th_audit *a = calloc(1, sizeof *a);
    if (!a || !(a->ring = calloc(TH_AUDIT_QUEUE, sizeof *a->ring)) || !(a->db = th_db_new(dsn, NULL, 0))) {
        snprintf(err, errlen, "audit: out of memory");
        if (a) {
            free(a->ring);
            free(a);
        }
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->wake, NULL);
    a->db_timeout_ms = db_timeout_ms;
    th_db_set_timeout(a->db, db_timeout_ms);
    if (pthread_create(&a->thread, NULL, writer_main, a) != 0) {
        snprintf(err, errlen, "audit: cannot start its thread");
        th_audit_stop(&a);
        return NULL;
    }
    a->started = 1;
    return a;
}

void th_audit_stop(th_audit **ap)
{
    if (!ap || !*ap) return;
    th_audit *a = *ap;
    if (a->started) {
        pthread_mutex_lock(&a->lock);
        a->stop = 1;
        pthread_cond_signal(&a->wake);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->thread, NULL);
    }
    pthread_mutex_lock(&a->lock);
    if (a->count || a->dropped)
        th_warn("audit: %zu record(s) not written at stop (the database did not take them)",
                a->count + a->dropped);
    pthread_mutex_unlock(&a->lock);
    th_db_destroy(&a->db);
    pthread_cond_destroy(&a->wake);
    pthread_mutex_destroy(&a->lock);
    free(a->ring);
    free(a);
    *ap = NULL;
}
