/* schema.c — state-table declarations and DDL */
#include "schema.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- county tables: the trust root and policy --------------------------- */

/* Township nodes the county admits (its roster); the key verifies their feeds. */
static const struct column_def roster_node_cols[] = {
	{ "pubkey", COL_T_BLOB, "Ed25519 public key, 32 bytes" },
	{ "name", COL_T_TEXT, NULL },
	{ "role", COL_T_TEXT, "\"township\"" },
	{ "removed", COL_T_INT, "1: no longer admitted (its past feed stays valid)" },
	{ NULL, 0, NULL },
};
static const struct table_def roster_node = {
	"roster_node", OWNER_COUNTY, roster_node_cols, NULL, NULL,
	"township code (9 digits)",
	"Township nodes the county admits (its roster); `pubkey` verifies their feeds.",
};

/* County policy values, versioned by year: id = "NAME/YEAR", e.g. "poverty_line/2023". */
static const struct column_def policy_cols[] = {
	{ "name", COL_T_TEXT, "policy name, e.g. poverty_line" },
	{ "year", COL_T_INT, "first year the value holds" },
	{ "value", COL_T_TEXT, "the value as text" },
	{ "note", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};
static const struct table_def policy = {
	"policy", OWNER_COUNTY, policy_cols, "name", NULL,
	"`NAME/YEAR`, e.g. `poverty_line/2023`",
	"County policy values, versioned by year (proto/PROCEDURE.md, \"Policy values\").",
};

/* ---- the identification procedure (proto/PROCEDURE.md) -------------------- */

/*
 * 干部名册: officials who sign procedure steps (驻村干部, 乡镇长, 县扶贫和移民办).
 * id = office code + "/" + 3-digit number.  A row is never re-keyed: a new key
 * for a person is a new row, so every past signature stays verifiable.
 */
static const struct column_def official_cols[] = {
	{ "pubkey", COL_T_BLOB, "Ed25519 public key, 32 bytes" },
	{ "role", COL_T_TEXT, "village-cadre, township-head, county-office" },
	{ "name", COL_T_TEXT, NULL },
	{ "office", COL_T_TEXT, "division code: county, township or village" },
	{ "removed", COL_T_INT, "1: may sign no new step (past ones stay valid)" },
	{ NULL, 0, NULL },
};
static const struct table_def official = {
	"official", OWNER_COUNTY, official_cols, "office", NULL,
	"office code `/` 3-digit number, e.g. `522701101/001`",
	"干部名册: officials who sign procedure steps. A row is never re-keyed: a new key for a person is a new row.",
};

/* 扶贫规模: households a township or village may register in a year; id = CODE/YEAR. */
static const struct column_def quota_cols[] = {
	{ "code", COL_T_TEXT, "9-digit township or 12-digit village" },
	{ "year", COL_T_INT, NULL },
	{ "households", COL_T_INT, "the most households of the year" },
	{ NULL, 0, NULL },
};
static const struct table_def quota = {
	"quota", OWNER_COUNTY, quota_cols, "code", NULL,
	"`CODE/YEAR`",
	"扶贫规模: households a township or village may register in a year.",
};

/*
 * County steps of a household's procedure (县级审批, 第三榜公示, 脱贫公告):
 * id = household id + "/" + 2-digit round + "/" + 2-digit step number, the
 * same columns as review_step.  The county owns these rows; they flow down.
 */
static const struct column_def step_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "round", COL_T_INT, "1, 2 …: a new application or an exit opens a round" },
	{ "procedure", COL_T_TEXT, "\"entry\" (识别) or \"exit\" (脱贫退出)" },
	{ "step", COL_T_TEXT, "step name, e.g. \"village_eval\"" },
	{ "decision", COL_T_TEXT, "pass, reject, or the step's own word" },
	{ "at", COL_T_TEXT, "YYYY-MM-DD: the day of the step (notice: first day)" },
	{ "by_name", COL_T_TEXT, "who: the signing official, or the body or clerk that acted" },
	{ "days", COL_T_INT, "notices: length in days" },
	{ "reasons", COL_T_TEXT, "required with a rejection" },
	{ "details", COL_T_TEXT, "step-specific JSON object (votes, panel, figures)" },
	{ "record_hash", COL_T_BLOB, "BLAKE2b-256 of the household record when signed" },
	{ "official", COL_T_TEXT, "official id of the signer, NULL if unsigned" },
	{ "signer", COL_T_BLOB, "that official's public key" },
	{ "sig", COL_T_BLOB, "official's Ed25519 signature of the statement" },
	{ "seal", COL_T_BLOB, "township node's signature of the statement (公章)" },
	{ NULL, 0, NULL },
};
static const struct table_def approval = {
	"approval", OWNER_COUNTY, step_cols, "household", NULL,
	"household id `/` 2-digit round `/` 2-digit step number",
	"County steps of a household's procedure (县级审批, 第三榜公示, 脱贫公告).",
};

