import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import FunnelReport
import FunnelTestSupport
import Testing

/// The HTML report (`funnel run --format html`) from the built binary: its structure (every chart
/// well-formed SVG with the marks the figures call for, self-contained, escaped), and how it looks
/// once Chromium renders it (scripts/html_render_check.py counts the marks of each colour).
@Suite struct HTMLReportTests {
    /// A report and the JSON of the same run, from which the expected marks are counted.
    struct Run {
        var html: String
        var json: [[String: Any]]
    }

    static func run(_ file: String, _ extra: [String] = []) throws -> Run {
        let html = CLI.run(["run", file, "--format", "html"] + extra)
        #expect(html.status == 0, "\(html.stderr)")
        let json = CLI.run(["run", file, "--format", "json"] + extra)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
        let funnels = (object as? [String: Any])?["funnels"] as? [[String: Any]] ?? []
        #expect(!funnels.isEmpty, "\(json.stderr)")
        return Run(html: html.stdout, json: funnels)
    }

    /// A trend by day and device with an A/B comparison, over the e-commerce example's events.
    static func trendFunnel(in folder: String) throws -> String {
        let path = folder + "/trend.funnel"
        try """
        source events = csv("\(CLI.repo)/examples/data/ecommerce.csv") {
          user  = user_id
          time  = event_time
          event = event_type
        }
        funnel daily {
          window 7d
          step view     = "view"
          step cart     = "cart"
          step purchase = "purchase"
          by day, device
          compare by device baseline "desktop"
        }

        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: - Structure

    static func charts(_ html: String) -> [String] {
        var out: [String] = []
        var rest = Substring(html)
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    /// The elements of one SVG chart, by name and class; nil when it is not well-formed XML.
    final class Marks: NSObject, XMLParserDelegate {
        var elements: [(name: String, cls: String)] = []
        var titles = 0
        var root: [String: String] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if elements.isEmpty && root.isEmpty { root = attributes }
            elements.append((name, attributes["class"] ?? ""))
            if name == "title" { titles += 1 }
        }
        func count(_ name: String, _ cls: String) -> Int { elements.filter { $0.name == name && $0.cls == cls }.count }
        func count(_ name: String, classPrefix: String) -> Int { elements.filter { $0.name == name && $0.cls.hasPrefix(classPrefix) }.count }

        static func of(_ svg: String) -> Marks? {
            let marks = Marks()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = marks
            return parser.parse() ? marks : nil
        }
    }

    @Test func everyChartIsWellFormedAccessibleSVG() throws {
        let folder = TestSupport.temporaryFolder("funnel-html")
        for file in ["examples/ecommerce.funnel", try Self.trendFunnel(in: folder)] {
            let r = try Self.run(file)
            let svgs = Self.charts(r.html)
            #expect(svgs.count >= r.json.count, "a funnel chart per funnel at least")
            for svg in svgs {
                let marks = try #require(Marks.of(svg), "not well-formed XML:\n\(svg.prefix(400))")
                #expect(marks.root["xmlns"] == "http://www.w3.org/2000/svg")
                #expect(marks.root["role"] == "img")
                #expect(marks.root["aria-labelledby"]?.split(separator: " ").count == 2)
                #expect(marks.elements.contains { $0.name == "desc" })
                let drawn = marks.elements.filter { ["rect", "polyline", "circle", "line"].contains($0.name) && !["grid", "zero"].contains($0.cls) && !$0.cls.hasPrefix("swatch") }
                #expect(marks.titles >= drawn.count, "every mark has a title for screen readers and tooltips")
            }
            // Self-contained: no scripts, nothing fetched; ids unique.
            #expect(!r.html.contains("<script"))
            #expect(!r.html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
            let ids = r.html.components(separatedBy: " id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
            #expect(Set(ids).count == ids.count)
            #expect(r.html.contains("@media (prefers-color-scheme: dark)"))
        }
    }

    @Test func theFunnelChartHasABarPerStepAndHighlightsTheBiggestDrop() throws {
        let r = try Self.run("examples/ecommerce.funnel")
        // The sections follow the funnels' order; a section's first chart is its funnel.
        let sections = r.html.components(separatedBy: "<section id=\"").dropFirst()
        #expect(sections.count == r.json.count)
        for (section, funnel) in zip(sections, r.json) {
            let name = funnel["name"] as? String ?? ""
            let steps = funnel["steps"] as? [[String: Any]] ?? []
            let chart = try #require(Self.charts(section).first)
            #expect(chart.contains("Funnel: users per step"))
            let marks = try #require(Marks.of(chart))
            #expect(marks.count("rect", "step") == steps.count, "\(name)")
            let biggest = funnel["biggest_drop"] as? [String: Any]
            let dropped = steps.dropFirst().filter { ($0["dropped"] as? Int ?? 0) > 0 }.count
            if steps.count > 2, let step = biggest?["step"] as? String {
                #expect(marks.count("rect", "lost biggest") == 1, "\(name)")
                #expect(marks.count("rect", "lost") == dropped - 1, "\(name)")
                #expect(chart.contains("biggest drop"), "the biggest drop is labelled in \(name)")
                #expect(chart.contains("lost before \(step)"), "\(name)")
            } else {
                #expect(marks.count("rect", "lost biggest") == 0, "\(name)")
            }
        }
    }

    @Test func breakdownGroupsStandSideBySideOnOneScale() throws {
        let r = try Self.run("examples/ecommerce.funnel", ["--funnel", "checkout"])
        let groups = try #require(r.json.first?["groups"] as? [[String: Any]])
        let chart = try #require(Self.charts(r.html).first { $0.contains("Conversion from the first step, per group") })
        let marks = try #require(Marks.of(chart))
        // One bar per group and step (a step no group member reached draws none), one swatch per group.
        let expected = groups.map { g -> Int in
            let steps = g["steps"] as? [[String: Any]] ?? []
            let first = Double(steps.first?["users"] as? Int ?? 0)
            return steps.filter { Double($0["users"] as? Int ?? 0) / max(1, first) * 200 >= 0.5 }.count
        }
        for (g, n) in expected.enumerated() where g < 8 {
            #expect(marks.count("rect", "series s\(g)") == n)
            #expect(marks.count("rect", "swatch s\(g)") == 1)
        }
        // The table lists every group in one place, a column per step: not a block per group.
        #expect(r.html.components(separatedBy: "<table class=\"groups\">").count == 2)
    }

    @Test func trendsAreALineChartAndComparisonsDrawTheirIntervals() throws {
        let folder = TestSupport.temporaryFolder("funnel-html")
        let r = try Self.run(try Self.trendFunnel(in: folder))
        let funnel = try #require(r.json.first)
        let groups = funnel["groups"] as? [[String: Any]] ?? []
        let devices = Set(groups.compactMap { ($0["key"] as? [String: Any])?["device"] as? String })
        let days = Set(groups.compactMap { ($0["key"] as? [String: Any])?["day"] as? String })
        let chart = try #require(Self.charts(r.html).first { $0.contains("Conversion per period") })
        let marks = try #require(Marks.of(chart))
        #expect(marks.count("polyline", classPrefix: "trend") >= devices.count, "a line per device (broken where a day has no attempts)")
        #expect(Set(marks.elements.filter { $0.name == "polyline" }.map(\.cls)).count == devices.count)
        #expect(marks.count("circle", classPrefix: "point") == groups.count, "a point per day and device")
        #expect(days.count > 20)
        let comparisons = funnel["comparisons"] as? [[String: Any]] ?? []
        let rows = comparisons.reduce(0) { $0 + (($1["rows"] as? [Any])?.count ?? 0) }
        let intervals = try #require(Self.charts(r.html).first { $0.contains("Difference from the baseline") })
        let drawn = try #require(Marks.of(intervals))
        #expect(rows > 0 && drawn.count("line", "interval") == rows && drawn.count("circle", "estimate") == rows)
    }

    @Test func theHistogramHasABarPerNonEmptyBucketAndKPIsShowTheirTargets() throws {
        let r = try Self.run("examples/ecommerce.funnel", ["--funnel", "checkout"])
        let funnel = try #require(r.json.first)
        let histogram = (funnel["time_to_convert"] as? [String: Any])?["histogram"] as? [String: Any]
        let counts = histogram?["counts"] as? [Int] ?? []
        let chart = try #require(Self.charts(r.html).first { $0.contains("Time to convert") })
        #expect(try #require(Marks.of(chart)).count("rect", "bucket") == counts.filter { $0 > 0 }.count)
        // conversion >= 5% holds; the KPI row carries its target and the pass.
        #expect(r.html.contains("<tr class=\"pass\"><th>conversion</th><td>12.78%</td><td>&gt;= 5%; &gt;= 5% for each device</td><td class=\"status\">pass</td></tr>"))
        #expect(r.html.contains("<tr><th>time_to_buy</th>"), "a KPI without an expect has no target")
        // The header names the source, the data's range and the run time.
        #expect(r.html.contains("source <code>examples/ecommerce.funnel</code>"))
        #expect(r.html.contains("data 2024-03-01T00:02:59Z → "))
        #expect(r.html.contains(" · ran in "))
    }

    @Test func hostileValuesAreEscapedAndTheChartsStayWellFormed() throws {
        let folder = TestSupport.temporaryFolder("funnel-html")
        let values = ["<script>alert(1)</script>", "a&b \"quoted\"", "bell\u{7}here", "日本"]
        var csv = "user,time,event,device\n"
        for (i, v) in values.enumerated() {
            let field = "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            csv += "u\(i),2024-01-01T00:00:00Z,view,\(field)\nu\(i),2024-01-01T00:01:00Z,buy,\(field)\n"
        }
        try csv.write(toFile: folder + "/e.csv", atomically: true, encoding: .utf8)
        try """
        source events = csv("e.csv") { user = user time = time event = event }
        funnel f {
          step view = "view"
          step buy  = "buy"
          by device
        }

        """.write(toFile: folder + "/f.funnel", atomically: true, encoding: .utf8)
        let r = try Self.run(folder + "/f.funnel")
        #expect(!r.html.contains("<script>"))
        #expect(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(r.html.contains("a&amp;b &quot;quoted&quot;"))
        #expect(!r.html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
        for svg in Self.charts(r.html) { #expect(Marks.of(svg) != nil, "\(svg.prefix(300))") }
    }

    // MARK: - Rendered by Chromium

    /// What scripts/html_render_check.py saw; nil (said on stderr) when Chromium or Pillow is missing.
    static func render(_ html: String, colours: [String: String]) throws -> [String: Any]? {
        let python = CLI.repo + "/.build/sql-venv/bin/python"
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard FileManager.default.isExecutableFile(atPath: python), let chromium else {
            FileHandle.standardError.write(Data("HTML render tests: Chromium or .build/sql-venv is missing, skipped (run `make html-tools`)\n".utf8))
            return nil
        }
        let folder = TestSupport.temporaryFolder("funnel-html-render")
        try html.write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [CLI.repo + "/scripts/html_render_check.py", folder + "/report.html", "--chromium", chromium]
            + colours.sorted { $0.key < $1.key }.flatMap { ["--colour", "\($0.key)=\($0.value)"] }
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus != 0, problems.contains("No module named 'PIL'") {
            FileHandle.standardError.write(Data("HTML render tests: Pillow is missing, skipped (run `make html-tools`)\n".utf8))
            return nil
        }
        #expect(p.terminationStatus == 0, "\(problems)")
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    static func blocks(_ seen: [String: Any], _ name: String) -> (components: Int, pixels: Int) {
        let m = (seen["marks"] as? [String: Any])?[name] as? [String: Any]
        return (m?["components"] as? Int ?? -1, m?["pixels"] as? Int ?? -1)
    }

    @Test func chromiumDrawsTheBarsAndBothColourSchemes() throws {
        let r = try Self.run("examples/ecommerce.funnel")
        let light = HTMLStyle.light
        let names = ["step", "worst", "lost", "bucket", "s0", "s1", "s2", "s3"]
        guard let seen = try Self.render(r.html, colours: light.filter { names.contains($0.key) }) else { return }
        // Not blank, styled, and the dark scheme really is dark.
        let page = seen["light"] as? [String: Any] ?? [:], dark = seen["dark"] as? [String: Any] ?? [:]
        #expect(page["background"] as? String == light["bg"])
        #expect(dark["background"] as? String == HTMLStyle.dark["bg"])
        #expect((page["inkFraction"] as? Double ?? 0) > 0.02 && (page["distinctColours"] as? Int ?? 0) > 50)
        #expect((dark["inkFraction"] as? Double ?? 0) > 0.02)
        // The marks the figures call for, counted on the picture.
        var steps = 0, worst = 0, lost = 0, buckets = 0
        var series = [Int](repeating: 0, count: 4)
        for f in r.json {
            let s = f["steps"] as? [[String: Any]] ?? []
            steps += s.count
            let drops = s.dropFirst().filter { ($0["dropped"] as? Int ?? 0) > 0 }.count
            let highlighted = s.count > 2 && f["biggest_drop"] is [String: Any] ? 1 : 0
            worst += highlighted
            lost += drops - highlighted
            let ttc = (f["time_to_convert"] as? [String: Any])?["histogram"] as? [String: Any]
            buckets += (ttc?["counts"] as? [Int] ?? []).filter { $0 > 0 }.count
            for (g, group) in (f["groups"] as? [[String: Any]] ?? []).prefix(4).enumerated() {
                let gs = group["steps"] as? [[String: Any]] ?? []
                let first = Double(gs.first?["users"] as? Int ?? 0)
                series[g] += gs.filter { Double($0["users"] as? Int ?? 0) / max(1, first) * 200 >= 0.5 }.count + 1
            }
        }
        #expect(Self.blocks(seen, "step").components == steps)
        #expect(Self.blocks(seen, "worst").components == worst)
        #expect(Self.blocks(seen, "lost").components == lost)
        #expect(Self.blocks(seen, "bucket").components == buckets)
        for g in 0..<4 { #expect(Self.blocks(seen, "s\(g)").components == series[g], "group \(g)") }
    }

    @Test func chromiumDrawsALinePerGroupOfTheTrend() throws {
        let folder = TestSupport.temporaryFolder("funnel-html")
        let r = try Self.run(try Self.trendFunnel(in: folder))
        let names = ["s0", "s1", "s2", "s3", "interval"]
        guard let seen = try Self.render(r.html, colours: HTMLStyle.light.filter { names.contains($0.key) }) else { return }
        // Three devices: three coloured lines (many pixels each, beyond a legend swatch), no fourth.
        for g in 0..<3 { #expect(Self.blocks(seen, "s\(g)").pixels > 600, "line \(g)") }
        #expect(Self.blocks(seen, "s3").pixels == 0)
        let rows = (r.json.first?["comparisons"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["rows"] as? [Any])?.count ?? 0) }
        #expect(Self.blocks(seen, "interval").components == rows, "an interval per comparison row")
    }
}
