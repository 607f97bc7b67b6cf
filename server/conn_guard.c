/* conn_guard.c -- connections counted against the descriptor limit (see
 * conn_guard.h for why).
 *
 * What libzmq 4.3.4 does, read in its sources: the listener emits ACCEPTED
 * for every connection it accepts; the connection's engine emits
 * DISCONNECTED whenever it fails (a handshake refused or timed out, a CURVE
 * key refused, a peer gone, an oversized message), so every accepted
 * connection ends with one DISCONNECTED, except when the socket itself is
 * closed or its endpoint unbound (libzmq then closes the connections
 * silently: the endpoint owns them). On EMFILE the listener emits
 * ACCEPT_FAILED and returns, and the waiting connection makes it try again
 * at once: it spins until a descriptor frees up. The monitor sends its
 * events blocking, from libzmq's I/O thread: they must be read promptly.
 *
 * Stopping: a socket filter that drops every packet is attached to the
 * listening socket. The kernel runs a listener's filter on connection
 * requests only (an accepted connection's packets go to its own socket), so
 * the connections open keep working, and a client's dropped SYN is sent
 * again by its kernel until we take connections again. What already waits
 * in the listener's queue (TH_GUARD_BACKLOG at most) is accepted all the
 * same: the reserve has room for it. Should accept() fail all the same
 * (descriptors taken by something else), the guard stops too, and accepts
 * and closes what waits itself, with a descriptor it keeps for that, so
 * that libzmq's listener has nothing left to spin on. */
#include "conn_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#ifdef __linux__
#include <linux/filter.h>
#endif

#include "i18n.h"
#include "log.h"

/* Descriptors kept beside the ones open at start and the backlog: database
 * reconnections (a new socket before the old one is gone), name lookups,
 * the endpoint file; and 4 a database thread for what it may open at once. */
#define TH_GUARD_MARGIN 64
#define TH_GUARD_PER_THREAD 4
/* Events read per call, so that a flood of them cannot hold the front. */
#define TH_GUARD_EVENTS_MAX 4096
/* The monitor's queue to us: large, so that libzmq's I/O thread (which
 * sends blocking) is not held up by a busy front; bounded, so that a spinning
 * listener's ACCEPT_FAILED events cannot pile up without end. */
#define TH_GUARD_EVENTS_HWM 20000
/* Stop, too, when fewer descriptors than this are left, whatever took
 * them (the connections still waiting must fit); measured at most every
 * TH_GUARD_MEASURE_MS, once half the limit is reached. */
#define TH_GUARD_LOW (TH_GUARD_BACKLOG + TH_GUARD_MARGIN / 2)
#define TH_GUARD_MEASURE_MS 100
/* Stopped for want of descriptors: look again this often. */
#define TH_GUARD_RETRY_MS 10000

struct th_guard {
    void *sock;                /* the ROUTER monitored */
    void *pair;                /* our end of its monitor */
    char endpoint[256];        /* the listening endpoint, resolved */
    int listen_fd;             /* its listening socket, or -1 when not found */
    int spare;                 /* a descriptor kept to accept (and close) with at EMFILE */
    unsigned long long nofile; /* the soft RLIMIT_NOFILE */
    int limit;                 /* most connections before refusing new ones */
    int resume;                /* 90% of it */
    int open;                  /* connections open now */
    int refusing;              /* new connections refused now... */
    int resume_below;          /* ...until fewer are open than this */
    int64_t retry_ms;          /* ...or, stopped for want of descriptors, until then (else 0) */
    int64_t measure_ms;        /* when the descriptors left may be counted again */
    int warned;                /* the limit reached where we cannot stop: said once */
    int threads;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The descriptors open now. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int n = 0;
        while (readdir(d))
            n++;
        closedir(d);
        return n - 3; /* ".", ".." and the directory's own */
    }
    struct rlimit rl;
    int n = 0, max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
    for (int fd = 0; fd < max; fd++)
        if (fcntl(fd, F_GETFD) != -1) n++;
    return n;
}

