/* report_format.c -- helpers shared by the report writers. */
#include "report_format.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

json_object *th_report_get(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int th_report_has(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v && !json_object_is_type(v, json_type_null);
}

const char *th_report_str(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v && !json_object_is_type(v, json_type_null) ? json_object_get_string(v) : "";
}

long long th_report_int(json_object *o, const char *key)
{
    json_object *v = th_report_get(o, key);
    return v ? json_object_get_int64(v) : 0;
}

json_object *th_report_indicator(json_object *inds, const char *code)
{
    size_t n = inds && json_object_is_type(inds, json_type_array) ? json_object_array_length(inds) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        if (!strcmp(th_report_str(ind, "code"), code)) return ind;
    }
    return NULL;
}

int64_t th_report_tenths(int64_t num, int64_t den)
{
    if (den <= 0) return -1;
    /* round(1000 * num / den), half up, in integers wide enough for any
     * int64 numerator. */
    __int128 t = ((__int128)num * 2000 + den) / ((__int128)den * 2);
    return (int64_t)t;
}

char *th_report_percent(int64_t num, int64_t den, int comma, char *buf, size_t size)
{
    int64_t tenths = th_report_tenths(num, den);
    if (tenths < 0) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, size, "%lld%c%lld", (long long)(tenths / 10), comma ? ',' : '.', (long long)(tenths % 10));
    return buf;
}

char *th_report_decimal(const char *text, int comma, char *buf, size_t size)
{
    snprintf(buf, size, "%s", text ? text : "");
    char *dot = strchr(buf, '.');
    if (comma && dot) *dot = ',';
    return buf;
}

int th_report_comma(void) { return strcmp(th_i18n_lang(), "vi") == 0; }

static const struct {
    const char *cmp, *symbol;
} comparators[] = {{">=", "≥"}, {">", ">"}, {"=", "="}, {"<=", "≤"}};

const char *th_report_cmp_symbol(const char *cmp)
{
    if (!cmp) return "";
    for (size_t i = 0; i < sizeof comparators / sizeof comparators[0]; i++)
        if (!strcmp(cmp, comparators[i].cmp)) return comparators[i].symbol;
    return cmp;
}

th_report_status_code th_report_status_of(json_object *ind)
{
    if (!strcmp(th_report_str(ind, "kind"), "qualitative")) return TH_REPORT_QUALITATIVE;
    json_object *met = th_report_get(ind, "met");
    if (!met || json_object_is_type(met, json_type_null)) return TH_REPORT_NO_DATA;
    return json_object_get_boolean(met) ? TH_REPORT_MET : TH_REPORT_NOT_MET;
}

const char *th_report_status(json_object *ind)
{
    switch (th_report_status_of(ind)) {
    case TH_REPORT_QUALITATIVE: return _("qualitative");
    case TH_REPORT_NO_DATA: return _("no data");
    case TH_REPORT_MET: return _("met");
    case TH_REPORT_NOT_MET: return _("not met");
    }
    return "";
}

char *th_report_thousands(long long v, char sep, char *buf, size_t size)
{
    char digits[32];
    /* The magnitude as unsigned: -LLONG_MIN does not fit a long long. */
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digits, sizeof digits, "%llu", m);
    char tmp[48];
    size_t k = 0;
    if (v < 0) tmp[k++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) tmp[k++] = sep;
        tmp[k++] = digits[i];
    }
    tmp[k] = '\0';
    snprintf(buf, size, "%s", tmp);
    return buf;
}

/* ------------------------------------------------------------ dates, times */

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(long y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s: 0 and the parts, or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (s[4] != '-' || s[7] != '-') return -1;
    *y = digits(s, 4), *m = digits(s + 5, 2), *d = digits(s + 8, 2);
    if (*y < 0 || *m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m)) return -1;
    return 0;
}

