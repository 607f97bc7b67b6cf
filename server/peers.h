/* peers.h -- how many requests each connection has open.
 *
 * The front (serve.c) counts the open jobs of every connection, keyed by the
 * ROUTER's routing id (the first route frame: one per connection), so that
 * one client cannot fill the server with requests it never waits for: past
 * the cap, its requests are answered BUSY at once. Only connections with
 * open requests have an entry (an entry goes when its count drops to 0), so
 * the table's size follows the open jobs, never the connections that came
 * and went. Front thread only: no locking. */
#ifndef TH_PEERS_H
#define TH_PEERS_H

#include <stddef.h>

typedef struct th_peers th_peers;

/* An empty table, or NULL when out of memory. */
th_peers *th_peers_new(void);

void th_peers_destroy(th_peers **peers);

/* Counts one more open request for the connection id[0..len) unless it has
 * max already. Returns 0 when counted, 1 when the connection is at max, -1
 * when out of memory (nothing counted). */
int th_peers_take(th_peers *peers, const void *id, size_t len, unsigned max);

/* One open request fewer for the connection (its entry goes at 0). A
 * connection without an entry is left alone. */
void th_peers_release(th_peers *peers, const void *id, size_t len);

/* The connection's open requests (0 when it has no entry). */
unsigned th_peers_open(const th_peers *peers, const void *id, size_t len);

/* How many connections have requests open. */
size_t th_peers_count(const th_peers *peers);

#endif
