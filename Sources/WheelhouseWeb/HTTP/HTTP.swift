import Foundation

/// One HTTP request as the web layer sees it, whatever transport brought it.
public struct Request: Sendable {
    public var method: String
    /// The path without the query, as sent (not percent-decoded).
    public var path: String
    public var query: String
    /// Looked up by name in any case.
    public var headers: Headers
    /// The client's address as the web server saw it (FastCGI `REMOTE_ADDR`).
    public var remoteAddress: String
    /// Whether the client reached the web server over TLS (FastCGI `HTTPS`, "on" in nginx).
    public var https: Bool
    /// The port the web server took the request on (FastCGI `SERVER_PORT`); nil when unknown.
    public var serverPort: Int?
    public var body: [UInt8]
    /// Set by the transport when the client sent more than the body limit; the body is then empty.
    public var bodyTooLarge: Bool

    public init(
        method: String, path: String, query: String = "", headers: Headers = [:],
        remoteAddress: String = "127.0.0.1", https: Bool = false, serverPort: Int? = nil,
        body: [UInt8] = [], bodyTooLarge: Bool = false
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.https = https
        self.serverPort = serverPort
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }

    public func header(_ name: String) -> String? { headers[name] }

    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for pair in (headers["cookie"] ?? "").utf8.split(separator: UInt8(ascii: ";")) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = pair[..<equals].drop { $0 == 32 }
            var value = pair[pair.index(after: equals)...]
            while value.last == 32 { value = value.dropLast() }
            result[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return result
    }

    /// Query parameters; invalid UTF-8 in a value makes that value empty.
    public var queryItems: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in URLEncodedForm.pairs(Array(query.utf8)) {
            result[String(decoding: key, as: UTF8.self)] = String(validating: value, as: UTF8.self) ?? ""
        }
        return result
    }

    public var contentType: String {
        (headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}

public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// A file sent after `body`, read in chunks by the transport (a data export archive), so a
    /// large download is never held in memory.
    public var file: ResponseFile?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], file: ResponseFile? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.file = file
    }

    /// The bytes the response sends: its body and its file.
    public var contentLength: Int { body.count + (file.map { Int($0.length) } ?? 0) }

    /// 303 See Other: after a POST the browser follows with a GET.
    public static func redirect(to location: String) -> Response {
        Response(status: 303, headers: [("Location", location)])
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public mutating func setCookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) {
        var cookie = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if secure { cookie += "; Secure" }
        headers.append(("Set-Cookie", cookie))
    }

    /// The reason phrase of every status the console answers or is about to (the API's 201, 202,
    /// 204; 402 for billing), as RFC 9110 §15 names them: printed in the FastCGI `Status:` line.
    public static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 303: "See Other",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
        404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 413: "Content Too Large",
        415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
        500: "Internal Server Error", 503: "Service Unavailable", 507: "Insufficient Storage",
    ]

    /// The status line's text, e.g. `201 Created`.
    public static func statusLine(_ status: Int) -> String {
        "\(status) \(reasons[status] ?? "")"
    }
}
