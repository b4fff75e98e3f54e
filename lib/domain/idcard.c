/* idcard.c — GB 11643-1999 resident identity numbers */
#include "idcard.h"
#include "util.h"

#include <string.h>

static const int s_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char s_check_chars[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };

char
idcard_check_char(const char *s)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * s_weights[i];
	return s_check_chars[sum % 11];
}

static int
s_days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int
idcard_check(const char *s, int today, char *err, size_t errlen)
{
	if (!s || strlen(s) != IDCARD_LEN)
		return errf(err, errlen, "ID number \"%s\" must be 18 characters", s ? s : "");
	for (int i = 0; i < 17; i++)
		if (s[i] < '0' || s[i] > '9')
			return errf(err, errlen, "ID number \"%s\": character %d is not a digit", s, i + 1);
	char last = s[17] == 'x' ? 'X' : s[17];
	if (!((last >= '0' && last <= '9') || last == 'X'))
		return errf(err, errlen, "ID number \"%s\": the check character must be 0-9 or X", s);

	int birth = idcard_birth(s);
	int y = birth / 10000, m = birth / 100 % 100, d = birth % 100;
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > s_days_in_month(y, m))
		return errf(err, errlen, "ID number \"%s\": birth date %08d is not a date", s, birth);
	if (today > 0 && birth > today)
		return errf(err, errlen, "ID number \"%s\": birth date %08d is in the future", s, birth);

	char want = idcard_check_char(s);
	if (last != want)
		return errf(err, errlen, "ID number \"%s\": check character is %c, should be %c",
		    s, s[17], want);
	return 0;
}

enum idcard_sex
idcard_sex(const char *s)
{
	return (s[16] - '0') % 2 ? IDCARD_MALE : IDCARD_FEMALE;
}

int
idcard_birth(const char *s)
{
	int v = 0;

	for (int i = 6; i < 14; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

void
idcard_normalize(char *out, const char *s)
{
	size_t n = strlen(s);

	if (n > IDCARD_LEN)
		n = IDCARD_LEN;
	memcpy(out, s, n);
	out[n] = '\0';
	if (n == IDCARD_LEN && out[17] == 'x')
		out[17] = 'X';
}
