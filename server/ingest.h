/* ingest.h -- storing a batch of validated submissions in one transaction.
 *
 * Group commit: the submissions that arrived together are written in one
 * transaction, so one fsync covers them all; each gets its own outcome. The
 * batch is checked and written by one set-based statement
 * (th_ingest_batch, migrations/rules/20_ingest.sql), called once per round:
 * a resend or a correction of a submission earlier in the same batch goes
 * in a later round, so every outcome is the one it would get alone. If the
 * batch fails for a reason other than a lost connection, each submission is
 * retried alone so that one bad submission cannot sink the others. An outcome
 * of stored or duplicate is only reported after COMMIT succeeded. When some
 * submission of the batch names a plan, one more statement in the same
 * transaction finds whether each such one came after its deadline
 * (th_submission_lateness, migrations/rules/45_due.sql); a batch without
 * plan codes costs nothing more. */
#ifndef TH_INGEST_H
#define TH_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "period.h"
#include "validate.h"
#include "wire.h"

typedef enum {
    TH_INGEST_PENDING = 0,
    TH_INGEST_STORED,
    TH_INGEST_DUPLICATE,
    TH_INGEST_REJECTED, /* err says why */
} th_ingest_outcome;

typedef struct th_ingest_item {
    /* in */
    const Tonghop__Submission *sub;
    th_period period;
    /* out */
    th_ingest_outcome outcome;
    th_verr err;
    uint32_t stored;
    uint32_t superseded;
    int64_t stored_at;
    /* Only for a submission naming a plan that has a deadline for it: the
     * deadline (ISO date; "" otherwise) and whether it was received after. */
    char deadline[11];
    int late;
} th_ingest_item;

/* The named statements ingest needs; pass them to th_db_new. */
extern const th_db_stmt th_ingest_stmts[];
extern const size_t th_ingest_nstmts;

/* Stores items (all already validated). Every item leaves with an outcome:
 * stored, duplicate, or rejected (including UNAVAILABLE when the database
 * could not be reached or the commit's fate is unknown). */
void th_ingest_batch(th_db *db, th_ingest_item *const *items, size_t n);

#endif
