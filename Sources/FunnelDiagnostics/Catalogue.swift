/// Every diagnostic the compiler, the engines and the REPL can report: one member per code,
/// so wording and numbering are reviewed in one place (swift-syntax's message catalogue).
/// Codes are stable and grouped by stage: E1xx syntax (and the `.funnel` file itself),
/// E2xx checking, E3xx planning, E4xx data, E9xx internal errors. The README's table of
/// codes is generated from this list and a test keeps the two equal.
public enum DiagnosticCode: String, CaseIterable, Sendable, Comparable {
    // MARK: E1xx syntax
    /// A backticked name has no closing backtick.
    case unterminatedBacktick = "E101"
    /// A character that starts no token.
    case unexpectedCharacter = "E102"
    /// A string escape that the language does not define.
    case badEscape = "E103"
    /// A string literal has no closing quote.
    case unterminatedString = "E104"
    /// A duration literal with an unknown unit, trailing text, or beyond the representable range.
    case badDurationLiteral = "E105"
    /// A date or date-time literal that is not a real day or time.
    case badDateLiteral = "E106"
    /// The parser expected another token here.
    case expectedToken = "E111"
    /// A source format other than csv or jsonl.
    case unknownFormat = "E112"
    /// A `{` without its closing `}`.
    case unclosedBlock = "E113"
    /// `=` written where a comparison `==` was meant.
    case assignmentInCondition = "E114"
    /// A `test` block that does not have the expected shape.
    case badTestBlock = "E115"
    /// A row of a test's events table that does not fit its header.
    case badEventTable = "E116"
    /// An expression nested deeper than the limit (parentheses, lists, `not`, `-`, long chains, segments expanded into one another).
    case tooDeeplyNested = "E117"
    /// (warning) A `.funnel` file that declares no funnels (empty, or only comments).
    case noFunnels = "E118"
    /// A `.funnel` file (given or imported) that cannot be read.
    case funnelFileUnreadable = "E120"
    /// A `.funnel` file that is not UTF-8 text.
    case funnelFileNotUTF8 = "E121"

    // MARK: E2xx checking
    /// A property name that is not a column of the funnel's source.
    case unknownProperty = "E201"
    /// A source, segment, funnel or users table declared twice, or a clause given twice.
    case duplicateDeclaration = "E202"
    /// A setting of a source or users table that is unknown or invalid.
    case badSourceSetting = "E203"
    /// An operand of the wrong type: comparing a string with a number, arithmetic on text.
    case typeMismatch = "E204"
    /// A mapped column (user, time, event, users key) that is not in the file.
    case missingColumn = "E205"
    /// A field of single events used in a user condition outside an aggregate.
    case eventFieldInUserCondition = "E206"
    /// A segment that refers to itself, directly or through others.
    case segmentCycle = "E207"
    /// An unknown `order` or `ties` setting.
    case unknownMatchSetting = "E208"
    /// A negative duration, or dates that run backwards.
    case invalidRange = "E209"
    /// (warning) An event name that never occurs in the data.
    case unknownEvent = "E210"
    /// `count` given something other than users, conversions or a property.
    case badCount = "E211"
    /// `user.X` without a users table.
    case needsUsersTable = "E212"
    /// A step's value (`purchase.price`) outside a KPI aggregate.
    case stepValueOutsideAggregate = "E213"
    /// An aggregate inside a condition on one event.
    case aggregateInEventCondition = "E214"
    /// A `matches` pattern that is not a valid regular expression.
    case badRegex = "E215"
    /// A function called with the wrong number or kind of arguments.
    case badArguments = "E216"
    /// A test block that cannot run: a missing column in its table, no expect lines.
    case badTest = "E217"
    /// A CSV header that looks split by another delimiter than the one it was read with.
    case headerDelimiter = "E218"
    /// A funnel without any data source to read.
    case noSource = "E220"
    /// A funnel with no steps, or more than 32.
    case stepCount = "E230"
    /// A step or KPI name used twice in one funnel.
    case duplicateName = "E231"
    /// `within` where it does not apply (first step, `order any`).
    case withinNotAllowed = "E232"
    /// Steps named in the wrong order (`between`, `time(a -> b)`), or `between` in an `any` funnel.
    case badStepOrder = "E233"
    /// A `user.X` that is not a column of the users table.
    case unknownUserProperty = "E241"
    /// A call of a function the language does not have (here).
    case unknownFunction = "E242"
    /// A funnel name that is not defined.
    case unknownFunnel = "E243"
    /// A segment name that is not defined.
    case unknownSegment = "E244"
    /// A source name (`from`) that is not declared.
    case unknownSource = "E245"
    /// A step or KPI name (`between`, `at`, KPIs) that the funnel does not have.
    case unknownStepOrKPI = "E246"
    /// A clause whose expression has the wrong kind of result (a condition where a number is due, or the reverse).
    case wrongResultType = "E250"
    /// An operator or expression in a place where it means nothing.
    case misplacedExpression = "E251"
    /// `in` without a list of constants on its right.
    case badList = "E252"
    /// `null` or true/false compared with an operator other than `==` and `!=`.
    case badNullComparison = "E253"
    /// A window or `within` that is not a duration such as 7d.
    case durationExpected = "E254"
    /// A literal of the wrong kind: a date, a baseline value.
    case valueExpected = "E255"
    /// A breakdown or comparison key that is not a property.
    case keyExpected = "E256"
    /// (warning) An expect compares a rate (0 to 1) with a number above 1: `expect conversion >= 40` where 40% was meant.
    case rateComparedWithNumber = "E257"
    /// `expect … for each KEY` where KEY is not the funnel's breakdown (`group` names every key at once).
    case forEachWithoutBreakdown = "E258"
    /// A time format (`time = t format "…"`) that cannot read times: an unknown directive, no year or day.
    case badTimeFormat = "E259"

