import Foundation
import GRDB

/// PII masking, decided here once. With the organization's switch on, a viewer below Owner (an
/// Admin: the only other role that reads the audit log and the member export) sees in full only
/// the people inside their role scope: the organization's current Admins and Members and the
/// addresses of its pending invitations. Everyone else — its Owners and anyone who is no longer
/// a member — is masked:
///
/// - an email address keeps its first character and its domain: `olivia@demo.test` → `o•••@demo.test`;
/// - a name keeps its first letter: `Olivia Owner` → `O•••`;
/// - in free text (audit summaries and targets) every address of such a person, and every
///   other address that belongs to nobody in scope, is masked, and so is the full name of each
///   such person the log knows.
///
/// Owners always see everything, and nothing is masked while the switch is off.
public struct PIIMask: Sendable, Equatable {
    /// People shown in full.
    public var visibleUsers: Set<Int64>
    /// Addresses shown in full, lower-cased.
    public var visibleEmails: Set<String>
    /// Full names masked inside free text, longest first.
    public var hiddenNames: [String]

    public init(visibleUsers: Set<Int64>, visibleEmails: Set<String>, hiddenNames: [String]) {
        self.visibleUsers = visibleUsers
        self.visibleEmails = Set(visibleEmails.map { $0.lowercased() })
        self.hiddenNames = hiddenNames.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// `o•••@demo.test`; text without an `@` is masked whole.
    public static func email(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), let first = email.first, at != email.startIndex else { return "•••" }
        return "\(first)•••\(email[at...])"
    }

    /// `O•••`: the first letter of the name, upper-cased.
    public static func name(_ name: String) -> String {
        guard let first = name.trimmingCharacters(in: .whitespaces).first else { return "•••" }
        return "\(String(first).uppercased())•••"
    }

    public func shows(userId: Int64?) -> Bool { userId.map(visibleUsers.contains) ?? true }

    /// An actor's name and address as this viewer may see them (nil stays nil: the system).
    public func actor(userId: Int64?, name: String?, email: String?) -> (name: String?, email: String?) {
        if shows(userId: userId) { return (name, email) }
        return (name.map(Self.name), email.map(Self.email))
    }

    /// Free text with every address outside the scope and every hidden full name masked.
    public func text(_ text: String) -> String {
        var out = text
        if out.contains("@") {
            let matches = out.matches(of: Self.address).reversed()
            for match in matches where !visibleEmails.contains(String(out[match.range]).lowercased()) {
                out.replaceSubrange(match.range, with: Self.email(String(out[match.range])))
            }
        }
        for name in hiddenNames where out.contains(name) {
            out = out.replacingOccurrences(of: name, with: Self.name(name))
        }
        return out
    }

    nonisolated(unsafe) static let address = try! Regex("[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+")
}

extension AppDatabase {
    /// The mask for a viewer of `role` in the organization, or nil when nothing is masked for
    /// them (an Owner, or the switch is off).
    public func piiMask(orgId: Int64, viewer role: Role) throws -> PIIMask? {
        guard role != .owner else { return nil }
        return try reader.read { db in try Self.piiMask(db, orgId: orgId, viewer: role) }
    }

    static func piiMask(_ db: Database, orgId: Int64, viewer role: Role) throws -> PIIMask? {
        guard role != .owner else { return nil }
        guard try PrivacySchema.setting(db, orgId: orgId).masking else { return nil }
        let inScope = try Row.fetchAll(
            db,
            sql:
                "SELECT u.id, u.email, u.name FROM membership m JOIN user u ON u.id = m.userId WHERE m.orgId = ? AND m.role <> 'owner'",
            arguments: [orgId])
        let invited = try String.fetchAll(
            db, sql: "SELECT email FROM invitation WHERE orgId = ? AND status = 'pending'", arguments: [orgId])
        let visibleNames = Set(inScope.map { $0[2] as String })
        // Owners, and everyone the log names who is not in scope (former members).
        let hidden = try String.fetchAll(
            db,
            sql: """
                \(AppDatabase.auditActorsCTE)
                SELECT name FROM user WHERE id IN (SELECT userId FROM membership WHERE orgId = ?1 AND role = 'owner')
                    OR (id IN (SELECT id FROM actor WHERE id IS NOT NULL)
                        AND id NOT IN (SELECT userId FROM membership WHERE orgId = ?1))
                """, arguments: [orgId])
        return PIIMask(
            visibleUsers: Set(inScope.map { $0[0] as Int64 }), visibleEmails: Set(inScope.map { $0[1] as String } + invited),
            hiddenNames: hidden.filter { !visibleNames.contains($0) })
    }
}

extension PIIMask {
    /// An audit row as the viewer may see it: the actor, and addresses and names in the target
    /// and summary.
    public func entry(_ entry: AuditLogEntry) -> AuditLogEntry {
        var out = entry
        (out.actorName, out.actorEmail) = actor(userId: entry.event.actorUserId, name: entry.actorName, email: entry.actorEmail)
        out.event.target = text(entry.event.target)
        out.event.summary = text(entry.event.summary)
        return out
    }

    /// A person of the actor filter as the viewer may see them.
    public func user(_ user: User) -> User {
        guard !shows(userId: user.id) else { return user }
        var out = user
        (out.name, out.email) = (Self.name(user.name), Self.email(user.email))
        return out
    }

    /// A line of the member export: names and addresses outside the scope (the Owners) masked.
    public func member(_ row: MemberExportRow) -> MemberExportRow {
        guard !visibleEmails.contains(row.email.lowercased()) else { return row }
        var out = row
        (out.name, out.email) = (row.name.isEmpty ? "" : Self.name(row.name), Self.email(row.email))
        return out
    }
}
