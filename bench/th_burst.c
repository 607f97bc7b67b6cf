/* th_burst -- the load generator and the timers of bench/run.sh.
 *
 *   th_burst submit --endpoint E --period 2025Q4 --units FILE [--conns 100]
 *                   [--plan CODE] [--indicators A,B,...] [--values-out FILE]
 *                   [--timeout DURATION_MS] [--server-pid PID] [--pg-pid PID]
 *       The quarterly burst: every unit listed in FILE (one code a line) sends
 *       one submission of one ratio value per indicator, through --conns
 *       DEALER sockets (one TCP connection each, as many commune offices),
 *       each with one request in flight: the next goes when its ack is back.
 *       Every reply must be an Ack STORED for that request with every value
 *       stored; anything else is counted, shown, and makes the exit status 1.
 *       --values-out writes the numbers sent (unit, indicator, year, quarter,
 *       numerator, denominator; tab-separated), for the COPY baseline.
 *
 *   th_burst copy --db DSN --table T --file F
 *       COPY F into T from this client (libpq, one statement, autocommit: the
 *       commit and its fsync are inside the time).
 *
 *   th_burst sqltime --db DSN [--warmup N] [--runs N] SQL
 *       One SQL statement timed in the server's session from the client side
 *       (libpq round trip on the Unix socket, no process start).
 *
 *   th_burst sqlab --db DSN_A --db-b DSN_B [--warmup N] [--runs N] SQL...
 *       Each SQL statement run in turn on A and on B (which goes first
 *       alternates), --runs times each after --warmup: two versions of the
 *       rules in two copies of one database, compared on a machine whose
 *       speed drifts from minute to minute (a difference between two runs
 *       minutes apart is mostly that drift; between calls a few
 *       milliseconds apart, it is the change). Prints, per statement, the
 *       minimum and median of each side and the ratio of the medians (B / A).
 *       Run it with A and B the same database first: that ratio is what no
 *       change at all gives.
 *
 *   th_burst sqlab --db DSN [--warmup N] [--runs N] SQL_A SQL_B [SQL_A SQL_B]...
 *       Without --db-b: the statements in pairs, each pair's two in turn on
 *       one connection (two versions of the rules in one database, under
 *       two names: bench/rules_renamed.sh). Two connections can differ by
 *       half on their own (one server process can be slower than the other
 *       for minutes, wherever the machine placed it); one cannot.
 *
 *   th_burst run [--warmup N] [--runs N] [--until FILE] [--output FILE]
 *                [--unavailable-ok] [--status N] [--db DSN --role ROLE] -- COMMAND ARGS...
 *       Runs a command (the real client) and times it end to end; its peak
 *       RSS from wait4. With --db and --role, also the time PostgreSQL spent
 *       executing the server's th_report_text call(s) during that run, from
 *       pg_stat_statements (calls by ROLE of "SELECT th_report_text(...)"):
 *       the same request's time in the server. --until loops until FILE
 *       exists (the report loop beside a burst). --unavailable-ok counts the
 *       client's exit status 5 (the server answered "try again later": its
 *       --db-timeout passed) as a figure, not a failure, and cancels the
 *       statement PostgreSQL is still running for it. --status N counts exit
 *       status N as done instead of 0 (4: a request the server refuses on
 *       purpose, the floor of any request).
 *
 * Output: one "key value" pair a line on standard output (bench/run.sh reads
 * them); details and failures on standard error. For bench/ only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <uuid/uuid.h>
#include <zmq.h>

#include "wire.h"

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
    if (n == 0) return NAN;
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

static double median(double *v, size_t n)
{
    if (n == 0) return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
    fprintf(stderr, "th_burst: %s\n", what);
    exit(2);
}

static const char *arg_value(int *i, int argc, char **argv)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "th_burst: %s needs a value\n", argv[*i]);
        exit(2);
    }
    return argv[++*i];
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double own_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------------ CPU accounting */

/* Machine-wide jiffies from /proc/stat: busy (user..steal but idle, iowait),
 * iowait, total. */
typedef struct {
    unsigned long long busy, iowait, total;
} machine_cpu;

static machine_cpu read_machine_cpu(void)
{
    machine_cpu m = {0, 0, 0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return m;
    unsigned long long v[10] = {0};
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &v[6], &v[7]) >= 5) {
        for (int i = 0; i < 8; i++)
            m.total += v[i];
        m.iowait = v[4];
        m.busy = m.total - v[3] - v[4];
    }
    fclose(f);
    return m;
}

