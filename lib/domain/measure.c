/*
 * measure.c — the categories and statuses of assistance measures (measure.h).
 */
#include "measure.h"
#include "labels.h"

#include <stddef.h>
#include <string.h>

static const char *const s_statuses[] = {
	MEASURE_PLANNED, MEASURE_RUNNING, MEASURE_DONE, MEASURE_CANCELLED, NULL,
};

int
measure_category_known(const char *c)
{
	const struct label *l = label_find(label_measure_categories, c);

	return l && !strcmp(l->key, c);
}

const char *
measure_category_label(const char *c)
{
	return label_zh(label_measure_categories, c);
}

const char *
measure_category_parse(const char *s)
{
	const struct label *l = label_find(label_measure_categories, s);

	return l ? l->key : NULL;
}

int
measure_status_known(const char *s)
{
	for (int i = 0; s_statuses[i]; i++)
		if (!strcmp(s_statuses[i], s))
			return 1;
	return 0;
}
