/* money.h — amounts of yuan kept as integer fen (分): no floats anywhere */
#ifndef LIKA_MONEY_H
#define LIKA_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Parse yuan "2300", "2736.5", "2736.50" into fen; -1 if not an amount >= 0. */
int money_parse_yuan(const char *s, int64_t *fen);
/* Format fen as yuan "2300.00". */
void money_format_yuan(char *out, size_t len, int64_t fen);

#endif