/* Fields of /proc/PID/stat after the command name: ppid is field 4, utime
 * 14, stime 15, cutime 16, cstime 17 (1-based, as in proc(5)). */
static int read_proc_stat(long pid, long *ppid, unsigned long long *self, unsigned long long *children)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p += 2; /* field 3, the state */
    unsigned long long f14 = 0, f15 = 0;
    long long f16 = 0, f17 = 0;
    long pp = 0;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime */
    if (sscanf(p, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", &pp, &f14, &f15, &f16,
               &f17) != 5)
        return -1;
    if (ppid) *ppid = pp;
    if (self) *self = f14 + f15;
    if (children) *children = (unsigned long long)(f16 + f17);
    return 0;
}

static unsigned long long proc_cpu_ticks(long pid)
{
    unsigned long long self = 0;
    if (pid <= 0 || read_proc_stat(pid, NULL, &self, NULL) != 0) return 0;
    return self;
}

/* The whole PostgreSQL cluster: the postmaster, its living children, and
 * the children it has reaped (autovacuum workers come and go). */
static unsigned long long cluster_cpu_ticks(long postmaster)
{
    unsigned long long self = 0, reaped = 0;
    if (postmaster <= 0 || read_proc_stat(postmaster, NULL, &self, &reaped) != 0) return 0;
    unsigned long long sum = self + reaped;
    DIR *d = opendir("/proc");
    if (!d) return sum;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end) continue;
        long ppid = 0;
        unsigned long long s = 0;
        if (read_proc_stat(pid, &ppid, &s, NULL) == 0 && ppid == postmaster) sum += s;
    }
    closedir(d);
    return sum;
}

/* ------------------------------------------------------------------ submit */

static const char *const default_indicators[] = {"CTXH-01", "CTXH-02", "CTXH-03", "CTXH-04",
                                                 "SKTT-01", "SKTT-02", "SKTT-03", "SKTT-06",
                                                 "SKTT-07", "SKTT-08", "SKTT-09", "SKTT-10"};

typedef struct {
    void *sock;
    long req; /* index of the unit in flight, -1 when idle */
    double sent_at;
    char rid[37]; /* request id in flight */
    char sid[37]; /* submission id in flight */
} conn;

typedef struct {
    long failures;
    long shown;
} fail_tally;

static void fail(fail_tally *t, const char *unit, const char *what)
{
    t->failures++;
    if (t->shown++ < 10) fprintf(stderr, "th_burst: FAILED %s: %s\n", unit, what);
}

typedef struct {
    char (*units)[TH_MAX_CODE + 1];
    const char **inds;
    size_t nind;
    Tonghop__ResultValue *v, **vp;
    const char *period, *plan;
    int quarter;
    size_t next; /* the next unit to send */
} burst;

/* The numbers unit u sends for indicator k: the numerator varies with the
 * unit, the indicator and the quarter and never exceeds the denominator;
 * the denominator (staff, facilities: stocks) stays from quarter to
 * quarter, as a commune's do, except for one value in 20 each quarter,
 * which grows by 3 (the review's data-quality rules flag those: a round
 * where every denominator changed every quarter flagged them all, which
 * no province sees). */
static void value_of(size_t u, size_t k, int quarter, int64_t *num, int64_t *den)
{
    *den = 20 + (int64_t)((u * 31 + k * 7) % 80);
    for (int q = 1; q <= quarter; q++)
        if ((u + k * 3 + (size_t)q * 7) % 20 == 0) *den += 3;
    *num = (int64_t)((u * 17 + k * 13 + (size_t)quarter * 5) % (size_t)(*den + 1));
}

/* Sends the next unit's submission on connection c: one ratio value per
 * indicator. */
