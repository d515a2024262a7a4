import Foundation
import GRDB

/// Not configured (no row), Configured (never tested), Connected, Failed (last test).
public enum ProviderStatus: String, Sendable {
    case notConfigured, configured, connected, failed

    public var label: String {
        switch self {
        case .notConfigured: "Not configured"
        case .configured: "Configured"
        case .connected: "Connected"
        case .failed: "Failed"
        }
    }
}

/// A provider whose last connection test failed, with the provider's message.
public struct FailedProvider: Sendable, Equatable {
    public var name: String
    public var error: String
}

/// An organization's provider key as anyone may see it: a masked hint, never the key.
public struct ProviderSummary: Sendable, Equatable {
    public var id: String
    public var kind: ProviderKind
    public var name: String
    public var baseURL: String
    public var hint: String
    public var status: ProviderStatus
    public var lastCheckedAt: Date?
    public var lastError: String?
    /// A connection test is queued or running (`ProviderCheckWorker`).
    public var checkPending: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    init(row: Row) {
        self.init(
            id: row["id"], kind: ProviderKind(rawValue: row["kind"]) ?? .custom, name: row["name"],
            baseURL: row["baseURL"], hint: row["hint"], status: ProviderStatus(rawValue: row["status"]) ?? .failed,
            lastCheckedAt: row["lastCheckedAt"], lastError: row["lastError"],
            checkPending: (row["checkState"] as String?) != nil, version: row["version"],
            createdAt: row["createdAt"], updatedAt: row["updatedAt"])
    }

    init(
        id: String, kind: ProviderKind, name: String, baseURL: String, hint: String, status: ProviderStatus,
        lastCheckedAt: Date?, lastError: String?, checkPending: Bool = false, version: Int, createdAt: Date, updatedAt: Date
    ) {
        (self.id, self.kind, self.name, self.baseURL, self.hint) = (id, kind, name, baseURL, hint)
        (self.status, self.lastCheckedAt, self.lastError, self.checkPending) = (status, lastCheckedAt, lastError, checkPending)
        (self.version, self.createdAt, self.updatedAt) = (version, createdAt, updatedAt)
    }

    static let columns = "id, kind, name, baseURL, hint, status, lastCheckedAt, lastError, checkState, version, createdAt, updatedAt"
}

/// An add or an edit on the Providers tab. `apiKey` empty on an edit keeps the stored key.
public struct ProviderChange: Sendable {
    public var kind: ProviderKind
    public var name: String
    public var baseURL: String
    public var apiKey: String
    public var expectedVersion: Int?

    public init(kind: ProviderKind, name: String, baseURL: String, apiKey: String, expectedVersion: Int? = nil) {
        (self.kind, self.name, self.baseURL, self.apiKey, self.expectedVersion) = (kind, name, baseURL, apiKey, expectedVersion)
    }

    func validate(isNew: Bool, into errors: inout FieldErrors) {
        if kind == .custom {
            TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 60, into: &errors)
        }
        ProviderRules.checkBaseURL(baseURL, into: &errors)
        if isNew || !apiKey.isEmpty {
            SecretRules.checkValue(apiKey, field: "api_key", label: "API key", into: &errors)
            if apiKey.utf8.count <= SecretRules.maxValueBytes, apiKey.contains(where: \.isNewline) {
                errors.add("api_key", "API key must be one line.")
            }
            if apiKey.count > ProviderRules.maxKeyLength, apiKey.utf8.count <= SecretRules.maxValueBytes {
                errors.add("api_key", "API key must be at most \(ProviderRules.maxKeyLength) characters (it has \(apiKey.count)).")
            }
        }
    }
}

public enum ProviderRules {
    /// Real provider keys are well under 200 characters.
    public static let maxKeyLength = 512
    public static let keyAgainForNewURL =
        "Enter the API key again: a new base URL needs the key, because the stored key "
        + "is only ever sent to the base URL it was entered for."

    /// https, or plain http to this machine only (a local stand-in or gateway); no credentials,
    /// query or fragment in the URL.
    public static func checkBaseURL(_ text: String, into errors: inout FieldErrors) {
        let field = "base_url"
        TextRules.checkSingleLine(text, field: field, label: "Base URL", required: true, maxLength: 500, into: &errors)
        guard !text.isEmpty, errors.byField[field] == nil else { return }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            let host = parts.host, !host.isEmpty
        else {
            errors.add(field, "Base URL must be a full URL such as https://api.example.com/v1.")
            return
        }
        let loopback = ["127.0.0.1", "localhost"].contains(host.lowercased())
        if scheme != "https" && !(scheme == "http" && loopback) {
            errors.add(field, "Base URL must start with https:// (plain http:// only for 127.0.0.1 or localhost).")
        }
        if let port = parts.port, !(1...65_535).contains(port) {
            errors.add(field, "Base URL has port \(port); a port is a number from 1 to 65535.")
        }
        if host.contains(":") || host.hasPrefix("[") {
            errors.add(field, "Base URL must name its host, not an IPv6 address: use 127.0.0.1 or localhost for a local endpoint.")
        }
        if parts.user != nil || parts.password != nil || parts.query != nil || parts.fragment != nil {
            errors.add(field, "Base URL must not contain a user name, password, query or fragment.")
        }
    }
}
