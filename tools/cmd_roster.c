/*
 * cmd_roster.c — `lika roster add-township|remove-township|rekey-township|list`,
 * and at a province `add-county|remove-county`:
 * county-owned rows, written at the county node as change sets of the county
 * feed, so they reach every township.
 *
 * A re-keyed township keeps its row CODE (the current key) and gains a
 * retired row "CODE/UPTO" (UPTO: 10 digits, zero-padded; role "retired",
 * removed 1) with the key that signed its seqs <= UPTO (ledger_origin_key).
 * Nothing that lists townships may count a row whose id holds a '/'.  (`lika policy` lives in cmd_official.c with the other
 * county policy commands.)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lika.h"
#include "util.h"

static int
s_help(int argc, char **argv, const char *usage, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'j' && json)
			*json = 1;
		else if (ch == 'h') {
			printf("%s", usage);
			return EXIT_OK + 1;
		} else {
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE + 1;
		}
	}
	return 0;
}

/* Start a write at the county node, or say why not. */
static int
s_begin(struct node *n, const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	return EXIT_OK;
}

static int
s_commit(struct node *n, const char *cmd, struct ops *ops)
{
	char err[ERRBUF_SIZE];
	int rc = EXIT_OK;

	if (ledger_commit(n->ledger, ops, NULL, err, sizeof err) < 0)
		rc = tool_fail(EXIT_FAIL, cmd, "%s", err);
	ops_release(ops);
	return rc;
}

/*
 * Admit CODE with its key: a township at the county, a county at the
 * province (ROLE: which).  The row's role says which, and a hub admits only
 * its own kind (a township's row travels on to the province in the county
 * feed, where it names that township's key).
 */
static int
s_admit(struct node *n, int argc, char **argv, enum role role)
{
	const char *usage = role == ROLE_COUNTY ?
	    "usage: lika roster add-county CODE PUBKEY_HEX NAME\n\n"
	    "At the province node: admit county CODE (6 digits, of this province) with its\n"
	    "node key (\"lika whoami\" at the county).  Its hub's link up ([upstream] in its\n"
	    "lika.conf) and its change sets are checked against this key; the townships'\n"
	    "against the keys its roster names.  Adding a removed county again re-admits it.\n" :
	    "usage: lika roster add-township CODE PUBKEY_HEX NAME\n\n"
	    "Admit township CODE (9 digits, of this county) with its node key (\"lika whoami\"\n"
	    "at the township).  Its hub connection and its change sets are checked against\n"
	    "this key.  Adding a removed township again re-admits it.\n";
	const char *cmd = role == ROLE_COUNTY ? "roster add-county" : "roster add-township";
	char err[ERRBUF_SIZE];
	uint8_t pk[PUBKEY_BYTES];
	int rc;

	if ((rc = s_help(argc, argv, usage, NULL)))
		return rc - 1;
	if (argc - optind != 3) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *code = argv[optind], *hex = argv[optind + 1], *name = argv[optind + 2];
	if ((role == ROLE_COUNTY ? code_check_county(code, err, sizeof err) :
	    code_check_township(code, err, sizeof err)) < 0)
		return tool_fail(EXIT_USAGE, cmd, "%s", err);
	if (strlen(hex) != 2 * PUBKEY_BYTES || hex_decode(pk, PUBKEY_BYTES, hex) < 0)
		return tool_fail(EXIT_USAGE, cmd, "key \"%s\" is not %d hex digits", hex, 2 * PUBKEY_BYTES);
	uint8_t curve[32];
	if (crypto_sign_ed25519_pk_to_curve25519(curve, pk) != 0)
		return tool_fail(EXIT_USAGE, cmd, "key \"%s\" is not an Ed25519 key", hex);
	if (!*name || strlen(name) > 120)
		return tool_fail(EXIT_USAGE, cmd, "name must be 1 to 120 bytes");
	size_t prefix = role == ROLE_COUNTY ? 2 : strlen(n->conf.code);
	if (strncmp(code, n->conf.code, prefix) != 0)
		return tool_fail(EXIT_USAGE, cmd, "%s \"%s\" is not in %s %s", role_name(role), code,
		    role_name(n->conf.role), n->conf.code);
	if ((rc = s_begin(n, cmd)) != EXIT_OK)
		return rc;
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_BLOB("pubkey", pk, PUBKEY_BYTES), COL_TEXT("name", name),
		COL_TEXT("role", role_name(role)), COL_INT("removed", 0),
	};
	ops_init(&ops);
	ops_upsert(&ops, "roster_node", code, cols, 4);
	if ((rc = s_commit(n, cmd, &ops)) == EXIT_OK)
		printf("%s %s (%s) is on the roster\n", role_name(role), code, name);
	return rc;
}

