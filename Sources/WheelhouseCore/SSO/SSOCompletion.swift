import Foundation
import GRDB

/// Where a sign-in through SSO stands when the browser asks (the interstitial page polls).
public enum SSOProgress: Sendable, Equatable {
    /// The code is still being exchanged by the worker.
    case waiting
    case failed(String)
    /// A session was opened: the cookie token and the organization to land on.
    case signedIn(token: String, orgKey: String)
    /// A test sign-in of the SSO page succeeded for this address; no session changed.
    case tested(orgKey: String, email: String)
}

extension AppDatabase {
    /// Finishes the browser's sign-in once the worker has exchanged its code: a person whose
    /// verified email is in a verified domain of the organization is signed in if a member, joined
    /// with the default role when just-in-time joining is on, refused otherwise. Used once.
    public func ssoProgress(browserToken: String?, address: String, userAgent: String, device: String?) throws -> SSOProgress {
        guard let browserToken else { return .failed("This browser has no sign-in in progress: start it again.") }
        return try writer.write { db in
            guard
                let flow = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT f.id, f.orgId, f.purpose, f.testerId, f.exchangeState, f.failure, f.resultEmail, f.resultName, o.key, o.displayName
                        FROM ssoFlow f JOIN organization o ON o.id = f.orgId
                        WHERE f.browserHash = ? AND f.callbackAt IS NOT NULL AND f.consumedAt IS NULL ORDER BY f.id DESC LIMIT 1
                        """, arguments: [Data(Crypto.sha256(browserToken))])
            else { return .failed("This browser has no sign-in in progress: start it again.") }
            let state: String? = flow["exchangeState"]
            if state == "queued" || state == "running" { return .waiting }
            let now = self.now(), orgId: Int64 = flow["orgId"], orgKey: String = flow["key"], orgName: String = flow["displayName"]
            try db.execute(sql: "UPDATE ssoFlow SET consumedAt = ? WHERE id = ?", arguments: [now, flow["id"] as Int64])
            guard state == "done", let raw: String = flow["resultEmail"] else {
                return .failed(flow["failure"] ?? "The sign-in failed.")
            }
            let email = raw.lowercased()
            let domain = email.split(separator: "@").last.map(String.init) ?? ""
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM ssoDomain WHERE orgId = ? AND domain = ? AND state = 'verified')",
                    arguments: [orgId, domain])!
            else { return .failed("\(email) is not in a verified domain of \(orgName): Wheelhouse cannot trust the provider for it.") }
            let user = try User.filter(Column("email").collating(.nocase) == email).fetchOne(db)
            if (flow["purpose"] as String) == "test" {
                try db.execute(
                    sql: "UPDATE ssoConfig SET testedAt = ?, testedBy = ?, testedEmail = ?, testedUserId = ? WHERE orgId = ?",
                    arguments: [now, flow["testerId"] as Int64?, email, user?.id, orgId])
                try AuditEvent(
                    id: nil, orgId: orgId, actorUserId: flow["testerId"], action: .ssoTest, target: "sso",
                    summary: "test sign-in succeeded as \(email)", address: address, createdAt: now,
                    userAgent: AuditEvent.cleanUserAgent(userAgent)
                ).insert(db)
                return .tested(orgKey: orgKey, email: email)
            }
            var member = user
            let isMember =
                try user.map { try Membership.filter(Column("orgId") == orgId && Column("userId") == $0.id!).fetchCount(db) > 0 } ?? false
            if !isMember {
                guard let config = try Self.ssoConfiguration(db, orgId: orgId), config.jit else {
                    return .failed(
                        "\(email) is not a member of \(orgName), and joining through SSO is off: ask an Owner or Admin to invite you.")
                }
                let limit = try Int.fetchOne(db, sql: "SELECT memberLimit FROM organization WHERE id = ?", arguments: [orgId]) ?? 0
                guard try Membership.filter(Column("orgId") == orgId).fetchCount(db) < limit else {
                    return .failed("\(orgName) has no free seat: ask an Owner or Admin to raise the member limit.")
                }
                if member == nil {
                    let name = TextRules.trimmed(String((flow["resultName"] as String? ?? "").prefix(100)))
                    var created = User(
                        id: nil, email: email, name: name.isEmpty ? String(email.prefix { $0 != "@" }) : name,
                        passwordHash: hasher.hash(Crypto.randomToken()), createdAt: now)
                    try created.insert(db)
                    member = created
                }
                try Membership(orgId: orgId, userId: member!.id!, role: config.defaultRole, createdAt: now).insert(db)
                try AuditEvent(
                    id: nil, orgId: orgId, actorUserId: member!.id, action: .ssoJoin, target: "user:\(member!.id!)",
                    summary: "\(email) joined through SSO as \(config.defaultRole.rawValue)", address: address, createdAt: now,
                    userAgent: AuditEvent.cleanUserAgent(userAgent)
                ).insert(db)
                try Self.notifyAdmins(
                    db, orgId: orgId, except: [member!.id!], kind: .memberJoined,
                    title: "\(email) joined \(orgName) through single sign-on as \(config.defaultRole.rawValue)",
                    link: "/orgs/\(orgKey)/settings/members", now: now)
            }
            let (token, _) = try Self.openSession(db, user: member!, address: address, userAgent: userAgent, device: device, now: now)
            return .signedIn(token: token, orgKey: orgKey)
        }
    }
}
