import Foundation
import Testing
import WheelhouseTestSupport
@testable import WheelhouseWeb

@Suite("Dates") struct DatesTests {
    /// The byte-by-byte forms say what the interpolated ones say, for instants over two centuries
    /// and offsets of real zones (whole, half and quarter hours, both signs).
    @Test(arguments: [11 as UInt64, 12, 13])
    func stampsMatchTheSeparateForms(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &random)))
            let offset = [0, 3_600, -18_000, 19_800, 20_700, -34_200, 46_800].randomElement(using: &random)!
            let stamps = Dates.stamps(date, offset: offset)
            let shifted = date.addingTimeInterval(TimeInterval(offset))
            let parts = Dates.utc(shifted)
            #expect(stamps.iso == Dates.isoTime(date), "seed \(seed), \(date)")
            #expect(stamps.utc == Dates.dayTime(date), "seed \(seed), \(date)")
            #expect(stamps.local == "\(Dates.day(shifted)), \(Dates.two(parts.tm_hour)):\(Dates.two(parts.tm_min))", "seed \(seed)")
        }
    }
}