/* ---- code lists (county tables; a county may add rows) ----------------------
 *
 * id = the code (2 digits; rows refer to it, so a code never changes its
 * meaning), name = the Chinese term offices print and type.  Input accepts either.
 */
static const struct column_def code_cols[] = {
	{ "name", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};

/* 性别 sex */
static const struct table_def code_sex = {
	"code_sex", OWNER_COUNTY, code_cols, NULL,
	    "('01','男'), ('02','女')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 与户主关系 relation to head */
static const struct table_def code_relation = {
	"code_relation", OWNER_COUNTY, code_cols, NULL,
	    "('01','户主'), ('02','配偶'), ('03','之子'), ('04','之女'), ('05','之儿媳'), "
	    "('06','之女婿'), ('07','之孙子'), ('08','之孙女'), ('09','之外孙子'), "
	    "('10','之外孙女'), ('11','之父'), ('12','之母'), ('13','之岳父'), "
	    "('14','之岳母'), ('15','之公公'), ('16','之婆婆'), ('17','之祖父'), "
	    "('18','之祖母'), ('19','之外祖父'), ('20','之外祖母'), ('21','其他')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 民族 ethnicity (GB 3304 order) */
static const struct table_def code_ethnicity = {
	"code_ethnicity", OWNER_COUNTY, code_cols, NULL,
	    "('01','汉族'), ('02','蒙古族'), ('03','回族'), ('04','藏族'), "
	    "('05','维吾尔族'), ('06','苗族'), ('07','彝族'), ('08','壮族'), "
	    "('09','布依族'), ('10','朝鲜族'), ('11','满族'), ('12','侗族'), "
	    "('13','瑶族'), ('14','白族'), ('15','土家族'), ('16','哈尼族'), "
	    "('17','哈萨克族'), ('18','傣族'), ('19','黎族'), ('20','傈僳族'), "
	    "('21','佤族'), ('22','畲族'), ('23','高山族'), ('24','拉祜族'), "
	    "('25','水族'), ('26','东乡族'), ('27','纳西族'), ('28','景颇族'), "
	    "('29','柯尔克孜族'), ('30','土族'), ('31','达斡尔族'), ('32','仫佬族'), "
	    "('33','羌族'), ('34','布朗族'), ('35','撒拉族'), ('36','毛南族'), "
	    "('37','仡佬族'), ('38','锡伯族'), ('39','阿昌族'), ('40','普米族'), "
	    "('41','塔吉克族'), ('42','怒族'), ('43','乌孜别克族'), ('44','俄罗斯族'), "
	    "('45','鄂温克族'), ('46','德昂族'), ('47','保安族'), ('48','裕固族'), "
	    "('49','京族'), ('50','塔塔尔族'), ('51','独龙族'), ('52','鄂伦春族'), "
	    "('53','赫哲族'), ('54','门巴族'), ('55','珞巴族'), ('56','基诺族')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 文化程度 education */
static const struct table_def code_education = {
	"code_education", OWNER_COUNTY, code_cols, NULL,
	    "('01','文盲或半文盲'), ('02','小学'), ('03','初中'), ('04','高中'), "
	    "('05','大专及以上'), ('06','学龄前儿童')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 在校生状况 schooling status */
static const struct table_def code_schooling = {
	"code_schooling", OWNER_COUNTY, code_cols, NULL,
	    "('01','非在校生'), ('02','学前教育'), ('03','小学'), ('04','七–九年级'), "
	    "('05','高中'), ('06','中职'), ('07','高职'), ('08','大专及以上')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 健康状况 health */
static const struct table_def code_health = {
	"code_health", OWNER_COUNTY, code_cols, NULL,
	    "('01','健康'), ('02','长期慢性病'), ('03','患有大病'), ('04','残疾')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 劳动技能 labour ability */
static const struct table_def code_labour = {
	"code_labour", OWNER_COUNTY, code_cols, NULL,
	    "('01','普通劳动力'), ('02','技能劳动力'), ('03','丧失劳动力'), "
	    "('04','无劳动力')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 务工状况 migrant work */
static const struct table_def code_migrant = {
	"code_migrant", OWNER_COUNTY, code_cols, NULL,
	    "('01','乡镇内'), ('02','乡镇外县内'), ('03','县外省内'), ('04','省外'), "
	    "('05','其他')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 参加保险 insurance */
static const struct table_def code_insurance = {
	"code_insurance", OWNER_COUNTY, code_cols, NULL,
	    "('01','新农合'), ('02','城乡居民养老保险'), ('03','大病保险')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 致贫原因 poverty cause */
static const struct table_def code_cause = {
	"code_cause", OWNER_COUNTY, code_cols, NULL,
	    "('01','因病'), ('02','因残'), ('03','因学'), ('04','因灾'), ('05','缺土地'), "
	    "('06','缺水'), ('07','缺技术'), ('08','缺劳力'), ('09','缺资金'), "
	    "('10','交通条件落后'), ('11','自身发展动力不足'), ('12','其他')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 贫困户属性 household attribute */
static const struct table_def code_attribute = {
	"code_attribute", OWNER_COUNTY, code_cols, NULL,
	    "('01','一般贫困户'), ('02','低保贫困户'), ('03','五保贫困户')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 识别标准 identification standard */
static const struct table_def code_standard = {
	"code_standard", OWNER_COUNTY, code_cols, NULL,
	    "('01','国家标准'), ('02','省定标准'), ('03','市定标准')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 户标识 household flag */
static const struct table_def code_flag = {
	"code_flag", OWNER_COUNTY, code_cols, NULL,
	    "('01','独生子女户'), ('02','双女户'), ('03','军烈属')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* 状态 household status */
static const struct table_def code_status = {
	"code_status", OWNER_COUNTY, code_cols, NULL,
	    "('01','申请'), ('02','审核中'), ('03','已建档立卡'), ('04','未通过'), "
	    "('05','已脱贫'), ('06','返贫'), ('07','清退')",
	"the code: 2 digits",
	"Code list; `name` is the Chinese term offices print and type.",
};

/* ---- township tables ------------------------------------------------------ */

/* 村: id = 12-digit village code. */
static const struct column_def village_cols[] = {
	{ "name", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};
static const struct table_def village = {
	"village", OWNER_TOWNSHIP, village_cols, NULL, NULL,
	"12-digit village code",
	"村.",
};

/* 村民小组: id = village code + "/" + 2-digit group number. */
static const struct column_def village_group_cols[] = {
	{ "village", COL_T_TEXT, "12-digit village code" },
	{ "name", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};
static const struct table_def village_group = {
	"village_group", OWNER_TOWNSHIP, village_group_cols, "village", NULL,
	"village code `/` 2-digit group number",
	"村民小组.",
};

/* ---- schema 2: evaluation groups, spot checks, code synonyms ------------------ */

/*
 * 评议小组: the village's evaluation group of a year, recorded once and named
 * by every village_eval step of that year; id = village code + "/" + year.
 */
static const struct column_def eval_group_cols[] = {
	{ "village", COL_T_TEXT, "12-digit village code" },
	{ "year", COL_T_INT, NULL },
	{ "members", COL_T_TEXT, "the members' names, comma-separated (3 to 15)" },
	{ "formed_at", COL_T_TEXT, "YYYY-MM-DD: the day the group was formed" },
	{ "note", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};
static const struct table_def eval_group = {
	"eval_group", OWNER_TOWNSHIP, eval_group_cols, "village", NULL,
	"village code `/` year",
	"评议小组: a village's evaluation group of a year, named by its village_eval steps (schema 2).",
};

/*
 * 抽查/暗访: a spot check by the township or the county; id = the writing
 * node's code + "/" + year + "/" + 3-digit number, so either level writes its own.
 */
static const struct column_def spot_check_cols[] = {
	{ "kind", COL_T_TEXT, "\"spot\" (抽查) or \"unannounced\" (暗访)" },
	{ "at", COL_T_TEXT, "YYYY-MM-DD" },
	{ "by_name", COL_T_TEXT, "who checked" },
	{ "households", COL_T_TEXT, "household ids checked, comma-separated" },
	{ "findings", COL_T_TEXT, NULL },
	{ "follow_up", COL_T_TEXT, "what is to be done, NULL if nothing" },
	{ NULL, 0, NULL },
};
static const struct table_def spot_check = {
	"spot_check", OWNER_NODE, spot_check_cols, "at", NULL,
	"node code `/` year `/` 3-digit number",
	"抽查/暗访: a spot check by the township or the county (schema 2).",
};

/*
 * Code-list synonyms: words offices type for a code (乡(镇)内务工 for 01 of
 * code_migrant); id = code table + "/" + 16 hex digits of BLAKE2b-64 of the
 * word (a key is printable ASCII).  Seeded with the common ones;
 * the county adds its own.
 */
static const struct column_def code_synonym_cols[] = {
	{ "list", COL_T_TEXT, "the code table, e.g. code_migrant" },
	{ "word", COL_T_TEXT, "what offices type" },
	{ "code", COL_T_TEXT, "the code it stands for" },
	{ NULL, 0, NULL },
};
static const struct table_def code_synonym = {
	"synonym", OWNER_COUNTY, code_synonym_cols, "list",
	    "('code_migrant/294deca7fd2453c7','code_migrant','乡(镇)内务工','01'), "
	    "('code_migrant/96314438b8ed2921','code_migrant','乡镇内务工','01'), "
	    "('code_migrant/f94163d38c06e47f','code_migrant','乡(镇)外县内务工','02'), "
	    "('code_migrant/cdeb9b1747ff0b83','code_migrant','乡镇外县内务工','02'), "
	    "('code_migrant/8e82eea2a4c5d372','code_migrant','县外省内务工','03'), "
	    "('code_migrant/c11c61c67a73e3fb','code_migrant','省外务工','04'), "
	    "('code_migrant/cd149657e51a9cf2','code_migrant','未务工','05'), "
	    "('code_flag/37281f6fdf5491a8','code_flag','纯女户','02'), "
	    "('code_flag/ac77e1f15f067c97','code_flag','军烈属户','03'), "
	    "('code_sex/d771176dd7e249d5','code_sex','男性','01'), "
	    "('code_sex/669b5a88e7dadf8b','code_sex','女性','02'), "
	    "('code_relation/2c6368e34ffb2e9d','code_relation','本人','01'), "
	    "('code_relation/aa003e11f86c486d','code_relation','妻','02'), "
	    "('code_relation/b6177ee632535f63','code_relation','夫','02'), "
	    "('code_relation/22ff1e52d4dfbde6','code_relation','子','03'), "
	    "('code_relation/9ff01e001448ce28','code_relation','女','04'), "
	    "('code_relation/f688b6f7b96b3374','code_relation','儿媳','05'), "
	    "('code_relation/4d357d5f01542c6d','code_relation','女婿','06'), "
	    "('code_relation/d0519c80e0b3423c','code_relation','孙子','07'), "
	    "('code_relation/0c7c4c7264ddf01f','code_relation','孙女','08'), "
	    "('code_relation/036562343531ad9b','code_relation','父亲','11'), "
	    "('code_relation/0d100caf156942ff','code_relation','母亲','12'), "
	    "('code_education/fa4e4b9f36b7e749','code_education','文盲','01'), "
	    "('code_education/1c2baf3262be65bc','code_education','半文盲','01'), "
	    "('code_education/3d4b0e8307e32d31','code_education','大专','05'), "
	    "('code_education/7e4dfac6a6a022c9','code_education','本科','05'), "
	    "('code_health/96b3c53984205674','code_health','长期慢性病患者','02'), "
	    "('code_health/e3c86dd83083d9db','code_health','大病','03'), "
	    "('code_labour/5bf1083c1f51cf58','code_labour','无','04'), "
	    "('code_insurance/d411ea9d44c09b40','code_insurance','新型农村合作医疗','01'), "
	    "('code_insurance/db8b67958de5af34','code_insurance','城乡居民基本养老保险','02'), "
	    "('code_cause/0fc920f4ca3ee675','code_cause','因病致贫','01'), "
	    "('code_cause/abbf7dc63f1a54e2','code_cause','因残致贫','02'), "
	    "('code_cause/5d42853407aad71d','code_cause','因学致贫','03'), "
	    "('code_cause/fcc6b5738b19364f','code_cause','因灾致贫','04'), "
	    "('code_attribute/241d3716f64a3fcd','code_attribute','一般户','01'), "
	    "('code_attribute/a82c2eda7855f50f','code_attribute','低保户','02'), "
	    "('code_attribute/977c1ab79c8dc04d','code_attribute','五保户','03')",
	"code table `/` 16 hex digits: the first 8 bytes of BLAKE2b of the word (keys are ASCII)",
	"Code-list synonyms: a word offices type for a code, accepted wherever the code is read; seeded with the common ones, the county adds its own (schema 2).",
};

/* ---- the identification procedure, township side ----------------------------- */

/* Township steps (申请 … 乡镇长签字, 登记): id and columns as approval. */
static const struct table_def review_step = {
	"review_step", OWNER_TOWNSHIP, step_cols, "household", NULL,
	"household id `/` 2-digit round `/` 2-digit step number",
	"Township steps (申请 … 乡镇长签字, 登记); the same columns as `approval`.",
};

/* 异议: an objection raised during a notice and its finding; id = step id + "/" + NN. */
static const struct column_def objection_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "step", COL_T_TEXT, "id of the notice step (review_step or approval)" },
	{ "at", COL_T_TEXT, "YYYY-MM-DD" },
	{ "by_name", COL_T_TEXT, "who objected (may be 匿名)" },
	{ "content", COL_T_TEXT, NULL },
	{ "finding", COL_T_TEXT, "NULL while open; \"upheld\" or \"dismissed\"" },
	{ "finding_at", COL_T_TEXT, "YYYY-MM-DD" },
	{ "finding_note", COL_T_TEXT, NULL },
	{ NULL, 0, NULL },
};
static const struct table_def objection = {
	"objection", OWNER_TOWNSHIP, objection_cols, "household", NULL,
	"notice step id `/` 2-digit number",
	"异议: an objection raised during a notice and its finding.",
};

/* 三不评: a recorded exclusion finding; id = household id + "/" + kind. */
static const struct column_def exclusion_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "kind", COL_T_TEXT, "land_waste, family_planning, crime" },
	{ "source", COL_T_TEXT, "where the finding comes from" },
	{ "at", COL_T_TEXT, "YYYY-MM-DD" },
	{ "lifted", COL_T_INT, "1: found wrong and lifted" },
	{ NULL, 0, NULL },
};
static const struct table_def exclusion = {
	"exclusion", OWNER_TOWNSHIP, exclusion_cols, "household", NULL,
	"household id `/` kind",
	"三不评: a recorded exclusion finding.",
};

/* 帮扶措施: id = household id + "/M" + 3-digit number. */
static const struct column_def measure_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "category", COL_T_TEXT, "production, training, infrastructure, relocation, health, schooling, housing" },
	{ "project", COL_T_TEXT, NULL },
	{ "funds", COL_T_INT, "fen" },
	{ "start", COL_T_TEXT, "YYYY-MM-DD" },
	{ "deadline", COL_T_TEXT, "YYYY-MM-DD" },
	{ "status", COL_T_TEXT, "planned, running, done, cancelled" },
	{ NULL, 0, NULL },
};
static const struct table_def measure = {
	"measure", OWNER_TOWNSHIP, measure_cols, "household", NULL,
	"household id `/M` 3-digit number",
	"帮扶措施: an assistance measure.",
};

/* 帮扶责任人: id = household id + "/H" + 3-digit number; a change adds a row. */
static const struct column_def helper_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "name", COL_T_TEXT, NULL },
	{ "unit", COL_T_TEXT, "work unit" },
	{ "level", COL_T_TEXT, "its level: county, township, village …" },
	{ "phone", COL_T_TEXT, NULL },
	{ "start", COL_T_TEXT, "YYYY-MM-DD" },
	{ "end", COL_T_TEXT, "NULL while paired" },
	{ NULL, 0, NULL },
};
static const struct table_def helper = {
	"helper", OWNER_TOWNSHIP, helper_cols, "household;name", NULL,
	"household id `/H` 3-digit number",
	"帮扶责任人: a change of helper adds a row.",
};

/* 半年审核: id = household id + "/" + YYYY-H (half 1 or 2). */
static const struct column_def half_year_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "period", COL_T_TEXT, "\"2014-2\"" },
	{ "decision", COL_T_TEXT, "stay, exit, return, remove" },
	{ "at", COL_T_TEXT, "YYYY-MM-DD" },
	{ "reasons", COL_T_TEXT, NULL },
	{ "official", COL_T_TEXT, "official id of the signer" },
	{ "signer", COL_T_BLOB, "that official's public key" },
	{ "sig", COL_T_BLOB, "official's Ed25519 signature of the half-year statement" },
	{ NULL, 0, NULL },
};
static const struct table_def half_year = {
	"half_year", OWNER_TOWNSHIP, half_year_cols, "household", NULL,
	"household id `/` YYYY-H (half 1 or 2)",
	"半年审核: the half-yearly review decision.",
};

/* ---- households (一户一档) ---------------------------------------------------- */

/*
 * 户: id = township code + 6-digit sequence ("522701101000042"), so keys are
 * ordered and unique county-wide.  Money is never here: see income.
 */
static const struct column_def household_cols[] = {
	{ "village", COL_T_TEXT, "12-digit village code of this township" },
	{ "address", COL_T_TEXT, NULL },
	{ "phone", COL_T_TEXT, NULL },
	{ "bank", COL_T_TEXT, "开户银行" },
	{ "account", COL_T_TEXT, "bank account for transfers, digits" },
	{ "attribute", COL_T_TEXT, "code_attribute" },
	{ "standard", COL_T_TEXT, "code_standard" },
	{ "first_year", COL_T_INT, "year of first identification" },
	{ "status", COL_T_TEXT, "code_status" },
	{ "cause_note", COL_T_TEXT, "free-text description of the causes" },
	/* schema 2 */
	{ "village_group", COL_T_TEXT, "村民小组: 2-digit group number of its village (schema 2)" },
	{ NULL, 0, NULL },
};
static const struct table_def household = {
	"household", OWNER_TOWNSHIP, household_cols, "village", NULL,
	"township code + 6-digit number, e.g. `522701101000042`",
	"户: the household. Money is never here: see `income`.",
};

/*
 * Living and production conditions, one row per household (id = household id).
 * Areas and distances in hundredths (0.01 亩, 0.01 m², 0.01 km): no floats in
 * change sets.  Flags 0/1, NULL when not recorded.
 */
static const struct column_def household_condition_cols[] = {
	{ "farmland", COL_T_INT, "耕地, 0.01 亩" },
	{ "irrigated", COL_T_INT, "有效灌溉面积, 0.01 亩" },
	{ "forest", COL_T_INT, "林地, 0.01 亩" },
	{ "housing_area", COL_T_INT, "住房面积, 0.01 m²" },
	{ "dangerous_house", COL_T_INT, "危房" },
	{ "safe_water", COL_T_INT, "饮水安全" },
	{ "electricity", COL_T_INT, "通生活用电" },
	{ "road_distance", COL_T_INT, "距村主干路, 0.01 km" },
	{ NULL, 0, NULL },
};
static const struct table_def household_condition = {
	"household_condition", OWNER_TOWNSHIP, household_condition_cols, NULL, NULL,
	"household id",
	"Living and production conditions, one row a household. Areas and distances in hundredths; flags 0/1, NULL when not recorded.",
};

/* 致贫原因: id = household id + "/" + cause code; exactly one row has main = 1. */
static const struct column_def household_cause_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "cause", COL_T_TEXT, "code_cause" },
	{ "main", COL_T_INT, "1: 主要致贫原因, 0: one of at most two others" },
	{ NULL, 0, NULL },
};
static const struct table_def household_cause = {
	"household_cause", OWNER_TOWNSHIP, household_cause_cols, "household;cause", NULL,
	"household id `/` cause code",
	"致贫原因: exactly one row of a household has `main` = 1.",
};

/* 户标识 (独生子女户, 双女户, 军烈属 …): id = household id + "/" + flag code. */
static const struct column_def household_flag_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "flag", COL_T_TEXT, "code_flag" },
	{ NULL, 0, NULL },
};
static const struct table_def household_flag = {
	"household_flag", OWNER_TOWNSHIP, household_flag_cols, "household", NULL,
	"household id `/` flag code",
	"户标识 (独生子女户, 双女户, 军烈属 …).",
};

/* 家庭成员: id = household id + "/" + 2-digit member number. */
static const struct column_def member_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "name", COL_T_TEXT, NULL },
	{ "idcard", COL_T_TEXT, "GB 11643-1999, 18 characters, X upper case" },
	{ "sex", COL_T_TEXT, "code_sex" },
	{ "relation", COL_T_TEXT, "code_relation; \"01\" 户主 exactly once a household" },
	{ "ethnicity", COL_T_TEXT, "code_ethnicity" },
	{ "education", COL_T_TEXT, "code_education" },
	{ "schooling", COL_T_TEXT, "code_schooling" },
	{ "health", COL_T_TEXT, "code_health" },
	{ "labour", COL_T_TEXT, "code_labour" },
	{ "migrant", COL_T_TEXT, "code_migrant" },
	{ "migrant_months", COL_T_INT, NULL },
	{ "insurance", COL_T_TEXT, "code_insurance codes, sorted, comma-separated" },
	{ NULL, 0, NULL },
};
static const struct table_def member = {
	"member", OWNER_TOWNSHIP, member_cols, "household;idcard", NULL,
	"household id `/` 2-digit member number",
	"家庭成员: a member of the household.",
};

/*
 * Income of a year (年度收入): id = household id + "/" + year.  Amounts in fen
 * (分).  size and net_per_capita are computed when the row is written
 * (household_income_compute), never typed: net_per_capita = (wages + business
 * + property + transfers − costs) / size, rounded half away from zero to the fen.
 */
static const struct column_def income_cols[] = {
	{ "household", COL_T_TEXT, "household id" },
	{ "year", COL_T_INT, NULL },
	{ "wages", COL_T_INT, "工资性收入" },
	{ "business", COL_T_INT, "生产经营性收入" },
	{ "property", COL_T_INT, "财产性收入" },
	{ "transfers", COL_T_INT, "转移性收入" },
	{ "costs", COL_T_INT, "生产经营性支出" },
	{ "size", COL_T_INT, "household size the figure was computed with" },
	{ "net_per_capita", COL_T_INT, "人均纯收入, fen" },
	{ NULL, 0, NULL },
};
static const struct table_def income = {
	"income", OWNER_TOWNSHIP, income_cols, "household", NULL,
	"household id `/` year",
	"年度收入: income of a year, in fen (分). `size` and `net_per_capita` are computed when the row is written: net_per_capita = (wages + business + property + transfers − costs) / size, rounded half away from zero to the fen.",
};

/*
 * A person found in households of more than one township (重复人员): the hub
 * looks for them, since no township sees the others' members, and publishes
 * a notice in the county feed.  id = the resident ID number.
 */
static const struct column_def duplicate_notice_cols[] = {
	{ "members", COL_T_TEXT, "member ids holding the number, comma-separated" },
	{ "found_at", COL_T_INT, "unix ms" },
	{ "resolved_at", COL_T_INT, "unix ms once no longer duplicated, else NULL" },
	{ NULL, 0, NULL },
};
static const struct table_def duplicate_notice = {
	"duplicate_notice", OWNER_COUNTY, duplicate_notice_cols, NULL, NULL,
	"the resident ID number",
	"重复人员: a person found in households of more than one township, published by the hub.",
};

/* ---- who did it (the web console) ------------------------------------------
 *
 * A change set written through the console carries one more op: a row of
 * clerk_change naming the clerk signed in, so the name travels with the change
 * to the hub and is in every replay.  id = origin code + "/" + the change
 * set's seq as 10 digits (so `lika log` joins it to its change set); the
 * accounts themselves are local to the node and never replicated.
 */
static const struct column_def clerk_change_cols[] = {
	{ "clerk", COL_T_TEXT, "the clerk's account name at that node" },
	{ "record", COL_T_TEXT, "the household (or \"import\") the change was about" },
	{ NULL, 0, NULL },
};
static const struct table_def clerk_change = {
	"clerk_change", OWNER_TOWNSHIP, clerk_change_cols, "record", NULL,
	"origin code `/` seq of the change set, 10 digits",
	"Who did it: the clerk signed in to the web console when the change set was written (schema 2).",
};

const struct table_def *const schema_tables[] = {
	&roster_node,
	&policy,
	&village,
	&village_group,
	&code_sex,
	&code_relation,
	&code_ethnicity,
	&code_education,
	&code_schooling,
	&code_health,
	&code_labour,
	&code_migrant,
	&code_insurance,
	&code_cause,
	&code_attribute,
	&code_standard,
	&code_flag,
	&code_status,
	&household,
	&household_condition,
	&household_cause,
	&household_flag,
	&member,
	&income,
	/* the procedure and assistance (proto/PROCEDURE.md) */
	&official,
	&quota,
	&approval,
	&review_step,
	&objection,
	&exclusion,
	&measure,
	&helper,
	&half_year,
	&duplicate_notice,
	/* schema 2 */
	&eval_group,
	&spot_check,
	&code_synonym,
	/* schema 2: the web console */
	&clerk_change,
	NULL,
};

const struct table_def *
schema_table(const char *name, size_t len)
{
	for (const struct table_def *const *t = schema_tables; *t; t++)
		if (strlen((*t)->name) == len && memcmp((*t)->name, name, len) == 0)
			return *t;
	return NULL;
}

int
schema_column(const struct table_def *t, const char *name, size_t len)
{
	for (int i = 0; t->cols[i].name; i++)
		if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0)
			return i;
	return -1;
}

