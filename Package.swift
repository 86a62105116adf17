// swift-tools-version:6.0
// The funnel compiler: one target per pipeline stage (see README "Layout").
import PackageDescription

let package = Package(
    name: "funnel",
    products: [
        .executable(name: "funnel", targets: ["funnel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The base, stdlib only: spans, diagnostics and their catalogue, renderer, "did you mean",
        // calendar and number formatting. Every target's dependencies below are exactly what it imports.
        .target(name: "FunnelDiagnostics"),
        // The language's shared vocabulary: values, typed expression trees, data files' shape — stdlib only.
        .target(name: "FunnelCore", dependencies: ["FunnelDiagnostics"]),
        // Tokens, lexer, AST and the recovering parser.
        .target(name: "FunnelSyntax", dependencies: ["FunnelDiagnostics"]),
        // Name resolution and type checking against the data's schema.
        .target(name: "FunnelSema", dependencies: ["FunnelSyntax", "FunnelCore", "FunnelDiagnostics"]),
        // The plan IR: plain data lowered from the checked model; the engine runs it and `funnel explain` prints it.
        .target(name: "FunnelPlan", dependencies: ["FunnelSema", "FunnelCore", "FunnelDiagnostics"]),
        // Byte-level readers, columnar store, predicates, matcher, aggregation.
        // Dynamic exclusivity checks cost ~7% in the per-row loops; static checks remain.
        // It imports FunnelPlan and FunnelCore, never FunnelSema or FunnelSyntax (a test keeps it so).
        .target(name: "FunnelEngine", dependencies: ["FunnelPlan", "FunnelCore", "FunnelDiagnostics"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // Results (with the plan) rendered as table, JSON, CSV, Markdown, HTML and JUnit.
        .target(name: "FunnelReport", dependencies: ["FunnelEngine", "FunnelPlan", "FunnelCore", "FunnelDiagnostics"]),
        // The plan as SQL for DuckDB, ClickHouse and Spark, the engines that run it, and their results as figures.
        .target(name: "FunnelSQL", dependencies: ["FunnelPlan", "FunnelEngine", "FunnelCore", "FunnelDiagnostics"]),
        // The only place that chains parse -> check -> plan -> load -> run; the REPL's workspace.
        .target(name: "FunnelDriver", dependencies: ["FunnelSyntax", "FunnelSema", "FunnelPlan", "FunnelEngine", "FunnelSQL", "FunnelCore", "FunnelDiagnostics"]),
        // libedit from Debian's libedit-dev; imported only by FunnelREPL.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "FunnelREPL", dependencies: ["FunnelDriver", "FunnelReport", "CLibEdit"]),
        // `funnel lsp`: the language server (JSON-RPC over stdio); the compiler through the driver only.
        .target(name: "FunnelLSP", dependencies: ["FunnelDriver", "FunnelDiagnostics"]),
        // glibc's mallopt (malloc.h), for the executable's start-up.
        .systemLibrary(name: "CMalloc"),
        .executableTarget(name: "funnel", dependencies: [
            "FunnelDriver", "FunnelReport", "FunnelREPL", "CMalloc",
            "FunnelLSP", "FunnelSQL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // What the test targets share: the repository's path, temporary folders, golden cases
        // (list, compare or record with FUNNEL_RECORD=1), and StageOutputs.swift, the one file
        // through which golden tests call the compiler, engine, reports and REPL.
        .target(name: "FunnelTestSupport", dependencies: [
            "FunnelDiagnostics", "FunnelSyntax", "FunnelPlan", "FunnelReport", "FunnelDriver", "FunnelREPL",
        ], path: "Tests/FunnelTestSupport"),
        // Golden files live beside the tests (Tests/FunnelSyntaxTests/Golden) and are read by path.
        .testTarget(name: "FunnelSyntaxTests", dependencies: ["FunnelDiagnostics", "FunnelTestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "FunnelEngineTests", dependencies: [
            "FunnelCore", "FunnelDiagnostics", "FunnelSyntax", "FunnelSema", "FunnelPlan", "FunnelEngine", "FunnelDriver", "FunnelTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "FunnelCLITests", dependencies: ["FunnelTestSupport"]),
        .testTarget(name: "FunnelREPLTests", dependencies: [
            "FunnelREPL", "FunnelDriver", "FunnelEngine", "FunnelTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
                    exclude: ["pty_session.py"]),
        // The SQL backends against the native engine, on real engines (make sql-engines).
        .testTarget(name: "FunnelSQLTests", dependencies: ["FunnelTestSupport", "FunnelDriver", "FunnelEngine", "FunnelReport", "FunnelSQL"]),
        // Per-stage goldens of whole .funnel files with their data (plan, JSON result, every report
        // format, JUnit) and REPL transcripts, under Tests/FunnelGoldenTests/Golden, read by path.
        .testTarget(name: "FunnelGoldenTests", dependencies: ["FunnelTestSupport"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v5]
)

// libFuzzer targets (Fuzz/, README "Fuzzing"): each main.swift hands its test function to
// libFuzzer's LLVMFuzzerRunDriver, so they link only with -sanitize=fuzzer. They exist only when
// FUNNEL_FUZZ=1 (`make fuzz`), so the normal build and `swift build --build-tests` never see them.
if Context.environment["FUNNEL_FUZZ"] == "1" {
    package.targets += [
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .target(name: "FuzzMain", dependencies: ["CFuzzerDriver"], path: "Fuzz/FuzzMain"),
        .target(name: "FuzzReaders", dependencies: ["FunnelEngine", "FunnelCore", "FunnelDiagnostics", "FunnelDriver", "FuzzMain"], path: "Fuzz/FuzzReaders"),
        .executableTarget(name: "FuzzParser", dependencies: ["FunnelSyntax", "FunnelSema", "FunnelPlan", "FunnelCore", "FunnelDiagnostics", "FuzzMain"],
                          path: "Fuzz/FuzzParser"),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzReaders", "FuzzMain"], path: "Fuzz/FuzzCSV"),
        .executableTarget(name: "FuzzJSONL", dependencies: ["FuzzReaders", "FuzzMain"], path: "Fuzz/FuzzJSONL"),
        .executableTarget(name: "FuzzTimestamps", dependencies: ["FunnelEngine", "FuzzMain"], path: "Fuzz/FuzzTimestamps"),
        .executableTarget(name: "FuzzREPL", dependencies: ["FunnelREPL", "FunnelDriver", "FuzzMain"], path: "Fuzz/FuzzREPL"),
    ]
    package.products += ["FuzzParser", "FuzzCSV", "FuzzJSONL", "FuzzTimestamps", "FuzzREPL"].map { .executable(name: $0, targets: [$0]) }
}
