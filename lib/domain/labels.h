/*
 * labels.h — the words a clerk reads and types, in one place: every English
 * key lika stores or prints in --json beside the Chinese label that human
 * output and documents use, and the names a clerk may type for it.
 *
 * Code options take the code, the Chinese name or the English name (and
 * the few other names offices use, `also`).  Lists here are fixed by the
 * program (exclusion kinds, measure categories, stages); the county's code
 * lists (code_*) are data in the ledger, and this file only gives their
 * codes English names (label_code_find, label_code_english); their Chinese
 * synonyms are data too (the synonym table).
 */
#ifndef LIKA_LABELS_H
#define LIKA_LABELS_H

#include <stddef.h>

struct label {
	const char *key;        /* English key: stored, in --json, typed */
	const char *zh;         /* Chinese label: printed, typed */
	const char *also;       /* other names typed, ";"-separated; NULL: none */
};

/* The entry of LIST (ended by { NULL }) that S names (key in any case, zh or also); NULL if none. */
const struct label *label_find(const struct label *list, const char *s);
/* The Chinese label of KEY in LIST; KEY itself if unknown ("" for NULL). */
const char *label_zh(const struct label *list, const char *key);
/* "key 中文, key 中文" of LIST into OUT, for a message naming what is accepted. */
void label_names(const struct label *list, char *out, size_t len);

/* 三不评 the three exclusions (exclusion.kind) */
extern const struct label label_exclusions[];
/* 帮扶措施类别 measure categories (measure.category) */
extern const struct label label_measure_categories[];
/* 措施状态 measure statuses (measure.status) */
extern const struct label label_measure_statuses[];
/* a step's decision (review_step.decision, approval.decision) */
extern const struct label label_decisions[];
/* 半年审核 half-year review decisions (half_year.decision) */
extern const struct label label_half_year[];
/* officials' roles (official.role): village-cadre, township-head, county-office */
extern const struct label label_official_roles[];
/* the two procedures (review_step.procedure): entry 识别, exit 脱贫退出 */
extern const struct label label_procedures[];
/* roles of nodes: township, county */
extern const struct label label_node_roles[];
/* an objection's finding (objection.finding; "open": none yet) */
extern const struct label label_findings[];

/* Where a household stands, as progress and the report count it. */
enum label_stage {
	STAGE_NONE,             /* no procedure yet */
	STAGE_VILLAGE,          /* 申请 … 村级评议 */
	STAGE_NOTICE1,          /* 村级公示 */
	STAGE_TOWNSHIP,         /* 驻村干部签字 … 乡镇公示 */
	STAGE_COUNTY,           /* 乡镇长签字 … 县级公示 */
	STAGE_REGISTERED,       /* 已建档立卡 (incl. 返贫) */
	STAGE_REJECTED,         /* 未通过: file returned */
	STAGE_EXITING,          /* exit procedure running */
	STAGE_EXITED,           /* 已脱贫 */
	STAGE_REMOVED,          /* 清退 */
	STAGE_COUNT
};
/* By enum label_stage: key (--json), zh (report), also = a short zh for table columns. */
extern const struct label label_stages[STAGE_COUNT + 1];

/*
 * The code of code list TABLE (e.g. "code_flag") that the English name S (any
 * case, '-' or '_') stands for; NULL if none.  Chinese synonyms are the
 * county's data (table synonym), not here.
 */
const char *label_code_find(const char *table, const char *s);
/* The English name of CODE in TABLE; NULL if it has none. */
const char *label_code_english(const char *table, const char *code);

#endif
