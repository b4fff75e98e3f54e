/*
 * csv.h — spreadsheet files: RFC 4180 CSV in and out, and the encodings
 * offices save them in (UTF-8 with or without BOM, GB18030).
 *
 * The parser is our own (about a hundred lines) rather than libcsv: it keeps
 * each record's line number for error reports, works in place on one buffer
 * and needs no extra package on the office machines.
 */
#ifndef LIKA_CSV_H
#define LIKA_CSV_H

#include <stddef.h>
#include <stdio.h>

struct csv_row {
	char **fields;          /* NUL-terminated, pointing into the parser's buffer */
	size_t n;
	size_t line;            /* line of the file where the record starts (1-based) */
};

struct csv {
	char *buf;              /* the text, unquoted in place */
	struct csv_row *rows;
	size_t nrows;
};

/*
 * Parse TEXT (UTF-8, NUL-terminated; LEN bytes) into CSV: fields separated by
 * commas, records by CRLF, LF or a lone CR; quoted fields may hold commas, quotes ("")
 * and line breaks.  Records that are entirely empty are skipped.  Takes
 * ownership of TEXT (*TEXT is cleared).  A quote inside an unquoted field, a
 * quoted field left open or a NUL byte in a field is refused with its line
 * (and, for a NUL, its column).
 */
int csv_parse(struct csv *csv, char **text, size_t len, char *err, size_t errlen);
void csv_release(struct csv *csv);

/*
 * Parse TEXT (taken, NUL-terminated UTF-8), a JSON array of flat objects, into
 * the same form: row 0 the keys of the first object, then one row per object
 * with its values in that order.  Values are strings, numbers (kept as their
 * text) or null ("").  A key not in the first object, more than
 * CSV_JSON_MAX_KEYS keys, or anything else refuses the text.  Row "line" is
 * the object's number (1-based).
 */
#define CSV_JSON_MAX_KEYS 64
int csv_parse_json(struct csv *csv, char **text, char *err, size_t errlen);

/* 1 if the LEN bytes at S are valid UTF-8 (shortest forms, no surrogates). */
int csv_utf8_valid(const char *s, size_t len);
/* Offset of the first byte of S (LEN) where UTF-8 breaks; LEN if it never does. */
size_t csv_utf8_invalid_at(const char *s, size_t len);
/* The line (1-based; CRLF, LF or a lone CR end one) of byte offset OFF of S. */
size_t csv_line_at(const char *s, size_t off);

/*
 * Convert the LEN bytes of IN to UTF-8 into *OUT (malloc'd, NUL-terminated,
 * BOM removed).  ENCODING "utf-8", "gb18030" or NULL to detect: valid UTF-8 is
 * UTF-8; a file broken somewhere that holds more UTF-8 characters of three
 * or four bytes than GB18030 text has by chance (bytes in them at least an
 * eighth of the bytes in no valid character) is refused as mixed, naming
 * the line and byte offset (counted in the file as given, BOM included) of
 * the first bad byte; anything else is GB18030.  *USED names the encoding
 * taken.  Errors name the line and byte offset.
 */
int csv_to_utf8(const char *in, size_t len, const char *encoding, char **out,
    size_t *outlen, const char **used, char *err, size_t errlen);

/*
 * UTF-8 text IN (LEN bytes; a leading BOM dropped) as GB18030 into *OUT
 * (malloc'd).  For offices whose spreadsheet does not read UTF-8.
 */
int csv_to_gb18030(const char *in, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen);

/* Write S as one CSV field (quoted when it holds a comma, quote or line break). */
void csv_write_field(FILE *f, const char *s);

/*
 * Write S as one CSV field that a spreadsheet shows and never runs (CSV
 * injection, OWASP): a value starting with = + - @, a tab or a CR (and not a
 * plain number such as -3.5) gets a leading ', and so does a value starting
 * with one or more ' and then one of those, so that csv_excel_unguard, which
 * drops exactly one ' before them, gives every value back unchanged.
 */
void csv_write_field_safe(FILE *f, const char *s);

/*
 * The same for a file meant to be opened in Excel or WPS: besides the ', a
 * long digit string (an ID number, bank account or household id, which Excel
 * would turn into 1.10105E+17) gets a leading tab so it stays text.  Import
 * drops both.
 */
void csv_write_field_excel(FILE *f, const char *s);

/* A cell as read back: without the ' or tab csv_write_field_safe/_excel added. */
const char *csv_excel_unguard(const char *s);

#endif
