/* lane.c -- a job queue and the worker threads that serve it. */
#include "lane.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "handler.h"
#include "log.h"

/* One partition's queue: one FIFO per flow, oldest first; rr is the flow
 * the next take starts from. */
typedef struct lane_queue {
    th_job *head[TH_LANE_FLOWS], *tail[TH_LANE_FLOWS];
    unsigned rr;
    size_t queued;
} lane_queue;

/* What a worker thread starts with. */
typedef struct lane_worker {
    struct th_lane *lane;
    unsigned part; /* the partition it serves */
} lane_worker;

struct th_lane {
    th_lane_config cfg;
    char *dsn, *done_endpoint; /* copies */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t ready; /* a worker has started, or failed to */
    int nready, nfailed;  /* workers started, workers that could not start */
    unsigned nparts;      /* 1, or cfg.threads when partitioned */
    lane_queue *queues;   /* [nparts], guarded by lock */
    int stop;
    pthread_t *threads;
    lane_worker *workers;
    int nthreads; /* started */
};

static uint32_t fnv1a(const unsigned char *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The flow of a job: a hash of its connection's routing id. */
static unsigned flow_of(th_job *job)
{
    if (job->nroute == 0) return 0;
    return fnv1a(zmq_msg_data(&job->route[0]), zmq_msg_size(&job->route[0])) % TH_LANE_FLOWS;
}

/* The partition of a job: a hash of the unit (or plan) it names, so that
 * everything about one unit is served by one worker, in order. */
static unsigned part_of(const th_lane *lane, const th_job *job)
{
    if (lane->nparts == 1) return 0;
    return fnv1a((const unsigned char *)job->target, strlen(job->target)) % lane->nparts;
}

void th_lane_push_many(th_lane *lane, th_job *const *jobs, size_t n)
{
    if (n == 0) return;
    pthread_mutex_lock(&lane->lock);
    for (size_t i = 0; i < n; i++) {
        th_job *job = jobs[i];
        assert(job->state == TH_JOB_FRONT && job->handler && job->handler->run);
        job->state = TH_JOB_QUEUED;
        job->flow = flow_of(job);
        job->part = part_of(lane, job);
        job->qnext = NULL;
        lane_queue *q = &lane->queues[job->part];
        unsigned f = job->flow;
        if (q->tail[f])
            q->tail[f]->qnext = job;
        else
            q->head[f] = job;
        q->tail[f] = job;
        q->queued++;
    }
    /* Partitioned, the one worker that serves a job's partition must wake. */
    if (lane->nparts > 1)
        pthread_cond_broadcast(&lane->wake);
    else
        pthread_cond_signal(&lane->wake);
    pthread_mutex_unlock(&lane->lock);
}

/* Unlinks job from its flow; the lock is held. */
static void unlink_queued(th_lane *lane, th_job *job)
{
    unsigned f = job->flow;
    assert(f < TH_LANE_FLOWS && job->part < lane->nparts);
    lane_queue *q = &lane->queues[job->part];
    th_job **pp = &q->head[f], *prev = NULL;
    while (*pp && *pp != job) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    assert(*pp == job);
    *pp = job->qnext;
    if (q->tail[f] == job) q->tail[f] = prev;
    job->qnext = NULL;
    q->queued--;
}

/* The next job of a partition: the oldest of the next waiting flow after
 * the last one served, or NULL; unlinked. The lock is held. */
static th_job *take_next(lane_queue *q)
{
    if (q->queued == 0) return NULL;
    for (unsigned k = 0; k < TH_LANE_FLOWS; k++) {
        unsigned f = (q->rr + k) % TH_LANE_FLOWS;
        th_job *job = q->head[f];
        if (!job) continue;
        q->head[f] = job->qnext;
        if (!q->head[f]) q->tail[f] = NULL;
        job->qnext = NULL;
        q->queued--;
        q->rr = (f + 1) % TH_LANE_FLOWS;
        return job;
    }
    assert(0 && "queued jobs in no flow");
    return NULL;
}

int th_lane_cancel(th_lane *lane, th_job *job)
{
    pthread_mutex_lock(&lane->lock);
    int taken = job->state == TH_JOB_QUEUED;
    if (taken) {
        unlink_queued(lane, job);
        job->state = TH_JOB_FRONT;
    }
    pthread_mutex_unlock(&lane->lock);
    return taken;
}

/* The test clock (th_lane_config.test_clock): the first line of the file
 * becomes the session's tonghop.now, checked as a time by PostgreSQL.
 * Returns 0, or -1 (logged, with the reason in why). */
static int set_test_clock(const th_lane *lane, th_db *db, char *why, size_t whylen)
{
    char now[128];
    FILE *f = fopen(lane->cfg.test_clock, "r");
    if (!f) {
        snprintf(why, whylen, "%s: %s", lane->cfg.test_clock, strerror(errno));
        th_error("test clock: %s", why);
        return -1;
    }
    size_t len = fread(now, 1, sizeof now - 1, f);
    fclose(f);
    now[len] = '\0';
    now[strcspn(now, "\r\n")] = '\0';
    const char *params[] = {now};
    PGresult *r = th_db_exec_params(db, "SELECT set_config('tonghop.now', $1::timestamptz::text, false)", 1,
                                    params, NULL, NULL);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok) {
        snprintf(why, whylen, "%s", now);
        th_error("test clock: \"%s\" is not a time: %s", now, th_db_error(db));
        return -1;
    }
    return 0;
}

