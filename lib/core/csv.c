/* csv.c — RFC 4180 parsing and writing; UTF-8 / GB18030 detection */
#include "csv.h"
#include "util.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int
s_push_field(struct csv_row *r, size_t *cap, char *f)
{
	if (r->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(r->fields, nc * sizeof *r->fields);
		if (!p)
			return -1;
		r->fields = p;
		*cap = nc;
	}
	r->fields[r->n++] = f;
	return 0;
}

static int
s_push_row(struct csv *csv, size_t *cap, struct csv_row *r)
{
	/* a record of one empty field is a blank line */
	if (r->n == 1 && r->fields[0][0] == '\0') {
		free(r->fields);
		return 0;
	}
	if (csv->nrows == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *p = realloc(csv->rows, nc * sizeof *csv->rows);
		if (!p)
			return -1;
		csv->rows = p;
		*cap = nc;
	}
	csv->rows[csv->nrows++] = *r;
	return 0;
}

int
csv_parse(struct csv *csv, char **text, size_t len, char *err, size_t errlen)
{
	char *p, *end, *w;
	size_t line = 1, rowcap = 0, fcap = 0;
	struct csv_row r = { NULL, 0, 1 };

	memset(csv, 0, sizeof *csv);
	csv->buf = *text;
	*text = NULL;
	p = w = csv->buf;
	end = csv->buf + len;
	if (len == 0)
		return 0;
	for (;;) {
		/* one field: W is where its unquoted bytes go (never ahead of P) */
		char *field = w;
		if (p < end && *p == '"') {
			size_t qline = line;
			p++;
			for (;;) {
				if (p >= end) {
					errf(err, errlen, "line %zu: a quoted field is not closed", qline);
					goto fail;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					line++;
				if (*p == '\0')
					goto nul;
				*w++ = *p++;
			}
			if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
				errf(err, errlen, "line %zu: text after the closing quote of a field", line);
				goto fail;
			}
		} else {
			while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
				if (*p == '"') {
					errf(err, errlen, "line %zu: a quote inside an unquoted field "
					    "(quote the whole field and double the quote)", line);
					goto fail;
				}
				if (*p == '\0')
					goto nul;
				*w++ = *p++;
			}
		}
		/* the terminator is read before the NUL is written: W may equal P.
		 * A record ends at CRLF, LF or a lone CR (old Mac spreadsheets). */
		char term = p < end ? *p : '\0';
		if (p < end)
			p++;
		if (term == '\r' && p < end && *p == '\n')
			p++;
		*w++ = '\0';
		if (s_push_field(&r, &fcap, field) < 0)
			goto nomem;
		if (term == ',')
			continue;
		/* end of record: line break or end of text */
		if (s_push_row(csv, &rowcap, &r) < 0)
			goto nomem;
		if (term == '\n' || term == '\r')
			line++;
		memset(&r, 0, sizeof r);
		fcap = 0;
		r.line = line;
		if (p >= end)
			break;
	}
	return 0;
nul:
	/* a NUL would end the cell early and drop what follows it (王\0<script> stored as 王) */
	errf(err, errlen, "line %zu, column %zu: a NUL byte in the cell", line, r.n + 1);
	goto fail;
nomem:
	errf(err, errlen, "out of memory");
fail:
	free(r.fields);
	csv_release(csv);
	return -1;
}

void
csv_release(struct csv *csv)
{
	for (size_t i = 0; i < csv->nrows; i++)
		free(csv->rows[i].fields);
	free(csv->rows);
	free(csv->buf);
	memset(csv, 0, sizeof *csv);
}

/* Length of the valid UTF-8 character at P (1 for ASCII), 0 if none starts there. */
static size_t
s_utf8_char(const unsigned char *p, const unsigned char *end)
{
	unsigned c = *p;
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	else if (c >= 0xc2 && c <= 0xdf) {
		n = 1; cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2; cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3; cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) <= n)
		return 0;
	for (size_t i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

size_t
csv_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n = s_utf8_char(p, end);
		if (n == 0)
			return (size_t)(p - (const unsigned char *)s);
		p += n;
	}
	return len;
}

int
csv_utf8_valid(const char *s, size_t len)
{
	return csv_utf8_invalid_at(s, len) == len;
}

size_t
csv_line_at(const char *s, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n')))
			line++;
	return line;
}

/*
 * Bytes of IN in valid UTF-8 characters of three or four bytes (*UTF8: every
 * Chinese character in UTF-8 is three) and bytes in no valid character
 * (*BAD).  GB18030 text has few of the first by chance (about one byte in a
 * hundred of its bad ones: a pair such as 路 C2 B7 is valid two-byte UTF-8,
 * three-byte coincidences are rare); a UTF-8 sheet with a stray byte pair
 * has few of the second.
 */