static void send_next(burst *b, conn *c)
{
    size_t u = b->next++;
    for (size_t k = 0; k < b->nind; k++) {
        Tonghop__ResultValue *v = &b->v[k];
        tonghop__result_value__init(v);
        v->indicator_code = (char *)b->inds[k];
        v->has_numerator = v->has_denominator = 1;
        value_of(u, k, b->quarter, &v->numerator, &v->denominator);
        b->vp[k] = v;
    }
    uuid_t uu;
    uuid_generate(uu);
    uuid_unparse_lower(uu, c->sid);
    uuid_generate(uu);
    uuid_unparse_lower(uu, c->rid);
    Tonghop__Submission sub = TONGHOP__SUBMISSION__INIT;
    sub.submission_id = c->sid;
    sub.unit_code = b->units[u];
    sub.period = (char *)b->period;
    sub.plan_code = (char *)b->plan;
    sub.values = b->vp;
    sub.n_values = b->nind;
    sub.has_created_at = 1;
    sub.created_at = (int64_t)time(NULL);
    sub.client_version = (char *)"th_burst";
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = c->rid;
    env.lang = (char *)"vi";
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &sub;
    size_t len;
    uint8_t *buf = th_wire_pack(&env, &len);
    if (!buf) die("out of memory");
    c->req = (long)u;
    c->sent_at = now_s();
    if (zmq_send(c->sock, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(c->sock, buf, len, 0) < 0)
        die("zmq_send failed");
    free(buf);
}

static int cmd_submit(int argc, char **argv)
{
    const char *endpoint = NULL, *period = NULL, *units_file = NULL, *plan = NULL, *ind_list = NULL,
               *values_out = NULL;
    int nconns = 100;
    long timeout_ms = 60000, server_pid = 0, pg_pid = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--endpoint"))
            endpoint = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--period"))
            period = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--units"))
            units_file = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--conns"))
            nconns = atoi(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--plan"))
            plan = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--indicators"))
            ind_list = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--values-out"))
            values_out = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--timeout"))
            timeout_ms = atol(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--server-pid"))
            server_pid = atol(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--pg-pid"))
            pg_pid = atol(arg_value(&i, argc, argv));
        else {
            fprintf(stderr, "th_burst submit: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!endpoint || !period || !units_file) die("submit needs --endpoint, --period and --units");
    if (nconns < 1 || nconns > 1000) die("--conns: 1 to 1000");
    int year = 0, quarter = 0;
    if (sscanf(period, "%4dQ%1d", &year, &quarter) != 2 || quarter < 1 || quarter > 4)
        die("--period: a quarter, e.g. 2025Q4");

    /* The indicators: 12 ratio indicators of the catalogue unless told. */
    const char *inds[TH_MAX_VALUES];
    size_t nind = 0;
    char *ind_copy = NULL;
    if (ind_list) {
        ind_copy = strdup(ind_list);
        for (char *save = NULL, *t = strtok_r(ind_copy, ",", &save); t && nind < TH_MAX_VALUES;
             t = strtok_r(NULL, ",", &save))
            inds[nind++] = t;
    } else {
        for (size_t k = 0; k < sizeof default_indicators / sizeof *default_indicators; k++)
            inds[nind++] = default_indicators[k];
    }
    if (nind == 0) die("--indicators: none");

    /* The units. */
    FILE *uf = fopen(units_file, "r");
    if (!uf) die("cannot open --units");
    size_t cap = 1024, n = 0;
    char(*units)[TH_MAX_CODE + 1] = malloc(cap * sizeof *units);
    char line[256];
    while (fgets(line, sizeof line, uf)) {
        line[strcspn(line, "\r\n \t")] = '\0';
        if (!*line) continue;
        size_t len = strlen(line);
        if (len > TH_MAX_CODE) die("a unit code is too long");
        if (n == cap) units = realloc(units, (cap *= 2) * sizeof *units);
        if (!units) die("out of memory");
        memcpy(units[n++], line, len + 1);
    }
    fclose(uf);
    if (n == 0) die("no units");
    FILE *vout = values_out ? fopen(values_out, "w") : NULL;
    if (values_out && !vout) die("cannot write --values-out");

    double *lat = calloc(n, sizeof *lat);
    size_t nlat = 0;
    conn *cs = calloc((size_t)nconns, sizeof *cs);
    zmq_pollitem_t *items = calloc((size_t)nconns, sizeof *items);
    void *ctx = zmq_ctx_new();
    for (int c = 0; c < nconns; c++) {
        cs[c].sock = zmq_socket(ctx, ZMQ_DEALER);
        int linger = 0;
        zmq_setsockopt(cs[c].sock, ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_connect(cs[c].sock, endpoint) != 0) die("zmq_connect failed");
        cs[c].req = -1;
        items[c].socket = cs[c].sock;
        items[c].events = ZMQ_POLLIN;
    }
    /* Let the connections be made (loopback: well under a millisecond each)
     * so the burst times the requests, not the TCP handshakes. */
    usleep(200000);

    fail_tally tally = {0, 0};
    long stored_values = 0;
    size_t done = 0;
    Tonghop__ResultValue *v = calloc(nind, sizeof *v);
    Tonghop__ResultValue **vp = calloc(nind, sizeof *vp);

    machine_cpu m0 = read_machine_cpu();
    unsigned long long srv0 = proc_cpu_ticks(server_pid), pg0 = cluster_cpu_ticks(pg_pid);
    double cpu0 = own_cpu_s();
    double t0 = now_s();

    burst b = {units, inds, nind, v, vp, period, plan, quarter, 0};
    for (int c = 0; c < nconns && b.next < n; c++)
        send_next(&b, &cs[c]);
    int timed_out = 0;
    while (done < n) {
        int rc = zmq_poll(items, nconns, timeout_ms);
        if (rc < 0) {
            if (errno == EINTR) continue;
            die("zmq_poll failed");
        }
        if (rc == 0) {
            timed_out = 1;
            break;
        }
        for (int c = 0; c < nconns; c++) {
            if (!(items[c].revents & ZMQ_POLLIN)) continue;
            for (;;) {
                int events = 0;
                size_t elen = sizeof events;
                zmq_getsockopt(cs[c].sock, ZMQ_EVENTS, &events, &elen);
                if (!(events & ZMQ_POLLIN)) break;
                th_wire_msg *m = th_wire_recv(cs[c].sock);
                double t = now_s();
                th_envelope *r = m ? th_wire_msg_envelope(m) : NULL;
                if (cs[c].req < 0) {
                    fail(&tally, "?", "a reply with no request in flight on its connection");
                    th_wire_msg_destroy(&m);
                    continue;
                }
                const char *unit = units[cs[c].req];
                char what[512];
                if (!r) {
                    fail(&tally, unit, "a reply that is not an envelope");
                } else if (!r->request_id || strcmp(r->request_id, cs[c].rid) != 0) {
                    fail(&tally, unit, "a reply for another request id");
                } else if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR) {
                    const Tonghop__Error *e = r->error;
                    snprintf(what, sizeof what, "error %s field %s detail %s", th_wire_error_name(e->code),
                             e->field ? e->field : "", e->detail ? e->detail : "");
                    fail(&tally, unit, what);
                } else if (r->body_case != TONGHOP__ENVELOPE__BODY_ACK) {
                    snprintf(what, sizeof what, "reply body %d, not an Ack", (int)r->body_case);
                    fail(&tally, unit, what);
                } else if (r->ack->outcome != TONGHOP__ACK__OUTCOME__STORED) {
                    snprintf(what, sizeof what, "Ack outcome %d, not STORED", (int)r->ack->outcome);
                    fail(&tally, unit, what);
                } else if (!r->ack->submission_id || strcmp(r->ack->submission_id, cs[c].sid) != 0) {
                    fail(&tally, unit, "Ack for another submission id");
                } else if (r->ack->stored_values != nind) {
                    snprintf(what, sizeof what, "Ack stored %u values of %zu", r->ack->stored_values, nind);
                    fail(&tally, unit, what);
                } else {
                    stored_values += r->ack->stored_values;
                }
                lat[nlat++] = t - cs[c].sent_at;
                th_wire_msg_destroy(&m);
                cs[c].req = -1;
                done++;
                if (b.next < n) send_next(&b, &cs[c]);
            }
        }
    }
    double total = now_s() - t0;
    double cpu1 = own_cpu_s();
    unsigned long long srv1 = proc_cpu_ticks(server_pid), pg1 = cluster_cpu_ticks(pg_pid);
    machine_cpu m1 = read_machine_cpu();
    if (timed_out) {
        long in_flight = 0;
        for (int c = 0; c < nconns; c++)
            in_flight += cs[c].req >= 0;
        fprintf(stderr,
                "th_burst: FAILED: no reply for %ld ms with %ld request(s) in flight; %zu of %zu answered\n",
                timeout_ms, in_flight, done, n);
        tally.failures += (long)(n - done);
    }
    /* The numbers sent, for the COPY baseline: written after the burst, so
     * that the burst's time holds no file writing. */
    for (size_t u = 0; vout && u < n; u++)
        for (size_t k = 0; k < nind; k++) {
            int64_t num, den;
            value_of(u, k, quarter, &num, &den);
            fprintf(vout, "%s\t%s\t%d\t%d\t%lld\t%lld\n", units[u], inds[k], year, quarter, (long long)num,
                    (long long)den);
        }
    if (vout && fclose(vout) != 0) die("writing --values-out failed");

    qsort(lat, nlat, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < nlat; i++)
        sum += lat[i];
    double hz = (double)sysconf(_SC_CLK_TCK);
    double mt = (double)(m1.total - m0.total);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("period             %s\n", period);
    printf("connections        %d\n", nconns);
    printf("submissions        %zu\n", n);
    printf("values             %zu\n", n * nind);
    printf("values_per_sub     %zu\n", nind);
    printf("answered           %zu\n", done);
    printf("stored_values      %ld\n", stored_values);
    printf("failures           %ld\n", tally.failures);
    printf("seconds            %.3f\n", total);
    printf("submissions_per_s  %.1f\n", (double)done / total);
    printf("values_per_s       %.0f\n", (double)stored_values / total);
    printf("ack_p50_ms         %.2f\n", pct(lat, nlat, 50) * 1e3);
    printf("ack_p99_ms         %.2f\n", pct(lat, nlat, 99) * 1e3);
    printf("ack_max_ms         %.2f\n", nlat ? lat[nlat - 1] * 1e3 : NAN);
    printf("ack_mean_ms        %.2f\n", nlat ? sum / (double)nlat * 1e3 : NAN);
    printf("client_peak_rss_kb %ld\n", peak_rss_kb());
    printf("client_cpu_s       %.2f\n", cpu1 - cpu0);
    if (server_pid) printf("server_cpu_s       %.2f\n", (double)(srv1 - srv0) / hz);
    if (pg_pid) printf("postgres_cpu_s     %.2f\n", (double)(pg1 - pg0) / hz);
    if (mt > 0) {
        printf("machine_cpus       %ld\n", ncpu);
        double busy = (double)(m1.busy - m0.busy) / hz;
        printf("machine_busy_cpu_s %.2f\n", busy);
        /* What other processes of the machine used meanwhile: a benchmark
         * on a shared machine must say so. */
        if (server_pid && pg_pid)
            printf("others_cpu_s       %.2f\n",
                   busy - (double)(srv1 - srv0) / hz - (double)(pg1 - pg0) / hz - (cpu1 - cpu0));
        printf("machine_busy_pct   %.1f\n", 100.0 * (double)(m1.busy - m0.busy) / mt);
        printf("machine_iowait_pct %.1f\n", 100.0 * (double)(m1.iowait - m0.iowait) / mt);
    }
    if (tally.failures)
        fprintf(stderr,
                "th_burst: ************ %ld FAILURE(S): %zu submission(s), %ld value(s) stored of %zu "
                "************\n",
                tally.failures, n, stored_values, n * nind);
    for (int c = 0; c < nconns; c++)
        zmq_close(cs[c].sock);
    zmq_ctx_term(ctx);
    free(units);
    free(lat);
    free(cs);
    free(items);
    free(v);
    free(vp);
    free(ind_copy);
    return tally.failures ? 1 : 0;
}

/* -------------------------------------------------------------------- copy */

static PGconn *connect_db(const char *dsn)
{
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "th_burst: cannot connect: %s", PQerrorMessage(c));
        exit(2);
    }
    return c;
}

static int cmd_copy(int argc, char **argv)
{
    const char *dsn = NULL, *table = NULL, *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--db"))
            dsn = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--table"))
            table = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--file"))
            file = arg_value(&i, argc, argv);
        else {
            fprintf(stderr, "th_burst copy: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!dsn || !table || !file) die("copy needs --db, --table and --file");
    PGconn *c = connect_db(dsn);
    int fd = open(file, O_RDONLY);
    if (fd < 0) die("cannot open --file");
    char sql[256];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
    static char buf[1 << 16];
    double t0 = now_s();
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fprintf(stderr, "th_burst: COPY failed: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(r);
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0)
        if (PQputCopyData(c, buf, (int)got) != 1) die("PQputCopyData failed");
    if (got < 0) die("reading --file failed");
    if (PQputCopyEnd(c, NULL) != 1) die("PQputCopyEnd failed");
    int ok = 1;
    char rows[32] = "0";
    while ((r = PQgetResult(c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "th_burst: COPY failed: %s", PQresultErrorMessage(r));
            ok = 0;
        } else {
            snprintf(rows, sizeof rows, "%s", PQcmdTuples(r));
        }
        PQclear(r);
    }
    double total = now_s() - t0;
    close(fd);
    PQfinish(c);
    printf("copy_rows          %s\n", rows);
    printf("copy_seconds       %.3f\n", total);
    printf("copy_rows_per_s    %.0f\n", atof(rows) / total);
    return ok ? 0 : 1;
}

/* ----------------------------------------------------------------- sqltime */

static int cmd_sqltime(int argc, char **argv)
{
    const char *dsn = NULL, *sql = NULL;
    int warmup = 1, runs = 5;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--db"))
            dsn = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--warmup"))
            warmup = atoi(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(arg_value(&i, argc, argv));
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "th_burst sqltime: unknown option %s\n", argv[i]);
            return 2;
        } else
            sql = argv[i];
    }
    if (!dsn || !sql || runs < 1 || runs > 1000) die("sqltime needs --db and SQL (and 1-1000 runs)");
    PGconn *c = connect_db(dsn);
    double *t = calloc((size_t)runs, sizeof *t), first = NAN;
    for (int i = -warmup; i < runs; i++) {
        double t0 = now_s();
        PGresult *r = PQexec(c, sql);
        double dt = (now_s() - t0) * 1e3;
        if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "th_burst: FAILED: %s", PQresultErrorMessage(r));
            return 1;
        }
        PQclear(r);
        if (i >= 0) {
            if (i == 0) first = dt;
            t[i] = dt;
        }
    }
    PQfinish(c);
    double med = median(t, (size_t)runs);
    printf("sql_runs           %d\n", runs);
    printf("sql_first_ms       %.2f\n", first);
    printf("sql_median_ms      %.2f\n", med);
    printf("sql_min_ms         %.2f\n", t[0]);
    printf("sql_max_ms         %.2f\n", t[runs - 1]);
    free(t);
    return 0;
}

/* ------------------------------------------------------------------- sqlab */

/* One statement's time on c, in ms; exits on failure. */
static double sql_once(PGconn *c, const char *sql)
{
    double t0 = now_s();
    PGresult *r = PQexec(c, sql);
    double dt = (now_s() - t0) * 1e3;
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "th_burst: FAILED: %s", PQresultErrorMessage(r));
        exit(1);
    }
    PQclear(r);
    return dt;
}

