/* audit.h -- who did what: the audit trail (table audit_log, migration 009).
 *
 * The front and the ZAP handler record every write and every refusal here;
 * a thread of its own writes them to PostgreSQL in batches, a fraction of a
 * second later, so that recording never holds up an answer. The queue is
 * bounded: a flood of refusals cannot grow the server's memory. What does
 * not fit is counted, and the count is written as one row (request
 * 'audit', outcome 'DROPPED'). While the database is away, records wait in
 * the queue (within its bound) and are written when it is back. */
#ifndef TH_AUDIT_H
#define TH_AUDIT_H

#include <stddef.h>

#include "authz.h"

typedef struct th_audit th_audit;

/* Starts the writer thread (its own connection to dsn). NULL with the
 * reason in err. */
th_audit *th_audit_start(const char *dsn, int db_timeout_ms, char *err, size_t errlen);

/* Queues one record; never blocks on the database. Thread-safe. Any string
 * may be NULL. outcome: "STORED", "DUPLICATE", "ACCEPTED" or an error code's
 * name. */
void th_audit_record(th_audit *a, const th_identity *who, const char *request, const char *target,
                     const char *outcome, const char *field, const char *detail, const char *request_id);

/* Writes what is queued (waiting at most db_timeout_ms), stops the thread,
 * frees everything. */
void th_audit_stop(th_audit **a);

#endif
