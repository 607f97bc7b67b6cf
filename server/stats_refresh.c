/* stats_refresh.c -- fresh planner statistics right after a burst. */
#include "stats_refresh.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

/* Values stored since the last refresh; rows of unit_period_values at the last
 * refresh (0: not known yet); whether a thread is refreshing now. */
static atomic_long stored_since;
static atomic_long rows_at_refresh;
static atomic_int refreshing;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void th_stats_note_stored(long values)
{
    if (values > 0) atomic_fetch_add(&stored_since, values);
}

int th_stats_refresh_due(void)
{
    long since = atomic_load(&stored_since);
    long tenth = atomic_load(&rows_at_refresh) / 10;
    return since >= (tenth > TH_STATS_MIN_VALUES ? tenth : TH_STATS_MIN_VALUES);
}

void th_stats_refresh_if_due(th_db *db)
{
    /* ANALYZE cannot run on a hot standby (a report lane on --read-db):
     * there the refresh is left to the primary's ingest workers, and the
     * statistics reach the standby with the rest of the WAL. */
    if (!th_stats_refresh_due() || th_db_read_only(db)) return;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&refreshing, &expected, 1)) return;
    /* What is stored from here on counts towards the next refresh. */
    long counted = atomic_exchange(&stored_since, 0);
    long t0 = now_ms();
    PGresult *r = th_db_exec_params(db, "SELECT th_refresh_statistics()", 0, NULL, NULL, NULL);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        atomic_store(&rows_at_refresh, strtol(PQgetvalue(r, 0, 0), NULL, 10));
        th_info("statistics refreshed after %ld stored values (%ld ms)", counted, now_ms() - t0);
    } else {
        atomic_fetch_add(&stored_since, counted);
        th_warn("statistics not refreshed: %s", r ? PQresultErrorMessage(r) : th_db_error(db));
    }
    PQclear(r);
    atomic_store(&refreshing, 0);
}