static int cmd_sqlab(int argc, char **argv)
{
    const char *dsn_a = NULL, *dsn_b = NULL;
    int warmup = 3, runs = 40, nsql = 0;
    const char **sqls = calloc((size_t)argc + 1, sizeof *sqls);
    if (!sqls) die("out of memory");
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--db"))
            dsn_a = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--db-b"))
            dsn_b = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--warmup"))
            warmup = atoi(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(arg_value(&i, argc, argv));
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "th_burst sqlab: unknown option %s\n", argv[i]);
            free(sqls);
            return 2;
        } else
            sqls[nsql++] = argv[i];
    }
    int pairs = dsn_b == NULL; /* one connection, the statements in pairs */
    if (!dsn_a || nsql == 0 || (pairs && nsql % 2) || runs < 1 || runs > 10000 || warmup < 0)
        die("sqlab needs --db and --db-b and SQL, or --db and SQL in pairs (and 1-10000 runs)");
    PGconn *c[2] = {connect_db(dsn_a), NULL};
    c[1] = pairs ? c[0] : connect_db(dsn_b);
    double *t[2] = {calloc((size_t)runs, sizeof(double)), calloc((size_t)runs, sizeof(double))};
    if (!t[0] || !t[1]) die("out of memory");
    for (int k = 0; k < nsql; k += pairs ? 2 : 1) {
        const char *sql[2] = {sqls[k], sqls[pairs ? k + 1 : k]};
        for (int i = 0; i < warmup; i++) {
            sql_once(c[0], sql[0]);
            sql_once(c[1], sql[1]);
        }
        for (int i = 0; i < runs; i++) {
            int first = i & 1;
            t[first][i] = sql_once(c[first], sql[first]);
            t[!first][i] = sql_once(c[!first], sql[!first]);
        }
        double med_a = median(t[0], (size_t)runs), med_b = median(t[1], (size_t)runs);
        if (pairs)
            printf("sqlab %d: A %s\n          B %s\n", k / 2 + 1, sql[0], sql[1]);
        else
            printf("sqlab %d: %s\n", k + 1, sqls[k]);
        printf("  a_min_ms %.2f a_median_ms %.2f b_min_ms %.2f b_median_ms %.2f b_over_a %.3f\n", t[0][0],
               med_a, t[1][0], med_b, med_b / med_a);
    }
    PQfinish(c[0]);
    if (!pairs) PQfinish(c[1]);
    free(t[0]);
    free(t[1]);
    free(sqls);
    return 0;
}

