import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// `profile by KEY { columns }`: the funnel's users described per group of KEY.
extension Checker {
    mutating func profile(_ f: FunnelDecl, home: SourceFile, into result: inout CheckedFunnel) {
        for c in f.clauses {
            file = c.origin ?? home
            guard case .profile(let key, let items) = c.kind else { continue }
            if result.profile != nil { error(.duplicateDeclaration, "a funnel has one profile", c.keyword.span, help: "keep one 'profile' clause"); continue }
            guard result.count == .users else {
                error(.badCount, "a profile describes users, but this funnel counts \(result.count == .conversions ? "conversions" : "a property")",
                      c.keyword.span, help: "profile a funnel that counts users (drop its 'count' clause)")
                continue
            }
            guard let checkedKey = breakdownKey(key) else { continue }
            if checkedKey.period != nil {
                error(.keyExpected, "a profile groups users, not periods", key.expr.span, help: "write: profile by loyalty, by user.gender or by a segment")
                continue
            }
            let columns = items.isEmpty ? usersTableColumns() : items.compactMap { profileColumn($0) }
            guard items.isEmpty || columns.count == items.count else { continue }
            // Each column is a field of JSON's `values`: two of one name would hide one.
            if let (i, twice) = columns.enumerated().first(where: { i, c in columns[..<i].contains { $0.name == c.name } }) {
                error(.duplicateName, "the profile has two columns named '\(twice.name)'", items[i].name?.span ?? items[i].expr.span,
                      help: "name one of them: \(twice.name)_2 = …")
                continue
            }
            result.profile = CheckedProfile(key: checkedKey, columns: columns)
        }
        file = home
    }

    /// One column: a user value, averaged when it is a number or a duration, else shown as a mix.
    mutating func profileColumn(_ item: ProfileItem) -> CheckedProfileColumn? {
        guard let (expr, type) = userExpr(item.expr) else { return nil }
        guard type != .time else {
            error(.wrongResultType, "a profile column averages numbers and durations or mixes labels; this one is a time", item.expr.span,
                  help: "profile the time since it instead: recency(\"purchase\")")
            return nil
        }
        return CheckedProfileColumn(name: item.name?.text ?? profileName(item.expr), expr: expr, type: type)
    }

    /// A column's name when none is given: `age` for `user.age`, else the expression as written.
    func profileName(_ e: Expr) -> String {
        if case .member(let base, let field) = e.kind, case .name("user") = base.kind { return field.text }
        return file.text(of: e.span)
    }

    /// `profile by KEY` without columns: every column of the users table but its key.
    func usersTableColumns() -> [CheckedProfileColumn] {
        guard let schema = usersSchema else { return [] }
        return schema.columns.filter { $0.name != users?.keyColumn && $0.type != .time }.map { c in
            CheckedProfileColumn(name: c.name, expr: .profile(c.name, c.type), type: c.type)
        }
    }
}