/* Runs a batch: consecutive jobs of the same handler go to one run(). */
static void run_batch(th_lane *lane, th_db *db, th_job **batch, size_t n)
{
    if (!th_db_ensure(db)) {
        /* No database: every job is "try later", at once. */
        for (size_t i = 0; i < n; i++)
            th_job_fail(batch[i], TONGHOP__ERROR__CODE__UNAVAILABLE, NULL, NULL);
        th_debug("%s lane: %zu job(s) answered UNAVAILABLE: %s", lane->cfg.name, n, th_db_error(db));
        return;
    }
    char why[256];
    if (lane->cfg.test_clock && set_test_clock(lane, db, why, sizeof why) != 0) {
        for (size_t i = 0; i < n; i++)
            th_job_fail(batch[i], TONGHOP__ERROR__CODE__INTERNAL, "test_clock", why);
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && batch[j]->handler == batch[i]->handler)
            j++;
        batch[i]->handler->run(db, batch + i, j - i);
        i = j;
    }
}

static void *worker_main(void *p)
{
    th_lane *lane = ((lane_worker *)p)->lane;
    lane_queue *q = &lane->queues[((lane_worker *)p)->part];
    th_job **batch = calloc(lane->cfg.batch_max, sizeof *batch);
    th_db *db = th_db_new(lane->dsn, lane->cfg.stmts, lane->cfg.nstmts);
    void *push = zmq_socket(lane->cfg.zctx, ZMQ_PUSH);
    int zero = 0;
    if (push) {
        zmq_setsockopt(push, ZMQ_SNDHWM, &zero, sizeof zero); /* bounded by the front's open jobs */
        zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    }
    int failed = !batch || !db || !push || zmq_connect(push, lane->done_endpoint) != 0;
    /* th_lane_new waits for every worker's start: a worker that cannot
     * start makes the lane fail (in a partitioned lane no other worker
     * would ever serve its units). */
    pthread_mutex_lock(&lane->lock);
    if (failed)
        lane->nfailed++;
    else
        lane->nready++;
    pthread_cond_broadcast(&lane->ready);
    pthread_mutex_unlock(&lane->lock);
    if (failed) {
        th_error("%s lane: a worker could not start: %s", lane->cfg.name,
                 push ? zmq_strerror(errno) : "no memory");
        free(batch);
        th_db_destroy(&db);
        if (push) zmq_close(push);
        return NULL;
    }
    th_db_set_timeout(db, lane->cfg.db_timeout_ms);
    th_db_ensure(db); /* connect now rather than on the first request */

    pthread_mutex_lock(&lane->lock);
    while (!lane->stop) {
        if (q->queued == 0) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            if (pthread_cond_timedwait(&lane->wake, &lane->lock, &until) == ETIMEDOUT && q->queued == 0) {
                /* Idle: notice a connection PostgreSQL has closed (a
                 * restart) and reconnect by ourselves, not on a request. */
                pthread_mutex_unlock(&lane->lock);
                th_db_poll(db);
                if (!th_db_ensure(db))
                    th_debug("database still unavailable: %s", th_db_error(db));
                else if (lane->cfg.idle)
                    lane->cfg.idle(db);
                pthread_mutex_lock(&lane->lock);
            }
            continue;
        }
        size_t n = 0;
        th_job *next;
        while (n < lane->cfg.batch_max && (next = take_next(q)) != NULL) {
            next->state = TH_JOB_RUNNING;
            batch[n++] = next;
        }
        assert(n >= 1 && n <= lane->cfg.batch_max);
        pthread_mutex_unlock(&lane->lock);

        run_batch(lane, db, batch, n);
        for (size_t i = 0; i < n; i++)
            if (th_job_pack_reply(batch[i]) != 0)
                th_error("reply to request %s not built: out of memory", batch[i]->request_id);

        pthread_mutex_lock(&lane->lock);
        for (size_t i = 0; i < n; i++)
            batch[i]->state = TH_JOB_DONE;
        pthread_mutex_unlock(&lane->lock);
        /* From here on the jobs are the front's: only their addresses go. */
        for (size_t i = 0; i < n; i++) {
            th_job *job = batch[i];
            while (zmq_send(push, &job, sizeof job, 0) < 0 && errno == EINTR) {
            }
        }
        pthread_mutex_lock(&lane->lock);
    }
    pthread_mutex_unlock(&lane->lock);
    zmq_close(push);
    th_db_destroy(&db);
    free(batch);
    return NULL;
}

