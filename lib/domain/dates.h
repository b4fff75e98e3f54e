/*
 * dates.h — the calendar dates the procedure records (YYYY-MM-DD, proleptic
 * Gregorian) and the test clock: $LIKA_TODAY, when set to a valid date, is
 * "today" for every date and for the clock of change sets (see ledger.h).
 */
#ifndef LIKA_DATES_H
#define LIKA_DATES_H

/* Today as YYYY-MM-DD (local time, or $LIKA_TODAY for tests). */
void date_today(char out[11]);
/* Days since 1970-01-01 of a YYYY-MM-DD date, or -1 if it is not a valid date. */
long date_day(const char *date);
/* The date DAY (days since 1970-01-01) as YYYY-MM-DD. */
void date_format(char out[11], long day);

/* The half year (半年) of DATE: "YYYY-1" January–June, "YYYY-2" July–December. */
void date_half_year(char out[8], const char *date);

#endif
