/* form_cmd.c -- the blank results file of a plan for one unit and quarter. */
#include "form_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "period.h"
#include "plan_cmd.h"
#include "report_format.h"
#include "request.h"

/* Text from the plan as part of a comment line: line breaks and other
 * control characters become spaces, so that the comment stays one line. */
static void put_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

/* "# " + fmt filled with args, made one line ("#" alone when empty). */
__attribute__((format(printf, 2, 3))) static void comment(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *line = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (line) {
        va_start(ap, fmt);
        vsnprintf(line, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    fputs(line && *line ? "# " : "#", out);
    if (line) put_text(out, line);
    fputc('\n', out);
    free(line);
}

/* The target of t as the plan states it: "≥ 50%", "≥ 1000"; "" for a
 * qualitative target. */
static const char *target_text(json_object *t, const char *kind, char *buf, size_t size)
{
    char num[64];
    buf[0] = '\0';
    if (th_report_has(t, "value"))
        snprintf(buf, size, "%s %s%s", th_report_cmp_symbol(th_report_str(t, "comparator")),
                 th_report_decimal(th_report_str(t, "value"), th_report_comma(), num, sizeof num),
                 !strcmp(kind, "ratio") ? "%" : "");
    return buf;
}

/* True when the plan's list of quarters for the unit holds p. */
static int plan_has_quarter(json_object *quarters, const th_period *p)
{
    for (size_t i = 0; quarters && i < json_object_array_length(quarters); i++) {
        th_period q;
        const char *s = json_object_get_string(json_object_array_get_idx(quarters, i));
        if (s && th_period_parse(s, &q) == 0 && q.year == p->year && q.quarter == p->quarter) return 1;
    }
    return 0;
}

/* The plan's targets that apply in year, one per indicator, in the plan's
 * order: a malloc'd array of n pointers into doc (NULL when there are none
 * or memory runs out: *n tells). */
static json_object **targets_for_year(json_object *doc, int year, size_t *n)
{
    json_object *progs = th_report_get(doc, "programmes");
    size_t cap = 0;
    *n = 0;
    for (size_t g = 0; progs && g < json_object_array_length(progs); g++) {
        json_object *targets = th_report_get(json_object_array_get_idx(progs, g), "targets");
        cap += targets ? json_object_array_length(targets) : 0;
    }
    json_object **list = calloc(cap + 1, sizeof *list);
    for (size_t g = 0; list && progs && g < json_object_array_length(progs); g++) {
        json_object *targets = th_report_get(json_object_array_get_idx(progs, g), "targets");
        for (size_t k = 0; targets && k < json_object_array_length(targets); k++) {
            json_object *t = json_object_array_get_idx(targets, k), *years = th_report_get(t, "years");
            const char *code = th_report_str(t, "indicator");
            if (!*code || year < th_report_int(years, "from") || year > th_report_int(years, "to")) continue;
            int seen = 0;
            for (size_t j = 0; j < *n && !seen; j++)
                seen = !strcmp(th_report_str(list[j], "indicator"), code);
            /* (Codes are plain: th_plan_file_check refused any other.) */
            if (!seen) list[(*n)++] = t;
        }
    }
    return list;
}

int th_form_write(FILE *out, json_object *doc, const char *period)
{
    th_period p;
    if (th_period_parse(period, &p) != 0 || !p.quarter) {
        fprintf(stderr, "%s\n", _("tonghop form: --period must be a quarter, written like 2025Q3"));
        return TH_EXIT_USAGE;
    }
    json_object *fu = th_report_get(doc, "for_unit");
    json_object *covered = th_report_get(fu, "covered");
    const char *plan = th_report_str(doc, "code");
    if (!fu || !covered) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        return TH_EXIT_FAILURE;
    }
    if (!json_object_get_boolean(covered)) {
        fprintf(stderr, _("tonghop form: plan %s does not cover %s (%s)\n"), plan, th_report_str(fu, "name"),
                th_report_str(fu, "code"));
        return TH_EXIT_REJECTED;
    }
    json_object *quarters = th_report_get(fu, "quarters");
    if (!plan_has_quarter(quarters, &p)) {
        size_t nq = quarters ? json_object_array_length(quarters) : 0;
        fprintf(stderr, _("tonghop form: %s is not a quarter of plan %s (it runs from %s to %s)\n"), period,
                plan, nq ? json_object_get_string(json_object_array_get_idx(quarters, 0)) : "?",
                nq ? json_object_get_string(json_object_array_get_idx(quarters, nq - 1)) : "?");
        return TH_EXIT_USAGE;
    }
    size_t n;
    json_object **targets = targets_for_year(doc, p.year, &n);
    if (!targets) {
        fprintf(stderr, "tonghop: %s\n", strerror(ENOMEM));
        return TH_EXIT_FAILURE;
    }
    if (n == 0) {
        fprintf(stderr, _("tonghop form: plan %s sets no target for %d\n"), plan, p.year);
        free(targets);
        return TH_EXIT_REJECTED;
    }

    char pbuf[16], tb[96];
    th_period_format(&p, pbuf, sizeof pbuf);
    /* TRANSLATORS: the first line of a results form: plan code, unit name,
     * unit code, quarter, year. */
    comment(out, _("Plan %s — %s (%s) — quarter %d/%d"), plan, th_report_str(fu, "name"),
            th_report_str(fu, "code"), p.quarter, p.year);
    comment(out, "%s", th_report_str(doc, "title"));
    comment(out, "%s", "");
    json_object *inds = th_report_get(doc, "indicators");
    for (size_t i = 0; i < n; i++) {
        const char *code = th_report_str(targets[i], "indicator");
        json_object *ind = th_report_get(inds, code);
        const char *kind = th_report_str(ind, "kind"), *num = th_report_str(ind, "numerator_label"),
                   *den = th_report_str(ind, "denominator_label");
        comment(out, "%s — %s", code, th_report_str(ind, "name"));
        if (*target_text(targets[i], kind, tb, sizeof tb))
            comment(out, _("  target: %s"), tb);
        else if (*th_report_str(targets[i], "text"))
            comment(out, _("  target: %s"), th_report_str(targets[i], "text"));
        if (!strcmp(kind, "ratio")) {
            comment(out, _("  numerator: %s"), *num ? num : "?");
            comment(out, _("  denominator: %s"), *den ? den : "?");
        } else if (!strcmp(kind, "count")) {
            comment(out, _("  value: %s"), *num ? num : "?");
        } else {
            comment(out, "%s", _("  text: what was done, in words"));
        }
    }
    comment(out, "%s", "");
    comment(
        out, "%s",
        _("Fill in the empty cells: whole numbers, digits only (1000, not 1.000). Leave all the cells of an "
          "indicator empty if you do not report it."));
    comment(out, _("Then send the file: tonghop submit --unit %s --period %s FILE.csv"),
            th_report_str(fu, "code"), pbuf);
    fputs("indicator,numerator,denominator,value,text\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s,,,,\n", th_report_str(targets[i], "indicator"));
    free(targets);
    return TH_EXIT_OK;
}

/* Writes the form into a temporary file next to path and renames it over
 * path once it is complete and on disk. */
static int write_file(const char *path, json_object *doc, const char *period)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp) {
        fprintf(stderr, "tonghop: %s\n", strerror(ENOMEM));
        return TH_EXIT_FAILURE;
    }
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "tonghop: %s: %s\n", path, strerror(errno));
        free(tmp);
        return TH_EXIT_FAILURE;
    }
    /* mkstemp makes the file private; a form is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    FILE *out = fdopen(fd, "w");
    if (!out) {
        fprintf(stderr, "tonghop: %s: %s\n", path, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return TH_EXIT_FAILURE;
    }
    /* A file is for a spreadsheet: the byte-order mark tells Excel the
     * text is UTF-8 (without it, Vietnamese letters come out garbled). */
    fputs("\xEF\xBB\xBF", out);
    int rc = th_form_write(out, doc, period);
    int failed = fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0;
    int err = errno;
    if (fclose(out) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (rc == TH_EXIT_OK && failed) {
        fprintf(stderr, "tonghop: %s: %s\n", path, strerror(err));
        rc = TH_EXIT_FAILURE;
    }
    if (rc == TH_EXIT_OK && rename(tmp, path) != 0) {
        fprintf(stderr, "tonghop: %s: %s\n", path, strerror(errno));
        rc = TH_EXIT_FAILURE;
    }
    if (rc != TH_EXIT_OK) unlink(tmp);
    free(tmp);
    return rc;
}

int th_form_cmd_run(th_transport *t, const char *plan, const char *unit, const char *period,
                    const char *output)
{
    th_period p;
    if (!plan || !unit || !period) {
        fprintf(stderr, "%s\n", _("tonghop form: give --plan, --unit and --period"));
        return TH_EXIT_USAGE;
    }
    if (th_period_parse(period, &p) != 0 || !p.quarter) {
        fprintf(stderr, "%s\n", _("tonghop form: --period must be a quarter, written like 2025Q3"));
        return TH_EXIT_USAGE;
    }
    json_object *doc = NULL;
    int rc = th_plan_fetch_one(t, plan, unit, &doc);
    if (rc != TH_EXIT_OK) return rc;
    if (output) {
        rc = write_file(output, doc, period);
        if (rc == TH_EXIT_OK) printf(_("Form written to %s.\n"), output);
    } else {
        rc = th_form_write(stdout, doc, period);
        if (fflush(stdout) != 0 && rc == TH_EXIT_OK) {
            fprintf(stderr, "tonghop: %s\n", strerror(errno));
            rc = TH_EXIT_FAILURE;
        }
    }
    json_object_put(doc);
    return rc;
}
