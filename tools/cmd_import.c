#include "lika.h"
int cmd_import(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_export(int argc, char **argv) { (void)argc; (void)argv; return 1; }
