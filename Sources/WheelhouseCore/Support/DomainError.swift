import Foundation

/// Errors attached to the fields of one form, plus errors about the form as a whole.
/// Everything wrong is reported at once, not just the first problem found.
public struct FieldErrors: Error, Equatable, Sendable {
    public private(set) var byField: [String: [String]] = [:]
    public private(set) var form: [String] = []

    public init() {}

    public var isEmpty: Bool { byField.isEmpty && form.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        byField[field, default: []].append(message)
    }

    public mutating func addForm(_ message: String) {
        form.append(message)
    }

    public func messages(for field: String) -> [String] { byField[field] ?? [] }

    public func throwIfAny() throws {
        if !isEmpty { throw DomainError.invalid(self) }
    }
}

/// What the domain refuses, typed. The web layer maps each case to a status and a page in one place.
public enum DomainError: Error, Equatable, Sendable {
    /// The thing does not exist, or the person may not know it exists.
    case notFound
    /// The person is a member but their role does not allow the action.
    case forbidden(Action)
    case invalid(FieldErrors)
    /// The form was rendered from an older version of the row than the one stored now.
    case staleVersion
    case invalidCredentials
    case throttled(retryAfterSeconds: Int)
    /// The organization is scheduled for deletion on this date: nothing of it may change until an
    /// Owner cancels the deletion.
    case pendingDeletion(purgeAt: Date)
}