size_t
schema_ncols(const struct table_def *t)
{
	size_t n = 0;

	while (t->cols[n].name)
		n++;
	return n;
}

static const char *
s_type(enum col_type t)
{
	switch (t) {
	case COL_T_INT:
		return "INTEGER";
	case COL_T_BLOB:
		return "BLOB";
	default:
		return "TEXT";
	}
}

static int
s_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "sqlite: %s (in \"%.80s\")", msg ? msg : "?", sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Columns a newer schema added to an existing table: ALTER TABLE appends
 * them, and a table declares its new columns last, so a migrated table has
 * the columns of a new one in the same order (verify compares rows whole).
 */
static int
s_add_columns(sqlite3 *db, const char *dbname, const struct table_def *t, char *err, size_t errlen)
{
	/* one look at the column count first: every open passes here */
	char *count = sqlite3_mprintf("SELECT count(*) FROM pragma_table_info(%Q, %Q)", t->name, dbname);
	sqlite3_stmt *cs = NULL;
	int have = -1;
	if (count && sqlite3_prepare_v2(db, count, -1, &cs, NULL) == SQLITE_OK &&
	    sqlite3_step(cs) == SQLITE_ROW)
		have = sqlite3_column_int(cs, 0);
	sqlite3_finalize(cs);
	sqlite3_free(count);
	if (have == (int)schema_ncols(t) + 1)
		return 0;
	for (int i = 0; t->cols[i].name; i++) {
		char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q, %Q) WHERE name = %Q",
		    t->name, dbname, t->cols[i].name);
		sqlite3_stmt *st = NULL;
		int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			return errf(err, errlen, "sqlite: %s (columns of \"%s\")", sqlite3_errmsg(db), t->name);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW)
			continue;
		if (rc != SQLITE_DONE)
			return errf(err, errlen, "sqlite: %s (columns of \"%s\")", sqlite3_errmsg(db), t->name);
		sql = sqlite3_mprintf("ALTER TABLE \"%w\".\"%w\" ADD COLUMN \"%w\" %s", dbname, t->name,
		    t->cols[i].name, s_type(t->cols[i].type));
		rc = sql ? s_exec(db, sql, err, errlen) : errf(err, errlen, "out of memory");
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
schema_create(sqlite3 *db, const char *dbname, char *err, size_t errlen)
{
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		const struct table_def *t = *tp;
		sqlite3_str *s = sqlite3_str_new(db);

		sqlite3_str_appendf(s, "CREATE TABLE IF NOT EXISTS \"%w\".\"%w\" (id TEXT PRIMARY KEY NOT NULL",
		    dbname, t->name);
		for (int i = 0; t->cols[i].name; i++)
			sqlite3_str_appendf(s, ", \"%w\" %s", t->cols[i].name, s_type(t->cols[i].type));
		sqlite3_str_appendf(s, ");");
		if (t->indexes) {
			char *list = strdup(t->indexes), *save = NULL;
			int n = 0;
			for (char *ix = strtok_r(list, ";", &save); ix; ix = strtok_r(NULL, ";", &save))
				sqlite3_str_appendf(s, "CREATE INDEX IF NOT EXISTS \"%w\".\"%w_ix%d\" ON \"%w\" (%s);",
				    dbname, t->name, n++, t->name, ix);
			free(list);
		}
		if (t->seed) {
			sqlite3_str_appendf(s, "INSERT OR IGNORE INTO \"%w\".\"%w\" VALUES %s;",
			    dbname, t->name, t->seed);
		}
		char *sql = sqlite3_str_finish(s);
		if (!sql)
			return errf(err, errlen, "out of memory");
		int rc = s_exec(db, sql, err, errlen);
		sqlite3_free(sql);
		if (rc < 0 || s_add_columns(db, dbname, t, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
schema_drop(sqlite3 *db, const char *dbname, char *err, size_t errlen)
{
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w\";", dbname, (*tp)->name);
		int rc = s_exec(db, sql, err, errlen);
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
	}
	return 0;
}
