/* report_official.c -- the report as the Vietnamese administrative document
 * a unit signs (report_official.h): national motto, issuing body, number,
 * place and date, title, recipient, the results against the plan's targets,
 * who has reported, the open data-quality notes and the approval (when the
 * JSON carries them), the recipients' list and the signature block.
 * Layout after Nghị định 30/2020/NĐ-CP: A4, Times New Roman 13-14 pt,
 * margins 20 mm top and bottom, 30 mm left, 15 mm right. No scripts, no
 * external files. */
#include "report_official.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report_format.h"

static void esc(FILE *out, const char *s) { th_report_html_escape(out, s); }

/* Text with '|' or line feeds as line breaks, escaped. */
static void esc_lines(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\n') {
            fputs("<br>", out);
        } else {
            char c[2] = {*s, '\0'};
            esc(out, c);
        }
    }
}

/* --------------------------------------------------------------- words */

static const char *const type_words[] = {"Thành phố ", "Thị xã ", "Thị trấn ", "Tỉnh ",   "Huyện ",
                                         "Quận ",      "Xã ",     "Phường ",   "Đặc khu "};

/* The country's name as the national root carries it. */
static const char COUNTRY_PREFIX[] = "Nước ";

const char *th_official_place(const char *unit_name)
{
    if (!unit_name) return "";
    /* A report of the whole country is signed at a ministry, in the capital. */
    if (!strncmp(unit_name, COUNTRY_PREFIX, strlen(COUNTRY_PREFIX))) return "Hà Nội";
    for (size_t i = 0; i < sizeof type_words / sizeof type_words[0]; i++) {
        size_t n = strlen(type_words[i]);
        if (!strncmp(unit_name, type_words[i], n) && unit_name[n]) return unit_name + n;
    }
    return unit_name;
}

/* s with its first letter in lower case (ASCII, and Đ), into buf. */
static char *lower_first(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s ? s : "");
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    else if ((unsigned char)buf[0] == 0xC4 && (unsigned char)buf[1] == 0x90) /* Đ -> đ */
        buf[1] = (char)0x91;
    return buf;
}

char *th_official_committee(const char *unit_name, char *buf, size_t size)
{
    char name[512];
    snprintf(buf, size, "Ủy ban nhân dân %s", lower_first(unit_name, name, sizeof name));
    return buf;
}

static const char *const roman[] = {"I", "II", "III", "IV"};

char *th_official_period(const char *code, char *buf, size_t size)
{
    size_t n = code ? strlen(code) : 0;
    int digits = n >= 4 && strspn(code, "0123456789") >= 4;
    if (digits && n == 4)
        snprintf(buf, size, "năm %s", code);
    else if (digits && n == 6 && code[4] == 'Q' && code[5] >= '1' && code[5] <= '4')
        snprintf(buf, size, "quý %s năm %.4s", roman[code[5] - '1'], code);
    else
        snprintf(buf, size, "%s", code ? code : "");
    return buf;
}

char *th_official_date_words(const char *iso, char *buf, size_t size)
{
    char date[32], time[16];
    int d, m, y;
    if (th_report_vn_datetime(iso, date, sizeof date, time, sizeof time) != 0 ||
        sscanf(date, "%d/%d/%d", &d, &m, &y) != 3) {
        if (size) buf[0] = '\0';
        return buf;
    }
    snprintf(buf, size, m < 3 ? "ngày %02d tháng %02d năm %d" : "ngày %02d tháng %d năm %d", d, m, y);
    return buf;
}

