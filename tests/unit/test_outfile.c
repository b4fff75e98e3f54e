/*
 * test_outfile.c — files replaced through an exclusive temporary: a link
 * planted at the very name the temporary draws is never followed, a link at
 * the target is refused without OUTFILE_FORCE, abort leaves the target as it
 * was.  The random source is replaced (randombytes_set_implementation) so
 * that the test knows the first temporary name before it is drawn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "outfile.h"
#include "util.h"

static unsigned s_draw;        /* the Nth draw fills its buffer with byte N */

static const char *
s_rb_name(void)
{
	return "test counter";
}

static uint32_t
s_rb_random(void)
{
	return ++s_draw;
}

static void
s_rb_buf(void *buf, size_t n)
{
	memset(buf, (int)(s_draw++ & 0xff), n);
}

static struct randombytes_implementation s_counter = {
	.implementation_name = s_rb_name,
	.random = s_rb_random,
	.buf = s_rb_buf,
};

static char s_dir[] = "/tmp/lika-outfile.XXXXXX";

static void
s_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
s_expect(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, text);
}

static void
test_planted_link_at_temporary(void **state)
{
	(void)state;
	char target[256], victim[256], planted[256], err[ERRBUF_SIZE];
	struct outfile o;

	snprintf(target, sizeof target, "%s/page.html", s_dir);
	snprintf(victim, sizeof victim, "%s/victim", s_dir);
	/* the first draw is twelve zero digits: plant a link at that name */
	snprintf(planted, sizeof planted, "%s/.page.html.000000000000.tmp", s_dir);
	s_write(victim, "precious");
	assert_int_equal(symlink(victim, planted), 0);
	s_draw = 0;
	assert_int_equal(outfile_open(&o, target, 0600, 0, err, sizeof err), 0);
	assert_string_not_equal(o.tmp, planted);       /* drawn again after EEXIST */
	assert_int_equal(write(o.fd, "new", 3), 3);
	assert_int_equal(outfile_commit(&o, err, sizeof err), 0);
	s_expect(victim, "precious");
	s_expect(target, "new");
	struct stat st;
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(planted);
}

static void
test_link_at_target(void **state)
{
	(void)state;
	char target[256], victim[256], err[ERRBUF_SIZE];
	struct outfile o;
	struct stat st;

	snprintf(target, sizeof target, "%s/export.csv", s_dir);
	snprintf(victim, sizeof victim, "%s/victim", s_dir);
	s_write(victim, "precious");
	assert_int_equal(symlink(victim, target), 0);
	assert_int_equal(outfile_open(&o, target, 0600, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "refusing to write through the symbolic link"));
	assert_int_equal(outfile_open(&o, target, 0644, OUTFILE_FORCE, err, sizeof err), 0);
	assert_int_equal(write(o.fd, "x", 1), 1);
	assert_int_equal(outfile_commit(&o, err, sizeof err), 0);
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	s_expect(victim, "precious");
	unlink(target);
}

static void
test_abort_keeps_target(void **state)
{
	(void)state;
	char target[256], tmp[1100], err[ERRBUF_SIZE];
	struct outfile o;

	snprintf(target, sizeof target, "%s/book.html", s_dir);
	s_write(target, "old");
	assert_int_equal(outfile_open(&o, target, 0600, 0, err, sizeof err), 0);
	snprintf(tmp, sizeof tmp, "%s", o.tmp);
	assert_int_equal(write(o.fd, "half", 4), 4);
	outfile_abort(&o);
	outfile_abort(&o);
	assert_int_equal(access(tmp, F_OK), -1);
	s_expect(target, "old");
	/* a directory at the target is refused */
	assert_int_equal(outfile_open(&o, s_dir, 0600, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "is a directory"));
	unlink(target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_link_at_temporary),
		cmocka_unit_test(test_link_at_target),
		cmocka_unit_test(test_abort_keeps_target),
	};
	char victim[256];

	if (randombytes_set_implementation(&s_counter) != 0 || sodium_init() < 0)
		return 1;
	if (!mkdtemp(s_dir))
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(victim, sizeof victim, "%s/victim", s_dir);
	unlink(victim);
	rmdir(s_dir);
	return rc;
}
