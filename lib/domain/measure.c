/*
 * measure.c — the categories and statuses of assistance measures (measure.h).
 */
#include "measure.h"

#include <stddef.h>
#include <string.h>

static const char *const s_categories[][2] = {
	{ "production", "产业发展" },
	{ "training", "劳动力转移培训" },
	{ "infrastructure", "基础设施" },
	{ "relocation", "扶贫搬迁" },
	{ "health", "医疗救助" },
	{ "schooling", "教育资助" },
	{ "housing", "危房改造" },
	{ NULL, NULL },
};

static const char *const s_statuses[] = {
	MEASURE_PLANNED, MEASURE_RUNNING, MEASURE_DONE, MEASURE_CANCELLED, NULL,
};

/* The label of category C, NULL if none. */
static const char *
s_category(const char *c)
{
	for (int i = 0; s_categories[i][0]; i++)
		if (!strcmp(s_categories[i][0], c))
			return s_categories[i][1];
	return NULL;
}

int
measure_category_known(const char *c)
{
	return s_category(c) != NULL;
}

const char *
measure_category_label(const char *c)
{
	const char *label = s_category(c);

	return label ? label : c;
}

int
measure_status_known(const char *s)
{
	for (int i = 0; s_statuses[i]; i++)
		if (!strcmp(s_statuses[i], s))
			return 1;
	return 0;
}
