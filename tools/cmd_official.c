/*
 * cmd_official.c — the county's roster of officials (干部名册) with their
 * signing keys, county policy values (标准, 公示天数, 进度) and quotas (扶贫规模);
 * plus the helpers the procedure commands share (tools/proc.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"
#include "passphrase.h"
#include "proc.h"
#include "util.h"

/* ---- lika official ---------------------------------------------------------- */

struct official_args {
	const char *role, *name, *office;
	const char *out;        /* the key file; NULL: official-OFFICE-NNN.key */
	int passfd;             /* --passphrase-fd; -1: ask twice at the terminal */
	enum keyfile_cost cost;
};

/* --kdf-cost NAME into *COST; 0 or -1. */
static int
s_kdf_cost(const char *name, enum keyfile_cost *cost)
{
	if (strcmp(name, "moderate") == 0)
		*cost = KEYFILE_COST_MODERATE;
	else if (strcmp(name, "interactive") == 0)
		*cost = KEYFILE_COST_INTERACTIVE;
	else
		return -1;
	return 0;
}

/* Options of "official add" into A: 0 to go on, else an exit status + 1. */
static int
s_official_add_opts(int argc, char **argv, struct official_args *a)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "office", required_argument, NULL, 'C' },
		{ "out", required_argument, NULL, 'o' },
		{ "output", required_argument, NULL, 'o' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "kdf-cost", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika official add --role village-cadre|township-head|county-office\n"
	    "                         --name NAME --office CODE [-o|--out FILE]\n"
	    "                         [--passphrase-fd N] [--kdf-cost moderate|interactive]\n\n"
	    "At the county node: put an official on the county roster (干部名册) and create\n"
	    "the personal signing key (Ed25519) in FILE (default official-OFFICE-NNN.key),\n"
	    "mode 0600, encrypted with a passphrase of at least 8 bytes: asked twice at\n"
	    "the terminal, or read as one line from file descriptor N.  The official\n"
	    "types it at every signature.  --kdf-cost interactive makes opening the key\n"
	    "cheaper (64 MiB, for slow machines and tests) than the default moderate\n"
	    "(256 MiB).  OFFICE is the county code for the county office,\n"
	    "the township code for a township head, and the township or village code\n"
	    "for a resident village cadre (驻村干部).  Hand the key file to the person.\n";
	char err[ERRBUF_SIZE];
	int ch;

	memset(a, 0, sizeof *a);
	a->passfd = -1;
	a->cost = KEYFILE_COST_MODERATE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->role = optarg; break;
		case 'n': a->name = optarg; break;
		case 'C': a->office = optarg; break;
		case 'o': a->out = optarg; break;
		case 'P':
			if (passphrase_fd_arg(optarg, &a->passfd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, "official add", "%s", err) + 1;
			break;
		case 'K':
			if (s_kdf_cost(optarg, &a->cost) < 0)
				return tool_fail(EXIT_USAGE, "official add", "--kdf-cost \"%s\" is neither "
				    "moderate nor interactive", optarg) + 1;
			break;
		case 'h': printf("%s", usage); return EXIT_OK + 1;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE + 1;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "official add", "unexpected argument \"%s\"", argv[optind]) + 1;
	if (!a->role || !a->name || !a->office) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE + 1;
	}
	const struct label *rl = label_find(label_official_roles, a->role);
	if (!rl) {
		char names[256];
		label_names(label_official_roles, names, sizeof names);
		return tool_fail(EXIT_USAGE, "official add", "role \"%s\" is none of %s", a->role, names) + 1;
	}
	a->role = rl->key;
	if (!*a->name || proc_check_text("official add", "name", a->name, 60))
		return tool_fail(EXIT_USAGE, "official add", "name \"%s\" must be 1 to 60 bytes",
		    a->name) + 1;
	return 0;
}

/* Is OFFICE an office of ROLE in COUNTY? */
static int
s_office_fits(const char *role, const char *office, const char *county)
{
	char err[ERRBUF_SIZE];

	if (strcmp(role, ROLE_COUNTY_OFFICE) == 0)
		return strcmp(office, county) == 0;
	if (strcmp(role, ROLE_TOWNSHIP_HEAD) == 0)
		return code_check_township(office, err, sizeof err) == 0 && strncmp(office, county, 6) == 0;
	return (code_check_township(office, err, sizeof err) == 0 ||
	    code_check_village(office, err, sizeof err) == 0) && strncmp(office, county, 6) == 0;
}

