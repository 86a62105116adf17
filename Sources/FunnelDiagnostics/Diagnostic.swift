/// How bad a diagnostic is.
public enum Severity: String, Sendable, Comparable {
    case warning, error
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// Where a diagnostic points: a span in a source file, or a place in a data file.
public enum DiagnosticLocation: Sendable {
    case source(SourceFile, SourceSpan)
    /// A data file (CSV / JSON Lines): 1-based line and column, and the line's text when known.
    case data(path: String, line: Int, column: Int, lineText: String?)
    /// A file as a whole (missing, unreadable, empty).
    case file(path: String)
}

/// One error or warning. Codes are stable and grouped by stage:
/// E1xx syntax, E2xx checking, E3xx plan, E4xx data.
public struct Diagnostic: Sendable, Error {
    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    public var location: DiagnosticLocation?
    public var help: String?

    public init(_ severity: Severity, _ code: DiagnosticCode, _ message: String,
                at location: DiagnosticLocation? = nil, help: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.help = help
    }

    public var isError: Bool { severity == .error }

    /// The file of the diagnostic, when it has one (`position` without locating the line and column).
    public var path: String? {
        switch location {
        case .source(let file, _)?: return file.path
        case .data(let path, _, _, _)?: return path
        case .file(let path)?: return path
        case nil: return nil
        }
    }

    /// `path:line:col` of the diagnostic, when it has one.
    public var position: (path: String, line: Int, column: Int)? {
        switch location {
        case .source(let file, let span)?:
            let (l, c) = file.location(of: span.start)
            return (file.path, l, c)
        case .data(let path, let line, let column, _)?: return (path, line, column)
        case .file(let path)?: return (path, 0, 0)
        case nil: return nil
        }
    }
}

/// Thrown by a stage that cannot go on; carries everything found so far.
public struct DiagnosticsError: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