/* Raises the soft descriptor limit as far as the hard one allows; returns
 * the soft limit now. */
static unsigned long long raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
    rlim_t was = rl.rlim_cur;
    /* An infinite hard limit is still capped by the kernel (fs.nr_open):
     * try it, then smaller figures. */
    const rlim_t tries[] = {rl.rlim_max, 1048576, 65536, 16384, 4096};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0] && rl.rlim_cur < tries[i]; i++) {
        if (tries[i] > rl.rlim_max) continue;
        struct rlimit want = {tries[i], rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
            rl.rlim_cur = tries[i];
            break;
        }
    }
    if (rl.rlim_cur != was)
        th_info(_("file descriptors: the limit raised from %llu to %llu (ulimit -n)"),
                (unsigned long long)was, (unsigned long long)rl.rlim_cur);
    return rl.rlim_cur == RLIM_INFINITY ? 1048576 : (unsigned long long)rl.rlim_cur;
}

/* The port of a resolved tcp:// endpoint ("tcp://127.0.0.1:5570",
 * "tcp://[::1]:5570"), or -1. */
static int endpoint_port(const char *ep)
{
    if (strncmp(ep, "tcp://", 6) != 0) return -1;
    const char *colon = strrchr(ep, ':');
    if (!colon || colon < ep + 6) return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == '\0' && port > 0 && port < 65536 ? (int)port : -1;
}

/* The descriptor of the listening TCP socket on port: libzmq does not say
 * it, so look among ours for the one that listens there. Returns -1 unless
 * exactly one does. */
static int find_listener(int port)
{
    int found = -1, n = 0, max = 65536;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max) max = (int)rl.rlim_cur;
    /* Right after binding, the listener is among the low descriptors: stop
     * looking once a long run of them is closed. */
    for (int fd = 0, gap = 0; fd < max && gap < 1024; fd++) {
        int on = 0;
        socklen_t len = sizeof on;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0) {
            gap = errno == EBADF ? gap + 1 : 0;
            continue;
        }
        gap = 0;
        if (!on) continue;
        struct sockaddr_storage ss;
        len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) continue;
        int p = ss.ss_family == AF_INET    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                           : -1;
        if (p == port) {
            found = fd;
            n++;
        }
    }
    return n == 1 ? found : -1;
}

/* Makes the listening socket drop (on) or let through (off) connection
 * requests. Returns 0, or -1 with errno. */
static int set_dropping(int fd, int on)
{
#if defined(__linux__) && defined(SO_ATTACH_FILTER)
    if (on) {
        struct sock_filter drop[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
        struct sock_fprog prog = {.len = 1, .filter = drop};
        return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
    }
    int zero = 0;
    return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof zero);
#else
    (void)fd;
    (void)on;
    errno = ENOTSUP;
    return -1;
#endif
}

