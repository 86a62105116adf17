// libFuzzer runs the test function of FuzzParser.swift (see Fuzz/FuzzMain).
import FuzzMain

fuzzMain(fuzzParser)
