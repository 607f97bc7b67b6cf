/* report_html.c -- the report as one self-contained, printable HTML page:
 * a bar per indicator against its target, status colours, completeness and
 * the per-unit table. No scripts, no external files: it can be mailed,
 * opened offline and printed to A4. */
#include <string.h>

#include "i18n.h"
#include "report_format.h"

/* The page's one escaper (report_format.c), under a short name. */
static void esc(FILE *out, const char *s) { th_report_html_escape(out, s); }

static void note_para(void *ctx, const char *note)
{
    fputs("<p class=\"note\">", ctx);
    esc(ctx, note);
    fputs("</p>\n", ctx);
}

static const char *status_class(json_object *ind)
{
    json_object *met = th_report_get(ind, "met");
    if (!strcmp(th_report_str(ind, "kind"), "qualitative")) return "qual";
    if (!met || json_object_is_type(met, json_type_null)) return "nodata";
    return json_object_get_boolean(met) ? "met" : "notmet";
}

/* Bar position of a value: ratios on a 0-100% scale; counts as progress
 * towards the target, which then sits at 100%. Returns tenths of a percent. */
static long long bar_tenths(long long num, long long den)
{
    long long t = th_report_tenths(num, den);
    return t > 1000 ? 1000 : t < 0 ? 0 : t;
}

static void indicator_block(FILE *out, json_object *ind)
{
    json_object *t = th_report_get(ind, "target");
    const char *kind = th_report_str(ind, "kind");
    int ratio = !strcmp(kind, "ratio"), count = !strcmp(kind, "count");
    char p[32];
    fprintf(out, "<div class=\"ind %s\">\n<div class=\"ihead\"><span class=\"code\">", status_class(ind));
    esc(out, th_report_str(ind, "code"));
    fputs("</span> ", out);
    esc(out, th_report_str(ind, "name"));
    fputs("</div>\n", out);
    if (ratio || count) {
        long long fill = 0, mark = 0;
        if (ratio) {
            fill = bar_tenths(th_report_int(ind, "numerator"), th_report_int(ind, "denominator"));
            mark = th_report_has(t, "value")
                       ? (long long)(json_object_get_double(th_report_get(t, "value")) * 10)
                       : 0;
        } else {
            long long target = th_report_int(t, "value");
            fill = target > 0 ? bar_tenths(th_report_int(ind, "value"), target) : 0;
            mark = 1000;
        }
        fprintf(out,
                "<div class=\"bar\"><div class=\"fill\" style=\"width:%lld.%lld%%\"></div>"
                "<div class=\"target\" style=\"left:%lld.%lld%%\"></div></div>\n",
                fill / 10, fill % 10, mark / 10, mark % 10);
    }
    fputs("<div class=\"nums\">", out);
    if (json_object_get_boolean(th_report_get(ind, "no_data"))) {
        esc(out, _("No data yet"));
    } else if (ratio) {
        th_report_percent(th_report_int(ind, "numerator"), th_report_int(ind, "denominator"),
                          th_report_comma(), p, sizeof p);
        fprintf(out, "%lld / %lld = <b>%s%%</b>", th_report_int(ind, "numerator"),
                th_report_int(ind, "denominator"), p);
    } else if (count) {
        fprintf(out, "<b>%lld</b>", th_report_int(ind, "value"));
        if (th_report_has(ind, "progress")) {
            fprintf(out, " (%s%% ",
                    th_report_decimal(th_report_str(ind, "progress"), th_report_comma(), p, sizeof p));
            esc(out, _("of target"));
            fputs(")", out);
        }
    } else {
        fprintf(out, "%lld ", th_report_int(ind, "units_reporting"));
        esc(out, _("unit(s) reported"));
    }
    fputs(" · ", out);
    esc(out, _("Target"));
    fputs(": ", out);
    if (th_report_has(t, "value")) {
        esc(out, th_report_cmp_symbol(th_report_str(t, "comparator")));
        fputs(" ", out);
        esc(out, th_report_str(t, "value"));
        if (ratio) fputs("%", out);
    } else {
        esc(out, th_report_str(t, "text"));
    }
    if (th_report_flags(ind) > 0) {
        fprintf(out, " <span class=\"flag\">%s %lld</span>", TH_REPORT_FLAG_MARK, th_report_flags(ind));
    }
    fputs(" · <span class=\"status\">", out);
    esc(out, th_report_status(ind));
    fputs("</span></div>\n</div>\n", out);
}

