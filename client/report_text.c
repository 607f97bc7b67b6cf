/* report_text.c -- the report as a terminal table and as CSV. */
#include <string.h>

#include "i18n.h"
#include "report_format.h"
#include "table.h"

/* "15/30" for ratios, "450" for counts, "—" without data. */
static const char *amount(json_object *ind, char *buf, size_t size)
{
    const char *kind = th_report_str(ind, "kind");
    if (!strcmp(kind, "ratio") && !json_object_get_boolean(th_report_get(ind, "no_data")))
        snprintf(buf, size, "%lld/%lld", th_report_int(ind, "numerator"), th_report_int(ind, "denominator"));
    else if (!strcmp(kind, "count") && th_report_has(ind, "value"))
        snprintf(buf, size, "%lld", th_report_int(ind, "value"));
    else if (!strcmp(kind, "qualitative"))
        snprintf(buf, size, _("%lld unit(s)"), th_report_int(ind, "units_reporting"));
    else
        snprintf(buf, size, "—");
    if (th_report_flags(ind) > 0) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, " %s", TH_REPORT_FLAG_MARK);
    }
    return buf;
}

/* The value as a percentage (ratios) or as progress towards the target (counts). */
static const char *rate(json_object *ind, char *buf, size_t size)
{
    char p[32];
    const char *kind = th_report_str(ind, "kind");
    buf[0] = '\0';
    if (!strcmp(kind, "ratio")) {
        th_report_percent(th_report_int(ind, "numerator"), th_report_int(ind, "denominator"),
                          th_report_comma(), p, sizeof p);
        if (*p) snprintf(buf, size, "%s%%", p);
    } else if (!strcmp(kind, "count") && th_report_has(ind, "progress")) {
        /* The server's exact progress (one decimal), never recomputed
         * from a rounded target. */
        snprintf(buf, size, _("%s%% of target"),
                 th_report_decimal(th_report_str(ind, "progress"), th_report_comma(), p, sizeof p));
    }
    if (!buf[0]) snprintf(buf, size, "—");
    return buf;
}

static const char *target_text(json_object *ind, char *buf, size_t size)
{
    json_object *t = th_report_get(ind, "target");
    if (!th_report_has(t, "value")) {
        snprintf(buf, size, "%s", _("(qualitative)"));
        return buf;
    }
    snprintf(buf, size, "%s %s%s", th_report_cmp_symbol(th_report_str(t, "comparator")),
             th_report_str(t, "value"), !strcmp(th_report_str(ind, "kind"), "ratio") ? "%" : "");
    return buf;
}

/* A child's cell for one indicator: the rate with ✓ or ✗, or a count's value. */
static const char *child_cell(json_object *ind, char *buf, size_t size)
{
    char r[64];
    json_object *met = th_report_get(ind, "met");
    if (!strcmp(th_report_str(ind, "kind"), "count")) return amount(ind, buf, size);
    snprintf(buf, size, "%s%s%s%s", rate(ind, r, sizeof r),
             !met || json_object_is_type(met, json_type_null) ? ""
             : json_object_get_boolean(met)                   ? " ✓"
                                                              : " ✗",
             th_report_flags(ind) > 0 ? " " : "", th_report_flags(ind) > 0 ? TH_REPORT_FLAG_MARK : "");
    return buf;
}

static void completeness_line(FILE *out, json_object *c, json_object *report)
{
    json_object *dl = th_report_get(report, "deadline");
    long long expected = th_report_int(c, "expected"), reported = th_report_int(c, "reported");
    fprintf(out, _("Reported: %lld of %lld expected units"), reported, expected);
    if (th_report_has(c, "on_time") && dl) {
        char db[16];
        fprintf(out, _("; on time (by %s): %lld; late: %lld"),
                th_report_vn_date(th_report_str(dl, "date"), db, sizeof db), th_report_int(c, "on_time"),
                reported - th_report_int(c, "on_time"));
    }
    json_object *communes = th_report_get(report, "communes");
    if (communes)
        fprintf(out, _("; communes that sent results: %lld of %lld"), th_report_int(communes, "reported"),
                th_report_int(communes, "expected"));
    fprintf(out, "\n");
}

#define GAP 2         /* spaces between columns */
#define NAME_WIDTH 60 /* the indicator's name, last: cut past this */
#define UNIT_WIDTH 40 /* a unit's name in the per-unit table: cut past this */

static int widest(int w, const char *s)
{
    int n = th_table_width(s);
    return n > w ? n : w;
}

/* The indicator table: one row per indicator, each column as wide as its
 * heading or its widest cell. */
