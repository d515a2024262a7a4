/// One line of a JSON Lines usage file, parsed by hand: a flat JSON object of strings, integers
/// and booleans. Foundation's decoders cost several microseconds a line; imports aim at
/// 100 000 lines a second. Strict: unknown or repeated fields, fractions where integers belong
/// and trailing garbage are errors, each with a reason a person can act on.
///
///     {"time":"2026-11-03T09:15:00Z","workspace":"research","kind":"llm_call","status":"success",
///      "provider":"openai","model":"gpt-4o","input_tokens":812,"output_tokens":240,
///      "cost_micros":6050,"byok":false,"idempotency_key":"evt-42"}
///
/// `time` is an RFC 3339 timestamp (`Z` or `±HH:MM`, optional fraction, truncated to the second)
/// or an integer of seconds since 1970. `org` (an org key) is optional when the importer has a
/// default organization. `provider`, `model`, the token counts, `cost_micros` and `byok` default
/// to empty, 0 and false.
public enum UsageJSONLine {
    public struct Failure: Error, Equatable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    enum Key: Int, CaseIterable {
        case org, time, workspace, kind, status, provider, model, inputTokens, outputTokens, costMicros, byok, idempotencyKey

        var name: String {
            switch self {
            case .org: "org"
            case .time: "time"
            case .workspace: "workspace"
            case .kind: "kind"
            case .status: "status"
            case .provider: "provider"
            case .model: "model"
            case .inputTokens: "input_tokens"
            case .outputTokens: "output_tokens"
            case .costMicros: "cost_micros"
            case .byok: "byok"
            case .idempotencyKey: "idempotency_key"
            }
        }

        static let names: [[UInt8]] = allCases.map { Array($0.name.utf8) }
        static let byName: [[UInt8]: Key] = Dictionary(uniqueKeysWithValues: allCases.map { (Array($0.name.utf8), $0) })
    }

    public static func parse(_ line: [UInt8]) -> Result<UsageEventInput, Failure> {
        line.withUnsafeBufferPointer { parse($0) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<UsageEventInput, Failure> {
        var p = Parser(bytes: bytes)
        do {
            return .success(try p.event())
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure("\(error)"))
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            // Line feeds too: the API takes events inside a JSON array, which may be pretty-printed.
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 13 || bytes[i] == 10 { i += 1 }
        }

        mutating func expect(_ c: UInt8, _ what: @autoclosure () -> String) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else {
                throw Failure(i < bytes.count ? "expected \(what()) at column \(i + 1)" : "line ends early: expected \(what())")
            }
            i += 1
        }

        mutating func event() throws -> UsageEventInput {
            var seen = [Bool](repeating: false, count: Key.allCases.count)
            var event = UsageEventInput(
                at: 0, workspace: "", kind: "", status: .success, provider: "", model: "",
                inputTokens: 0, outputTokens: 0, costMicros: 0, byok: false, idempotencyKey: "")
            try expect(UInt8(ascii: "{"), "“{” (each line is one JSON object)")
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { throw Failure("the object is empty") }
            while true {
                skipSpace()
                let key = try self.key()
                guard !seen[key.rawValue] else { throw Failure("field “\(key.name)” appears twice") }
                seen[key.rawValue] = true
                try expect(UInt8(ascii: ":"), "“:” after “\(key.name)”")
                skipSpace()
                switch key {
                case .org: event.org = try string(key)
                case .time: event.at = try time()
                case .workspace: event.workspace = try string(key)
                case .kind: event.kind = try string(key)
                case .status:
                    let text = try string(key)
                    guard let status = UsageStatus(rawValue: text) else { throw Failure("status must be “success” or “error”") }
                    event.status = status
                case .provider: event.provider = try string(key)
                case .model: event.model = try string(key)
                case .inputTokens: event.inputTokens = try integer(key)
                case .outputTokens: event.outputTokens = try integer(key)
                case .costMicros: event.costMicros = try integer(key)
                case .byok: event.byok = try boolean(key)
                case .idempotencyKey: event.idempotencyKey = try string(key)
                }
                skipSpace()
                guard i < bytes.count else { throw Failure("line ends early: expected “,” or “}”") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw Failure("expected “,” or “}” at column \(i + 1)")
            }
            skipSpace()
            guard i == bytes.count else { throw Failure("unexpected text after the object at column \(i + 1)") }
            for key in [Key.time, .workspace, .kind, .status, .idempotencyKey] where !seen[key.rawValue] {
                throw Failure("field “\(key.name)” is missing")
            }
            if let problem = event.problem() { throw Failure(problem) }
            return event
        }

        /// A field name: matched in place when it has no escapes (always, in practice), so no
        /// line allocates for its names.
        mutating func key() throws -> Key {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw Failure(i < bytes.count ? "expected a quoted name at column \(i + 1)" : "line ends early")
            }
            var j = i + 1
            while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
            if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
                let start = i + 1, count = j - start
                let names = Key.names
                for raw in 0..<names.count where names[raw].count == count {
                    let name = names[raw]
                    var k = 0
                    while k < count, name[k] == bytes[start + k] { k += 1 }
                    if k == count {
                        i = j + 1
                        return Key(rawValue: raw)!
                    }
                }
            }
            let name = try rawString()
            guard let key = Key.byName[name] else {
                throw Failure("unknown field “\(String(decoding: name.prefix(40), as: UTF8.self))”")
            }
            return key
        }

