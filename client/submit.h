/* submit.h -- `tonghop submit`: send one quarter's results for a unit. */
#ifndef TH_SUBMIT_H
#define TH_SUBMIT_H

#include "transport.h"

/* Exit codes of the client, documented in the README. */
enum {
    TH_EXIT_OK = 0,          /* stored (or already stored: a duplicate) */
    TH_EXIT_FAILURE = 1,     /* local failure */
    TH_EXIT_USAGE = 2,       /* wrong command line */
    TH_EXIT_INPUT = 3,       /* the results file is wrong; nothing sent */
    TH_EXIT_REJECTED = 4,    /* the server refused; sending again will not help */
    TH_EXIT_UNREACHABLE = 5, /* no server answered, or it could not store now: try later */
};

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
