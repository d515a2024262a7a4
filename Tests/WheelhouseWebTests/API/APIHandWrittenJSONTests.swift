import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// The bodies written by hand for speed say exactly what `JSONEncoder` would.
@Suite("API bodies written by hand") struct APIHandWrittenJSONTests {
    static let tricky = "Acme \"Labs\" \\ / </script> é 😀 \u{1}\n\t\u{7f}"

    static func same(_ handWritten: [UInt8], _ encodable: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let expected = try JSONSerialization.jsonObject(with: encoder.encode(encodable)) as? NSDictionary
        let actual = try JSONSerialization.jsonObject(with: Data(handWritten)) as? NSDictionary
        #expect(actual != nil)
        #expect(actual == expected)
        // Keys in the same (sorted) order too.
        let keys = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self).matches(of: /"([a-zA-Z]+)":/).map { String($0.1) } }
        #expect(keys(handWritten) == keys(Array(try encoder.encode(encodable))))
    }

    @Test func theOrganization() throws {
        var org = try TestApp().org
        (org.displayName, org.description, org.timeZone) = (Self.tricky, Self.tricky, "Europe/Paris")
        var view = APIOrgView(org: org, plan: .pro, members: 4, sharedWorkspaces: 2, trainingOptOut: true)
        for mode in DeploymentMode.allCases {
            try Self.same(APIBody.Org(view, mode: mode).json, APIBody.Org(view, mode: mode))
        }
        view.org.purgeAt = Date(timeIntervalSince1970: 1_766_000_000)
        view.trainingOptOut = false
        try Self.same(APIBody.Org(view, mode: .saas).json, APIBody.Org(view, mode: .saas))
    }

    @Test func eventResults() throws {
        let results = APIBody.EventResults(
            accepted: 1, duplicates: 1, rejected: 1, results: [.accepted(0), .duplicate(1), .rejected(2, Self.tricky)])
        try Self.same(results.json, results)
    }
}
