// libFuzzer runs the test function of FuzzJSONL.swift (see Fuzz/FuzzMain).
import FuzzMain

fuzzMain(fuzzJSONL)
