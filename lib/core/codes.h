/*
 * codes.h — statistical division codes: county 6 digits, township 9, village 12.
 * A village code starts with its township's code, a township's with its county's.
 */
#ifndef LIKA_CODES_H
#define LIKA_CODES_H

#include <stddef.h>

#define CODE_MAX 16     /* buffer size for any node or village code */

enum role { ROLE_NONE = 0, ROLE_TOWNSHIP, ROLE_COUNTY };

const char *role_name(enum role r);
enum role role_parse(const char *s);       /* ROLE_NONE if unknown */

/* Each returns 0 if S is a valid code of that kind; else -1 with the reason in ERR. */
int code_check_county(const char *s, char *err, size_t errlen);
int code_check_township(const char *s, char *err, size_t errlen);
int code_check_village(const char *s, char *err, size_t errlen);
/* A village of township TOWNSHIP: a valid village code that starts with it. */
int code_check_village_of(const char *s, const char *township, char *err, size_t errlen);

/* The node code's role by length (6 county, 9 township), ROLE_NONE otherwise. */
enum role code_role(const char *s);

#endif
