/* json_dupkeys.h -- finding a key that appears twice in one JSON object.
 *
 * json-c keeps the last of two equal keys without a word, so a plan file
 * with "value" written twice in a target would silently lose one of them.
 * This strict scan of the text finds such a key before json-c parses it, and
 * names where it is the way the file checks name fields
 * ("programmes[0].targets[1].value"). Keys are compared as json-c stores
 * them: escapes decoded, a lone surrogate as U+FFFD, cut at a \u0000.
 *
 * The scan keeps no state outside its call (the server runs it on several
 * threads) and nests at most TH_JSON_MAX_DEPTH objects and arrays deep:
 * deeper text is refused, never followed into unbounded recursion. */
#ifndef TH_JSON_DUPKEYS_H
#define TH_JSON_DUPKEYS_H

#include <stddef.h>

#include "validate.h"

#define TH_JSON_MAX_DEPTH 64

typedef enum th_json_scan {
    TH_JSON_UNIQUE = 0,     /* no object has a key twice */
    TH_JSON_DUPLICATE = 1,  /* a key appears twice: see th_json_dup */
    TH_JSON_MALFORMED = -1, /* the text is not JSON (the parser will say where) */
    TH_JSON_TOO_DEEP = -2,  /* nested deeper than TH_JSON_MAX_DEPTH */
    TH_JSON_NOMEM = -3,
} th_json_scan;

/* The first repeated key in the text's order. Text from the file is made
 * safe to print: control characters and bytes that are not UTF-8 become '?'. */
typedef struct th_json_dup {
    char path[128]; /* the key's path: "programmes[0].targets[1].value"; cut (at a character) when longer */
    char key[96];   /* the key alone: "value" */
    size_t offset;  /* byte offset of its second occurrence in the text */
    int line;       /* and its line and column (in characters), from 1 */
    int column;
} th_json_dup;

/* Scans len bytes of text (no byte-order mark: the caller skips it). Returns
 * a th_json_scan; on TH_JSON_DUPLICATE fills *dup (may be NULL). */
int th_json_find_duplicate_key(const char *text, size_t len, th_json_dup *dup);

/* The check the plan and catalogue files run on their text before json-c
 * parses it. Returns 0 when no key repeats, and also when the text is not
 * JSON: then *unreadable is set, and the parser's error is the one to show
 * (should the parser accept it all the same, the caller refuses the file).
 * Otherwise returns -1 with err set: BAD_JSON, the key's path as the field
 * and "LINE:COLUMN duplicate key "KEY"" as the detail; BAD_JSON for text
 * nested too deeply; INTERNAL when memory runs out. */
int th_json_check_keys(const char *text, size_t len, th_verr *err, int *unreadable);

/* What the file checks do first: skip a UTF-8 byte-order mark (some
 * Windows editors write one), then th_json_check_keys. Advances *text and
 * *len past the mark. Returns 0 or -1 with err set. */
int th_json_strict_prepare(const char **text, size_t *len, th_verr *err, int *unreadable);

#endif
