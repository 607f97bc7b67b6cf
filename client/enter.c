/* enter.c -- interactive entry of a quarter's results. */
#include "enter.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "period.h"
#include "plan_cmd.h"
#include "report_format.h"
#include "request.h"
#include "submit.h"

typedef enum { ASK_OK, ASK_SKIP, ASK_QUIT } ask_result;

/* Reads one line without its newline; NULL at end of input. */
/* A line longer than the buffer is cut at the buffer's end (on a character
 * boundary); the rest of it is read and dropped, never taken as the next
 * answer. */
static char *read_line(FILE *in, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, in)) return NULL;
    size_t n = strlen(buf);
    if (n && buf[n - 1] != '\n' && !feof(in)) {
        int ch;
        while ((ch = fgetc(in)) != EOF && ch != '\n') {
        }
        while (n && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
            buf[--n] = '\0';                                         /* continuation bytes */
        if (n && (unsigned char)buf[n - 1] >= 0xc0) buf[--n] = '\0'; /* a cut lead byte */
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Asks until the answer is a whole number >= min (or empty: skip). */
static ask_result ask_number(FILE *in, FILE *out, const char *prompt, long long min, long long *value)
{
    char buf[256];
    for (;;) {
        fprintf(out, "%s", prompt);
        fflush(out);
        char *ans = read_line(in, buf, sizeof buf);
        if (!ans || !strcmp(ans, "q")) return ASK_QUIT;
        if (!*ans) return ASK_SKIP;
        char *end;
        long long v = strtoll(ans, &end, 10);
        int digits = 1;
        for (char *p = ans; *p; p++)
            if (*p < '0' || *p > '9') digits = 0;
        if (!digits || *end || v < 0)
            fprintf(out, "%s\n",
                    _("    Please type a whole number using digits only (e.g. 12), or press Enter to skip."));
        else if (v < min)
            fprintf(out, _("    The number cannot be smaller than the numerator (%lld).\n"), min);
        else {
            *value = v;
            return ASK_OK;
        }
    }
}

static const char *label(json_object *ind, const char *key, const char *fallback)
{
    const char *s = th_report_str(ind, key);
    return *s ? s : fallback;
}

static void free_values(Tonghop__ResultValue **values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(values[i]->indicator_code);
        free(values[i]->text);
        free(values[i]);
    }
    free(values);
}

int th_enter_run(th_transport *t, th_spool *s, const char *plan, const char *period, const char *unit,
                 FILE *in, FILE *out)
{
    th_period p;
    if (th_period_parse(period, &p) != 0 || !p.quarter) {
        fprintf(stderr, "%s\n", _("tonghop enter: --period must be a quarter, written like 2025Q3"));
        return TH_EXIT_USAGE;
    }
    json_object *doc = NULL;
    int rc = th_plan_fetch_one(t, plan, unit, &doc);
    if (rc != TH_EXIT_OK) return rc;
    json_object *for_unit = th_report_get(doc, "for_unit"), *inds = th_report_get(doc, "indicators");
    fprintf(out, _("Results of %s for quarter %d/%d, plan %s\n"), th_report_str(for_unit, "name"), p.quarter,
            p.year, th_report_str(doc, "code"));
    fprintf(out, "%s\n\n", _("Press Enter to skip an indicator; type q to stop without sending."));

    /* The targets that apply in this year, in the plan's order. */
    json_object *progs = th_report_get(doc, "programmes");
    size_t cap = 0, n = 0;
    for (size_t g = 0; progs && g < json_object_array_length(progs); g++)
        cap += json_object_array_length(th_report_get(json_object_array_get_idx(progs, g), "targets"));
    Tonghop__ResultValue **values = calloc(cap + 1, sizeof *values);
    int quit = 0, asked = 0;
    char prompt[512], text[TH_MAX_TEXT + 2], pct[32];
    for (size_t g = 0; values && !quit && progs && g < json_object_array_length(progs); g++) {
        json_object *targets = th_report_get(json_object_array_get_idx(progs, g), "targets");
        for (size_t k = 0; !quit && k < json_object_array_length(targets); k++) {
            json_object *tg = json_object_array_get_idx(targets, k), *years = th_report_get(tg, "years");
            if (p.year < th_report_int(years, "from") || p.year > th_report_int(years, "to")) continue;
            const char *code = th_report_str(tg, "indicator");
            json_object *ind = th_report_get(inds, code);
            const char *kind = th_report_str(ind, "kind");
            asked++;
            fprintf(out, "[%d] %s — %s\n", asked, code, th_report_str(ind, "name"));
            Tonghop__ResultValue *v = calloc(1, sizeof *v);
            if (!v) break;
            tonghop__result_value__init(v);
            ask_result ar;
            long long num = 0, den = 0;
            if (!strcmp(kind, "ratio")) {
                /* What each number counts, then short prompts. */
                fprintf(out, _("      Numerator: %s\n"), label(ind, "numerator_label", "?"));
                fprintf(out, _("      Denominator: %s\n"), label(ind, "denominator_label", "?"));
                snprintf(prompt, sizeof prompt, "%s", _("    Numerator: "));
                ar = ask_number(in, out, prompt, 0, &num);
                if (ar == ASK_OK) {
                    snprintf(prompt, sizeof prompt, "%s", _("    Denominator: "));
                    ar = ask_number(in, out, prompt, num, &den);
                }
                if (ar == ASK_OK) {
                    v->has_numerator = v->has_denominator = 1;
                    v->numerator = num;
                    v->denominator = den;
                    if (den > 0) {
                        const char *cmp = th_report_str(tg, "comparator");
                        th_report_percent(num, den, !strcmp(th_i18n_lang(), "vi"), pct, sizeof pct);
                        fprintf(out, _("    = %s%% (target %s %s%%)\n"), pct, th_report_cmp_symbol(cmp),
                                th_report_str(tg, "value"));
                    } else {
                        fprintf(out, "%s\n", _("    = no data (the denominator is 0)"));
                    }
                }
            } else if (!strcmp(kind, "count")) {
                fprintf(out, _("      Number: %s\n"), label(ind, "numerator_label", "?"));
                snprintf(prompt, sizeof prompt, "%s", _("    Number: "));
                ar = ask_number(in, out, prompt, 0, &num);
                if (ar == ASK_OK) {
                    v->has_value = 1;
                    v->value = num;
                }
            } else {
                fprintf(out, "%s", _("    What was done (text): "));
                fflush(out);
                char *ans = read_line(in, text, sizeof text);
                ar = !ans || !strcmp(ans, "q") ? ASK_QUIT : !*ans ? ASK_SKIP : ASK_OK;
                if (ar == ASK_OK) v->text = strdup(ans);
            }
            if (ar == ASK_OK) {
                v->indicator_code = strdup(code);
                values[n++] = v;
            } else {
                free(v);
                quit = ar == ASK_QUIT;
            }
        }
    }
    json_object_put(doc);
    if (!values || quit || n == 0) {
        fprintf(out, "%s\n",
                quit ? _("Stopped; nothing was sent.") : _("Nothing entered; nothing was sent."));
        free_values(values, n);
        return TH_EXIT_FAILURE;
    }
    fprintf(out, _("\nSend these %zu result(s)? [y/n]: "), n);
    fflush(out);
    char *ans = read_line(in, text, sizeof text);
    /* Vietnamese "có" or "c", English "y"/"yes". */
    if (!ans || !(!strcmp(ans, "c") || !strcmp(ans, "có") || !strcmp(ans, "y") || !strcmp(ans, "yes") ||
                  !strcmp(ans, "C") || !strcmp(ans, "Y"))) {
        fprintf(out, "%s\n", _("Not sent."));
        free_values(values, n);
        return TH_EXIT_FAILURE;
    }
    th_submit_args a = {.unit = unit, .period = period, .plan = plan};
    rc = th_submit_values(t, s, &a, values, n, NULL);
    free_values(values, n);
    return rc;
}
