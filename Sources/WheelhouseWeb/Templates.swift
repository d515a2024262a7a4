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
        var out: [UInt8] = []
        out.reserveCapacity(walk.textBytes + pieces.reduce(0) { $0 + $1.literal.count } + 256)
        for piece in pieces {
            out.append(contentsOf: piece.literal)
            if let slot = piece.slot { HTML.appendEscaped(walk.leaves[slot], to: &out) }
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
                var key = key
                key.withUTF8 { signature.append(contentsOf: $0) }
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

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
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
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let replacement: StaticString
                switch bytes[i] {
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}
