/* metrics.c -- counters and histograms, and their Prometheus text. */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Request latency buckets, seconds (the last is +Inf). */
static const double LAT_BUCKETS[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NLAT (sizeof LAT_BUCKETS / sizeof LAT_BUCKETS[0])
/* Submissions per ingest transaction. */
static const double BATCH_BUCKETS[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define NBATCH (sizeof BATCH_BUCKETS / sizeof BATCH_BUCKETS[0])

#define MAX_TYPES 24
#define MAX_OUTCOMES 256
#define NAME_LEN 32

typedef struct histogram {
    unsigned long long counts[16]; /* per bucket (not cumulative), the last one above all */
    double sum;
    unsigned long long n;
} histogram;

static struct {
    pthread_mutex_t lock;
    time_t started;
    char types[MAX_TYPES][NAME_LEN];
    histogram latency[MAX_TYPES];
    size_t ntypes;
    struct {
        int type;
        char outcome[NAME_LEN];
        unsigned long long n;
    } outcomes[MAX_OUTCOMES];
    size_t noutcomes;
    histogram batch_size, batch_db;
    size_t open;
    unsigned long long dropped_replies, dropped_notifications;
} m = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void observe(histogram *h, const double *bounds, size_t nb, double v)
{
    size_t i = 0;
    while (i < nb && v > bounds[i])
        i++;
    h->counts[i]++;
    h->sum += v;
    h->n++;
}

/* The index of a type, added if new; -1 when the table is full. Locked. */
static int type_index(const char *type)
{
    for (size_t i = 0; i < m.ntypes; i++)
        if (!strcmp(m.types[i], type)) return (int)i;
    if (m.ntypes == MAX_TYPES) return -1;
    snprintf(m.types[m.ntypes], NAME_LEN, "%s", type);
    return (int)m.ntypes++;
}

void th_metrics_request(const char *type, const char *outcome, double seconds)
{
    pthread_mutex_lock(&m.lock);
    if (!m.started) m.started = time(NULL);
    int t = type_index(type ? type : "unknown");
    if (t >= 0) {
        observe(&m.latency[t], LAT_BUCKETS, NLAT, seconds);
        size_t i = 0;
        while (i < m.noutcomes && !(m.outcomes[i].type == t && !strcmp(m.outcomes[i].outcome, outcome)))
            i++;
        if (i == m.noutcomes && m.noutcomes < MAX_OUTCOMES) {
            m.outcomes[i].type = t;
            snprintf(m.outcomes[i].outcome, NAME_LEN, "%s", outcome ? outcome : "");
            m.outcomes[i].n = 0;
            m.noutcomes++;
        }
        if (i < m.noutcomes) m.outcomes[i].n++;
    }
    pthread_mutex_unlock(&m.lock);
}

void th_metrics_batch(size_t submissions, double db_seconds)
{
    pthread_mutex_lock(&m.lock);
    observe(&m.batch_size, BATCH_BUCKETS, NBATCH, (double)submissions);
    observe(&m.batch_db, LAT_BUCKETS, NLAT, db_seconds);
    pthread_mutex_unlock(&m.lock);
}

void th_metrics_set_open(size_t open)
{
    pthread_mutex_lock(&m.lock);
    m.open = open;
    pthread_mutex_unlock(&m.lock);
}

void th_metrics_dropped(const char *what, unsigned long n)
{
    pthread_mutex_lock(&m.lock);
    if (!strcmp(what, "reply"))
        m.dropped_replies += n;
    else
        m.dropped_notifications += n;
    pthread_mutex_unlock(&m.lock);
}

void th_metrics_reset(void)
{
    pthread_mutex_lock(&m.lock);
    memset(m.types, 0, sizeof m.types);
    memset(m.latency, 0, sizeof m.latency);
    memset(m.outcomes, 0, sizeof m.outcomes);
    memset(&m.batch_size, 0, sizeof m.batch_size);
    memset(&m.batch_db, 0, sizeof m.batch_db);
    m.ntypes = m.noutcomes = m.open = 0;
    m.dropped_replies = m.dropped_notifications = 0;
    m.started = time(NULL);
    pthread_mutex_unlock(&m.lock);
}

/* A growing text buffer. */
typedef struct out {
    char *buf;
    size_t len, cap;
    int failed;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    if (o->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if (o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap + (size_t)n) * 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->failed = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
}

static void put_histogram(out *o, const char *name, const char *label, const histogram *h,
                          const double *bounds, size_t nb)
{
    unsigned long long cum = 0;
    const char *sep = *label ? "," : "";
    for (size_t i = 0; i < nb; i++) {
        cum += h->counts[i];
        put(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep, bounds[i], cum);
    }
    cum += h->counts[nb];
    put(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep, cum);
    put(o, "%s_sum{%s} %.6f\n", name, label, h->sum);
    put(o, "%s_count{%s} %llu\n", name, label, h->n);
}

char *th_metrics_render(void)
{
    out o = {.buf = malloc(4096), .cap = 4096};
    if (!o.buf) return NULL;
    o.buf[0] = '\0';
    pthread_mutex_lock(&m.lock);
    if (!m.started) m.started = time(NULL);
    put(&o,
        "# HELP tonghop_start_time_seconds When the server started (Unix time).\n"
        "# TYPE tonghop_start_time_seconds gauge\ntonghop_start_time_seconds %lld\n",
        (long long)m.started);
    put(&o, "# HELP tonghop_requests_total Requests answered, by type and outcome (STORED, DUPLICATE, OK, "
            "ACCEPTED, or the error code).\n# TYPE tonghop_requests_total counter\n");
    for (size_t i = 0; i < m.noutcomes; i++)
        put(&o, "tonghop_requests_total{type=\"%s\",outcome=\"%s\"} %llu\n", m.types[m.outcomes[i].type],
            m.outcomes[i].outcome, m.outcomes[i].n);
    put(&o, "# HELP tonghop_request_duration_seconds From a request's arrival to its answer, by type.\n"
            "# TYPE tonghop_request_duration_seconds histogram\n");
    for (size_t t = 0; t < m.ntypes; t++) {
        char label[64];
        snprintf(label, sizeof label, "type=\"%s\"", m.types[t]);
        put_histogram(&o, "tonghop_request_duration_seconds", label, &m.latency[t], LAT_BUCKETS, NLAT);
    }
    put(&o, "# HELP tonghop_ingest_batch_submissions Submissions stored per ingest transaction (group "
            "commit).\n# TYPE tonghop_ingest_batch_submissions histogram\n");
    put_histogram(&o, "tonghop_ingest_batch_submissions", "", &m.batch_size, BATCH_BUCKETS, NBATCH);
    put(&o, "# HELP tonghop_ingest_db_seconds Database time of an ingest transaction, commit included.\n"
            "# TYPE tonghop_ingest_db_seconds histogram\n");
    put_histogram(&o, "tonghop_ingest_db_seconds", "", &m.batch_db, LAT_BUCKETS, NLAT);
    put(&o,
        "# HELP tonghop_open_requests Requests received and not answered yet (the queue).\n"
        "# TYPE tonghop_open_requests gauge\ntonghop_open_requests %zu\n",
        m.open);
    put(&o,
        "# HELP tonghop_dropped_total Replies the client did not read, and notifications, dropped.\n"
        "# TYPE tonghop_dropped_total counter\ntonghop_dropped_total{what=\"reply\"} %llu\n"
        "tonghop_dropped_total{what=\"notification\"} %llu\n",
        m.dropped_replies, m.dropped_notifications);
    pthread_mutex_unlock(&m.lock);
    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