static int
s_add(struct node *n, int argc, char **argv)
{
	return s_admit(n, argc, argv, ROLE_TOWNSHIP);
}

static int
s_add_county(struct node *n, int argc, char **argv)
{
	return s_admit(n, argc, argv, ROLE_COUNTY);
}

static int
s_unadmit(struct node *n, int argc, char **argv, enum role role)
{
	const char *usage = role == ROLE_COUNTY ? "usage: lika roster remove-county CODE\n\n"
	    "At the province node: take county CODE off the roster: the province hub\n"
	    "disconnects its hub at once and admits it no more.  Its past change sets, and\n"
	    "its townships' it sent, stay valid.\n" : "usage: lika roster remove-township CODE\n\n"
	    "Take township CODE off the roster: the hub disconnects it at once and admits it\n"
	    "no more.  Its past change sets stay valid.\n";
	const char *cmd = role == ROLE_COUNTY ? "roster remove-county" : "roster remove-township";
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	if ((rc = s_help(argc, argv, usage, NULL)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *code = argv[optind];
	if (strchr(code, '/'))
		return tool_fail(EXIT_USAGE, cmd, "\"%s\" is a retired key, not a %s",
		    code, role_name(role));
	if ((rc = s_begin(n, cmd)) != EXIT_OK)
		return rc;
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT removed FROM roster_node WHERE id = ?1 "
	    "AND coalesce(role, 'township') = ?2", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = sqlite3_column_int(st, 0) ? 2 : 1;
	}
	sqlite3_finalize(st);
	if (found != 1) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, cmd, "%s \"%s\" is %s", role_name(role), code,
		    found ? "already removed" : "not on the roster");
	}
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_INT("removed", 1) };
	ops_init(&ops);
	ops_upsert(&ops, "roster_node", code, cols, 1);
	if ((rc = s_commit(n, cmd, &ops)) == EXIT_OK)
		printf("%s %s removed from the roster\n", role_name(role), code);
	return rc;
}

static int
s_remove(struct node *n, int argc, char **argv)
{
	return s_unadmit(n, argc, argv, ROLE_TOWNSHIP);
}

static int
s_remove_county(struct node *n, int argc, char **argv)
{
	return s_unadmit(n, argc, argv, ROLE_COUNTY);
}

/* Does roster_node hold row ID? */
static int
s_row_exists(struct node *n, const char *id)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT 1 FROM roster_node WHERE id = ?1", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

/* Is PK already a key of this county: the county's, or any roster row's (retired too)? */
static int
s_key_used(struct node *n, const uint8_t pk[PUBKEY_BYTES], char *who, size_t len)
{
	sqlite3_stmt *st = NULL;
	int used = 0;

	if (sodium_memcmp(pk, n->id.county_pk, PUBKEY_BYTES) == 0) {
		snprintf(who, len, "the county's");
		return 1;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id FROM roster_node WHERE pubkey = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, pk, PUBKEY_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(who, len, "%s's", (const char *)sqlite3_column_text(st, 0));
		used = 1;
	}
	sqlite3_finalize(st);
	return used;
}