const char *th_report_vn_date(const char *iso, char *buf, size_t size)
{
    int y, m, d;
    if (!iso || strlen(iso) != 10 || parse_date(iso, &y, &m, &d) != 0) return iso ? iso : "";
    snprintf(buf, size, "%02d/%02d/%04d", d, m, y);
    return buf;
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian;
 * H. Hinnant's algorithms), so that no time zone is ever consulted. */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

#define TH_VN_OFFSET_MINUTES (7 * 60) /* UTC+7 all year: Vietnam has no daylight saving */

int th_report_vn_datetime(const char *iso, char *date, size_t dsize, char *time, size_t tsize)
{
    if (dsize) date[0] = '\0';
    if (tsize) time[0] = '\0';
    int y, mo, d, h, mi;
    if (!iso || strlen(iso) < 16 || parse_date(iso, &y, &mo, &d) != 0 || (iso[10] != 'T' && iso[10] != ' ') ||
        iso[13] != ':')
        return -1;
    h = digits(iso + 11, 2), mi = digits(iso + 14, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59) return -1;
    const char *rest = iso + 16;
    if (*rest == ':') { /* seconds, and a fraction: not shown */
        int s = digits(rest + 1, 2);
        if (s < 0 || s > 60) return -1;
        rest += 3;
        if (*rest == '.') {
            rest++;
            if (*rest < '0' || *rest > '9') return -1;
            while (*rest >= '0' && *rest <= '9')
                rest++;
        }
    }
    if (!strcmp(rest, "Z") || !strcmp(rest, "+00:00") || !strcmp(rest, "+00")) rest = "";
    if (*rest) return -1; /* another offset: not what the report writes */
    long minutes = (days_from_civil(y, mo, d) * 24 + h) * 60 + mi + TH_VN_OFFSET_MINUTES;
    long days = minutes / (24 * 60), of_day = minutes % (24 * 60);
    if (of_day < 0) {
        of_day += 24 * 60;
        days--;
    }
    long vy;
    int vm, vd;
    civil_from_days(days, &vy, &vm, &vd);
    snprintf(date, dsize, "%02d/%02d/%04ld", vd, vm, vy);
    snprintf(time, tsize, "%02ld:%02ld", of_day / 60, of_day % 60);
    return 0;
}

char *th_report_generated(const char *iso, char *buf, size_t size)
{
    char date[32], time[16];
    if (th_report_vn_datetime(iso, date, sizeof date, time, sizeof time) != 0) {
        snprintf(buf, size, "%s", iso ? iso : "");
        return buf;
    }
    /* TRANSLATORS: date (28/11/2026), then time (14:05); reorder with %2$s, %1$s. */
    snprintf(buf, size, _("Generated %1$s %2$s (Vietnam time, UTC+7)"), date, time);
    return buf;
}

/* ---------------------------------------------------------------- escapers */

void th_report_html_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

void th_report_xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '\t': fputs("&#9;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\r': fputs("&#13;", out); break;
        default:
            if (c < 0x20)
                fputs("\xef\xbf\xbd", out); /* U+FFFD: XML 1.0 has no place for it */
            else
                fputc(c, out);
        }
    }
}

/* -------------------------------------------------- notes on a changed map */

static const char *level_name(const char *level)
{
    if (!strcmp(level, "commune")) return _("commune");
    if (!strcmp(level, "district")) return _("district");
    if (!strcmp(level, "province")) return _("province");
    return level;
}

char *th_report_approval_text(json_object *approval, char *buf, size_t size)
{
    if (!approval || !json_object_is_type(approval, json_type_object)) {
        snprintf(buf, size, "%s", _("not approved"));
        return buf;
    }
    char date[16], time[8];
    if (th_report_vn_datetime(th_report_str(approval, "at"), date, sizeof date, time, sizeof time) != 0)
        date[0] = time[0] = '\0';
    int approved = !strcmp(th_report_str(approval, "state"), "approved");
    const char *by = th_report_str(approval, "by");
    if (approved && th_report_has(approval, "before_children"))
        /* TRANSLATORS: date, time, the approving unit's code. */
        snprintf(buf, size, _("approved %s %s by %s, before all units below had"), date, time, by);
    else if (approved)
        snprintf(buf, size, _("approved %s %s by %s"), date, time, by);
    else
        /* TRANSLATORS: date, time, the unit's code, the reason given. */
        snprintf(buf, size, _("reopened %s %s by %s: %s"), date, time, by, th_report_str(approval, "reason"));
    return buf;
}

char *th_report_child_reported(json_object *report, json_object *child, char *buf, size_t size)
{
    json_object *c = th_report_get(child, "completeness");
    json_object *by = th_report_get(th_report_get(report, "communes"), "by_child");
    json_object *mine = by ? th_report_get(by, th_report_str(th_report_get(child, "unit"), "code")) : NULL;
    if (mine)
        /* TRANSLATORS: units reported/expected, then the communes under the unit that sent results/all. */
        snprintf(buf, size, _("%lld/%lld (%lld/%lld communes)"), th_report_int(c, "reported"),
                 th_report_int(c, "expected"), th_report_int(mine, "reported"),
                 th_report_int(mine, "expected"));
    else
        snprintf(buf, size, "%lld/%lld", th_report_int(c, "reported"), th_report_int(c, "expected"));
    return buf;
}

int th_report_children_approvals(json_object *children)
{
    size_t n =
        children && json_object_is_type(children, json_type_array) ? json_object_array_length(children) : 0;
    for (size_t k = 0; k < n; k++)
        if (th_report_has(json_object_array_get_idx(children, k), "approval")) return 1;
    return 0;
}