static int starts_with(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

static int is_committee(const char *body)
{
    return starts_with(body, "Ủy ban nhân dân") || starts_with(body, "Uỷ ban nhân dân") ||
           starts_with(body, "ỦY BAN NHÂN DÂN") || starts_with(body, "UBND");
}

/* ------------------------------------------------------------ defaults */

typedef struct doc {
    FILE *out;
    json_object *report, *plan, *unit, *period, *inds;
    char body[512];     /* the issuing body */
    char to[512];       /* Kính gửi */
    char place[256];    /* of the date line */
    char period_vn[64]; /* quý III năm 2025 */
    int section;        /* the last section's number */
} doc;

static void choose_body(doc *d, const th_official_opts *o)
{
    if (o && o->issuer_body && *o->issuer_body) {
        snprintf(d->body, sizeof d->body, "%s", o->issuer_body);
    } else if (!strcmp(th_report_str(d->unit, "code"), th_report_str(d->plan, "issuer_unit")) &&
               !th_report_has(d->unit, "plan_territory") && *th_report_str(d->plan, "issuing_body")) {
        /* (The same code is not always the same unit: new An Giang holds
         * Kiên Giang's, 91, and did not issue Kiên Giang's plan; the report
         * then says whose territory the plan covers.) */
        snprintf(d->body, sizeof d->body, "%s", th_report_str(d->plan, "issuing_body"));
    } else {
        th_official_committee(th_report_str(d->unit, "name"), d->body, sizeof d->body);
    }
}

/* The recipient: the option, the plan's deadline for the unit's own level,
 * the committee of the unit above, or nothing (a dotted line). */
static void choose_to(doc *d, const th_official_opts *o)
{
    d->to[0] = '\0';
    if (o && o->to && *o->to) {
        snprintf(d->to, sizeof d->to, "%s", o->to);
        return;
    }
    json_object *dls = th_report_get(d->plan, "deadlines");
    const char *role = th_report_str(d->unit, "role");
    size_t n = dls && json_object_is_type(dls, json_type_array) ? json_object_array_length(dls) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *dl = json_object_array_get_idx(dls, i);
        if (!strcmp(th_report_str(dl, "level"), role) && *th_report_str(dl, "to")) {
            snprintf(d->to, sizeof d->to, "%s", th_report_str(dl, "to"));
            return;
        }
    }
    json_object *parent = th_report_get(d->unit, "parent");
    if (th_report_has(d->unit, "parent") && *th_report_str(parent, "name"))
        th_official_committee(th_report_str(parent, "name"), d->to, sizeof d->to);
}

/* ------------------------------------------------------------- blocks */

static const char CSS[] =
    "@page{size:A4;margin:20mm 15mm 20mm 30mm}"
    "html{background:#fff}"
    "body{font-family:'Times New Roman','Liberation Serif',Tinos,'DejaVu Serif',serif;font-size:13pt;"
    "line-height:1.35;color:#000;margin:0}"
    "@media screen{body{width:210mm;min-height:297mm;box-sizing:border-box;padding:20mm 15mm 20mm 30mm;"
    "margin:0 auto}}"
    "table.head,table.foot{width:100%;border-collapse:collapse}"
    "table.head td,table.foot td{vertical-align:top;border:none;padding:0}"
    ".head td{text-align:center}.head td.body{width:40%}"
    ".upper{text-transform:uppercase}"
    ".body .parent,.body .own{font-size:13pt;text-transform:uppercase;white-space:nowrap}.body "
    ".own{font-weight:bold}"
    ".rule{width:35%;margin:2px auto 6px;border-top:1px solid #000}"
    ".motto1{font-weight:bold;font-size:12.5pt;text-transform:uppercase;white-space:nowrap}"
    ".motto2{font-weight:bold;font-size:13.5pt}.motto2 span{border-bottom:1px solid #000;padding-bottom:1px}"
    ".number{font-size:13pt;margin-top:4px}.dateline{font-style:italic;margin-top:10px}"
    "h1{font-size:14pt;text-align:center;margin:22px 0 0}"
    ".subject{font-weight:bold;font-size:14pt;text-align:center;margin:0 8%}"
    ".subject+.rule{width:25%;margin:4px auto 12px}"
    ".to{text-align:center;margin:6px 0 12px}"
    "p{text-align:justify;text-indent:1.27cm;margin:6pt 0}"
    "h2{font-size:13pt;margin:12pt 0 6pt;text-indent:1.27cm}"
    "table.data{width:100%;border-collapse:collapse;table-layout:fixed;font-size:12pt;line-height:1.25;"
    "margin:6pt 0}"
    ".data th,.data td{border:1px solid #000;padding:3px 5px;vertical-align:top}"
    ".data th{font-weight:bold;text-align:center}.data td.n{text-align:right}"
    ".data td.c{text-align:center}.data td.text{font-size:11pt}.data tr{page-break-inside:avoid}"
    ".data tr.child td{font-style:italic;font-size:11.5pt}.data tr.child td.name{padding-left:18px}"
    ".data td.notmet{font-weight:bold}.code{font-size:11pt}"
    "p.note{font-style:italic;font-size:12pt}p.source{font-size:11.5pt;font-style:italic}"
    "table.foot{margin-top:14pt;page-break-inside:avoid}"
    ".foot td.cc{width:48%;font-size:11pt;line-height:1.3}"
    ".foot td.cc b{font-style:italic;font-size:12pt}"
    ".foot td.sign{text-align:center;font-weight:bold;font-size:13.5pt}"
    ".sign .title{text-transform:uppercase}.sign .space{height:30mm}";