static void indicator_table(FILE *out, json_object *inds)
{
    enum { CODE, AMOUNT, RATE, TARGET, STATUS, NCOLS };
    const char *head[NCOLS] = {_("Indicator"), _("Numerator/denominator"), _("Rate"), _("Target"),
                               _("Status")};
    int w[NCOLS];
    char a[64], b[64], c[64];
    size_t n = json_object_array_length(inds);
    for (int k = 0; k < NCOLS; k++)
        w[k] = th_table_width(head[k]);
    for (size_t i = 0; i < n; i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        w[CODE] = widest(w[CODE], th_report_str(ind, "code"));
        w[AMOUNT] = widest(w[AMOUNT], amount(ind, a, sizeof a));
        w[RATE] = widest(w[RATE], rate(ind, b, sizeof b));
        w[TARGET] = widest(w[TARGET], target_text(ind, c, sizeof c));
        w[STATUS] = widest(w[STATUS], th_report_status(ind));
    }
    for (int k = 0; k < NCOLS; k++)
        th_table_cell(out, head[k], w[k] + GAP);
    fprintf(out, "%s\n", _("Name"));
    for (size_t i = 0; i < n; i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        th_table_cell(out, th_report_str(ind, "code"), w[CODE] + GAP);
        th_table_cell(out, amount(ind, a, sizeof a), w[AMOUNT] + GAP);
        th_table_cell(out, rate(ind, b, sizeof b), w[RATE] + GAP);
        th_table_cell(out, target_text(ind, c, sizeof c), w[TARGET] + GAP);
        th_table_cell(out, th_report_status(ind), w[STATUS] + GAP);
        th_table_text(out, th_report_str(ind, "name"), NAME_WIDTH);
        fprintf(out, "\n");
    }
}

/* The per-unit table: a row per unit directly below, a column per
 * indicator, and how many of the unit's reporters have reported. */
static void children_table(FILE *out, json_object *report, json_object *inds, json_object *children)
{
    size_t ni = json_object_array_length(inds), nc = json_object_array_length(children);
    char cellbuf[96];
    int wunit = th_table_width(_("Unit")), wind = 0;
    for (size_t i = 0; i < ni; i++)
        wind = widest(wind, th_report_str(json_object_array_get_idx(inds, i), "code"));
    for (size_t k = 0; k < nc; k++) {
        json_object *ch = json_object_array_get_idx(children, k), *cinds = th_report_get(ch, "indicators");
        wunit = widest(wunit, th_report_str(th_report_get(ch, "unit"), "name"));
        for (size_t i = 0; cinds && i < json_object_array_length(cinds); i++)
            wind = widest(wind, child_cell(json_object_array_get_idx(cinds, i), cellbuf, sizeof cellbuf));
    }
    if (wunit > UNIT_WIDTH) wunit = UNIT_WIDTH;
    th_table_cell(out, _("Unit"), wunit + GAP);
    for (size_t i = 0; i < ni; i++)
        th_table_cell(out, th_report_str(json_object_array_get_idx(inds, i), "code"), wind + GAP);
    /* TRANSLATORS: column heading over "3/5": units that reported, of those that must. */
    int approvals = th_report_children_approvals(children),
        wrep = th_table_width(_("Units reported / expected"));
    for (size_t k = 0; k < nc; k++)
        wrep = widest(wrep, th_report_child_reported(report, json_object_array_get_idx(children, k), cellbuf,
                                                     sizeof cellbuf));
    if (approvals) {
        th_table_cell(out, _("Units reported / expected"), wrep + GAP);
        fprintf(out, "%s\n", _("Approval"));
    } else {
        fprintf(out, "%s\n", _("Units reported / expected"));
    }
    for (size_t k = 0; k < nc; k++) {
        json_object *ch = json_object_array_get_idx(children, k), *cinds = th_report_get(ch, "indicators");
        th_table_cell(out, th_report_str(th_report_get(ch, "unit"), "name"), wunit + GAP);
        for (size_t i = 0; cinds && i < json_object_array_length(cinds); i++)
            th_table_cell(out, child_cell(json_object_array_get_idx(cinds, i), cellbuf, sizeof cellbuf),
                          wind + GAP);
        th_report_child_reported(report, ch, cellbuf, sizeof cellbuf);
        if (!approvals) {
            fprintf(out, "%s\n", cellbuf);
            continue;
        }
        th_table_cell(out, cellbuf, wrep + GAP);
        char ap[256];
        fprintf(out, "%s\n", th_report_approval_text(th_report_get(ch, "approval"), ap, sizeof ap));
    }
}

static void note_line(void *ctx, const char *note) { fprintf(ctx, "* %s\n", note); }

