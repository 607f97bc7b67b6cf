/* metrics_http.h -- the metrics at GET /metrics over plain HTTP, for
 * Prometheus (tonghopd serve --metrics-bind 127.0.0.1:9570).
 *
 * One thread, one connection at a time: a scraper every few seconds, never
 * a client of the service. A request must arrive within 2 s and fit in
 * 4 KiB; anything but GET /metrics and GET /health is 404. The metrics
 * hold no reported value and no key, but say how busy the server is: bind
 * it to loopback or a monitoring network. */
#ifndef TH_METRICS_HTTP_H
#define TH_METRICS_HTTP_H

#include <stddef.h>

/* Listens on "HOST:PORT" (PORT 0: any free port) and starts the thread.
 * Returns 0, or -1 with the reason in err. */
int th_metrics_http_start(const char *bind, char *err, size_t errlen);

/* "HOST:PORT" actually bound, or "". */
const char *th_metrics_http_address(void);

void th_metrics_http_stop(void);

#endif
