/*
 * cmd_node.c — `lika init` and `lika whoami`.
 */
#include <getopt.h>
#include <string.h>

#include "labels.h"
#include "lika.h"
#include "util.h"

static void
s_init_usage(FILE *f)
{
	fprintf(f,
	    "usage: lika [--data DIR] init --role county --node CODE --name NAME [--listen tcp://ADDR:PORT]\n"
	    "       lika [--data DIR] init --role province --node CODE --name NAME [--listen tcp://ADDR:PORT]\n"
	    "       lika [--data DIR] init --role township --node CODE --name NAME\n"
	    "                              --county-key HEX --hub tcp://HOST:PORT [--restore-from-hub]\n"
	    "\n"
	    "Create a node in DIR: lika.db (the ledger), node.key (Ed25519, mode 0600) and\n"
	    "lika.conf.  CODE is the statistical division code: 6 digits for a county,\n"
	    "9 for a township, 6 ending in 0000 for a province (its hub admits the\n"
	    "counties on its roster; a county reaches it with [upstream]).  A township needs its county's public key (\"lika whoami\"\n"
	    "at the county) and the hub's endpoint.  Refuses if DIR already holds a node.\n"
	    "\n"
	    "--restore-from-hub: a new machine for a township whose machine (and key) was\n"
	    "lost.  It gets a new key, printed here: the county runs \"lika roster\n"
	    "rekey-township CODE KEY\" with it.  Writes are held until likad has pulled the\n"
	    "township's whole feed back from the hub; its next change set continues the\n"
	    "feed under the new key (deploy/PROVISIONING.md, \"A township machine lost\").\n");
}

/* Flag-less: there is no node before it; it opens the one it made to print its key. */
int
cmd_init(struct node *none, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "node", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "county-key", required_argument, NULL, 'k' },
		{ "hub", required_argument, NULL, 'H' },
		{ "listen", required_argument, NULL, 'l' },
		{ "restore-from-hub", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct node_init_args a = { .role = ROLE_NONE };
	const char *role = NULL;
	char err[ERRBUF_SIZE];
	int ch;

	(void)none;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': role = optarg; break;
		case 'n': a.code = optarg; break;
		case 'N': a.name = optarg; break;
		case 'k': a.county_key = optarg; break;
		case 'H': a.hub = optarg; break;
		case 'l': a.listen = optarg; break;
		case 'R': a.restore_from_hub = 1; break;
		case 'h': s_init_usage(stdout); return EXIT_OK;
		default: s_init_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "init", "unexpected argument \"%s\"", argv[optind]);
	if (role == NULL)
		return tool_fail(EXIT_USAGE, "init", "--role township|county|province is required");
	/* township, county or province, in English or Chinese (乡镇, 县, 省) */
	const struct label *rl = label_find(label_node_roles, role);
	if ((a.role = role_parse(rl ? rl->key : role)) == ROLE_NONE)
		return tool_fail(EXIT_USAGE, "init", "role \"%s\" is neither \"township\" (乡镇) nor \"county\" (县), "
		    "nor \"province\" (省)", role);
	if (a.code == NULL)
		return tool_fail(EXIT_USAGE, "init", "--node CODE is required");
	if (a.role != ROLE_TOWNSHIP && (a.county_key || a.hub))
		return tool_fail(EXIT_USAGE, "init", "--county-key and --hub are for townships; "
		    "a %s is its own hub", role_name(a.role));
	if (a.role == ROLE_TOWNSHIP && a.listen)
		return tool_fail(EXIT_USAGE, "init", "--listen is for the county hub");
	int rc = node_init(tool_data_dir, &a, err, sizeof err);
	if (rc < 0)
		return tool_fail(rc == -2 ? EXIT_USAGE : EXIT_FAIL, "init", "%s", err);

	struct node n;
	if (tool_open(&n, NODE_READONLY) < 0)
		return EXIT_FAIL;
	char hex[2 * PUBKEY_BYTES + 1];
	hex_encode(hex, n.id.pk, PUBKEY_BYTES);
	printf("created %s node %s (%s) in %s\npublic key %s\n", role_name(n.conf.role),
	    n.conf.code, n.conf.name, tool_data_dir, hex);
	if (a.restore_from_hub)
		printf("writes are held until likad has pulled this township's feed back from the hub.\n"
		    "Give the county this key: lika roster rekey-township %s %s\n", n.conf.code, hex);
	node_close(&n);
	return EXIT_OK;
}

int
cmd_whoami(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "key", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char hex[2 * PUBKEY_BYTES + 1];
	int ch, json = 0, key = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'k': key = 1; break;
		case 'h':
			printf("usage: lika [--data DIR] whoami [--json | --key]\n\n"
			    "Print this node's code, role, name and public key (hex); --key: the key\n"
			    "alone, as \"lika init --county-key\" and \"lika roster add-township\" take it.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "whoami", "unexpected argument \"%s\"", argv[optind]);
	hex_encode(hex, n->id.pk, PUBKEY_BYTES);
	if (key) {
		printf("%s\n", hex);
		return EXIT_OK;
	}
	if (json) {
		printf("{\"node\":");
		json_str(stdout, n->conf.code);
		printf(",\"role\":\"%s\",\"name\":", role_name(n->conf.role));
		json_str(stdout, n->conf.name);
		printf(",\"pubkey\":\"%s\",\"county\":\"%s\",\"county_key\":\"%s\"}\n", hex,
		    n->id.county, n->conf.county_key);
	} else {
		printf("node    %s\nrole    %s\nname    %s\nkey     %s\ncounty  %s\n", n->conf.code,
		    role_name(n->conf.role), n->conf.name, hex, n->id.county);
	}
	return EXIT_OK;
}
