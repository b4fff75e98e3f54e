#include "lika.h"
int cmd_card(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_register(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_book(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_archive(int argc, char **argv) { (void)argc; (void)argv; return 1; }
