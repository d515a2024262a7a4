import WheelhouseCore

/// A file part of a multipart form.
public struct UploadedFile: Sendable {
    public var filename: String
    public var contentType: String
    public var bytes: [UInt8]
}

/// The decoded body of a form post: raw bytes per field name, so that invalid UTF-8 is reported
/// as a field error instead of being silently replaced.
public struct FormData: Sendable {
    public enum Failure: Error, Equatable {
        case unsupportedMediaType
        case malformed(String)
        /// More fields than any form of the console takes: refused before any of them is decoded.
        case tooManyFields
    }

    public private(set) var fields: [String: [UInt8]] = [:]
    public private(set) var files: [String: UploadedFile] = [:]
    /// Every name sent, in order, including repeats.
    public private(set) var names: [String] = []

    static let maxParts = 64
    /// The largest form (an invitation of 50 addresses, a workspace's access list) stays far below
    /// this; a body with more is refused after one pass counting separators, so a flood of fields
    /// costs neither decoding nor an error per field.
    public static let maxFields = 256

    public init(request: Request) throws {
        switch request.contentType {
        case "application/x-www-form-urlencoded":
            var separators = 0
            for byte in request.body where byte == UInt8(ascii: "&") {
                separators += 1
                if separators >= Self.maxFields { throw Failure.tooManyFields }
            }
            for (key, value) in URLEncodedForm.pairs(request.body) {
                add(String(decoding: key, as: UTF8.self), value)
            }
        case "multipart/form-data":
            guard let boundary = Self.boundary(request.header("content-type") ?? "") else {
                throw Failure.malformed("multipart body without a boundary")
            }
            try parseMultipart(request.body, boundary: Array("--\(boundary)".utf8))
        default:
            throw Failure.unsupportedMediaType
        }
    }

    init(fields: [String: [UInt8]]) {
        for (key, value) in fields { add(key, value) }
    }

    private mutating func add(_ name: String, _ value: [UInt8]) {
        names.append(name)
        fields[name] = value
    }

    // MARK: - multipart/form-data (RFC 7578)

    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.utf8.count) ? value : nil
            }
        }
        return nil
    }

    private mutating func parseMultipart(_ body: [UInt8], boundary: [UInt8]) throws {
        var index = try Self.find(boundary, in: body, from: 0) ?? { throw Failure.malformed("no boundary in body") }()
        var parts = 0
        while true {
            index += boundary.count
            if body[index...].starts(with: [45, 45]) { return }  // "--": the closing boundary
            guard body[index...].starts(with: [13, 10]) else { throw Failure.malformed("bad boundary line") }
            index += 2
            guard let headerEnd = Self.find([13, 10, 13, 10], in: body, from: index) else {
                throw Failure.malformed("part without headers")
            }
            let headers = String(decoding: body[index..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find([13, 10] + boundary, in: body, from: contentStart) else {
                throw Failure.malformed("unterminated part")
            }
            parts += 1
            guard parts <= Self.maxParts else { throw Failure.tooManyFields }
            try addPart(headers: headers, content: Array(body[contentStart..<next]))
            index = next + 2
        }
    }

    private mutating func addPart(headers: String, content: [UInt8]) throws {
        var name: String?
        var filename: String?
        var contentType = "application/octet-stream"
        for line in headers.split(separator: "\r\n") {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = Self.parameter("name", in: String(line))
                filename = Self.parameter("filename", in: String(line))
            } else if lower.hasPrefix("content-type:") {
                contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name else { throw Failure.malformed("part without a name") }
        if let filename {
            names.append(name)
            if !filename.isEmpty || !content.isEmpty {
                files[name] = UploadedFile(filename: filename, contentType: contentType, bytes: content)
            }
        } else {
            add(name, content)
        }
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                    ? String(pair[1].dropFirst().dropLast()) : pair[1]
            }
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

/// Reads the fields of one form, named by an enum so markup and parser share the same names, and
/// collects every problem as a field error.
public struct FormReader<Field: RawRepresentable & CaseIterable> where Field.RawValue == String {
    public let form: FormData
    public var errors = FieldErrors()

    public init(_ form: FormData) {
        self.form = form
        let known = Set(Field.allCases.map(\.rawValue))
        let unknown = Set(form.names).subtracting(known).sorted()
        if let message = Self.unknownFieldsMessage(unknown) { errors.addForm(message) }
    }

    /// One message however many unknown fields were sent: a page's size and shape must not grow
    /// with what a client invents.
    static func unknownFieldsMessage(_ names: [String]) -> String? {
        guard !names.isEmpty else { return nil }
        let shown = names.prefix(3).map { "“\(TextRules.displayable(String($0.prefix(40))))”" }
        let more = names.count > 3 ? " and \(names.count - 3) more" : ""
        let noun = names.count == 1 ? "an unexpected field" : "unexpected fields"
        return "This form does not take \(noun): \(shown.joined(separator: ", "))\(more). Nothing was saved."
    }

    /// The field as text, with CRLF turned into LF. Missing → "". Invalid UTF-8 → an error.
    public mutating func text(_ field: Field, label: String) -> String {
        guard let bytes = form.fields[field.rawValue] else { return "" }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            errors.add(field.rawValue, "The text in “\(label)” is not valid UTF-8.")
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    public func file(_ field: Field) -> UploadedFile? { form.files[field.rawValue] }

    public func isOn(_ field: Field) -> Bool { form.fields[field.rawValue].map { !$0.isEmpty } ?? false }

    /// A missing or unreadable version is a malformed form (422), not someone else's edit.
    mutating func version(_ field: Field) -> Int {
        guard let version = Int(text(field, label: "Version")), version >= 0 else {
            errors.addForm("This form is missing the version it was loaded with: reload the page and try again.")
            return -1
        }
        return version
    }
}

/// `application/x-www-form-urlencoded`, kept as bytes.
public enum URLEncodedForm {
    public static func pairs(_ body: [UInt8]) -> [([UInt8], [UInt8])] {
        body.split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : [])
        }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
                let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2])
            {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// Percent-encodes every byte but ASCII letters, digits and `-._~/` (non-ASCII text is always
    /// encoded, byte by byte). Written out: every link of a list page with a search goes through it,
    /// and Foundation's `addingPercentEncoding` costs tens of thousands of instructions a call.
    public static func encode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

import Foundation
