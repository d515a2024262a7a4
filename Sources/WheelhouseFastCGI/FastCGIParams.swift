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
        var request = Request(method: "GET", path: "/", remoteAddress: "")
        var uri = "/", contentType = "", contentLength = ""
        var headerBytes = 0
        for entry in entries {
            guard let equals = entry.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = entry[..<equals], value = String(entry[entry.index(after: equals)...])
            if name.utf8.starts(with: "HTTP_".utf8) {
                let header = headerName(name.dropFirst(5))
                guard !header.isEmpty, request.headers.count < maxHeaders,
                      headerBytes + header.utf8.count + value.utf8.count <= maxHeaderBytes else { continue }
                headerBytes += header.utf8.count + value.utf8.count
                request.headers[header] = value
                continue
            }
            switch name {
            case "REQUEST_METHOD": request.method = value
            case "REQUEST_URI": uri = value
            case "QUERY_STRING": request.query = value
            case "CONTENT_TYPE": contentType = value
            case "CONTENT_LENGTH": contentLength = value
            case "REMOTE_ADDR": request.remoteAddress = value
            case "HTTPS": request.https = !value.isEmpty && value.lowercased() != "off"
            case "SERVER_PORT": request.serverPort = Int(value)
            default: continue
            }
        }
        // The CGI variables are what nginx parsed; an `HTTP_CONTENT_TYPE` copy never wins over them.
        if !contentType.isEmpty { request.headers["content-type"] = contentType }
        if !contentLength.isEmpty { request.headers["content-length"] = contentLength }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        request.path = path.isEmpty ? "/" : path
        return (request, Int(contentLength) ?? 0)
    }

    /// `X_FORWARDED_FOR` → `x-forwarded-for`.
    static func headerName(_ param: Substring) -> String {
        String(decoding: param.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }
}