static void
s_utf8_census(const char *in, size_t len, size_t *utf8, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)in, *end = p + len;

	*utf8 = *bad = 0;
	while (p < end) {
		size_t n = s_utf8_char(p, end);
		if (n == 0) {
			(*bad)++;
			p++;
		} else {
			if (n > 2)
				*utf8 += n;
			p += n;
		}
	}
}

int
csv_to_utf8(const char *in, size_t len, const char *encoding, char **out,
    size_t *outlen, const char **used, char *err, size_t errlen)
{
	int utf8;
	size_t bad_at = csv_utf8_invalid_at(in, len);

	*out = NULL;
	if (!encoding) {
		utf8 = bad_at == len;
		size_t u, b;
		if (!utf8) {
			s_utf8_census(in, len, &u, &b);
			/* UTF-8 characters beyond chance in a file with bytes that are
			 * not: a mixed or broken file, which decoded whole as GB18030
			 * would be stored garbled */
			if (u > 0 && u >= b / 8)
				return errf(err, errlen, "line %zu, byte offset %zu (\\x%02x): not valid "
				    "UTF-8, though the rest of the file is UTF-8 (%zu byte%s in all are not): "
				    "a file mixing encodings is refused; correct the cell or save the sheet "
				    "again as UTF-8 (--encoding gb18030 if it is GB18030 throughout)", csv_line_at(in, bad_at), bad_at,
				    (unsigned char)in[bad_at], b, b == 1 ? "" : "s");
		}
	} else if (!strcasecmp(encoding, "utf-8") || !strcasecmp(encoding, "utf8"))
		utf8 = 1;
	else if (!strcasecmp(encoding, "gb18030") || !strcasecmp(encoding, "gbk") ||
	    !strcasecmp(encoding, "gb2312"))
		utf8 = 0;   /* GB18030 is a superset of GBK and GB 2312 */
	else
		return errf(err, errlen, "encoding \"%s\" is neither utf-8 nor gb18030", encoding);

	if (utf8) {
		if (bad_at != len)
			return errf(err, errlen, "line %zu, byte offset %zu (\\x%02x): not valid UTF-8 "
			    "(try --encoding gb18030)", csv_line_at(in, bad_at), bad_at,
			    (unsigned char)in[bad_at]);
		if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
			in += 3;
			len -= 3;
		}
		if (!(*out = malloc(len + 1)))
			return errf(err, errlen, "out of memory");
		memcpy(*out, in, len);
		(*out)[len] = '\0';
		*outlen = len;
		*used = "utf-8";
		return 0;
	}
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return errf(err, errlen, "iconv GB18030: %s", strerror(errno));
	size_t cap = len * 2 + 16;      /* a GB18030 character never grows beyond 2× in UTF-8 */
	char *buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return errf(err, errlen, "out of memory");
	}
	char *ip = (char *)in, *op = buf;
	size_t il = len, ol = cap - 1;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		int e = errno;
		size_t at = (size_t)(ip - in);
		iconv_close(cd);
		free(buf);
		return errf(err, errlen, "line %zu, byte offset %zu: %s (%s)", csv_line_at(in, at), at,
		    encoding ? "not valid GB18030" : "the file is neither UTF-8 nor GB18030",
		    e == EINVAL ? "a character cut short at the end" : strerror(e));
	}
	iconv_close(cd);
	*op = '\0';
	*outlen = (size_t)(op - buf);
	/* a UTF-8 BOM carried over from GB18030's 0x84 0x31 0x95 0x33 */
	if (*outlen >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, *outlen - 2);
		*outlen -= 3;
	}
	*out = buf;
	*used = "gb18030";
	return 0;
}

int
csv_to_gb18030(const char *in, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	*out = NULL;
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		len -= 3;
	}
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	if (cd == (iconv_t)-1)
		return errf(err, errlen, "iconv GB18030: %s", strerror(errno));
	size_t cap = len * 2 + 16;      /* a UTF-8 character is never shorter than half its GB18030 */
	char *buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return errf(err, errlen, "out of memory");
	}
	char *ip = (char *)in, *op = buf;
	size_t il = len, ol = cap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		int e = errno;
		iconv_close(cd);
		free(buf);
		return errf(err, errlen, "to GB18030 at byte %zu: %s", (size_t)(ip - in), strerror(e));
	}
	iconv_close(cd);
	*out = buf;
	*outlen = (size_t)(op - buf);
	return 0;
}

/* -?digits(.digits)?: a number a spreadsheet reads as a number, not a formula */
static int
s_plain_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* 12 or more digits, possibly ending in X: Excel keeps only 15 significant digits. */
static int
s_long_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 12 && (s[n] == '\0' || (s[n] == 'X' && s[n + 1] == '\0'));
}

