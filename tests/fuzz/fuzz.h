/*
 * fuzz.h — the entry point every harness under tests/fuzz/ defines.  Built
 * with clang -fsanitize=fuzzer by `make fuzz`; built with replay.c by the
 * ordinary compiler for `make test`, which runs every file of the harness's
 * corpus (and every crash file ever found, kept there) through it.
 */
#ifndef LIKA_FUZZ_H
#define LIKA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