/* Put official ID of A with key PK on the roster; EXIT_OK or prints why. */
static int
s_official_put(struct node *n, const struct official_args *a, const char *id,
    const uint8_t pk[PUBKEY_BYTES])
{
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_BLOB("pubkey", pk, PUBKEY_BYTES), COL_TEXT("role", a->role), COL_TEXT("name", a->name),
		COL_TEXT("office", a->office), COL_INT("removed", 0),
	};
	int rc;

	ops_init(&ops);
	ops_upsert(&ops, "official", id, cols, 5);
	rc = proc_commit(n, "official add", &ops);
	ops_release(&ops);
	return rc;
}

static int
s_official_add(struct node *n, int argc, char **argv)
{
	struct official_args a;
	struct passphrase pass = { .len = 0 };
	char err[ERRBUF_SIZE], id[32], path[1100], hex[2 * PUBKEY_BYTES + 1];
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES];
	int rc;

	if ((rc = s_official_add_opts(argc, argv, &a)))
		return rc - 1;
	if (!s_office_fits(a.role, a.office, n->conf.code))
		return tool_fail(EXIT_USAGE, "official add", "office \"%s\" does not fit role %s in "
		    "county %s (county office: the county code; township head: a township code; "
		    "village cadre: a township or village code)", a.office, a.role, n->conf.code);
	/* the passphrase before the write starts: nobody types while the ledger is held */
	if (passphrase_new(&pass, a.passfd, a.name, err, sizeof err) < 0) {
		passphrase_wipe(&pass);
		return tool_fail(EXIT_USAGE, "official add", "%s", err);
	}
	if (ledger_begin(n->ledger, err, sizeof err) < 0) {
		passphrase_wipe(&pass);
		return tool_fail(EXIT_FAIL, "official add", "%s", err);
	}
	int64_t next = proc_int(ledger_db(n->ledger), "SELECT count(*) + 1 FROM official WHERE office = ?1",
	    a.office, 1);
	snprintf(id, sizeof id, "%s/%03d", a.office, (int)next);
	if (a.out)
		snprintf(path, sizeof path, "%s", a.out);
	else
		snprintf(path, sizeof path, "official-%s-%03d.key", a.office, (int)next);
	crypto_sign_keypair(pk, sk);
	rc = keyfile_write(path, sk, pass.buf, pass.len, a.cost, 0, err, sizeof err);
	sodium_memzero(sk, sizeof sk);
	passphrase_wipe(&pass);
	if (rc < 0) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, "official add", "--out: %s (an existing key file is never "
		    "overwritten)", err);
	}
	if ((rc = s_official_put(n, &a, id, pk)) != EXIT_OK) {
		unlink(path);
		return rc;
	}
	hex_encode(hex, pk, PUBKEY_BYTES);
	printf("official %s %s (%s of %s) added\nkey file %s (encrypted)\npublic key %s\n", id,
	    a.name, a.role, a.office, path, hex);
	return EXIT_OK;
}

/*
 * official rekey-file FILE: encrypt a key file from before passphrases, or
 * change the passphrase of an encrypted one.  Needs no node: the official
 * runs it wherever the key file is.  The file is replaced by rename.
 */
