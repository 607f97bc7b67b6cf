/* lane.h -- worker threads that run jobs on their own PostgreSQL connections.
 *
 * A lane is a queue and the threads that serve it. The front pushes jobs;
 * a free worker takes them (up to batch_max at once: the INGEST lane's
 * group commit) from the connections in turn: the queue is split into
 * flows by the client's connection (stochastic fair queuing: a hash of its
 * routing id picks one of TH_LANE_FLOWS FIFO queues), and a worker takes
 * one job from each waiting flow in a round, oldest first within a flow.
 * So a client with hundreds of requests waiting delays another client's
 * request by about one job per busy connection, not by all of its own.
 * A partitioned lane (the INGEST lane) gives each worker a queue of its own
 * and puts each job in the one of the worker chosen by a hash of the unit
 * it names: the workers store in parallel, each on its own connection,
 * while one unit's submissions are still stored one after another, in the
 * order they came. A
 * worker makes sure its connection is up, runs the jobs' handler,
 * packs each reply, and hands each job back to the front as a pointer sent
 * over inproc:// (the front's PULL socket at done_endpoint). While idle,
 * every worker notices a lost connection and reconnects by itself. */
#ifndef TH_LANE_H
#define TH_LANE_H

#include <stddef.h>

#include "db.h"
#include "job.h"

typedef struct th_lane_config {
    const char *name;        /* "ingest", "read": for the log */
    int threads;             /* at least 1 */
    int partitioned;         /* each thread serves the jobs of its own units */
    size_t batch_max;        /* most jobs one run gets */
    const char *dsn;         /* each worker connects with it */
    int db_timeout_ms;       /* per statement and per connection attempt */
    const th_db_stmt *stmts; /* prepared on each worker's connection */
    void (*idle)(th_db *db); /* if set, called by a worker idle for a second */
    size_t nstmts;
    /* FOR TESTS ONLY (tonghopd serve --test-clock FILE): if set, before
     * each batch the worker reads the time in this file (ISO 8601 with its
     * offset) and makes it the database session's "now" (tonghop.now, see
     * migrations/rules/05_clock.sql). NULL: the real clock, and no extra
     * statement. Must outlive the lane. */
    const char *test_clock;
    void *zctx;                /* the front's ZeroMQ context */
    const char *done_endpoint; /* where finished jobs are sent */
} th_lane_config;

typedef struct th_lane th_lane;

/* Starts the threads. Returns NULL with the reason in err. */
th_lane *th_lane_new(const th_lane_config *cfg, char *err, size_t errlen);

#define TH_LANE_FLOWS 64

/* Queues jobs[0..n) at once (state FRONT -> QUEUED), each on its
 * connection's flow (front thread: reads the routing frame), waking one
 * worker:
 * what arrived together is taken together (the INGEST lane's group
 * commit). The lane does not own them: a worker holds a job only while
 * RUNNING. */
void th_lane_push_many(th_lane *lane, th_job *const *jobs, size_t n);

/* Takes a job that no worker has started back out of the queue (QUEUED ->
 * FRONT) and returns 1; returns 0 when a worker holds it or has finished. */
int th_lane_cancel(th_lane *lane, th_job *job);

/* Stops the threads once their current run is done and joins them. Jobs
 * still queued go back to the front (state FRONT). */
void th_lane_destroy(th_lane **lane);

#endif
