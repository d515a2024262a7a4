import Foundation

/// A random number generator whose whole sequence follows from one seed (SplitMix64), so that a
/// randomized test replays exactly: the test prints its seed, and setting `WHEELHOUSE_TEST_SEED`
/// to it runs the same inputs again.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// `WHEELHOUSE_TEST_SEED` (decimal or 0x-hex) when set, else `fixed`; the seed used is
    /// printed with `label`, so a failure's output says how to replay it.
    public static func replayable(_ label: String, fixed: UInt64) -> SeededRandom {
        let text = ProcessInfo.processInfo.environment["WHEELHOUSE_TEST_SEED"] ?? ""
        let given = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        let seed = given ?? fixed
        print("\(label): seed \(seed) (WHEELHOUSE_TEST_SEED=\(seed) replays it)")
        return SeededRandom(seed: seed)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