static int
s_official_rekey_file(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "kdf-cost", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "official rekey-file";
	enum keyfile_cost cost = KEYFILE_COST_MODERATE;
	struct passphrase pass = { .len = 0 };
	char err[ERRBUF_SIZE];
	uint8_t sk[SECKEY_BYTES];
	int ch, rc, passfd = -1;
	enum keyfile_status k;

	(void)n;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (passphrase_fd_arg(optarg, &passfd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, cmd, "%s", err);
			break;
		case 'K':
			if (s_kdf_cost(optarg, &cost) < 0)
				return tool_fail(EXIT_USAGE, cmd, "--kdf-cost \"%s\" is neither moderate nor "
				    "interactive", optarg);
			break;
		case 'h':
			printf("usage: lika official rekey-file FILE [--passphrase-fd N] "
			    "[--kdf-cost moderate|interactive]\n\n"
			    "Encrypt an official's key file made before key files had passphrases, or\n"
			    "change the passphrase of an encrypted one.  Asks the current passphrase\n"
			    "(encrypted file) and the new one twice at the terminal; with\n"
			    "--passphrase-fd N reads them as lines from N (current first, if any).\n"
			    "The key stays the same: the roster and past signatures are unaffected.\n");
			return EXIT_OK;
		default:
			return tool_fail(EXIT_USAGE, cmd, "see \"lika official rekey-file --help\"");
		}
	}
	if (argc - optind != 1)
		return tool_fail(EXIT_USAGE, cmd, "one key FILE required (see --help)");
	const char *path = argv[optind];
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return tool_fail(EXIT_USAGE, cmd, "%s: not a regular file (a symbolic link is not "
		    "followed: name the key file itself)", path);
	if ((k = keyfile_kind(path, err, sizeof err)) == KEYFILE_PLAIN) {
		if (key_read(path, sk, err, sizeof err) < 0)
			return tool_fail(EXIT_USAGE, cmd, "%s", err);
	} else if (k == KEYFILE_OK) {
		if ((rc = passphrase_open_key(cmd, path, passfd, sk)) != EXIT_OK)
			return rc;
	} else {
		return tool_fail(EXIT_USAGE, cmd, "%s", err);
	}
	if (passphrase_new(&pass, passfd, path, err, sizeof err) < 0)
		rc = tool_fail(EXIT_USAGE, cmd, "%s", err);
	else if (keyfile_write(path, sk, pass.buf, pass.len, cost, 1, err, sizeof err) < 0)
		rc = tool_fail(EXIT_FAIL, cmd, "%s", err);
	else
		rc = EXIT_OK;
	sodium_memzero(sk, sizeof sk);
	passphrase_wipe(&pass);
	if (rc == EXIT_OK)
		printf("key file %s encrypted with the new passphrase\n", path);
	return rc;
}

static int
s_official_list(struct node *n, int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0, first = 1;
	sqlite3_stmt *st;

	if (argc > 1 && !json) {
		printf("usage: lika official list [--json]\n\nThe county roster of officials who sign "
		    "procedure steps.\n");
		return strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, role, name, office, removed, pubkey "
	    "FROM official ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		return EXIT_FAIL;
	}
	if (json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char hex[2 * PUBKEY_BYTES + 1] = "";
		if (sqlite3_column_bytes(st, 5) == PUBKEY_BYTES)
			hex_encode(hex, sqlite3_column_blob(st, 5), PUBKEY_BYTES);
		if (json) {
			printf("%s{\"id\":", first ? "" : ",");
			json_str(stdout, (const char *)sqlite3_column_text(st, 0));
			printf(",\"role\":");
			json_str(stdout, (const char *)sqlite3_column_text(st, 1));
			printf(",\"name\":");
			json_str(stdout, (const char *)sqlite3_column_text(st, 2));
			printf(",\"office\":");
			json_str(stdout, (const char *)sqlite3_column_text(st, 3));
			printf(",\"removed\":%s,\"pubkey\":\"%s\"}", sqlite3_column_int(st, 4) ? "true" : "false",
			    hex);
		} else {
			printf("%-16s %-14s %-12s %s%s  %.16s\n", sqlite3_column_text(st, 0),
			    sqlite3_column_text(st, 1), sqlite3_column_text(st, 3), sqlite3_column_text(st, 2),
			    sqlite3_column_int(st, 4) ? " (removed)" : "", hex);
		}
		first = 0;
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return EXIT_OK;
}

static int
s_official_remove(struct node *n, int argc, char **argv)
{
	char err[ERRBUF_SIZE], name[128];
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		printf("usage: lika official remove ID\n\nAt the county: the official may sign no new "
		    "step; past signatures stay valid.\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "official remove", "%s", err);
	if (proc_text(ledger_db(n->ledger), "SELECT name FROM official WHERE id = ?1", argv[1], name,
	    sizeof name) != 1) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, "official remove", "no official \"%s\" on the roster", argv[1]);
	}
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_INT("removed", 1) };
	ops_init(&ops);
	ops_upsert(&ops, "official", argv[1], cols, 1);
	rc = proc_commit(n, "official remove", &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("official %s %s removed\n", argv[1], name);
	return rc;
}