static void header(doc *d, const th_official_opts *o)
{
    FILE *out = d->out;
    fputs("<table class=\"head\"><tr><td class=\"body\">", out);
    if (strchr(d->body, '|')) {
        /* the superior body's lines in plain, the issuing body's in bold */
        const char *last = strrchr(d->body, '|');
        char parent[512];
        snprintf(parent, sizeof parent, "%.*s", (int)(last - d->body), d->body);
        fputs("<div class=\"parent\">", out);
        esc_lines(out, parent);
        fputs("</div><div class=\"own\">", out);
        esc(out, last + 1);
        fputs("</div>", out);
    } else if (is_committee(d->body) && strlen(d->body) > strlen("Ủy ban nhân dân ")) {
        /* ỦY BAN NHÂN DÂN / TỈNH BÌNH THUẬN, both the body's name */
        size_t n = strlen("Ủy ban nhân dân");
        if (starts_with(d->body, "UBND")) n = strlen("UBND");
        fprintf(out, "<div class=\"own\">%.*s<br>", (int)n, d->body);
        esc(out, d->body + n + (d->body[n] == ' '));
        fputs("</div>", out);
    } else {
        fputs("<div class=\"own\">", out);
        esc(out, d->body);
        fputs("</div>", out);
    }
    fputs("<div class=\"rule\"></div><div class=\"number\">", out);
    if (o && o->number && *o->number) {
        if (!starts_with(o->number, "Số")) fputs("Số: ", out);
        esc(out, o->number);
    } else {
        fputs("Số:&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;/BC-", out);
    }
    fputs("</div></td>\n<td><div class=\"motto1\">Cộng hòa xã hội chủ nghĩa Việt Nam</div>"
          "<div class=\"motto2\"><span>Độc lập - Tự do - Hạnh phúc</span></div>"
          "<div class=\"dateline\">",
          out);
    char date[64];
    th_official_date_words(th_report_str(d->report, "generated_at"), date, sizeof date);
    esc(out, d->place);
    fputs(", ", out);
    if (*date)
        esc(out, date);
    else
        fputs("ngày&nbsp;&nbsp;&nbsp;&nbsp; tháng&nbsp;&nbsp;&nbsp;&nbsp; "
              "năm&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;",
              out);
    fputs("</div></td></tr></table>\n", out);
}

/* "Kế hoạch kiểm thử ... năm 2025" and the period; a year already at the
 * end of the title is not said twice. */
