// libFuzzer runs the test function of FuzzREPL.swift (see Fuzz/FuzzMain).
import FuzzMain

fuzzMain(fuzzREPL, setUp: prepare)
