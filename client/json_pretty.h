/* json_pretty: writes a JSON text indented, as it streams, without building
 * a tree of it.
 *
 * `tonghop report --format json` prints what the server sent: a national
 * report by province is half a megabyte of JSON, and parsing it into
 * json-c objects only to print it again took about 4 MB of the client's
 * 10 (issue #12 asks under 10 MB). The output is byte for byte what
 * json-c's JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
 * JSON_C_TO_STRING_NOSLASHESCAPE makes of the same text, when the text
 * is as PostgreSQL writes it (strings escaped only where JSON requires;
 * tests/unit/test_json_pretty.c holds it to json-c). */
#ifndef TH_JSON_PRETTY_H
#define TH_JSON_PRETTY_H

#include <stddef.h>
#include <stdio.h>

/* Checks that text[0..len) is one JSON value (RFC 8259; containers nested
 * at most 256 deep), whitespace around it allowed. 0 if so, else -1. */
int th_json_pretty_check(const char *text, size_t len);

/* Writes the JSON value text[0..len) to out indented by two spaces a
 * level, each member and element on its own line, then a newline. The
 * text is checked first (th_json_pretty_check): -1 and nothing written
 * when it is not JSON; -1 also when writing fails; 0 otherwise. */
int th_json_pretty_write(FILE *out, const char *text, size_t len);

#endif