        /// A JSON string's bytes, unescaped (UTF-8 checked by `string`).
        mutating func rawString() throws -> [UInt8] {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw Failure(i < bytes.count ? "expected a quoted name or string at column \(i + 1)" : "line ends early")
            }
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                defer { i += 1 }
                return Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            }
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return out }
                if c < 0x20 { throw Failure("control character inside a string at column \(i + 1)") }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw Failure("unpaired surrogate escape at column \(i + 1)")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Failure("unpaired surrogate escape at column \(i + 1)") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw Failure("unpaired surrogate escape at column \(i + 1)")
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default: throw Failure("unknown escape “\\\(Character(Unicode.Scalar(e)))” at column \(i)")
                }
            }
            throw Failure("a string is not closed")
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw Failure("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let digit: UInt32
                switch c {
                case 48...57: digit = UInt32(c - 48)
                case 65...70: digit = UInt32(c - 55)
                case 97...102: digit = UInt32(c - 87)
                default: throw Failure("bad \\u escape at column \(i + 1)")
                }
                value = value << 4 | digit
                i += 1
            }
            return value
        }

        mutating func string(_ key: Key) throws -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure("\(key.name) must be a string") }
            // Fast path: no escapes, so the text is the bytes between the quotes.
            var j = i + 1
            while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20 { j += 1 }
            if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j]), as: UTF8.self) else {
                    throw Failure("\(key.name) is not valid UTF-8")
                }
                i = j + 1
                return text
            }
            let raw = try rawString()
            guard let text = String(validating: raw, as: UTF8.self) else { throw Failure("\(key.name) is not valid UTF-8") }
            return text
        }

        mutating func integer(_ key: Key) throws -> Int64 {
            let start = i
            var negative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            var value: Int64 = 0
            var digits = 0
            while i < bytes.count, (48...57).contains(bytes[i]) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
                guard !o1, !o2 else { throw Failure("\(key.name) is too large") }
                value = a
                digits += 1
                i += 1
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                throw Failure("\(key.name) must be a whole number")
            }
            guard digits > 0 else {
                i = start
                throw Failure("\(key.name) must be a whole number")
            }
            guard negative == false || value == 0 else { throw Failure("\(key.name) must not be negative") }
            return value
        }

        mutating func boolean(_ key: Key) throws -> Bool {
            if matches("true") { return true }
            if matches("false") { return false }
            throw Failure("\(key.name) must be true or false")
        }

        mutating func matches(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        mutating func time() throws -> Int64 {
            if i < bytes.count, bytes[i] != UInt8(ascii: "\"") { return try integer(.time) }
            let raw = try rawString()
            guard let seconds = RFC3339.seconds(raw) else {
                throw Failure("time must be an RFC 3339 timestamp such as 2026-11-03T09:15:00Z")
            }
            return seconds
        }
    }
}
