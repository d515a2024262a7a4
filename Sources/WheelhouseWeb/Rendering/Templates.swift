import Foundation
import Mustache
import Synchronization

/// Every Mustache template under `Templates/`, parsed and cross-checked once at start-up: a
/// missing page, a syntax error or a partial that names no template stops the process with a
/// message that says which file, instead of a blank page at request time.
public struct Templates: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The templates the code renders by name; each must exist.
    static let required = ["layout", "login", "errors/error"] + SettingsTab.allCases.map { "settings/\($0.rawValue)" }

    let library: MustacheLibrary
    let shapes = ShapeCache()
    /// Tests set this: every render is also done directly by swift-mustache and compared.
    var verifiesEveryRender = false

    public init(directory: String) throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
            throw LoadError(description: "Templates folder \(root.path) does not exist or cannot be read.")
        }
        var texts: [String: String] = [:]
        for case let relative as String in enumerator where relative.hasSuffix(".mustache") {
            let name = String(relative.dropLast(".mustache".count))
            guard let text = try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8) else {
                throw LoadError(description: "Template \(relative) is not readable UTF-8 text.")
            }
            texts[name] = text
        }
        var library = MustacheLibrary()
        for (name, text) in texts {
            do {
                try library.register(text, named: name)
            } catch {
                throw LoadError(description: "Template \(name).mustache does not parse: \(error)")
            }
        }
        for name in Self.required where texts[name] == nil {
            throw LoadError(description: "Template \(name).mustache is missing from \(root.path).")
        }
        let reference = try NSRegularExpression(pattern: #"\{\{\s*[<>]\s*([A-Za-z0-9_/.-]+)\s*\}\}"#)
        for (name, text) in texts {
            for match in reference.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let partial = String(text[Range(match.range(at: 1), in: text)!])
                if texts[partial] == nil {
                    throw LoadError(description: "Template \(name).mustache uses “\(partial)”, which does not exist.")
                }
            }
        }
        self.library = library
    }

    /// Renders a template that `init` has checked exists, as UTF-8 bytes.
    ///
    /// swift-mustache renders each *shape* of a page once: the same template with the same keys,
    /// flags, list lengths and empty texts. Every non-empty text or number is rendered as a
    /// numbered placeholder, and the output is cut at the placeholders into literal pieces. Later
    /// requests with that shape only fill the pieces with their own values, HTML-escaped exactly as
    /// swift-mustache escapes them. The Mustache semantics stay swift-mustache's; the per-request
    /// cost drops from millions of instructions to a copy.
    public func render(_ name: String, _ context: TemplateObject) -> [UInt8] {
        var walk = ShapeWalk(signature: Array(name.utf8))
        walk.visit(.object(context))
        let pieces = shapes.pieces(for: walk.signature) {
            var counter = 0
            let placeholders = Self.mustacheValue(.object(context), placeholders: &counter)
            return Piece.split(renderDirectly(name, placeholders))
        }
        // One allocation: the literals plus each text at its longest escaped (6 bytes a byte).
        var literalBytes = 0
        for piece in pieces { literalBytes += piece.literal.count }
        let out = [UInt8](unsafeUninitializedCapacity: literalBytes + 6 * walk.textBytes + 20 * walk.leaves.count) { buffer, count in
            var o = 0
            for piece in pieces {
                piece.literal.withUnsafeBufferPointer { literal in
                    if let source = literal.baseAddress, !literal.isEmpty {
                        (buffer.baseAddress! + o).update(from: source, count: literal.count)
                        o += literal.count
                    }
                }
                if let slot = piece.slot { o = HTML.writeEscaped(walk.leaves[slot], into: buffer, at: o) }
            }
            count = o
        }
        if verifiesEveryRender {
            var counter = -1
            let direct = renderDirectly(name, Self.mustacheValue(.object(context), placeholders: &counter))
            precondition(Array(direct.utf8) == out, "memoized render of \(name) differs from swift-mustache")
        }
        return out
    }

    private func renderDirectly(_ name: String, _ context: Any) -> String {
        guard let html = library.render(context, withTemplate: name) else {
            preconditionFailure("template \(name) was checked at start-up")
        }
        return html
    }

    /// The value swift-mustache renders: with `counter >= 0`, every non-empty text or number
    /// becomes placeholder number `counter` (counting up in visiting order); with -1, the real values.
    static func mustacheValue(_ value: TemplateValue, placeholders counter: inout Int) -> Any {
        switch value {
        case .text(let text) where text.isEmpty: return text
        case .text(let text):
            guard counter >= 0 else { return text }
            defer { counter += 1 }
            return Piece.placeholder(counter)
        case .number(let number):
            guard counter >= 0 else { return number }
            defer { counter += 1 }
            return Piece.placeholder(counter)
        case .flag(let flag): return flag
        case .list(let items): return items.map { mustacheValue($0, placeholders: &counter) }
        case .object(let object):
            var dictionary: [String: Any] = [:]
            for (key, value) in object.entries { dictionary[key] = mustacheValue(value, placeholders: &counter) }
            return dictionary
        }
    }
}

