import FunnelDiagnostics

/// A strftime-style layout of event times, `time = event_time format "%d/%m/%Y %H:%M"`, compiled
/// once and matched against each field's bytes. Directives:
/// `%Y` year (4 digits), `%y` year (2 digits: 69–99 are 19xx, 00–68 are 20xx), `%m` month,
/// `%d` / `%e` day, `%H` hour (0–23), `%I` hour (1–12) with `%p` AM/PM, `%M` minute, `%S` second
/// (one or two digits each), `%f` a fraction of a second (1–9 digits), `%b` / `%B` an English month
/// name (abbreviated or full, any case), `%z` an offset (`Z`, `+02:00`, `+0200`), `%s` epoch seconds,
/// `%j` day of the year, `%F` = `%Y-%m-%d`, `%T` = `%H:%M:%S`, `%%` a percent sign. A space
/// matches one or more spaces; every other character matches itself.
public struct TimeFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal(UInt8), spaces
        case year4, year2, month, day, dayOfYear, hour24, hour12, minute, second, fraction, ampm, monthName, offset, epochSeconds
    }
    let pieces: [Piece]
    /// The layout as written.
    public let text: String

    /// The compiled layout, or what is wrong with it (an unknown directive, a date without a day).
    public static func compile(_ text: String) -> Result<TimeFormat, TimeFormatError> {
        var pieces: [Piece] = []
        let bytes = Array(text.utf8)
        var i = 0
        let table: [UInt8: [Piece]] = [
            UInt8(ascii: "Y"): [.year4], UInt8(ascii: "y"): [.year2], UInt8(ascii: "m"): [.month], UInt8(ascii: "d"): [.day],
            UInt8(ascii: "e"): [.day], UInt8(ascii: "j"): [.dayOfYear], UInt8(ascii: "H"): [.hour24], UInt8(ascii: "I"): [.hour12],
            UInt8(ascii: "M"): [.minute], UInt8(ascii: "S"): [.second], UInt8(ascii: "f"): [.fraction], UInt8(ascii: "p"): [.ampm],
            UInt8(ascii: "b"): [.monthName], UInt8(ascii: "B"): [.monthName], UInt8(ascii: "h"): [.monthName], UInt8(ascii: "z"): [.offset],
            UInt8(ascii: "s"): [.epochSeconds], UInt8(ascii: "%"): [.literal(UInt8(ascii: "%"))],
            UInt8(ascii: "F"): [.year4, .literal(45), .month, .literal(45), .day],
            UInt8(ascii: "T"): [.hour24, .literal(58), .minute, .literal(58), .second],
        ]
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 1 < bytes.count else { return .failure(TimeFormatError(message: "the format ends with a lone '%'")) }
                guard let more = table[bytes[i + 1]] else {
                    return .failure(TimeFormatError(message: "unknown directive '%\(String(decoding: [bytes[i + 1]], as: UTF8.self))' in the time format"))
                }
                pieces += more
                i += 2
            } else {
                if c == 32 { if pieces.last != .spaces { pieces.append(.spaces) } } else { pieces.append(.literal(c)) }
                i += 1
            }
        }
        let has = { (p: Piece) in pieces.contains(p) }
        if has(.epochSeconds) { return .success(TimeFormat(pieces: pieces, text: text)) }
        guard has(.year4) || has(.year2) else { return .failure(TimeFormatError(message: "the time format has no year (%Y or %y)")) }
        guard (has(.month) || has(.monthName)) && has(.day) || has(.dayOfYear) else {
            return .failure(TimeFormatError(message: "the time format needs a month and a day (%m and %d) or a day of the year (%j)"))
        }
        if has(.hour12) != has(.ampm) { return .failure(TimeFormatError(message: "%I (a 12-hour clock) and %p (AM/PM) go together")) }
        return .success(TimeFormat(pieces: pieces, text: text))
    }

    /// A time read by the layout: µs since the epoch as if local time were UTC, and the offset
    /// `%z` gave (µs east of UTC), if any. nil when the text does not follow the layout.
    public func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> (local: Int64, offset: Int64?)? {
        var i = 0
        var year = 1970, month = 1, day = 1, yearDay: Int? = nil, hour = 0, minute = 0, second = 0, micros: Int64 = 0
        var pm: Bool? = nil, offset: Int64? = nil, epoch: Int64? = nil
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var v = 0, k = 0
            while k < maxDigits, i < n, p[i] >= 48, p[i] <= 57 { v = v * 10 + Int(p[i] - 48); i += 1; k += 1 }
            return k >= minDigits ? v : nil
        }
        for piece in pieces {
            switch piece {
            case .literal(let c): guard i < n, p[i] == c else { return nil }; i += 1
            case .spaces:
                guard i < n, p[i] == 32 else { return nil }
                while i < n && p[i] == 32 { i += 1 }
            case .year4: guard let v = number(4, 4) else { return nil }; year = v
            case .year2: guard let v = number(2, 2) else { return nil }; year = v < 69 ? 2000 + v : 1900 + v
            case .month: guard let v = number(1, 2), (1...12).contains(v) else { return nil }; month = v
            case .day:
                if i < n && p[i] == 32 { i += 1 }   // %e pads with a space
                guard let v = number(1, 2), (1...31).contains(v) else { return nil }; day = v
            case .dayOfYear: guard let v = number(1, 3), (1...366).contains(v) else { return nil }; yearDay = v
            case .hour24: guard let v = number(1, 2), v < 24 else { return nil }; hour = v
            case .hour12: guard let v = number(1, 2), (1...12).contains(v) else { return nil }; hour = v
            case .minute: guard let v = number(1, 2), v < 60 else { return nil }; minute = v
            case .second: guard let v = number(1, 2), v < 60 else { return nil }; second = v
            case .fraction:
                var digits = 0
                micros = 0
                while i < n, p[i] >= 48, p[i] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int64(p[i] - 48) }
                    digits += 1; i += 1
                }
                guard digits > 0, digits <= 9 else { return nil }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            case .ampm:
                guard i + 1 < n, p[i + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
                switch p[i] | 0x20 {
                case UInt8(ascii: "a"): pm = false
                case UInt8(ascii: "p"): pm = true
                default: return nil
                }
                i += 2
            case .monthName:
                guard let (m, length) = TimeFormat.monthName(p + i, n - i) else { return nil }
                month = m; i += length
            case .offset:
                guard let (o, length) = TimeFormat.offset(p + i, n - i) else { return nil }
                offset = o; i += length
            case .epochSeconds:
                var negative = false
                if i < n && p[i] == 45 { negative = true; i += 1 }
                guard let v = number(1, 12) else { return nil }
                epoch = Int64(negative ? -v : v) * 1_000_000
            }
        }
        guard i == n else { return nil }
        if let e = epoch { return (e + micros, offset ?? 0) }
        if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        let days: Int
        if let yd = yearDay {
            guard yd <= (isLeap(year) ? 366 : 365) else { return nil }
            days = daysFromCivil(year, 1, 1) + yd - 1
        } else {
            guard day <= daysInMonth(year, month) else { return nil }
            days = daysFromCivil(year, month, day)
        }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return (seconds * 1_000_000 + micros, offset)
    }

    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    /// An English month name, full or abbreviated to three letters, any case: (month, bytes read).
    static func monthName(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int, Int)? {
        var word: [UInt8] = []
        while word.count < n, word.count < 9, (p[word.count] | 0x20) >= 97, (p[word.count] | 0x20) <= 122 { word.append(p[word.count] | 0x20) }
        let text = String(decoding: word, as: UTF8.self)
        for (k, name) in months.enumerated() {
            if text == name { return (k + 1, word.count) }
            if word.count >= 3, text.count == 3 || (k == 8 && text == "sept"), name.hasPrefix(text) { return (k + 1, word.count) }
        }
        return nil
    }

    /// `Z`, `+02:00`, `+0200` or `+02`: (µs east of UTC, bytes read).
    static func offset(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        guard n >= 1 else { return nil }
        if p[0] == UInt8(ascii: "Z") { return (0, 1) }
        guard p[0] == 43 || p[0] == 45, n >= 3 else { return nil }
        func two(_ at: Int) -> Int? { at + 1 < n && p[at] >= 48 && p[at] <= 57 && p[at + 1] >= 48 && p[at + 1] <= 57 ? Int(p[at] - 48) * 10 + Int(p[at + 1] - 48) : nil }
        guard let h = two(1), h < 24 else { return nil }
        var length = 3, m = 0
        if n > 3 && p[3] == 58 { guard let mm = two(4) else { return nil }; m = mm; length = 6 }
        else if let mm = two(3) { m = mm; length = 5 }
        guard m < 60 else { return nil }
        let sign: Int64 = p[0] == 45 ? -1 : 1
        return (sign * Int64(h * 3600 + m * 60) * 1_000_000, length)
    }
}

/// Why a time format cannot be used.
public struct TimeFormatError: Error, Sendable, Equatable { public var message: String }
