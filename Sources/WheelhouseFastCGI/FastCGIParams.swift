import Foundation
import WheelhouseWeb

/// Turns a request's FastCGI params (CGI/1.1 meta-variables, RFC 3875 §4.1) into the web layer's
/// `Request`, body aside. Pure, so it is tested without a socket.
///
/// Every `HTTP_*` param is a request header (nginx passes each header that way, `X-Forwarded-For`
/// as `HTTP_X_FORWARDED_FOR`): the header is named back in lower case, `x-forwarded-for`.
/// `CONTENT_TYPE` and `CONTENT_LENGTH` are headers too (CGI gives them no `HTTP_` prefix);
/// `HTTPS`, `SERVER_PORT` and `REMOTE_ADDR` become the request's own fields.
public enum FastCGIParams {
    /// At most this many headers are kept, and at most `maxHeaderBytes` of names and values in
    /// all: a peer sending a flood of headers costs a bounded amount of memory per request.
    /// nginx refuses heads above 32 KB by default (`large_client_header_buffers 4 8k`), so
    /// nothing nginx forwards is ever cut.
    public static let maxHeaders = 100
    public static let maxHeaderBytes = 64 * 1024

    /// The request the params describe, with an empty body, and the body's announced length.
    /// `entries` are the params as libfcgi keeps them: `NAME=value`.
    public static func request(from entries: some Sequence<String>) -> (request: Request, contentLength: Int) {
        var reader = Reader()
        for var entry in entries { entry.withUTF8 { reader.add($0) } }
        return reader.finish()
    }

    /// The same, read in place from libfcgi's NUL-terminated `NAME=value` strings: on every
    /// request's path, so only the values that are kept become Swift strings.
    static func request(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> (request: Request, contentLength: Int) {
        var reader = Reader()
        var cursor = environment
        while let entry = cursor?.pointee {
            entry.withMemoryRebound(to: UInt8.self, capacity: 1) { bytes in
                reader.add(UnsafeBufferPointer(start: bytes, count: strlen(entry)))
            }
            cursor = cursor! + 1
        }
        return reader.finish()
    }

    private struct Reader {
        var request = Request(method: "GET", path: "/", remoteAddress: "")
        var uri = "/", contentType = "", contentLength = ""
        var headerBytes = 0

        mutating func add(_ entry: UnsafeBufferPointer<UInt8>) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return }
            let name = UnsafeBufferPointer(rebasing: entry[..<equals])
            let rawValue = UnsafeBufferPointer(rebasing: entry[(equals + 1)...])
            func value() -> String { String(decoding: rawValue, as: UTF8.self) }
            func named(_ literal: StaticString) -> Bool {
                name.count == literal.utf8CodeUnitCount && memcmp(name.baseAddress!, literal.utf8Start, name.count) == 0
            }
            if name.count > 5, memcmp(name.baseAddress!, "HTTP_", 5) == 0 {
                let header = headerName(UnsafeBufferPointer(rebasing: name[5...]))
                guard request.headers.count < maxHeaders, headerBytes + header.utf8.count + rawValue.count <= maxHeaderBytes else { return }
                headerBytes += header.utf8.count + rawValue.count
                request.headers[header] = value()
            } else if named("REQUEST_METHOD") {
                request.method = value()
            } else if named("REQUEST_URI") {
                uri = value()
            } else if named("QUERY_STRING") {
                request.query = value()
            } else if named("CONTENT_TYPE") {
                contentType = value()
            } else if named("CONTENT_LENGTH") {
                contentLength = value()
            } else if named("REMOTE_ADDR") {
                request.remoteAddress = value()
            } else if named("HTTPS") {
                request.https = !rawValue.isEmpty && value().lowercased() != "off"
            } else if named("SERVER_PORT") {
                request.serverPort = Int(value())
            }
        }

        mutating func finish() -> (request: Request, contentLength: Int) {
            // The CGI variables are what nginx parsed; an `HTTP_CONTENT_TYPE` copy never wins over them.
            if !contentType.isEmpty { request.headers["content-type"] = contentType }
            if !contentLength.isEmpty { request.headers["content-length"] = contentLength }
            let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
            request.path = path.isEmpty ? "/" : path
            return (request, Int(contentLength) ?? 0)
        }
    }

    /// `X_FORWARDED_FOR` → `x-forwarded-for`.
    static func headerName(_ param: String) -> String {
        var param = param
        return param.withUTF8 { headerName($0) }
    }

    static func headerName(_ param: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: param.count) { out in
            for (i, byte) in param.enumerated() {
                out[i] =
                    switch byte {
                    case UInt8(ascii: "_"): UInt8(ascii: "-")
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                    default: byte
                    }
            }
            return param.count
        }
    }
}
