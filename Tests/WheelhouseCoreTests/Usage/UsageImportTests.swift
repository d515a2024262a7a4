import Foundation
import GRDB
import Testing
@testable import WheelhouseCore

@Suite("Usage import") struct UsageImportTests {
    func line(_ key: String, workspace: String = "lab", extra: String = "") -> String {
        #"{"time":"2026-11-03T09:15:00Z","workspace":"\#(workspace)","kind":"llm_call","status":"success","provider":"openai","model":"gpt-4o","input_tokens":100,"output_tokens":20,"cost_micros":1500,"byok":false,"idempotency_key":"\#(key)"\#(extra)}"#
    }

    /// Runs the importer over `text` written to a temporary file; returns the summary and the
    /// reported (line, reason) pairs.
    func run(_ database: AppDatabase, _ text: String, batchSize: Int = 3) throws -> (UsageImportSummary, [(Int, String)]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wh-import-\(UUID()).jsonl")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let fd = open(url.path, O_RDONLY)
        defer { close(fd) }
        var rejected: [(Int, String)] = []
        let importer = UsageImporter(
            database: database, defaultOrg: "acme", batchSize: batchSize,
            onRejected: { rejected.append(($0, $1)) })
        return (try importer.run(fileDescriptor: fd), rejected)
    }

    func totals(_ database: AppDatabase) throws -> [Int64] {
        try database.read { db in
            let events = try Int64.fetchOne(db, sql: "SELECT count(*) FROM usageEvent")!
            let row = try GRDB.Row.fetchOne(db, sql: "SELECT total(events), total(costMicros), total(inputTokens) FROM usageDaily")!
            return [events, Int64(row[0] as Double), Int64(row[1] as Double), Int64(row[2] as Double)]
        }
    }

    @Test func badDuplicateAndGoodLinesGiveExactCountsWithLineNumbers() throws {
        // Given a file with good lines, a duplicate, broken lines and a blank line
        let f = try UsageTests.fixture()
        let text = [
            line("a"),  // 1 good
            line("b"),  // 2 good
            "{\"time\":\"2026-11-03T09:15:00Z\"",  // 3 cut short
            line("a"),  // 4 duplicate of line 1
            "",  // 5 blank: skipped, not counted
            line("c", workspace: "nowhere"),  // 6 unknown workspace
            line("d", extra: ",\"colour\":\"red\""),  // 7 unknown field
            line("e").replacingOccurrences(of: "1500", with: "15.5"),  // 8 fraction
            line("f").replacingOccurrences(of: "success", with: "ok"),  // 9 bad status
            "not json",  // 10
            line("g").replacingOccurrences(of: "2026-11-03T09:15:00Z", with: "2026-02-30T00:00:00Z"),  // 11 no such day
            line("h"),  // 12 good
            line("b"),  // 13 duplicate of line 2
            line("i"),  // 14 good, no newline at the end
        ].joined(separator: "\n")
        // When it is imported in batches of three
        let (summary, rejected) = try run(f.database, text)
        // Then
        #expect(summary.read == 13)
        #expect(summary.imported == 4)
        #expect(summary.duplicates == 2)
        #expect(summary.rejected == 7)
        #expect(rejected.map(\.0).sorted() == [3, 6, 7, 8, 9, 10, 11])
        let reasons = Dictionary(uniqueKeysWithValues: rejected)
        #expect(reasons[3] == "line ends early: expected “,” or “}”")
        #expect(reasons[6] == "organization “acme” has no workspace “nowhere”")
        #expect(reasons[7] == "unknown field “colour”")
        #expect(reasons[8] == "cost_micros must be a whole number")
        #expect(reasons[9] == "status must be “success” or “error”")
        #expect(reasons[11]?.hasPrefix("time must be an RFC 3339 timestamp") == true)
        #expect(try totals(f.database) == [4, 4, 6000, 400])
    }

    @Test func aRerunAfterAnInterruptedImportCompletesWithoutDoubleCounting() throws {
        // Given an import that stopped after its first batches were committed
        let f = try UsageTests.fixture()
        let lines = (0..<50).map { line("evt-\($0)") }
        let (first, _) = try run(f.database, lines.prefix(23).joined(separator: "\n") + "\n", batchSize: 10)
        #expect(first.imported == 23)
        // When the whole file is imported again
        let (second, _) = try run(f.database, lines.joined(separator: "\n") + "\n", batchSize: 10)
        // Then the committed events count as duplicates and the totals are exact
        #expect(second.imported == 27)
        #expect(second.duplicates == 23)
        #expect(try totals(f.database) == [50, 50, 75_000, 5_000])
    }

    @Test func parserHandlesEscapesOffsetsAndIntegerTimes() throws {
        let escaped =
            #"{"time":"2026-11-03T10:15:00.123+01:00","workspace":"lab","kind":"llm_call","status":"error","model":"gpt-4o","provider":"openai","idempotency_key":"x\"y\u00e9\ud83d\ude00","byok":true}"#
        let event = try UsageJSONLine.parse(Array(escaped.utf8)).get()
        // 10:15 at +01:00 is 09:15 UTC; the fraction is dropped.
        #expect(event.at == Int64(CivilDate(year: 2026, month: 11, day: 3).dayNumber * 86_400 + 9 * 3600 + 15 * 60))
        #expect(event.idempotencyKey == "x\"yé😀")
        #expect(event.byok && event.status == .error && event.inputTokens == 0)
        let integer = #"{"time":1793697300,"workspace":"lab","kind":"workflow_run","status":"success","idempotency_key":"n"}"#
        #expect(try UsageJSONLine.parse(Array(integer.utf8)).get().at == 1_793_697_300)
        for (bad, reason) in [
            (#"{"time":"2026-11-03T09:15:00Z","time":"2026-11-03T09:15:00Z"}"#, "field “time” appears twice"),
            (#"{"workspace":"lab","kind":"k","status":"success","idempotency_key":"n"}"#, "field “time” is missing"),
            (
                #"{"time":1793697300,"workspace":"lab","kind":"k","status":"success","idempotency_key":"n"} x"#,
                "unexpected text after the object at column 91"
            ),
            (
                #"{"time":1793697300,"workspace":"lab","kind":"k","status":"success","idempotency_key":"n","input_tokens":-5}"#,
                "input_tokens must not be negative"
            ),
            (
                #"{"time":1793697300,"workspace":"lab","kind":"k","status":"success","idempotency_key":"\ud800"}"#,
                "unpaired surrogate escape at column 93"
            ),
            (
                #"{"time":1793697300,"workspace":"lab","kind":"k","status":"success","idempotency_key":"n","provider":"openai"}"#,
                "provider and model must both be given, or both be empty"
            ),
        ] {
            #expect(UsageJSONLine.parse(Array(bad.utf8)) == .failure(.init(reason)), "\(bad)")
        }
        #expect(UsageJSONLine.parse([0x7B, 0x22, 0xFF, 0x22]).isFailure)
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
