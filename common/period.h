/* period.h -- reporting periods: a quarter ("2025Q3") or a year ("2025").
 *
 * These two spellings are the only ones accepted anywhere a user types a
 * period; th_period_format writes them back the same way. ISO 8601 forms for
 * exports (e.g. "2025-07-01/P3M") come from th_period_iso. */
#ifndef TH_PERIOD_H
#define TH_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

#define TH_PERIOD_YEAR_MIN 2000
#define TH_PERIOD_YEAR_MAX 2100

typedef struct th_period {
    int year;    /* TH_PERIOD_YEAR_MIN .. TH_PERIOD_YEAR_MAX */
    int quarter; /* 1..4, or 0 for the whole year */
} th_period;

/* Parses "YYYY" or "YYYYQn" (the Q may be lower case). Returns 0, or -1 when
 * the text is not a period in range; nothing else is accepted (no spaces, no
 * signs, no "2025-Q3"). */
int th_period_parse(const char *text, th_period *out);

/* Writes "2025Q3" or "2025" into buf (at least 8 bytes). Returns buf. */
char *th_period_format(const th_period *p, char *buf, size_t size);

/* Writes the ISO 8601 start/duration form: "2025-07-01/P3M", "2025-01-01/P1Y". */
char *th_period_iso(const th_period *p, char *buf, size_t size);

static inline bool th_period_is_quarter(const th_period *p) { return p->quarter != 0; }

/* Today's year and month in Vietnam (UTC+7, no daylight saving), whatever
 * the machine's time zone: a quarter begins at midnight in Vietnam. */
void th_period_today_vn(int *year, int *month);

/* True when the period has begun on the given calendar date (year, month). */
bool th_period_started(const th_period *p, int year, int month);

#endif