th_lane *th_lane_new(const th_lane_config *cfg, char *err, size_t errlen)
{
    assert(cfg->threads >= 1 && cfg->batch_max >= 1);
    th_lane *lane = calloc(1, sizeof *lane);
    if (!lane) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    lane->cfg = *cfg;
    lane->dsn = strdup(cfg->dsn ? cfg->dsn : "");
    lane->done_endpoint = strdup(cfg->done_endpoint);
    lane->nparts = cfg->partitioned ? (unsigned)cfg->threads : 1;
    lane->queues = calloc(lane->nparts, sizeof *lane->queues);
    lane->threads = calloc((size_t)cfg->threads, sizeof *lane->threads);
    lane->workers = calloc((size_t)cfg->threads, sizeof *lane->workers);
    pthread_mutex_init(&lane->lock, NULL);
    pthread_cond_init(&lane->wake, NULL);
    pthread_cond_init(&lane->ready, NULL);
    if (!lane->dsn || !lane->done_endpoint || !lane->queues || !lane->threads || !lane->workers) {
        snprintf(err, errlen, "out of memory");
        th_lane_destroy(&lane);
        return NULL;
    }
    for (int i = 0; i < cfg->threads; i++) {
        lane->workers[i].lane = lane;
        lane->workers[i].part = lane->nparts > 1 ? (unsigned)i : 0;
        int rc = pthread_create(&lane->threads[i], NULL, worker_main, &lane->workers[i]);
        if (rc != 0) {
            snprintf(err, errlen, "%s lane: %s", cfg->name, strerror(rc));
            th_lane_destroy(&lane);
            return NULL;
        }
        lane->nthreads++;
    }
    pthread_mutex_lock(&lane->lock);
    while (lane->nready + lane->nfailed < lane->nthreads)
        pthread_cond_wait(&lane->ready, &lane->lock);
    int failed = lane->nfailed;
    pthread_mutex_unlock(&lane->lock);
    if (failed) {
        snprintf(err, errlen,
                 "%s lane: %d of %d workers could not start (out of memory or of file descriptors)",
                 cfg->name, failed, cfg->threads);
        th_lane_destroy(&lane);
        return NULL;
    }
    return lane;
}

void th_lane_destroy(th_lane **lanep)
{
    if (!lanep || !*lanep) return;
    th_lane *lane = *lanep;
    pthread_mutex_lock(&lane->lock);
    lane->stop = 1;
    pthread_cond_broadcast(&lane->wake);
    pthread_mutex_unlock(&lane->lock);
    for (int i = 0; i < lane->nthreads; i++)
        pthread_join(lane->threads[i], NULL);
    /* What no worker took goes back to the front, which still owns it. */
    th_job *job;
    for (unsigned p = 0; lane->queues && p < lane->nparts; p++)
        while ((job = take_next(&lane->queues[p])) != NULL)
            job->state = TH_JOB_FRONT;
    pthread_cond_destroy(&lane->wake);
    pthread_cond_destroy(&lane->ready);
    pthread_mutex_destroy(&lane->lock);
    free(lane->queues);
    free(lane->workers);
    free(lane->threads);
    free(lane->dsn);
    free(lane->done_endpoint);
    free(lane);
    *lanep = NULL;
}
