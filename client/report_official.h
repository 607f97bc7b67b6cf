/* report_official.h -- the report a province, a department or a district
 * signs and sends upward: a Vietnamese administrative report (Nghị định
 * 30/2020/NĐ-CP) as one self-contained HTML page that prints on A4.
 *
 * The document is Vietnamese whatever --lang says: it is an administrative
 * document, and those are written in Vietnamese. Its fixed words are written
 * here, not translated; the notes the other reports share
 * (th_report_notes) are taken in Vietnamese too. Only the command's own
 * messages (errors) follow --lang.
 *
 * What the JSON does not say comes from the options, each with a default:
 * the issuing body, the number ("Số:"), the recipient ("Kính gửi"), the
 * place of the date line, the signer's title and name. */
#ifndef TH_REPORT_OFFICIAL_H
#define TH_REPORT_OFFICIAL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>

typedef struct th_official_opts {
    const char *issuer_body;  /* NULL: the plan's issuing body when the unit issued the plan, else
                                 "Ủy ban nhân dân" and the unit's name; '|' breaks lines */
    const char *number;       /* NULL: "Số:      /BC-", filled in by hand */
    const char *to;           /* NULL: the recipient of the plan's deadline for the unit's level, else
                                 the committee of the unit above, else a dotted line */
    const char *place;        /* NULL: the unit's name without its type word */
    const char *signer_title; /* NULL: by the body ("TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH", "GIÁM ĐỐC");
                                 '|' breaks lines */
    const char *signer_name;  /* NULL: space to write it by hand */
} th_official_opts;

/* Writes the document for report (parsed "tonghop-report/1") to out.
 * Returns 0, or -1 when the report lacks the plan, unit, period or
 * indicators. */
int th_report_write_official(FILE *out, json_object *report, const th_official_opts *opts);

/* The pieces the document is made of, for the tests. */

/* A unit's name without its type word: "Thành phố Phan Thiết" -> "Phan
 * Thiết", "Tỉnh Bình Thuận" -> "Bình Thuận". Other names come back whole. */
const char *th_official_place(const char *unit_name);

/* A period code in words: "2025Q3" -> "quý III năm 2025", "2025" -> "năm
 * 2025"; anything else comes back unchanged. Returns buf. */
char *th_official_period(const char *code, char *buf, size_t size);

/* A UTC time (the report's generated_at) as the date line writes it, in
 * Vietnam time: "ngày 28 tháng 11 năm 2026"; days below 10 and the months 1
 * and 2 with a leading zero ("ngày 05 tháng 02 năm 2026"), as Nghị định 30
 * asks. Returns buf, empty when iso is not such a time. */
char *th_official_date_words(const char *iso, char *buf, size_t size);

/* A body of a unit: "Ủy ban nhân dân" and its name with the type word in
 * lower case ("Thành phố Phan Thiết" -> "Ủy ban nhân dân thành phố Phan
 * Thiết"). Returns buf. */
char *th_official_committee(const char *unit_name, char *buf, size_t size);

#endif
