/* metrics.h -- what the server has done, counted, for monitoring.
 *
 * Counters and latency histograms kept in memory since the server started
 * (requests by type and outcome, submission acks, refusals by code, ingest
 * batch sizes and their database time, open requests, dropped replies and
 * notifications), written in Prometheus's text exposition format by
 * th_metrics_render and served by metrics_http.h at GET /metrics. Every
 * function is thread-safe and cheap (one mutex, no allocation after the
 * first request of a type). */
#ifndef TH_METRICS_H
#define TH_METRICS_H

#include <stddef.h>

/* A request answered: its type (the handler's name, "malformed", ...), its
 * outcome ("STORED", "OK", "FORBIDDEN", ...) and how long it was open. */
void th_metrics_request(const char *type, const char *outcome, double seconds);

/* An ingest transaction: how many submissions, and its database time. */
void th_metrics_batch(size_t submissions, double db_seconds);

/* Requests received and not yet answered, now. */
void th_metrics_set_open(size_t open);

/* Something the server dropped: "reply" (the client did not read or had
 * gone), "notification". */
void th_metrics_dropped(const char *what, unsigned long n);

/* The whole exposition (malloc'd, NUL-terminated), or NULL when out of
 * memory. */
char *th_metrics_render(void);

/* Forgets everything (for tests). */
void th_metrics_reset(void);

#endif
