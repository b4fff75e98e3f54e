/*
 * test_config.c — lika.conf: every setting lands in its field of struct
 * config, and a bad value, an unknown setting or a missing one is refused
 * with the file and line named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "util.h"

#define KEY_A "0101010101010101010101010101010101010101010101010101010101010101"
#define KEY_B "0202020202020202020202020202020202020202020202020202020202020202"

/* TEXT written to a temporary lika.conf and loaded into C: config_load's result, ERR its reason. */
static int
s_load(struct config *c, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/lika-test-config.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	int rc;

	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	config_defaults(c);
	err[0] = '\0';
	rc = config_load(c, path, err, errlen);
	/* the path is random: keep what follows it */
	if (rc < 0 && strncmp(err, path, strlen(path)) == 0)
		memmove(err, err + strlen(path), strlen(err + strlen(path)) + 1);
	unlink(path);
	return rc;
}

static void
test_every_setting(void **state)
{
	struct config c;
	char err[ERRBUF_SIZE];

	(void)state;
	assert_int_equal(s_load(&c, "[node]\ncode = 110101\nrole = county\nname = 县\n"
	    "[hub]\nlisten = tcp://0.0.0.0:7701\ncounty_key = " KEY_A "\n"
	    "[upstream]\nhub = tcp://province:7702\nprovince_key = " KEY_B "\n"
	    "[sync]\nheartbeat_ms = 100\ntimeout_ms = 86400000\nreconnect_max_ms = 3600000\n"
	    "batch_bytes = 16777216\nwindow = 64\nfeeds = all\n"
	    "[status]\nlate_after = 60\nstale_after = 120\n"
	    "[ledger]\nsynchronous = normal\ncontrol = /run/lika.sock\n"
	    "[web]\nlisten = 0.0.0.0:8701\nallow_remote = yes\nsession = 60\nlockout = 86400\n"
	    "upload_bytes = 1073741824\n"
	    "[sink]\npostgres = dbname=lika\nbatch = 100000\n", err, sizeof err), 0);
	assert_string_equal(c.code, "110101");
	assert_int_equal(c.role, ROLE_COUNTY);
	assert_string_equal(c.name, "县");
	assert_string_equal(c.listen, "tcp://0.0.0.0:7701");
	assert_string_equal(c.county_key, KEY_A);
	assert_string_equal(c.up_hub, "tcp://province:7702");
	assert_string_equal(c.province_key, KEY_B);
	assert_int_equal(c.heartbeat_ms, 100);
	assert_int_equal(c.timeout_ms, 86400000);
	assert_int_equal(c.reconnect_max_ms, 3600000);
	assert_int_equal(c.batch_bytes, 16777216);
	assert_int_equal(c.window, 64);
	assert_string_equal(c.feeds, "all");
	assert_int_equal(c.late_after_s, 60);
	assert_int_equal(c.stale_after_s, 120);
	assert_string_equal(c.synchronous, "normal");
	assert_string_equal(c.control, "/run/lika.sock");
	assert_string_equal(c.web_listen, "0.0.0.0:8701");
	assert_int_equal(c.web_by_likad, 1);
	assert_int_equal(c.web_allow_remote, 1);
	assert_int_equal(c.web_session_s, 60);
	assert_int_equal(c.web_lockout_s, 86400);
	assert_int_equal(c.web_upload_bytes, 1 << 30);
	assert_string_equal(c.sink_postgres, "dbname=lika");
	assert_int_equal(c.sink_batch, 100000);
}

static void
test_refused(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[node]\ncode = 110101\nrole = county\n[sync]\nwindow = 65\n",
		    ":5: bad value \"65\" for sync.window" },
		{ "[node]\ncode = 110101\nrole = county\n[sync]\nwindow = 1x\n",
		    ":5: bad value \"1x\" for sync.window" },
		{ "[node]\ncode = 11010\n", ":2: bad value \"11010\" for node.code" },
		{ "[hub]\nendpoint = udp://x:1\n", ":2: bad value \"udp://x:1\" for hub.endpoint" },
		{ "[hub]\ncounty_key = 0101\n", ":2: bad value \"0101\" for hub.county_key" },
		{ "[web]\nallow_remote = maybe\n", ":2: bad value \"maybe\" for web.allow_remote" },
		{ "[web]\nlisten = 8700\n", ":2: bad value \"8700\" for web.listen" },
		{ "[ledger]\nsynchronous = off\n", ":2: bad value \"off\" for ledger.synchronous" },
		{ "[sync]\nwindows = 4\n", ":2: unknown setting \"windows\" in section [sync]" },
		{ "[node]\nrole = county\n", ": [node] code is missing" },
		{ "[node]\ncode = 110101\nrole = county\n[status]\nlate_after = 60\nstale_after = 59\n",
		    ": [status] stale_after is shorter than late_after" },
	};
	struct config c;
	char err[ERRBUF_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(s_load(&c, cases[i].text, err, sizeof err), -1);
		assert_string_equal(err, cases[i].err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_setting),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
