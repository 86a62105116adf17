import Foundation
import Testing
import FunnelTestSupport

/// `funnel lsp` driven over pipes by a scripted client, as an editor drives it.
@Suite(.serialized) struct LSPTests {
    typealias Object = [String: Any]

    /// A folder with a small event file; documents are opened with their text (nothing is saved).
    static func folder() -> String {
        let dir = TestSupport.temporaryFolder("funnel-lsp")
        let csv = """
        user,time,event,price,device
        u1,2024-01-01T00:00:00Z,view,0,mobile
        u1,2024-01-01T00:01:00Z,cart,5,mobile
        u1,2024-01-01T00:02:00Z,buy,5,mobile
        u2,2024-01-01T00:00:00Z,view,0,desktop
        u2,2024-01-01T00:03:00Z,cart,7,desktop
        u3,2024-01-01T00:00:00Z,view,0,desktop

        """
        #expect(FileManager.default.createFile(atPath: dir + "/data.csv", contents: Data(csv.utf8)))
        return dir
    }

    static let shop = """
    source events = csv("data.csv") { user = user  time = time  event = event }
    segment buyers = count("buy") >= 1

    funnel shop {
      step view = "view"
      step cart = "cart"
      step buy  = "buy" and price > 0
      by device
      kpi conversion = buy / view
    }

    funnel loyal {
      step view = "view"
      step buy  = "buy"
      for buyers
    }

    """

