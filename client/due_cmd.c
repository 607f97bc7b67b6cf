/* due_cmd.c -- what is due for a unit and below it (DueQuery). */
#include "due_cmd.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "doc_request.h"
#include "i18n.h"
#include "period.h"
#include "report_format.h"
#include "request.h"

static const char *due_level_name(const char *level)
{
    if (!level) return "";
    if (!strcmp(level, "commune")) return _("commune");
    if (!strcmp(level, "district")) return _("district");
    if (!strcmp(level, "department")) return _("provincial department");
    if (!strcmp(level, "province")) return _("province");
    return level;
}

/* "3 days 4 hours" (or hours and minutes when under a day). */
static char *due_span(long long seconds, char *buf, size_t size)
{
    if (seconds < 0) seconds = -seconds;
    long long days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60;
    if (days > 0)
        snprintf(buf, size, _("%lld day(s) %lld hour(s)"), days, hours);
    else
        snprintf(buf, size, _("%lld hour(s) %lld minute(s)"), hours, minutes);
    return buf;
}

/* "2025-12-16T00:00:00+07:00" as "16/12/2025 00:00" (already Vietnam time). */
static const char *due_vn_time(const char *iso, char *buf, size_t size)
{
    int y, mo, d, h, mi;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5) return iso ? iso : "";
    snprintf(buf, size, "%02d/%02d/%04d %02d:%02d", d, mo, y, h, mi);
    return buf;
}

static void due_units(json_object *list, int with_time)
{
    char tb[32];
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *u = json_object_array_get_idx(list, i);
        if (with_time)
            printf(_("    %-6s %s, received %s\n"), th_report_str(u, "code"), th_report_str(u, "name"),
                   due_vn_time(th_report_str(u, "received_at"), tb, sizeof tb));
        else
            printf("    %-6s %s\n", th_report_str(u, "code"), th_report_str(u, "name"));
    }
}

static void due_item(size_t n, json_object *it)
{
    char db[32], sb[64];
    json_object *plan = th_report_get(it, "plan"), *dl = th_report_get(it, "deadline");
    printf("\n%zu. %s — %s\n", n, th_report_str(plan, "code"), th_report_str(plan, "title"));
    if (!dl) {
        printf("   %s\n", _("No deadline set for this period."));
    } else {
        long long left = th_report_int(it, "seconds_left");
        printf(_("   Deadline: %s (%s level) — "),
               th_report_vn_date(th_report_str(dl, "date"), db, sizeof db),
               due_level_name(th_report_str(dl, "level")));
        if (left > 0)
            printf(_("%s left\n"), due_span(left, sb, sizeof sb));
        else
            printf(_("OVERDUE by %s\n"), due_span(left, sb, sizeof sb));
    }
    printf(_("   Reported: %lld of %lld (%s level)\n"), th_report_int(it, "reported"),
           th_report_int(it, "expected"), due_level_name(th_report_str(it, "level")));
    json_object *missing = th_report_get(it, "missing"), *late = th_report_get(it, "late");
    if (missing && json_object_array_length(missing)) {
        printf(_("   Not reported (%zu):\n"), json_object_array_length(missing));
        due_units(missing, 0);
    }
    if (late && json_object_array_length(late)) {
        printf(_("   Reported late (%zu):\n"), json_object_array_length(late));
        due_units(late, 1);
    }
}

/* What is due in words: a header, then each plan, most urgent first. */
static void due_print(json_object *doc)
{
    json_object *u = th_report_get(doc, "unit"), *items = th_report_get(doc, "items");
    char nb[32];
    printf(_("Due for %s (%s) and below, period %s — as of %s (Vietnam time)\n"), th_report_str(u, "name"),
           th_report_str(u, "code"), th_report_str(doc, "period"),
           due_vn_time(th_report_str(doc, "now"), nb, sizeof nb));
    size_t n = items && json_object_is_type(items, json_type_array) ? json_object_array_length(items) : 0;
    if (n == 0) printf("%s\n", _("No plan in force covers this unit for the period."));
    for (size_t i = 0; i < n; i++)
        due_item(i + 1, json_object_array_get_idx(items, i));
}

static const char *due_text(const th_envelope *reply) { return reply->due_reply->due_json; }

int th_due_cmd_run(th_transport *t, const char *unit, const char *plan, const char *period, int as_json)
{
    th_period p;
    if (period && th_period_parse(period, &p) != 0) {
        fprintf(stderr, _("tonghop: --period %s: a period is a year (2025) or a quarter (2025Q3)\n"), period);
        return TH_EXIT_USAGE;
    }
    Tonghop__DueQuery q = TONGHOP__DUE_QUERY__INIT;
    q.unit_code = (char *)unit;
    q.plan_code = (char *)plan;
    q.period = (char *)period;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_DUE_QUERY;
    env.due_query = &q;
    return th_doc_request_run(t, &env, TONGHOP__ENVELOPE__BODY_DUE_REPLY, _("due"), due_text, as_json,
                              due_print);
}
