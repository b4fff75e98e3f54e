/*
 * bench_fields.c — the field rules' cost per row (fields_check_op), the
 * figure the hub pays on every row it applies: a full member row (13
 * columns: household, name, ID number, eight codes, months, a code set),
 * offered in change sets of 10 ops as bench_sync sends them, and one op a
 * change set (no per-change-set work either: the code lists are read again
 * only after a code_* op or a new ledger epoch).  Prints ns per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "ledger.h"
#include "schema.h"
#include "util.h"

#define N_ROWS 1000000
#define N_OPS  10

static double
s_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
s_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

int
main(void)
{
	static const struct changeset_header cs = { .origin = "522701101" };
	static const char *const cols[][2] = {
		{ "household", "522701101000042" }, { "name", "王小明" },
		{ "idcard", "11010519491231002X" }, { "sex", "01" }, { "relation", "03" },
		{ "ethnicity", "01" }, { "education", "03" }, { "schooling", "01" }, { "health", "02" },
		{ "labour", "01" }, { "migrant", "04" }, { "insurance", "01,02" },
	};
	const size_t ncols = sizeof cols / sizeof cols[0];
	char err[ERRBUF_SIZE];
	sqlite3 *db;
	struct fields *f;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK || schema_create(db, "main", err, sizeof err) < 0 ||
	    !(f = fields_new())) {
		fprintf(stderr, "bench_fields: setup failed\n");
		return 1;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)ncols + 1);
	for (size_t i = 0; i < ncols; i++) {
		s_str(&pk, cols[i][0]);
		s_str(&pk, cols[i][1]);
	}
	s_str(&pk, "migrant_months");
	msgpack_pack_int(&pk, 8);
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb.data, sb.size, NULL) != MSGPACK_UNPACK_SUCCESS)
		return 1;
	const struct table_def *t = schema_table("member", 6);
	struct ledger_rule_op op = {
		.phase = LEDGER_RULE_BEFORE, .db = db, .dbname = "main", .cs = &cs, .table = t->name,
		.key = "522701101000042/03", .key_len = 18, .cols = &up.data.via.map,
	};

	for (int pass = 0; pass < 2; pass++) {
		double t0 = s_now();
		for (long i = 0; i < N_ROWS; i++) {
			op.index = (uint32_t)(i % N_OPS);
			if (fields_check_op(f, &op, err, sizeof err) < 0) {
				fprintf(stderr, "bench_fields: %s\n", err);
				return 1;
			}
		}
		double dt = s_now() - t0;
		if (pass == 1)
			printf("field rules: %.0f ns per member row (13 columns, %d rows a change set), "
			    "%.0f rows/s on one core\n", dt * 1e9 / N_ROWS, N_OPS, N_ROWS / dt);
	}
	/* one row a change set */
	double t0 = s_now();
	for (long i = 0; i < N_ROWS / 10; i++) {
		op.index = 0;
		if (fields_check_op(f, &op, err, sizeof err) < 0)
			return 1;
	}
	double dt = s_now() - t0;
	printf("field rules: %.0f ns per member row at one row a change set\n", dt * 1e9 / (N_ROWS / 10));
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	fields_free(f);
	sqlite3_close(db);
	return 0;
}
