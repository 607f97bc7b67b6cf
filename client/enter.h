/* enter.h -- `tonghop enter --plan CODE --period 2025Q3 --unit CODE`:
 * results typed in at the keyboard, no file needed. Asks for each
 * indicator of the plan in turn, in the user's language, shows the
 * resulting percentage and how it stands against the target, checks each
 * answer as it goes, then spools and delivers like `tonghop submit`. */
#ifndef TH_ENTER_H
#define TH_ENTER_H

#include <stdio.h>

#include "spool.h"
#include "transport.h"

/* in/out: the terminal (stdin/stdout normally). Returns an exit code. */
int th_enter_run(th_transport *t, th_spool *s, const char *plan, const char *period, const char *unit,
                 FILE *in, FILE *out);

#endif
