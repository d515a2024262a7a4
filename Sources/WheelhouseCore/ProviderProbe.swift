import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One connection test: the provider's list-models endpoint, with its key.
public struct ProbeRequest: Sendable {
    public var kind: ProviderKind
    public var baseURL: String
    public var apiKey: String

    /// `{base}/models`: the same path at every supported provider.
    public var url: URL? { URL(string: (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/models") }

    /// How each provider wants its key.
    public var headers: [(String, String)] {
        switch kind {
        case .anthropic: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")]
        case .google: [("x-goog-api-key", apiKey)]
        case .openai, .mistral, .xai, .custom: [("Authorization", "Bearer " + apiKey)]
        }
    }
}

public enum ProbeOutcome: Sendable, Equatable {
    case connected
    /// What went wrong, in words fit for the Providers tab (never containing the key).
    case failed(String)
}

/// Calls a provider. The web app uses `HTTPProviderProbe`; domain tests may pass their own.
public protocol ProviderProbe: Sendable {
    func check(_ request: ProbeRequest) -> ProbeOutcome
}

/// An HTTP GET with a short timeout, redirects not followed (the key must not travel to another
/// host). Blocks the calling worker thread for at most `timeout` seconds.
public struct HTTPProviderProbe: ProviderProbe {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 5) {
        self.timeout = timeout
    }

    public func check(_ probe: ProbeRequest) -> ProbeOutcome {
        guard let url = probe.url else { return .failed("The base URL is not a valid URL.") }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "GET"
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("Wheelhouse connection test", forHTTPHeaderField: "User-Agent")
        for (name, value) in probe.headers { request.setValue(value, forHTTPHeaderField: name) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let delegate = NoRedirects()
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        session.dataTask(with: request) { data, response, error in
            result.set(Self.outcome(data: data, response: response, error: error))
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success else {
            return .failed("No answer within \(Int(timeout)) seconds.")
        }
        return Self.redacted(result.get() ?? .failed("No answer."), key: probe.apiKey)
    }

    static func outcome(data: Data?, response: URLResponse?, error: Error?) -> ProbeOutcome {
        if let error {
            let nsError = error as NSError
            if nsError.code == NSURLErrorTimedOut { return .failed("No answer within the time limit.") }
            return .failed("Could not connect: \(nsError.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { return .failed("The answer was not HTTP.") }
        if (200..<300).contains(http.statusCode) { return .connected }
        if (300..<400).contains(http.statusCode) {
            return .failed("HTTP \(http.statusCode): the endpoint redirects elsewhere; enter the final base URL.")
        }
        return .failed("HTTP \(http.statusCode): " + providerMessage(data ?? Data(), status: http.statusCode))
    }

    /// The provider's own error message (`{"error": {"message": …}}` or `{"error": "…"}`), else the
    /// standard reason phrase. Shortened and stripped of control characters.
    static func providerMessage(_ data: Data, status: Int) -> String {
        var message: String?
        if let json = try? JSONSerialization.jsonObject(with: data.prefix(65_536)) as? [String: Any] {
            if let error = json["error"] as? [String: Any] { message = error["message"] as? String }
            else if let error = json["error"] as? String { message = error }
            else if let text = json["message"] as? String { message = text }
        }
        let text = message ?? HTTPURLResponse.localizedString(forStatusCode: status)
        let clean = String(text.unicodeScalars.map { TextRules.isControl($0) ? " " : Character($0) })
        return clean.count > 300 ? String(clean.prefix(300)) + "…" : clean
    }

    /// Providers sometimes quote the key they were sent; it must not reach a page or the database.
    static func redacted(_ outcome: ProbeOutcome, key: String) -> ProbeOutcome {
        guard case .failed(let message) = outcome, key.count >= 4, message.contains(key) else { return outcome }
        return .failed(message.replacingOccurrences(of: key, with: "[key]"))
    }
}

private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ProbeOutcome?
    func set(_ outcome: ProbeOutcome) { lock.withLock { value = outcome } }
    func get() -> ProbeOutcome? { lock.withLock { value } }
}
