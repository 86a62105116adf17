// libFuzzer runs the test function of FuzzTimestamps.swift (see Fuzz/FuzzMain).
import FuzzMain

fuzzMain(fuzzTimestamps)
