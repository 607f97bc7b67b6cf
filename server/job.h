/* job.h -- one request on its way through the server.
 *
 * The front thread (serve.c) receives a request and makes a th_job of it. It
 * owns the job from then on: the routing frames stay with it, and only the
 * front sends the reply. In between, a lane's worker (lane.c) may hold the
 * job to run its handler; it packs the reply into job->reply and hands the
 * job back. Each job is answered exactly once (job->answered), by its own
 * reply or, past its deadline, by UNAVAILABLE. */
#ifndef TH_JOB_H
#define TH_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "authz.h"
#include "validate.h"
#include "wire.h"

#define TH_MAX_ROUTE_FRAMES 8

struct th_handler;

typedef enum {
    TH_JOB_FRONT = 0, /* with the front thread only */
    TH_JOB_QUEUED,    /* waiting in a lane's queue */
    TH_JOB_RUNNING,   /* a worker holds it */
    TH_JOB_DONE,      /* the worker let go of it; the reply is packed */
} th_job_state;

typedef struct th_job {
    /* Transport: the front's alone. */
    zmq_msg_t route[TH_MAX_ROUTE_FRAMES];
    int nroute;
    th_wire_msg *msg;       /* the decoded request, NULL if undecodable */
    th_envelope *env;       /* inside msg, or NULL */
    const char *request_id; /* a UUID from the envelope, or "" */
    th_identity who;        /* the client, as its CURVE handshake proved it (authz.h) */
    char target[64];        /* the unit or plan the request names, for the audit */
    /* request_id's copy when the request was refused (msg NULL). */
    char request_id_buf[40];
    const struct th_handler *handler;
    int64_t received_ms; /* monotonic */
    int64_t deadline_ms; /* answered UNAVAILABLE if still open then */
    int answered;
    struct th_job *prev, *next; /* the front's list of open jobs, oldest first */

    /* Between the front and one worker, under the lane's lock. */
    th_job_state state;
    struct th_job *qnext; /* the lane's queue */
    unsigned flow;        /* which of the lane's queues (lane.h) */
    unsigned part;        /* which partition of a partitioned lane */

    /* The outcome, set by the handler's check (front) or run (worker). */
    int error_code; /* 0: success */
    th_verr err;
    void *data; /* the handler's own, freed by its free() */

    /* The packed reply (malloc'd), set by th_job_pack_reply, with its outcome
     * for the audit: "STORED", "DUPLICATE", "ACCEPTED", "OK" (a read) or the
     * error code's name. */
    uint8_t *reply;
    size_t reply_len;
    char outcome[32];
} th_job;

/* Monotonic milliseconds. */
int64_t th_job_now_ms(void);

/* A new job for a received payload (decoded here); the caller moves the
 * routing frames in. Returns NULL when out of memory. When the payload
 * decodes but a string in it is refused (a NUL byte, not UTF-8), the job has
 * msg and env NULL and is already failed (error_code INVALID_VALUE, err.field
 * the path such as "submission.unit_code", err.detail why), answered under
 * the request's id when that was readable; an undecodable payload leaves
 * error_code 0 and env NULL (the front answers MALFORMED). */
th_job *th_job_new(const uint8_t *payload, size_t len);

/* Frees the job and everything it holds (its handler's data included). */
void th_job_destroy(th_job **job);

/* Marks the job refused. field and detail may be NULL. */
void th_job_fail(th_job *job, int code, const char *field, const char *detail);

/* Builds and packs the reply: the error, or the handler's reply; then frees
 * the handler's data. A reply over the limit becomes TOO_LARGE. Returns 0, or
 * -1 when out of memory (the job then has no reply to send). */
int th_job_pack_reply(th_job *job);

#endif