void th_report_notes(json_object *report, void (*emit)(void *ctx, const char *note), void *ctx)
{
    char buf[512], d[16];
    json_object *unit = th_report_get(report, "unit"), *c = th_report_get(report, "completeness");
    json_object *terr = unit ? th_report_get(unit, "plan_territory") : NULL;
    if (terr) {
        if (th_report_has(terr, "ceased"))
            snprintf(
                buf, sizeof buf,
                _("The plan covers the territory of %s (%s) as it was when issued, before the change of %s; "
                  "the report is on the units that make it up now."),
                th_report_str(terr, "name"), th_report_str(terr, "code"),
                th_report_vn_date(th_report_str(terr, "ceased"), d, sizeof d));
        else
            snprintf(buf, sizeof buf,
                     _("Only the part of this unit in the territory of %s (%s), which issued the plan."),
                     th_report_str(terr, "name"), th_report_str(terr, "code"));
        emit(ctx, buf);
    }
    if (c && th_report_has(c, "planned_level")) {
        snprintf(buf, sizeof buf,
                 _("The plan asks the %s level to report; that level no longer exists, so the %s level is "
                   "counted."),
                 level_name(th_report_str(c, "planned_level")), level_name(th_report_str(c, "level")));
        emit(ctx, buf);
    }
    if (th_report_has(report, "approved_only")) {
        snprintf(
            buf, sizeof buf, "%s",
            _("Built from approved results only (tonghop approve): units whose results for the period are "
              "not approved count as not reported."));
        emit(ctx, buf);
    }
    /* Approval: shown once anything was approved here or below. */
    json_object *ap = th_report_get(report, "approval");
    long long nchildren = c ? th_report_int(c, "children") : 0,
              napproved = c ? th_report_int(c, "children_approved") : 0;
    if (ap || napproved > 0) {
        char a[256];
        th_report_approval_text(ap, a, sizeof a);
        if (nchildren > 0)
            snprintf(buf, sizeof buf, _("Approval: %s; units directly below approved: %lld of %lld."), a,
                     napproved, nchildren);
        else
            snprintf(buf, sizeof buf, _("Approval: %s."), a);
        emit(ctx, buf);
    }
    json_object *inds = th_report_get(report, "indicators");
    size_t n = inds && json_object_is_type(inds, json_type_array) ? json_object_array_length(inds) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        long long k = th_report_int(ind, "carried_from_predecessors");
        if (k <= 0) continue;
        snprintf(buf, sizeof buf,
                 _("%s: %lld unit(s) sent nothing since they came into being; their predecessors' latest "
                   "values stand in for their stocks."),
                 th_report_str(ind, "code"), k);
        emit(ctx, buf);
    }
    /* By unit below: values counted at the unit itself are in no row (its
     * own results, and those of units that left no successor, which went
     * to the unit above them): say so, or the rows seem not to add up. */
    json_object *children = th_report_get(report, "children");
    size_t nch =
        children && json_object_is_type(children, json_type_array) ? json_object_array_length(children) : 0;
    char which[256] = "";
    for (size_t i = 0; nch > 0 && i < n; i++) {
        json_object *ind = json_object_array_get_idx(inds, i);
        const char *code = th_report_str(ind, "code");
        long long below = 0;
        for (size_t k = 0; k < nch; k++)
            below +=
                th_report_int(th_report_indicator(
                                  th_report_get(json_object_array_get_idx(children, k), "indicators"), code),
                              "units_reporting");
        if (th_report_int(ind, "units_reporting") > below && strlen(which) + strlen(code) + 3 < sizeof which)
            snprintf(which + strlen(which), sizeof which - strlen(which), "%s%s", *which ? ", " : "", code);
    }
    if (*which) {
        snprintf(buf, sizeof buf,
                 _("%s (%s) itself holds results in none of the rows below (its own, and those of units that "
                   "left no successor): its total is more than its rows add up to (%s)."),
                 th_report_str(unit, "name"), th_report_str(unit, "code"), which);
        emit(ctx, buf);
    }
}

long long th_report_flags(json_object *ind) { return ind ? th_report_int(ind, "flags") : 0; }

const char *th_report_flags_note(json_object *report, char *buf, size_t size)
{
    json_object *inds = th_report_get(report, "indicators"), *unit = th_report_get(report, "unit");
    json_object *plan = th_report_get(report, "plan"), *period = th_report_get(report, "period");
    long long n = 0;
    for (size_t i = 0;
         inds && json_object_is_type(inds, json_type_array) && i < json_object_array_length(inds); i++)
        n += th_report_flags(json_object_array_get_idx(inds, i));
    if (n <= 0) return NULL;
    /* tonghop review counts flags, one per rule and quarter: a year's
     * value can carry several (a predecessor's jump and the successor's
     * own). Both numbers, so that the two never seem to disagree. */
    long long total = th_report_int(report, "quality_notes_total");
    if (total > n)
        snprintf(
            buf, size,
            _("%s %lld flag(s) for review on %lld value(s) (above 100%%, a denominator that jumped, or a "
              "stock that changed): see tonghop review --unit %s --plan %s --period %s"),
            TH_REPORT_FLAG_MARK, total, n, th_report_str(unit, "code"), th_report_str(plan, "code"),
            th_report_str(period, "code"));
    else
        snprintf(buf, size,
                 _("%s %lld value(s) flagged for review (above 100%%, a denominator that jumped, or a stock "
                   "that changed): see tonghop review --unit %s --plan %s --period %s"),
                 TH_REPORT_FLAG_MARK, n, th_report_str(unit, "code"), th_report_str(plan, "code"),
                 th_report_str(period, "code"));
    return buf;
}
