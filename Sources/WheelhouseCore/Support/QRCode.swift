import CQREncode

/// A QR code's modules from libqrencode, as horizontal runs of dark modules: what the two-factor
/// enrolment page draws as `<rect>`s in an inline SVG (no script, no image request).
public struct QRCode: Sendable, Equatable {
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// Each run of dark modules: row, first column, length.
    public let runs: [Run]

    public struct Run: Sendable, Equatable {
        public let y: Int
        public let x: Int
        public let width: Int
    }

    /// Modules of light margin each side that scanners need (ISO/IEC 18004 asks for 4).
    public static let quietZone = 4

    /// Medium error correction, the smallest version that fits; nil only if libqrencode refuses
    /// (text over its capacity or out of memory).
    public init?(_ text: String) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        var runs: [Run] = []
        for y in 0..<width {
            var x = 0
            while x < width {
                // Bit 0 of each byte is the module's colour (1 dark); the other bits say what it is part of.
                guard code.pointee.data[y * width + x] & 1 == 1 else { x += 1; continue }
                let start = x
                while x < width && code.pointee.data[y * width + x] & 1 == 1 { x += 1 }
                runs.append(Run(y: y, x: start, width: x - start))
            }
        }
        size = width
        self.runs = runs
    }

    /// Whether the module at (x, y) is dark (tests decode the matrix back with this).
    public func isDark(x: Int, y: Int) -> Bool {
        runs.contains { $0.y == y && x >= $0.x && x < $0.x + $0.width }
    }
}
