/*
 * labels.c — English keys and Chinese labels (labels.h).
 */
#include "labels.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct label label_exclusions[] = {
	{ "land_waste", "土地撂荒", "撂荒;弃耕抛荒;土地撂荒不流转" },
	{ "family_planning", "违反计划生育政策", "计划生育;违反计划生育" },
	{ "crime", "赌博、吸毒等违法犯罪", "赌博;吸毒;违法犯罪;好逸恶劳" },
	{ NULL, NULL, NULL },
};

const struct label label_measure_categories[] = {
	{ "production", "产业发展", "产业扶持" },
	{ "training", "劳动力转移培训", "转移就业;培训" },
	{ "infrastructure", "基础设施", "基础设施建设" },
	{ "relocation", "扶贫搬迁", "易地扶贫搬迁;搬迁" },
	{ "health", "医疗救助", "健康扶贫" },
	{ "schooling", "教育资助", "教育扶贫" },
	{ "housing", "危房改造", NULL },
	{ NULL, NULL, NULL },
};

const struct label label_measure_statuses[] = {
	{ "planned", "计划", NULL },
	{ "running", "实施中", NULL },
	{ "done", "已完成", "完成" },
	{ "cancelled", "已取消", "取消" },
	{ NULL, NULL, NULL },
};

const struct label label_decisions[] = {
	{ "apply", "申请", NULL },
	{ "posted", "已公示", NULL },
	{ "pass", "通过", NULL },
	{ "reject", "不通过", "退回" },
	{ NULL, NULL, NULL },
};

const struct label label_half_year[] = {
	{ "stay", "继续扶持", NULL },
	{ "exit", "脱贫退出", NULL },
	{ "return", "返贫", NULL },
	{ "remove", "清退", NULL },
	{ NULL, NULL, NULL },
};

const struct label label_official_roles[] = {
	{ "village-cadre", "驻村干部", NULL },
	{ "township-head", "乡镇长", "乡镇长（乡长、镇长）;乡长;镇长" },
	{ "county-office", "县扶贫和移民办", "县扶贫办" },
	{ NULL, NULL, NULL },
};

const struct label label_procedures[] = {
	{ "entry", "识别", "建档立卡" },
	{ "exit", "脱贫退出", "退出" },
	{ NULL, NULL, NULL },
};

const struct label label_node_roles[] = {
	{ "township", "乡镇", NULL },
	{ "county", "县", NULL },
	{ NULL, NULL, NULL },
};

const struct label label_stages[STAGE_COUNT + 1] = {
	[STAGE_NONE]       = { "none", "未申请", "未申请" },
	[STAGE_VILLAGE]    = { "village", "村级评议中", "村评议" },
	[STAGE_NOTICE1]    = { "village_notice", "村级公示中", "村公示" },
	[STAGE_TOWNSHIP]   = { "township", "乡镇审核中", "乡审核" },
	[STAGE_COUNTY]     = { "county", "县级审批中", "县审批" },
	[STAGE_REGISTERED] = { "registered", "已建档立卡", "已建档" },
	[STAGE_REJECTED]   = { "rejected", "未通过（退回）", "未通过" },
	[STAGE_EXITING]    = { "exiting", "脱贫退出中", "退出中" },
	[STAGE_EXITED]     = { "exited", "已脱贫", "已脱贫" },
	[STAGE_REMOVED]    = { "removed", "清退", "清退" },
	[STAGE_COUNT]      = { NULL, NULL, NULL },
};

/* Is S one of the ";"-separated NAMES? */
static int
s_in_list(const char *names, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = names; p && *p; ) {
		size_t len = strcspn(p, ";");
		if (len == n && strncmp(p, s, len) == 0)
			return 1;
		p += len;
		p += *p == ';';
	}
	return 0;
}

