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
	{ "province", "省", NULL },
	{ NULL, NULL, NULL },
};

const struct label label_findings[] = {
	{ "open", "尚无调查结论", NULL },
	{ "upheld", "异议成立", "成立" },
	{ "dismissed", "异议不成立", "不成立" },
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

/*
 * English names of the codes of the county's code lists (the seeded rows).
 * Other Chinese words for a code (纯女户, 乡(镇)内务工) are data: the county's
 * synonym table, read by the same lookup (household.c).
 */
struct code_label {
	const char *table, *code, *en;
};
static const struct code_label s_code_labels[] = {
	{ "code_sex", "01", "male" },
	{ "code_sex", "02", "female" },
	{ "code_relation", "01", "head" },
	{ "code_relation", "02", "spouse" },
	{ "code_relation", "03", "son" },
	{ "code_relation", "04", "daughter" },
	{ "code_relation", "05", "daughter_in_law" },
	{ "code_relation", "06", "son_in_law" },
	{ "code_relation", "07", "grandson" },
	{ "code_relation", "08", "granddaughter" },
	{ "code_relation", "09", "daughters_son" },
	{ "code_relation", "10", "daughters_daughter" },
	{ "code_relation", "11", "father" },
	{ "code_relation", "12", "mother" },
	{ "code_relation", "13", "wifes_father" },
	{ "code_relation", "14", "wifes_mother" },
	{ "code_relation", "15", "husbands_father" },
	{ "code_relation", "16", "husbands_mother" },
	{ "code_relation", "17", "grandfather" },
	{ "code_relation", "18", "grandmother" },
	{ "code_relation", "19", "mothers_father" },
	{ "code_relation", "20", "mothers_mother" },
	{ "code_relation", "21", "other" },
	{ "code_ethnicity", "01", "han" },
	{ "code_education", "01", "illiterate" },
	{ "code_education", "02", "primary" },
	{ "code_education", "03", "junior_secondary" },
	{ "code_education", "04", "senior_secondary" },
	{ "code_education", "05", "college" },
	{ "code_education", "06", "preschool_child" },
	{ "code_schooling", "01", "not_in_school" },
	{ "code_schooling", "02", "preschool" },
	{ "code_schooling", "03", "primary" },
	{ "code_schooling", "04", "grades_7_9" },
	{ "code_schooling", "05", "senior_secondary" },
	{ "code_schooling", "06", "secondary_vocational" },
	{ "code_schooling", "07", "higher_vocational" },
	{ "code_schooling", "08", "college" },
	{ "code_health", "01", "healthy" },
	{ "code_health", "02", "chronic_illness" },
	{ "code_health", "03", "serious_illness" },
	{ "code_health", "04", "disabled" },
	{ "code_labour", "01", "ordinary" },
	{ "code_labour", "02", "skilled" },
	{ "code_labour", "03", "lost" },
	{ "code_labour", "04", "none" },
	{ "code_migrant", "01", "in_township" },
	{ "code_migrant", "02", "in_county" },
	{ "code_migrant", "03", "in_province" },
	{ "code_migrant", "04", "out_of_province" },
	{ "code_migrant", "05", "other" },
	{ "code_insurance", "01", "rural_cooperative_medical" },
	{ "code_insurance", "02", "residents_pension" },
	{ "code_insurance", "03", "serious_illness" },
	{ "code_cause", "01", "illness" },
	{ "code_cause", "02", "disability" },
	{ "code_cause", "03", "schooling" },
	{ "code_cause", "04", "disaster" },
	{ "code_cause", "05", "lack_of_land" },
	{ "code_cause", "06", "lack_of_water" },
	{ "code_cause", "07", "lack_of_skills" },
	{ "code_cause", "08", "lack_of_labour" },
	{ "code_cause", "09", "lack_of_funds" },
	{ "code_cause", "10", "poor_transport" },
	{ "code_cause", "11", "lack_of_drive" },
	{ "code_cause", "12", "other" },
	{ "code_attribute", "01", "ordinary" },
	{ "code_attribute", "02", "dibao" },
	{ "code_attribute", "03", "wubao" },
	{ "code_standard", "01", "national" },
	{ "code_standard", "02", "provincial" },
	{ "code_standard", "03", "municipal" },
	{ "code_flag", "01", "only_child" },
	{ "code_flag", "02", "two_daughters" },
	{ "code_flag", "03", "military_family" },
	{ "code_status", "01", "applicant" },
	{ "code_status", "02", "under_review" },
	{ "code_status", "03", "registered" },
	{ "code_status", "04", "rejected" },
	{ "code_status", "05", "exited" },
	{ "code_status", "06", "returned" },
	{ "code_status", "07", "removed" },
	{ NULL, NULL, NULL },
};

const char *
label_code_find(const char *table, const char *s)
{
	char key[64];

	if (!s || !*s)
		return NULL;
	s_keyform(key, sizeof key, s);
	for (const struct code_label *l = s_code_labels; l->table; l++)
		if (!strcmp(l->table, table) && !strcmp(l->en, key))
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