/* --------------------------------------------------------------------- run */

typedef struct {
    PGconn *db;
    const char *role;
} pgss_probe;

/* Calls and total execution time (ms) of the server's th_report statements
 * so far (pg_stat_statements records a statement when it ends; one that
 * failed or was cancelled is not recorded). */
static void pgss_read(pgss_probe *p, double *calls, double *total_ms)
{
    *calls = *total_ms = NAN;
    if (!p->db) return;
    const char *params[] = {p->role};
    PGresult *r = PQexecParams(p->db,
                               "SELECT coalesce(sum(s.calls), 0), coalesce(sum(s.total_exec_time), 0)"
                               "  FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid"
                               " WHERE r.rolname = $1 AND s.query LIKE 'SELECT th_report_text(%'",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *calls = atof(PQgetvalue(r, 0, 0));
        *total_ms = atof(PQgetvalue(r, 0, 1));
    } else {
        fprintf(stderr, "th_burst: no server times (pg_stat_statements: %s)", PQresultErrorMessage(r));
        PQfinish(p->db);
        p->db = NULL;
    }
    PQclear(r);
}

/* The server answers UNAVAILABLE once --db-timeout has passed and drops its
 * database connection, but PostgreSQL goes on running the statement to its
 * end (client_connection_check_interval is 0 by default). Cancels such
 * runaway reports of the role, so they do not weigh on what comes next. */
