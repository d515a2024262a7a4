import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb
import WheelhouseTestSupport

/// Real image files, and files crafted from them to look like images without being safe ones.
enum LogoFiles {
    /// 12 × 10 images written by libgd (shared with the domain tests).
    static let png = SampleImages.png
    static let jpeg = SampleImages.jpeg
    static let gif = SampleImages.gif

    /// A JPEG's first bytes, then zeros: 54 bytes.
    static let zeroJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 50)

    static let payload = Array("<script>alert('polyglot')</script>".utf8)
    /// A PNG followed by a whole GIF carrying a script: valid as a PNG, and a GIF to a sniffer that looks further.
    static var pngGIFPolyglot: [UInt8] { png + gif + payload }

    /// A PNG with a text chunk (metadata) right after its header.
    static var pngWithMetadata: [UInt8] {
        Array(png[0..<33]) + chunk("tEXt", Array("Comment\u{0}private-metadata-42".utf8)) + Array(png[33...])
    }

    /// A real PNG's chunks under a header that claims 65 535 × 65 535 pixels (CRC correct).
    static var hugePNG: [UInt8] {
        var header = Array(png[16..<29])
        header.replaceSubrange(0..<8, with: [0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF])
        return Array(png[0..<8]) + chunk("IHDR", header) + Array(png[33...])
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

@Suite("Logo uploads are decoded, bounded and re-encoded") struct LogoWebTests {
    let general = "/orgs/acme/settings/general"

    func upload(_ t: TestApp, _ client: TestClient, _ name: String, _ bytes: [UInt8]) -> TestResponse {
        let page = client.get(general)
        let fields: [(String, String)] = [
            ("_csrf", page.csrf), ("version", page.inputValue("version") ?? "1"),
            ("display_name", "Acme"), ("description", ""), ("member_limit", "25"),
        ]
        return client.postMultipart(general, fields.map { ($0.0, Array($0.1.utf8)) }, files: [("logo", name, bytes)])
    }

    func stored(_ t: TestApp, _ client: TestClient) throws -> [UInt8] {
        let file = try #require(try t.snapshot().org.logoFile)
        let response = client.get("/orgs/acme/logo/\(file)")
        #expect(response.status == 200)
        return response.raw.body
    }

    @Test(arguments: [("png", "image/png"), ("jpg", "image/jpeg"), ("gif", "image/gif")])
    func aRealImageIsAcceptedAndStoredReEncoded(_ kind: String, _ type: String) throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let original = ["png": LogoFiles.png, "jpg": LogoFiles.jpeg, "gif": LogoFiles.gif][kind]!
        #expect(upload(t, client, "mark.\(kind)", original).status == 303)
        let file = try #require(try t.snapshot().org.logoFile)
        #expect(file.hasSuffix(".\(kind)"))
        let response = client.get("/orgs/acme/logo/\(file)")
        #expect(response.raw.header("Content-Type") == type)
        var errors = FieldErrors()
        let again = try #require(LogoImage.validated(response.raw.body, field: "logo", into: &errors), "what is served decodes")
        #expect((again.width, again.height) == (12, 10))
    }

    @Test func aPolyglotOrTrailingPayloadIsCutOffAndMetadataDropped() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        #expect(upload(t, client, "logo.png", LogoFiles.pngGIFPolyglot).status == 303)
        let bytes = try stored(t, client)
        #expect(bytes.firstRange(of: LogoFiles.payload) == nil, "the script after the image is not stored")
        #expect(
            bytes.firstRange(of: Array("GIF89a".utf8)) == nil && bytes.firstRange(of: Array("GIF87a".utf8)) == nil,
            "nor the GIF behind the PNG")
        #expect(upload(t, client, "logo.png", LogoFiles.pngWithMetadata).status == 303)
        #expect(try stored(t, client).firstRange(of: Array("private-metadata-42".utf8)) == nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: t.logos.directory.path)
        for name in files {
            let data = try [UInt8](Data(contentsOf: t.logos.directory.appendingPathComponent(name)))
            #expect(data.firstRange(of: LogoFiles.payload) == nil, "\(name)")
        }
    }

    @Test func aZeroJPEGAndAHugePNGAreRefusedWith422AndNothingChanges() throws {
        let t = try TestApp()
        let client = try t.client(signedInAs: "owner@acme.test")
        let before = try t.snapshot()
        let zero = upload(t, client, "logo.jpg", LogoFiles.zeroJPEG)
        #expect(zero.status == 422)
        #expect(zero.contains("The logo could not be read as a JPEG image; it may be damaged."))
        let huge = upload(t, client, "logo.png", LogoFiles.hugePNG)
        #expect(huge.status == 422)
        #expect(huge.contains("The logo may be at most 4096 × 4096 pixels (this one is 65535 × 65535)."))
        #expect(huge.contains("value=\"Acme\""), "the typed values come back")
        #expect(try t.snapshot() == before)
    }
}
