// libFuzzer runs the test function of FuzzCSV.swift (see Fuzz/FuzzMain).
import FuzzMain

fuzzMain(fuzzCSV)
