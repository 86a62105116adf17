/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms), shared by every
/// stage: the lexer's date literals, the readers' timestamps, trends and printed dates.
/// It lives in this stdlib-only base module because every other module imports it.

/// Days since 1970-01-01 of a civil date.
public func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01.
public func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}

/// Gregorian leap years.
@inline(__always) public func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

/// Days in month `m` (1–12) of year `y`.
@inline(__always) public func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m { case 2: return isLeap(y) ? 29 : 28; case 4, 6, 9, 11: return 30; default: return 31 }
}
