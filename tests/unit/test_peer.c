/* test_peer.c — table peer: create, save, load, mark disconnected */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "peer.h"
#include "util.h"

static void
test_save_load(void **state)
{
	(void)state;
	sqlite3 *db;
	char err[ERRBUF_SIZE];
	struct peer_row r, got;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(peer_table_create(db, err, sizeof err), 0);
	assert_int_equal(peer_table_create(db, err, sizeof err), 0);    /* idempotent */
	assert_int_equal(peer_load(db, "110101001", "110101001", &got), -1);

	memset(&r, 0, sizeof r);
	strcpy(r.peer, "110101001");
	strcpy(r.feed, "110101001");
	r.last_contact_ms = 1700000000000;
	r.connected = 1;
	r.since_ms = 1699999999000;
	r.have = 10;
	r.theirs = 12;
	r.acked = 9;
	r.bytes_in = 1234;
	r.bytes_out = 5678;
	r.errors = 2;
	strcpy(r.last_error, "refused: bad signature");
	r.quarantined = 1;
	assert_int_equal(peer_save(db, &r, err, sizeof err), 0);
	assert_int_equal(peer_load(db, "110101001", "110101001", &got), 0);
	assert_memory_equal(&r, &got, sizeof r);

	r.have = 11;
	r.last_error[0] = '\0';
	assert_int_equal(peer_save(db, &r, err, sizeof err), 0);
	assert_int_equal(peer_load(db, "110101001", "110101001", &got), 0);
	assert_int_equal(got.have, 11);
	assert_string_equal(got.last_error, "");

	assert_int_equal(peer_all_disconnected(db, 1800000000000, err, sizeof err), 0);
	assert_int_equal(peer_load(db, "110101001", "110101001", &got), 0);
	assert_int_equal(got.connected, 0);
	assert_int_equal(got.since_ms, 1800000000000);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