static void subject(doc *d)
{
    FILE *out = d->out;
    char title[1024];
    const char *t = th_report_str(d->plan, "title");
    lower_first(t, title, sizeof title);
    /* A title that starts with what was done ("Triển khai thực hiện ...",
     * "Thực hiện ...") takes "Kết quả" alone: not "kết quả thực hiện thực
     * hiện". */
    int says_done = starts_with(title, "thực hiện ") || starts_with(title, "triển khai ");
    fputs(says_done ? "<h1>BÁO CÁO</h1>\n<div class=\"subject\">Kết quả "
                    : "<h1>BÁO CÁO</h1>\n<div class=\"subject\">Kết quả thực hiện ",
          out);
    esc(out, title);
    size_t tl = strlen(t), pl = strlen(d->period_vn);
    if (!(tl >= pl && !strcmp(t + tl - pl, d->period_vn))) {
        static const char year_word[] = " năm "; /* then four digits */
        size_t yl = sizeof year_word - 1;
        int ends_in_year = tl >= yl + 4 && !strncmp(t + tl - yl - 4, year_word, yl);
        fputs(ends_in_year ? ", " : " ", out);
        esc(out, d->period_vn);
    }
    fputs("</div><div class=\"rule\"></div>\n<div class=\"to\">Kính gửi: ", out);
    if (d->to[0])
        esc(out, d->to);
    else
        fputs("....................................................", out);
    fputs("</div>\n", out);
}

static void intro(doc *d)
{
    FILE *out = d->out;
    char date[16], title[1024];
    fputs("<p>Thực hiện Kế hoạch số ", out);
    esc(out, th_report_str(d->plan, "code"));
    if (th_report_has(d->plan, "issued_on")) {
        fputs(" ngày ", out);
        esc(out, th_report_vn_date(th_report_str(d->plan, "issued_on"), date, sizeof date));
    }
    if (*th_report_str(d->plan, "issuing_body")) {
        fputs(" của ", out);
        esc(out, th_report_str(d->plan, "issuing_body"));
    }
    fputs(" về việc ", out);
    esc(out, lower_first(th_report_str(d->plan, "title"), title, sizeof title));
    fputs(", ", out);
    esc(out, d->body);
    fputs(" báo cáo kết quả thực hiện ", out);
    esc(out, d->period_vn);
    char unit[512];
    if (!strcmp(th_report_str(d->unit, "role"), "country")) {
        fputs(" trên phạm vi cả nước", out);
    } else {
        fputs(" trên địa bàn ", out);
        esc(out, lower_first(th_report_str(d->unit, "name"), unit, sizeof unit));
    }
    fputs(" như sau:</p>\n", out);
}

