import WheelhouseCore

extension Demo {
    /// A second session of the Owner's, on a phone elsewhere, so Active sessions has a row to end
    /// (it lasts the ordinary 12 idle hours, like any session).
    static func seedSessions(_ database: AppDatabase) throws {
        let phone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        _ = try database.signIn(email: ownerEmail, password: password, address: "198.51.100.23", userAgent: phone)
    }
}
