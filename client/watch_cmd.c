/* watch_cmd.c -- subscribing to the server's notifications and printing
 * them in the user's language. */
#include "watch_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "i18n.h"
#include "report_format.h"
#include "request.h"
#include "status_cmd.h"
#include "wire.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line per notification: when, who, what. */
static void print_one(const Tonghop__Notification *n)
{
    char when[32], d[16];
    const char *unit = n->unit_code ? n->unit_code : "", *name = n->unit_name ? n->unit_name : "";
    const char *period = n->period ? n->period : "", *plan = n->plan_code ? n->plan_code : "";
    printf("[%s] %s %s: ", th_vn_time(n->at, when, sizeof when), unit, name);
    switch (n->kind) {
    case TONGHOP__NOTIFICATION__KIND__SUBMISSION_STORED:
        printf(_("results received for %s (plan %s)"), period, *plan ? plan : "-");
        break;
    case TONGHOP__NOTIFICATION__KIND__SUBMISSION_LATE:
        printf(_("results received for %s (plan %s), late: the deadline was %s"), period, plan,
               th_report_vn_date(n->deadline ? n->deadline : "", d, sizeof d));
        break;
    case TONGHOP__NOTIFICATION__KIND__PERIOD_APPROVED:
        printf(_("approved %s of plan %s: its results are locked"), period, plan);
        break;
    case TONGHOP__NOTIFICATION__KIND__PERIOD_REOPENED:
        printf(_("reopened %s of plan %s: %s"), period, plan, n->detail ? n->detail : "");
        break;
    case TONGHOP__NOTIFICATION__KIND__DEADLINE_NEAR:
        printf(_("has not reported %s of plan %s: %u day(s) left (deadline %s)"), period, plan, n->days,
               th_report_vn_date(n->deadline ? n->deadline : "", d, sizeof d));
        break;
    case TONGHOP__NOTIFICATION__KIND__DEADLINE_MISSED:
        printf(_("has not reported %s of plan %s: the deadline %s has passed"), period, plan,
               th_report_vn_date(n->deadline ? n->deadline : "", d, sizeof d));
        break;
    case TONGHOP__NOTIFICATION__KIND__PLAN_PUBLISHED:
        printf(_("published plan %s (revision %s)"), plan, n->detail ? n->detail : "");
        break;
    default: printf(_("something happened (a newer server?)")); break;
    }
    printf("\n");
    fflush(stdout);
}

int th_watch_cmd_run(const th_transport_config *tc, const th_watch_args *a)
{
    void *ctx = zmq_ctx_new();
    void *sub = ctx ? zmq_socket(ctx, ZMQ_SUB) : NULL;
    int rc = TH_EXIT_FAILURE, zero = 0;
    if (!sub) {
        fprintf(stderr, "tonghop watch: %s\n", zmq_strerror(errno));
        goto out;
    }
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    if (tc->server_key && (zmq_setsockopt(sub, ZMQ_CURVE_SERVERKEY, tc->server_key, 40) != 0 ||
                           zmq_setsockopt(sub, ZMQ_CURVE_PUBLICKEY, tc->public_key, 40) != 0 ||
                           zmq_setsockopt(sub, ZMQ_CURVE_SECRETKEY, tc->secret_key, 40) != 0)) {
        fprintf(stderr, "tonghop watch: CURVE: %s\n", zmq_strerror(errno));
        goto out;
    }
    /* What is asked is only a wish: the server subscribes this computer to
     * its key's territory, or to the part asked when it lies inside. */
    char topic[64];
    snprintf(topic, sizeof topic, "w:%s", a->unit ? a->unit : "");
    /* Then "": on this side, let through whatever the server sends. */
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) != 0 ||
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) != 0 || zmq_connect(sub, a->endpoint) != 0) {
        fprintf(stderr, _("tonghop watch: cannot connect to %s: %s\n"), a->endpoint, zmq_strerror(errno));
        rc = TH_EXIT_USAGE;
        goto out;
    }
    printf(_("Watching %s (the territory of %s); Ctrl-C to stop.\n"), a->endpoint,
           a->unit ? a->unit : _("this computer's unit"));
    fflush(stdout);
    int64_t until = a->for_ms > 0 ? now_ms() + a->for_ms : 0;
    long seen = 0;
    rc = TH_EXIT_OK;
    while (a->count == 0 || seen < a->count) {
        long wait = 1000;
        if (until) {
            int64_t left = until - now_ms();
            if (left <= 0) break;
            if (left < wait) wait = (long)left;
        }
        zmq_pollitem_t item = {.socket = sub, .events = ZMQ_POLLIN};
        int n = zmq_poll(&item, 1, wait);
        if (n < 0) {
            if (errno == EINTR) break;
            fprintf(stderr, "tonghop watch: %s\n", zmq_strerror(errno));
            rc = TH_EXIT_FAILURE;
            break;
        }
        if (n == 0) continue;
        th_wire_msg *msg = th_wire_recv(sub); /* the topic, then the envelope */
        th_envelope *env = msg ? th_wire_msg_envelope(msg) : NULL;
        if (env && env->body_case == TONGHOP__ENVELOPE__BODY_NOTIFICATION && env->notification) {
            print_one(env->notification);
            seen++;
        }
        th_wire_msg_destroy(&msg);
    }
out:
    if (sub) zmq_close(sub);
    if (ctx) zmq_ctx_term(ctx);
    return rc;
}
