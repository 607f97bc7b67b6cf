/* submit.h -- `tonghop submit`: send one quarter's results for a unit. */
#ifndef TH_SUBMIT_H
#define TH_SUBMIT_H

#include "request.h"
#include "transport.h"

typedef struct th_submit_args {
    const char *unit;
    const char *period;
    const char *plan; /* may be NULL */
    const char *file;
    const char *submission_id; /* NULL: a new UUID */
} th_submit_args;

/* Runs the command, prints the outcome, returns an exit code. */
int th_submit_run(const th_transport_config *tc, const th_submit_args *a);

#endif