/* S as a key: lower case, '-' as '_' (at most LEN - 1 bytes). */
static void
s_keyform(char *out, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = s[i] == '-' ? '_' : (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

const struct label *
label_find(const struct label *list, const char *s)
{
	char key[64], lkey[64];

	if (!s || !*s)
		return NULL;
	s_keyform(key, sizeof key, s);
	for (const struct label *l = list; l->key; l++) {
		s_keyform(lkey, sizeof lkey, l->key);
		if (!strcmp(lkey, key) || !strcmp(l->zh, s) || s_in_list(l->also, s))
			return l;
	}
	return NULL;
}

const char *
label_zh(const struct label *list, const char *key)
{
	if (!key)
		return "";
	for (const struct label *l = list; l->key; l++)
		if (!strcmp(l->key, key))
			return l->zh;
	return key;
}

void
label_names(const struct label *list, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (const struct label *l = list; l->key && used + 1 < len; l++) {
		int n = snprintf(out + used, len - used, "%s%s %s", used ? ", " : "", l->key, l->zh);
		if (n < 0 || (size_t)n >= len - used) {
			out[used] = '\0';      /* whole entries only: no half a character */
			break;
		}
		used += (size_t)n;
	}
}

/* English names of the codes of the county's code lists (the seeded rows). */
struct code_label {
	const char *table, *code, *en, *also;
};
static const struct code_label s_code_labels[] = {
	{ "code_sex", "01", "male", NULL },
	{ "code_sex", "02", "female", NULL },
	{ "code_relation", "01", "head", NULL },
	{ "code_relation", "02", "spouse", NULL },
	{ "code_relation", "03", "son", "儿子" },
	{ "code_relation", "04", "daughter", "女儿" },
	{ "code_relation", "05", "daughter_in_law", "儿媳" },
	{ "code_relation", "06", "son_in_law", "女婿" },
	{ "code_relation", "07", "grandson", "孙子" },
	{ "code_relation", "08", "granddaughter", "孙女" },
	{ "code_relation", "09", "daughters_son", "外孙子;外孙" },
	{ "code_relation", "10", "daughters_daughter", "外孙女" },
	{ "code_relation", "11", "father", "父亲" },
	{ "code_relation", "12", "mother", "母亲" },
	{ "code_relation", "13", "wifes_father", "岳父" },
	{ "code_relation", "14", "wifes_mother", "岳母" },
	{ "code_relation", "15", "husbands_father", "公公" },
	{ "code_relation", "16", "husbands_mother", "婆婆" },
	{ "code_relation", "17", "grandfather", "祖父" },
	{ "code_relation", "18", "grandmother", "祖母" },
	{ "code_relation", "19", "mothers_father", "外祖父" },
	{ "code_relation", "20", "mothers_mother", "外祖母" },
	{ "code_relation", "21", "other", NULL },
	{ "code_ethnicity", "01", "han", "汉" },
	{ "code_education", "01", "illiterate", NULL },
	{ "code_education", "02", "primary", NULL },
	{ "code_education", "03", "junior_secondary", NULL },
	{ "code_education", "04", "senior_secondary", NULL },
	{ "code_education", "05", "college", NULL },
	{ "code_education", "06", "preschool_child", NULL },
	{ "code_schooling", "01", "not_in_school", NULL },
	{ "code_schooling", "02", "preschool", NULL },
	{ "code_schooling", "03", "primary", NULL },
	{ "code_schooling", "04", "grades_7_9", "七-九年级;初中" },
	{ "code_schooling", "05", "senior_secondary", NULL },
	{ "code_schooling", "06", "secondary_vocational", NULL },
	{ "code_schooling", "07", "higher_vocational", NULL },
	{ "code_schooling", "08", "college", NULL },
	{ "code_health", "01", "healthy", NULL },
	{ "code_health", "02", "chronic_illness", NULL },
	{ "code_health", "03", "serious_illness", NULL },
	{ "code_health", "04", "disabled", NULL },
	{ "code_labour", "01", "ordinary", NULL },
	{ "code_labour", "02", "skilled", NULL },
	{ "code_labour", "03", "lost", NULL },
	{ "code_labour", "04", "none", NULL },
	{ "code_migrant", "01", "in_township", NULL },
	{ "code_migrant", "02", "in_county", NULL },
	{ "code_migrant", "03", "in_province", NULL },
	{ "code_migrant", "04", "out_of_province", NULL },
	{ "code_migrant", "05", "other", NULL },
	{ "code_insurance", "01", "rural_cooperative_medical", NULL },
	{ "code_insurance", "02", "residents_pension", NULL },
	{ "code_insurance", "03", "serious_illness", NULL },
	{ "code_cause", "01", "illness", NULL },
	{ "code_cause", "02", "disability", NULL },
	{ "code_cause", "03", "schooling", NULL },
	{ "code_cause", "04", "disaster", NULL },
	{ "code_cause", "05", "lack_of_land", NULL },
	{ "code_cause", "06", "lack_of_water", NULL },
	{ "code_cause", "07", "lack_of_skills", NULL },
	{ "code_cause", "08", "lack_of_labour", NULL },
	{ "code_cause", "09", "lack_of_funds", NULL },
	{ "code_cause", "10", "poor_transport", NULL },
	{ "code_cause", "11", "lack_of_drive", NULL },
	{ "code_cause", "12", "other", NULL },
	{ "code_attribute", "01", "ordinary", NULL },
	{ "code_attribute", "02", "dibao", NULL },
	{ "code_attribute", "03", "wubao", NULL },
	{ "code_standard", "01", "national", NULL },
	{ "code_standard", "02", "provincial", NULL },
	{ "code_standard", "03", "municipal", NULL },
	{ "code_flag", "01", "only_child", NULL },
	{ "code_flag", "02", "two_daughters", "纯女户" },
	{ "code_flag", "03", "military_family", NULL },
	{ "code_status", "01", "applicant", NULL },
	{ "code_status", "02", "under_review", NULL },
	{ "code_status", "03", "registered", NULL },
	{ "code_status", "04", "rejected", NULL },
	{ "code_status", "05", "exited", NULL },
	{ "code_status", "06", "returned", NULL },
	{ "code_status", "07", "removed", NULL },
	{ NULL, NULL, NULL, NULL },
};

const char *
label_code_find(const char *table, const char *s)
{
	char key[64];

	if (!s || !*s)
		return NULL;
	s_keyform(key, sizeof key, s);
	for (const struct code_label *l = s_code_labels; l->table; l++)
		if (!strcmp(l->table, table) && (!strcmp(l->en, key) || s_in_list(l->also, s)))
			return l->code;
	return NULL;
}

const char *
label_code_english(const char *table, const char *code)
{
	if (!code)
		return NULL;
	for (const struct code_label *l = s_code_labels; l->table; l++)
		if (!strcmp(l->table, table) && !strcmp(l->code, code))
			return l->en;
	return NULL;
}