/// One pass over a context: its shape as a string, and its texts in visiting order.
struct ShapeWalk {
    var signature: [UInt8]
    var leaves: [String] = []
    var textBytes = 0

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
            for item in items { visit(item) }
            signature.append(UInt8(ascii: "]"))
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

/// A literal piece of rendered output, followed by the value in `slot`, if any.
struct Piece: Sendable {
    var literal: [UInt8]
    var slot: Int?

    // Private-use code points: never escaped, never in a template.
    static let open: [UInt8] = Array("\u{E000}".utf8)
    static let close: [UInt8] = Array("\u{E001}".utf8)

    static func placeholder(_ index: Int) -> String { "\u{E000}\(index)\u{E001}" }

    static func split(_ rendered: String) -> [Piece] {
        let bytes = Array(rendered.utf8)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == open[0], bytes[i...].starts(with: open) {
                var j = i + open.count
                var index = 0
                while j < bytes.count, (48...57).contains(bytes[j]) { index = index * 10 + Int(bytes[j] - 48); j += 1 }
                if bytes[j...].starts(with: close) {
                    pieces.append(Piece(literal: literal, slot: index))
                    literal = []
                    i = j + close.count
                    continue
                }
            }
            literal.append(bytes[i])
            i += 1
        }
        pieces.append(Piece(literal: literal, slot: nil))
        return pieces
    }
}

/// Shapes seen so far, bounded by entries and by bytes (signatures plus literal pieces): a flood of
/// unusual shapes — error pages with ever more messages, lists of every length — only clears it,
/// so memory stays flat whatever clients send.
///
/// The rules the cache relies on (see `Templates.render`): a template's output depends only on its
/// context's shape (keys, flags, list lengths, which texts are empty) and on the texts and numbers
/// it prints, each of which it prints escaped (`{{ }}`, never `{{{ }}}`) and unchanged — no lambdas,
/// no partials chosen by a value, no text used as a section (a section tests a flag, a list or an
/// object). `verifiesEveryRender`, on in tests, checks every render against swift-mustache.
final class ShapeCache: Sendable {
    private struct Entries {
        var pieces: [Signature: [Piece]] = [:]
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
            a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { pa in
                b.bytes.withUnsafeBytes { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
            }
        }
    }

    /// Bytes held now, for tests.
    var bytes: Int { state.withLock { $0.bytes } }
    var count: Int { state.withLock { $0.pieces.count } }

    func pieces(for bytes: [UInt8], make: () -> [Piece]) -> [Piece] {
        let signature = Signature(bytes: bytes)
        if let found = state.withLock({ $0.pieces[signature] }) { return found }
        let made = make()
        let size = bytes.count + made.reduce(0) { $0 + $1.literal.count + 16 }
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
