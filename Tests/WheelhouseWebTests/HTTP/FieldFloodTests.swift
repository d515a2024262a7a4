import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// A flood of form fields is refused after one pass over the body, in one short page, and leaves
/// no trace in memory (issue 10, point 5).
@Suite("Field floods and the render cache, in process") struct FieldFloodTests {
    /// `a0=1&a1=1&…`: `count` fields, the first ones a real form's.
    static func flood(_ count: Int, first: [(String, String)] = []) -> [UInt8] {
        var body = first.map { "\($0.0)=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&")
        for i in 0..<count { body += body.isEmpty ? "a\(i)=1" : "&a\(i)=1" }
        return Array(body.utf8)
    }

    static var residentBytes: Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func aHundredThousandFieldsGetOneShortRefusalSignedOutOrIn() throws {
        let t = try TestApp()
        let anonymous = t.client()
        let form = anonymous.get("/login")
        let body = Self.flood(100_000, first: [("_csrf", form.csrf), ("email", "owner@acme.test")])
        let signIn = anonymous.send("POST", "/login", contentType: "application/x-www-form-urlencoded", body: body)
        #expect(signIn.status == 400)
        #expect(signIn.contains("Too many fields"))
        #expect(signIn.raw.body.count < 16_384, "one short page, not one message per field")
        #expect(anonymous.cookies["wh_session"] == nil)

        let owner = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot()
        let general = owner.get("/orgs/acme/settings/general")
        let post = owner.send(
            "POST", "/orgs/acme/settings/general", contentType: "application/x-www-form-urlencoded",
            body: Self.flood(100_000, first: [("_csrf", general.csrf), ("display_name", "Flooded")]))
        #expect(post.status == 400)
        #expect(post.raw.body.count < 16_384)
        #expect(try t.snapshot() == before, "nothing changed")
    }

    @Test func unknownFieldsBelowTheLimitAreOneMessage() throws {
        let t = try TestApp()
        let owner = try t.client(signedInAs: "owner@acme.test")
        let general = owner.get("/orgs/acme/settings/general")
        let fields = [("_csrf", general.csrf)] + (0..<200).map { ("extra\($0)", "x") }
        let few = owner.post("/orgs/acme/settings/general", [("_csrf", general.csrf), ("extra", "x")])
        let many = owner.post("/orgs/acme/settings/general", fields)
        #expect(few.status == 422)
        #expect(many.status == 422)
        #expect(many.contains("and 197 more"))
        #expect(many.html.components(separatedBy: "This form does not take").count == 2, "one message")
        // The page does not grow with the number of unknown fields.
        #expect(abs(many.raw.body.count - few.raw.body.count) < 200)
    }

    @Test func memoryStaysFlatOverAThousandFloods() throws {
        let t = try TestApp()
        let client = t.client()
        let form = client.get("/login")
        let body = Self.flood(100_000, first: [("_csrf", form.csrf)])
        func flood(_ times: Int) {
            for _ in 0..<times {
                _ = client.send("POST", "/login", contentType: "application/x-www-form-urlencoded", body: body)
            }
        }
        flood(100)
        let before = Self.residentBytes
        let started = DispatchTime.now().uptimeNanoseconds
        flood(1_000)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let after = Self.residentBytes
        #expect(before > 0)
        #expect(after - before < 8 << 20, "RSS grew by \(after - before) bytes over 1 000 floods")
        print("1 000 floods of 100 000 fields: \(String(format: "%.2f", seconds)) s, RSS \(before >> 20) → \(after >> 20) MiB")
    }

    @Test func theRenderCacheIsBoundedByBytes() {
        let cache = ShapeCache()
        let literal = [UInt8](repeating: 65, count: 64 * 1024)
        for i in 0..<2_000 {
            _ = cache.pieces(for: Array("shape-\(i)".utf8)) { Pieces(literal: literal) }
            #expect(cache.bytes <= ShapeCache.byteCapacity)
            #expect(cache.count <= ShapeCache.capacity)
        }
        #expect(cache.count > 0, "shapes are still cached")
        // A single huge shape is rendered but not kept.
        let huge = [UInt8](repeating: 66, count: ShapeCache.byteCapacity)
        let pieces = cache.pieces(for: Array("huge".utf8)) { Pieces(literal: huge) }
        #expect(pieces.literals.count == huge.count)
        #expect(cache.bytes <= ShapeCache.byteCapacity)
    }
}
