/*
 * codes.h — statistical division codes: county 6 digits, township 9, village 12.
 * A village code starts with its township's code, a township's with its county's,
 * a county's with its province's two digits (the province itself: those two and
 * "0000", e.g. 520000).
 */
#ifndef LIKA_CODES_H
#define LIKA_CODES_H

#include <stddef.h>

#define CODE_MAX 16     /* buffer size for any node or village code */

enum role { ROLE_NONE = 0, ROLE_TOWNSHIP, ROLE_COUNTY, ROLE_PROVINCE };

const char *role_name(enum role r);
enum role role_parse(const char *s);       /* ROLE_NONE if unknown */

/* Each returns 0 if S is a valid code of that kind; else -1 with the reason in ERR. */
int code_check_province(const char *s, char *err, size_t errlen);
int code_check_county(const char *s, char *err, size_t errlen);
int code_check_township(const char *s, char *err, size_t errlen);
int code_check_village(const char *s, char *err, size_t errlen);
/* A village of township TOWNSHIP: a valid village code that starts with it. */
int code_check_village_of(const char *s, const char *township, char *err, size_t errlen);

/* The node code's role: 6 digits ending in 0000 province, other 6 county, 9 township. */
enum role code_role(const char *s);
/* The province of county or township code S ("520102101" -> "520000") into OUT; -1 if none. */
int code_province_of(const char *s, char out[CODE_MAX]);

#endif
