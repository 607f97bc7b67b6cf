/* stats_refresh.h -- fresh planner statistics right after a burst.
 *
 * PostgreSQL plans a report from its statistics of each unit's maintained
 * values (unit_period_values).
 * Autovacuum refreshes them about a minute after a burst at best; until
 * then a report asked the moment the last commune is in was planned for
 * tables a fraction of their size, and took seconds or timed out
 * (bench/RESULTS.md). So the server counts the values it stores and, once
 * they reach a tenth of the rows that table held at the last refresh (at
 * least TH_STATS_MIN_VALUES), has it analysed: by the ingest worker when it has
 * been idle for a second (the burst is over), or first thing by a read
 * worker about to run a report, whichever comes first. One refresh runs at
 * a time. th_refresh_statistics (migrations/rules/27_statistics.sql) runs
 * ANALYZE with its owner's rights, which the server's role lacks. */
#ifndef TH_STATS_REFRESH_H
#define TH_STATS_REFRESH_H

#include "db.h"

#define TH_STATS_MIN_VALUES 5000

/* Counts values stored (committed). Thread-safe. */
void th_stats_note_stored(long values);

/* Whether enough has been stored since the last refresh. Thread-safe. */
int th_stats_refresh_due(void);

/* Refreshes the statistics on db when due and no other thread is at it.
 * A failure is logged and leaves the count, to try again later. */
void th_stats_refresh_if_due(th_db *db);

#endif
