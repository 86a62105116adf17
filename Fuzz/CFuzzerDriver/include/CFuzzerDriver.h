// libFuzzer's entry point for programs that have a main of their own (SwiftPM gives every
// executable one): the fuzz targets' main.swift hands it argc, argv and the test function.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
