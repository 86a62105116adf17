import FunnelCore
import FunnelEngine
import FunnelPlan
import Testing

/// The A/B statistics against published values.
struct ComparisonTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 5e-4) -> Bool { a.map { abs($0 - b) <= tol } ?? false }

    @Test func wilsonInterval() {
        // Newcombe (1998), Table I: 81/263 → 0.2553 to 0.3662.
        let w = ABStatistics.wilson(81, 263)
        #expect(close(w?.low, 0.2553) && close(w?.high, 0.3662))
        // 0/10 → 0 to 0.2775.
        let zero = ABStatistics.wilson(0, 10)
        #expect(close(zero?.low, 0) && close(zero?.high, 0.2775))
    }

    @Test func newcombeDifference() {
        // Newcombe (1998) difference example: 56/70 − 48/80, method 10 → 0.0524 to 0.3339.
        let d = ABStatistics.newcombe(56, 70, 48, 80)
        #expect(close(d?.low, 0.0524) && close(d?.high, 0.3339))
    }

    @Test func twoProportionZTest() {
        // 56/70 vs 48/80: pooled p = 104/150, se = sqrt(p(1-p)(1/70 + 1/80)) = 0.075467,
        // z = 0.2 / se = 2.6502, two-sided p = 2(1 - Φ(2.6502)) = 0.008045.
        #expect(close(ABStatistics.zTest(56, 70, 48, 80), 0.008045, 5e-6))
        #expect(ABStatistics.zTest(5, 10, 5, 10) == 1)
    }

    @Test func fishersExactTest() {
        // The lady tasting tea: [[3, 1], [1, 3]] → two-sided p = 0.4857.
        #expect(close(ABStatistics.fisher(3, 4, 1, 4), 0.4857))
        // [[1, 9], [11, 3]] → two-sided p = 0.002759.
        #expect(close(ABStatistics.fisher(1, 10, 11, 14), 0.002759, 5e-6))
        #expect(ABStatistics.pValue(1, 10, 11, 14).test == "fisher")
        #expect(ABStatistics.pValue(56, 70, 48, 80).test == "z")
    }
}
