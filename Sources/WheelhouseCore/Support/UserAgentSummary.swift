/// "Firefox on Linux" from a `User-Agent` header: what a person recognises in the Audit log (and
/// a sessions list), with the raw header kept beside it. Unknown clients show their first product
/// token ("curl", "python-requests"); an empty header shows nothing.
public enum UserAgentSummary {
    public static func describe(_ userAgent: String) -> String {
        let ua = userAgent
        guard !ua.isEmpty else { return "" }
        let browser: String? =
            if ua.contains("Edg/") { "Edge" } else if ua.contains("OPR/") { "Opera" } else if ua.contains("Firefox/") {
                "Firefox"
            } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("HeadlessChrome/") {
                "Chrome"
            } else if ua.contains("Safari/") && ua.contains("Version/") { "Safari" } else { nil }
        let system: String? =
            if ua.contains("iPhone") || ua.contains("iPad") { "iOS" } else if ua.contains("Android") {
                "Android"
            } else if ua.contains(
                "CrOS")
            {
                "ChromeOS"
            } else if ua.contains("Windows") { "Windows" } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
                "macOS"
            } else if ua.contains("Linux") { "Linux" } else { nil }
        guard let browser else {
            // Not a browser: its first product token, at most 40 characters.
            return String(ua.prefix { $0 != "/" && $0 != " " }.prefix(40))
        }
        return system.map { "\(browser) on \($0)" } ?? browser
    }
}
