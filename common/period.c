/* period.c -- parsing and formatting of reporting periods. */
#include "period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int th_period_parse(const char *text, th_period *out)
{
    if (!text) return -1;
    size_t len = strlen(text);
    if (len != 4 && len != 6) return -1;
    int year = digits(text, 4);
    if (year < TH_PERIOD_YEAR_MIN || year > TH_PERIOD_YEAR_MAX) return -1;
    int quarter = 0;
    if (len == 6) {
        if (text[4] != 'Q' && text[4] != 'q') return -1;
        if (text[5] < '1' || text[5] > '4') return -1;
        quarter = text[5] - '0';
    }
    out->year = year;
    out->quarter = quarter;
    return 0;
}

char *th_period_format(const th_period *p, char *buf, size_t size)
{
    if (p->quarter)
        snprintf(buf, size, "%04dQ%d", p->year, p->quarter);
    else
        snprintf(buf, size, "%04d", p->year);
    return buf;
}

char *th_period_iso(const th_period *p, char *buf, size_t size)
{
    if (p->quarter)
        snprintf(buf, size, "%04d-%02d-01/P3M", p->year, (p->quarter - 1) * 3 + 1);
    else
        snprintf(buf, size, "%04d-01-01/P1Y", p->year);
    return buf;
}

bool th_period_started(const th_period *p, int year, int month)
{
    int first_month = p->quarter ? (p->quarter - 1) * 3 + 1 : 1;
    return year > p->year || (year == p->year && month >= first_month);
}

void th_period_today_vn(int *year, int *month)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
}
