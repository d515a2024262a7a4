import Foundation
import GRDB

/// What a picture upload asks for: a new image, removing the stored one, or neither.
public enum AvatarChange: Sendable, Equatable {
    case replace(LogoImage)
    case remove
}

extension AppDatabase {
    /// Sets or removes the person's picture (checked like an organization logo by `LogoImage`).
    /// The file is written before the row names it; a file no one uses any more is removed after
    /// the commit. `staleVersion` when the profile moved on since the form was loaded.
    @discardableResult
    public func updateAvatar(userId: Int64, _ change: AvatarChange, expectedVersion: Int, avatars: LogoStore) throws -> Profile {
        var file: String? = nil
        if case .replace(let image) = change { file = try avatars.store(image) }
        let (profile, old) = try writer.write { db -> (Profile, String?) in
            var profile = try Self.profile(db, userId: userId)
            guard profile.version == expectedVersion else { throw DomainError.staleVersion }
            let old = profile.avatarFile
            guard old != file else { return (profile, nil) }
            try db.execute(sql: "UPDATE user SET avatarFile = ?, version = version + 1 WHERE id = ?", arguments: [file, userId])
            profile.avatarFile = file
            profile.version += 1
            return (profile, old)
        }
        if let old { try removeAvatarIfUnused(old, avatars: avatars) }
        return profile
    }

    /// Content-addressed files are shared by everyone who uploaded the same image: removed only
    /// when no row names the file.
    func removeAvatarIfUnused(_ file: String, avatars: LogoStore) throws {
        let used = try reader.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM user WHERE avatarFile = ?)", arguments: [file]) ?? true
        }
        if !used { avatars.remove(file) }
    }

    /// The picture file of the person, if any: what `/account/avatar/{file}` may serve them.
    public func avatarFile(userId: Int64) throws -> String? {
        try reader.read { db in
            try String.fetchOne(db, sql: "SELECT avatarFile FROM user WHERE id = ?", arguments: [userId])
        }
    }

    /// Chooses the organization `/` opens: one the person belongs to, by key, or nil for "the
    /// first of my organizations". Another organization's key, or one that does not exist, is
    /// refused as a field error (the same answer for both).
    @discardableResult
    public func setDefaultOrganization(userId: Int64, orgKey: String?, expectedVersion: Int) throws -> Profile {
        try writer.write { db in
            var profile = try Self.profile(db, userId: userId)
            guard profile.version == expectedVersion else { throw DomainError.staleVersion }
            var orgId: Int64? = nil
            if let orgKey {
                orgId = try Int64.fetchOne(
                    db,
                    sql: "SELECT o.id FROM organization o JOIN membership m ON m.orgId = o.id AND m.userId = ? WHERE o.key = ?",
                    arguments: [userId, orgKey])
                guard orgId != nil else {
                    var errors = FieldErrors()
                    errors.add("default_org", "Choose one of your organizations.")
                    throw DomainError.invalid(errors)
                }
            }
            guard profile.defaultOrgKey != orgKey else { return profile }
            try db.execute(sql: "UPDATE user SET defaultOrgId = ?, version = version + 1 WHERE id = ?", arguments: [orgId, userId])
            profile.defaultOrgKey = orgKey
            profile.version += 1
            return profile
        }
    }

    /// The organization `/` opens for the person: their default while they belong to it, else
    /// the first of theirs by name; nil when they belong to none.
    public func landingOrgKey(userId: Int64) throws -> String? {
        try reader.read { db in
            if let key = try Self.profile(db, userId: userId).defaultOrgKey { return key }
            return try Self.organizations(db, of: userId).first?.key
        }
    }
}

extension LogoStore {
    /// People's pictures: a folder inside the logos' (`avatars/`), re-encoded and content-addressed
    /// like logos; the logo route cannot reach it (its file names have no slash).
    public var avatars: LogoStore { LogoStore(directory: directory.appendingPathComponent("avatars")) }

    /// Deletes a stored file; a name that is not a plain stored file name is ignored.
    public func remove(_ fileName: String) {
        guard fileName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }), !fileName.hasPrefix(".") else { return }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(fileName))
    }
}