static void section(doc *d, const char *title)
{
    static const char *const numerals[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII"};
    int k = d->section++;
    fprintf(d->out, "<h2>%s. %s</h2>\n", numerals[k < 8 ? k : 7], title);
}

/* The target as the plan writes it: "≥ 50%", "≥ 1.000", or its text. */
static void target_cell(FILE *out, json_object *ind)
{
    json_object *t = th_report_get(ind, "target");
    char buf[64];
    if (!th_report_has(t, "value")) {
        esc(out, th_report_str(t, "text"));
        return;
    }
    const char *v = th_report_str(t, "value");
    esc(out, th_report_cmp_symbol(th_report_str(t, "comparator")));
    fputs(" ", out);
    if (*v && strspn(v, "0123456789") == strlen(v))
        esc(out, th_report_thousands(strtoll(v, NULL, 10), '.', buf, sizeof buf));
    else
        esc(out, th_report_decimal(v, 1, buf, sizeof buf));
    if (!strcmp(th_report_str(ind, "kind"), "ratio")) fputs("%", out);
}

static const char *status_words(json_object *ind)
{
    switch (th_report_status_of(ind)) {
    case TH_REPORT_QUALITATIVE: return "Định tính";
    case TH_REPORT_NO_DATA: return "Chưa có số liệu";
    case TH_REPORT_MET: return "Đạt";
    case TH_REPORT_NOT_MET: return "Chưa đạt";
    }
    return "";
}

/* The cells after the target: numerator/denominator, result, status. */
static void value_cells(FILE *out, json_object *ind)
{
    const char *kind = th_report_str(ind, "kind");
    char a[32], b[32], p[32];
    int no_data = json_object_get_boolean(th_report_get(ind, "no_data"));
    int ratio = !strcmp(kind, "ratio"), count = !strcmp(kind, "count");
    fputs("<td class=\"n\">", out);
    if (ratio && !no_data)
        fprintf(out, "%s&nbsp;/&nbsp;%s",
                th_report_thousands(th_report_int(ind, "numerator"), '.', a, sizeof a),
                th_report_thousands(th_report_int(ind, "denominator"), '.', b, sizeof b));
    else
        fputs("—", out);
    fputs("</td><td class=\"n\">", out);
    if (no_data) {
        fputs("—", out);
    } else if (ratio) {
        fprintf(out, "%s%%",
                th_report_percent(th_report_int(ind, "numerator"), th_report_int(ind, "denominator"), 1, p,
                                  sizeof p));
    } else if (count) {
        esc(out, th_report_thousands(th_report_int(ind, "value"), '.', a, sizeof a));
        if (th_report_has(ind, "progress")) {
            fputs("<br>(", out);
            esc(out, th_report_decimal(th_report_str(ind, "progress"), 1, p, sizeof p));
            fputs("% kế hoạch)", out);
        }
    } else {
        fprintf(out, "%lld đơn vị báo cáo", th_report_int(ind, "units_reporting"));
    }
    th_report_status_code s = th_report_status_of(ind);
    fprintf(out, "</td><td class=\"c%s\">", s == TH_REPORT_NOT_MET ? " notmet" : "");
    esc(out, status_words(ind));
    fputs("</td>", out);
}

static size_t array_len(json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static void note_para(void *ctx, const char *note)
{
    fputs("<p class=\"note\">", ctx);
    esc(ctx, note);
    fputs("</p>\n", ctx);
}

static void results(doc *d)
{
    FILE *out = d->out;
    json_object *children = th_report_get(d->report, "children");
    section(d, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU");
    fputs("<table class=\"data results\">\n<colgroup><col style=\"width:5%\"><col style=\"width:39%\">"
          "<col style=\"width:11%\"><col style=\"width:13%\"><col style=\"width:14%\"><col "
          "style=\"width:18%\"></colgroup>\n"
          "<tr><th>TT</th><th>Chỉ tiêu</th><th>Chỉ tiêu kế hoạch</th>"
          "<th>Tử số / Mẫu số</th><th>Kết quả</th><th>Đánh giá</th></tr>\n",
          out);
    for (size_t i = 0; i < array_len(d->inds); i++) {
        json_object *ind = json_object_array_get_idx(d->inds, i);
        fprintf(out, "<tr class=\"ind\"><td class=\"c\">%zu</td><td class=\"name\"><span class=\"code\">",
                i + 1);
        esc(out, th_report_str(ind, "code"));
        fputs("</span> ", out);
        esc(out, th_report_str(ind, "name"));
        fprintf(out, "</td><td class=\"%s\">",
                th_report_has(th_report_get(ind, "target"), "value") ? "c" : "text");
        target_cell(out, ind);
        fputs("</td>", out);
        value_cells(out, ind);
        fputs("</tr>\n", out);
        for (size_t k = 0; k < array_len(children); k++) {
            json_object *ch = json_object_array_get_idx(children, k);
            json_object *cind =
                th_report_indicator(th_report_get(ch, "indicators"), th_report_str(ind, "code"));
            if (!cind) continue;
            fputs("<tr class=\"child\"><td></td><td class=\"name\">- ", out);
            esc(out, th_report_str(th_report_get(ch, "unit"), "name"));
            fputs("</td><td></td>", out);
            value_cells(out, cind);
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n", out);
    /* The notes on a changed map, in Vietnamese like the rest. */
    char lang[16];
    snprintf(lang, sizeof lang, "%s", th_i18n_lang());
    th_i18n_set_lang("vi");
    th_report_notes(d->report, note_para, out);
    th_i18n_set_lang(lang);
}

static const char *level_words(const char *level)
{
    if (!strcmp(level, "commune")) return "cấp xã";
    if (!strcmp(level, "district")) return "cấp huyện";
    if (!strcmp(level, "province")) return "cấp tỉnh";
    if (!strcmp(level, "facility")) return "cơ sở";
    return level;
}

static void completeness(doc *d)
{
    FILE *out = d->out;
    json_object *c = th_report_get(d->report, "completeness");
    json_object *children = th_report_get(d->report, "children");
    long long expected = th_report_int(c, "expected"), reported = th_report_int(c, "reported");
    char p[32], date[16];
    section(d, "TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ");
    fputs("<p class=\"completeness\">Số đơn vị ", out);
    esc(out, level_words(th_report_str(c, "level")));
    fprintf(out, " phải báo cáo: <b>%lld</b>; đã báo cáo: <b>%lld</b>", expected, reported);
    if (expected > 0) fprintf(out, " (%s%%)", th_report_percent(reported, expected, 1, p, sizeof p));
    if (th_report_has(c, "on_time")) {
        json_object *dl = th_report_get(d->report, "deadline");
        fprintf(out, "; báo cáo đúng hạn (đến ngày ");
        esc(out, th_report_vn_date(th_report_str(dl, "date"), date, sizeof date));
        fprintf(out, "): <b>%lld</b>; chưa báo cáo: <b>%lld</b>.</p>\n", th_report_int(c, "on_time"),
                expected - reported);
    } else {
        fprintf(out, "; chưa báo cáo: <b>%lld</b>. Kế hoạch không quy định hạn báo cáo trong năm.</p>\n",
                expected - reported);
    }
    /* Reporters above the communes: how many communes under them sent results. */
    json_object *communes = th_report_get(d->report, "communes");
    json_object *by = communes ? th_report_get(communes, "by_child") : NULL;
    if (communes)
        fprintf(
            out,
            "<p class=\"completeness\">Số xã, phường trên địa bàn đã gửi số liệu: <b>%lld</b>/%lld.</p>\n",
            th_report_int(communes, "reported"), th_report_int(communes, "expected"));
    if (!array_len(children)) return;
    if (by)
        fputs(
            "<table class=\"data completeness\">\n<colgroup><col style=\"width:5%\"><col style=\"width:35%\">"
            "<col span=\"5\" style=\"width:12%\"></colgroup>\n<tr><th>TT</th><th>Đơn vị</th><th>Phải báo "
            "cáo</th>"
            "<th>Đã báo cáo</th><th>Đúng hạn</th><th>Chưa báo cáo</th><th>Xã đã gửi số liệu</th></tr>\n",
            out);
    else
        fputs(
            "<table class=\"data completeness\">\n<colgroup><col style=\"width:5%\"><col style=\"width:43%\">"
            "<col span=\"4\" style=\"width:13%\"></colgroup>\n<tr><th>TT</th><th>Đơn vị</th><th>Phải báo "
            "cáo</th>"
            "<th>Đã báo cáo</th><th>Đúng hạn</th><th>Chưa báo cáo</th></tr>\n",
            out);
    for (size_t k = 0; k < array_len(children); k++) {
        json_object *ch = json_object_array_get_idx(children, k), *cc = th_report_get(ch, "completeness");
        fprintf(out, "<tr><td class=\"c\">%zu</td><td class=\"name\">", k + 1);
        esc(out, th_report_str(th_report_get(ch, "unit"), "name"));
        fprintf(out, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">",
                th_report_int(cc, "expected"), th_report_int(cc, "reported"));
        if (th_report_has(cc, "on_time"))
            fprintf(out, "%lld", th_report_int(cc, "on_time"));
        else
            fputs("—", out);
        fprintf(out, "</td><td class=\"n\">%lld</td>",
                th_report_int(cc, "expected") - th_report_int(cc, "reported"));
        json_object *mine = by ? th_report_get(by, th_report_str(th_report_get(ch, "unit"), "code")) : NULL;
        if (by)
            fprintf(out, "<td class=\"n\">%lld/%lld</td>", mine ? th_report_int(mine, "reported") : 0,
                    mine ? th_report_int(mine, "expected") : 0);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* quality_notes: [{unit, indicator, text}], the data-quality questions
 * still open; unit is a code or name, or an object with code and name. The
 * server sends the review's flags this way (48_review.sql: also year,
 * quarter, rule and the numbers; text is in Vietnamese), the first 50,
 * with quality_notes_total. */
static void quality_notes(doc *d)
{
    FILE *out = d->out;
    json_object *notes = th_report_get(d->report, "quality_notes");
    if (!notes || !json_object_is_type(notes, json_type_array)) return;
    section(d, "NHỮNG VẤN ĐỀ VỀ CHẤT LƯỢNG SỐ LIỆU CHƯA XỬ LÝ XONG");
    if (!array_len(notes)) {
        fputs("<p>Không còn vấn đề nào về chất lượng số liệu chưa được xử lý.</p>\n", out);
        return;
    }
    fputs("<table class=\"data quality\">\n<colgroup><col style=\"width:5%\"><col style=\"width:25%\">"
          "<col style=\"width:12%\"><col style=\"width:58%\"></colgroup>\n<tr><th>TT</th><th>Đơn "
          "vị</th><th>Chỉ tiêu</th>"
          "<th>Nội dung</th></tr>\n",
          out);
    for (size_t k = 0; k < array_len(notes); k++) {
        json_object *n = json_object_array_get_idx(notes, k), *u = th_report_get(n, "unit");
        fprintf(out, "<tr><td class=\"c\">%zu</td><td class=\"name\">", k + 1);
        if (u && json_object_is_type(u, json_type_object))
            esc(out, *th_report_str(u, "name") ? th_report_str(u, "name") : th_report_str(u, "code"));
        else
            esc(out, th_report_str(n, "unit"));
        fputs("</td><td class=\"c\">", out);
        esc(out, th_report_str(n, "indicator"));
        fputs("</td><td>", out);
        esc(out, th_report_str(n, "text"));
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    /* quality_notes_total: how many there are in all, when only the first
     * ones were sent. */
    long long total = th_report_int(d->report, "quality_notes_total");
    if (total > (long long)array_len(notes))
        fprintf(out, "<p>Còn %lld vấn đề khác chưa liệt kê ở đây (tổng số %lld).</p>\n",
                total - (long long)array_len(notes), total);
}

/* approval: {state, at, by, reason, before_children} of the unit reported
 * on (47_approval.sql), present once it or a unit below has approved; and
 * how many units directly below have (completeness.children_approved). */
static void approval(doc *d)
{
    FILE *out = d->out;
    if (!json_object_object_get_ex(d->report, "approval", NULL)) return;
    json_object *a = th_report_get(d->report, "approval"), *c = th_report_get(d->report, "completeness");
    int has = a && json_object_is_type(a, json_type_object);
    const char *state = has ? th_report_str(a, "state") : "";
    section(d, "TÌNH TRẠNG PHÊ DUYỆT");
    fputs("<p class=\"approval\">Tình trạng: <b>", out);
    esc(out, !strcmp(state, "approved")   ? "Đã phê duyệt"
             : !strcmp(state, "reopened") ? "Đã mở lại để điều chỉnh số liệu"
                                          : "Chưa phê duyệt");
    fputs("</b>", out);
    if (has && *th_report_str(a, "by")) {
        fputs("; đơn vị thực hiện: ", out);
        esc(out, th_report_str(a, "by"));
    }
    char date[32], time[16];
    if (has && th_report_vn_datetime(th_report_str(a, "at"), date, sizeof date, time, sizeof time) == 0) {
        fputs("; lúc ", out);
        esc(out, time);
        fputs(" ngày ", out);
        esc(out, date);
        fputs(" (giờ Việt Nam)", out);
    }
    if (has && th_report_has(a, "reason")) {
        fputs("; lý do: ", out);
        esc(out, th_report_str(a, "reason"));
    }
    if (has && th_report_has(a, "before_children"))
        fputs("; phê duyệt trước khi tất cả đơn vị trực thuộc phê duyệt", out);
    if (c && th_report_int(c, "children") > 0)
        fprintf(out, ". Đơn vị trực thuộc đã phê duyệt: %lld/%lld", th_report_int(c, "children_approved"),
                th_report_int(c, "children"));
    fputs(".</p>\n", out);
}

static void closing(doc *d)
{
    FILE *out = d->out;
    char date[32], time[16];
    fputs("<p>Trên đây là báo cáo kết quả thực hiện Kế hoạch số ", out);
    esc(out, th_report_str(d->plan, "code"));
    fputs(" ", out);
    esc(out, d->period_vn);
    fputs(" của ", out);
    esc(out, d->body);
    fputs("./.</p>\n", out);
    if (th_report_vn_datetime(th_report_str(d->report, "generated_at"), date, sizeof date, time,
                              sizeof time) == 0) {
        fputs("<p class=\"source\">Số liệu tổng hợp bằng hệ thống tonghop lúc ", out);
        esc(out, time);
        fputs(" ngày ", out);
        esc(out, date);
        fputs(" (giờ Việt Nam) từ kết quả các đơn vị đã gửi; tỷ lệ bằng tổng tử số chia tổng mẫu số.</p>\n",
              out);
    }
}

static void signature(doc *d, const th_official_opts *o)
{
    FILE *out = d->out;
    fputs("<table class=\"foot\"><tr><td class=\"cc\"><b>Nơi nhận:</b><br>- Như trên;<br>- Lưu: VT.</td>"
          "<td class=\"sign\"><div class=\"title\">",
          out);
    if (o && o->signer_title && *o->signer_title)
        esc_lines(out, o->signer_title);
    else if (is_committee(d->body))
        fputs("TM. Ủy ban nhân dân<br>Chủ tịch", out);
    else if (starts_with(d->body, "Sở ") || starts_with(d->body, "SỞ "))
        fputs("Giám đốc", out);
    else
        fputs("Thủ trưởng đơn vị", out);
    fputs("</div><div class=\"space\"></div><div class=\"name\">", out);
    if (o && o->signer_name) esc(out, o->signer_name);
    fputs("</div></td></tr></table>\n", out);
}

int th_report_write_official(FILE *out, json_object *report, const th_official_opts *opts)
{
    doc d;
    memset(&d, 0, sizeof d);
    d.out = out;
    d.report = report;
    d.plan = th_report_get(report, "plan");
    d.unit = th_report_get(report, "unit");
    d.period = th_report_get(report, "period");
    d.inds = th_report_get(report, "indicators");
    if (!d.plan || !d.unit || !d.period || !d.inds || !json_object_is_type(d.inds, json_type_array))
        return -1;
    choose_body(&d, opts);
    choose_to(&d, opts);
    snprintf(d.place, sizeof d.place, "%s",
             opts && opts->place && *opts->place ? opts->place
                                                 : th_official_place(th_report_str(d.unit, "name")));
    th_official_period(th_report_str(d.period, "code"), d.period_vn, sizeof d.period_vn);

    fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>Báo cáo ", out);
    esc(out, th_report_str(d.plan, "code"));
    fputs(" — ", out);
    esc(out, th_report_str(d.unit, "name"));
    fputs(" — ", out);
    esc(out, d.period_vn);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", CSS);
    header(&d, opts);
    subject(&d);
    intro(&d);
    results(&d);
    completeness(&d);
    quality_notes(&d);
    approval(&d);
    closing(&d);
    signature(&d, opts);
    fputs("</body>\n</html>\n", out);
    return 0;
}
