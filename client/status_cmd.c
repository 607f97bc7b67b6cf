/* status_cmd.c -- listing the spool. */
#include "status_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errtext.h"
#include "i18n.h"
#include "request.h"
#include "wire.h"

char *th_vn_time(long long unix_seconds, char *buf, size_t size)
{
    time_t t = (time_t)(unix_seconds + 7 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%d/%m/%Y %H:%M", &tm);
    return buf;
}

/* The spool note of a refusal ("CODE\tfield\tdetail") in words. */
static const char *why_text(const char *note, char *buf, size_t size)
{
    char code[64] = "", field[128] = "", detail[256] = "";
    const char *p = note, *tab = strchr(p, '\t');
    if (!tab) return note;
    snprintf(code, sizeof code, "%.*s", (int)(tab - p), p);
    p = tab + 1;
    tab = strchr(p, '\t');
    snprintf(field, sizeof field, "%.*s", tab ? (int)(tab - p) : (int)strlen(p), p);
    if (tab) snprintf(detail, sizeof detail, "%s", tab + 1);
    int c = th_wire_error_code(code);
    return c ? th_errtext_format(c, field, detail, buf, size) : note;
}

static void list(th_spool *s, th_spool_state state, const char *title)
{
    char **names;
    size_t n;
    if (th_spool_list(s, state, &names, &n) != 0) return;
    printf("%s (%zu)\n", title, n);
    for (size_t i = 0; i < n; i++) {
        char when[32], note[512], text[1024];
        Tonghop__Submission *sub = NULL;
        th_spool_load_status ls = th_spool_load(s, state, names[i], &sub);
        if (sub) th_vn_time(sub->created_at, when, sizeof when);
        if (!sub) {
            /* Set aside unsent (or to be, by the next sync): its contents
             * cannot be trusted, so only its name is shown. */
            th_spool_note(s, state, names[i], note, sizeof note);
            printf("  %s", names[i]);
            if (ls == TH_SPOOL_DAMAGED || !strncmp(note, "DAMAGED\t", 8))
                printf(
                    _("\n      reason: damaged spool file (its checksum does not match); nothing of it was "
                      "sent"));
            else if (ls == TH_SPOOL_CORRUPT || !strncmp(note, "CORRUPT\t", 8))
                printf(_("\n      reason: unreadable spool file; nothing of it was sent"));
            printf("\n");
            continue;
        }
        printf(_("  %s  unit %-6s %s  %zu value(s)  submission %s"), when, sub->unit_code, sub->period,
               sub->n_values, sub->submission_id);
        th_spool_note(s, state, names[i], note, sizeof note);
        if (state == TH_SPOOL_REJECTED && *note)
            printf(_("\n      reason: %s"), why_text(note, text, sizeof text));
        if (state == TH_SPOOL_DELIVERED && !strncmp(note, "duplicate", 9))
            printf(_("  (already stored earlier)"));
        printf("\n");
        tonghop__submission__free_unpacked(sub, NULL);
    }
    th_spool_names_free(names, n);
}

int th_status_cmd_run(th_spool *s)
{
    list(s, TH_SPOOL_PENDING, _("Waiting to be sent"));
    list(s, TH_SPOOL_DELIVERED, _("Delivered"));
    list(s, TH_SPOOL_REJECTED, _("Refused by the server"));
    char **names;
    size_t n = 0;
    if (th_spool_list(s, TH_SPOOL_PENDING, &names, &n) == 0) th_spool_names_free(names, n);
    return n ? TH_EXIT_UNREACHABLE : TH_EXIT_OK;
}