int
cmd_official(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",    s_official_add,    NEED_NODE_RW | COUNTY_ONLY,
		    "put an official on the roster and create the signing key" },
		{ "list",   s_official_list,   NEED_NODE_RO, "list the roster of officials" },
		{ "remove", s_official_remove, NEED_NODE_RW | COUNTY_ONLY,
		    "stop an official from signing new steps" },
		{ "rekey-file", s_official_rekey_file, 0,
		    "encrypt an official's key file, or change its passphrase (no node needed)" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("official", sub, argc, argv);
}

/* ---- lika policy ------------------------------------------------------------ */

static int
s_policy_set(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika policy set NAME YEAR VALUE [NOTE]\n\n"
	    "At the county node: set a policy value from YEAR on (it holds for later years\n"
	    "until set again).  At the province node: a province policy (names beginning\n"
	    "\"province_\"), which reaches every county and township.  Names:\n";
	char err[ERRBUF_SIZE], key[80], value[256];
	const struct policy_def *d;
	int rc;

	if (argc < 4 || argc > 5 || argv[1][0] == '-') {
		FILE *f = argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr;
		fprintf(f, "%s", usage);
		for (d = procedure_policies; d->name; d++)
			fprintf(f, "  %-22s %s\n", d->name, d->what);
		return f == stdout ? EXIT_OK : EXIT_USAGE;
	}
	const char *name = argv[1], *ys = argv[2], *v = argv[3], *note = argc == 5 ? argv[4] : NULL;
	for (d = procedure_policies; d->name && strcmp(d->name, name) != 0; d++)
		;
	if (!d->name) {
		/* a value lika does not interpret: kept as text, with a warning against typos */
		if (!*name || strlen(name) > 64 || strchr(name, '/') || proc_check_text("policy set", "name",
		    name, 64))
			return tool_fail(EXIT_USAGE, "policy set", "name \"%s\" must be 1 to 64 bytes without "
			    "\"/\"", name);
		if (!*v || proc_check_text("policy set", "value", v, 200))
			return tool_fail(EXIT_USAGE, "policy set", "value \"%s\" must be 1 to 200 bytes", v);
		fprintf(stderr, "lika policy set: note: \"%s\" is not a policy lika uses (see \"lika policy "
		    "set --help\"); stored as text\n", name);
	}
	/* names "province_…" are the province's, every other the county's (proto/STORAGE.md) */
	int province_name = strncmp(name, LEDGER_PROVINCE_KEY_PREFIX,
	    strlen(LEDGER_PROVINCE_KEY_PREFIX)) == 0;
	if (province_name != (n->conf.role == ROLE_PROVINCE))
		return tool_fail(EXIT_USAGE, "policy set", "policy \"%s\" is set at %s", name,
		    province_name ? "the province node" : "the county node (the province sets names "
		    "beginning \"" LEDGER_PROVINCE_KEY_PREFIX "\")");
	if (!is_digits(ys, 4) || atoi(ys) < 1990 || atoi(ys) > 2100)
		return tool_fail(EXIT_USAGE, "policy set", "year \"%s\" is not a year 1990-2100", ys);
	int year = atoi(ys);
	if (procedure_policy_value(name, year, v, value, sizeof value, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "policy set", "%s", err);
	if (note && proc_check_text("policy set", "note", note, 500))
		return EXIT_USAGE;
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "policy set", "%s", err);
	snprintf(key, sizeof key, "%s/%d", name, year);
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_TEXT("name", name), COL_INT("year", year),
		COL_TEXT("value", value), note ? (struct colval)COL_TEXT("note", note) :
		(struct colval)COL_NIL("note") };
	ops_init(&ops);
	ops_upsert(&ops, "policy", key, cols, 4);
	rc = proc_commit(n, "policy set", &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("policy %s = %s from %d\n", name, value, year);
	return rc;
}

