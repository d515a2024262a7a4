import Foundation
import Testing
import WheelhouseCore
@testable import WheelhouseWeb

/// One problem value, two renderings: the HTML error page as before, and RFC 9457
/// `application/problem+json` for the API and for clients that accept only JSON.
@Suite("Error page and problem+json") struct ErrorPageTests {
    static let json = ["accept": "application/json"]
    static let browser = ["accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]

    func document(_ response: TestResponse) throws -> ProblemDocument {
        #expect(response.raw.header("Content-Type") == "application/problem+json")
        return try JSONDecoder().decode(ProblemDocument.self, from: Data(response.raw.body))
    }

    /// The same failures a browser sees as pages: 404, 405, 403 (CSRF), 413.
    func failures(_ t: TestApp, headers: [String: String]) throws -> [(Int, TestResponse)] {
        let client = try t.client(signedInAs: "owner@acme.test")
        let cookie = client.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let tooLarge = t.app.respond(
            to: Request(
                method: "POST", path: "/orgs/acme/settings/general",
                headers: Headers(headers.merging(["cookie": cookie]) { $1 }), bodyTooLarge: true))
        return [
            (404, client.send("GET", "/orgs/acme/settings/nowhere", headers: headers)),
            (405, client.send("PUT", "/login", headers: headers)),
            (
                403,
                client.send(
                    "POST", "/orgs/acme/settings/members/invite", contentType: "application/x-www-form-urlencoded",
                    body: Array("_csrf=forged&emails=a%40acme.test".utf8), headers: headers)
            ),
            (413, TestResponse(tooLarge)),
        ]
    }

    @Test func failuresAreProblemDocumentsForClientsThatAcceptOnlyJSON() throws {
        let t = try TestApp()
        let expected = [
            404: ("Page not found", "about:blank"), 405: ("Method not allowed", "about:blank"),
            403: ("Form expired", "http://127.0.0.1:8080/problems/form-expired"), 413: ("Upload too large", "about:blank"),
        ]
        for (status, response) in try failures(t, headers: Self.json) {
            #expect(response.status == status)
            let problem = try document(response)
            #expect(problem.status == status)
            #expect(problem.title == expected[status]?.0)
            #expect(problem.type == expected[status]?.1)
            #expect(!problem.detail.isEmpty && problem.errors == nil)
            #expect(problem.requestId == response.raw.header("X-Request-Id"))
            // The security headers stay on every response, whatever its format.
            #expect(response.raw.header("X-Content-Type-Options") == "nosniff")
        }
    }

    @Test func browsersStillGetTheHTMLErrorPage() throws {
        let t = try TestApp()
        let titles = [404: "Page not found", 405: "Method not allowed", 403: "Form expired", 413: "Upload too large"]
        for headers in [Self.browser, [:], ["accept": "application/json, text/html"]] {
            for (status, response) in try failures(t, headers: headers) {
                #expect(response.status == status)
                #expect(response.raw.header("Content-Type") == "text/html; charset=utf-8")
                #expect(response.contains("<h1>\(titles[status]!)</h1>"))
                #expect(response.contains("HTTP \(status) · request id <code>\(response.raw.header("X-Request-Id")!)</code>"))
            }
        }
    }

    @Test func everythingUnderAPIIsAnsweredInJSON() throws {
        let t = try TestApp()
        let response = t.client().get("/api/v1/nothing-yet")
        #expect(response.status == 404)
        #expect(try document(response).title == "Page not found")
    }

    /// A 422 carries each field's messages, in JSON as an `errors` member, in HTML in the summary.
    @Test func invalidFormsListTheirFieldErrorsInBothRenderings() throws {
        let t = try TestApp()
        var errors = FieldErrors()
        errors.add("email", "Enter an email address.")
        errors.add("role", "Choose a role.")
        errors.addForm("Nothing was sent.")
        func respond(_ headers: [String: String]) -> TestResponse {
            TestResponse(
                t.app.shell.errorResponse(
                    DomainError.invalid(errors),
                    visit: Visit(request: Request(method: "POST", path: "/login", headers: Headers(headers)), id: "r422")))
        }
        let json = respond(Self.json)
        #expect(json.status == 422)
        let problem = try document(json)
        #expect(problem.type == "http://127.0.0.1:8080/problems/invalid-form" && problem.status == 422)
        #expect(
            problem.errors == [
                .init(field: nil, detail: "Nothing was sent."), .init(field: "email", detail: "Enter an email address."),
                .init(field: "role", detail: "Choose a role."),
            ])
        let html = respond(Self.browser)
        #expect(html.status == 422 && html.raw.header("Content-Type") == "text/html; charset=utf-8")
        for message in ["Nothing was sent.", "Enter an email address.", "Choose a role."] { #expect(html.contains(message)) }
        #expect(html.contains("There is a problem"))
    }

    @Test func headersOfAProblemComeWithEitherRendering() throws {
        let t = try TestApp()
        for headers in [Self.json, Self.browser] {
            let response = t.app.shell.errorResponse(
                DomainError.throttled(retryAfterSeconds: 30),
                visit: Visit(request: Request(method: "POST", path: "/login", headers: Headers(headers)), id: "r429"))
            #expect(response.status == 429 && response.header("Retry-After") == "30")
        }
    }

    @Test func theJSONEncoderEscapesWhatItMust() throws {
        let t = try TestApp()
        let problem = Problem(status: 400, title: "Quote \" and \\ and \n", detail: "</script>")
        let response = t.app.shell.problemJSON(problem, requestID: "x")
        let decoded = try JSONDecoder().decode(ProblemDocument.self, from: Data(response.body))
        #expect(decoded.title == problem.title && decoded.detail == "</script>")
    }

    @Test func onlyJSONWithoutHTMLChoosesJSON() {
        let cases: [(String?, ProblemFormat)] = [
            (nil, .html), ("", .html), ("application/json", .json), ("application/problem+json", .json),
            ("Application/JSON; charset=utf-8", .json), ("application/json, text/html", .html), ("application/json, */*", .html),
            ("application/json, */*;q=0", .json), ("application/json;q=0, text/plain", .html), ("text/*, application/json", .html),
            ("text/plain", .html),
        ]
        for (accept, format) in cases {
            let request = Request(method: "GET", path: "/login", headers: accept.map { ["accept": $0] } ?? [:])
            #expect(ProblemFormat(request) == format, "\(accept ?? "none")")
        }
        #expect(ProblemFormat(Request(method: "GET", path: "/api/v1/orgs", headers: Headers(Self.browser))) == .json)
        #expect(ProblemFormat(Request(method: "GET", path: "/apis")) == .html)
    }
}