int th_report_write_table(FILE *out, json_object *report)
{
    json_object *plan = th_report_get(report, "plan"), *unit = th_report_get(report, "unit");
    json_object *period = th_report_get(report, "period"), *inds = th_report_get(report, "indicators");
    if (!plan || !unit || !period || !inds || !json_object_is_type(inds, json_type_array)) return -1;
    char db[16], db2[16], gen[160];
    fprintf(out, _("REPORT ON PLAN %s (revision %lld)\n"), th_report_str(plan, "code"),
            th_report_int(plan, "revision"));
    fprintf(out, "%s\n", th_report_str(plan, "title"));
    fprintf(out, _("Unit: %s (%s)   Period: %s (%s – %s)\n"), th_report_str(unit, "name"),
            th_report_str(unit, "code"), th_report_str(period, "code"),
            th_report_vn_date(th_report_str(period, "start"), db, sizeof db),
            th_report_vn_date(th_report_str(period, "end"), db2, sizeof db2));
    th_report_notes(report, note_line, out);
    fprintf(out, "\n");
    indicator_table(out, inds);
    fprintf(out, "\n");
    completeness_line(out, th_report_get(report, "completeness"), report);
    char fl[512];
    if (th_report_flags_note(report, fl, sizeof fl)) fprintf(out, "%s\n", fl);

    json_object *children = th_report_get(report, "children");
    if (children && json_object_is_type(children, json_type_array) && json_object_array_length(children)) {
        fprintf(out, "\n%s\n", _("By unit:"));
        children_table(out, report, inds, children);
    }
    fprintf(out, "\n%s\n", th_report_generated(th_report_str(report, "generated_at"), gen, sizeof gen));
    return 0;
}

/* A CSV field, quoted when it needs to be. */
static void csv_field(FILE *out, const char *s, int last)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"') fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputc(last ? '\n' : ',', out);
}

static void csv_rows(FILE *out, json_object *unit, json_object *inds, json_object * compl )
{
    char n[32], d[32], v[32], p[32];
    for (size_t i = 0; inds && i < json_object_array_length(inds); i++) {
        json_object *ind = json_object_array_get_idx(inds, i), *t = th_report_get(ind, "target");
        int ratio = !strcmp(th_report_str(ind, "kind"), "ratio");
        int nodata = json_object_get_boolean(th_report_get(ind, "no_data"));
        snprintf(n, sizeof n, "%lld", th_report_int(ind, "numerator"));
        snprintf(d, sizeof d, "%lld", th_report_int(ind, "denominator"));
        snprintf(v, sizeof v, "%lld", th_report_int(ind, "value"));
        th_report_percent(th_report_int(ind, "numerator"), th_report_int(ind, "denominator"), 0, p, sizeof p);
        json_object *met = th_report_get(ind, "met");
        char e[32], r[32], o[32];
        snprintf(e, sizeof e, "%lld", th_report_int(compl, "expected"));
        snprintf(r, sizeof r, "%lld", th_report_int(compl, "reported"));
        snprintf(o, sizeof o, "%lld", th_report_int(compl, "on_time"));
        csv_field(out, th_report_str(unit, "code"), 0);
        csv_field(out, th_report_str(unit, "name"), 0);
        csv_field(out, th_report_str(ind, "code"), 0);
        csv_field(out, th_report_str(ind, "kind"), 0);
        csv_field(out, ratio ? n : "", 0);
        csv_field(out, ratio ? d : "", 0);
        csv_field(out, !ratio && th_report_has(ind, "value") ? v : "", 0);
        csv_field(out, ratio && !nodata ? p : "", 0);
        csv_field(out, th_report_str(t, "comparator"), 0);
        csv_field(out, th_report_has(t, "value") ? th_report_str(t, "value") : "", 0);
        csv_field(out,
                  !met || json_object_is_type(met, json_type_null) ? ""
                  : json_object_get_boolean(met)                   ? "yes"
                                                                   : "no",
                  0);
        csv_field(out, r, 0);
        csv_field(out, e, 0);
        csv_field(out, th_report_has(compl, "on_time") ? o : "", 1);
    }
}

int th_report_write_csv(FILE *out, json_object *report)
{
    json_object *inds = th_report_get(report, "indicators");
    if (!inds) return -1;
    fputs("unit_code,unit_name,indicator,kind,numerator,denominator,value,percent,comparator,target,met,"
          "reported,expected,on_time\n",
          out);
    csv_rows(out, th_report_get(report, "unit"), inds, th_report_get(report, "completeness"));
    json_object *children = th_report_get(report, "children");
    for (size_t k = 0;
         children && json_object_is_type(children, json_type_array) && k < json_object_array_length(children);
         k++) {
        json_object *ch = json_object_array_get_idx(children, k);
        csv_rows(out, th_report_get(ch, "unit"), th_report_get(ch, "indicators"),
                 th_report_get(ch, "completeness"));
    }
    return 0;
}
