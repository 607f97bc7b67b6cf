/* metrics_http.c -- a minimal HTTP/1.0 responder for the metrics. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

static struct {
    int fd;
    int running;
    pthread_t thread;
    pthread_mutex_t lock;
    char address[128];
} h = {.fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER};

const char *th_metrics_http_address(void) { return h.address; }

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0) return;
        buf += n;
        len -= (size_t)n;
    }
}

static void respond(int fd, const char *status, const char *type, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, type, strlen(body));
    send_all(fd, head, (size_t)n);
    send_all(fd, body, strlen(body));
}

/* Reads the request line (within 2 s and 4 KiB) and answers it. */
static void serve_one(int fd)
{
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char req[4096];
    size_t len = 0;
    while (len < sizeof req - 1) {
        ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
    }
    req[len] = '\0';
    if (!strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET /metrics?", 13)) {
        char *text = th_metrics_render();
        if (text)
            respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", text);
        else
            respond(fd, "503 Service Unavailable", "text/plain", "out of memory\n");
        free(text);
    } else if (!strncmp(req, "GET /health ", 12)) {
        respond(fd, "200 OK", "text/plain", "ok\n");
    } else {
        respond(fd, "404 Not Found", "text/plain", "GET /metrics or /health\n");
    }
}

static void *http_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&h.lock);
        int running = h.running;
        pthread_mutex_unlock(&h.lock);
        if (!running) break;
        struct pollfd p = {.fd = h.fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0) continue;
        int c = accept(h.fd, NULL, NULL);
        if (c < 0) continue;
        serve_one(c);
        close(c);
    }
    return NULL;
}

int th_metrics_http_start(const char *bind_to, char *err, size_t errlen)
{
    char host[96];
    const char *colon = strrchr(bind_to, ':');
    if (!colon || colon == bind_to || (size_t)(colon - bind_to) >= sizeof host || !colon[1]) {
        snprintf(err, errlen, "--metrics-bind %s: HOST:PORT expected, e.g. 127.0.0.1:9570", bind_to);
        return -1;
    }
    memcpy(host, bind_to, (size_t)(colon - bind_to));
    host[colon - bind_to] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "--metrics-bind %s: %s", bind_to, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        snprintf(err, errlen, "--metrics-bind %s: %s", bind_to, strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char name[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, name, sizeof name);
            port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, name, sizeof name);
            port = ntohs(a->sin6_port);
        }
    }
    snprintf(h.address, sizeof h.address, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", name, port);
    h.fd = fd;
    h.running = 1;
    if (pthread_create(&h.thread, NULL, http_main, NULL) != 0) {
        h.running = 0;
        close(fd);
        h.fd = -1;
        h.address[0] = '\0';
        snprintf(err, errlen, "metrics: cannot start its thread");
        return -1;
    }
    th_info("metrics on http://%s/metrics", h.address);
    return 0;
}

void th_metrics_http_stop(void)
{
    pthread_mutex_lock(&h.lock);
    int was = h.running;
    h.running = 0;
    pthread_mutex_unlock(&h.lock);
    if (!was) return;
    pthread_join(h.thread, NULL);
    close(h.fd);
    h.fd = -1;
    h.address[0] = '\0';
}
