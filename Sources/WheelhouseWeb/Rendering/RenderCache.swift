import Foundation
import Synchronization

/// One pass over a context: its shape as a string, and its texts in visiting order.
struct ShapeWalk {
    var signature: [UInt8]
    /// Texts and numbers in visiting order, outside frozen values; with a frozen value's leaves,
    /// these are the placeholder slots in order (`slotCount` counts both).
    var leaves: [String] = []
    var textBytes = 0
    /// The frozen values met, each with the slot of its first leaf; their leaves are written from
    /// their own escaped bytes and take no place in `leaves`.
    var frozen: [(first: Int, value: FrozenValue)] = []
    var escapedBytes = 0
    private(set) var frozenSlots = 0

    /// Every placeholder slot: `leaves` and the frozen values' leaves.
    var slotCount: Int { leaves.count + frozenSlots }

    /// The most bytes the leaves take written: a text's byte escapes to at most 6.
    var leafCapacity: Int { 6 * textBytes + 20 * leaves.count + escapedBytes }

    mutating func visit(_ value: TemplateValue) {
        switch value {
        case .text(let text) where text.isEmpty: signature.append(UInt8(ascii: "e"))
        case .text(let text):
            signature.append(UInt8(ascii: "t"))
            leaves.append(text)
            textBytes += text.utf8.count
        case .number(let number):
            signature.append(UInt8(ascii: "n"))
            leaves.append(String(number))
        case .flag(let flag): signature.append(flag ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        case .list(let items):
            signature.append(UInt8(ascii: "["))
            // A list's rows mostly share their keys: a row with the same keys, in the same order,
            // as the row before it is written `{` 0xFF and its values only (0xFF is never in UTF-8,
            // so in no key). The first row spells its keys, so equal signatures still mean equal
            // shapes, row by row.
            var previous: TemplateObject?
            for item in items {
                guard case .object(let object) = item else {
                    visit(item)
                    previous = nil
                    continue
                }
                if let previous, object.hasKeys(of: previous) {
                    signature.append(UInt8(ascii: "{"))
                    signature.append(0xFF)
                    for (_, value) in object.entries { visit(value) }
                    signature.append(UInt8(ascii: "}"))
                } else {
                    visit(item)
                }
                previous = object
            }
            signature.append(UInt8(ascii: "]"))
        case .frozen(let value):
            // The same bytes as visiting `value.value`, so its shapes are shared; its texts are
            // already escaped, and copied when written.
            signature.append(contentsOf: value.signature)
            frozen.append((slotCount, value))
            frozenSlots += value.leafCount
            escapedBytes += value.escapedCount
        case .object(let object):
            signature.append(UInt8(ascii: "{"))
            for (key, value) in object.entries {
                // In place, without a copy of the key to make it contiguous (keys always are).
                if key.utf8.withContiguousStorageIfAvailable({ signature.append(contentsOf: $0) }) == nil {
                    signature.append(contentsOf: key.utf8)
                }
                signature.append(UInt8(ascii: ":"))
                visit(value)
            }
            signature.append(UInt8(ascii: "}"))
        }
    }
}

/// Writes a walk's leaves by slot: escaped from the text, or copied from a frozen value. Holds
/// the walk, and so its frozen values, whose bytes it reads by pointer.
struct LeafWriter {
    let walk: ShapeWalk
    /// Per slot, its index in `walk.leaves` (>= 0) or -1 - the index in `runs` of the frozen
    /// value it belongs to; empty when there is no frozen value (then slots are `leaves` indexes).
    private var owners: [Int32] = []
    private var runs: [(first: Int, bytes: UnsafePointer<UInt8>, ends: UnsafePointer<Int>)] = []

    init(_ walk: ShapeWalk) {
        self.walk = walk
        guard !walk.frozen.isEmpty else { return }
        owners = [Int32](unsafeUninitializedCapacity: walk.slotCount) { owners, count in
            var slot = 0
            var leaf: Int32 = 0
            for (index, run) in walk.frozen.enumerated() {
                while slot < run.first {
                    owners[slot] = leaf
                    leaf += 1
                    slot += 1
                }
                for _ in 0..<run.value.leafCount {
                    owners[slot] = -1 - Int32(index)
                    slot += 1
                }
            }
            while slot < walk.slotCount {
                owners[slot] = leaf
                leaf += 1
                slot += 1
            }
            count = slot
        }
        runs = walk.frozen.map { ($0.first, UnsafePointer($0.value.bytes.baseAddress!), UnsafePointer($0.value.ends.baseAddress!)) }
    }

    /// Writes leaf `slot` into `out` from `start` (room for `walk.leafCapacity`); returns the index after it.
    func write(_ slot: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        guard !owners.isEmpty else { return HTML.writeEscaped(walk.leaves[slot], into: out, at: start) }
        let owner = Int(owners[slot])
        guard owner < 0 else { return HTML.writeEscaped(walk.leaves[owner], into: out, at: start) }
        let run = runs[-1 - owner]
        let index = slot - run.first
        let from = index == 0 ? 0 : run.ends[index - 1]
        let count = run.ends[index] - from
        if count > 0 { (out.baseAddress! + start).update(from: run.bytes + from, count: count) }
        return start + count
    }
}

/// A shape's output cut at its placeholders: every literal byte end to end, and for each piece
/// `i` the end of its literal in `literals` and the slot whose value follows it (-1: none). One
/// buffer rather than an array per piece: writing a page touches no reference counts.
struct Pieces: Sendable {
    var literals: [UInt8] = []
    var ends: [Int] = []
    var slots: [Int] = []