static const char s_formula_lead[] = "=+-@\t\r";

/* ' and more ' then a formula character: what csv_excel_unguard takes one ' off */
static int
s_quote_marked(const char *s)
{
	size_t q = strspn(s, "'");

	return q > 0 && s[q] && strchr(s_formula_lead, s[q]);
}

/* Would a spreadsheet run S as a formula, or would csv_excel_unguard change it? */
static int
s_needs_quote_mark(const char *s)
{
	if (s_quote_marked(s))
		return 1;
	return strchr(s_formula_lead, s[0]) && !s_plain_number(s);
}

/* S with a leading ' as one field (inside the quotes when it needs them). */
static void
s_write_quote_marked(FILE *f, const char *s)
{
	int quoted = strpbrk(s, ",\"\r\n") != NULL;

	if (quoted)
		fputc('"', f);
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quoted)
		fputc('"', f);
}

void
csv_write_field_safe(FILE *f, const char *s)
{
	if (!s || !*s)
		return;
	if (s_needs_quote_mark(s))
		s_write_quote_marked(f, s);
	else
		csv_write_field(f, s);
}

void
csv_write_field_excel(FILE *f, const char *s)
{
	if (!s || !*s)
		return;
	if (s_needs_quote_mark(s))
		s_write_quote_marked(f, s);
	else if (s_long_digits(s)) {
		fputc('\t', f);
		csv_write_field(f, s);
	} else
		csv_write_field(f, s);
}

const char *
csv_excel_unguard(const char *s)
{
	if (s_quote_marked(s))
		return s + 1;
	if (s[0] == '\t' && s_long_digits(s + 1))
		return s + 1;
	return s;
}

void
csv_write_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ---- JSON as "lika export" writes it: [ {"name": "value" | number | null, …}, … ] -- */

