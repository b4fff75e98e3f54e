/*
 * idcard.h — resident identity numbers (公民身份号码, GB 11643-1999).
 *
 * 18 characters: 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit
 * sequence (odd: male, even: female) and a check character (0-9 or X) over
 * the first 17 digits, ISO 7064 MOD 11-2.  The address code is the one in force
 * when the number was issued, so it is not looked up in today's code list.
 */
#ifndef LIKA_IDCARD_H
#define LIKA_IDCARD_H

#include <stddef.h>

#define IDCARD_LEN 18

enum idcard_sex { IDCARD_MALE = 1, IDCARD_FEMALE = 2 };

/* The check character for the first 17 digits of S (S must hold 17 digits). */
char idcard_check_char(const char *s);

/*
 * 0 if S is a well-formed number: length, digits, a real calendar date from
 * 1800-01-01 (a valid sample number is of 1880: 440524188001010014) up to TODAY (YYYYMMDD as an
 * integer; 0: no upper bound), and the check character ('x' is taken for
 * 'X').  Else -1 and ERR names what is wrong.
 */
int idcard_check(const char *s, int today, char *err, size_t errlen);

/* The sex the sequence encodes; S must have passed idcard_check. */
enum idcard_sex idcard_sex(const char *s);

/* Birth date as YYYYMMDD; S must have passed idcard_check. */
int idcard_birth(const char *s);

/* Copy S into OUT (IDCARD_LEN + 1 bytes) with a lower-case x raised to X. */
void idcard_normalize(char *out, const char *s);

#endif
