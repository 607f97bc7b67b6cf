/* watch_cmd.h -- `tonghop watch`: live notifications of the unit's
 * territory, printed as they come (server/notify.h says what is sent and to
 * whom: the server decides from this computer's key, not from what it
 * asks). */
#ifndef TH_WATCH_CMD_H
#define TH_WATCH_CMD_H

#include "transport.h"

typedef struct th_watch_args {
    const char *endpoint; /* the server's notification endpoint */
    const char *unit;     /* narrow to this unit's territory (NULL: the key's own) */
    long count;           /* stop after this many (0: never) */
    long for_ms;          /* stop after this long (0: never) */
} th_watch_args;

/* Returns an exit code (request.h). tc gives the keys (server_key NULL:
 * plain text). */
int th_watch_cmd_run(const th_transport_config *tc, const th_watch_args *a);

#endif
