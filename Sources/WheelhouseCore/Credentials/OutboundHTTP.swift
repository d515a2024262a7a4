import CCurl
import Foundation

/// How an outbound GET ended, in categories a person can act on. Never raw library text.
public enum OutboundResult: Sendable, Equatable {
    /// An HTTP answer; `body` holds at most `OutboundHTTP.maxBody` bytes of it.
    case response(status: Int, body: [UInt8])
    /// The host resolves to an address the outbound policy refuses.
    case blocked
    case hostNotFound
    case refused
    case timedOut
    case tlsProblem
    /// Anything else: the connection broke, or the answer was not HTTP.
    case failed
}

/// One HTTP(S) GET through libcurl, to a checked address only: the host is resolved here, every
/// address it resolves to must pass the `OutboundPolicy`, and curl is then pinned to the first
/// one (`CURLOPT_RESOLVE`), with the socket it opens checked once more against that address, so
/// a DNS answer that changes in between (rebinding) cannot move the call. http and https only,
/// no redirects, no proxies, a total time-out and a cap on the body read. Blocks the calling
/// thread: call it from a background worker, never while serving a request.
public struct OutboundHTTP: Sendable {
    public var policy: OutboundPolicy
    public var timeout: TimeInterval
    public static let maxBody = 64 * 1024

    public init(policy: OutboundPolicy, timeout: TimeInterval = 5) {
        (self.policy, self.timeout) = (policy, timeout)
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public func get(_ url: String, headers: [(String, String)]) -> OutboundResult {
        send(url, headers: headers, body: nil)
    }

    /// A POST of `body` (the caller sets its Content-Type among `headers`), under the same rules as `get`.
    public func post(_ url: String, headers: [(String, String)], body: [UInt8]) -> OutboundResult {
        send(url, headers: headers, body: body)
    }

    private func send(_ url: String, headers: [(String, String)], body: [UInt8]?) -> OutboundResult {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parts.host, !host.isEmpty
        else { return .failed }
        let port = parts.port ?? (scheme == "https" ? 443 : 80)
        let addresses = Self.resolve(host)
        guard let pinned = addresses.first else { return .hostNotFound }
        guard addresses.allSatisfy(policy.permits) else { return .blocked }
        guard Self.initialized, let handle = curl_easy_init() else { return .failed }
        defer { curl_easy_cleanup(handle) }
        let transfer = Transfer(pinned: pinned)
        let literal = pinned.isV4 ? pinned.description : "[\(pinned)]"
        var resolve: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "\(host):\(port):\(literal)")
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        defer { curl_slist_free_all(resolve); curl_slist_free_all(list); resolve = nil }
        let millis = Int(timeout * 1000)
        var ok = true
        func set(_ option: CURLoption, _ value: Int) { ok = ok && wh_curl_long(handle, option, value) == CURLE_OK }
        func set(_ option: CURLoption, _ text: String) { ok = ok && wh_curl_ptr(handle, option, text) == CURLE_OK }
        set(CURLOPT_URL, url)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT_MS, millis)
        set(CURLOPT_CONNECTTIMEOUT_MS, millis)
        set(CURLOPT_PROXY, "")
        set(CURLOPT_NOPROXY, "*")
        set(CURLOPT_USERAGENT, "Wheelhouse")
        if let body {
            // COPYPOSTFIELDS copies the bytes into curl, so nothing here has to outlive the call.
            set(CURLOPT_POSTFIELDSIZE, body.count)
            ok =
                ok
                && body.withUnsafeBytes { wh_curl_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)) }
                    == CURLE_OK
        }
        ok = ok && wh_curl_ptr(handle, CURLOPT_RESOLVE, resolve) == CURLE_OK
        ok = ok && wh_curl_ptr(handle, CURLOPT_HTTPHEADER, list) == CURLE_OK
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        ok = ok && wh_curl_write(handle, writeBody) == CURLE_OK && wh_curl_ptr(handle, CURLOPT_WRITEDATA, context) == CURLE_OK
        ok =
            ok && wh_curl_opensocket(handle, openCheckedSocket) == CURLE_OK
            && wh_curl_ptr(handle, CURLOPT_OPENSOCKETDATA, context) == CURLE_OK
        guard ok else { return .failed }
        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        let status = wh_curl_response_code(handle)
        return Self.result(code, status: status, transfer: transfer)
    }

    static func result(_ code: CURLcode, status: Int, transfer: Transfer) -> OutboundResult {
        if transfer.refusedAddress { return .blocked }
        switch code {
        case CURLE_OK: return status > 0 ? .response(status: status, body: transfer.body) : .failed
        case CURLE_WRITE_ERROR where transfer.overflowed && status > 0: return .response(status: status, body: transfer.body)
        case CURLE_COULDNT_RESOLVE_HOST: return .hostNotFound
        case CURLE_COULDNT_CONNECT: return .refused
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_INITFAILED:
            return .tlsProblem
        default: return .failed
        }
    }

    /// Every address `host` resolves to (a numeric host is itself).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var found: [IPAddress] = []
        var next = list
        while let entry = next {
            if let address = entry.pointee.ai_addr.flatMap({ IPAddress(sockaddr: UnsafeRawPointer($0)) }),
                !found.contains(address)
            {
                found.append(address)
            }
            next = entry.pointee.ai_next
        }
        return found
    }
}

/// What one transfer collects; curl's callbacks reach it through their user pointer.
final class Transfer: @unchecked Sendable {
    let pinned: IPAddress
    var body: [UInt8] = []
    var overflowed = false
    var refusedAddress = false

    init(pinned: IPAddress) { self.pinned = pinned }
}

extension IPAddress {
    /// The address of a `sockaddr_in` or `sockaddr_in6`.
    init?(sockaddr raw: UnsafeRawPointer) {
        switch Int32(raw.load(as: sockaddr.self).sa_family) {
        case AF_INET:
            var v4 = raw.load(as: sockaddr_in.self).sin_addr
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        case AF_INET6:
            var v6 = raw.load(as: sockaddr_in6.self).sin6_addr
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
        default:
            return nil
        }
    }
}

/// Keeps at most `OutboundHTTP.maxBody` bytes; a longer body ends the transfer.
private func writeBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let data, let user else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    let room = OutboundHTTP.maxBody - transfer.body.count
    transfer.body += UnsafeRawBufferPointer(start: data, count: min(length, max(room, 0)))
    if length > room {
        transfer.overflowed = true
        return 0
    }
    return length
}

/// Opens the socket only for the address that was checked; anything else is refused.
private func openCheckedSocket(
    _ user: UnsafeMutableRawPointer?, _ purpose: curlsocktype,
    _ address: UnsafeMutablePointer<curl_sockaddr>?
) -> curl_socket_t {
    guard let user, let address else { return -1 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
    let target = IPAddress(sockaddr: UnsafeRawPointer(address) + offset)
    guard purpose == CURLSOCKTYPE_IPCXN, target == transfer.pinned else {
        transfer.refusedAddress = true
        return -1
    }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}