static void
s_json_ws(char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static int
s_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* A string at *P (on its quote), unescaped in place; returns it or NULL. */
static char *
s_json_string(char **p)
{
	char *r = ++*p, *w = r;

	for (;;) {
		unsigned char c = (unsigned char)**p;
		if (c == '\0' || c < 0x20)
			return NULL;
		(*p)++;
		if (c == '"')
			break;
		if (c != '\\') {
			*w++ = (char)c;
			continue;
		}
		c = (unsigned char)*(*p)++;
		switch (c) {
		case '"': case '\\': case '/': *w++ = (char)c; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (s_hex4(*p, &cp) < 0)
				return NULL;
			*p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && (*p)[0] == '\\' && (*p)[1] == 'u' &&
			    s_hex4(*p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				*p += 6;
			} else if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0) {
				return NULL;    /* \u0000 would end the value early */
			}
			/* UTF-8 of cp is never longer than its escape */
			if (cp < 0x80) {
				*w++ = (char)cp;
			} else if (cp < 0x800) {
				*w++ = (char)(0xc0 | cp >> 6);
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				*w++ = (char)(0xe0 | cp >> 12);
				*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*w++ = (char)(0xf0 | cp >> 18);
				*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
				*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			return NULL;
		}
	}
	*w = '\0';
	return r;
}

/* What a step of reading JSON records came to; all but JSON_OK end the parse. */
enum { JSON_OK, JSON_BAD, JSON_FAIL, JSON_NOMEM };

/*
 * A JSON array of records read into a struct csv: the text at P, the rows
 * CAP has room for, the columns (keys of the first record) so far.
 * JSON_BAD is reported at P; JSON_FAIL has put its reason into ERR.
 */
struct s_json {
	struct csv *csv;
	char *p;
	size_t cap, ncols;
	char *err;
	size_t errlen;
};

static char s_json_empty[] = "";

/* A new row for record REC into *OUT, after the header row the first record makes. */
static int
s_json_row(struct s_json *j, size_t rec, struct csv_row **out)
{
	struct csv *csv = j->csv;

	if (csv->nrows + 2 > j->cap) {
		j->cap = j->cap ? j->cap * 2 : 256;
		void *np = realloc(csv->rows, j->cap * sizeof *csv->rows);
		if (!np)
			return JSON_NOMEM;
		csv->rows = np;
	}
	if (csv->nrows == 0) {
		csv->rows[0] = (struct csv_row){ calloc(CSV_JSON_MAX_KEYS, sizeof(char *)), 0, 0 };
		csv->nrows = 1;
		if (!csv->rows[0].fields)
			return JSON_NOMEM;
	}
	struct csv_row *r = &csv->rows[csv->nrows];
	*r = (struct csv_row){ calloc(CSV_JSON_MAX_KEYS, sizeof(char *)), 0, rec };
	if (!r->fields)
		return JSON_NOMEM;
	csv->nrows++;
	*out = r;
	return JSON_OK;
}

/* The value at J->p: a string, null (""), or a number kept as text whose end goes in *END. */
static int
s_json_value(struct s_json *j, char **val, char **end)
{
	*end = NULL;
	if (*j->p == '"')
		return (*val = s_json_string(&j->p)) ? JSON_OK : JSON_BAD;
	if (!strncmp(j->p, "null", 4)) {
		*val = s_json_empty;
		j->p += 4;
		return JSON_OK;
	}
	if (*j->p != '-' && (*j->p < '0' || *j->p > '9'))
		return JSON_BAD;
	/* a number stays text, ended by the caller once its delimiter is read */
	*val = j->p;
	while (*j->p == '-' || *j->p == '+' || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
	    (*j->p >= '0' && *j->p <= '9'))
		j->p++;
	*end = j->p;
	return JSON_OK;
}

/* The column of KEY in record REC: a key of the first record, or a new one while reading it. */
static int
s_json_column(struct s_json *j, char *key, size_t rec, size_t *col)
{
	struct csv_row *hdr = &j->csv->rows[0];

	for (*col = 0; *col < j->ncols; (*col)++)
		if (strcmp(hdr->fields[*col], key) == 0)
			return JSON_OK;
	if (j->csv->nrows > 2) {
		errf(j->err, j->errlen, "JSON record %zu: key \"%s\" is not in the first record", rec, key);
		return JSON_FAIL;
	}
	if (j->ncols == CSV_JSON_MAX_KEYS) {
		errf(j->err, j->errlen, "JSON: more than %d keys", CSV_JSON_MAX_KEYS);
		return JSON_FAIL;
	}
	hdr->fields[j->ncols++] = key;
	hdr->n = j->ncols;
	return JSON_OK;
}

/* One "key": value of record REC into row R; the ',' or '}' after it into *DELIM. */
static int
s_json_member(struct s_json *j, struct csv_row *r, size_t rec, char *delim)
{
	char *key, *val, *end;
	size_t col;
	int rc;

	if (*j->p != '"' || !(key = s_json_string(&j->p)))
		return JSON_BAD;
	s_json_ws(&j->p);
	if (*j->p++ != ':')
		return JSON_BAD;
	s_json_ws(&j->p);
	if ((rc = s_json_value(j, &val, &end)) != JSON_OK)
		return rc;
	s_json_ws(&j->p);
	*delim = *j->p++;
	if (*delim != ',' && *delim != '}')
		return JSON_BAD;
	if (end)
		*end = '\0';   /* may be where the delimiter was: it is read already */
	if ((rc = s_json_column(j, key, rec, &col)) != JSON_OK)
		return rc;
	r->fields[col] = val;
	return JSON_OK;
}

/* Record REC, from its "{": a row, the keys it lacks blank. */
static int
s_json_record(struct s_json *j, size_t rec)
{
	struct csv_row *r;
	char delim;
	int rc;

	if (*j->p != '{')
		return JSON_BAD;
	j->p++;
	if ((rc = s_json_row(j, rec, &r)) != JSON_OK)
		return rc;
	s_json_ws(&j->p);
	if (*j->p == '}')
		j->p++;
	else for (;;) {
		if ((rc = s_json_member(j, r, rec, &delim)) != JSON_OK)
			return rc;
		if (delim == '}')
			break;
		s_json_ws(&j->p);
	}
	r->n = j->ncols;
	for (size_t k = 0; k < j->ncols; k++)
		if (!r->fields[k])
			r->fields[k] = s_json_empty;
	return JSON_OK;
}

/* The array of records: "[", records separated by ",", "]". */
static int
s_json_records(struct s_json *j)
{
	int rc;

	s_json_ws(&j->p);
	if (*j->p++ != '[')
		return JSON_BAD;
	s_json_ws(&j->p);
	for (size_t rec = 1; *j->p != ']'; rec++) {
		if ((rc = s_json_record(j, rec)) != JSON_OK)
			return rc;
		s_json_ws(&j->p);
		if (*j->p == ',') {
			j->p++;
			s_json_ws(&j->p);
		} else if (*j->p != ']') {
			return JSON_BAD;
		}
	}
	return JSON_OK;
}

int
csv_parse_json(struct csv *csv, char **text, char *err, size_t errlen)
{
	struct s_json j = { .csv = csv, .err = err, .errlen = errlen };
	int rc;

	memset(csv, 0, sizeof *csv);
	csv->buf = *text;
	*text = NULL;
	j.p = csv->buf;
	if ((rc = s_json_records(&j)) == JSON_OK)
		return 0;
	if (rc == JSON_BAD)
		errf(err, errlen, "JSON: malformed near byte %zu", (size_t)(j.p - csv->buf));
	else if (rc == JSON_NOMEM)
		errf(err, errlen, "out of memory");
	csv_release(csv);
	return -1;
}