static long cancel_runaway(PGconn *db, const char *role)
{
    if (!db) return 0;
    const char *params[] = {role};
    PGresult *r =
        PQexecParams(db,
                     "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity"
                     " WHERE usename = $1 AND state = 'active' AND query LIKE 'SELECT th_report_text(%'",
                     1, NULL, params, NULL, NULL, 0);
    long n = PQresultStatus(r) == PGRES_TUPLES_OK ? atol(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (n) fprintf(stderr, "th_burst: cancelled %ld runaway report(s) still running in PostgreSQL\n", n);
    return n;
}

enum { RUN_OK, RUN_UNAVAILABLE, RUN_FAILED };
static const char *const run_status_name[] = {"ok", "unavailable", "failed"};

static int cmd_run(int argc, char **argv)
{
    const char *until = NULL, *output = NULL, *dsn = NULL, *role = NULL;
    int warmup = 0, runs = 1, unavailable_ok = 0, done_status = 0, i;
    for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--warmup"))
            warmup = atoi(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(arg_value(&i, argc, argv));
        else if (!strcmp(argv[i], "--until"))
            until = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--output"))
            output = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--db"))
            dsn = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--role"))
            role = arg_value(&i, argc, argv);
        else if (!strcmp(argv[i], "--unavailable-ok"))
            unavailable_ok = 1;
        else if (!strcmp(argv[i], "--status"))
            done_status = atoi(arg_value(&i, argc, argv));
        else {
            fprintf(stderr, "th_burst run: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i + 1 >= argc) die("run needs -- COMMAND");
    char **cmd = argv + i + 1;
    if (runs < 1 || runs > 100000) die("--runs: 1 to 100000");
    pgss_probe probe = {NULL, role};
    PGconn *admin = NULL;
    if (dsn && role) {
        probe.db = connect_db(dsn);
        admin = connect_db(dsn);
    }
    size_t cap = until ? 1024 : (size_t)runs;
    double *e2e = calloc(cap, sizeof *e2e), *srv = calloc(cap, sizeof *srv);
    double e2e_first = NAN, srv_first = NAN;
    int first_status = -1;
    long rss_max = 0, failures = 0, unavailable = 0, cancelled = 0;
    size_t n = 0, nsrv = 0, measured = 0;
    double c0, t0;
    pgss_read(&probe, &c0, &t0);
    double loop_start = now_s();
    for (int k = -warmup;; k++) {
        if (until) {
            if (access(until, F_OK) == 0) break;
        } else if (k >= runs) {
            break;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, output ? output : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        pid_t pid;
        double s = now_s();
        int rc = posix_spawnp(&pid, cmd[0], &fa, NULL, cmd, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            fprintf(stderr, "th_burst: cannot run %s: %s\n", cmd[0], strerror(rc));
            return 2;
        }
        int wst;
        struct rusage ru;
        while (wait4(pid, &wst, 0, &ru) < 0)
            if (errno != EINTR) die("wait4 failed");
        double dt = (now_s() - s) * 1e3;
        double c1, t1;
        pgss_read(&probe, &c1, &t1);
        double server_ms = (c1 - c0 >= 1) ? (t1 - t0) / (c1 - c0) : NAN;
        c0 = c1;
        t0 = t1;
        int code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
        /* Exit 5: the server answered "try again later" (its --db-timeout). */
        int st = code == done_status ? RUN_OK : (code == 5 && unavailable_ok) ? RUN_UNAVAILABLE : RUN_FAILED;
        if (st != RUN_OK) {
            if (st == RUN_FAILED) {
                failures++;
                fprintf(stderr, "th_burst: FAILED: %s exited with status %d\n", cmd[0], code);
            } else {
                unavailable++;
                fprintf(stderr, "th_burst: %s: UNAVAILABLE after %.0f ms (the server's --db-timeout)\n",
                        cmd[0], dt);
            }
            cancelled += cancel_runaway(admin, role);
            /* The cancelled statement is not in pg_stat_statements. */
            pgss_read(&probe, &c0, &t0);
        }
        if (ru.ru_maxrss > rss_max) rss_max = ru.ru_maxrss;
        if (k < 0) continue;
        if (measured++ == 0) {
            first_status = st;
            e2e_first = dt;
            srv_first = st == RUN_OK ? server_ms : NAN;
        }
        if (st != RUN_OK) continue;
        if (n == cap) {
            cap *= 2;
            e2e = realloc(e2e, cap * sizeof *e2e);
            srv = realloc(srv, cap * sizeof *srv);
        }
        e2e[n++] = dt;
        if (!isnan(server_ms)) srv[nsrv++] = server_ms;
    }
    double loop_s = now_s() - loop_start;
    double med = median(e2e, n), smed = median(srv, nsrv);
    printf("runs               %zu\n", n);
    printf("unavailable        %ld\n", unavailable);
    printf("failures           %ld\n", failures);
    printf("runaway_cancelled  %ld\n", cancelled);
    printf("loop_seconds       %.3f\n", loop_s);
    printf("first_status       %s\n", first_status < 0 ? "none" : run_status_name[first_status]);
    printf("e2e_first_ms       %.2f\n", e2e_first);
    printf("e2e_median_ms      %.2f\n", med);
    printf("e2e_min_ms         %.2f\n", n ? e2e[0] : NAN);
    printf("e2e_p99_ms         %.2f\n", pct(e2e, n, 99));
    printf("e2e_max_ms         %.2f\n", n ? e2e[n - 1] : NAN);
    printf("server_first_ms    %.2f\n", srv_first);
    printf("server_median_ms   %.2f\n", smed);
    printf("server_min_ms      %.2f\n", nsrv ? srv[0] : NAN);
    printf("server_max_ms      %.2f\n", nsrv ? srv[nsrv - 1] : NAN);
    printf("child_peak_rss_kb  %ld\n", rss_max);
    if (probe.db) PQfinish(probe.db);
    if (admin) PQfinish(admin);
    free(e2e);
    free(srv);
    if (failures) fprintf(stderr, "th_burst: ************ %ld RUN(S) FAILED ************\n", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: th_burst submit|copy|sqltime|sqlab|run OPTIONS (see the top of bench/th_burst.c)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(argv[1], "submit")) return cmd_submit(argc - 2, argv + 2);
    if (!strcmp(argv[1], "copy")) return cmd_copy(argc - 2, argv + 2);
    if (!strcmp(argv[1], "sqltime")) return cmd_sqltime(argc - 2, argv + 2);
    if (!strcmp(argv[1], "sqlab")) return cmd_sqlab(argc - 2, argv + 2);
    if (!strcmp(argv[1], "run")) return cmd_run(argc - 2, argv + 2);
    fprintf(stderr, "th_burst: unknown command %s\n", argv[1]);
    return 2;
}