static const char CSS[] =
    "body{font-family:'Times New Roman','DejaVu Serif',serif;margin:24px auto;max-width:960px;color:#222}"
    "header{text-align:center;border-bottom:2px solid #333;padding-bottom:8px}"
    ".issuer{font-weight:bold;text-transform:uppercase;font-size:14px}"
    "h1{font-size:20px;margin:10px 0 4px}h2{font-size:16px;margin:18px 0 8px;border-bottom:1px solid #999}"
    ".sub{font-style:italic;margin:0 0 6px}"
    ".meta{display:flex;justify-content:center;gap:24px;font-size:14px;flex-wrap:wrap}"
    ".ind{border-left:6px solid #999;padding:6px 10px;margin:8px "
    "0;background:#fafafa;page-break-inside:avoid}"
    ".ind.met{border-color:#1b7f3b}.ind.notmet{border-color:#c0392b}.ind.nodata{border-color:#999}"
    ".ind.qual{border-color:#2c6fbb}"
    ".ihead{font-size:14px}.code{font-weight:bold;font-family:monospace}"
    ".bar{position:relative;height:16px;background:#e5e5e5;margin:6px 0;border-radius:2px}"
    ".fill{height:100%;background:#888;border-radius:2px}"
    ".met .fill{background:#2e9e55}.notmet .fill{background:#d9534f}"
    ".target{position:absolute;top:-4px;bottom:-4px;width:3px;background:#111}"
    ".nums{font-size:13px}.met .status{color:#1b7f3b;font-weight:bold}"
    ".notmet .status{color:#c0392b;font-weight:bold}.nodata .status{color:#777}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{border:1px solid #bbb;padding:3px 6px;text-align:right}th{background:#eee}"
    "td.name,th.name{text-align:left}td.met{background:#dff2e4}td.notmet{background:#f8dcda}"
    "td.nodata{color:#888}.flag{color:#b35c00;font-weight:bold}p.flags{color:#b35c00}footer{margin-top:20px;"
    "font-size:12px;color:#666;text-align:center}"
    "@media print{body{margin:0}@page{size:A4;margin:15mm}}";

