import Foundation

/// An edit of the General tab. `expectedVersion` is the version the form was rendered from.
public struct GeneralSettingsChange: Sendable {
    public enum LogoChange: Sendable, Equatable {
        case keep, remove
        case replace(LogoImage)
    }

    public var displayName: String
    public var description: String
    public var memberLimit: Int?
    public var logo: LogoChange
    public var expectedVersion: Int
    /// The IANA time zone; nil keeps the stored one.
    public var timeZone: String?

    public init(
        displayName: String, description: String, memberLimit: Int?, logo: LogoChange, expectedVersion: Int,
        timeZone: String? = nil
    ) {
        self.displayName = displayName
        self.description = description
        self.memberLimit = memberLimit
        self.logo = logo
        self.expectedVersion = expectedVersion
        self.timeZone = timeZone
    }

    public static let maxMemberLimit = 100_000

    /// The rules that need no database. Errors found later (a limit below the member count)
    /// are added to the same field.
    public func validate(into errors: inout FieldErrors) {
        TextRules.checkSingleLine(
            displayName, field: "display_name", label: "Display name",
            required: true, maxLength: 100, into: &errors)
        TextRules.checkMultiLine(description, field: "description", label: "Description", maxLength: 1000, into: &errors)
        if let memberLimit {
            if !(1...Self.maxMemberLimit).contains(memberLimit) {
                errors.add("member_limit", "Member limit must be between 1 and \(Self.maxMemberLimit).")
            }
        } else {
            errors.add("member_limit", "Member limit must be a whole number.")
        }
        if let timeZone {
            if timeZone.isEmpty {
                errors.add("time_zone", "Time zone is required.")
            } else if TimeZoneRule.canonical(timeZone) == nil {
                errors.add("time_zone", "Time zone must be an IANA time zone name such as Europe/Berlin or UTC.")
            }
        }
    }
}