    static func uri(_ path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    /// A started, initialized server with one document open; also returns its first diagnostics.
    static func open(_ text: String, name: String = "shop.funnel", in dir: String? = nil) throws -> (LSPClient, String, Object?) {
        let client = try LSPClient()
        client.initialize()
        let uri = uri((dir ?? folder()) + "/" + name)
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "funnel", "version": 1, "text": text]])
        let published = client.notification("textDocument/publishDiagnostics")?["params"] as? Object
        return (client, uri, published)
    }

    /// The LSP position (0-based line, UTF-16 column) of the `occurrence`-th `needle` in `text`,
    /// plus `offset` UTF-16 units: computed here independently of the server.
    static func position(of needle: String, in text: String, occurrence: Int = 1, offset: Int = 0) -> Object {
        var seen = 0
        for (i, line) in text.components(separatedBy: "\n").enumerated() {
            var rest = line[...]
            while let r = rest.range(of: needle) {
                seen += 1
                if seen == occurrence { return ["line": i, "character": line[..<r.lowerBound].utf16.count + offset] }
                rest = line[r.upperBound...]
            }
        }
        Issue.record("'\(needle)' does not occur \(occurrence) times")
        return ["line": 0, "character": 0]
    }

    static func at(_ uri: String, _ position: Object) -> Object { ["textDocument": ["uri": uri], "position": position] }

    static func range(_ json: Any?) -> [Int] {
        guard let r = json as? Object, let s = r["start"] as? Object, let e = r["end"] as? Object else { return [] }
        return [s["line"], s["character"], e["line"], e["character"]].compactMap { $0 as? Int }
    }

    static func end(_ client: LSPClient) {
        _ = client.request("shutdown")
        client.notify("exit")
        #expect(client.waitForExit() == 0)
    }

    // MARK: lifecycle

    @Test func initializeAnnouncesItsCapabilities() throws {
        let client = try LSPClient()
        let result = try #require(client.initialize())
        let caps = try #require(result["capabilities"] as? Object)
        #expect(caps["positionEncoding"] as? String == "utf-16")
        let sync = try #require(caps["textDocumentSync"] as? Object)
        #expect(sync["openClose"] as? Bool == true)
        #expect(sync["change"] as? Int == 1)
        for provider in ["hoverProvider", "definitionProvider", "documentFormattingProvider", "documentSymbolProvider"] {
            #expect(caps[provider] as? Bool == true, "\(provider)")
        }
        let completion = try #require(caps["completionProvider"] as? Object)
        #expect((completion["triggerCharacters"] as? [String])?.contains("\"") == true)
        #expect((result["serverInfo"] as? Object)?["name"] as? String == "funnel")
        Self.end(client)
    }

    @Test func shutdownThenExitEndsWithStatusZeroAndExitAloneWithOne() throws {
        let polite = try LSPClient()
        polite.initialize()
        let r = try #require(polite.request("shutdown"))
        #expect(r["result"] is NSNull)
        // After shutdown, requests are refused; exit ends the process.
        let late = try #require(polite.request("textDocument/hover", Self.at("file:///x.funnel", ["line": 0, "character": 0])))
        #expect((late["error"] as? Object)?["code"] as? Int == -32600)
        polite.notify("exit")
        #expect(polite.waitForExit() == 0)

        let abrupt = try LSPClient()
        abrupt.initialize()
        abrupt.notify("exit")
        #expect(abrupt.waitForExit() == 1)
    }

    @Test func requestsBeforeInitializeAreRefused() throws {
        let client = try LSPClient()
        let r = try #require(client.request("textDocument/documentSymbol", ["textDocument": ["uri": "file:///x.funnel"]]))
        #expect((r["error"] as? Object)?["code"] as? Int == -32002)
        client.initialize()
        Self.end(client)
    }

    // MARK: diagnostics

    @Test func diagnosticsOnOpenHaveCodeRangeAndMessageAndClearWhenFixed() throws {
        // Non-ASCII before the error: "é" is one UTF-16 unit (two bytes), the emoji two (four bytes).
        let broken = """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel shop {
          step view = "view"
          step buy  = event == "é😀" or price > "cheap"
        }

        """
        let (client, uri, published) = try Self.open(broken)
        let params = try #require(published, "no diagnostics published; log:\n\(client.log)")
        #expect(params["uri"] as? String == uri)
        #expect(params["version"] as? Int == 1)
        let diagnostics = try #require(params["diagnostics"] as? [Object])
        let error = try #require(diagnostics.first { $0["code"] as? String == "E204" }, "\(diagnostics)")
        #expect(error["severity"] as? Int == 1)
        #expect(error["source"] as? String == "funnel")
        #expect((error["message"] as? String)?.hasPrefix("cannot compare number property 'price' with a string") == true)
        #expect((error["message"] as? String)?.contains("help: this property holds numbers") == true)
        // `price > "cheap"` starts at character 31 of the line but UTF-16 column 32.
        #expect(Self.range(error["range"]) == [3, 32, 3, 47])
        let start = Self.position(of: "price", in: broken)
        #expect(start["character"] as? Int == 32)
        // The event name that never occurs is a warning on the string itself: "é😀" with its quotes is 5 UTF-16 units.
        let warning = try #require(diagnostics.first { $0["code"] as? String == "E210" })
        #expect(warning["severity"] as? Int == 2)
        #expect(Self.range(warning["range"]) == [3, 23, 3, 28])

        let fixed = broken.replacingOccurrences(of: #"event == "é😀" or price > "cheap""#, with: #""buy" and price > 0"#)
        client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": fixed]]])
        let cleared = try #require(client.notification("textDocument/publishDiagnostics")?["params"] as? Object)
        #expect(cleared["version"] as? Int == 2)
        #expect((cleared["diagnostics"] as? [Any])?.isEmpty == true, "\(cleared)")
        Self.end(client)
    }

    @Test func aMissingDataFileIsReportedAtItsPath() throws {
        let text = Self.shop.replacingOccurrences(of: "data.csv", with: "nowhere.csv")
        let (client, _, published) = try Self.open(text)
        let diagnostics = try #require(published?["diagnostics"] as? [Object])
        let missing = try #require(diagnostics.first { $0["code"] as? String == "E401" }, "\(diagnostics)")
        #expect(Self.range(missing["range"]) == [0, 20, 0, 33])
        Self.end(client)
    }

    @Test func anErrorInAnImportedFileShowsAtTheImport() throws {
        let dir = Self.folder()
        try "segment broken = count(\"buy\") >= \"many\"\n".write(toFile: dir + "/shared.funnel", atomically: true, encoding: .utf8)
        let text = "import \"shared.funnel\"\n" + Self.shop
        let (client, _, published) = try Self.open(text, in: dir)
        let diagnostics = try #require(published?["diagnostics"] as? [Object])
        let imported = try #require(diagnostics.first { $0["code"] as? String == "E204" }, "\(diagnostics)")
        #expect(Self.range(imported["range"]) == [0, 7, 0, 22])
        #expect((imported["message"] as? String)?.hasPrefix(dir + "/shared.funnel:1:") == true, "\(imported)")
        let related = try #require((imported["relatedInformation"] as? [Object])?.first)
        #expect((related["location"] as? Object)?["uri"] as? String == Self.uri(dir + "/shared.funnel"))
        Self.end(client)
    }

    @Test func rapidEditsEndWithTheLastTextCheckedAndClosingClearsDiagnostics() throws {
        let (client, uri, _) = try Self.open(Self.shop)
        // Twenty edits without waiting: whatever is skipped, the last text is the one checked.
        for v in 2...21 {
            let text = v == 21 ? Self.shop.replacingOccurrences(of: "by device", with: "by devise") : Self.shop + String(repeating: "\n", count: v)
            client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": v], "contentChanges": [["text": text]]])
        }
        let last = try #require(client.message { m in
            m["method"] as? String == "textDocument/publishDiagnostics" && (m["params"] as? Object)?["version"] as? Int == 21
        })
        let diagnostics = try #require((last["params"] as? Object)?["diagnostics"] as? [Object])
        #expect(diagnostics.compactMap { $0["code"] as? String } == ["E201"])
        #expect((diagnostics.first?["message"] as? String)?.contains("did you mean 'device'?") == true)
        client.notify("textDocument/didClose", ["textDocument": ["uri": uri]])
        let cleared = try #require(client.message { m in
            m["method"] as? String == "textDocument/publishDiagnostics" && ((m["params"] as? Object)?["diagnostics"] as? [Any])?.isEmpty == true
        })
        #expect((cleared["params"] as? Object)?["uri"] as? String == uri)
        Self.end(client)
    }

    @Test func dataChangedOnDiskIsReadAgain() throws {
        let dir = Self.folder()
        let (client, uri, published) = try Self.open(Self.shop, in: dir)
        #expect((published?["diagnostics"] as? [Any])?.isEmpty == true)
        // The data loses its "buy" events (and changes size): a save checks against the new data.
        let csv = (try? String(contentsOfFile: dir + "/data.csv", encoding: .utf8)) ?? ""
        try csv.replacingOccurrences(of: ",buy,", with: ",browse,").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        client.notify("textDocument/didSave", ["textDocument": ["uri": uri]])
        let again = try #require(client.notification("textDocument/publishDiagnostics")?["params"] as? Object)
        let codes = (again["diagnostics"] as? [Object] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.contains("E210"), "\(again)")
        Self.end(client)
    }

    // MARK: completion

    @Test func completionInAFunnelOffersStepsColumnsAndKeywordsAndInAStringEventNames() throws {
        let text = Self.shop.replacingOccurrences(of: "  by device\n", with: "  by device\n  \n")
        let (client, uri, _) = try Self.open(text)
        // On the blank line inside the funnel.
        let blank = Self.position(of: "by device", in: text)
        let where_ = ["line": (blank["line"] as? Int ?? 0) + 1, "character": 2]
        let list = try #require(client.result("textDocument/completion", Self.at(uri, where_)) as? Object)
        let items = try #require(list["items"] as? [Object])
        let labels = Set(items.compactMap { $0["label"] as? String })
        for expected in ["view", "cart", "buy", "conversion", "price", "device", "window", "step", "kpi", "buyers"] {
            #expect(labels.contains(expected), "\(expected) missing from \(labels.sorted())")
        }
        let step = try #require(items.first { $0["label"] as? String == "cart" })
        #expect(step["kind"] as? Int == 23)
        #expect((items.first { $0["label"] as? String == "price" })?["kind"] as? Int == 5)
        #expect((items.first { $0["label"] as? String == "window" })?["kind"] as? Int == 14)

        // Inside `"ca` of `step cart = "cart"`: event names from the data, replacing what was typed.
        let inString = Self.position(of: "\"cart\"", in: text, offset: 3)
        let events = try #require(client.result("textDocument/completion", Self.at(uri, inString)) as? Object)
        let eventItems = try #require(events["items"] as? [Object])
        #expect(eventItems.compactMap { $0["label"] as? String } == ["cart"])
        let edit = try #require(eventItems.first?["textEdit"] as? Object)
        #expect(edit["newText"] as? String == "cart")
        let line = inString["line"] as? Int ?? -1, column = inString["character"] as? Int ?? -1
        #expect(Self.range(edit["range"]) == [line, column - 2, line, column])
        // Empty string: every event name.
        let empty = Self.position(of: "\"view\"", in: text, offset: 1)
        let all = try #require(client.result("textDocument/completion", Self.at(uri, empty)) as? Object)
        #expect(Set((all["items"] as? [Object] ?? []).compactMap { $0["label"] as? String }) == ["view", "cart", "buy"])
        // A comment offers nothing.
        let comment = text.replacingOccurrences(of: "  by device\n", with: "  by device  # st\n")
        client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": comment]]])
        _ = client.notification("textDocument/publishDiagnostics")
        let none = try #require(client.result("textDocument/completion", Self.at(uri, Self.position(of: "# st", in: comment, offset: 4))) as? Object)
        #expect((none["items"] as? [Any])?.isEmpty == true)
        Self.end(client)
    }

    // MARK: hover

    @Test func hoverOnAStepShowsItsPredicateAndTheUsersItReached() throws {
        let (client, uri, _) = try Self.open(Self.shop)
        let hover = try #require(client.result("textDocument/hover", Self.at(uri, Self.position(of: "cart", in: Self.shop, offset: 1))) as? Object)
        let contents = try #require(hover["contents"] as? Object)
        #expect(contents["kind"] as? String == "markdown")
        let value = try #require(contents["value"] as? String)
        #expect(value.contains("step cart = \"cart\""), "\(value)")
        #expect(value.contains("step 2 of funnel `shop`"), "\(value)")
        #expect(value.contains("reached by **2** users in the last run (66.7% of step 1, 66.7% of the previous step)"), "\(value)")
        let cart = Self.position(of: "cart", in: Self.shop)
        #expect(Self.range(hover["range"]) == [cart["line"] as? Int ?? -1, 7, cart["line"] as? Int ?? -1, 11])

        // A step used in a KPI is the same step; a column shows its type; a keyword one line of help.
        let inKPI = try #require(client.result("textDocument/hover", Self.at(uri, Self.position(of: "buy / view", in: Self.shop))) as? Object)
        #expect(((inKPI["contents"] as? Object)?["value"] as? String)?.contains("reached by **1** users") == true)
        let column = try #require(client.result("textDocument/hover", Self.at(uri, Self.position(of: "price", in: Self.shop))) as? Object)
        #expect(((column["contents"] as? Object)?["value"] as? String)?.contains("price: number") == true)
        let keyword = try #require(client.result("textDocument/hover", Self.at(uri, Self.position(of: "by device", in: Self.shop))) as? Object)
        #expect(((keyword["contents"] as? Object)?["value"] as? String)?.contains("breakdown") == true)
        let kpi = try #require(client.result("textDocument/hover", Self.at(uri, Self.position(of: "conversion", in: Self.shop))) as? Object)
        #expect(((kpi["contents"] as? Object)?["value"] as? String)?.contains("**33.3%** in the last run") == true)
        // Nothing to say on a blank.
        #expect(client.result("textDocument/hover", Self.at(uri, ["line": 2, "character": 0])) is NSNull)
        Self.end(client)
    }

    // MARK: definition

    @Test func definitionOfASegmentUsedInForAndOfAnImport() throws {
        let dir = Self.folder()
        try "segment big_spenders = sum(price where event == \"buy\") > 3\n"
            .write(toFile: dir + "/shared.funnel", atomically: true, encoding: .utf8)
        let text = "import \"shared.funnel\"\n" + Self.shop.replacingOccurrences(of: "  for buyers\n", with: "  for buyers and big_spenders\n")
        let (client, uri, published) = try Self.open(text, in: dir)
        #expect((published?["diagnostics"] as? [Any])?.isEmpty == true, "\(published ?? [:])")
        let local = try #require(client.result("textDocument/definition", Self.at(uri, Self.position(of: "buyers", in: text, occurrence: 2, offset: 2))) as? Object)
        #expect(local["uri"] as? String == uri)
        #expect(Self.range(local["range"]) == [2, 8, 2, 14])
        // A segment of the imported file: that file, at its name.
        let imported = try #require(client.result("textDocument/definition", Self.at(uri, Self.position(of: "big_spenders", in: text))) as? Object)
        #expect(imported["uri"] as? String == Self.uri(dir + "/shared.funnel"))
        #expect(Self.range(imported["range"]) == [0, 8, 0, 20])
        // The import's path: the file itself.
        let file = try #require(client.result("textDocument/definition", Self.at(uri, ["line": 0, "character": 10])) as? Object)
        #expect(file["uri"] as? String == Self.uri(dir + "/shared.funnel"))
        #expect(Self.range(file["range"]) == [0, 0, 0, 0])
        // A step used in a KPI: its step line.
        let step = try #require(client.result("textDocument/definition", Self.at(uri, Self.position(of: "buy / view", in: text))) as? Object)
        let buyLine = Self.position(of: "step buy", in: text)["line"] as? Int ?? -1
        #expect(Self.range(step["range"]) == [buyLine, 7, buyLine, 10])
        Self.end(client)
    }

    @Test func definitionInATestBlockReachesTheFunnelAndItsSteps() throws {
        let text = Self.shop + """
        test "one buyer" for shop {
          events {
            user  time                  event  price  device
            u1    2024-01-01T00:00:00Z  view   0      mobile
          }
          expect view == 1
        }

        """
        let (client, uri, published) = try Self.open(text)
        #expect((published?["diagnostics"] as? [Any])?.isEmpty == true, "\(published ?? [:])")
        let funnel = try #require(client.result("textDocument/definition", Self.at(uri, Self.position(of: "for shop", in: text, offset: 5))) as? Object)
        #expect(Self.range(funnel["range"]) == [3, 7, 3, 11])
        let step = try #require(client.result("textDocument/definition", Self.at(uri, Self.position(of: "expect view", in: text, offset: 8))) as? Object)
        #expect(Self.range(step["range"]) == [4, 7, 4, 11])
        Self.end(client)
    }

    // MARK: formatting and symbols

    @Test func formattingReturnsWhatFunnelFmtWrites() throws {
        let messy = "source events=csv(\"data.csv\"){user=user time=time event=event}\nfunnel shop{step view=\"view\"\nstep cart=\"cart\"   # second\n}\n"
        let (client, uri, _) = try Self.open(messy)
        let edits = try #require(client.result("textDocument/formatting", ["textDocument": ["uri": uri], "options": ["tabSize": 2, "insertSpaces": true]]) as? [Object])
        #expect(edits.count == 1)
        let fmt = CLI.run(["fmt", "-"], stdin: messy)
        #expect(fmt.status == 0)
        #expect(edits.first?["newText"] as? String == fmt.stdout)
        #expect(Self.range(edits.first?["range"]) == [0, 0, 4, 0])

        // A document that does not parse is left alone.
        client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": "funnel shop { step = }\n"]]])
        _ = client.notification("textDocument/publishDiagnostics")
        let none = client.result("textDocument/formatting", ["textDocument": ["uri": uri], "options": ["tabSize": 2, "insertSpaces": true]]) as? [Any]
        #expect(none?.isEmpty == true)
        Self.end(client)
    }

    @Test func documentSymbolsAreATreeOfDeclarationsWithStepsAndKPIs() throws {
        let (client, uri, _) = try Self.open(Self.shop)
        let symbols = try #require(client.result("textDocument/documentSymbol", ["textDocument": ["uri": uri]]) as? [Object])
        #expect(symbols.compactMap { $0["name"] as? String } == ["events", "buyers", "shop", "loyal"])
        #expect(symbols.compactMap { $0["kind"] as? Int } == [23, 13, 12, 12])
        let shop = symbols[2]
        let children = try #require(shop["children"] as? [Object])
        #expect(children.compactMap { $0["name"] as? String } == ["view", "cart", "buy", "conversion"])
        #expect(children.compactMap { $0["kind"] as? Int } == [24, 24, 24, 7])
        #expect(shop["detail"] as? String == "view → cart → buy")
        #expect(Self.range(shop["range"]) == [3, 0, 9, 1])
        #expect(Self.range(shop["selectionRange"]) == [3, 7, 3, 11])
        Self.end(client)
    }

    // MARK: bad input

    @Test func malformedMessagesGetErrorsAndTheServerKeepsServing() throws {
        let (client, uri, _) = try Self.open(Self.shop)
        // A body that is not JSON.
        client.sendRaw(Array("Content-Length: 9\r\n\r\n{\"bad\": }".utf8))
        let parse = try #require(client.message { $0["error"] != nil })
        #expect((parse["error"] as? Object)?["code"] as? Int == -32700)
        #expect(parse["id"] is NSNull)
        // A header without Content-Length: an error, and the body after it is skipped.
        client.sendRaw(Array("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"shutdown\"}".utf8))
        let header = try #require(client.message { $0["error"] != nil })
        #expect((header["error"] as? Object)?["code"] as? Int == -32700)
        #expect(((header["error"] as? Object)?["message"] as? String)?.contains("Content-Length") == true)
        // JSON that is not a request, an unknown method, and missing params.
        client.sendRaw(Array("Content-Length: 2\r\n\r\n[]".utf8))
        let notObject = try #require(client.message { $0["error"] != nil })
        #expect((notObject["error"] as? Object)?["code"] as? Int == -32600)
        let unknown = try #require(client.request("funnel/nothing"))
        #expect((unknown["error"] as? Object)?["code"] as? Int == -32601)
        let noPosition = try #require(client.request("textDocument/hover", ["textDocument": ["uri": uri]]))
        #expect((noPosition["error"] as? Object)?["code"] as? Int == -32602)
        // A message written a few bytes at a time is read whole.
        let body = Array(#"{"jsonrpc":"2.0","id":"slow","method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"\#(uri)"}}}"#.utf8)
        let frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        for start in stride(from: 0, to: frame.count, by: 7) {
            client.sendRaw(Array(frame[start..<min(start + 7, frame.count)]))
            Thread.sleep(forTimeInterval: 0.002)
        }
        let slow = try #require(client.response(to: "slow"))
        #expect((slow["result"] as? [Any])?.count == 4)
        // Still serving: the server was not shut down by the skipped body.
        let symbols = client.result("textDocument/documentSymbol", ["textDocument": ["uri": uri]]) as? [Any]
        #expect(symbols?.count == 4)
        Self.end(client)
    }
}