static int open_spare(void) { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

/* Accepts and closes what waits on the listener, so that libzmq's listener
 * stops spinning at EMFILE: our spare descriptor makes room for accept().
 * What libzmq takes first instead is a connection like any other. */
static void drain(th_guard *g)
{
    int n = 0, fd;
    if (g->listen_fd < 0) return;
    if (g->spare >= 0) close(g->spare);
    while ((fd = accept(g->listen_fd, NULL, NULL)) >= 0) {
        close(fd);
        n++;
    }
    g->spare = open_spare();
    if (n) th_debug("connection guard: %d waiting connection(s) closed unaccepted", n);
}

th_guard *th_guard_new(void *ctx, void *sock, int threads, char *err, size_t errlen)
{
    th_guard *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->sock = sock;
    g->listen_fd = -1;
    g->threads = threads;
    g->nofile = raise_nofile();
    g->spare = open_spare();
    int backlog = TH_GUARD_BACKLOG, hwm = TH_GUARD_EVENTS_HWM;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://tonghopd-monitor-%p", (void *)g);
    zmq_setsockopt(sock, ZMQ_BACKLOG, &backlog, sizeof backlog);
    /* These three only. libzmq emits them where nothing reads errno after,
     * but not so the HANDSHAKE_FAILED_* ones: sending such an event leaves
     * errno EAGAIN where a CURVE message that fails to decrypt set EPROTO,
     * and the connection is then stalled instead of closed. */
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED;
    if (zmq_socket_monitor(sock, ep, events) != 0 || !(g->pair = zmq_socket(ctx, ZMQ_PAIR)) ||
        zmq_setsockopt(g->pair, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 || zmq_connect(g->pair, ep) != 0) {
        snprintf(err, errlen, "zmq monitor: %s", zmq_strerror(errno));
        th_guard_destroy(&g);
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt(g->pair, ZMQ_LINGER, &zero, sizeof zero);
    return g;
}

void th_guard_bound(th_guard *g)
{
    size_t len = sizeof g->endpoint;
    if (zmq_getsockopt(g->sock, ZMQ_LAST_ENDPOINT, g->endpoint, &len) != 0) g->endpoint[0] = '\0';
    int port = endpoint_port(g->endpoint);
    if (port > 0) g->listen_fd = find_listener(port);
    /* We accept on it too, to drain it: we and libzmq's I/O thread may race
     * for a connection, and the loser must get EAGAIN (which libzmq takes
     * in its stride), not wait for the next one. */
    int fl = g->listen_fd >= 0 ? fcntl(g->listen_fd, F_GETFL) : -1;
    if (fl == -1 || fcntl(g->listen_fd, F_SETFL, fl | O_NONBLOCK) == -1) g->listen_fd = -1;
#if !defined(__linux__) || !defined(SO_ATTACH_FILTER)
    g->listen_fd = -1; /* no way to stop it */
#endif
    int own = count_fds();
    long reserve = own + TH_GUARD_BACKLOG + TH_GUARD_MARGIN + TH_GUARD_PER_THREAD * (long)g->threads;
    long limit = (long)(g->nofile > 1048576 ? 1048576 : g->nofile) - reserve;
    g->limit = limit < 1 ? 1 : (int)limit;
    g->resume = g->limit - g->limit / 10;
    th_info(_("up to %d client connections (ulimit -n %llu; %ld descriptors kept for the server itself, "
              "%d of them open now)"),
            g->limit, g->nofile, reserve, own);
    if (g->listen_fd < 0 && strncmp(g->endpoint, "inproc://", 9) != 0)
        th_warn(_("%s: at the limit of %d connections new ones cannot be refused cleanly (only on a tcp:// "
                  "endpoint, on Linux)"),
                g->endpoint, g->limit);
}

void *th_guard_socket(th_guard *g) { return g->pair; }

int th_guard_connections(const th_guard *g) { return g->open; }

/* Reads one event; returns 1 when read, 0 when none waits. */
static int next_event(th_guard *g, uint16_t *event, uint32_t *value)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, g->pair, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return 0;
    }
    /* The first frame: the event (16 bits) and its value (32 bits). */
    *event = 0;
    *value = 0;
    if (zmq_msg_size(&m) >= 6) {
        memcpy(event, zmq_msg_data(&m), 2);
        memcpy(value, (char *)zmq_msg_data(&m) + 2, 4);
    }
    int more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    /* The second: the endpoint (not needed). A message's frames arrive
     * together, so these never wait. */
    while (more) {
        zmq_msg_init(&m);
        more = zmq_msg_recv(&m, g->pair, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    return 1;
}

/* The descriptors that may still be opened. */
static long fds_left(const th_guard *g) { return (long)g->nofile - count_fds(); }

/* Stops taking new connections: at the limit (left < 0), or for want of
 * descriptors (left of them, failed_errno the accept's error or 0). */
static void stop_taking(th_guard *g, long left, int failed_errno)
{
    if (set_dropping(g->listen_fd, 1) != 0) {
        /* Said once: from now on the limit is only logged. */
        th_error("connection guard: cannot stop listening on %s: %s", g->endpoint, strerror(errno));
        g->listen_fd = -1;
        return;
    }
    g->refusing = 1;
    if (left < 0) {
        th_warn(_("refusing new connections: %d open, the limit is %d (ulimit -n %llu)"), g->open, g->limit,
                g->nofile);
        g->resume_below = g->resume;
        g->retry_ms = 0;
        return;
    }
    /* Something else holds descriptors: what is open now is the limit. */
    if (failed_errno)
        th_warn(
            _("refusing new connections: could not accept one (%s) with %d open, the limit is %d (ulimit -n "
              "%llu)"),
            strerror(failed_errno), g->open, g->limit, g->nofile);
    else
        th_warn(_("refusing new connections: %d open, only %ld file descriptors left (ulimit -n %llu)"),
                g->open, left, g->nofile);
    g->resume_below = g->open - g->open / 10;
    g->retry_ms = now_ms() + TH_GUARD_RETRY_MS;
}

static void take_again(th_guard *g)
{
    /* (ENOENT: no filter there, which is what we want.) */
    if (set_dropping(g->listen_fd, 0) != 0 && errno != ENOENT) {
        th_error("connection guard: cannot listen again on %s: %s", g->endpoint, strerror(errno));
        g->measure_ms = now_ms() + TH_GUARD_RETRY_MS;
        return;
    }
    g->refusing = 0;
    th_info(_("accepting new connections again: %d open, the limit is %d"), g->open, g->limit);
}

int th_guard_handle(th_guard *g)
{
    uint16_t event;
    uint32_t value;
    int accepted = 0, closed = 0, failed = 0;
    for (int i = 0; i < TH_GUARD_EVENTS_MAX && next_event(g, &event, &value); i++) {
        switch (event) {
        case ZMQ_EVENT_ACCEPTED:
            g->open++;
            accepted++;
            break;
        case ZMQ_EVENT_DISCONNECTED:
            if (g->open > 0) g->open--;
            closed++;
            break;
        case ZMQ_EVENT_ACCEPT_FAILED:
            /* Out of descriptors (or kernel memory) spins; a connection
             * reset while waiting (ECONNABORTED) does not. */
            if (value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM)
                failed = (int)value;
            break;
        default: break;
        }
    }
    if (g->listen_fd < 0) {
        /* Nothing to stop: say once that the limit is reached. */
        if (!g->warned && g->open >= g->limit) {
            th_warn(_("%d connections open, the limit is %d (ulimit -n %llu): new ones may fail"), g->open,
                    g->limit, g->nofile);
            g->warned = 1;
        } else if (g->open < g->resume) {
            g->warned = 0;
        }
        return closed;
    }
    int64_t now = now_ms();
    if (!g->refusing) {
        if (failed) {
            stop_taking(g, fds_left(g), failed);
        } else if (g->open >= g->limit) {
            stop_taking(g, -1, 0);
        } else if (accepted && g->open >= g->limit / 2 && now >= g->measure_ms) {
            g->measure_ms = now + TH_GUARD_MEASURE_MS;
            long left = fds_left(g);
            if (left < TH_GUARD_LOW) stop_taking(g, left, 0);
        }
    }
    if (!g->refusing) return closed;
    /* A spinning listener waits for a descriptor: close what waits. */
    if (failed) drain(g);
    int due = g->open < g->resume_below || (g->retry_ms && now >= g->retry_ms);
    if (due && g->open < g->limit && now >= g->measure_ms) {
        g->measure_ms = now + TH_GUARD_MEASURE_MS;
        if (g->retry_ms) g->retry_ms = now + TH_GUARD_RETRY_MS;
        if (fds_left(g) >= TH_GUARD_LOW) take_again(g);
    }
    return closed;
}

void th_guard_destroy(th_guard **gp)
{
    if (!gp || !*gp) return;
    th_guard *g = *gp;
    /* Stop the events before closing our end: libzmq would block sending
     * one to a monitor nobody reads. */
    if (g->sock) zmq_socket_monitor(g->sock, NULL, 0);
    if (g->pair) zmq_close(g->pair);
    if (g->spare >= 0) close(g->spare);
    free(g);
    *gp = NULL;
}