static int
s_policy_list(struct node *n, int argc, char **argv)
{
	sqlite3_stmt *st;
	int json = argc > 1 && strcmp(argv[1], "--json") == 0, first = 1;

	if (argc > 1 && !json) {
		printf("usage: lika policy list [--json]\n");
		return strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, value, coalesce(note, ''), name, year "
	    "FROM policy ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		return EXIT_FAIL;
	}
	if (json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *note = (const char *)sqlite3_column_text(st, 2);
		if (json) {
			printf("%s{\"id\":", first ? "" : ",");
			json_str(stdout, (const char *)sqlite3_column_text(st, 0));
			printf(",\"name\":");
			json_str(stdout, (const char *)sqlite3_column_text(st, 3));
			printf(",\"year\":%d,\"value\":", sqlite3_column_int(st, 4));
			json_str(stdout, (const char *)sqlite3_column_text(st, 1));
			printf(",\"note\":");
			json_str(stdout, note);
			printf("}");
		} else {
			printf("%-28s %s%s%s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			    *note ? "  " : "", note);
		}
		first = 0;
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return EXIT_OK;
}

int
cmd_policy(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "set",  s_policy_set,  NEED_NODE_RW | COUNTY_ONLY | PROVINCE_ONLY,
		    "set a county (or province) policy value for a year" },
		{ "list", s_policy_list, NEED_NODE_RO, "list the county policy values" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("policy", sub, argc, argv);
}

/* ---- lika quota --------------------------------------------------------------- */

static int
s_quota_set(struct node *n, int argc, char **argv)
{
	char err[ERRBUF_SIZE], key[64];
	int rc;

	if (argc != 4 || argv[1][0] == '-') {
		FILE *f = argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr;
		fprintf(f, "usage: lika quota set CODE YEAR HOUSEHOLDS\n\n"
		    "At the county node: the scale (扶贫规模) of a township (9 digits) or a\n"
		    "village (12 digits) for YEAR, in households.  Township review and county\n"
		    "approval refuse a household that would exceed it.\n");
		return f == stdout ? EXIT_OK : EXIT_USAGE;
	}
	const char *code = argv[1], *ys = argv[2], *ns = argv[3];
	if ((code_check_township(code, err, sizeof err) < 0 && code_check_village(code, err, sizeof err) < 0))
		return tool_fail(EXIT_USAGE, "quota set", "code \"%s\" is neither a township (9 digits) "
		    "nor a village (12 digits)", code);
	if (!is_digits(ys, 4) || atoi(ys) < 1990 || atoi(ys) > 2100)
		return tool_fail(EXIT_USAGE, "quota set", "year \"%s\" is not a year 1990-2100", ys);
	if (!*ns || strlen(ns) > 7 || !is_digits(ns, strlen(ns)))
		return tool_fail(EXIT_USAGE, "quota set", "households \"%s\" is not a number 0-9999999", ns);
	if (strncmp(code, n->conf.code, 6) != 0)
		return tool_fail(EXIT_USAGE, "quota set", "code \"%s\" is not in this county", code);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "quota set", "%s", err);
	snprintf(key, sizeof key, "%s/%s", code, ys);
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_TEXT("code", code), COL_INT("year", atoi(ys)),
		COL_INT("households", atol(ns)) };
	ops_init(&ops);
	ops_upsert(&ops, "quota", key, cols, 3);
	rc = proc_commit(n, "quota set", &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("quota %s %s = %ld households\n", code, ys, atol(ns));
	return rc;
}

static int
s_quota_list(struct node *n, int argc, char **argv)
{
	sqlite3_stmt *st;

	if (argc > 1) {
		printf("usage: lika quota list\n");
		return strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT code, year, households FROM quota "
	    "ORDER BY year, code", -1, &st, NULL) != SQLITE_OK) {
		return EXIT_FAIL;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-12s %d  %d\n", sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		    sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
	return EXIT_OK;
}

int
cmd_quota(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "set",  s_quota_set,  NEED_NODE_RW | COUNTY_ONLY,
		    "set a township's or village's quota for a year (county node)" },
		{ "list", s_quota_list, NEED_NODE_RO, "list the quotas" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("quota", sub, argc, argv);
}