    // MARK: E3xx planning
    /// A construct the language defines but the engine does not run yet.
    case unsupported = "E301"
    /// A construct that has no exact translation to SQL for the chosen target (`funnel sql`, `--engine`) yet.
    case notTranslatable = "E302"

    // MARK: E4xx data
    /// A data file that cannot be opened or mapped.
    case dataFileUnreadable = "E401"
    /// A CSV record or JSON line that is not well formed.
    case malformedRecord = "E402"
    /// A header or row whose fields do not line up.
    case fieldLayout = "E403"
    /// An empty user or event field.
    case emptyRoleField = "E404"
    /// A time that cannot be read.
    case badTime = "E405"
    /// An empty file, or a CSV file without a header or rows.
    case noRows = "E406"
    /// A value that does not fit its column's type.
    case badValue = "E407"
    /// A field that is not UTF-8 text.
    case notUTF8 = "E408"
    /// Loading was cancelled (Ctrl-C in the REPL).
    case cancelled = "E409"
    /// A test's events table could not be written to a temporary file.
    case testTableUnwritable = "E410"
    /// More events in one file than the engine's row numbers hold.
    case tooManyEvents = "E411"
    /// A data file that was truncated or rewritten while funnel was reading it.
    case dataFileChanged = "E412"
    /// A user's key on a second row of the users table.
    case duplicateKey = "E413"
    /// Loading passed the memory limit (`--max-memory`, by default 80% of the machine's memory).
    case memoryLimit = "E414"

    // MARK: E5xx engines
    /// A SQL engine that cannot be found or reached (`--engine`).
    case engineUnavailable = "E501"
    /// A SQL engine that ran the query and failed.
    case engineFailed = "E502"
    /// A SQL engine's result that does not have the expected shape.
    case engineResult = "E503"

    // MARK: E9xx internal
    /// An impossible state was reached: a bug in funnel.
    case internalError = "E900"

    /// The pipeline stage that reports the code.
    public var stage: String {
        switch rawValue.dropFirst().first {
        case "1": return "syntax"
        case "2": return "check"
        case "3": return "plan"
        case "4": return "data"
        case "5": return "engine"
        default: return "internal"
        }
    }

    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }
}