    // Private-use code points: never escaped, never in a template.
    static let open: [UInt8] = Array("\u{E000}".utf8)
    static let close: [UInt8] = Array("\u{E001}".utf8)

    static func placeholder(_ index: Int) -> String { "\u{E000}\(index)\u{E001}" }

    /// One literal and no slot.
    init(literal: [UInt8]) {
        literals = literal
        ends = [literal.count]
        slots = [-1]
    }

    init(splitting rendered: String) {
        let bytes = Array(rendered.utf8)
        literals.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == Self.open[0], bytes[i...].starts(with: Self.open) {
                var j = i + Self.open.count
                var index = 0
                while j < bytes.count, (48...57).contains(bytes[j]) { index = index * 10 + Int(bytes[j] - 48); j += 1 }
                if bytes[j...].starts(with: Self.close) {
                    ends.append(literals.count)
                    slots.append(index)
                    i = j + Self.close.count
                    continue
                }
            }
            literals.append(bytes[i])
            i += 1
        }
        ends.append(literals.count)
        slots.append(-1)
    }

    /// Bytes held, for the cache's budget.
    var size: Int { literals.count + 16 * ends.count }
}

/// Shapes seen so far, bounded by entries and by bytes (signatures plus literal pieces): a flood of
/// unusual shapes — error pages with ever more messages, lists of every length — only clears it,
/// so memory stays flat whatever clients send. It is correct only for templates that keep the
/// template rules written on `Templates`.
final class ShapeCache: Sendable {
    private struct Entries {
        var pieces: [Signature: Pieces] = [:]
        var bytes = 0
    }

    private let state = Mutex(Entries())
    static let capacity = 512
    static let byteCapacity = 8 << 20

    /// A shape's bytes, hashed as one buffer rather than byte by byte.
    struct Signature: Hashable, Sendable {
        let bytes: [UInt8]

        /// Eight bytes at a time, multiplied and folded, then given to `Hasher`: a page's signature
        /// runs to kilobytes and is hashed on every request. Shapes come from the code's contexts
        /// (clients choose at most list lengths and empty fields), and equal hashes still compare
        /// every byte.
        func hash(into hasher: inout Hasher) {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            bytes.withUnsafeBytes { raw in
                var i = 0
                while i + 8 <= raw.count {
                    h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                    h ^= h >> 32
                    i += 8
                }
                var tail: UInt64 = 0
                while i < raw.count { tail = tail << 8 | UInt64(raw[i]); i += 1 }
                h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            }
            hasher.combine(h)
        }

        static func == (a: Signature, b: Signature) -> Bool {
            a.bytes.count == b.bytes.count
                && a.bytes.withUnsafeBytes { pa in
                    b.bytes.withUnsafeBytes { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
                }
        }
    }

    /// Bytes held now, for tests.
    var bytes: Int { state.withLock { $0.bytes } }
    var count: Int { state.withLock { $0.pieces.count } }

    /// A failed `make` is not remembered: the next request with that shape tries again.
    func pieces(for bytes: [UInt8], make: () throws -> Pieces) rethrows -> Pieces {
        let signature = Signature(bytes: bytes)
        if let found = state.withLock({ $0.pieces[signature] }) { return found }
        let made = try make()
        let size = bytes.count + made.size
        // A shape larger than a quarter of the budget is rendered but never kept.
        guard size <= Self.byteCapacity / 4 else { return made }
        state.withLock { cache in
            if cache.pieces.count >= Self.capacity || cache.bytes + size > Self.byteCapacity {
                cache = Entries()
            }
            if cache.pieces.updateValue(made, forKey: signature) == nil { cache.bytes += size }
        }
        return made
    }
}

/// HTML escaping, the same five characters swift-mustache escapes.
enum HTML {
    /// Writes `text` escaped into `out` from `start`, which has room for 6 bytes per byte of
    /// text; returns the index after the last byte written.
    static func writeEscaped(_ text: String, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        // In place: a native string's bytes are contiguous (copying it to make them so retains it).
        if let written = text.utf8.withContiguousStorageIfAvailable({ write($0, into: out, at: start) }) { return written }
        var text = text
        return text.withUTF8 { write($0, into: out, at: start) }
    }

    private static func write(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        // The five are all below 64: one shift and mask a byte finds them.
        let special: UInt64 = 1 << 0x22 | 1 << 0x26 | 1 << 0x27 | 1 << 0x3C | 1 << 0x3E
        guard let base = bytes.baseAddress else { return start }
        var o = start
        var from = 0
        func copy(_ source: UnsafePointer<UInt8>, _ count: Int) {
            guard count > 0 else { return }
            (out.baseAddress! + o).update(from: source, count: count)
            o += count
        }
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 64, special >> byte & 1 == 1 else { continue }
            let replacement: StaticString
            switch byte {
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            default: replacement = "&#39;"
            }
            copy(base + from, i - from)
            copy(replacement.utf8Start, replacement.utf8CodeUnitCount)
            from = i + 1
        }
        copy(base + from, bytes.count - from)
        return o
    }
}
