import Testing
@testable import WheelhouseFastCGI
import WheelhouseWeb

/// What the FastCGI adapter hands the web layer (issue 11, point 8): every `HTTP_*` param as a
/// lower-cased header, `HTTPS`, `SERVER_PORT` and `REMOTE_ADDR` as fields, within bounds.
@Suite("FastCGI params to Request") struct FastCGIParamsTests {
    /// What nginx sends for a form posted to `/orgs/acme/settings/general?x=1` over https (fastcgi_params).
    static let nginx = [
        "QUERY_STRING=x=1", "REQUEST_METHOD=POST", "CONTENT_TYPE=application/x-www-form-urlencoded",
        "CONTENT_LENGTH=12", "SCRIPT_NAME=/orgs/acme/settings/general", "REQUEST_URI=/orgs/acme/settings/general?x=1",
        "DOCUMENT_URI=/orgs/acme/settings/general", "SERVER_PROTOCOL=HTTP/1.1", "REQUEST_SCHEME=https", "HTTPS=on",
        "GATEWAY_INTERFACE=CGI/1.1", "REMOTE_ADDR=203.0.113.7", "REMOTE_PORT=51234", "SERVER_ADDR=127.0.0.1",
        "SERVER_PORT=8443", "SERVER_NAME=console.example.test", "HTTP_HOST=console.example.test",
        "HTTP_USER_AGENT=Mozilla/5.0", "HTTP_COOKIE=wh_session=abc; theme=dark", "HTTP_X_FORWARDED_FOR=198.51.100.4",
        "HTTP_ACCEPT_LANGUAGE=en-GB,en;q=0.8", "HTTP_IF_NONE_MATCH=\"v1\"", "HTTP_CONTENT_TYPE=text/plain",
    ]

    @Test func everyHTTPParamBecomesALowerCasedHeader() {
        let (request, length) = FastCGIParams.request(from: Self.nginx)
        #expect(request.method == "POST")
        #expect(request.path == "/orgs/acme/settings/general")
        #expect(request.query == "x=1")
        #expect(length == 12)
        #expect(request.headers["x-forwarded-for"] == "198.51.100.4")
        #expect(request.headers["accept-language"] == "en-GB,en;q=0.8")
        #expect(request.headers["if-none-match"] == "\"v1\"")
        #expect(request.headers["host"] == "console.example.test")
        #expect(request.cookies == ["wh_session": "abc", "theme": "dark"])
        // CONTENT_TYPE is nginx's reading of the head; the HTTP_ copy does not override it.
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.headers["content-length"] == "12")
        #expect(
            Set(request.headers.map(\.0)) == [
                "host", "user-agent", "cookie", "x-forwarded-for", "accept-language",
                "if-none-match", "content-type", "content-length",
            ],
            "CGI variables other than HTTP_* are not headers")
    }

    @Test func httpsServerPortAndRemoteAddressAreFields() {
        let (request, _) = FastCGIParams.request(from: Self.nginx)
        #expect(request.https)
        #expect(request.serverPort == 8443)
        #expect(request.remoteAddress == "203.0.113.7")
        let plain = FastCGIParams.request(from: ["REQUEST_URI=/login", "SERVER_PORT=8080", "HTTPS="]).request
        #expect(!plain.https)
        #expect(plain.serverPort == 8080)
        #expect(!FastCGIParams.request(from: ["HTTPS=off"]).request.https)
        let bare = FastCGIParams.request(from: []).request
        #expect(bare.method == "GET" && bare.path == "/" && bare.remoteAddress == "" && bare.serverPort == nil)
    }

    @Test func headerLookupIgnoresCase() {
        let (request, _) = FastCGIParams.request(from: Self.nginx)
        #expect(request.header("X-Forwarded-For") == "198.51.100.4")
        #expect(request.headers["USER-AGENT"] == "Mozilla/5.0")
        let built = Request(method: "GET", path: "/", headers: ["Content-Type": "text/html; charset=utf-8"])
        #expect(built.contentType == "text/html")
        #expect(built.header("content-type") == "text/html; charset=utf-8")
    }

    @Test func aFloodOfHeadersIsBounded() {
        let many = (0..<10_000).map { "HTTP_X_FLOOD_\($0)=\(String(repeating: "v", count: 100))" }
        let request = FastCGIParams.request(from: ["REQUEST_URI=/login", "HTTP_COOKIE=wh_session=first"] + many).request
        #expect(request.headers.count == FastCGIParams.maxHeaders)
        #expect(request.headers["cookie"] == "wh_session=first", "headers before the limit are kept")
        let large = (0..<20).map { "HTTP_X_LARGE_\($0)=\(String(repeating: "v", count: 8_000))" }
        let bytes = FastCGIParams.request(from: large + ["HTTP_ACCEPT=text/html"]).request
        #expect(bytes.headers.map { $0.0.utf8.count + $0.1.utf8.count }.reduce(0, +) <= FastCGIParams.maxHeaderBytes)
        #expect(bytes.headers.count == 9, "eight 8 KB headers fit in 64 KiB, and the small one")
        #expect(bytes.headers["accept"] == "text/html", "a small header after a refused large one still fits")
    }

    @Test func headerNamesFollowCGIsSpelling() {
        #expect(FastCGIParams.headerName("X_FORWARDED_FOR") == "x-forwarded-for")
        #expect(FastCGIParams.headerName("COOKIE") == "cookie")
        #expect(FastCGIParams.request(from: ["HTTP_=empty", "NO_EQUALS_SIGN"]).request.headers.count == 0)
    }
}

/// Every status the console and the coming API answer has its reason phrase in the status line.
@Suite("Status lines") struct StatusLineTests {
    @Test func everyStatusTheNextIssuesNeedHasItsReasonPhrase() {
        let expected = [
            200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 303: "See Other",
            400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 410: "Gone",
            413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
            507: "Insufficient Storage",
        ]
        for (status, reason) in expected {
            #expect(Response.statusLine(status) == "\(status) \(reason)")
        }
    }
}
