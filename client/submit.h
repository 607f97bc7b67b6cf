/* submit.h -- `tonghop submit` and `tonghop sync`.
 *
 * submit reads one quarter's results for a unit, checks them as the server
 * will, writes them to the spool (durably) and then delivers everything
 * pending, oldest first. Its exit code tells apart: delivered (0), refused
 * by the server (4) and queued because the server did not answer (5). */
#ifndef TH_SUBMIT_H
#define TH_SUBMIT_H

#include "request.h"
#include "spool.h"
#include "transport.h"
#include "wire.h"

typedef struct th_submit_args {
    const char *unit;
    const char *period;
    const char *plan; /* may be NULL */
    const char *file;
    const char *submission_id; /* NULL: a new UUID */
} th_submit_args;

int th_submit_run(th_transport *t, th_spool *s, const th_submit_args *a);

/* Checks a submission built elsewhere (tonghop enter), spools and delivers
 * it. lines may be NULL. */
int th_submit_values(th_transport *t, th_spool *s, const th_submit_args *a, Tonghop__ResultValue **values,
                     size_t n, const int *lines);

/* `tonghop sync`: delivers everything pending. 0 when nothing is left, 5
 * when some stay queued, 4 when some were refused. */
int th_sync_run(th_transport *t, th_spool *s);

#endif
