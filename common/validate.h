/* validate.h -- structural checks of a submission, before any database.
 *
 * Both sides run these: the client so that a commune hears about a mistake
 * before anything is sent, the server because it trusts no client. What needs
 * the catalogue (does the unit exist, is the indicator a ratio) is checked by
 * the server against the database. */
#ifndef TH_VALIDATE_H
#define TH_VALIDATE_H

#include "period.h"
#include "wire.h"

/* The largest numerator, denominator or value a submission may carry. No
 * commune counts a billion of anything; the bound keeps every sum printable
 * in the reports: 10,599 communes x 4 quarters x 1e9 = 4.2e13, far inside
 * int64 (9.2e18), so no total can overflow. Refused above it with
 * INVALID_VALUE, detail TH_DETAIL_ABOVE_MAX. */
#define TH_MAX_NUMBER 1000000000LL
#define TH_DETAIL_ABOVE_MAX "above 1000000000"

/* Why a submission was refused: an Error.Code, the field it is about
 * ("values[2].numerator") and a value to show with the reason. */
typedef struct th_verr {
    int code;
    char field[64];
    char detail[512]; /* a refusal may list units: "593 Thành phố Phan Thiết, 594 ..." */
} th_verr;

/* Checks s. today_year/today_month, when non-zero, refuse a quarter that has
 * not begun yet. On success returns 0 and fills *period; else returns -1 and
 * fills *err. */
int th_validate_submission(const Tonghop__Submission *s, int today_year, int today_month, th_period *period,
                           th_verr *err);

/* True when code looks like a GSO unit code or an indicator code:
 * 1..TH_MAX_CODE characters of [0-9A-Za-z._-]. */
int th_validate_code(const char *code);

/* True when text is a UUID in canonical 8-4-4-4-12 form. */
int th_validate_uuid(const char *text);

/* True when s is NULL, empty or only spaces, tabs and line breaks: a text
 * that says nothing (a reopening's reason). */
int th_validate_blank(const char *s);

/* True when s is well-formed UTF-8 (PostgreSQL refuses anything else). */
int th_validate_utf8(const char *s);
/* The same for n bytes that need not end in NUL; a NUL byte among them is
 * valid UTF-8 (U+0000): callers that refuse it check it themselves. */
int th_validate_utf8_n(const char *s, size_t n);

/* Cuts, in place, a multi-byte UTF-8 character left incomplete at the end
 * of s (by a copy into a fixed-size buffer), so that a truncated text stays
 * valid UTF-8. Returns s. */
char *th_utf8_trim(char *s);

#endif
