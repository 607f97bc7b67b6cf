/* status_show.h -- `tonghopd status`: in one screen, whether the server,
 * its database and its standby are healthy.
 *
 * The database: reachable, its version, primary or standby, the schema
 * up to date with this program; on a primary, each standby's replication
 * (streaming, synchronous or not, how far behind); on a standby, how old
 * its last replayed transaction is. The keys enrolled and revoked, and the
 * last submission received. The server, when asked its metrics address
 * (--metrics HOST:PORT): up since when, requests answered and failed,
 * requests open now. */
#ifndef TH_STATUS_SHOW_H
#define TH_STATUS_SHOW_H

#include <stdio.h>

/* Prints the status; metrics may be NULL. Returns 0 when everything
 * looked at is healthy, 1 when something is not (said on its line). */
int th_status_show(const char *dsn, const char *metrics, FILE *out);

#endif
