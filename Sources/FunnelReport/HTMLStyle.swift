/// The report's stylesheet: every colour is a custom property, set once for the light scheme and
/// once for the dark one, so the SVG charts follow `prefers-color-scheme` with the page.
public enum HTMLStyle {
    /// Colours of the light scheme, by role. The render tests count the chart marks of these colours.
    public static let light: [String: String] = [
        "bg": "#ffffff", "fg": "#1d2430", "muted": "#5b6473", "rule": "#d8dde6", "grid": "#e6e9ef",
        "step": "#3d6fd8", "lost": "#f2d7d2", "worst": "#c8412f", "bucket": "#7a5cc8", "interval": "#1d2430",
        "s0": "#1f77b4", "s1": "#e08a1e", "s2": "#2f9e6e", "s3": "#d6616b", "s4": "#8c6bb1", "s5": "#1fa3b8", "s6": "#b8568f", "s7": "#7d8a2e",
    ]
    public static let dark: [String: String] = [
        "bg": "#15181d", "fg": "#e3e7ee", "muted": "#9aa3b2", "rule": "#313845", "grid": "#262c36",
        "step": "#6f9cf5", "lost": "#4a2c29", "worst": "#f07a62", "bucket": "#a88cf0", "interval": "#e3e7ee",
        "s0": "#5aa9e6", "s1": "#f0a64a", "s2": "#4cc495", "s3": "#f28e96", "s4": "#b596f5", "s5": "#4cc8dc", "s6": "#e08abb", "s7": "#b5c25a",
    ]

    static func variables(_ colours: [String: String]) -> String {
        colours.sorted { $0.key < $1.key }.map { "--\($0.key):\($0.value)" }.joined(separator: ";")
    }

    static var css: String {
        """
        :root{\(variables(light))}
        @media (prefers-color-scheme: dark){:root{\(variables(dark))}}
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:62rem;padding:0 1rem;background:var(--bg);color:var(--fg)}
        header{border-bottom:2px solid var(--rule);margin-bottom:1rem}
        nav a{color:var(--step)}
        h2{margin-top:2.5rem;border-bottom:1px solid var(--rule);padding-bottom:.3rem}
        code{font-size:13px}
        .meta{color:var(--muted);margin-top:-.3rem}
        .figure{margin:1rem 0;overflow-x:auto}
        svg.chart{display:block;font:12px system-ui,sans-serif;shape-rendering:crispEdges}
        svg text{fill:var(--fg)} svg text.tick,svg text.legend{fill:var(--muted)} svg text.small{font-size:10px}
        svg text.worst{fill:var(--worst);font-weight:600}
        svg .step{fill:var(--step)} svg .lost{fill:var(--lost)} svg .lost.biggest{fill:var(--worst)}
        svg .bucket{fill:var(--bucket)} svg .grid{stroke:var(--grid);stroke-width:1}
        svg .zero{stroke:var(--muted);stroke-width:1;stroke-dasharray:3 3}
        svg .interval{stroke:var(--interval);stroke-width:2} svg .estimate{fill:var(--interval)}
        svg polyline.trend{fill:none;stroke-width:2.5;shape-rendering:geometricPrecision}
        svg circle.point{shape-rendering:geometricPrecision}
        \((0..<SVGChart.palette).map { "svg .s\($0){fill:var(--s\($0))} svg polyline.s\($0){stroke:var(--s\($0));fill:none}" }.joined(separator: "\n"))
        table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}
        th,td{padding:.25rem .7rem;border-bottom:1px solid var(--grid);text-align:right}
        th:first-child,td:first-child{text-align:left} table.expects td{text-align:left}
        table.groups td:not(:first-child){white-space:nowrap} .share{color:var(--muted);font-size:12px}
        tr.worst td{color:var(--worst)} p.worst{color:var(--worst)}
        tr.fail td{color:var(--worst);font-weight:600} tr.pass td.status{color:var(--s2)}
        .warn{color:var(--s1)}

        """
    }
}
