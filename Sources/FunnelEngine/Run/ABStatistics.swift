import Foundation

/// The statistics of `compare` (language.md §8): Wilson intervals for rates, Newcombe's
/// hybrid score interval for their difference, a two-proportion z-test, and Fisher's exact
/// test when a cell of the 2×2 table is below 5.
public enum ABStatistics {
    /// z for a two-sided 95% interval.
    public static let z95 = 1.959963984540054

    /// Wilson score interval of x successes in n trials.
    public static func wilson(_ x: Int, _ n: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let p = Double(x) / Double(n), nn = Double(n), z2 = z * z
        let center = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }

    /// Newcombe's interval for p1 − p2 (method 10, from the two Wilson intervals).
    public static func newcombe(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> (low: Double, high: Double)? {
        guard let w1 = wilson(x1, n1), let w2 = wilson(x2, n2) else { return nil }
        let p1 = Double(x1) / Double(n1), p2 = Double(x2) / Double(n2), d = p1 - p2
        let low = d - ((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2)).squareRoot()
        let high = d + ((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low)).squareRoot()
        return (low, high)
    }

    /// Two-sided p-value of the pooled two-proportion z-test.
    public static func zTest(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> Double? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p = Double(x1 + x2) / Double(n1 + n2)
        let se = (p * (1 - p) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { return 1 }
        let z = (Double(x1) / Double(n1) - Double(x2) / Double(n2)) / se
        return erfc(abs(z) / 2.0.squareRoot())
    }

    /// Two-sided Fisher's exact test of the table [[x1, n1−x1], [x2, n2−x2]]: the total
    /// probability of the tables (same margins) no more likely than the observed one.
    public static func fisher(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> Double? {
        guard n1 > 0, n2 > 0 else { return nil }
        let k = x1 + x2, n = n1 + n2
        func logChoose(_ a: Int, _ b: Int) -> Double { lgamma(Double(a + 1)) - lgamma(Double(b + 1)) - lgamma(Double(a - b + 1)) }
        func logP(_ a: Int) -> Double { logChoose(n1, a) + logChoose(n2, k - a) - logChoose(n, k) }
        let lo = max(0, k - n2), hi = min(k, n1)
        let observed = logP(x1)
        var total = 0.0
        for a in lo...hi {
            let lp = logP(a)
            if lp <= observed + 1e-7 { total += exp(lp) }
        }
        return min(1, total)
    }

    /// The test language.md asks for: Fisher's when a cell is below 5, else the z-test.
    public static func pValue(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> (p: Double?, test: String) {
        if [x1, n1 - x1, x2, n2 - x2].contains(where: { $0 < 5 }) { return (fisher(x1, n1, x2, n2), "fisher") }
        return (zTest(x1, n1, x2, n2), "z")
    }
}
