/*
 * test_labels.c — the words a clerk types and reads (lib/domain/labels.c):
 * a code option takes the key, the Chinese label or another name; the
 * English names of the county's code lists lead to their codes; every
 * list's keys and labels are unique, so a name never means two things.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "labels.h"

static void
test_find_by_key_label_and_other_names(void **state)
{
	(void)state;
	assert_string_equal(label_find(label_exclusions, "crime")->key, "crime");
	assert_string_equal(label_find(label_exclusions, "赌博")->key, "crime");
	assert_string_equal(label_find(label_exclusions, "吸毒")->key, "crime");
	assert_string_equal(label_find(label_exclusions, "土地撂荒")->key, "land_waste");
	assert_string_equal(label_find(label_exclusions, "Land-Waste")->key, "land_waste");
	assert_string_equal(label_find(label_measure_categories, "产业发展")->key, "production");
	assert_string_equal(label_find(label_measure_categories, "易地扶贫搬迁")->key, "relocation");
	assert_string_equal(label_find(label_official_roles, "驻村干部")->key, "village-cadre");
	assert_string_equal(label_find(label_official_roles, "village_cadre")->key, "village-cadre");
	assert_null(label_find(label_exclusions, "懒惰"));
	assert_null(label_find(label_exclusions, ""));
	assert_null(label_find(label_exclusions, NULL));
	/* a part of a name is not the name */
	assert_null(label_find(label_exclusions, "赌"));
	assert_null(label_find(label_measure_categories, "产业"));
}

static void
test_zh_and_names(void **state)
{
	char names[256];

	(void)state;
	assert_string_equal(label_zh(label_stages, "registered"), "已建档立卡");
	assert_string_equal(label_zh(label_stages, "unknown"), "unknown");
	assert_string_equal(label_zh(label_stages, NULL), "");
	assert_string_equal(label_stages[STAGE_NOTICE1].key, "village_notice");
	assert_null(label_stages[STAGE_COUNT].key);
	label_names(label_half_year, names, sizeof names);
	assert_string_equal(names, "stay 继续扶持, exit 脱贫退出, return 返贫, remove 清退");
	/* cut short on a whole entry, never mid-character */
	label_names(label_half_year, names, 20);
	assert_string_equal(names, "stay 继续扶持");
}

static void
test_code_english(void **state)
{
	(void)state;
	assert_string_equal(label_code_find("code_flag", "two_daughters"), "02");
	assert_string_equal(label_code_find("code_flag", "Two-Daughters"), "02");
	/* Chinese synonyms are the county's data (synonym table), not labels */
	assert_null(label_code_find("code_flag", "纯女户"));
	assert_string_equal(label_code_find("code_cause", "illness"), "01");
	assert_string_equal(label_code_find("code_status", "registered"), "03");
	/* the same English word in two lists means each list's own code */
	assert_string_equal(label_code_find("code_schooling", "college"), "08");
	assert_string_equal(label_code_find("code_education", "college"), "05");
	assert_null(label_code_find("code_flag", "illness"));
	assert_null(label_code_find("code_nothing", "male"));
	assert_string_equal(label_code_english("code_sex", "02"), "female");
	assert_null(label_code_english("code_sex", "09"));
}

/* Within a list no key, label or other name names two entries. */
static void
s_unique(const struct label *list)
{
	for (const struct label *a = list; a->key; a++)
		for (const struct label *b = a + 1; b->key; b++) {
			assert_string_not_equal(a->key, b->key);
			assert_string_not_equal(a->zh, b->zh);
			assert_ptr_equal(label_find(list, b->zh), b);
			if (a->also)
				assert_ptr_not_equal(label_find(list, a->zh), b);
		}
}

static void
test_lists_unique(void **state)
{
	(void)state;
	s_unique(label_exclusions);
	s_unique(label_measure_categories);
	s_unique(label_measure_statuses);
	s_unique(label_decisions);
	s_unique(label_half_year);
	s_unique(label_official_roles);
	s_unique(label_procedures);
	s_unique(label_findings);
	s_unique(label_node_roles);
	s_unique(label_stages);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_key_label_and_other_names),
		cmocka_unit_test(test_zh_and_names),
		cmocka_unit_test(test_code_english),
		cmocka_unit_test(test_lists_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
