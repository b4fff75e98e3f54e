/*
 * cmd_report.c — `lika progress` and `lika report`.
 */
#include <string.h>

#include "proc.h"
#include "util.h"

int
cmd_progress(int argc, char **argv)
{
	(void)argc; (void)argv;
	return tool_fail(EXIT_FAIL, "progress", "not yet");
}

int
cmd_report(int argc, char **argv)
{
	(void)argc; (void)argv;
	return tool_fail(EXIT_FAIL, "report", "not yet");
}