int th_report_write_html(FILE *out, json_object *report)
{
    json_object *plan = th_report_get(report, "plan"), *unit = th_report_get(report, "unit");
    json_object *period = th_report_get(report, "period"), *inds = th_report_get(report, "indicators");
    if (!plan || !unit || !period || !inds) return -1;
    char d1[16], d2[16], p[32];
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
            th_i18n_lang());
    esc(out, _("Report"));
    fputs(" ", out);
    esc(out, th_report_str(plan, "code"));
    fputs(" — ", out);
    esc(out, th_report_str(unit, "name"));
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<div class=\"issuer\">", CSS);
    esc(out, th_report_str(unit, "name"));
    fputs("</div>\n<h1>", out);
    esc(out, _("REPORT ON THE IMPLEMENTATION OF PLAN"));
    fputs(" ", out);
    esc(out, th_report_str(plan, "code"));
    fputs("</h1>\n<p class=\"sub\">", out);
    esc(out, th_report_str(plan, "title"));
    fputs("</p>\n<div class=\"meta\"><span>", out);
    esc(out, _("Period"));
    fputs(": <b>", out);
    esc(out, th_report_str(period, "code"));
    fputs("</b> (", out);
    esc(out, th_report_vn_date(th_report_str(period, "start"), d1, sizeof d1));
    fputs(" – ", out);
    esc(out, th_report_vn_date(th_report_str(period, "end"), d2, sizeof d2));
    fputs(")</span>", out);
    json_object *dl = th_report_get(report, "deadline");
    if (th_report_has(report, "deadline")) {
        fputs("<span>", out);
        esc(out, _("Deadline"));
        fputs(": ", out);
        esc(out, th_report_vn_date(th_report_str(dl, "date"), d1, sizeof d1));
        fputs("</span>", out);
    }
    fputs("<span>", out);
    esc(out, _("Issued by"));
    fputs(": ", out);
    esc(out, th_report_str(plan, "issuing_body"));
    fputs("</span></div>\n", out);
    th_report_notes(report, note_para, out);
    fputs("</header>\n<section>\n<h2>", out);
    esc(out, _("Results by indicator"));
    fputs("</h2>\n", out);
    for (size_t i = 0; i < json_object_array_length(inds); i++)
        indicator_block(out, json_object_array_get_idx(inds, i));

    json_object *c = th_report_get(report, "completeness");
    long long expected = th_report_int(c, "expected"), reported = th_report_int(c, "reported");
    fputs("</section>\n<section>\n<h2>", out);
    esc(out, _("Who has reported"));
    fputs("</h2>\n<div class=\"ind ", out);
    fputs(expected && reported == expected ? "met" : "notmet", out);
    long long fill = bar_tenths(reported, expected);
    fprintf(out,
            "\"><div class=\"bar\"><div class=\"fill\" style=\"width:%lld.%lld%%\"></div></div><div "
            "class=\"nums\">",
            fill / 10, fill % 10);
    fprintf(out, "<b>%lld / %lld</b> ", reported, expected);
    esc(out, _("units expected to report have reported"));
    if (th_report_has(c, "on_time")) {
        fprintf(out, " · %lld ", th_report_int(c, "on_time"));
        esc(out, _("on time"));
        fprintf(out, " · %lld ", reported - th_report_int(c, "on_time"));
        esc(out, _("late"));
    }
    fputs("</div></div>\n", out);
    char fl[512];
    if (th_report_flags_note(report, fl, sizeof fl)) {
        fputs("<p class=\"flags\">", out);
        esc(out, fl);
        fputs("</p>\n", out);
    }
    fputs("</section>\n", out);

    json_object *children = th_report_get(report, "children");
    if (children && json_object_is_type(children, json_type_array) && json_object_array_length(children)) {
        fputs("<section>\n<h2>", out);
        esc(out, _("By unit"));
        fputs("</h2>\n<table>\n<tr><th class=\"name\">", out);
        esc(out, _("Unit"));
        fputs("</th>", out);
        for (size_t i = 0; i < json_object_array_length(inds); i++) {
            fputs("<th>", out);
            esc(out, th_report_str(json_object_array_get_idx(inds, i), "code"));
            fputs("</th>", out);
        }
        fputs("<th>", out);
        esc(out, _("Units reported / expected"));
        int approvals = th_report_children_approvals(children);
        if (approvals) {
            fputs("</th><th>", out);
            esc(out, _("Approval"));
        }
        fputs("</th></tr>\n", out);
        for (size_t k = 0; k < json_object_array_length(children); k++) {
            json_object *ch = json_object_array_get_idx(children, k),
                        *cinds = th_report_get(ch, "indicators");
            fputs("<tr><td class=\"name\">", out);
            esc(out, th_report_str(th_report_get(ch, "unit"), "name"));
            fputs("</td>", out);
            for (size_t i = 0; cinds && i < json_object_array_length(cinds); i++) {
                json_object *ind = json_object_array_get_idx(cinds, i);
                fprintf(out, "<td class=\"%s\">", status_class(ind));
                if (json_object_get_boolean(th_report_get(ind, "no_data")))
                    fputs("—", out);
                else if (!strcmp(th_report_str(ind, "kind"), "ratio"))
                    fprintf(out, "%s%%",
                            th_report_percent(th_report_int(ind, "numerator"),
                                              th_report_int(ind, "denominator"), th_report_comma(), p,
                                              sizeof p));
                else if (!strcmp(th_report_str(ind, "kind"), "count"))
                    fprintf(out, "%lld", th_report_int(ind, "value"));
                else
                    fprintf(out, "%lld", th_report_int(ind, "units_reporting"));
                if (th_report_flags(ind) > 0)
                    fprintf(out, " <span class=\"flag\">%s</span>", TH_REPORT_FLAG_MARK);
                fputs("</td>", out);
            }
            char ap[256];
            char rep[96];
            fputs("<td>", out);
            esc(out, th_report_child_reported(report, ch, rep, sizeof rep));
            fputs("</td>", out);
            if (approvals) {
                fputs("<td>", out);
                esc(out, th_report_approval_text(th_report_get(ch, "approval"), ap, sizeof ap));
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
        fputs("</table>\n</section>\n", out);
    }
    char gen[160];
    fputs("<footer>", out);
    esc(out, th_report_generated(th_report_str(report, "generated_at"), gen, sizeof gen));
    fputs(". ", out);
    esc(out, _("Prepared with tonghop from the results received by then."));
    fputs(" ", out);
    esc(out, _("Rates are sums of numerators over sums of denominators."));
    fputs("</footer>\n</body>\n</html>\n", out);
    return 0;
}
