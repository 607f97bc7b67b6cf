/* handler.h -- one handler per request type, registered in one table.
 *
 * A request travels: the front thread decodes it, finds its handler by the
 * envelope's body, and runs check() (no database: shapes, codes, limits).
 * Then the job goes to the handler's lane, where a worker thread with its
 * own PostgreSQL connection runs run(), and reply() fills the answer.
 *
 *   lane INGEST  one thread; run() gets every waiting job at once (group
 *                commit: one transaction, one fsync, then the acks)
 *   lane READ    a small pool; run() gets one job: publications and
 *                approvals, everything else that writes (on the primary,
 *                --db). However slow, they never hold up an ack.
 *   lane REPORT  a small pool; run() gets one job: reports, plan fetches,
 *                history, what is due. Pure reads, so they may run on a hot
 *                standby (tonghopd serve --read-db; without it this lane is
 *                the READ lane itself). A handler here must write nothing,
 *                not even through a function it calls: on a standby every
 *                transaction is read-only. (tests/unit/test_handlers.c checks
 *                that no handler marked .writes is on this lane.)
 *
 * Adding a request type: a message in proto/tonghop.proto, one file
 * server/handle_NAME.c defining a th_handler, one row in handlers.c. */
#ifndef TH_HANDLER_H
#define TH_HANDLER_H

#include <stddef.h>

#include "db.h"
#include "job.h"
#include "period.h"

typedef enum { TH_LANE_INGEST = 0, TH_LANE_READ = 1, TH_LANE_REPORT = 2 } th_lane_kind;
#define TH_LANES 3

/* Room for a reply's top message, on the stack of whoever packs it. */
typedef union th_reply_space {
    Tonghop__Ack ack;
    Tonghop__PlanReply plans;
    Tonghop__RollupReply rollup;
    Tonghop__HistoryReply history;
    Tonghop__DueReply due;
    Tonghop__ReviewReply review;
} th_reply_space;

typedef struct th_handler {
    int body;         /* TONGHOP__ENVELOPE__BODY_* it serves */
    const char *name; /* for the log */
    th_lane_kind lane;
    int writes; /* a write: audited whatever its outcome (reads only when refused) */
    /* Front thread, no database. Returns 0 to go on, or -1 after
     * th_job_fail (the job is answered at once). May set job->data. */
    int (*check)(th_job *job);
    /* Worker thread. Runs jobs[0..n) (n == 1 on the READ lane) and leaves
     * each with job->error_code set, or its result in job->data. A database
     * failure is UNAVAILABLE (retryable), never a guess. */
    void (*run)(th_db *db, th_job *const *jobs, size_t n);
    /* Points env's body at the result kept in job->data, using space for
     * the top message (called only when job->error_code is 0; env is packed
     * before space goes away). */
    void (*reply)(th_job *job, th_envelope *env, th_reply_space *space);
    /* Frees job->data and sets it to NULL. */
    void (*free)(th_job *job);
} th_handler;

/* The handler for a body case, or NULL (the request is UNSUPPORTED). */
const th_handler *th_handler_find(int body);

/* The table, for tests. */
extern const th_handler *const th_handlers[];
extern const size_t th_handlers_count;

/* The handlers, one per file. */
extern const th_handler th_handle_submission;
extern const th_handler th_handle_plan_publish;
extern const th_handler th_handle_plan_fetch;
extern const th_handler th_handle_report;
extern const th_handler th_handle_history;
extern const th_handler th_handle_catalogue_publish;
extern const th_handler th_handle_approval;
extern const th_handler th_handle_due;
extern const th_handler th_handle_review;

/* For handlers' run(): after a failed call into the database, marks the job
 * UNAVAILABLE when the connection is gone (or timed out) or the failure is
 * one to retry (th_db_retryable: a standby's recovery conflict), INTERNAL
 * otherwise, and logs why. */
void th_handler_db_failed(th_db *db, th_job *job, const char *why);

/* For handlers' check(): the plan, period and unit most requests name.
 * Each returns 0 when the field is well formed (or absent and not
 * required), else -1 after th_job_fail naming the field: a plan code is
 * valid UTF-8 of at most 64 bytes; a period "2025" or "2025Q3" (parsed
 * into *p when given); a unit a GSO code (th_validate_code). */
int th_handler_check_plan(th_job *job, const char *plan, int required);
int th_handler_check_period(th_job *job, const char *period, int required, th_period *p);
int th_handler_check_unit(th_job *job, const char *unit);

/* For handlers' run(): may the job's key read the unit (NULL: the plan's
 * issuer) for the period, as the tree stood at the period's end
 * (th_authz_read)? 0 to go on; -1 when the job has its answer: refused
 * (FORBIDDEN, named), or failed (th_handler_db_failed). */
int th_handler_authz_read(th_db *db, th_job *job, const char *unit, const char *plan, const char *period);

/* What a request answered by one JSON document (a report, a review, what
 * is due) keeps between check() and reply(): the unit and period asked
 * (as the handler settled them), how many items at most, and the document
 * once run (th_doc_fetch, doc.h). */
typedef struct th_doc_job {
    char unit[48];
    char period[16];
    unsigned limit;
    char *json;
} th_doc_job;

/* For check(): a zeroed th_doc_job as job->data, or NULL after th_job_fail
 * (out of memory). */
th_doc_job *th_doc_job_new(th_job *job);
/* A handler's free(): frees job->data, a th_doc_job, and its document. */
void th_doc_job_free(th_job *job);

/* For handlers' run(), after a call that returns 0 with the result or a
 * refusal in job->err, or -1 with dberr: sets the job's outcome. */
void th_handler_settle(th_db *db, th_job *job, int rc, const char *dberr);

#endif
