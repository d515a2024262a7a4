import Foundation
import GRDB

/// A new organization with its first Owner: what `create-owner` and the demo seed use.
public struct NewOwner: Sendable {
    public var email: String
    public var name: String
    public var password: String
    public var orgKey: String
    public var orgName: String

    public init(email: String, name: String, password: String, orgKey: String, orgName: String) {
        self.email = email
        self.name = name
        self.password = password
        self.orgKey = orgKey
        self.orgName = orgName
    }

    func validate() throws {
        var errors = FieldErrors()
        TextRules.checkSingleLine(email, field: "email", label: "Email", required: true, maxLength: 254, into: &errors)
        if !EmailRules.isPlausible(email) { errors.add("email", "Enter an email address like name@example.com.") }
        TextRules.checkSingleLine(name, field: "name", label: "Name", required: true, maxLength: 100, into: &errors)
        if password.count < 10 { errors.add("password", "Password must be at least 10 characters.") }
        if password.utf8.count > 1024 { errors.add("password", "Password must be at most 1024 bytes.") }
        if !OrgKeyRules.isValid(orgKey) {
            errors.add("org_key", "Org key must be 2–40 characters: lowercase letters, digits and dashes, starting with a letter or digit.")
        }
        TextRules.checkSingleLine(orgName, field: "org_name", label: "Organization name", required: true, maxLength: 100, into: &errors)
        try errors.throwIfAny()
    }
}

public enum EmailRules {
    /// One spelling per address: composed (NFC) and lower-cased, so "Üser@x" typed as U + U+0308
    /// and "üser@x" are one address (SQLite's NOCASE folds ASCII only).
    public static func normalized(_ email: String) -> String {
        email.precomposedStringWithCanonicalMapping.lowercased()
    }

    public static func isPlausible(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return email.utf8.count <= 254
            && !email.unicodeScalars.contains(where: {
                $0.properties.generalCategory == .control || $0.properties.isWhitespace
                    || $0 == "<" || $0 == ">" || $0 == ","
            })
    }
}

public enum OrgKeyRules {
    public static func isValid(_ key: String) -> Bool {
        guard (2...40).contains(key.count), let first = key.unicodeScalars.first,
            CharacterSet.lowercaseLetters.contains(first) || CharacterSet.decimalDigits.contains(first)
        else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

extension AppDatabase {
    /// Creates the organization and its Owner, or adds an existing person (same email) as the
    /// Owner of a new organization. Fails with field errors when the org key is taken.
    @discardableResult
    public func createOwner(_ new: NewOwner) throws -> (User, Organization) {
        try new.validate()
        let passwordHash = hasher.hash(new.password)
        return try writer.write { db in
            let now = self.now()
            if try Organization.filter(Organization.Columns.key == new.orgKey).fetchCount(db) > 0 {
                var errors = FieldErrors()
                errors.add("org_key", "The org key “\(new.orgKey)” is already taken.")
                throw DomainError.invalid(errors)
            }
            var user =
                try User.filter(Column("email").collating(.nocase) == new.email).fetchOne(db)
                ?? User(id: nil, email: new.email, name: new.name, passwordHash: passwordHash, createdAt: now).inserted(db)
            var org = Organization(
                id: nil, key: new.orgKey, displayName: new.orgName, description: "",
                logoFile: nil, memberLimit: 25, version: 1, createdAt: now, updatedAt: now)
            try org.insert(db)
            // The column's default is the former `team`: the catalog's default is written instead.
            try db.execute(sql: "UPDATE organization SET plan = ? WHERE id = ?", arguments: [Plan.default.id, org.id!])
            try Membership(orgId: org.id!, userId: user.id!, role: .owner, createdAt: now).insert(db)
            try Self.ensureDefaultWorkspace(db, orgId: org.id!, user: user, now: now)
            try AuditEvent(
                org: org.id, actor: nil, action: .organizationCreate, target: "org:\(org.key)",
                summary: "created with owner \(user.email)", at: now
            ).insert(db)
            user.passwordHash = ""
            return (user, org)
        }
    }

    /// Adds an existing person to an organization with a role (used by the demo seed; the
    /// invitation flow arrives with Members).
    public func addMember(userId: Int64, orgId: Int64, role: Role) throws {
        try writer.write { db in
            try Membership(orgId: orgId, userId: userId, role: role, createdAt: now()).insert(db)
            guard let user = try User.fetchOne(db, key: userId) else { throw DomainError.notFound }
            try Self.ensureDefaultWorkspace(db, orgId: orgId, user: user, now: now())
            try AuditEvent(
                org: orgId, actor: nil, action: .memberAdd, target: "user:\(userId)",
                summary: "added as \(role.rawValue)", at: now()
            ).insert(db)
        }
    }

    public func createUser(email: String, name: String, password: String) throws -> User {
        let hash = hasher.hash(password)
        return try writer.write { db in
            try User(id: nil, email: email, name: name, passwordHash: hash, createdAt: now()).inserted(db)
        }
    }

    public func createWorkspace(orgId: Int64, key: String, name: String, shared: Bool) throws {
        try writer.write { db in
            var workspace = Workspace(id: nil, orgId: orgId, key: key, name: name, isShared: shared, createdAt: now())
            try workspace.insert(db)
        }
    }

    /// Every member has one default (private) workspace; a returning member gets theirs back.
    static func ensureDefaultWorkspace(_ db: Database, orgId: Int64, user: User, now: Date) throws {
        if try Workspace.filter(Column("orgId") == orgId && Column("ownerUserId") == user.id!).fetchCount(db) > 0 { return }
        var workspace = Workspace(
            id: nil, orgId: orgId, key: "personal-\(user.id!)", name: "\(user.name)’s workspace",
            isShared: false, createdAt: now, ownerUserId: user.id)
        try workspace.insert(db)
    }
}
