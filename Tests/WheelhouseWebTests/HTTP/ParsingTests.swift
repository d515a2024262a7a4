import Foundation
import Testing
@testable import WheelhouseWeb
import WheelhouseTestSupport

@Suite("Parsing untrusted bytes") struct ParsingTests {
    @Test func invitationTokensNeverReachTheLog() {
        #expect(Route.loggable("/invitations/abcDEF123") == "/invitations/…")
        #expect(Route.loggable("/orgs/acme/settings/members") == "/orgs/acme/settings/members")
    }

    @Test func urlEncodedBodiesDecodeBytesExactly() throws {
        let request = Request(
            method: "POST", path: "/", headers: ["content-type": "application/x-www-form-urlencoded"],
            body: Array("a=1+2&b=%E2%9C%93&c=%FF&d&=e&f=%zz&g=%4".utf8))
        let form = try FormData(request: request)
        #expect(form.fields["a"] == Array("1 2".utf8))
        #expect(form.fields["b"] == Array("✓".utf8))
        #expect(form.fields["c"] == [0xFF])
        #expect(form.fields["d"] == [])
        #expect(form.fields["f"] == Array("%zz".utf8))
        #expect(form.fields["g"] == Array("%4".utf8))
    }

    @Test func multipartKeepsFilesAndFields() throws {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\nworld\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"a.gif\"\r\nContent-Type: image/gif\r\n\r\nGIF89a...\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n--XyZ--\r\n"
        let form = try FormData(
            request: Request(
                method: "POST", path: "/",
                headers: ["content-type": "multipart/form-data; boundary=\"XyZ\""],
                body: Array(body.utf8)))
        #expect(form.fields["title"] == Array("Hello\r\nworld".utf8))
        #expect(form.files["logo"]?.filename == "a.gif")
        #expect(form.files["logo"]?.bytes == Array("GIF89a...".utf8))
        #expect(form.files["empty"] == nil, "an empty file input means no file")
        #expect(form.names == ["title", "logo", "empty"])
    }

    /// Random and truncated bodies are refused with a `FormData.Failure` or parsed into a
    /// consistent form, never crash the process or throw anything else. Seeded, so a failure
    /// replays: the seed is printed, and `WHEELHOUSE_TEST_SEED` sets it.
    @Test func arbitraryBytesNeverCrashTheParsers() throws {
        var generator = SeededRandom.replayable("arbitraryBytesNeverCrashTheParsers", fixed: 20_261_130)
        let seed = generator.seed
        let valid = Array("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b--\r\n".utf8)
        let types = ["multipart/form-data; boundary=b", "application/x-www-form-urlencoded", "multipart/form-data"]
        var parsed = 0, refused = 0
        for round in 0..<3000 {
            var body: [UInt8]
            if round % 2 == 0 {
                body = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                body = Array(valid.prefix(Int.random(in: 0...valid.count, using: &generator)))
                if !body.isEmpty { body[Int.random(in: 0..<body.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            }
            for type in types {
                do {
                    let form = try FormData(request: Request(method: "POST", path: "/", headers: ["content-type": type], body: body))
                    parsed += 1
                    // Every field and file kept was sent under that name, within the limit.
                    #expect(Set(form.fields.keys).union(form.files.keys).isSubset(of: form.names), "seed \(seed), round \(round)")
                    #expect(form.names.count <= FormData.maxFields, "seed \(seed), round \(round)")
                } catch is FormData.Failure {
                    refused += 1
                } catch {
                    Issue.record("seed \(seed), round \(round): \(type) threw \(error)")
                }
            }
            _ = Route.match(method: .get, path: String(decoding: body, as: UTF8.self))
        }
        #expect(parsed + refused == 3000 * types.count)
        // Both outcomes were exercised: the inputs were neither all refused nor all accepted.
        #expect(parsed > 0 && refused > 0, "seed \(seed): \(parsed) parsed, \(refused) refused")
        // The body the mutations start from parses whole.
        #expect(
            try FormData(request: Request(method: "POST", path: "/", headers: ["content-type": types[0]], body: valid)).fields["x"]
                == Array("value".utf8))
    }
}