static int
s_rekey(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika roster rekey-township CODE NEWKEY_HEX\n\n"
	    "Give township CODE a new node key (its machine and key were lost: \"lika init\n"
	    "--restore-from-hub\" on the new machine prints the new key).  The old key stays\n"
	    "valid for the seqs of CODE's feed this county holds now; the new key signs\n"
	    "every later seq, and the hub admits only the new key.\n";
	const char *cmd = "roster rekey-township";
	char err[ERRBUF_SIZE], who[64], hex[2 * PUBKEY_BYTES + 1];
	uint8_t pk[PUBKEY_BYTES], old[PUBKEY_BYTES], headid[HASH_BYTES], curve[32];
	sqlite3_stmt *st = NULL;
	uint64_t upto = 0;
	char name[128] = "";
	int rc, found = 0;

	if ((rc = s_help(argc, argv, usage, NULL)))
		return rc - 1;
	if (argc - optind != 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *code = argv[optind], *newhex = argv[optind + 1];
	if (code_check_township(code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, cmd, "%s", err);
	if (strlen(newhex) != 2 * PUBKEY_BYTES || hex_decode(pk, PUBKEY_BYTES, newhex) < 0)
		return tool_fail(EXIT_USAGE, cmd, "key \"%s\" is not %d hex digits", newhex, 2 * PUBKEY_BYTES);
	if (crypto_sign_ed25519_pk_to_curve25519(curve, pk) != 0)
		return tool_fail(EXIT_USAGE, cmd, "key \"%s\" is not an Ed25519 key", newhex);
	if ((rc = s_begin(n, cmd)) != EXIT_OK)
		return rc;
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT pubkey, coalesce(name, ''), "
	    "coalesce(role, 'township'), coalesce(removed, 0) FROM roster_node WHERE id = ?1",
	    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PUBKEY_BYTES) {
			memcpy(old, sqlite3_column_blob(st, 0), PUBKEY_BYTES);
			snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 1));
			found = strcmp((const char *)sqlite3_column_text(st, 2), "township") != 0 ? 3 :
			    sqlite3_column_int(st, 3) ? 2 : 1;
		}
	}
	sqlite3_finalize(st);
	if (found != 1) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, cmd, "township \"%s\" is %s", code, found == 2 ?
		    "removed from the roster" :
		    found == 3 ? "not a township" : "not on the roster");
	}
	if ((rc = s_key_used(n, pk, who, sizeof who)) != 0) {
		ledger_rollback(n->ledger);
		if (rc < 0)
			return tool_fail(EXIT_FAIL, cmd, "%s", sqlite3_errmsg(ledger_db(n->ledger)));
		return tool_fail(EXIT_USAGE, cmd, "key \"%s\" is already used (%s key): a new machine "
		    "makes a new key (lika init --restore-from-hub; lika whoami)", newhex, who);
	}
	if (ledger_feed_head(n->ledger, code, &upto, headid) < 0)
		upto = 0;
	if (upto > LEDGER_RETIRED_SEQ_MAX) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_FAIL, cmd, "feed %s is at seq %" PRIu64 ": too long to re-key", code, upto);
	}
	char retired[CODE_MAX + 16];
	snprintf(retired, sizeof retired, "%s/%010" PRIu64, code, upto);
	struct ops ops = OPS_INIT;
	struct colval rcols[] = {
		COL_BLOB("pubkey", old, PUBKEY_BYTES), COL_TEXT("name", name),
		COL_TEXT("role", "retired"), COL_INT("removed", 1),
	};
	struct colval cols[] = { COL_BLOB("pubkey", pk, PUBKEY_BYTES) };
	ops_init(&ops);
	/*
	 * The old key signed nothing (no seq held yet) or nothing since an earlier
	 * re-key at this same seq: nothing to keep, only the key changes.
	 */
	int keep = upto > 0 && !s_row_exists(n, retired);
	if (keep)
		ops_upsert(&ops, "roster_node", retired, rcols, 4);
	ops_upsert(&ops, "roster_node", code, cols, 1);
	if ((rc = s_commit(n, cmd, &ops)) != EXIT_OK)
		return rc;
	hex_encode(hex, pk, PUBKEY_BYTES);
	if (keep)
		printf("%s: seqs 1–%" PRIu64 " stay under the old key; from seq %" PRIu64 " on, key %s\n",
		    code, upto, upto + 1, hex);
	else
		printf("%s: the old key signed nothing this county holds; from seq %" PRIu64 " on, key %s\n",
		    code, upto + 1, hex);
	return EXIT_OK;
}

static int
s_list(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika roster list [--json]\n\n"
	    "List the townships on the roster with their keys; removed ones are marked, and the\n"
	    "retired keys of a re-keyed township are shown under it with the last seq they sign.\n";
	sqlite3_stmt *st = NULL;
	int rc, json = 0, first = 1, open_obj = 0, nretired = 0;

	if ((rc = s_help(argc, argv, usage, &json)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "roster list", "unexpected argument \"%s\"", argv[optind]);
	/* "CODE/UPTO" sorts right after "CODE": a retired key follows its township */
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, pubkey, name, role, removed "
	    "FROM roster_node ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		return tool_fail(EXIT_FAIL, "roster list", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	}
	if (json)
		printf("[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char hex[2 * PUBKEY_BYTES + 1] = "";
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		const char *role = (const char *)sqlite3_column_text(st, 3);
		const char *slash = id ? strchr(id, '/') : NULL;
		if (!id)
			continue;
		if (sqlite3_column_bytes(st, 1) == PUBKEY_BYTES)
			hex_encode(hex, sqlite3_column_blob(st, 1), PUBKEY_BYTES);
		if (slash) {
			unsigned long long upto = strtoull(slash + 1, NULL, 10);
			if (json && open_obj) {
				printf("%s{\"pubkey\":\"%s\",\"upto\":%llu}", nretired ? "," : ",\"retired\":[",
				    hex, upto);
				nretired++;
			} else if (!json) {
				printf("  %.*s  %s  retired after seq %llu\n", (int)(slash - id), id, hex, upto);
			}
			continue;
		}
		if (json) {
			if (open_obj)
				printf("%s}", nretired ? "]" : "");
			printf("%s{\"code\":\"%s\",\"pubkey\":\"%s\",\"name\":", first ? "" : ",", id, hex);
			json_str(stdout, name ? name : "");
			printf(",\"role\":");
			json_str(stdout, role ? role : "");
			printf(",\"removed\":%s", sqlite3_column_int(st, 4) ? "true" : "false");
			open_obj = 1;
			nretired = 0;
			first = 0;
		} else {
			printf("%-9s  %s  %s%s\n", id, hex, name ? name : "",
			    sqlite3_column_int(st, 4) ? "  (removed)" : "");
		}
	}
	if (json)
		printf("%s]\n", open_obj ? (nretired ? "]}" : "}") : "");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

int
cmd_roster(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add-township",    s_add,    NEED_NODE_RW | COUNTY_ONLY,
		    "admit a township and its node key" },
		{ "remove-township", s_remove, NEED_NODE_RW | COUNTY_ONLY,
		    "take a township off the roster" },
		{ "rekey-township",  s_rekey,  NEED_NODE_RW | COUNTY_ONLY,
		    "give a township a new node key (its machine was lost)" },
		{ "add-county",      s_add_county, NEED_NODE_RW | PROVINCE_ONLY,
		    "admit a county and its node key (province node)" },
		{ "remove-county",   s_remove_county, NEED_NODE_RW | PROVINCE_ONLY,
		    "take a county off the province roster" },
		{ "list",            s_list,   NEED_NODE_RO, "list the nodes on the roster" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("roster", sub, argc, argv);
}
